"""REST: duplicate groups and candidate pairs; confirm, reject, unmerge."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.http import object_of_review_or_404, parse_id
from reviewapp.input import query_choice
from reviewapp.models import Role
from screening.models import CITATION_FIELDS, CandidatePair, DuplicateGroup, PairStatus, Record
from screening.selectors import dedupe as selectors
from screening.services import dedupe as services


class BriefRecordSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="batch.source_name")

    class Meta:
        model = Record
        fields = ["id", "record_key", *CITATION_FIELDS, "state", "source"]


class GroupSerializer(serializers.ModelSerializer):
    records = BriefRecordSerializer(many=True)

    class Meta:
        model = DuplicateGroup
        fields = ["id", "primary", "created_at", "records"]


class PairSerializer(serializers.ModelSerializer):
    record_a = BriefRecordSerializer()
    record_b = BriefRecordSerializer()

    class Meta:
        model = CandidatePair
        fields = [
            "id",
            "score",
            "automatic",
            "reasons",
            "status",
            "decided_at",
            "record_a",
            "record_b",
        ]


class GroupList(ListAPIView):
    """Duplicate groups: the primary goes on to screening, the other records are removed."""

    permission_classes = [ReviewRolePermission]
    serializer_class = GroupSerializer

    def get_queryset(self):
        return selectors.groups_with_records(review=self.request.review)


class PairList(ListAPIView):
    """Candidate pairs the matcher found, best score first (`?status=pending` for the human queue)."""

    permission_classes = [ReviewRolePermission]
    serializer_class = PairSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=PairStatus.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        pairs = CandidatePair.objects.filter(review=self.request.review).select_related(
            "record_a__batch", "record_b__batch"
        )
        wanted = query_choice(self.request, "status", PairStatus.values)
        return pairs.filter(status=wanted) if wanted else pairs


class PairDecision(APIView):
    """Confirm (merge) or reject (different reports) a pending pair. Lead only."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD
    decision = "confirm"

    @extend_schema(request=None, responses=PairSerializer)
    def post(self, request, review_id, pair_id):
        pair = object_of_review_or_404(CandidatePair, request.review, pair_id)
        if self.decision == "confirm":
            services.confirm_pair(pair=pair, actor=request.user)
        else:
            services.reject_pair(pair=pair, actor=request.user)
        pair.refresh_from_db()
        return Response(PairSerializer(pair).data)


class GroupUnmerge(APIView):
    """Undo a merge: `records` (ids) leave the group, or the whole group is dissolved. Lead only."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD

    @extend_schema(
        request=inline_serializer(
            "UnmergeInput",
            {
                "records": serializers.ListField(child=serializers.IntegerField(), required=False),
                "reason": serializers.CharField(required=False),
            },
        ),
        responses={204: None},
    )
    def post(self, request, review_id, group_id):
        group = object_of_review_or_404(DuplicateGroup, request.review, group_id)
        reason = str(request.data.get("reason", ""))[:500]
        record_ids = request.data.get("records")
        if record_ids:
            if not isinstance(record_ids, list) or not all(
                type(i) is int and parse_id(i) == i for i in record_ids
            ):
                raise ValidationError({"records": "a list of record ids"})
            services.unmerge(
                review=request.review, record_ids=record_ids, actor=request.user, reason=reason
            )
        else:
            services.unmerge_group(group=group, actor=request.user, reason=reason)
        return Response(status=204)


urlpatterns = [
    path("duplicates/groups/", GroupList.as_view(), name="duplicate_group_list"),
    path(
        "duplicates/groups/<id:group_id>/unmerge/",
        GroupUnmerge.as_view(),
        name="duplicate_group_unmerge",
    ),
    path("duplicates/pairs/", PairList.as_view(), name="duplicate_pair_list"),
    path(
        "duplicates/pairs/<id:pair_id>/confirm/",
        PairDecision.as_view(decision="confirm"),
        name="duplicate_pair_confirm",
    ),
    path(
        "duplicates/pairs/<id:pair_id>/reject/",
        PairDecision.as_view(decision="reject"),
        name="duplicate_pair_reject",
    ),
]
