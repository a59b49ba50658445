"""REST: the record to screen next."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.models import Role
from reviewapp.represent import represent
from screening.api.screening_common import (
    STAGE_PARAM,
    RecordSerializer,
    ScreeningAPIView,
    stage_param,
)
from screening.models import (
    Stage,
)
from screening.services.queue import next_record


class QueueNextSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    record = RecordSerializer(allow_null=True)
    fulltext_url = serializers.CharField(allow_null=True, help_text="The PDF, at full text.")


class QueueNext(ScreeningAPIView):
    """The record to screen next, leased to you for 10 minutes (the same one until you vote)."""

    review_role = Role.REVIEWER

    @extend_schema(parameters=[STAGE_PARAM], responses=QueueNextSerializer)
    def get(self, request, review_id):
        return Response(queue_answer(request, stage_param(request)))


def queue_answer(request, stage: Stage) -> dict:
    """Lease the next record at `stage` to the requesting reviewer and say which (the
    answer of queue/next/, and the `next` of a vote cast with `"next": true`)."""
    record = next_record(review=request.review, stage=stage, reviewer=request.user)
    fulltext_url = None
    if record is not None and stage == Stage.FULL_TEXT:
        fulltext_url = reverse("fulltext_file", args=[request.review.pk, record.pk])
    return {
        "stage": stage,
        "record": represent(RecordSerializer, record) if record else None,
        "fulltext_url": fulltext_url,
    }


urlpatterns = [
    path("queue/next/", QueueNext.as_view(), name="queue_next"),
]
