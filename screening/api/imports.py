"""REST: imports (multipart upload, status and summary, retry, delete)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.http import object_of_review_or_404
from reviewapp.input import UploadParser, query_choice
from reviewapp.models import Role
from screening.importers import FORMATS
from screening.models import ImportBatch, KeepDecisions, SearchLogEntry, SearchRound, SourceKind
from screening.services import imports as services


class ImportSerializer(serializers.ModelSerializer):
    format = serializers.CharField(source="detected_format", read_only=True)
    imported = serializers.IntegerField(source="records_imported", read_only=True)
    duplicates = serializers.IntegerField(
        source="duplicates_found", read_only=True, allow_null=True
    )
    progress = serializers.SerializerMethodField()
    round = serializers.IntegerField(source="search_round.number", read_only=True, allow_null=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "filename",
            "source_name",
            "source_kind",
            "search_date",
            "search_query",
            "round",
            "log_entry",
            "size",
            "sha256",
            "status",
            "format",
            "records_read",
            "imported",
            "rejected",
            "duplicates",
            "keep_decisions",
            "decisions_kept",
            "error",
            "progress",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, batch) -> dict:
        return services.import_progress(batch)


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    source_name = serializers.CharField(
        max_length=120, help_text="Database or register, e.g. PubMed"
    )
    source_kind = serializers.ChoiceField(choices=SourceKind.choices, default=SourceKind.DATABASE)
    search_date = serializers.DateField(required=False, allow_null=True)
    search_query = serializers.CharField(required=False, allow_blank=True, default="")
    format = serializers.ChoiceField(
        choices=[("", "auto")] + list(FORMATS.items()), required=False, default=""
    )
    allow_same_file = serializers.BooleanField(required=False, default=False)
    round = serializers.IntegerField(
        required=False, min_value=1, help_text="Search round number; default the latest"
    )
    log_entry = serializers.IntegerField(
        required=False, min_value=1, help_text="Search log entry id to attach the import to"
    )
    keep_decisions = serializers.ChoiceField(
        choices=KeepDecisions.choices,
        required=False,
        default="",
        help_text="file: keep ASReview/Rayyan labels; include/exclude: every record "
        "passed/was excluded at title/abstract (a Covidence stage list).",
    )


class ImportList(APIView):
    """Imports of a review. POST (lead) uploads one export; it is parsed by a worker: poll the
    import until `status` is `done` or `failed`."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"POST": Role.LEAD}
    parser_classes = [UploadParser, FormParser]

    @extend_schema(responses=ImportSerializer(many=True))
    def get(self, request, review_id):
        batches = (
            ImportBatch.objects.filter(review=request.review)
            .select_related("search_round")
            .order_by("-created_at")
        )
        return Response(ImportSerializer(batches, many=True).data)

    @extend_schema(request={"multipart/form-data": ImportInput}, responses={202: ImportSerializer})
    def post(self, request, review_id):
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        batch = services.create_import(
            review=request.review,
            upload=values["file"],
            uploaded_by=request.user,
            source_name=values["source_name"],
            source_kind=values["source_kind"],
            search_date=values.get("search_date"),
            search_query=values["search_query"],
            fmt=values["format"],
            allow_same_file=values["allow_same_file"],
            **_search_log_place(request.review, values),
            keep_decisions=values["keep_decisions"],
        )
        return Response(ImportSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


def _search_log_place(review, values) -> dict:
    """The round and log entry an uploaded import names (by number and id), checked."""
    place = {}
    if values.get("round") is not None:
        place["search_round"] = SearchRound.objects.filter(
            review=review, number=values["round"]
        ).first()
        if place["search_round"] is None:
            raise serializers.ValidationError({"round": "This review has no such round."})
    if values.get("log_entry") is not None:
        place["log_entry"] = SearchLogEntry.objects.filter(
            review=review, pk=values["log_entry"]
        ).first()
        if place["log_entry"] is None:
            raise serializers.ValidationError({"log_entry": "No such search log entry."})
    return place


class ImportDetail(APIView):
    """One import: status, progress and summary. DELETE (lead) removes it and its records;
    once records have votes, add `?confirm=yes`."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"DELETE": Role.LEAD}

    @extend_schema(responses=ImportSerializer)
    def get(self, request, review_id, import_id):
        return Response(
            ImportSerializer(object_of_review_or_404(ImportBatch, request.review, import_id)).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("confirm", str, enum=["yes"])], responses={204: None}
    )
    def delete(self, request, review_id, import_id):
        batch = object_of_review_or_404(ImportBatch, request.review, import_id)
        services.delete_import(
            batch=batch,
            actor=request.user,
            confirmed=query_choice(request, "confirm", ["yes"]) == "yes",
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportRetry(APIView):
    """Queue a failed or stalled import again (lead)."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD

    @extend_schema(request=None, responses={202: ImportSerializer})
    def post(self, request, review_id, import_id):
        batch = object_of_review_or_404(ImportBatch, request.review, import_id)
        batch = services.retry_import(batch=batch)
        return Response(ImportSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("imports/", ImportList.as_view(), name="import_list"),
    path("imports/<id:import_id>/", ImportDetail.as_view(), name="import_detail"),
    path("imports/<id:import_id>/retry/", ImportRetry.as_view(), name="import_retry"),
]
