"""The screening REST API: queue, votes, conflicts, resolutions, agreement, settings, reasons."""

import json

import pytest
from django.urls import reverse

from screening.api.screening_common import RecordSerializer
from screening.models import ExclusionReason, Lease, RecordState, Resolution, Vote
from screening.services.votes import cast_vote
from tests.screening.factories import make_records, reason


def api(name, world, *args):
    return reverse(f"api:{name}", args=[world.review.pk, *args])


def test_it_leases_the_next_record_and_takes_a_vote(world, client_for):
    (record,) = make_records(world.review, 1, title="<i>Trial</i>")
    client = client_for(world.reviewer)
    body = client.get(api("queue_next", world) + "?stage=ta").json()
    assert body["record"]["id"] == record.pk and body["record"]["title"] == "<i>Trial</i>"
    payload = {
        "record": record.pk,
        "stage": "ta",
        "verdict": "exclude",
        "reason": reason(world.review).pk,
    }
    created = client.post(api("vote_list", world), payload, content_type="application/json")
    assert created.status_code == 201 and "settled" not in created.json()
    assert created.json()["message"].startswith("Saved; 1 of 2 votes in.")
    again = client.post(api("vote_list", world), payload, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert Vote.objects.filter(record=record).count() == 1
    assert client.get(api("queue_next", world) + "?stage=ta").json()["record"] is None


def test_it_refuses_bad_votes(world, client_for):
    (record,) = make_records(world.review, 1, state=RecordState.FT)
    client = client_for(world.reviewer)
    no_reason = client.post(
        api("vote_list", world),
        {"record": record.pk, "stage": "ft", "verdict": "exclude"},
        content_type="application/json",
    )
    assert no_reason.status_code == 400
    (other,) = make_records(world.other_review, 1)
    foreign = client.post(
        api("vote_list", world),
        {"record": other.pk, "stage": "ta", "verdict": "include"},
        content_type="application/json",
    )
    assert foreign.status_code == 400
    assert not Vote.objects.exists()


def test_it_lists_own_votes_blinded_and_all_votes_to_the_lead(world, client_for):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    theirs = cast_vote(
        record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude", note="SECRET"
    ).vote
    mine = client_for(world.reviewer).get(api("vote_list", world)).json()
    assert [v["reviewer"] for v in mine["results"]] == ["rita"]
    assert mine["results"][0]["settled"] is False and mine["results"][0]["decision"] is None
    assert "SECRET" not in json.dumps(mine)
    peek = client_for(world.reviewer).get(api("vote_detail", world, theirs.pk))
    assert peek.status_code == 404 and "SECRET" not in peek.content.decode()
    lead = client_for(world.lead).get(api("vote_list", world)).json()
    assert {v["reviewer"] for v in lead["results"]} == {"rita", "rafael"}


def test_it_changes_own_vote_with_patch_until_settled(world, client_for):
    (record,) = make_records(world.review, 1)
    vote = cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include").vote
    client = client_for(world.reviewer)
    changed = client.patch(
        api("vote_detail", world, vote.pk),
        {"verdict": "maybe", "note": "unsure"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["verdict"] == "maybe"
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
    late = client.patch(
        api("vote_detail", world, vote.pk), {"verdict": "exclude"}, content_type="application/json"
    )
    assert late.status_code == 400
    vote.refresh_from_db()
    assert (vote.verdict, vote.note) == ("maybe", "unsure")
    assert client.get(api("vote_detail", world, vote.pk)).json()["decision"] == "include"


def test_it_lists_conflicts_and_takes_a_resolution(world, client_for):
    (record,) = make_records(world.review, 1, state=RecordState.FT)
    animal, in_vitro = reason(world.review, "ft", 0), reason(world.review, "ft", 1)
    cast_vote(record=record, stage="ft", reviewer=world.reviewer, verdict="exclude", reason=animal)
    cast_vote(
        record=record, stage="ft", reviewer=world.reviewer2, verdict="exclude", reason=in_vitro
    )
    client = client_for(world.lead)
    conflicts = client.get(api("conflict_list", world) + "?stage=ft").json()["results"]
    assert [c["record"]["id"] for c in conflicts] == [record.pk]
    assert {v["reason_label"] for v in conflicts[0]["votes"]} == {animal.label, in_vitro.label}
    body = {
        "record": record.pk,
        "stage": "ft",
        "verdict": "exclude",
        "reason": animal.pk,
        "note": "rat study",
    }
    resolved = client.post(api("resolution_list", world), body, content_type="application/json")
    assert resolved.status_code == 201 and resolved.json()["kind"] == "resolution"
    record.refresh_from_db()
    assert record.state == RecordState.FT_EXCLUDED
    overrule = client.post(
        api("resolution_list", world),
        {**body, "verdict": "include", "reason": None},
        content_type="application/json",
    )
    assert overrule.status_code == 201 and overrule.json()["kind"] == "overrule"
    record.refresh_from_db()
    assert record.state == RecordState.INCLUDED
    assert Resolution.objects.filter(record=record).count() == 2
    assert client_for(world.reviewer).get(api("conflict_list", world)).status_code == 403


def test_it_reports_agreement_to_the_lead(world, client_for):
    records = make_records(world.review, 4)
    for record, (a, b) in zip(
        records,
        [
            ("include", "include"),
            ("exclude", "exclude"),
            ("exclude", "exclude"),
            ("include", "exclude"),
        ],
        strict=True,
    ):
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict=a)
        cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict=b)
    body = client_for(world.lead).get(api("agreement", world) + "?stage=ta").json()
    (pair,) = body["pairs"]
    assert pair["n"] == 4 and pair["observed_agreement"] == 0.75
    assert pair["table"]["both_exclude"] == 2
    assert {p["username"] for p in body["pace"]} == {"rita", "rafael"}
    assert client_for(world.reviewer).get(api("agreement", world)).status_code == 403


def test_it_reads_and_changes_settings_and_reasons(world, client_for):
    assert (
        client_for(world.viewer).get(api("screening_settings", world)).json()["votes_needed_ta"]
        == 2
    )
    client = client_for(world.lead)
    changed = client.patch(
        api("screening_settings", world),
        {"votes_needed_ft": 1, "blind": False, "highlight_include": ["naltrex*"]},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["votes_needed_ft"] == 1
    assert (
        client.patch(
            api("screening_settings", world),
            {"votes_needed_ta": 5},
            content_type="application/json",
        ).status_code
        == 400
    )
    world.review.refresh_from_db()
    assert world.review.screening_settings.blind is False
    added = client.post(
        api("reason_list", world),
        {"stage": "ft", "label": "Retracted"},
        content_type="application/json",
    )
    assert added.status_code == 201
    new = ExclusionReason.objects.get(pk=added.json()["id"])
    assert (
        client.patch(
            api("reason_detail", world, new.pk), {"order": 1}, content_type="application/json"
        ).json()["order"]
        == 1
    )
    assert client.delete(api("reason_detail", world, new.pk)).status_code == 204
    used = reason(world.review)
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude", reason=used)
    assert client.delete(api("reason_detail", world, used.pk)).status_code == 400
    assert (
        client.patch(
            api("reason_detail", world, used.pk), {"retired": True}, content_type="application/json"
        ).json()["retired"]
        is True
    )


def test_it_builds_the_schema_for_the_screening_endpoints(client):
    schema = client.get(reverse("api:schema")).content.decode()
    for fragment in (
        "/queue/next/",
        "/votes/{vote_id}/",
        "/resolutions/",
        "/agreement/",
        "/records/{record_id}/fulltext/",
    ):
        assert fragment in schema


def test_another_reviewers_vote_answers_as_a_missing_one(world, client_for):
    (record,) = make_records(world.review, 1)
    theirs = cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include").vote
    client = client_for(world.reviewer)
    missing = client.get(api("vote_detail", world, theirs.pk + 1000))
    other = client.get(api("vote_detail", world, theirs.pk))
    change = client.patch(
        api("vote_detail", world, theirs.pk),
        {"verdict": "exclude"},
        content_type="application/json",
    )
    assert missing.status_code == other.status_code == change.status_code == 404
    assert other.json() == missing.json()
    theirs.refresh_from_db()
    assert theirs.verdict == "include"


def test_vote_ids_in_the_body_are_bounded(world, client_for):
    client = client_for(world.reviewer)
    for bad in [2**63, 0, -1]:
        body = {"record": bad, "stage": "ta", "verdict": "include"}
        response = client.post(api("vote_list", world), body, content_type="application/json")
        assert response.status_code == 400 and "record" in response.json()


def test_a_vote_with_next_answers_with_the_next_record_leased(world, client_for):
    first, second = make_records(world.review, 2)
    client = client_for(world.reviewer)
    offered = client.get(api("queue_next", world) + "?stage=ta").json()["record"]["id"]
    payload = {"record": offered, "stage": "ta", "verdict": "exclude", "next": True}
    answer = client.post(api("vote_list", world), payload, content_type="application/json")
    assert answer.status_code == 201
    body = answer.json()
    assert body["message"].startswith("Saved; 1 of 2 votes in.")
    following = ({first.pk, second.pk} - {offered}).pop()
    assert body["next"]["stage"] == "ta" and body["next"]["record"]["id"] == following
    # Leased to this reviewer: the two-call API offers the same record.
    assert Lease.objects.filter(record_id=following, reviewer=world.reviewer).exists()
    assert client.get(api("queue_next", world) + "?stage=ta").json()["record"]["id"] == following
    # Without `next` the answer is as before; the queue's end is `"record": null`.
    payload = {"record": following, "stage": "ta", "verdict": "exclude"}
    plain = client.post(api("vote_list", world), payload, content_type="application/json")
    assert plain.status_code == 201 and "next" not in plain.json()
    again = client.post(
        api("vote_list", world), {**payload, "next": True}, content_type="application/json"
    )
    assert again.status_code == 200 and again.json()["next"]["record"] is None


def test_a_vote_with_next_says_nothing_of_the_other_votes(world, client_for):
    """Blinding: the answer to a vote asking for the next record is the same whether the
    other reviewer agreed (settled) or not (conflict), and the next record is a citation."""
    agreed, disagreed, _ = make_records(world.review, 3)
    cast_vote(record=agreed, stage="ta", reviewer=world.reviewer2, verdict="include", note="N1")
    cast_vote(record=disagreed, stage="ta", reviewer=world.reviewer2, verdict="exclude", note="N2")
    client = client_for(world.reviewer)
    answers = []
    for record in (agreed, disagreed):
        payload = {"record": record.pk, "stage": "ta", "verdict": "include", "next": True}
        answer = client.post(api("vote_list", world), payload, content_type="application/json")
        assert answer.status_code == 201
        answers.append(answer.json())
    assert agreed.outcomes.get(stage="ta").status == "settled"
    assert disagreed.outcomes.get(stage="ta").status == "conflict"
    per_record = {"id", "record", "created_at", "updated_at", "next"}
    shown = [{k: v for k, v in answer.items() if k not in per_record} for answer in answers]
    assert shown[0] == shown[1]
    for answer in answers:
        assert set(answer["next"]["record"]) == set(RecordSerializer.Meta.fields)
        assert "N1" not in json.dumps(answer) and "N2" not in json.dumps(answer)


def test_a_refused_vote_leases_no_next_record(world, client_for):
    make_records(world.review, 2)
    (other,) = make_records(world.other_review, 1)
    client = client_for(world.reviewer)
    foreign = client.post(
        api("vote_list", world),
        {"record": other.pk, "stage": "ta", "verdict": "include", "next": True},
        content_type="application/json",
    )
    assert foreign.status_code == 400 and "record" in foreign.json()
    assert "next" not in foreign.json()
    assert not Lease.objects.exists() and not Vote.objects.exists()


def test_the_hot_answers_are_what_their_serializers_say(world, client_for):
    """queue/next and a vote answer from fields built once per process
    (reviewapp/represent.py): the same JSON as the documented serializers give."""
    from screening.api.votes import VoteSavedSerializer

    (record,) = make_records(
        world.review, 1, title="Trial", authors=["Doe, J", "Roe, R"], year=2021, keywords=["a"]
    )
    client = client_for(world.reviewer)
    body = client.get(api("queue_next", world) + "?stage=ta").json()
    assert body["record"] == json.loads(json.dumps(RecordSerializer(record).data))
    payload = {"record": record.pk, "stage": "ta", "verdict": "include", "note": "n"}
    answer = client.post(api("vote_list", world), payload, content_type="application/json").json()
    vote = Vote.objects.select_related("reviewer").get(pk=answer["id"])
    vote.votes_in, vote.votes_needed, vote.message = 1, 2, answer["message"]
    assert answer == json.loads(json.dumps(VoteSavedSerializer(vote).data))


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"record": 0, "stage": "ta", "verdict": "include"},
        {"record": "x", "stage": "zz", "verdict": "maybe"},
        {"record": 1, "stage": "ta", "verdict": "exclude", "reason": -1, "note": "n" * 5001},
        {"record": 1, "stage": "ta", "verdict": "include", "next": "sometimes"},
    ],
)
def test_a_bad_vote_is_refused_as_its_serializer_says(world, client_for, payload):
    """The vote's input is validated with fields built once (reviewapp/represent.py):
    the same 400 answer as VoteInput(data=...).is_valid(raise_exception=True) gives."""
    from screening.api.votes import VoteInput

    expected = VoteInput(data=payload)
    assert not expected.is_valid()
    response = client_for(world.reviewer).post(
        api("vote_list", world), json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == json.loads(json.dumps(expected.errors))
    assert not Vote.objects.exists()
