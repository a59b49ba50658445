"""The OpenAPI schema documents every status the API answers, errors included.

drf-spectacular documents the success responses a view declares. The refusals come from
one place for every view (DRF's authentication and throttling, `reviewapp/access`,
`reviewapp.api_errors.exception_handler`), so they are documented here once instead of on
each of the ~80 operations: schemathesis (tests/security/test_schemathesis.py) fails on any
status the schema does not list.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

from reviewapp.http import MAX_ID
from reviewapp.input import UploadParser

# What every refusal looks like: `{"detail": "..."}` (DRF) or sentences under "detail" /
# keyed by the field they are about (reviewapp/api_errors.py).
ERROR_SCHEMA = {
    "type": "object",
    "description": 'A refusal: sentences under "detail", or keyed by the field they are about.',
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        }
    },
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "The request is invalid or the review's state refuses it (the reason is in the body).",
    "401": "No valid token or session.",
    "403": "The caller's role in the review does not allow this.",
    "404": "No such review for the caller (outsiders see 404), object or page.",
    "413": "The upload is past UPLOAD_MAX_BYTES (refused before it is read).",
    "429": "Too many requests with this token; retry after the time in Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the refusals every API view can answer to its documented responses."""

    def _error_statuses(self) -> list[str]:
        statuses = ["401", "403", "429"]
        has_path_params = "{" in self.path
        if has_path_params or self._get_paginator() is not None:
            statuses.append("404")  # a missing object, an outsider's review, a page past the end
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if self.method != "GET" or has_query:
            statuses.append("400")
        if self.method == "POST" and any(
            isinstance(p, UploadParser) for p in self.view.get_parsers()
        ):
            statuses.append("413")  # reviewapp/uploads.py
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        for status in self._error_statuses():
            responses.setdefault(
                status,
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": component.ref}},
                },
            )
        return responses


def id_parameter(name: str, description: str, *, many: bool = False) -> OpenApiParameter:
    """A query parameter that takes an object's id: documented as the positive 64-bit
    integer `reviewapp.http.parse_id` accepts (0 and negatives are refused with a 400)."""
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if many:  # repeatable: ?tag=1&tag=2
        schema = {"type": "array", "items": schema}
    return OpenApiParameter(name, schema, description=description)
