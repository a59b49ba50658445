"""The lead's bulk moves on the records list (send to the full-text retrieval list, mark
not retrieved), their log and undo, the log of records exports, on the page and the API;
and the round, "screened by" and last-activity controls of the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from screening.models import (
    ActionKind,
    FullText,
    RecordsAction,
    RecordState,
    SearchRound,
    VoteAction,
    VoteEvent,
)
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record


@pytest.fixture
def sought(world):
    """Three records on the retrieval list, one not retrieved, one still at title/abstract."""
    batch = make_batch(world.review, source_name="PubMed")
    on_list = [
        make_record(batch, title=f"Sought {i}", state=RecordState.FT_RETRIEVAL) for i in range(3)
    ]
    lost = make_record(batch, title="Lost", state=RecordState.FT_NOT_RETRIEVED)
    FullText.objects.create(record=lost, not_retrieved_reason="Library has no access")
    waiting = make_record(batch, title="Waiting", state=RecordState.TA)
    return on_list, lost, waiting


def _states(records):
    for record in records:
        record.refresh_from_db()
    return [record.state for record in records]


def test_the_lead_marks_a_filtered_set_not_retrieved_and_undoes_it(client_for, world, sought):
    on_list, lost, waiting = sought
    client = client_for(world.lead)
    url = reverse("records_bulk", args=[world.review.pk])
    form = {"action": "not_retrieved", "reason": "Not in any library", "scope": "all"}
    preview = client.post(url, form)
    assert preview.status_code == 200
    assert "Mark not retrieved: 5 records" in preview.content.decode()
    assert _states(on_list) == [RecordState.FT_RETRIEVAL] * 3  # nothing before confirming
    done = client.post(url, {**form, "confirm": "1"})
    assert done.status_code == 302
    assert _states(on_list) == [RecordState.FT_NOT_RETRIEVED] * 3
    assert _states([lost, waiting]) == [RecordState.FT_NOT_RETRIEVED, RecordState.TA]
    assert set(
        FullText.objects.filter(record__in=on_list).values_list("not_retrieved_reason", flat=True)
    ) == {"Not in any library"}
    assert FullText.objects.get(record=lost).not_retrieved_reason == "Library has no access"
    moves = VoteEvent.objects.filter(action=VoteAction.MOVE, after__event="not_retrieved")
    assert sorted(moves.values_list("record_id", flat=True)) == [r.pk for r in on_list]
    action = RecordsAction.objects.get()
    assert (action.kind, action.count, action.actor) == (ActionKind.NOT_RETRIEVED, 3, world.lead)

    log = client.get(reverse("records_actions", args=[world.review.pk]))
    assert "Marked not retrieved" in log.content.decode() and 'data-testid="undo"' in (
        log.content.decode()
    )
    undo = client.post(reverse("records_action_undo", args=[world.review.pk, action.pk]))
    assert undo.status_code == 302
    assert _states(on_list) == [RecordState.FT_RETRIEVAL] * 3
    assert not FullText.objects.filter(record__in=on_list).exists()
    assert _states([lost]) == [RecordState.FT_NOT_RETRIEVED]  # not the action's: untouched
    action.refresh_from_db()
    assert action.undone_at is not None and action.undone_by == world.lead
    again = client.post(reverse("records_action_undo", args=[world.review.pk, action.pk]))
    assert again.status_code == 302 and _states(on_list) == [RecordState.FT_RETRIEVAL] * 3


def test_the_lead_sends_ticked_records_back_to_the_retrieval_list_and_undo_restores_the_reason(
    client_for, world, sought
):
    on_list, lost, waiting = sought
    client = client_for(world.lead)
    url = reverse("records_bulk", args=[world.review.pk])
    client.post(
        url,
        {"action": "retrieval", "scope": "selected", "id": [lost.pk, waiting.pk], "confirm": "1"},
    )
    assert _states([lost, waiting]) == [RecordState.FT_RETRIEVAL, RecordState.TA]
    assert not FullText.objects.filter(record=lost).exists()
    action = RecordsAction.objects.get(kind=ActionKind.RETRIEVAL)
    assert action.count == 1
    client.post(reverse("records_action_undo", args=[world.review.pk, action.pk]))
    assert _states([lost]) == [RecordState.FT_NOT_RETRIEVED]
    assert FullText.objects.get(record=lost).not_retrieved_reason == "Library has no access"


def test_bulk_moves_and_their_log_are_the_leads(client_for, world, sought):
    url = reverse("records_bulk", args=[world.review.pk])
    form = {"action": "not_retrieved", "reason": "x", "scope": "all", "confirm": "1"}
    log = reverse("records_actions", args=[world.review.pk])
    for user, status in ((world.reviewer, 403), (world.viewer, 403), (world.outsider, 404)):
        assert client_for(user).post(url, form).status_code == status
        assert client_for(user).get(log).status_code == status
    assert _states(sought[0]) == [RecordState.FT_RETRIEVAL] * 3
    # Marking not retrieved needs a reason.
    client_for(world.lead).post(url, {**form, "reason": " "})
    assert not RecordsAction.objects.exists()


def test_the_api_runs_the_same_bulk_moves_and_undoes_them(client_for, world, sought):
    on_list, lost, _ = sought
    client = client_for(world.lead)
    url = reverse("api:records_bulk", args=[world.review.pk])
    body = {"action": "not_retrieved", "reason": "Paywalled", "all": True}
    counted = client.post(f"{url}?state=ft_retrieval", body, content_type="application/json")
    assert counted.json() == {"count": 3, "changed": 0, "confirmed": False, "action_id": None}
    done = client.post(
        f"{url}?state=ft_retrieval", {**body, "confirm": True}, content_type="application/json"
    ).json()
    assert done["changed"] == 3 and _states(on_list) == [RecordState.FT_NOT_RETRIEVED] * 3
    listed = client.get(reverse("api:records_actions", args=[world.review.pk])).json()
    assert listed["results"][0]["kind"] == "not_retrieved" and listed["results"][0]["undoable"]
    undo = client.post(
        reverse("api:records_action_undo", args=[world.review.pk, done["action_id"]])
    )
    assert undo.json() == {"restored": 3}
    assert _states(on_list) == [RecordState.FT_RETRIEVAL] * 3
    refused = client.post(
        reverse("api:records_action_undo", args=[world.review.pk, done["action_id"]])
    )
    assert refused.status_code == 400
    no_reason = client.post(
        url, {"action": "not_retrieved", "ids": [lost.pk]}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    reviewer = client_for(world.reviewer)
    assert reviewer.post(url, body, content_type="application/json").status_code == 403


def test_records_exports_are_in_the_log(client_for, world, sought):
    client = client_for(world.reviewer)
    client.get(reverse("export_records", args=[world.review.pk]) + "?state=ft_retrieval")
    client.get(reverse("api:export_records", args=[world.review.pk]))
    exports = list(RecordsAction.objects.filter(kind=ActionKind.EXPORT).order_by("pk"))
    assert [(e.actor, e.count, e.query) for e in exports] == [
        (world.reviewer, 3, "state=ft_retrieval"),
        (world.reviewer, 5, ""),
    ]


def test_the_round_filter_lists_one_rounds_records(client_for, world):
    first = SearchRound.objects.create(review=world.review, number=1)
    update = SearchRound.objects.create(review=world.review, number=2)
    old = make_record(make_batch(world.review, source_name="PubMed", search_round=first))
    new = make_record(make_batch(world.review, source_name="PubMed", search_round=update))
    page = client_for(world.reviewer).get(
        reverse("record_list", args=[world.review.pk]) + f"?round={update.number}"
    )
    html = page.content.decode()
    assert 'data-testid="round-filter"' in html and "Update 1" in html
    assert f'data-record="{new.pk}"' in html and f'data-record="{old.pk}"' not in html


def test_screened_by_is_the_leads_and_blinded_like_the_votes(client_for, world, settings):
    batch = make_batch(world.review, source_name="PubMed")
    waiting, settled = make_record(batch, title="Waiting"), make_record(batch, title="Settled")
    cast_vote(record=waiting, stage="ta", reviewer=world.reviewer, verdict="include")
    for reviewer in (world.reviewer, world.reviewer2):
        cast_vote(record=settled, stage="ta", reviewer=reviewer, verdict="exclude")
    url = reverse("record_list", args=[world.review.pk]) + f"?screened_by={world.reviewer.pk}"
    lead = client_for(world.lead).get(url).content.decode()
    # Under blinding the lead does not learn of a vote on a record still waiting for votes.
    assert f'data-record="{settled.pk}"' in lead and f'data-record="{waiting.pk}"' not in lead
    assert 'data-testid="screened-by-filter"' in lead
    reviewer = client_for(world.reviewer).get(url).content.decode()
    assert "Only the lead may filter by who screened a record." in reviewer
    assert 'data-testid="screened-by-filter"' not in reviewer
    api = client_for(world.reviewer).get(
        reverse("api:record_list", args=[world.review.pk]) + f"?screened_by={world.reviewer.pk}"
    )
    assert api.status_code == 400


def test_last_activity_sorts_by_what_everyone_may_see(client_for, world):
    batch = make_batch(world.review, source_name="PubMed")
    quiet, voted, moved = (make_record(batch, title=t) for t in ("Quiet", "Voted", "Moved"))
    cast_vote(record=voted, stage="ta", reviewer=world.reviewer2, verdict="include")
    for reviewer in (world.reviewer, world.reviewer2):
        cast_vote(record=moved, stage="ta", reviewer=reviewer, verdict="exclude")
    url = reverse("record_list", args=[world.review.pk]) + "?ordering=-activity"
    html = client_for(world.reviewer).get(url).content.decode()
    order = [html.index(f'data-record="{r.pk}"') for r in (moved, quiet, voted)]
    # The move (settled) first; another reviewer's vote on a waiting record is no activity
    # this reviewer may see, so that record sorts with the quiet ones (by id, descending).
    assert html.index(f'data-record="{moved.pk}"') < html.index(f'data-record="{voted.pk}"')
    assert html.index(f'data-record="{voted.pk}"') < html.index(f'data-record="{quiet.pk}"')
    assert order[0] == min(order)
