"""REST: a record's full-text retrieval status and upload."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from reviewapp.http import object_of_review_or_404
from reviewapp.input import ObjectJSONParser, UploadParser
from reviewapp.models import Role
from screening.api.screening_common import (
    ScreeningAPIView,
)
from screening.models import (
    FullText,
    Record,
)
from screening.services.fulltext import mark_not_retrieved, upload_fulltext


class FullTextStatusSerializer(serializers.Serializer):
    record = serializers.IntegerField()
    state = serializers.CharField()
    retrieved = serializers.BooleanField()
    filename = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    sha256 = serializers.CharField(allow_blank=True)
    not_retrieved_reason = serializers.CharField(allow_blank=True)
    file_url = serializers.CharField(allow_null=True)


class FullTextInput(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="The PDF (multipart).")
    not_retrieved_reason = serializers.CharField(required=False, max_length=300)


def _fulltext_status(review, record: Record) -> dict:
    fulltext = FullText.objects.filter(record=record).first()
    retrieved = bool(fulltext and fulltext.retrieved)
    return {
        "record": record.pk,
        "state": record.state,
        "retrieved": retrieved,
        "filename": fulltext.filename if fulltext else "",
        "size": fulltext.size if fulltext else 0,
        "sha256": fulltext.sha256 if fulltext else "",
        "not_retrieved_reason": fulltext.not_retrieved_reason if fulltext else "",
        "file_url": reverse("fulltext_file", args=[review.pk, record.pk]) if retrieved else None,
    }


class FullTextDetail(ScreeningAPIView):
    """A record's retrieval status. POST a PDF (multipart `file`), or `not_retrieved_reason`."""

    review_roles = {"GET": Role.VIEWER, "POST": Role.REVIEWER}
    parser_classes = [UploadParser, FormParser, ObjectJSONParser]

    def _record(self, record_id) -> Record:
        return object_of_review_or_404(Record, self.request.review, record_id)

    @extend_schema(responses=FullTextStatusSerializer)
    def get(self, request, review_id, record_id):
        return Response(_fulltext_status(request.review, self._record(record_id)))

    @extend_schema(request=FullTextInput, responses=FullTextStatusSerializer)
    def post(self, request, review_id, record_id):
        record = self._record(record_id)
        data = FullTextInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        reason = data.validated_data.get("not_retrieved_reason")
        if bool(upload) == bool(reason):
            raise ValidationError(
                {"detail": "Send either a PDF as `file` or a `not_retrieved_reason`."}
            )
        if upload:
            upload_fulltext(record=record, upload=upload, uploaded_by=request.user)
        else:
            mark_not_retrieved(record=record, reason=reason, by=request.user)
        record.refresh_from_db()
        return Response(_fulltext_status(request.review, record))


urlpatterns = [
    path("records/<id:record_id>/fulltext/", FullTextDetail.as_view(), name="fulltext"),
]
