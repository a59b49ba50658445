"""What every screening endpoint shares: the base view, the stage parameter, the record serializer."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from screening.models import (
    CITATION_FIELDS,
    FinalVerdict,
    Record,
    Stage,
)


@extend_schema_field(
    {"type": "string", "pattern": "^(include|exclude)$", "description": "include or exclude"}
)
class FinalVerdictField(serializers.ChoiceField):
    """The lead's final decision: include or exclude (an inline enum, distinct from votes' verdicts)."""

    def __init__(self, **kwargs):
        super().__init__(choices=FinalVerdict.choices, **kwargs)


NO_SUCH_RECORD = "No such record in this review."


def record_in_review(request, record_id) -> Record:
    """The record a vote or resolution names, refused (400) when it is not in this review.

    Only its id is read: the services lock and read the record themselves."""
    record = (
        Record.objects.filter(pk=record_id, review=request.review).only("pk", "review_id").first()
    )
    if record is None:
        raise ValidationError({"record": NO_SUCH_RECORD})
    return record


STAGE_PARAM = OpenApiParameter(
    "stage",
    OpenApiTypes.STR,
    enum=Stage.values,
    description="ta (title/abstract) or ft (full text)",
    default="ta",
)


def stage_param(request) -> Stage:
    stage = request.query_params.get("stage", Stage.TITLE_ABSTRACT)
    if stage not in Stage.values:
        raise ValidationError({"stage": "ta or ft"})
    return Stage(stage)


class ScreeningAPIView(APIView):
    permission_classes = [IsAuthenticated, ReviewRolePermission]


class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Record
        fields = [
            "id",
            *CITATION_FIELDS,
            "abstract",
            "keywords",
            "language",
            "publication_type",
        ]
