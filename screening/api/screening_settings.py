"""REST: screening settings and exclusion reasons."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import (
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reviewapp.http import object_of_review_or_404
from reviewapp.models import Role
from screening.api.screening_common import (
    ScreeningAPIView,
)
from screening.models import (
    SETTINGS_FIELDS,
    ExclusionReason,
    ScreeningSettings,
    Stage,
)
from screening.services import settings as settings_services


class SettingsSerializer(serializers.ModelSerializer):
    votes_needed_ta = serializers.IntegerField(min_value=1, max_value=3, required=False)
    votes_needed_ft = serializers.IntegerField(min_value=1, max_value=3, required=False)
    highlight_include = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False
    )
    highlight_exclude = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False
    )

    class Meta:
        model = ScreeningSettings
        fields = [*SETTINGS_FIELDS, "updated_at"]
        read_only_fields = ["updated_at"]


class SettingsDetail(ScreeningAPIView):
    """The review's screening settings; PATCH needs the lead role."""

    review_roles = {"GET": Role.VIEWER, "PATCH": Role.LEAD}

    @extend_schema(responses=SettingsSerializer)
    def get(self, request, review_id):
        return Response(
            SettingsSerializer(settings_services.screening_settings_for(request.review)).data
        )

    @extend_schema(request=SettingsSerializer, responses=SettingsSerializer)
    def patch(self, request, review_id):
        current = settings_services.screening_settings_for(request.review)
        data = SettingsSerializer(current, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = settings_services.update_settings(
            review=request.review, by=request.user, **data.validated_data
        )
        return Response(SettingsSerializer(updated).data)


class ReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExclusionReason
        fields = ["id", "stage", "label", "order", "retired"]


class ReasonList(ScreeningAPIView):
    """Exclusion reasons of both stages, in order; POST adds one (lead)."""

    review_roles = {"GET": Role.VIEWER, "POST": Role.LEAD}

    @extend_schema(responses=ReasonSerializer(many=True))
    def get(self, request, review_id):
        settings_services.screening_settings_for(request.review)
        return Response(
            ReasonSerializer(ExclusionReason.objects.filter(review=request.review), many=True).data
        )

    @extend_schema(
        request=inline_serializer(
            "ReasonInput",
            {
                "stage": serializers.ChoiceField(choices=Stage.choices),
                "label": serializers.CharField(),
            },
        ),
        responses={201: ReasonSerializer},
    )
    def post(self, request, review_id):
        stage, label = request.data.get("stage"), request.data.get("label", "")
        if stage not in Stage.values:
            raise ValidationError({"stage": "ta or ft"})
        reason = settings_services.add_reason(review=request.review, stage=stage, label=str(label))
        return Response(ReasonSerializer(reason).data, status=status.HTTP_201_CREATED)


class ReasonDetail(ScreeningAPIView):
    """Rename, reorder or retire a reason (lead); DELETE only removes a reason never used."""

    review_roles = {"GET": Role.VIEWER, "PATCH": Role.LEAD, "DELETE": Role.LEAD}

    def _reason(self, reason_id) -> ExclusionReason:
        return object_of_review_or_404(ExclusionReason, self.request.review, reason_id)

    @extend_schema(responses=ReasonSerializer)
    def get(self, request, review_id, reason_id):
        return Response(ReasonSerializer(self._reason(reason_id)).data)

    @extend_schema(
        request=inline_serializer(
            "ReasonChange",
            {
                "label": serializers.CharField(required=False),
                "retired": serializers.BooleanField(required=False),
                "order": serializers.IntegerField(required=False, min_value=1),
            },
        ),
        responses=ReasonSerializer,
    )
    def patch(self, request, review_id, reason_id):
        reason = self._reason(reason_id)
        data = ReasonSerializer(reason, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {
            k: v for k, v in data.validated_data.items() if k in ("label", "retired", "order")
        }
        reason = settings_services.update_reason(reason=reason, **fields)
        return Response(ReasonSerializer(reason).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, reason_id):
        settings_services.delete_reason(reason=self._reason(reason_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("screening-settings/", SettingsDetail.as_view(), name="screening_settings"),
    path("exclusion-reasons/", ReasonList.as_view(), name="reason_list"),
    path("exclusion-reasons/<id:reason_id>/", ReasonDetail.as_view(), name="reason_detail"),
]
