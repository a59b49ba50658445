"""The records page: filters against the database, blinding per role, pagination and a
query count that does not grow with the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from screening.models import OutcomeStatus, Record, RecordState, StageOutcome
from tests.factories import make_batch, make_record


def page(client, world, query: str = ""):
    response = client.get(
        reverse("record_list", args=[world.review.pk]) + (f"?{query}" if query else "")
    )
    assert response.status_code == 200
    return response


def listed(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-record="(\d+)"', response.content.decode())}


def test_it_lists_every_record_with_its_state_for_a_viewer(client_for, world, screened):
    response = page(client_for(world.viewer), world)
    html = response.content.decode()
    assert listed(response) == set(
        Record.objects.filter(review=world.review).values_list("pk", flat=True)
    )
    assert "Excluded at title/abstract" in html and "Removed: duplicate" in html
    assert "Younger J" in html and "Google Scholar" in html
    # Viewers see states and settled decisions, never a vote.
    assert 'data-testid="vote"' not in html
    assert "rita:" not in html and "rafael:" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=ta_excluded", lambda s: {s.ta_excluded}),
        ("state=ta_excluded&state=ft_excluded", lambda s: {s.ta_excluded, s.ft_excluded}),
        ("state=duplicate&source=PubMed", lambda s: {s.duplicate}),
        ("source=Embase", lambda s: {s.ft_excluded, s.included, s.resolved}),
        ("kind=website", lambda s: {s.formula, s.web}),
        ("state=ft_excluded&reason={ft}", lambda s: {s.ft_excluded}),
        ("reason={ta}", lambda s: {s.ta_excluded}),
        ("state=ft_excluded&reason=none", lambda s: set()),
        ("stage=ft", lambda s: {s.ft_excluded, s.included}),
        ("stage=ta&status=conflict", lambda s: {s.conflict}),
        ("stage=ta&status=open", lambda s: {s.open, s.formula, s.web}),
        ("stage=ta&status=unsettled", lambda s: {s.open, s.formula, s.web, s.conflict}),
        ("stage=ta&status=settled", lambda s: {s.ta_excluded, s.resolved}),
        ("q=naltrexone&source=PubMed", lambda s: {s.ta_excluded, s.conflict, s.open, s.duplicate}),
    ],
)
def test_it_filters_by_the_query_string(client_for, world, screened, query, expected):
    query = query.format(ta=screened.ta_reason.pk, ft=screened.ft_reason.pk)
    response = page(client_for(world.lead), world, query)
    assert listed(response) == {r.pk for r in expected(screened)}
    assert f"{len(expected(screened))} record" in response.content.decode()


def test_the_conflict_filter_matches_the_database(client_for, world, screened):
    in_conflict = set(
        StageOutcome.objects.filter(
            review=world.review, stage="ta", status=OutcomeStatus.CONFLICT
        ).values_list("record_id", flat=True)
    )
    assert listed(page(client_for(world.owner), world, "stage=ta&status=conflict")) == in_conflict


def test_it_shows_the_lead_every_vote_and_the_conflict(client_for, world, screened):
    html = page(client_for(world.lead), world, "stage=ta&status=conflict").content.decode()
    assert "Conflict" in html
    assert "rita: include" in html and "rafael: exclude" in html and "rafael&#x27;s secret" in html


def test_it_blinds_a_reviewer_to_other_votes_until_settled(client_for, world, screened):
    client = client_for(world.reviewer)  # rita
    html = page(client, world, f"q={screened.conflict.title}").content.decode()
    assert "rita: include" in html  # her own vote
    assert "rafael" not in html and "secret" not in html
    assert "Conflict" not in html and "In screening" in html
    # Once settled, blinding ends: both votes of the excluded record are shown.
    settled = page(client, world, "state=ta_excluded").content.decode()
    assert "rita: exclude" in settled and "rafael: exclude" in settled


def test_it_refuses_the_conflict_filter_to_a_blinded_reviewer(client_for, world, screened):
    response = page(client_for(world.reviewer), world, "stage=ta&status=conflict")
    html = response.content.decode()
    assert 'data-testid="filter-error"' in html
    # The filter is dropped, not applied: every record that reached the stage is listed.
    assert screened.conflict.pk in listed(response) and screened.open.pk in listed(response)


def test_it_reports_unknown_filter_values(client_for, world, screened):
    html = page(
        client_for(world.viewer), world, "state=nonsense&stage=zz&reason=x"
    ).content.decode()
    assert html.count('data-testid="filter-error"') == 3


def test_it_keeps_the_filters_in_pagination_and_export_links(client_for, world):
    batch = make_batch(world.review, source_name="PubMed")
    for i in range(30):
        make_record(batch, title=f"Excluded {i}", state=RecordState.TA_EXCLUDED)
    make_record(batch, title="Still waiting")
    response = page(client_for(world.viewer), world, "state=ta_excluded&per_page=25")
    html = response.content.decode()
    assert len(listed(response)) == 25
    assert "?state=ta_excluded&amp;per_page=25&amp;page=2" in html
    assert "exports/records/?state=ta_excluded&amp;format=csv" in html
    second = page(client_for(world.viewer), world, "state=ta_excluded&per_page=25&page=2")
    assert len(listed(second)) == 5


def test_it_offers_the_reviews_sources_and_reasons_in_the_filter_bar(client_for, world, screened):
    html = page(client_for(world.viewer), world).content.decode()
    for option in ("PubMed", "Embase", "Google Scholar", screened.ft_reason.label):
        assert f">{option}<" in html or f": {option}<" in html


@pytest.mark.parametrize("per_page", [25, 200, 500])
def test_it_runs_the_same_number_of_queries_whatever_the_page_size(
    client_for, world, screened, django_assert_num_queries, per_page, settings
):
    # As in production (Redis): the session from the cache, not a query.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    batch = make_batch(world.review, source_name="CINAHL")
    for i in range(520):
        make_record(batch, title=f"Bulk record {i}")
    client = client_for(world.lead)
    page(client, world)  # warm the session and the screening settings
    # the user with their membership (and the screening settings), count, records, outcomes, votes, sources, reasons,
    # the navigation's review switcher (the member's other reviews), the records' tags and
    # the review's tags (for the filter and the picker), the members (the lead's "screened
    # by" filter). bench/records.py prints the same count per request at 100,000 records.
    with django_assert_num_queries(11):
        response = page(client, world, f"per_page={per_page}")
    assert len(listed(response)) == per_page
    # Sorted by votes: the stored count (screening.services.record_stats), no more queries.
    with django_assert_num_queries(11):
        response = page(client, world, f"per_page={per_page}&ordering=-votes")
    assert len(listed(response)) == per_page
    # By last activity: two more, the records the member has no event on (by the stored
    # time) and those they have (their own events), merged (record_order.LastActivityOrder).
    with django_assert_num_queries(13):
        response = page(client, world, f"per_page={per_page}&ordering=-activity")
    assert len(listed(response)) == per_page


def test_it_hides_the_page_from_outsiders(client_for, world):
    assert (
        client_for(world.outsider).get(reverse("record_list", args=[world.review.pk])).status_code
        == 404
    )


def test_a_deep_page_counts_with_its_ids_in_one_read(
    client_for, world, django_assert_num_queries, monkeypatch, settings
):
    """From `paging.DEFERRED_FROM` on, a page reads its ids from its first record up to
    the count's bound (the count comes with them), then its rows by id: no more queries
    than page 1. Lowered here so that 130 records make deep pages."""
    from screening.selectors import paging

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    monkeypatch.setattr(paging, "DEFERRED_FROM", 25)
    batch = make_batch(world.review, source_name="CINAHL")
    records = [make_record(batch, title=f"Bulk record {i}").pk for i in range(130)]
    client = client_for(world.lead)
    page(client, world)
    with django_assert_num_queries(11):  # as page 1 (test above)
        response = page(client, world, "per_page=25&page=2")
    assert sorted(listed(response)) == records[25:50]
    html = response.content.decode()
    assert "130 records" in html and "page 2 of 6<" in html and 'rel="next"' in html
    last = page(client, world, "per_page=25&page=6")
    assert sorted(listed(last)) == records[125:] and 'rel="next"' not in last.content.decode()
    # Past the end: the last page, as Django's paginator does.
    assert sorted(listed(page(client, world, "per_page=25&page=9"))) == records[125:]
    # Beyond the bound (one page past the page asked for, at least `bound`): "more".
    rows = Record.objects.filter(review=world.review).order_by("pk")
    counted = paging.BoundedPaginator(rows, 25, page=2, bound=30)
    assert [r.pk for r in counted.get_page(2)] == records[25:50]
    assert (counted.count, counted.more) == (75, True)
