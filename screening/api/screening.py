"""REST endpoints for screening. Thin: they parse input, call services and selectors, and
apply the same blinding and roles as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.models import Role
from screening.models import (
    ExclusionReason,
    FinalVerdict,
    FullText,
    Record,
    Resolution,
    ScreeningSettings,
    Stage,
    StageOutcome,
    Verdict,
    Vote,
)
from screening.selectors import screening as selectors
from screening.services import settings as settings_services
from screening.services.conflicts import decide_as_lead
from screening.services.fulltext import mark_not_retrieved, upload_fulltext
from screening.services.queue import next_record
from screening.services.votes import cast_vote


@extend_schema_field(
    {"type": "string", "pattern": "^(include|exclude)$", "description": "include or exclude"}
)
class FinalVerdictField(serializers.ChoiceField):
    """The lead's final decision: include or exclude (an inline enum, distinct from votes' verdicts)."""

    def __init__(self, **kwargs):
        super().__init__(choices=FinalVerdict.choices, **kwargs)


def _record_in_review(request, record_id) -> Record:
    """The record a vote or resolution names, refused (400) when it is not in this review.

    Only its id is read: the services lock and read the record themselves."""
    record = (
        Record.objects.filter(pk=record_id, review=request.review).only("pk", "review_id").first()
    )
    if record is None:
        raise ValidationError({"record": "No such record in this review."})
    return record


def _drf(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


STAGE_PARAM = OpenApiParameter(
    "stage",
    OpenApiTypes.STR,
    enum=Stage.values,
    description="ta (title/abstract) or ft (full text)",
    default="ta",
)


def _stage(request) -> Stage:
    stage = request.query_params.get("stage", Stage.TITLE_ABSTRACT)
    if stage not in Stage.values:
        raise ValidationError({"stage": "ta or ft"})
    return Stage(stage)


class ScreeningAPIView(APIView):
    permission_classes = [IsAuthenticated, ReviewRolePermission]


# --- Records and the queue ---------------------------------------------------


class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Record
        fields = [
            "id",
            "title",
            "abstract",
            "authors",
            "year",
            "journal",
            "volume",
            "issue",
            "pages",
            "doi",
            "pmid",
            "keywords",
            "language",
            "publication_type",
        ]


class QueueNextSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    record = RecordSerializer(allow_null=True)
    fulltext_url = serializers.CharField(allow_null=True, help_text="The PDF, at full text.")


class QueueNext(ScreeningAPIView):
    """The record to screen next, leased to you for 10 minutes (the same one until you vote)."""

    review_role = Role.REVIEWER

    @extend_schema(parameters=[STAGE_PARAM], responses=QueueNextSerializer)
    def get(self, request, review_id):
        stage = _stage(request)
        record = next_record(review=request.review, stage=stage, reviewer=request.user)
        fulltext_url = None
        if record is not None and stage == Stage.FULL_TEXT:
            fulltext_url = reverse("fulltext_file", args=[request.review.pk, record.pk])
        return Response(
            {
                "stage": stage,
                "record": RecordSerializer(record).data if record else None,
                "fulltext_url": fulltext_url,
            }
        )


# --- Votes --------------------------------------------------------------------


class VoteSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    settled = serializers.SerializerMethodField(
        help_text="Whether the record is settled at this stage."
    )
    decision = serializers.SerializerMethodField(
        help_text="The final decision, once settled (else null)."
    )

    class Meta:
        model = Vote
        fields = [
            "id",
            "record",
            "stage",
            "reviewer",
            "verdict",
            "reason",
            "note",
            "created_at",
            "updated_at",
        ]
        fields += ["settled", "decision"]

    def _outcome(self, vote) -> StageOutcome | None:
        return self.context.get("outcomes", {}).get((vote.record_id, vote.stage))

    def get_settled(self, vote) -> bool:
        outcome = self._outcome(vote)
        return bool(outcome and outcome.is_settled)

    def get_decision(self, vote) -> str | None:
        # Blinding: an unsettled record's conflict/open status is not shown, only "not settled".
        outcome = self._outcome(vote)
        return outcome.decision if outcome and outcome.is_settled else None


class VoteInput(serializers.Serializer):
    record = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reason = serializers.IntegerField(
        required=False, allow_null=True, help_text="An exclusion reason id."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class VoteChange(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False)
    reason = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


def _vote_data(vote: Vote) -> dict:
    return VoteSerializer(vote, context={"outcomes": selectors.outcomes_for([vote])}).data


def _result_data(result) -> dict:
    """A vote just cast, with the outcome cast_vote left it in (no second read)."""
    outcome = result.outcome if result.outcome.pk is not None else None
    outcomes = {(result.vote.record_id, result.vote.stage): outcome} if outcome else {}
    return VoteSerializer(result.vote, context={"outcomes": outcomes}).data


class VoteList(generics.ListAPIView):
    """Your votes (a lead sees everyone's); POST casts or changes your vote on a record.

    POSTing the same vote again changes nothing (200), so retries are safe.
    """

    permission_classes = [IsAuthenticated, ReviewRolePermission]
    review_roles = {"GET": Role.REVIEWER, "POST": Role.REVIEWER}
    serializer_class = VoteSerializer

    def get_queryset(self):
        votes = Vote.objects.filter(record__review=self.request.review).select_related("reviewer")
        if not self.request.membership.can(Role.LEAD):
            votes = votes.filter(reviewer=self.request.user)
        stage = self.request.query_params.get("stage")
        if stage in Stage.values:
            votes = votes.filter(stage=stage)
        return votes.order_by("-updated_at", "-pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page", None)
        if page is not None:
            context["outcomes"] = selectors.outcomes_for(page)
        return context

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    @extend_schema(
        parameters=[OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values, required=False)]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=VoteInput, responses={201: VoteSerializer, 200: VoteSerializer})
    def post(self, request, review_id):
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = _record_in_review(request, data.validated_data["record"])
        record.review = request.review
        try:
            result = cast_vote(
                record=record,
                stage=data.validated_data["stage"],
                reviewer=request.user,
                verdict=data.validated_data["verdict"],
                reason=data.validated_data.get("reason"),
                note=data.validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(_result_data(result), status=code)


class VoteDetail(ScreeningAPIView):
    """One of your votes; PATCH changes it until the record is settled."""

    review_roles = {"GET": Role.REVIEWER, "PATCH": Role.REVIEWER}

    def _vote(self, vote_id) -> Vote:
        vote = get_object_or_404(
            Vote.objects.select_related("record", "reviewer"),
            pk=vote_id,
            record__review=self.request.review,
        )
        if vote.reviewer_id != self.request.user.pk and not (
            self.request.method == "GET" and self.request.membership.can(Role.LEAD)
        ):
            # Blinding: nothing about another reviewer's vote, only that it is not yours.
            raise ValidationError({"detail": "You can read and change only your own votes."})
        return vote

    @extend_schema(responses=VoteSerializer)
    def get(self, request, review_id, vote_id):
        return Response(_vote_data(self._vote(vote_id)))

    @extend_schema(request=VoteChange, responses=VoteSerializer)
    def patch(self, request, review_id, vote_id):
        vote = self._vote(vote_id)
        data = VoteChange(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        verdict = changes.get("verdict", vote.verdict)
        reason = changes.get("reason", vote.reason_id if verdict == Verdict.EXCLUDE else None)
        try:
            result = cast_vote(
                record=vote.record,
                stage=vote.stage,
                reviewer=request.user,
                verdict=verdict,
                reason=reason,
                note=changes.get("note", vote.note),
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(_result_data(result))


# --- Conflicts and resolutions (lead) ----------------------------------------


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
        return selectors.conflicts(review=self.request.review, stage=_stage(self.request))

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
    record = serializers.IntegerField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    verdict = FinalVerdictField()
    reason = serializers.IntegerField(required=False, allow_null=True)
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
        record = _record_in_review(request, data.validated_data["record"])
        try:
            resolution = decide_as_lead(
                record=record,
                stage=data.validated_data["stage"],
                lead=request.user,
                verdict=data.validated_data["verdict"],
                reason=data.validated_data.get("reason"),
                note=data.validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)


# --- Agreement (lead) ---------------------------------------------------------


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
        report = selectors.agreement_report(review=request.review, stage=_stage(request))
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


# --- Full text ----------------------------------------------------------------


class FullTextStatusSerializer(serializers.Serializer):
    record = serializers.IntegerField()
    state = serializers.CharField()
    retrieved = serializers.BooleanField()
    filename = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField()
    sha256 = serializers.CharField(allow_blank=True)
    not_retrieved_reason = serializers.CharField(allow_blank=True)
    file_url = serializers.CharField(allow_null=True)


class FullTextInput(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="The PDF (multipart).")
    not_retrieved_reason = serializers.CharField(required=False, max_length=300)


def _fulltext_status(review, record: Record) -> dict:
    fulltext = FullText.objects.filter(record=record).first()
    retrieved = bool(fulltext and fulltext.retrieved)
    return {
        "record": record.pk,
        "state": record.state,
        "retrieved": retrieved,
        "filename": fulltext.filename if fulltext else "",
        "size": fulltext.size if fulltext else 0,
        "sha256": fulltext.sha256 if fulltext else "",
        "not_retrieved_reason": fulltext.not_retrieved_reason if fulltext else "",
        "file_url": reverse("fulltext_file", args=[review.pk, record.pk]) if retrieved else None,
    }


class FullTextDetail(ScreeningAPIView):
    """A record's retrieval status. POST a PDF (multipart `file`), or `not_retrieved_reason`."""

    review_roles = {"GET": Role.VIEWER, "POST": Role.REVIEWER}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def _record(self, record_id) -> Record:
        return get_object_or_404(Record, pk=record_id, review=self.request.review)

    @extend_schema(responses=FullTextStatusSerializer)
    def get(self, request, review_id, record_id):
        return Response(_fulltext_status(request.review, self._record(record_id)))

    @extend_schema(request=FullTextInput, responses=FullTextStatusSerializer)
    def post(self, request, review_id, record_id):
        record = self._record(record_id)
        data = FullTextInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        reason = data.validated_data.get("not_retrieved_reason")
        if bool(upload) == bool(reason):
            raise ValidationError(
                {"detail": "Send either a PDF as `file` or a `not_retrieved_reason`."}
            )
        try:
            if upload:
                upload_fulltext(record=record, upload=upload, uploaded_by=request.user)
            else:
                mark_not_retrieved(record=record, reason=reason, by=request.user)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        record.refresh_from_db()
        return Response(_fulltext_status(request.review, record))


# --- Settings and reasons -------------------------------------------------------


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
        fields = [
            "votes_needed_ta",
            "votes_needed_ft",
            "blind",
            "highlight_include",
            "highlight_exclude",
            "ranking_enabled",
            "show_relevance",
            "updated_at",
        ]
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
        try:
            updated = settings_services.update_settings(
                review=request.review, by=request.user, **data.validated_data
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from None
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
        try:
            reason = settings_services.add_reason(
                review=request.review, stage=stage, label=str(label)
            )
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(ReasonSerializer(reason).data, status=status.HTTP_201_CREATED)


class ReasonDetail(ScreeningAPIView):
    """Rename, reorder or retire a reason (lead); DELETE only removes a reason never used."""

    review_roles = {"GET": Role.VIEWER, "PATCH": Role.LEAD, "DELETE": Role.LEAD}

    def _reason(self, reason_id) -> ExclusionReason:
        return get_object_or_404(ExclusionReason, pk=reason_id, review=self.request.review)

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
        try:
            reason = settings_services.update_reason(reason=reason, **fields)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(ReasonSerializer(reason).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, reason_id):
        try:
            settings_services.delete_reason(reason=self._reason(reason_id))
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("queue/next/", QueueNext.as_view(), name="queue_next"),
    path("votes/", VoteList.as_view(), name="vote_list"),
    path("votes/<id:vote_id>/", VoteDetail.as_view(), name="vote_detail"),
    path("conflicts/", ConflictList.as_view(), name="conflict_list"),
    path("resolutions/", ResolutionList.as_view(), name="resolution_list"),
    path("agreement/", AgreementView.as_view(), name="agreement"),
    path("records/<id:record_id>/fulltext/", FullTextDetail.as_view(), name="fulltext"),
    path("screening-settings/", SettingsDetail.as_view(), name="screening_settings"),
    path("exclusion-reasons/", ReasonList.as_view(), name="reason_list"),
    path("exclusion-reasons/<id:reason_id>/", ReasonDetail.as_view(), name="reason_detail"),
]
