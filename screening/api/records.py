"""REST: the records list with the records page's filters, paginated."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reviewapp.access import ReviewRolePermission
from reviewapp.models import Role
from screening.models import RecordState, SourceKind, Stage, Tag
from screening.selectors.records import (
    STATUSES,
    RecordFilters,
    record_row,
    records_for_list,
    vote_access,
)
from screening.selectors.tags import status_of_listed, visible_tags
from screening.services.settings import screening_settings_for
from screening.services.tags import tag_records, untag_records
from screening.views.bulk import bulk_target


class VoteOut(serializers.Serializer):
    reviewer = serializers.CharField(source="reviewer.username")
    verdict = serializers.CharField(help_text="include, exclude or maybe")
    reason = serializers.CharField(source="reason.label", default="")
    note = serializers.CharField()


class StageOut(serializers.Serializer):
    stage = serializers.CharField(help_text="ta or ft")
    status = serializers.CharField(
        help_text="'' (not at this stage), open, conflict, settled; 'unsettled' for "
        "members who may not tell open from conflict (blinding)"
    )
    decision = serializers.CharField(help_text="Include or Exclude once settled, else ''")
    reason = serializers.CharField(help_text="The settled exclusion reason, else ''")
    settled_by = serializers.CharField()
    votes = VoteOut(many=True, help_text="The votes this member may see (blinding)")


class SourceOut(serializers.Serializer):
    name = serializers.CharField(source="source_name")
    kind = serializers.CharField(source="source_kind")


class RecordOut(serializers.Serializer):
    id = serializers.IntegerField()
    record_key = serializers.CharField()
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    year = serializers.IntegerField(allow_null=True)
    journal = serializers.CharField()
    doi = serializers.CharField()
    pmid = serializers.CharField()
    source = SourceOut(source="batch")
    state = serializers.CharField(help_text="RecordState value")
    state_label = serializers.CharField(source="get_state_display")
    stages = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()

    @extend_schema_field(StageOut(many=True))
    def get_stages(self, record) -> list:
        cells = record_row(record, access=self.context["access"], user_id=self.context["user_id"])
        return StageOut(cells, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, record) -> list[str]:
        """The names of the tags on the record that the caller may see (blinding)."""
        return [shown.name for shown in self.context.get("tags", {}).get(record.pk, [])]


FILTER_PARAMETERS = [
    OpenApiParameter(
        "state", str, many=True, enum=RecordState.values, description="Record state; repeatable"
    ),
    OpenApiParameter(
        "stage",
        str,
        enum=Stage.values,
        description="Alone: records that reached the stage; with status: their status there",
    ),
    OpenApiParameter(
        "status",
        str,
        enum=list(STATUSES),
        description="Status at `stage`; open and conflict are for leads (or without blinding)",
    ),
    OpenApiParameter("source", str, many=True, description="Import source name; repeatable"),
    OpenApiParameter("kind", str, many=True, enum=SourceKind.values, description="Source kind"),
    OpenApiParameter("reason", str, description="Exclusion reason id (settled outcome), or `none`"),
    OpenApiParameter(
        "q",
        str,
        description='Search: words, "phrases", prefix*, -not, ti: ab: au: kw: jo: doi: pmid: '
        "year:2019..2021 (README, Records and exports)",
    ),
    OpenApiParameter("import", int, description="One import's records (its id)"),
    OpenApiParameter("year_from", int, description="Published in or after this year"),
    OpenApiParameter("year_to", int, description="Published in or before this year"),
    OpenApiParameter("fulltext", str, enum=["yes", "no"], description="A PDF is attached"),
    OpenApiParameter("abstract", str, enum=["yes", "no"], description="Has an abstract"),
    OpenApiParameter(
        "round", int, many=True, description="Search round number found in; repeatable (any of)"
    ),
    OpenApiParameter(
        "found_again",
        str,
        enum=["yes", "no"],
        description="yes: copies of a record an earlier search round found; no: the others",
    ),
    OpenApiParameter(
        "ordering",
        str,
        description="year, title, first_author, journal, source, imported, state, id; votes "
        "(reviewers and leads); score (leads: their relevance score); prefix - for descending. "
        "Exports stay in id order.",
    ),
    OpenApiParameter(
        "tag", int, many=True, description="Tag id; repeatable: records carrying every one"
    ),
]


class RecordList(generics.ListAPIView):
    """Records of the review with their state and, per stage, status, decision, reason and
    the votes the caller may see. Filters as on the records page; paginated."""

    permission_classes = [ReviewRolePermission]
    serializer_class = RecordOut

    def _access(self):
        if not hasattr(self, "_vote_access"):
            self._vote_access = vote_access(
                membership=self.request.membership,
                screening_settings=screening_settings_for(self.request.review),
            )
        return self._vote_access

    def get_queryset(self):
        filters = RecordFilters.from_query(
            self.request.query_params,
            access=self._access(),
            is_lead=self.request.membership.can(Role.LEAD),
        )
        if filters.errors:
            raise ValidationError({"detail": list(filters.errors)})
        return records_for_list(
            review=self.request.review,
            filters=filters,
            access=self._access(),
            user_id=self.request.user.pk,
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "review", None) is not None:
            context.update(
                access=self._access(),
                user_id=self.request.user.pk,
                tags=getattr(self, "_tags", {}),
            )
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._tags = visible_tags(
                [record.pk for record in page],
                access=self._access(),
                user_id=self.request.user.pk,
                statuses={record.pk: status_of_listed(record) for record in page},
            )
        return page

    @extend_schema(parameters=FILTER_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("records/", RecordList.as_view(), name="record_list"),
]


class BulkIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["tag", "untag"])
    tag = serializers.IntegerField(help_text="The tag's id")
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=1000, help_text="Records"
    )
    all = serializers.BooleanField(
        default=False, help_text="Every record matching the filters of the query string instead"
    )
    confirm = serializers.BooleanField(
        default=False, help_text="false: only count the records it would apply to"
    )


class BulkOut(serializers.Serializer):
    count = serializers.IntegerField(help_text="Records selected")
    changed = serializers.IntegerField(help_text="Records tagged or untagged (0 unless confirm)")
    confirmed = serializers.BooleanField()


class RecordsBulk(generics.GenericAPIView):
    """Lead: tag or untag the records `ids`, or (`all`) every record matching the records
    list's filters given in the query string. Without `confirm` nothing changes and the
    answer says how many records it would apply to. Each record changed is in its history."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD
    serializer_class = BulkIn

    @extend_schema(request=BulkIn, responses=BulkOut, parameters=FILTER_PARAMETERS)
    def post(self, request, review_id):
        data = BulkIn(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        tag = Tag.objects.filter(review=request.review, pk=body["tag"]).first()
        if tag is None:
            raise ValidationError({"tag": "No such tag in this review."})
        if not body["all"] and not body.get("ids"):
            raise ValidationError({"ids": "Give the records' ids, or all=true with filters."})
        filters, records = bulk_target(
            review=request.review,
            membership=request.membership,
            user=request.user,
            query=request.META.get("QUERY_STRING", ""),
            ids=[str(i) for i in body.get("ids", [])],
            scope="all" if body["all"] else "selected",
        )
        if filters.errors:
            raise ValidationError({"detail": list(filters.errors)})
        ids = list(records.order_by("pk").values_list("pk", flat=True))
        changed = 0
        if body["confirm"]:
            service = tag_records if body["action"] == "tag" else untag_records
            changed = service(review=request.review, record_ids=ids, tag=tag, by=request.user)
        return Response({"count": len(ids), "changed": changed, "confirmed": body["confirm"]})


urlpatterns += [path("records/bulk/", RecordsBulk.as_view(), name="records_bulk")]
