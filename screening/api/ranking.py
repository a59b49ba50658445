"""REST for relevance ranking: model state, the stopping estimate, stop and undo.

A reviewer sees their own model only; the lead sees every screener's model (metadata:
when trained, on how many labels, top terms) and the stopping evidence.
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
from screening.models import RankingModelState, StoppingDecision, StopRule
from screening.selectors import ranking as selectors
from screening.services import stopping


class RankingAPIView(APIView):
    permission_classes = [IsAuthenticated, ReviewRolePermission]


class TermField(serializers.ListField):
    child = serializers.ListField(
        child=serializers.CharField(), min_length=2, max_length=2, help_text="[term, weight]"
    )


class ModelStateSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    top_include = TermField(help_text="Words that raise relevance, with their weight.")
    top_exclude = TermField(help_text="Words that lower relevance, with their weight.")

    class Meta:
        model = RankingModelState
        fields = [
            "reviewer",
            "status",
            "trained_at",
            "n_include",
            "n_exclude",
            "n_scored",
            "top_include",
            "top_exclude",
            "version",
            "seconds",
            "error",
        ]


class RankingModels(RankingAPIView):
    """Ranking models of the review: yours (every screener's for the lead when blinding is off)."""

    review_role = Role.REVIEWER

    @extend_schema(responses=ModelStateSerializer(many=True))
    def get(self, request, review_id):
        states = selectors.visible_models(review=request.review, membership=request.membership)
        return Response(ModelStateSerializer(states, many=True).data)


class StatisticalSerializer(serializers.Serializer):
    should_stop = serializers.BooleanField()
    p_value = serializers.FloatField()
    recall_target = serializers.FloatField()
    confidence = serializers.FloatField()
    sample_size = serializers.IntegerField()
    relevant_in_sample = serializers.IntegerField()
    relevant_before_sample = serializers.IntegerField()
    urn_size = serializers.IntegerField()
    n_unscreened = serializers.IntegerField()
    relevant_seen = serializers.IntegerField()
    estimated_remaining = serializers.FloatField()


class HeuristicSerializer(serializers.Serializer):
    should_stop = serializers.BooleanField()
    irrelevant_in_a_row = serializers.IntegerField()
    threshold = serializers.IntegerField()


class RemainingSerializer(serializers.Serializer):
    estimate = serializers.FloatField()
    upper_bound = serializers.IntegerField()
    window = serializers.IntegerField()
    found_in_window = serializers.IntegerField()
    n_unscreened = serializers.IntegerField()


class EvidenceSerializer(serializers.Serializer):
    n_screened = serializers.IntegerField(help_text="Records settled at title/abstract.")
    relevant_found = serializers.IntegerField()
    n_unscreened = serializers.IntegerField(help_text="Records still at title/abstract.")
    n_stoppable = serializers.IntegerField(help_text="Of those, records nobody voted on.")
    n_records = serializers.IntegerField()
    recall_target = serializers.FloatField()
    confidence = serializers.FloatField()
    statistical = StatisticalSerializer(allow_null=True)
    heuristic = HeuristicSerializer(allow_null=True)
    remaining = RemainingSerializer(allow_null=True)


class StoppingEstimate(RankingAPIView):
    """Relevant records estimated to remain, the statistical stopping rule (95% recall
    at 95% confidence) and the irrelevant-in-a-row heuristic, on the team's order."""

    review_role = Role.LEAD

    @extend_schema(responses=EvidenceSerializer)
    def get(self, request, review_id):
        evidence = selectors.stopping_evidence(review=request.review)
        return Response(EvidenceSerializer(evidence.as_dict()).data)


class StoppingDecisionSerializer(serializers.ModelSerializer):
    stopped_by = serializers.CharField(source="stopped_by.username", read_only=True, default=None)
    undone_by = serializers.CharField(
        source="undone_by.username", read_only=True, default=None, allow_null=True
    )
    evidence = EvidenceSerializer(read_only=True)

    class Meta:
        model = StoppingDecision
        fields = [
            "id",
            "rule",
            "note",
            "n_records",
            "evidence",
            "stopped_by",
            "stopped_at",
            "undone_by",
            "undone_at",
        ]


class StopInputSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=StopRule.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class Stops(RankingAPIView):
    """Stops of title/abstract screening (GET), or stop now (POST): every record nobody
    voted on is marked "excluded by automation tool"."""

    review_role = Role.LEAD

    @extend_schema(responses=StoppingDecisionSerializer(many=True))
    def get(self, request, review_id):
        history = selectors.stopping_history(review=request.review)
        return Response(StoppingDecisionSerializer(history, many=True).data)

    @extend_schema(request=StopInputSerializer, responses={201: StoppingDecisionSerializer})
    def post(self, request, review_id):
        given = StopInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        decision = stopping.stop_screening(
            review=request.review, by=request.user, **given.validated_data
        )
        return Response(StoppingDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class StopUndo(RankingAPIView):
    """Undo a stop: its records go back to title/abstract screening."""

    review_role = Role.LEAD

    @extend_schema(request=None, responses=StoppingDecisionSerializer)
    def post(self, request, review_id, stop_id):
        decision = object_of_review_or_404(StoppingDecision, request.review, stop_id)
        stopping.undo_stop(decision=decision, by=request.user)
        decision.refresh_from_db()
        return Response(StoppingDecisionSerializer(decision).data)


urlpatterns = [
    path("ranking/models/", RankingModels.as_view(), name="ranking_models"),
    path("ranking/stopping/", StoppingEstimate.as_view(), name="ranking_stopping"),
    path("ranking/stops/", Stops.as_view(), name="ranking_stops"),
    path("ranking/stops/<id:stop_id>/undo/", StopUndo.as_view(), name="ranking_stop_undo"),
]
