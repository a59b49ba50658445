"""Small helpers every extraction page uses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from extraction.models import Instrument, Study
from extraction.selectors import get_study
from reviewapp.models import Review


def study_or_404(review: Review, study_id: int) -> Study:
    study = get_study(review=review, study_id=study_id)
    if study is None:
        raise Http404("No such study in this review.")
    return study


def instrument_or_404(instrument: str) -> str:
    if instrument not in Instrument.values:
        raise Http404("No such form or tool.")
    return instrument


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)
