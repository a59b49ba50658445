"""Stopping: the evidence on the team's order, stop and undo, PRISMA's automation box."""

from django.urls import reverse

from screening.models import Record, RecordState, Stage, StoppingDecision
from screening.ranking.stopping import statistical_stop
from screening.selectors import ranking as selectors
from screening.selectors.prisma import review_flow
from screening.services.votes import cast_vote
from tests.ranking_app.builders import make_corpus, settle_as

TA = Stage.TITLE_ABSTRACT


def _screen_some(world):
    relevant, irrelevant = make_corpus(world.review)  # 8 + 12 = 20 records
    # Settled in this order: include, include, then 6 excludes (oldest first).
    sequence = [(relevant[0], "include"), (relevant[1], "include")] + [
        (record, "exclude") for record in irrelevant[:6]
    ]
    for minutes_ago, (record, decision) in zip(range(len(sequence), 0, -1), sequence, strict=True):
        settle_as(record, decision, minutes_ago=minutes_ago)
    cast_vote(record=relevant[2], stage=TA, reviewer=world.reviewer, verdict="include")
    return relevant, irrelevant


def test_it_reads_the_team_order_and_both_rules(world):
    _screen_some(world)

    evidence = selectors.stopping_evidence(review=world.review, threshold=5)

    assert selectors.team_screening_order(review=world.review) == [1, 1, 0, 0, 0, 0, 0, 0]
    assert (evidence.n_screened, evidence.relevant_found) == (8, 2)
    assert (evidence.n_unscreened, evidence.n_stoppable, evidence.n_records) == (12, 11, 20)
    assert evidence.statistical == statistical_stop([1, 1, 0, 0, 0, 0, 0, 0], 20)
    assert evidence.heuristic.irrelevant_in_a_row == 6 and evidence.heuristic.should_stop
    assert evidence.remaining.n_unscreened == 12


def test_the_lead_stops_and_undoes(client_for, world):
    relevant, _ = _screen_some(world)
    flow_before, _ = review_flow(review=world.review)
    client = client_for(world.lead)

    response = client.post(
        reverse("ranking_stop", args=[world.review.pk]), {"rule": "heuristic", "note": "enough"}
    )

    assert response.status_code == 302
    stop = StoppingDecision.objects.get(review=world.review)
    assert stop.n_records == 11 and stop.stopped_by == world.lead and stop.rule == "heuristic"
    assert stop.evidence["heuristic"]["irrelevant_in_a_row"] == 6
    assert Record.objects.filter(review=world.review, state=RecordState.AUTOMATION).count() == 11
    relevant[2].refresh_from_db()
    assert relevant[2].state == RecordState.TA  # partly voted: left to the reviewers
    flow, violations = review_flow(review=world.review)
    assert flow.excluded_automatic == 11 and not violations
    assert flow.records_screened == flow_before.records_screened - 11
    page = client.get(reverse("ranking", args=[world.review.pk])).content.decode()
    assert "11 records excluded by automation tool" in page and "enough" in page

    response = client.post(reverse("ranking_undo", args=[world.review.pk, stop.pk]))

    assert response.status_code == 302
    stop.refresh_from_db()
    assert stop.undone_at is not None and stop.undone_by == world.lead
    assert not Record.objects.filter(review=world.review, state=RecordState.AUTOMATION).exists()
    flow, _ = review_flow(review=world.review)
    assert flow.excluded_automatic == 0 and flow.records_screened == flow_before.records_screened
    again = client.post(reverse("ranking_undo", args=[world.review.pk, stop.pk]), follow=True)
    assert b"already been undone" in again.content


def test_it_refuses_to_stop_with_no_evidence(client_for, world):
    make_corpus(world.review)

    response = client_for(world.lead).post(
        reverse("ranking_stop", args=[world.review.pk]), {"rule": "statistical"}, follow=True
    )

    assert b"Nothing has been screened yet" in response.content
    assert not StoppingDecision.objects.exists()
    assert not Record.objects.filter(state=RecordState.AUTOMATION).exists()


def test_the_dashboard_card_is_for_the_lead(client_for, world):
    _screen_some(world)
    dashboard = reverse("review_dashboard", args=[world.review.pk])

    lead_page = client_for(world.lead).get(dashboard).content.decode()
    reviewer_page = client_for(world.reviewer).get(dashboard).content.decode()

    assert 'data-testid="ranking-card"' in lead_page and "relevant records remain" in lead_page
    assert 'data-testid="ranking-card"' not in reviewer_page
