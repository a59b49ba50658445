"""REST for the lead's "known relevant" papers: list, paste (match), remove.

Lead only (outsider 404, lower roles 403): the list is the lead's prior knowledge and
steers every screener's cold-start order (`services.known_relevant`).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.http import object_of_review_or_404
from reviewapp.models import Role
from screening.models import KnownRelevant
from screening.services import known_relevant as services


class KnownRelevantSerializer(serializers.ModelSerializer):
    matched = serializers.SerializerMethodField(help_text="Whether a record of the review matched.")
    record_title = serializers.CharField(
        source="record.title", read_only=True, default=None, allow_null=True
    )
    added_by = serializers.CharField(
        source="added_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = KnownRelevant
        fields = ["id", "line", "kind", "matched", "record", "record_title", "added_by", "added_at"]

    def get_matched(self, entry: KnownRelevant) -> bool:
        return entry.record_id is not None


class PasteSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=200_000, help_text="One title, DOI or PMID per line.", trim_whitespace=False
    )


class PasteResultSerializer(serializers.Serializer):
    matched = KnownRelevantSerializer(many=True)
    unmatched = KnownRelevantSerializer(many=True)
    ignored = serializers.ListField(
        child=serializers.CharField(), help_text="Lines that name no paper (too short a title)."
    )


class KnownRelevantList(APIView):
    """Papers the lead knows are relevant (GET), or paste more (POST): each line is matched
    to a record of the review by DOI, PMID or title, and the cold start uses the matches."""

    permission_classes = [IsAuthenticated, ReviewRolePermission]
    review_role = Role.LEAD

    @extend_schema(responses=KnownRelevantSerializer(many=True))
    def get(self, request, review_id):
        entries = KnownRelevant.objects.filter(review=request.review).select_related(
            "record", "added_by"
        )
        return Response(KnownRelevantSerializer(entries, many=True).data)

    @extend_schema(request=PasteSerializer, responses={201: PasteResultSerializer})
    def post(self, request, review_id):
        given = PasteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        result = services.paste_known_relevant(
            review=request.review, by=request.user, text=given.validated_data["text"]
        )
        data = {"matched": result.matched, "unmatched": result.unmatched, "ignored": result.ignored}
        return Response(PasteResultSerializer(data).data, status=status.HTTP_201_CREATED)


class KnownRelevantDetail(APIView):
    """Forget one pasted paper."""

    permission_classes = [IsAuthenticated, ReviewRolePermission]
    review_role = Role.LEAD

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, review_id, known_id):
        entry = object_of_review_or_404(KnownRelevant, request.review, known_id)
        services.remove_known_relevant(entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("ranking/known-relevant/", KnownRelevantList.as_view(), name="known_relevant"),
    path(
        "ranking/known-relevant/<id:known_id>/",
        KnownRelevantDetail.as_view(),
        name="known_relevant_entry",
    ),
]
