"""The stored sort figures of the records list (Record.vote_count, Record.activity_at)
stay equal to a recount from the votes and the history through votes, changed votes,
resolutions, overrules, bulk moves and their undo, merges and unmerges; the migration's
backfill and `recount` give the same; and the "last activity" sort still counts only
what the member may see (screening.visibility) plus their own."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Max
from django.urls import reverse

from screening.models import CandidatePair, Record, RecordState, Vote, VoteEvent
from screening.services.conflicts import decide_as_lead
from screening.services.dedupe import confirm_pair, unmerge
from screening.services.imports import create_import
from screening.services.record_stats import recount
from screening.services.records_actions import mark_not_retrieved, undo
from screening.services.votes import cast_vote
from screening.visibility import PUBLIC_HISTORY_ACTIONS
from tests.factories import make_batch, make_record
from tests.records_exports.fixtures import screened_review


def recounted(review) -> dict[int, tuple[int, object]]:
    """Each record's (votes, latest public event time), counted from scratch."""
    votes = dict(
        Vote.objects.filter(record__review=review)
        .values_list("record_id")
        .annotate(n=Count("pk"))
        .values_list("record_id", "n")
    )
    latest = dict(
        VoteEvent.objects.filter(review=review, action__in=PUBLIC_HISTORY_ACTIONS)
        .exclude(record=None)
        .values_list("record_id")
        .annotate(at=Max("at"))
        .values_list("record_id", "at")
    )
    return {
        pk: (votes.get(pk, 0), latest.get(pk))
        for pk in Record.objects.filter(review=review).values_list("pk", flat=True)
    }


def stored(review) -> dict[int, tuple[int, object]]:
    return {
        pk: (count, at)
        for pk, count, at in Record.objects.filter(review=review).values_list(
            "pk", "vote_count", "activity_at"
        )
    }


def test_votes_changes_resolutions_and_overrules_keep_them_exact(world):
    screened = screened_review(world)
    assert stored(world.review) == recounted(world.review)
    # The fixture voted, settled, moved, resolved: every kind of figure is there.
    figures = stored(world.review)
    assert figures[screened.conflict.pk][0] == 2
    assert figures[screened.open.pk] == (1, None)  # one vote, nothing public yet
    assert figures[screened.ta_excluded.pk][1] is not None  # settled: moved
    # A changed vote counts once; an overrule is public activity.
    cast_vote(record=screened.open, stage="ta", reviewer=world.reviewer2, verdict="maybe")
    before = stored(world.review)[screened.ta_excluded.pk][1]
    decide_as_lead(record=screened.ta_excluded, stage="ta", lead=world.lead, verdict="include")
    assert stored(world.review)[screened.ta_excluded.pk][1] > before
    assert stored(world.review) == recounted(world.review)


def test_bulk_moves_their_undo_merges_and_unmerges_keep_them_exact(world):
    batch = make_batch(world.review, source_name="PubMed")
    sought = [
        make_record(batch, title=f"Sought {i}", state=RecordState.FT_RETRIEVAL) for i in range(3)
    ]
    action = mark_not_retrieved(
        review=world.review, record_ids=[r.pk for r in sought], reason="Paywalled", by=world.lead
    )
    assert all(at for _, at in (stored(world.review)[r.pk] for r in sought))
    undo(action, by=world.lead)
    assert stored(world.review) == recounted(world.review)

    first, second = (make_record(batch, title="Same study", year=2020) for _ in range(2))
    cast_vote(record=second, stage="ta", reviewer=world.reviewer, verdict="include")
    pair = CandidatePair.objects.create(
        review=world.review, record_a=first, record_b=second, score=0.7, automatic=False
    )
    confirm_pair(pair=pair, actor=world.lead, primary_id=first.pk)
    assert Record.objects.get(pk=second.pk).state == RecordState.DUPLICATE
    assert stored(world.review) == recounted(world.review)
    unmerge(review=world.review, record_ids=[second.pk], actor=world.lead, reason="not the same")
    assert stored(world.review) == recounted(world.review)
    assert stored(world.review)[second.pk][0] == 1


def test_imported_decisions_keep_them_exact(world, django_capture_on_commit_callbacks):
    content = (
        b"Title,Authors,Abstract,Published Year,DOI,Covidence #\n"
        b"Irrelevant one,Smith J,Text,2019,10.3/a,#12\n"
        b"Irrelevant two,Doe A,Text,2020,10.3/b,#13\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        create_import(
            review=world.review,
            upload=SimpleUploadedFile("covidence_irrelevant.csv", content),
            source_name="Covidence",
            uploaded_by=world.lead,
            keep_decisions="exclude",
        )
    figures = stored(world.review)
    assert len(figures) == 2 and all(at is not None for _, at in figures.values())
    assert figures == recounted(world.review)


def test_the_migration_backfill_and_recount_give_the_same_figures(world):
    screened_review(world)
    expected = recounted(world.review)
    Record.objects.filter(review=world.review).update(vote_count=0, activity_at=None)
    migration = importlib.import_module("screening.migrations.0021_record_list_figures")
    migration.backfill(apps, None)
    assert stored(world.review) == expected
    Record.objects.filter(review=world.review).update(vote_count=7, activity_at=None)
    recount(world.review.pk)
    assert stored(world.review) == expected


@pytest.mark.parametrize("descending", [True, False])
def test_last_activity_counts_ones_own_events_and_only_them(client_for, world, descending):
    batch = make_batch(world.review, source_name="PubMed")
    quiet, voted, moved = (make_record(batch, title=t) for t in ("Quiet", "Voted", "Moved"))
    for reviewer in (world.reviewer, world.reviewer2):
        cast_vote(record=moved, stage="ta", reviewer=reviewer, verdict="exclude")
    cast_vote(record=voted, stage="ta", reviewer=world.reviewer2, verdict="include")
    sign = "-" if descending else ""
    url = reverse("api:record_list", args=[world.review.pk]) + f"?ordering={sign}activity"

    def order(member):
        return [item["id"] for item in client_for(member).get(url).json()["results"]]

    # Rafael's vote on the waiting record is his own latest activity: first for him
    # (descending), yet no activity Rita may see: with the quiet records for her.
    newest_first = {
        world.reviewer2: [voted.pk, moved.pk, quiet.pk],
        world.reviewer: [moved.pk, voted.pk, quiet.pk],
    }
    for member, expected in newest_first.items():
        if not descending:  # oldest first, records without activity last (by id)
            active = [pk for pk in reversed(expected) if pk != quiet.pk]
            if member == world.reviewer:
                active = [moved.pk]
                expected = [*active, quiet.pk, voted.pk]
            else:
                expected = [*active, quiet.pk]
        assert order(member) == expected, member


@pytest.mark.parametrize("descending", [True, False])
def test_last_activity_pages_follow_one_order_across_pages(client_for, world, descending):
    """The page-at-a-time merge (record_order.LastActivityOrder) gives, page after page,
    exactly the order of each record's latest visible-or-own event, recounted here."""
    batch = make_batch(world.review, source_name="PubMed")
    records = [make_record(batch, title=f"Record {i}") for i in range(60)]
    for record in records[:30]:
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    for record in records[20:40]:  # 20–29 settle (a public move); 30–39 stay blinded
        cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
    for member in (world.reviewer, world.reviewer2, world.lead):
        events = VoteEvent.objects.filter(review=world.review)
        latest = {}
        for record_id, action, actor_id, at in events.values_list(
            "record_id", "action", "actor_id", "at"
        ):
            if action in PUBLIC_HISTORY_ACTIONS or actor_id == member.pk:
                latest[record_id] = max(at, latest.get(record_id, at))
        dated = sorted(
            ((latest[r.pk], r.pk) for r in records if r.pk in latest), reverse=descending
        )
        undated = sorted((r.pk for r in records if r.pk not in latest), reverse=descending)
        expected = [pk for _, pk in dated] + undated
        url = reverse("record_list", args=[world.review.pk])
        sign = "-" if descending else ""
        shown = []
        for number in (1, 2, 3):
            html = (
                client_for(member)
                .get(f"{url}?ordering={sign}activity&per_page=25&page={number}")
                .content.decode()
            )
            shown += [int(row.split('"')[0]) for row in html.split('data-record="')[1::2]]
        assert shown == expected, member
