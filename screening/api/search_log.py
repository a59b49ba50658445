"""REST: search rounds and the PRISMA-S search log (members read, the lead writes), and
the log as a file (`search-log/export/?format=csv|json|md|html`)."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.api_schema import id_parameter
from reviewapp.http import object_of_review_or_404
from reviewapp.input import query_number
from reviewapp.models import Role
from screening.api.prisma import CSVRenderer, _Passthrough
from screening.exports.search_log import log_response
from screening.models import SearchLogEntry, SearchRound, SourceKind
from screening.selectors.search_log import EMPTY_COUNTS, entry_facts, log_entries, round_counts
from screening.services import search_log as services


class RoundCounts(serializers.Serializer):
    identified = serializers.IntegerField()
    duplicates_within = serializers.IntegerField(help_text="Duplicates removed within the round")
    found_again = serializers.IntegerField(
        help_text="Copies of earlier rounds' records: linked to them, not screened again"
    )
    found_again_screened = serializers.IntegerField(
        help_text="Of those, the earlier copy was already screened past title/abstract"
    )
    new = serializers.IntegerField(help_text="New records, which enter screening")


class RoundSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = SearchRound
        fields = ["id", "number", "label", "searched_on", "note", "counts", "created_at"]
        read_only_fields = ["id", "number", "label", "counts", "created_at"]

    @extend_schema_field(RoundCounts)
    def get_counts(self, round_) -> dict:
        counts = self.context.get("counts")
        if counts is None:
            counts = round_counts(review=round_.review)
        return counts.get(round_.number, EMPTY_COUNTS)


class RejectedLine(serializers.Serializer):
    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class LogEntryOutput(serializers.Serializer):
    """One log entry with what its finished imports gave."""

    id = serializers.IntegerField()
    round = serializers.IntegerField(help_text="Round number (1 = initial search)")
    round_label = serializers.CharField()
    source_name = serializers.CharField()
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    method = serializers.CharField()
    platform = serializers.CharField()
    searched_on = serializers.DateField(allow_null=True)
    search_string = serializers.CharField()
    limits = serializers.CharField()
    reported_count = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    files = serializers.ListField(child=serializers.CharField())
    imports_pending = serializers.IntegerField()
    imported = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rejected_lines = RejectedLine(many=True)
    difference = serializers.IntegerField(
        allow_null=True, help_text="imported − reported; null when either is unknown"
    )


class LogEntryInput(serializers.Serializer):
    round = serializers.IntegerField(
        required=False, min_value=1, help_text="Round number; default the latest round"
    )
    source_name = serializers.CharField(max_length=120)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices, default=SourceKind.DATABASE)
    platform = serializers.CharField(max_length=120, required=False, allow_blank=True)
    searched_on = serializers.DateField(required=False, allow_null=True)
    search_string = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    limits = serializers.CharField(required=False, allow_blank=True)
    reported_count = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True)


def _round_by_number(review, number):
    if number is None:
        return None
    round_ = SearchRound.objects.filter(review=review, number=number).first()
    if round_ is None:
        raise serializers.ValidationError({"round": f"This review has no round {number}."})
    return round_


class RoundList(APIView):
    """The review's search rounds (1 = initial search). POST (lead) adds an update round."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"POST": Role.LEAD}

    @extend_schema(responses=RoundSerializer(many=True))
    def get(self, request, review_id):
        rounds = SearchRound.objects.filter(review=request.review).order_by("number")
        counts = round_counts(review=request.review)
        return Response(RoundSerializer(rounds, many=True, context={"counts": counts}).data)

    @extend_schema(request=RoundSerializer, responses={201: RoundSerializer})
    def post(self, request, review_id):
        data = RoundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        round_ = services.add_round(review=request.review, **data.validated_data)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


class LogList(APIView):
    """The PRISMA-S search log: one entry per source and round. POST (lead) logs a search."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"POST": Role.LEAD}

    @extend_schema(
        parameters=[id_parameter("round", "Only this round (its number)")],
        responses=LogEntryOutput(many=True),
    )
    def get(self, request, review_id):
        number = query_number(request, "round")
        return Response(
            LogEntryOutput(log_entries(review=request.review, round_number=number), many=True).data
        )

    @extend_schema(request=LogEntryInput, responses={201: LogEntryOutput})
    def post(self, request, review_id):
        data = LogEntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        round_ = _round_by_number(request.review, values.pop("round", None))
        entry = services.create_entry(review=request.review, round_=round_, **values)
        return Response(LogEntryOutput(entry_facts(entry)).data, status=status.HTTP_201_CREATED)


class LogDetail(APIView):
    """One search log entry. PATCH (lead) corrects it; DELETE (lead) removes an entry
    with no imports."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"PATCH": Role.LEAD, "DELETE": Role.LEAD}

    def _entry(self, request, entry_id):
        return object_of_review_or_404(
            SearchLogEntry.objects.select_related("round"), request.review, entry_id
        )

    @extend_schema(responses=LogEntryOutput)
    def get(self, request, review_id, entry_id):
        return Response(LogEntryOutput(entry_facts(self._entry(request, entry_id))).data)

    @extend_schema(request=LogEntryInput, responses=LogEntryOutput)
    def patch(self, request, review_id, entry_id):
        entry = self._entry(request, entry_id)
        data = LogEntryInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        round_ = _round_by_number(request.review, values.pop("round", None))
        entry = services.update_entry(entry=entry, round_=round_, **values)
        return Response(LogEntryOutput(entry_facts(entry)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, entry_id):
        services.delete_entry(entry=self._entry(request, entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkdownRenderer(_Passthrough):
    media_type = "text/markdown"
    format = "md"


class AppendixHTMLRenderer(_Passthrough):
    media_type = "text/html"
    format = "html"


class LogExport(APIView):
    """The search log as a file: `?format=csv` (formula-safe), `json`, or a ready appendix,
    one section per source with the verbatim strategy: `md` (Markdown) or `html`."""

    permission_classes = [ReviewRolePermission]
    renderer_classes = [JSONRenderer, CSVRenderer, MarkdownRenderer, AppendixHTMLRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv", "md", "html"])],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="CSV, JSON, Markdown or HTML")
        },
    )
    def get(self, request, review_id):
        fmt = request.accepted_renderer.format
        return log_response(
            review=request.review, fmt=fmt if fmt in ("csv", "md", "html") else "json"
        )


urlpatterns = [
    path("rounds/", RoundList.as_view(), name="search_round_list"),
    path("search-log/", LogList.as_view(), name="search_log_list"),
    path("search-log/export/", LogExport.as_view(), name="search_log_export"),
    path("search-log/<id:entry_id>/", LogDetail.as_view(), name="search_log_detail"),
]
