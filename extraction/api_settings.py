"""REST: the review's extraction settings (extractors per study, the RoB 2 effect, the
domain tool's domains) and the seed extraction template. Members read; a lead writes."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from extraction.api import FormOut, form_data
from extraction.domain.domain_tool import BiasDomain, tool_from_dict
from extraction.domain.forms import definition_to_dict, seed_template
from extraction.models import ExtractionSettings
from extraction.services import forms as form_services
from reviewapp.access import ReviewRolePermission
from reviewapp.models import Role


class DomainIO(serializers.Serializer):
    key = serializers.RegexField(r"^[a-z0-9_-]+$", max_length=40, help_text="Stable key")
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class SettingsOut(serializers.Serializer):
    assessors_per_study = serializers.ChoiceField(
        choices=[1, 2], help_text="Extractors per study: 1 (single) or 2 (dual, with consensus)"
    )
    rob2_effect = serializers.ChoiceField(
        choices=ExtractionSettings._meta.get_field("rob2_effect").choices
    )
    tool_name = serializers.CharField(help_text="The domain tool's name")
    tool_reference = serializers.CharField(help_text="The reference the domain tool follows")
    domains = DomainIO(many=True, help_text="The domain tool's domains, in display order")


class SettingsIn(serializers.Serializer):
    assessors_per_study = serializers.ChoiceField(choices=[1, 2], required=False)
    rob2_effect = serializers.ChoiceField(
        choices=ExtractionSettings._meta.get_field("rob2_effect").choices, required=False
    )
    tool_name = serializers.CharField(max_length=200, required=False)
    domains = DomainIO(many=True, required=False, allow_empty=False)


def _settings_data(settings: ExtractionSettings) -> dict:
    tool = tool_from_dict(settings.domain_tool)
    return {
        "assessors_per_study": settings.assessors_per_study,
        "rob2_effect": settings.rob2_effect,
        "tool_name": tool.name,
        "tool_reference": tool.reference,
        "domains": [
            {"key": d.key, "name": d.name, "description": d.description} for d in tool.domains
        ],
    }


class ExtractionSettingsDetail(APIView):
    """Extractors per study, the RoB 2 effect of interest and the domain tool. PATCH (lead)
    changes what it names; `domains` replaces the whole list."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"PATCH": Role.LEAD}

    @extend_schema(responses=SettingsOut)
    def get(self, request, review_id):
        return Response(_settings_data(form_services.settings_for(review=request.review)))

    @extend_schema(request=SettingsIn, responses=SettingsOut)
    def patch(self, request, review_id):
        data = SettingsIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        current = form_services.settings_for(review=request.review)
        domains = values.get("domains")
        settings = form_services.update_settings(
            review=request.review,
            assessors_per_study=values.get("assessors_per_study", current.assessors_per_study),
            rob2_effect=values.get("rob2_effect", current.rob2_effect),
            domains=None
            if domains is None
            else [BiasDomain(d["key"], d["name"], d.get("description", "")) for d in domains],
            tool_name=values.get("tool_name"),
        )
        return Response(_settings_data(settings))


SeedOut = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A form definition (format reviewapp.extraction_form)"
)


class SeedTemplate(APIView):
    """The seed extraction template (study design, participants, arms, outcomes). POST
    (lead) makes it the review's current form: a new form version."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"POST": Role.LEAD}

    @extend_schema(responses={200: SeedOut})
    def get(self, request, review_id):
        return Response(definition_to_dict(seed_template()))

    @extend_schema(request=None, responses={201: FormOut})
    def post(self, request, review_id):
        version = form_services.use_seed_template(review=request.review, by=request.user)
        return Response(form_data(version), status=201)
