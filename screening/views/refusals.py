"""One spelling for a page that shows a service's refusal in place (the API's global
exception handler, reviewapp/api_errors.py, does the same for the API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from reviewapp.http import refusal_text


def attempt(call: Callable[..., Any], /, **kwargs) -> tuple[Any, str | None]:
    """Run a service: (its result, None), or (None, the sentences of its refusal)."""
    try:
        return call(**kwargs), None
    except ValidationError as exc:
        return None, refusal_text(exc)
