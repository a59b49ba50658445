"""Input the database cannot take is refused at the door with a 400, never a 500.

- `RefuseNulMiddleware`: a NUL character in a query parameter or a form field (`?q=%00`)
  is a 400. PostgreSQL text cannot hold NUL, so such a value used to fail deep inside a
  query; no legitimate form or link carries one.
- `TokenRateThrottle`: requests made with an API token count against `API_TOKEN_RATE`
  per user (a 429 with Retry-After past it); the browser's session requests do not.
- `ObjectJSONParser` (the API's JSON parser): a JSON body must be an object (every
  endpoint reads named fields; an array used to reach `.get` and fail), and its text
  must not hold NUL either.
- `query_choice` / `query_number`: an API filter given an unknown value is a 400 naming
  what it takes, never silently "no filter".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.serializers import CharField, ModelSerializer
from rest_framework.throttling import UserRateThrottle

from reviewapp.http import parse_id

NUL = "\x00"
NUL_MESSAGE = "Text with a NUL character (%00) cannot be stored; remove it and try again."


def _has_nul(query_dict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values if isinstance(value, str))
        for key, values in query_dict.lists()
    )


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if (
            NUL in request.path
            or _has_nul(request.GET)
            or (request.method == "POST" and form and _has_nul(request.POST))
        ):
            if request.path.startswith("/api/"):  # API clients read refusals as JSON
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        return self.get_response(request)


def query_choice(request, name: str, choices) -> str:
    """The query parameter `name` if it is one of `choices`, "" when absent; a 400 naming
    the allowed values otherwise (an unknown filter value is a mistake, not "no filter")."""
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({name: [f"Use one of {', '.join(choices)}."]})
    return value


def query_number(request, name: str) -> int | None:
    """The query parameter `name` as a positive whole number, None when absent; else a 400."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise ValidationError({name: ["A positive whole number."]})
    return number


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class ObjectJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError("The request body must be a JSON object ({…}).")
        if _holds_nul(data):
            raise ParseError(NUL_MESSAGE)
        return data


class TokenRateThrottle(UserRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.API_TOKEN_RATE

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, Token):
            return True
        return super().allow_request(request, view)


class StrictPageNumberPagination(PageNumberPagination):
    """DRF's page numbers, except that `?page=` with no number is refused like `?page=x`
    (DRF would quietly answer page 1 to a request the schema calls invalid)."""

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound("Invalid page.")
        return super().get_page_number(request, paginator)


class UploadParser(MultiPartParser):
    """Multipart, for the endpoints that take a file (imports, full texts): the only ones
    whose schema offers multipart (SPECTACULAR_SETTINGS["PARSER_WHITELIST"])."""


class StrictCharField(CharField):
    """Text that must arrive as a JSON string: DRF's CharField turns 42 into "42", which
    the schema (type: string) calls invalid."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictModelSerializer(ModelSerializer):
    """A ModelSerializer whose text fields take strings only (StrictCharField)."""

    serializer_field_mapping = {
        **ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }
