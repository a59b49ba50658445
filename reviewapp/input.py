"""Input the database cannot take is refused at the door with a 400, never a 500.

- `RefuseNulMiddleware`: a NUL character in a query parameter or a form field (`?q=%00`)
  is a 400. PostgreSQL text cannot hold NUL, so such a value used to fail deep inside a
  query; no legitimate form or link carries one.
- `ObjectJSONParser` (the API's JSON parser): a JSON body must be an object (every
  endpoint reads named fields; an array used to reach `.get` and fail), and its text
  must not hold NUL either.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBadRequest
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

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
        if NUL in request.path or _has_nul(request.GET):
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if request.method == "POST" and form and _has_nul(request.POST):
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        return self.get_response(request)


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
