"""Bulk actions for the lead: tag or untag the ticked records or every record matching
the filters, with the count and a confirmation first; export the ticked records."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from screening.models import RecordsAction, RecordState, RecordTag, VoteAction, VoteEvent
from screening.services.tags import create_tag
from tests.factories import make_batch, make_record


@pytest.fixture
def pile(world):
    batch = make_batch(world.review, source_name="PubMed")
    other = make_batch(world.review, source_name="Embase")
    records = [make_record(batch, title=f"Naltrexone trial {i}", year=2010 + i) for i in range(6)]
    records.append(make_record(other, title="Unrelated", state=RecordState.TA_EXCLUDED))
    return records


@pytest.fixture
def rct(world):
    return create_tag(review=world.review, name="RCT")


def test_the_lead_tags_every_record_matching_the_filters_after_confirming(
    client_for, world, pile, rct
):
    client = client_for(world.lead)
    url = reverse("records_bulk", args=[world.review.pk])
    form = {
        "action": "tag",
        "bulk_tag": rct.pk,
        "scope": "all",
        "query": "q=naltrexone&year_from=2012",
    }
    answer = client.post(url, form)
    assert answer.status_code == 200
    assert "Tag 4 records" in answer.content.decode()
    assert not RecordTag.objects.exists()  # nothing before confirming
    done = client.post(url, {**form, "confirm": "1"})
    assert done.status_code == 302 and "q=naltrexone" in done["Location"]
    tagged = set(RecordTag.objects.values_list("record_id", flat=True))
    assert tagged == {r.pk for r in pile[2:6]}
    assert VoteEvent.objects.filter(action=VoteAction.TAG).count() == 4
    # One INSERT … SELECT writes the history: each event says which record, tag and who.
    event = VoteEvent.objects.get(action=VoteAction.TAG, record=pile[2])
    assert (event.record_pk, event.record_title, event.stage, event.actor) == (
        pile[2].pk,
        pile[2].title,
        "ta",
        world.lead,
    )
    assert event.after == {"tag": "RCT", "tag_id": rct.pk, "private": False}
    # Tagging again changes nothing and writes no history.
    client.post(url, {**form, "confirm": "1"})
    assert RecordTag.objects.count() == 4
    assert VoteEvent.objects.filter(action=VoteAction.TAG).count() == 4
    # Untag the ticked ones.
    client.post(
        url,
        {
            "action": "untag",
            "bulk_tag": rct.pk,
            "scope": "selected",
            "id": [pile[2].pk, pile[3].pk],
            "confirm": "1",
        },
    )
    assert set(RecordTag.objects.values_list("record_id", flat=True)) == {pile[4].pk, pile[5].pk}
    assert VoteEvent.objects.filter(action=VoteAction.UNTAG).count() == 2


def test_bulk_actions_are_the_leads(client_for, world, pile, rct):
    url = reverse("records_bulk", args=[world.review.pk])
    form = {"action": "tag", "bulk_tag": rct.pk, "scope": "all", "confirm": "1"}
    assert client_for(world.reviewer).post(url, form).status_code == 403
    assert client_for(world.outsider).post(url, form).status_code == 404
    assert not RecordTag.objects.exists()
    # Nothing ticked: nothing happens, and the lead is told.
    client = client_for(world.lead)
    response = client.post(url, {**form, "scope": "selected"}, follow=True)
    assert "Tick the records first" in response.content.decode()
    assert not RecordTag.objects.exists()
    # Another review's tag is refused.
    foreign = create_tag(review=world.other_review, name="Foreign")
    client.post(url, {**form, "bulk_tag": foreign.pk})
    assert not RecordTag.objects.exists()


def test_the_api_counts_then_applies(client_for, world, pile, rct):
    client = client_for(world.lead)
    url = reverse("api:records_bulk", args=[world.review.pk])
    dry = client.post(
        url + "?state=ta",
        {"action": "tag", "tag": rct.pk, "all": True},
        content_type="application/json",
    )
    assert dry.json() == {"count": 6, "changed": 0, "confirmed": False, "action_id": None}
    done = client.post(
        url + "?state=ta",
        {"action": "tag", "tag": rct.pk, "all": True, "confirm": True},
        content_type="application/json",
    )
    answer = done.json()
    assert (answer["count"], answer["changed"], answer["confirmed"]) == (6, 6, True)
    logged = RecordsAction.objects.get(pk=answer["action_id"])
    assert (logged.kind, logged.count, logged.query) == ("tag", 6, "state=ta")
    ids = client.post(
        url,
        {"action": "untag", "tag": rct.pk, "ids": [pile[0].pk, pile[6].pk], "confirm": True},
        content_type="application/json",
    )
    assert {k: ids.json()[k] for k in ("count", "changed", "confirmed")} == {
        "count": 2,
        "changed": 1,
        "confirmed": True,
    }
    assert (
        client.post(
            url, {"action": "tag", "tag": rct.pk}, content_type="application/json"
        ).status_code
        == 400
    )


def test_the_lead_exports_the_ticked_records(client_for, world, pile):
    client = client_for(world.lead)
    html = client.get(reverse("record_list", args=[world.review.pk])).content.decode()
    assert 'data-testid="bulk-form"' in html and 'form="bulk-form"' in html
    response = client.get(
        reverse("export_records", args=[world.review.pk]),
        {"format": "csv", "id": [pile[1].pk, pile[3].pk], "action": "tag", "bulk_tag": "1"},
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [int(r["record_id"]) for r in csv.DictReader(io.StringIO(text))] == [
        pile[1].pk,
        pile[3].pk,
    ]
    assert (
        'data-testid="bulk-form"'
        not in client_for(world.reviewer)
        .get(reverse("record_list", args=[world.review.pk]))
        .content.decode()
    )
