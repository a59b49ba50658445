"""Small helpers every extraction page uses. Fetching a study of a review, telling an
HTMX request and wording a refusal are the shared ones in reviewapp/http.py."""

from __future__ import annotations

from django.http import Http404

from extraction.models import Instrument


def instrument_or_404(instrument: str) -> str:
    if instrument not in Instrument.values:
        raise Http404("No such form or tool.")
    return instrument
