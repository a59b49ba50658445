"""REST: casting, changing and reading votes. Same blinding as the pages: what a vote
response says never depends on the other votes."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reviewapp.access import ReviewRolePermission
from reviewapp.http import MAX_ID, object_of_review_or_404
from reviewapp.input import query_choice
from reviewapp.models import Role
from reviewapp.represent import represent, validated
from screening.api.queue import QueueNextSerializer, queue_answer
from screening.api.screening_common import (
    NO_SUCH_RECORD,
    ScreeningAPIView,
)
from screening.models import (
    Record,
    Stage,
    StageOutcome,
    Verdict,
    Vote,
)
from screening.selectors import screening as selectors
from screening.selectors.records import vote_access
from screening.services.settings import screening_settings_for
from screening.services.votes import cast_vote

# A vote as every vote endpoint shows it (plus what each adds).
VOTE_FIELDS = [
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
        fields = [*VOTE_FIELDS, "settled", "decision"]

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
    record = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    stage = serializers.ChoiceField(choices=Stage.choices)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reason = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="An exclusion reason id.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    next = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also lease and return the record to screen next at this stage (the answer's "
        "`next`, as GET queue/next/ gives it): one request per screening act.",
    )


class VoteChange(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False)
    reason = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


def _vote_data(vote: Vote) -> dict:
    return VoteSerializer(vote, context={"outcomes": selectors.outcomes_for([vote])}).data


class VoteSavedSerializer(serializers.ModelSerializer):
    """The answer to a vote: the vote and how many votes are in, never what they were.

    No settled/decision/conflict here: the second voter would learn from it whether the
    first agreed (issue 11). Read the vote again (GET) to see its outcome once settled.
    """

    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    votes_in = serializers.IntegerField(
        help_text="Votes on the record at this stage, yours included."
    )
    votes_needed = serializers.IntegerField(help_text="Votes the stage needs.")
    message = serializers.CharField(help_text='"Saved; N of M votes in." and what you may do.')

    class Meta:
        model = Vote
        fields = [*VOTE_FIELDS, "votes_in", "votes_needed", "message"]


class VoteAndNextSerializer(VoteSavedSerializer):
    """The answer to a vote cast with `"next": true`: the vote, and the record to screen next."""

    next = QueueNextSerializer(required=False, help_text="Only when the vote asked for it.")

    class Meta(VoteSavedSerializer.Meta):
        fields = [*VoteSavedSerializer.Meta.fields, "next"]


def _result_data(result) -> dict:
    """A vote just cast: the same answer whatever the other votes were."""
    vote = result.vote
    vote.votes_in, vote.votes_needed, vote.message = result.votes_in, result.needed, result.message
    return represent(VoteSavedSerializer, vote)


def _sees_others(request) -> Q:
    """Other members' votes this member may list (screening.visibility): for leads under
    blinding, those of records settled or in conflict; everyone's with blinding off."""
    statuses = vote_access(
        membership=request.membership,
        screening_settings=screening_settings_for(request.review),
    ).outcome_statuses_with_votes
    if statuses is None:
        return Q(pk__isnull=False)
    ended = StageOutcome.objects.filter(
        record=OuterRef("record_id"), stage=OuterRef("stage"), status__in=statuses
    )
    return Q(Exists(ended))


class VoteList(generics.ListAPIView):
    """Your votes (a lead also sees everyone's on records settled or in conflict); POST
    casts or changes your vote on a record.

    POSTing the same vote again changes nothing (200), so retries are safe. The answer
    is the same whatever the other votes were: "Saved; N of M votes in". Once all the
    votes a record needs are in, a change is refused (400): ask the lead.
    """

    permission_classes = [IsAuthenticated, ReviewRolePermission]
    review_roles = {"GET": Role.REVIEWER, "POST": Role.REVIEWER}
    serializer_class = VoteSerializer

    def get_queryset(self):
        votes = Vote.objects.filter(record__review=self.request.review).select_related("reviewer")
        if not self.request.membership.can(Role.LEAD):
            votes = votes.filter(reviewer=self.request.user)
        else:
            votes = votes.filter(Q(reviewer=self.request.user) | _sees_others(self.request))
        if stage := query_choice(self.request, "stage", Stage.values):
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

    @extend_schema(
        request=VoteInput,
        responses={201: VoteAndNextSerializer, 200: VoteAndNextSerializer},
        description='With `"next": true` the answer also carries `next`, the record to '
        "screen next at the vote's stage (leased to you, exactly as GET queue/next/ "
        "answers): one request per screening act instead of two. Without it, no `next`.",
    )
    def post(self, request, review_id):
        values = validated(VoteInput, request.data)
        stage = values["stage"]
        try:
            # The record is read (and refused when not in this review) under its lock.
            result = cast_vote(
                record=Record(pk=values["record"], review=request.review),
                stage=stage,
                reviewer=request.user,
                verdict=values["verdict"],
                reason=values.get("reason"),
                note=values.get("note", ""),
            )
        except Record.DoesNotExist:
            raise ValidationError({"record": NO_SUCH_RECORD}) from None
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        answer = _result_data(result)
        if values["next"]:
            # Only the queue's answer for this reviewer: nothing of the other votes.
            answer["next"] = queue_answer(request, Stage(stage))
        return Response(answer, status=code)


class VoteDetail(ScreeningAPIView):
    """One of your votes; PATCH changes it while the record waits for other votes."""

    review_roles = {"GET": Role.REVIEWER, "PATCH": Role.REVIEWER}

    def _vote(self, vote_id) -> Vote:
        vote = object_of_review_or_404(
            Vote.objects.select_related("record", "reviewer"),
            self.request.review,
            vote_id,
            field="record__review",
        )
        if vote.reviewer_id != self.request.user.pk and not (
            self.request.method == "GET"
            and self.request.membership.can(Role.LEAD)
            and Vote.objects.filter(pk=vote.pk).filter(_sees_others(self.request)).exists()
        ):
            # Blinding: another reviewer's vote answers exactly as a missing one does.
            raise Http404("No such vote.")
        return vote

    @extend_schema(responses=VoteSerializer)
    def get(self, request, review_id, vote_id):
        return Response(_vote_data(self._vote(vote_id)))

    @extend_schema(request=VoteChange, responses=VoteSavedSerializer)
    def patch(self, request, review_id, vote_id):
        vote = self._vote(vote_id)
        data = VoteChange(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        verdict = changes.get("verdict", vote.verdict)
        reason = changes.get("reason", vote.reason_id if verdict == Verdict.EXCLUDE else None)
        result = cast_vote(
            record=vote.record,
            stage=vote.stage,
            reviewer=request.user,
            verdict=verdict,
            reason=reason,
            note=changes.get("note", vote.note),
        )
        return Response(_result_data(result))


urlpatterns = [
    path("votes/", VoteList.as_view(), name="vote_list"),
    path("votes/<id:vote_id>/", VoteDetail.as_view(), name="vote_detail"),
]
