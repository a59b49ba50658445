"""Small request helpers every page and API view shares: one spelling of each."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest

from reviewapp.models import Review

# Ids are 64-bit integers in every database we run on; anything else is "no such object".
MAX_ID = 2**63 - 1


def is_htmx(request: HttpRequest) -> bool:
    """True when HTMX sent the request (it sets `HX-Request: true`)."""
    return request.headers.get("HX-Request") == "true"


def parse_id(value) -> int | None:
    """`value` as a positive 64-bit id, or None for anything else (text, NUL, overflow)."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def object_of_review_or_404(model_or_queryset, review: Review, pk, *, field: str = "review"):
    """The object `pk` that belongs to `review`, or 404.

    An id from another review, a non-numeric id and one past 64 bits all answer 404,
    exactly as a missing one does, so ids never tell an outsider what exists.
    """
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    number = parse_id(pk)
    if number is None:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.")
    try:
        return queryset.get(pk=number, **{field: review})
    except queryset.model.DoesNotExist:
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None


def refusal_text(exc: ValidationError) -> str:
    """A service's refusal as one sentence for a page's message or form error.

    (The API needs no such step: reviewapp/api_errors.py turns refusals into 400s.)
    """
    return " ".join(exc.messages)
