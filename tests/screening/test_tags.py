"""Tags: the lead defines them; screeners tag records from every page and the API; a
private tag is blinded like a vote; tags filter the records list, its exports and the
queue; every change is in the record's history."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from screening import visibility
from screening.models import RecordState, RecordTag, Tag, VoteAction, VoteEvent
from screening.services.queue import next_record
from screening.services.tags import (
    add_tag,
    create_tag,
    delete_tag,
    remove_tag,
    tag_records,
    untag_records,
    update_tag,
)
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record

V = visibility


# --- the policy (pure) ---------------------------------------------------------------


def test_team_tags_are_visible_to_everyone_private_ones_like_a_vote():
    for audience in V.Audience:
        assert V.tag_visible(audience=audience, private=False, mine=False, status=V.Status.WAITING)
    reviewer, lead = V.Audience.SETTLED, V.Audience.LEAD
    waiting, conflict, settled = V.Status.WAITING, V.Status.CONFLICT, V.Status.SETTLED
    assert V.tag_visible(audience=reviewer, private=True, mine=True, status=waiting)
    assert not V.tag_visible(audience=reviewer, private=True, mine=False, status=waiting)
    assert not V.tag_visible(audience=lead, private=True, mine=False, status=waiting)
    assert not V.tag_visible(audience=reviewer, private=True, mine=False, status=conflict)
    assert V.tag_visible(audience=lead, private=True, mine=False, status=conflict)
    assert V.tag_visible(audience=reviewer, private=True, mine=False, status=settled)
    assert not V.tag_visible(audience=V.Audience.NONE, private=True, mine=False, status=settled)
    assert V.tag_visible(audience=V.Audience.ALL, private=True, mine=False, status=waiting)


def test_a_records_current_status_is_the_stage_it_waits_at():
    status = V.current_status
    assert status(state="ta", ta_outcome_status=None, ft_outcome_status=None) == V.Status.WAITING
    assert (
        status(state="ta", ta_outcome_status="conflict", ft_outcome_status=None)
        == V.Status.CONFLICT
    )
    assert (
        status(state="ft", ta_outcome_status="settled", ft_outcome_status="open")
        == V.Status.WAITING
    )
    for state in ("ta_excluded", "included", "duplicate", "ft_retrieval", "automation"):
        assert (
            status(state=state, ta_outcome_status=None, ft_outcome_status=None) == V.Status.SETTLED
        )


# --- the service -----------------------------------------------------------------------


@pytest.fixture
def records(world):
    batch = make_batch(world.review, source_name="PubMed")
    return [
        make_record(batch, title=f"Trial {i}", abstract=f"Abstract {i}", year=2010 + i)
        for i in range(4)
    ]


@pytest.fixture
def rct(world):
    return create_tag(review=world.review, name="RCT", colour="green", key="r")


@pytest.fixture
def secret(world):
    return create_tag(review=world.review, name="Doubtful", key="d", private=True)


def test_the_lead_defines_tags_with_clear_refusals(world, rct):
    with pytest.raises(ValidationError, match="already has a tag named"):
        create_tag(review=world.review, name="rct")
    with pytest.raises(ValidationError, match="already uses the key"):
        create_tag(review=world.review, name="Other", key="r")
    with pytest.raises(ValidationError, match="already used on the screening page"):
        create_tag(review=world.review, name="Other", key="i")
    with pytest.raises(ValidationError, match="colour"):
        create_tag(review=world.review, name="Other", colour="#fff")
    with pytest.raises(ValidationError, match="needs a name"):
        create_tag(review=world.review, name="  ")
    # Another review may reuse the name and key.
    assert create_tag(review=world.other_review, name="RCT", key="r").pk != rct.pk
    update_tag(rct, name="Randomised", private=True)
    rct.refresh_from_db()
    assert (rct.name, rct.private, rct.key) == ("Randomised", True, "r")


def test_a_team_tag_is_on_the_record_once_and_every_change_is_in_the_history(world, records, rct):
    record = records[0]
    assert add_tag(record=record, tag=rct, by=world.reviewer)
    assert not add_tag(record=record, tag=rct, by=world.reviewer2)  # already there
    assert RecordTag.objects.filter(record=record).count() == 1
    assert remove_tag(record=record, tag=rct, by=world.reviewer2)  # anyone takes it off
    assert not RecordTag.objects.filter(record=record).exists()
    events = list(
        VoteEvent.objects.filter(record_pk=record.pk).values_list("action", "actor__username")
    )
    assert events == [(VoteAction.TAG, "rita"), (VoteAction.UNTAG, "rafael")]
    assert VoteEvent.objects.filter(record_pk=record.pk).first().after["tag"] == "RCT"


def test_a_private_tag_is_each_screeners_own(world, records, secret):
    record = records[0]
    assert add_tag(record=record, tag=secret, by=world.reviewer)
    assert add_tag(record=record, tag=secret, by=world.reviewer2)
    assert remove_tag(record=record, tag=secret, by=world.reviewer2)
    assert list(RecordTag.objects.values_list("added_by__username", flat=True)) == ["rita"]
    assert not remove_tag(record=record, tag=secret, by=world.reviewer2)


def test_a_tag_of_another_review_is_refused(world, records):
    foreign = create_tag(review=world.other_review, name="Foreign")
    with pytest.raises(ValidationError):
        add_tag(record=records[0], tag=foreign, by=world.reviewer)


def test_bulk_tagging_and_deleting_a_tag_keep_the_history(world, records, rct):
    ids = [r.pk for r in records]
    add_tag(record=records[0], tag=rct, by=world.reviewer)
    assert tag_records(review=world.review, record_ids=ids, tag=rct, by=world.lead) == 3
    assert RecordTag.objects.filter(tag=rct).count() == 4
    assert untag_records(review=world.review, record_ids=ids[:2], tag=rct, by=world.lead) == 2
    assert delete_tag(rct, by=world.lead) == 2
    assert not Tag.objects.filter(pk=rct.pk).exists()
    actions = list(VoteEvent.objects.values_list("action", flat=True))
    assert actions.count(VoteAction.TAG) == 4 and actions.count(VoteAction.UNTAG) == 4


# --- blinding through the pages, the API and the exports ----------------------------


def _records_page(client, world, query=""):
    return client.get(reverse("record_list", args=[world.review.pk]) + query).content.decode()


def _api_records(client, world, query=""):
    response = client.get(reverse("api:record_list", args=[world.review.pk]) + query)
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()["results"]}


def _export(client, world, query=""):
    response = client.get(reverse("export_records", args=[world.review.pk]) + "?format=csv" + query)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {int(row["record_id"]): row for row in csv.DictReader(io.StringIO(text))}


def test_a_screener_never_sees_anothers_private_tag_on_an_unsettled_record(
    world, records, secret, client_for
):
    record = records[0]
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    add_tag(record=record, tag=secret, by=world.reviewer)
    for member in (world.reviewer2, world.lead, world.viewer):
        client = client_for(member)
        html = _records_page(client, world)
        assert f'data-testid="tag" data-tag="{secret.pk}"' not in html  # no chip
        assert _api_records(client, world)[record.pk]["tags"] == []
        assert _export(client, world)[record.pk]["tags"] == ""
        # ... nor can it be found by filtering on the tag.
        assert record.pk not in _api_records(client, world, f"?tag={secret.pk}")
        assert record.pk not in _export(client, world, f"&tag={secret.pk}")
        shown = client.get(reverse("api:record_tags", args=[world.review.pk, record.pk])).json()
        assert shown == []
    # The lead's record page: nor in the history, while the lead could still screen it.
    html = (
        client_for(world.lead)
        .get(reverse("record_detail", args=[world.review.pk, record.pk]))
        .content.decode()
    )
    assert "Doubtful" not in html.split('data-testid="history"')[1]
    # Rita sees her own everywhere.
    client = client_for(world.reviewer)
    assert _api_records(client, world)[record.pk]["tags"] == ["Doubtful"]
    assert _export(client, world)[record.pk]["tags"] == "Doubtful"
    assert set(_api_records(client, world, f"?tag={secret.pk}")) == {record.pk}

    # Settled: blinding ends for reviewers, as for votes; viewers never see private tags.
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL
    client = client_for(world.reviewer2)
    assert _api_records(client, world)[record.pk]["tags"] == ["Doubtful"]
    assert set(_api_records(client, world, f"?tag={secret.pk}")) == {record.pk}
    assert _export(client_for(world.viewer), world)[record.pk]["tags"] == ""


def test_the_lead_sees_private_tags_on_conflicts_reviewers_do_not(
    world, records, secret, client_for
):
    record = records[1]
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    add_tag(record=record, tag=secret, by=world.reviewer)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    assert _api_records(client_for(world.lead), world)[record.pk]["tags"] == ["Doubtful"]
    assert _api_records(client_for(world.reviewer2), world)[record.pk]["tags"] == []


def test_team_tags_show_everywhere_and_filter(world, records, rct, client_for):
    add_tag(record=records[2], tag=rct, by=world.reviewer)
    client = client_for(world.viewer)
    assert set(_api_records(client, world, f"?tag={rct.pk}")) == {records[2].pk}
    html = _records_page(client, world, f"?tag={rct.pk}")
    assert 'data-testid="record"' in html and "Trial 2" in html and "Trial 1" not in html
    row = _export(client, world)[records[2].pk]
    assert (row["tags"], row["abstract"]) == ("RCT", "Abstract 2")
    assert (
        client.get(reverse("api:record_list", args=[world.review.pk]) + "?tag=x").status_code == 400
    )


# --- tagging from the pages and the API ------------------------------------------------


def test_screeners_toggle_tags_from_the_pages(world, records, rct, client_for):
    record = records[0]
    url = reverse("record_tag", args=[world.review.pk, record.pk])
    client = client_for(world.reviewer)
    response = client.post(url, {"tag": rct.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-testid="tag"' in response.content.decode()
    assert RecordTag.objects.filter(record=record, tag=rct).exists()
    response = client.post(url, {"tag": rct.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert not RecordTag.objects.filter(record=record, tag=rct).exists()
    assert client.post(url, {"tag": 999999}).status_code == 400
    assert client_for(world.viewer).post(url, {"tag": rct.pk}).status_code == 403
    assert client_for(world.outsider).post(url, {"tag": rct.pk}).status_code == 404
    # The screening page offers the picker with each tag's key.
    html = client_for(world.reviewer).get(reverse("screen", args=[world.review.pk, "ta"]))
    assert 'data-tag-key="r"' in html.content.decode()


def test_the_lead_manages_tags_on_the_page(world, client_for):
    url = reverse("tag_list", args=[world.review.pk])
    assert client_for(world.reviewer).post(url, {"name": "X"}).status_code == 403
    client = client_for(world.lead)
    client.post(url, {"name": "Paediatric", "colour": "purple", "key": "p", "private": "on"})
    tag = Tag.objects.get(review=world.review)
    assert (tag.name, tag.colour, tag.key, tag.private) == ("Paediatric", "purple", "p", True)
    client.post(reverse("tag_update", args=[world.review.pk, tag.pk]), {"name": "Children"})
    tag.refresh_from_db()
    assert tag.name == "Children" and not tag.private  # an unticked box is "team"
    client.post(reverse("tag_update", args=[world.review.pk, tag.pk]), {"delete": "1"})
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert "<script>" not in client_for(world.viewer).get(url).content.decode()


def test_the_api_manages_tags_and_record_tags(world, records, client_for):
    client = client_for(world.lead)
    base = reverse("api:tag_list", args=[world.review.pk])
    created = client.post(base, {"name": "RCT", "key": "r", "colour": "green"})
    assert created.status_code == 201, created.content
    tag_id = created.json()["id"]
    assert client.post(base, {"name": "rct"}).status_code == 400
    detail = reverse("api:tag_detail", args=[world.review.pk, tag_id])
    patched = client.patch(detail, {"description": "randomised"}, content_type="application/json")
    assert patched.json()["description"] == "randomised"
    assert client_for(world.reviewer).post(base, {"name": "Nope"}).status_code == 403

    reviewer = client_for(world.reviewer)
    on = reverse("api:record_tags", args=[world.review.pk, records[0].pk])
    answer = reviewer.post(on, {"tag": tag_id})
    assert answer.status_code == 201 and answer.json()[0]["name"] == "RCT"
    assert reviewer.post(on, {"tag": tag_id}).status_code == 200  # already there
    assert reviewer.post(on, {"tag": 0}).status_code == 400
    off = reverse("api:record_tag_detail", args=[world.review.pk, records[0].pk, tag_id])
    assert reviewer.delete(off).status_code == 204
    assert reviewer.get(on).json() == []
    assert client_for(world.lead).delete(detail).status_code == 204


# --- the queue -----------------------------------------------------------------------


def test_the_queue_offers_only_records_with_the_tag(world, records, rct, secret):
    add_tag(record=records[2], tag=rct, by=world.lead)
    got = next_record(review=world.review, stage="ta", reviewer=world.reviewer, tag=rct)
    assert got.pk == records[2].pk
    cast_vote(record=got, stage="ta", reviewer=world.reviewer, verdict="include")
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer, tag=rct) is None
    # A private tag: only the reviewer's own.
    add_tag(record=records[3], tag=secret, by=world.reviewer2)
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer, tag=secret) is None
    add_tag(record=records[1], tag=secret, by=world.reviewer)
    got = next_record(review=world.review, stage="ta", reviewer=world.reviewer, tag=secret)
    assert got.pk == records[1].pk
    # Without the filter the queue is as before.
    assert next_record(review=world.review, stage="ta", reviewer=world.reviewer2) is not None


def test_the_screening_page_keeps_the_tag_filter_after_a_vote(world, records, rct, client_for):
    add_tag(record=records[1], tag=rct, by=world.lead)
    add_tag(record=records[3], tag=rct, by=world.lead)
    client = client_for(world.reviewer)
    first = client.get(reverse("screen", args=[world.review.pk, "ta"]) + f"?tag={rct.pk}")
    html = first.content.decode()
    assert 'data-testid="queue-tag"' in html
    shown = int(html.split('data-record="')[1].split('"')[0])
    assert shown in (records[1].pk, records[3].pk)
    answer = client.post(
        reverse("screen_vote", args=[world.review.pk, "ta", shown]),
        {"verdict": "include", "queue_tag": rct.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    following = int(answer.split('data-record="')[1].split('"')[0])
    assert following in (records[1].pk, records[3].pk) and following != shown


# --- exports -------------------------------------------------------------------------


def test_ris_carries_tags_in_one_note(world, rct, client_for):
    batch = make_batch(world.review, source_name="Embase")
    included = make_record(batch, title="Included trial", state=RecordState.INCLUDED)
    add_tag(record=included, tag=rct, by=world.lead)
    response = client_for(world.viewer).get(
        reverse("export_included", args=[world.review.pk]) + "?format=ris"
    )
    text = b"".join(response.streaming_content).decode()
    assert "N1  - reviewapp tags: RCT\r\n" in text
