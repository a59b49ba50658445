"""Issue 11: blinding holds for everyone who screens — leads and owners too — and a vote's
answer never tells the voter how the others voted."""

import json
import re

import pytest
from django.urls import reverse

from screening.models import RecordState, Vote
from screening.services.votes import cast_vote
from tests.screening.factories import make_records, reason

SECRET = "FIRST-VOTER-SECRET-NOTE"


def api(name, world, *args):
    return reverse(f"api:{name}", args=[world.review.pk, *args])


def _first_vote(world, record, verdict="exclude"):
    return cast_vote(
        record=record,
        stage="ta",
        reviewer=world.reviewer,
        verdict=verdict,
        reason=reason(world.review).pk if verdict == "exclude" else None,
        note=SECRET,
    ).vote


def _everything_a_lead_can_open(client, world, record, vote) -> str:
    """Every page, endpoint and export where another vote, note or outcome could show."""
    pages = [
        reverse("screen", args=[world.review.pk, "ta"]),
        reverse("screen_record", args=[world.review.pk, "ta", record.pk]),
        reverse("record_detail", args=[world.review.pk, record.pk]),
        reverse("record_list", args=[world.review.pk]),
        reverse("record_list", args=[world.review.pk]) + "?stage=ta&status=open",
        reverse("export_records", args=[world.review.pk]) + "?format=csv",
        reverse("export_votes", args=[world.review.pk]) + "?format=csv",
        reverse("my_votes", args=[world.review.pk]),
        reverse("review_dashboard", args=[world.review.pk]),
        api("vote_list", world),
        api("record_list", world),
        api("export_records", world) + "?format=csv",
        api("export_votes", world) + "?format=csv",
    ]
    out = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (
            b"".join(response.streaming_content)
            if getattr(response, "streaming", False)
            else response.content
        )
        out.append(body.decode("utf-8", "replace"))
    detail = client.get(api("vote_detail", world, vote.pk))
    assert detail.status_code == 404  # answered as a missing vote
    out.append(detail.content.decode())
    return "\n".join(out)


@pytest.mark.parametrize("role", ["lead", "owner"])
def test_a_lead_who_screens_sees_nothing_of_the_first_vote_until_they_have_voted(
    world, client_for, role
):
    (record,) = make_records(world.review, 1, title="A trial of naltrexone")
    vote = _first_vote(world, record)
    screener = world.user(role)
    client = client_for(screener)
    seen = _everything_a_lead_can_open(client, world, record, vote)
    assert SECRET not in seen
    assert "other-votes" not in seen
    assert "rita: exclude" not in seen.lower() and "rita: Exclude" not in seen
    # The queue offers the lead the record, as any second screener.
    assert client.get(api("queue_next", world) + "?stage=ta").json()["record"]["id"] == record.pk

    # Once the lead has voted and all votes are in, the record is settled or in
    # conflict, and the lead may see the first vote.
    answer = client.post(
        api("vote_list", world),
        {"record": record.pk, "stage": "ta", "verdict": "include"},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert SECRET not in answer.content.decode()
    conflicts = client.get(api("conflict_list", world) + "?stage=ta").json()["results"]
    assert [c["record"]["id"] for c in conflicts] == [record.pk]
    page = client.get(reverse("record_detail", args=[world.review.pk, record.pk]))
    assert SECRET in page.content.decode()


def test_a_reviewer_never_sees_the_lead_s_vote_either(world, client_for):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.lead, verdict="exclude", note=SECRET)
    client = client_for(world.reviewer)
    page = client.get(reverse("screen_record", args=[world.review.pk, "ta", record.pk]))
    assert SECRET not in page.content.decode() and "liam" not in page.content.decode()


def _normalised(response) -> dict:
    body = response.json()
    for key in ("id", "record", "created_at", "updated_at"):
        body.pop(key)
    return body


@pytest.mark.parametrize("needed", [2, 3])
def test_the_vote_answer_is_the_same_whatever_the_other_vote_was(world, client_for, needed):
    from screening.services.settings import update_settings

    update_settings(review=world.review, by=world.lead, votes_needed_ta=needed)
    agree, disagree = make_records(world.review, 2)
    _first_vote(world, agree, verdict="include")
    _first_vote(world, disagree, verdict="exclude")
    client = client_for(world.reviewer2)
    answers = []
    statuses = []
    for record in (agree, disagree):
        response = client.post(
            api("vote_list", world),
            {"record": record.pk, "stage": "ta", "verdict": "include", "note": "mine"},
            content_type="application/json",
        )
        statuses.append(response.status_code)
        answers.append(_normalised(response))
    assert statuses == [201, 201]
    assert answers[0] == answers[1]
    assert json.dumps(answers[0]) == json.dumps(answers[1])  # byte for byte, key order too
    assert answers[0]["message"].startswith(f"Saved; 2 of {needed} votes in.")
    # The page after a vote (HTMX) says the same thing too.
    html = []
    for record in make_records(world.review, 2):
        _first_vote(world, record, verdict="include" if not html else "exclude")
        response = client.post(
            reverse("screen_vote", args=[world.review.pk, "ta", record.pk]),
            {"verdict": "include"},
            HTTP_HX_REQUEST="true",
        )
        body = response.content.decode()
        html.append(re.search(r'data-testid="vote-saved">([^<]*)<', body).group(1))
    assert html[0] == html[1]


def test_once_all_votes_are_in_a_change_is_refused_with_one_message(world, client_for):
    agree, disagree = make_records(world.review, 2)
    _first_vote(world, agree, verdict="include")
    _first_vote(world, disagree, verdict="exclude")
    client = client_for(world.reviewer2)
    refusals = []
    for record in (agree, disagree):
        vote = cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="include")
        response = client.patch(
            api("vote_detail", world, vote.vote.pk),
            {"verdict": "exclude", "reason": reason(world.review).pk},
            content_type="application/json",
        )
        assert response.status_code == 400
        refusals.append(response.json())
    assert refusals[0] == refusals[1] and "ask the lead" in json.dumps(refusals[0])
    # κ and the conflicts list keep the first complete set of votes.
    assert Vote.objects.get(record=disagree, reviewer=world.reviewer2).verdict == "include"
    disagree.refresh_from_db()
    assert disagree.state == RecordState.TA
    assert disagree.outcomes.get(stage="ta").status == "conflict"


def test_a_screener_may_change_a_vote_while_others_have_not_voted(world, client_for):
    (record,) = make_records(world.review, 1)
    vote = cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include").vote
    response = client_for(world.reviewer).patch(
        api("vote_detail", world, vote.pk), {"verdict": "maybe"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["verdict"] == "maybe"
    assert response.json()["message"].startswith("Saved; 1 of 2 votes in.")
