"""The lead's pages: conflicts, record history, agreement, settings."""

from django.urls import reverse

from screening.models import ExclusionReason, RecordState, Resolution, VoteEvent
from screening.services.votes import cast_vote
from tests.screening.factories import make_records, reason

HX = {"HTTP_HX_REQUEST": "true"}


def conflict(world, **fields):
    (record,) = make_records(world.review, 1, **fields)
    cast_vote(
        record=record, stage="ta", reviewer=world.reviewer, verdict="include", note="RCT in adults"
    )
    cast_vote(
        record=record,
        stage="ta",
        reviewer=world.reviewer2,
        verdict="exclude",
        reason=reason(world.review, "ta", 4),
    )
    return record


def test_it_lists_conflicts_with_every_vote(world, client_for):
    record = conflict(world, title="Naltrexone <em>trial</em>")
    html = (
        client_for(world.lead)
        .get(reverse("conflicts", args=[world.review.pk, "ta"]))
        .content.decode()
    )
    assert html.count('data-testid="conflict-vote"') == 2
    assert "RCT in adults" in html and "Review article" in html and "rafael" in html
    assert "&lt;em&gt;trial&lt;/em&gt;" in html
    assert str(record.pk) in html


def test_it_resolves_a_conflict_from_the_page(world, client_for):
    record = conflict(world)
    client = client_for(world.lead)
    url = reverse("lead_decide", args=[world.review.pk, "ta", record.pk])
    response = client.post(url, {"verdict": "include", "note": "adults with chronic pain"}, **HX)
    assert 'data-testid="decision-done"' in response.content.decode()
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL
    assert Resolution.objects.get(record=record).kind == "resolution"
    assert VoteEvent.objects.filter(record=record, action="resolve").exists()
    html = client.get(reverse("conflicts", args=[world.review.pk, "ta"])).content.decode()
    assert 'data-testid="no-conflicts"' in html


def test_it_overrules_a_settled_record_and_shows_the_history(world, client_for):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude")
    cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict="exclude")
    client = client_for(world.lead)
    response = client.post(
        reverse("lead_decide", args=[world.review.pk, "ta", record.pk]),
        {"verdict": "include", "next": "record"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.state == RecordState.FT_RETRIEVAL
    html = client.get(reverse("record_detail", args=[world.review.pk, record.pk])).content.decode()
    assert "Overruled" in html and html.count("<tr><td>") >= 3


def test_it_refuses_to_resolve_a_record_still_waiting_for_votes(world, client_for):
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
    client_for(world.lead).post(
        reverse("lead_decide", args=[world.review.pk, "ta", record.pk]), {"verdict": "exclude"}
    )
    assert not Resolution.objects.exists()


def test_it_shows_agreement_per_pair(world, client_for):
    for verdicts in [("include", "include"), ("exclude", "exclude"), ("include", "exclude")]:
        (record,) = make_records(world.review, 1)
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict=verdicts[0])
        cast_vote(record=record, stage="ta", reviewer=world.reviewer2, verdict=verdicts[1])
    html = client_for(world.lead).get(reverse("agreement", args=[world.review.pk])).content.decode()
    assert (
        'data-testid="agreement-pair"' in html and "0.667" in html and "rafael &amp; rita" in html
    )


def test_it_saves_settings_and_manages_reasons(world, client_for):
    client = client_for(world.lead)
    url = reverse("screening_settings", args=[world.review.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "votes_needed_ta": 1,
            "votes_needed_ft": 2,
            "blind": "on",
            "highlight_include": "naltrex*\nLDN",
            "highlight_exclude": "mice",
            "ranking_enabled": "on",
        },
    )
    assert response.status_code == 302
    world.review.refresh_from_db()
    settings = world.review.screening_settings
    assert (settings.votes_needed_ta, settings.highlight_include, settings.highlight_exclude) == (
        1,
        ["naltrex*", "LDN"],
        ["mice"],
    )
    client.post(
        reverse("reason_add", args=[world.review.pk]), {"stage": "ta", "label": "Pediatric"}
    )
    added = ExclusionReason.objects.get(label="Pediatric")
    assert added.order == 7
    client.post(reverse("reason_update", args=[world.review.pk, added.pk]), {"action": "up"})
    added.refresh_from_db()
    assert added.order == 6
    used = reason(world.review)
    (record,) = make_records(world.review, 1)
    cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="exclude", reason=used)
    client.post(reverse("reason_update", args=[world.review.pk, used.pk]), {"action": "delete"})
    assert ExclusionReason.objects.filter(pk=used.pk).exists()
    client.post(reverse("reason_update", args=[world.review.pk, used.pk]), {"action": "retire"})
    used.refresh_from_db()
    assert used.retired
    client.post(reverse("reason_update", args=[world.review.pk, added.pk]), {"action": "delete"})
    assert not ExclusionReason.objects.filter(pk=added.pk).exists()


def test_it_seeds_default_reasons_for_new_reviews(world):
    labels = list(
        ExclusionReason.objects.for_stage(world.review, "ta").values_list("label", flat=True)
    )
    assert labels[0] == "Conference abstract" and "Duplicate" in labels
    assert (
        ExclusionReason.objects.for_stage(world.review, "ft").filter(label="Animal model").exists()
    )
