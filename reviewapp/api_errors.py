"""How a service's refusal reaches an API client.

Services raise django.core.exceptions.ValidationError with sentences written for a
researcher; the API answers 400 with those sentences under "detail". Views may convert
explicitly with `as_validation_error`; anything they let through is converted by the
exception handler, so a refusal never becomes a 500.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def as_validation_error(exc: DjangoValidationError) -> ValidationError:
    """Field errors stay keyed by field; anything else goes under "detail"."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return ValidationError({"detail": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_validation_error(exc)
    elif isinstance(exc, OverflowError):
        # A number past 64 bits given as an id in a body reached the database (SQLite
        # refuses it): the client's mistake, not ours.
        exc = ValidationError({"detail": ["A number in the request is out of range for an id."]})
    response = drf_exception_handler(exc, context)
    if response is None or _renders_json(context["request"]):
        return response
    # A file endpoint (CSV, SVG, Markdown) answers its refusals as JSON, as the schema says,
    # not as JSON text labelled text/csv.
    refusal = JsonResponse(response.data, status=response.status_code, safe=False)
    for header, value in response.items():
        if header.lower() != "content-type":
            refusal[header] = value
    return refusal


def _renders_json(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format in ("json", "api")
