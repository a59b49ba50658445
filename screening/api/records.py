"""REST: the records list with the records page's filters, paginated."""

from __future__ import annotations

from functools import partial

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from reviewapp.access import ReviewRolePermission
from reviewapp.api_schema import id_parameter
from reviewapp.http import MAX_ID, object_of_review_or_404
from reviewapp.input import StrictPageNumberPagination
from reviewapp.models import Role
from screening.models import RecordsAction, RecordState, SourceKind, Stage, Tag
from screening.selectors import record_order
from screening.selectors.paging import BOUND, BoundedPaginator
from screening.selectors.records import (
    STATUSES,
    RecordFilters,
    record_row,
    records_for_list,
    vote_access,
)
from screening.selectors.search import pending_documents
from screening.selectors.tags import status_of_listed, visible_tags
from screening.services import records_actions
from screening.services.records_actions import clean_reason
from screening.services.settings import screening_settings_for
from screening.views.bulk import ACTIONS, TAG_ACTIONS, apply_bulk, bulk_target


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


# year_from / year_to: up to four digits (screening/selectors/records.py).
YEAR = {"type": "integer", "minimum": 0, "maximum": 9999}

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
    id_parameter("import", "One import's records (its id)"),
    id_parameter(
        "screened_by",
        "Leads: records this member (user id) voted on, counting only the votes "
        "the lead may see under blinding",
    ),
    OpenApiParameter("year_from", YEAR, description="Published in or after this year"),
    OpenApiParameter("year_to", YEAR, description="Published in or before this year"),
    OpenApiParameter("fulltext", str, enum=["yes", "no"], description="A PDF is attached"),
    OpenApiParameter("abstract", str, enum=["yes", "no"], description="Has an abstract"),
    id_parameter("round", "Search round number found in; repeatable (any of)", many=True),
    OpenApiParameter(
        "found_again",
        str,
        enum=["yes", "no"],
        description="yes: copies of a record an earlier search round found; no: the others",
    ),
    OpenApiParameter(
        "ordering",
        str,
        enum=[f"{sign}{column}" for column in record_order.COLUMNS for sign in ("", "-")],
        description="year, title, first_author, journal, source, imported, state, activity "
        "(last activity everyone may see, or one's own), id; votes "
        "(reviewers and leads); score (leads: their relevance score); prefix - for descending. "
        "Exports stay in id order.",
    ),
    id_parameter("tag", "Tag id; repeatable: records carrying every one", many=True),
]


class BoundedPagination(StrictPageNumberPagination):
    """The records page's count (screening.selectors.paging): exact up to 1,000 matches
    (or one page past the page asked for), then `count` stops there and `more` is true,
    so a search matching 80,000 records does not read all of them to count them."""

    def paginate_queryset(self, queryset, request, view=None):
        page = request.query_params.get(self.page_query_param)
        self.django_paginator_class = partial(BoundedPaginator, page=page)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["more"] = self.page.paginator.more
        # Records of imports whose search documents are still being written, too many for
        # the search to compute itself, so `q` did not look at them (0 almost always).
        skipped = 0
        if self.request.query_params.get("q") and getattr(self.request, "review", None):
            skipped = pending_documents(self.request.review.pk).skipped
        response.data["search_skipped"] = skipped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"Matching records, counted exactly up to {BOUND:,} (or one page past the page "
            "asked for); beyond that the bound, with `more` true: show it as "
            f'"{BOUND}+". Bulk actions count every record they change.'
        )
        schema["properties"]["more"] = {
            "type": "boolean",
            "description": "More records match than `count` says (it stopped at its bound).",
        }
        schema["properties"]["search_skipped"] = {
            "type": "integer",
            "description": "Records the search (`q`) did not look at: those of imports whose "
            "search index is still being written, when they are too many to search without it "
            "(a minute or so after a large import; 0 otherwise). Ask again once it is 0.",
        }
        schema["required"] = [*schema["required"], "more", "search_skipped"]
        return schema


class RecordList(generics.ListAPIView):
    """Records of the review with their state and, per stage, status, decision, reason and
    the votes the caller may see. Filters as on the records page; paginated."""

    permission_classes = [ReviewRolePermission]
    serializer_class = RecordOut
    pagination_class = BoundedPagination

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
    action = serializers.ChoiceField(choices=list(ACTIONS))
    tag = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The tag's id (tag, untag)"
    )
    reason = serializers.CharField(
        required=False, max_length=300, help_text="Why not retrieved (not_retrieved)"
    )
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=1000,
        help_text="Records",
    )
    all = serializers.BooleanField(
        default=False, help_text="Every record matching the filters of the query string instead"
    )
    confirm = serializers.BooleanField(
        default=False, help_text="false: only count the records it would apply to"
    )


class BulkOut(serializers.Serializer):
    count = serializers.IntegerField(help_text="Records selected")
    changed = serializers.IntegerField(help_text="Records changed (0 unless confirm)")
    confirmed = serializers.BooleanField()
    action_id = serializers.IntegerField(
        allow_null=True, help_text="The log entry (GET records/actions/); undo moves there"
    )


class RecordsBulk(generics.GenericAPIView):
    """Lead: on the records `ids`, or (`all`) every record matching the records list's
    filters given in the query string: `tag` / `untag` (with `tag`), `retrieval` (records
    marked not retrieved go back on the full-text retrieval list), `not_retrieved` (records
    on the retrieval list without a PDF, with `reason`). Without `confirm` nothing changes
    and the answer says how many records it would apply to. Each record changed is in its
    history; each action in the log (records/actions/), where moves are undone."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD
    serializer_class = BulkIn

    @extend_schema(request=BulkIn, responses=BulkOut, parameters=FILTER_PARAMETERS)
    def post(self, request, review_id):
        data = BulkIn(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        tag = None
        if body["action"] in TAG_ACTIONS:
            tag = Tag.objects.filter(review=request.review, pk=body.get("tag") or 0).first()
            if tag is None:
                raise ValidationError({"tag": "No such tag in this review."})
        if body["action"] == "not_retrieved":
            clean_reason(body.get("reason", ""))
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
        changed, action_id = 0, None
        if body["confirm"]:
            done = apply_bulk(
                action=body["action"],
                review=request.review,
                ids=ids,
                tag=tag,
                reason=body.get("reason", ""),
                user=request.user,
                query=filters.as_query(),
            )
            changed, action_id = done.count, done.pk
        return Response(
            {
                "count": len(ids),
                "changed": changed,
                "confirmed": body["confirm"],
                "action_id": action_id,
            }
        )


class ActionOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="tag, untag, retrieval, not_retrieved, export")
    actor = serializers.CharField(source="actor.username", default="")
    count = serializers.IntegerField(help_text="Records changed (or exported)")
    query = serializers.CharField(help_text="The records list's filters it applied to")
    at = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)
    undoable = serializers.BooleanField()


class RecordsActions(generics.ListAPIView):
    """Lead: the log of bulk actions and records exports, newest first."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD
    serializer_class = ActionOut

    def get_queryset(self):
        return RecordsAction.objects.filter(review=self.request.review).select_related("actor")


class UndoOut(serializers.Serializer):
    restored = serializers.IntegerField(help_text="Records moved back")


class RecordsActionUndo(generics.GenericAPIView):
    """Lead: undo a bulk move (retrieval, not_retrieved); records that moved on since stay."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD
    serializer_class = UndoOut

    @extend_schema(request=None, responses=UndoOut)
    def post(self, request, review_id, action_id):
        action = object_of_review_or_404(RecordsAction, request.review, action_id)
        return Response({"restored": records_actions.undo(action, by=request.user)})


urlpatterns += [
    path("records/bulk/", RecordsBulk.as_view(), name="records_bulk"),
    path("records/actions/", RecordsActions.as_view(), name="records_actions"),
    path(
        "records/actions/<id:action_id>/undo/",
        RecordsActionUndo.as_view(),
        name="records_action_undo",
    ),
]
