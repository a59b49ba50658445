"""The screening page: one record at a time, votes from the keyboard, and "my votes"."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404, parse_id
from reviewapp.models import Membership, Review, Role
from screening import visibility
from screening.forms.screening import VoteForm
from screening.highlight import Highlighter
from screening.models import ExclusionReason, Record, Stage, Tag, Vote
from screening.selectors import screening as selectors
from screening.selectors.ranking import relevance_of
from screening.services.queue import next_record
from screening.services.settings import screening_settings_for
from screening.services.votes import cast_vote
from screening.views.comments import comments_context
from screening.views.refusals import attempt
from screening.views.tags import tags_context


def stage_or_404(stage: str) -> Stage:
    if stage not in Stage.values:
        raise Http404("No such stage")
    return Stage(stage)


def queue_tag(request: HttpRequest, review: Review) -> Tag | None:
    """The tag the reviewer screens ("screen only records tagged X": `?tag=<id>`)."""
    tag_id = parse_id(request.POST.get("queue_tag") or request.GET.get("tag") or "")
    return Tag.objects.filter(review=review, pk=tag_id).first() if tag_id else None


def _panel_context(
    request: HttpRequest,
    review: Review,
    membership: Membership,
    stage: Stage,
    record: Record | None,
    *,
    queued: bool = False,
    **extra,
) -> dict:
    """The panel's context; `queued`: the queue just leased `record` to this reviewer, so
    it holds no vote of theirs (the queue checked it under the record's lock)."""
    settings = screening_settings_for(review)
    needed = settings.votes_needed(stage)
    context = {
        "review": review,
        "membership": membership,
        "stage": stage,
        "record": record,
        "settings": settings,
        "reasons": list(ExclusionReason.objects.for_stage(review, stage).active()),
        "progress": selectors.progress(
            review=review,
            stage=stage,
            reviewer=request.user,
            needed=needed,
            see_outcomes=selectors.sees_outcome_counts(
                membership=membership, screening_settings=settings
            ),
        ),
        "highlighter": Highlighter(settings.highlight_include, settings.highlight_exclude),
        "queue_tag": queue_tag(request, review),
        "in_screen": True,
        **extra,
    }
    if record is not None:
        mine = (
            None
            if queued
            else Vote.objects.filter(record=record, stage=stage, reviewer=request.user)
            .select_related("reason")
            .first()
        )
        outcome = record.outcomes.filter(stage=stage).first()
        context["my_vote"] = mine
        # screening.visibility: nothing of others (votes, notes, outcome) while blind.
        sight = selectors.record_sight(
            record=record,
            stage=stage,
            membership=membership,
            screening_settings=settings,
            outcome=outcome,
            voted=mine is not None,
        )
        context["others"] = (
            selectors.visible_votes(
                record=record, stage=stage, membership=membership, screening_settings=settings
            )
            if sight.votes
            else []
        )
        context["outcome"] = outcome if sight.outcome else None
        # One phrase for settled and conflict alike: all votes are in, or not yet.
        context["votes_complete"] = outcome is not None and (
            outcome.status != "open" or outcome.votes >= needed
        )
        # Private tags and comments are blinded at the stage the record waits at; when
        # that is not this page's stage its outcome is unknown here: treated as waiting.
        status = visibility.current_status(
            state=record.state,
            ta_outcome_status=outcome.status if outcome and stage == Stage.TITLE_ABSTRACT else None,
            ft_outcome_status=outcome.status if outcome and stage == Stage.FULL_TEXT else None,
        )
        access = visibility.audience(role_rank=membership.role_enum.rank, blind=settings.blind)
        for extra_context in (tags_context, comments_context):
            context.update(
                extra_context(
                    review=review,
                    membership=membership,
                    record=record,
                    user=request.user,
                    status=status,
                    access=access,
                )
            )
        if stage == Stage.FULL_TEXT:
            context["fulltext"] = selectors.fulltext_of(record)
        elif settings.show_relevance:
            context["relevance"] = relevance_of(record=record, reviewer=request.user)
    return context


def _render_panel(request, context, status=200) -> HttpResponse:
    template = "screening/_screen_panel.html" if is_htmx(request) else "screening/screen.html"
    return render(request, template, context, status=status)


@review_view(Role.REVIEWER)
def screen(
    request: HttpRequest, review: Review, membership: Membership, stage: str
) -> HttpResponse:
    """The next record the queue offers this reviewer (the same one again until they vote)."""
    stage = stage_or_404(stage)
    record = next_record(
        review=review, stage=stage, reviewer=request.user, tag=queue_tag(request, review)
    )
    context = _panel_context(request, review, membership, stage, record, queued=True)
    return _render_panel(request, context)


@review_view(Role.REVIEWER)
def screen_record(
    request: HttpRequest, review: Review, membership: Membership, stage: str, record_id: int
) -> HttpResponse:
    """One given record, to look at or change one's own vote (from "my votes" or "back")."""
    stage = stage_or_404(stage)
    record = object_of_review_or_404(Record, review, record_id)
    return _render_panel(
        request, _panel_context(request, review, membership, stage, record, revisiting=True)
    )


@review_view(Role.REVIEWER)
def screen_back(
    request: HttpRequest, review: Review, membership: Membership, stage: str
) -> HttpResponse:
    """The reviewer's previous vote ("u"): before the record given in ?from=, else the latest."""
    stage = stage_or_404(stage)
    current = request.GET.get("from", "")
    before = (
        Record.objects.filter(pk=record_pk, review=review).first()
        if (record_pk := parse_id(current))
        else None
    )
    vote = selectors.previous_vote(review=review, stage=stage, reviewer=request.user, before=before)
    if vote is None:
        record = before or next_record(review=review, stage=stage, reviewer=request.user)
        context = _panel_context(
            request, review, membership, stage, record, message="No earlier vote to go back to."
        )
    else:
        context = _panel_context(request, review, membership, stage, vote.record, revisiting=True)
    return _render_panel(request, context)


@review_view(Role.REVIEWER, methods=("POST",))
def screen_vote(
    request: HttpRequest, review: Review, membership: Membership, stage: str, record_id: int
) -> HttpResponse:
    """Cast or change a vote, then show the next record (HTMX) or go back to the page."""
    stage = stage_or_404(stage)
    form = VoteForm(request.POST, review=review, stage=stage)
    error = result = None
    if form.is_valid():
        try:
            # The vote reads the record under its lock, within this review (and the
            # review's settings, read with the membership): no read of it before.
            result, error = attempt(
                cast_vote,
                record=Record(pk=record_id, review=review),
                stage=stage,
                reviewer=request.user,
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except Record.DoesNotExist:
            raise Http404("No such record.") from None
    else:
        error = "Choose include, exclude or maybe" + (
            " (and a valid reason)." if "reason" in form.errors else "."
        )
    if error:
        record = object_of_review_or_404(Record, review, record_id)
        context = _panel_context(
            request, review, membership, stage, record, error=error, revisiting=True
        )
        return _render_panel(request, context, status=200 if is_htmx(request) else 400)
    # The same words whatever the other votes were: "Saved; N of M votes in."
    if not is_htmx(request):
        messages.success(request, result.message)
        return redirect("screen", review.pk, stage)
    following = next_record(
        review=review, stage=stage, reviewer=request.user, tag=queue_tag(request, review)
    )
    return _render_panel(
        request,
        _panel_context(
            request, review, membership, stage, following, queued=True, saved=result.message
        ),
    )


def _changeable(outcome, settings, stage) -> bool:
    """A vote can change while its record waits for other votes (never once all are in)."""
    return outcome is None or (
        outcome.status == "open" and outcome.votes < settings.votes_needed(stage)
    )


@review_view(Role.REVIEWER)
def my_votes(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """The reviewer's own votes; each can be changed while its record waits for votes."""
    stage = request.GET.get("stage") or ""
    if stage and stage not in Stage.values:
        stage = ""
    page = Paginator(
        selectors.my_votes(review=review, reviewer=request.user, stage=stage or None), 50
    ).get_page(request.GET.get("page"))
    outcomes = selectors.outcomes_for(page.object_list)
    others = selectors.others_on_settled(votes=page.object_list, outcomes=outcomes)
    settings = screening_settings_for(review)
    rows = [
        (
            vote,
            outcomes.get((vote.record_id, vote.stage)),
            others.get((vote.record_id, vote.stage), []),
            _changeable(outcomes.get((vote.record_id, vote.stage)), settings, vote.stage),
        )
        for vote in page.object_list
    ]
    context = {
        "review": review,
        "membership": membership,
        "page": page,
        "rows": rows,
        "stage": stage,
        "stages": Stage.choices,
    }
    return render(request, "screening/my_votes.html", context)


urlpatterns = [
    path("screen/<str:stage>/", screen, name="screen"),
    path("screen/<str:stage>/back/", screen_back, name="screen_back"),
    path("screen/<str:stage>/records/<id:record_id>/", screen_record, name="screen_record"),
    path("screen/<str:stage>/records/<id:record_id>/vote/", screen_vote, name="screen_vote"),
    path("votes/", my_votes, name="my_votes"),
]
