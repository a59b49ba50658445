"""REST: agreement statistics and pace (lead)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.response import Response

from reviewapp.models import Role
from screening.api.screening_common import (
    STAGE_PARAM,
    ScreeningAPIView,
    stage_param,
)
from screening.selectors import screening as selectors


class AgreementTableSerializer(serializers.Serializer):
    both_include = serializers.IntegerField()
    a_include_b_exclude = serializers.IntegerField()
    a_exclude_b_include = serializers.IntegerField()
    both_exclude = serializers.IntegerField()


class AgreementPairSerializer(serializers.Serializer):
    rater_a = serializers.CharField()
    rater_b = serializers.CharField()
    n = serializers.IntegerField()
    table = AgreementTableSerializer()
    observed_agreement = serializers.FloatField(allow_null=True)
    cohen_kappa = serializers.FloatField(allow_null=True)
    gwet_ac1 = serializers.FloatField(allow_null=True)
    pabak = serializers.FloatField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class AgreementOverallSerializer(serializers.Serializer):
    n_items = serializers.IntegerField()
    observed_agreement = serializers.FloatField(allow_null=True)
    fleiss_kappa = serializers.FloatField(allow_null=True)
    gwet_ac1 = serializers.FloatField(allow_null=True)
    pabak = serializers.FloatField(allow_null=True)
    mean_pair_kappa = serializers.FloatField(allow_null=True)
    weighted_pair_kappa = serializers.FloatField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class ReviewerPaceSerializer(serializers.Serializer):
    username = serializers.CharField()
    votes = serializers.IntegerField()
    last_24h = serializers.IntegerField()
    last_7d = serializers.IntegerField()
    first_vote = serializers.DateTimeField(allow_null=True)
    last_vote = serializers.DateTimeField(allow_null=True)
    median_seconds = serializers.FloatField(allow_null=True)


class AgreementSerializer(serializers.Serializer):
    stage = serializers.CharField()
    overall = AgreementOverallSerializer()
    pairs = AgreementPairSerializer(many=True)
    pace = ReviewerPaceSerializer(many=True)


class AgreementView(ScreeningAPIView):
    """Agreement per reviewer pair and overall at a stage, and each reviewer's pace (lead)."""

    review_role = Role.LEAD

    @extend_schema(parameters=[STAGE_PARAM], responses=AgreementSerializer)
    def get(self, request, review_id):
        report = selectors.agreement_report(review=request.review, stage=stage_param(request))
        pairs = [
            {
                "rater_a": a,
                "rater_b": b,
                "n": ag.n,
                "table": ag.table,
                "observed_agreement": ag.observed_agreement,
                "cohen_kappa": ag.cohen_kappa,
                "gwet_ac1": ag.gwet_ac1,
                "pabak": ag.pabak,
                "notes": list(ag.notes),
            }
            for a, b, ag in report.pairs
        ]
        overall = report.overall
        data = {
            "stage": report.stage,
            "overall": {
                "n_items": overall.n_items,
                "observed_agreement": overall.observed_agreement,
                "fleiss_kappa": overall.fleiss_kappa,
                "gwet_ac1": overall.gwet_ac1,
                "pabak": overall.pabak,
                "mean_pair_kappa": overall.mean_pair_kappa,
                "weighted_pair_kappa": overall.weighted_pair_kappa,
                "notes": list(overall.notes),
            },
            "pairs": pairs,
            "pace": [vars(p) for p in report.pace],
        }
        return Response(AgreementSerializer(data).data)


urlpatterns = [
    path("agreement/", AgreementView.as_view(), name="agreement"),
]
