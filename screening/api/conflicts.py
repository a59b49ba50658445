"""REST: conflicts and the lead's resolutions."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reviewapp.access import ReviewRolePermission
from reviewapp.http import MAX_ID
from reviewapp.models import Role
from screening.api.screening_common import (
    STAGE_PARAM,
    FinalVerdictField,
    RecordSerializer,
    record_in_review,
    stage_param,
)
from screening.models import (
    Resolution,
    Stage,
    Vote,
)
from screening.selectors import screening as selectors
from screening.services.conflicts import decide_as_lead


class LeadVoteSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")
    reason_label = serializers.CharField(source="reason.label", default=None, allow_null=True)

    class Meta:
        model = Vote
        fields = [
            "id",
            "reviewer",
            "verdict",
            "reason",
            "reason_label",
            "note",
            "created_at",
            "updated_at",
        ]


class ConflictSerializer(serializers.Serializer):
    record = RecordSerializer(source="*")
    votes = LeadVoteSerializer(source="stage_votes", many=True)


class ConflictList(generics.ListAPIView):
    """Records whose votes disagree at a stage, with every vote (lead)."""

    permission_classes = [IsAuthenticated, ReviewRolePermission]
    review_role = Role.LEAD
    serializer_class = ConflictSerializer

    def get_queryset(self):
        return selectors.conflicts(review=self.request.review, stage=stage_param(self.request))

    @extend_schema(parameters=[STAGE_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ResolutionSerializer(serializers.ModelSerializer):
    verdict = FinalVerdictField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = Resolution
        fields = [
            "id",
            "record",
            "stage",
            "kind",
            "verdict",
            "reason",
            "note",
            "decided_by",
            "decided_at",
        ]


class ResolutionInput(serializers.Serializer):
    record = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    stage = serializers.ChoiceField(choices=Stage.choices)
    verdict = FinalVerdictField()
    reason = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ResolutionList(generics.ListAPIView):
    """The lead's decisions. POST resolves a conflict, or overrules a settled record (kept in the history)."""

    permission_classes = [IsAuthenticated, ReviewRolePermission]
    review_role = Role.LEAD
    serializer_class = ResolutionSerializer

    def get_queryset(self):
        return (
            Resolution.objects.filter(record__review=self.request.review)
            .select_related("decided_by")
            .order_by("-decided_at", "-pk")
        )

    @extend_schema(request=ResolutionInput, responses={201: ResolutionSerializer})
    def post(self, request, review_id):
        data = ResolutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = record_in_review(request, data.validated_data["record"])
        resolution = decide_as_lead(
            record=record,
            stage=data.validated_data["stage"],
            lead=request.user,
            verdict=data.validated_data["verdict"],
            reason=data.validated_data.get("reason"),
            note=data.validated_data.get("note", ""),
        )
        return Response(ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("conflicts/", ConflictList.as_view(), name="conflict_list"),
    path("resolutions/", ResolutionList.as_view(), name="resolution_list"),
]
