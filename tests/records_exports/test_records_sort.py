"""Sorting and the other filters of the records list and the API: year, title, first
author, journal, source, import date, state, votes (not for viewers), score (leads);
import, year range, full text, abstract; the URL keeps them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from screening.models import RecordScore
from screening.services.votes import cast_vote
from tests.factories import make_batch, make_record
from tests.screening.factories import attach_pdf


@pytest.fixture
def shelf(world):
    pubmed = make_batch(world.review, source_name="PubMed")
    embase = make_batch(world.review, source_name="Embase")
    records = {
        "b": make_record(pubmed, title="beta trial", authors=["Zed A"], year=2015, journal="Pain"),
        "a": make_record(
            embase, title="Alpha study", authors=["Adams B"], year=2020, abstract="Has one."
        ),
        "c": make_record(pubmed, title="Gamma", authors=[], year=None, journal="BMJ"),
    }
    attach_pdf(records["c"])
    cast_vote(record=records["b"], stage="ta", reviewer=world.reviewer, verdict="include")
    cast_vote(record=records["b"], stage="ta", reviewer=world.reviewer2, verdict="maybe")
    cast_vote(record=records["a"], stage="ta", reviewer=world.reviewer, verdict="include")
    for record, score in ((records["a"], 0.1), (records["b"], 0.9), (records["c"], 0.5)):
        RecordScore.objects.create(
            review=world.review, record=record, reviewer=world.lead, score=score
        )
    return records, pubmed, embase


def order(client, world, query) -> list[int]:
    response = client.get(reverse("api:record_list", args=[world.review.pk]) + "?" + query)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def names(shelf, ids) -> str:
    by_id = {record.pk: name for name, record in shelf[0].items()}
    return "".join(by_id[i] for i in ids)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("title", "abc"),  # case-insensitive
        ("-title", "cba"),
        ("year", "bac"),  # no year last
        ("-year", "abc"),
        ("first_author", "abc"),  # Adams, Zed, then none
        ("journal", "cba"),  # "" first, BMJ, Pain
        ("source", "abc"),  # Embase before PubMed, then by id
        ("imported", "bca"),
        ("id", "bac"),
        ("-votes", "bac"),
        ("score", "acb"),
        ("-score", "bca"),
    ],
)
def test_the_lead_sorts_by_any_column(client_for, world, shelf, ordering, expected):
    assert names(shelf, order(client_for(world.lead), world, f"ordering={ordering}")) == expected


def test_sorting_by_what_the_member_may_not_see_is_refused(client_for, world, shelf):
    viewer = client_for(world.viewer)
    response = viewer.get(reverse("api:record_list", args=[world.review.pk]) + "?ordering=votes")
    assert response.status_code == 400 and "not available" in response.content.decode()
    reviewer = client_for(world.reviewer)
    url = reverse("api:record_list", args=[world.review.pk])
    assert reviewer.get(url + "?ordering=score").status_code == 400
    assert reviewer.get(url + "?ordering=-votes").status_code == 200
    assert reviewer.get(url + "?ordering=drop table").status_code == 400


def test_the_other_filters(client_for, world, shelf):
    records, pubmed, embase = shelf
    client = client_for(world.viewer)
    assert names(shelf, order(client, world, f"import={pubmed.pk}")) == "bc"
    assert names(shelf, order(client, world, "year_from=2016")) == "a"
    assert names(shelf, order(client, world, "year_from=2010&year_to=2016")) == "b"
    assert names(shelf, order(client, world, "fulltext=yes")) == "c"
    assert names(shelf, order(client, world, "fulltext=no")) == "ba"
    assert names(shelf, order(client, world, "abstract=yes")) == "a"
    assert names(shelf, order(client, world, "abstract=no&ordering=-title")) == "cb"
    bad = client.get(
        reverse("api:record_list", args=[world.review.pk]) + "?year_from=20x&abstract=maybe"
    )
    assert bad.status_code == 400


def test_the_page_keeps_filters_and_order_in_its_links(client_for, world, shelf):
    client = client_for(world.lead)
    url = reverse("record_list", args=[world.review.pk])
    html = client.get(url + "?ordering=-year&year_from=2010&per_page=500").content.decode()
    rows = html.split('data-testid="record" data-record="')[1:]
    assert [int(r.split('"')[0]) for r in rows] == [shelf[0]["a"].pk, shelf[0]["b"].pk]
    # Clicking "Year" again sorts the other way, keeping the filter and page size.
    assert 'href="?year_from=2010&amp;per_page=500&amp;ordering=year"' in html
    # The export link keeps the filters, not the order (exports stay in id order).
    assert "export_records" not in html
    assert "year_from=2010&amp;format=csv" in html
    assert client.get(url + "?per_page=500").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "ordering=title",
        "ordering=-year",
        "ordering=first_author",
        "ordering=-votes",
        "ordering=-score",
        "ordering=activity",
        "ordering=-imported&year_from=2010",
        "q=trial",
    ],
)
def test_a_deep_page_read_ids_first_gives_the_same_rows(
    client_for, world, shelf, monkeypatch, query
):
    """Deep pages read their ids, then their rows (selectors.paging.DEFERRED_FROM): the
    same records in the same order with the same figures as the one-statement page."""
    from screening.selectors import paging

    client = client_for(world.lead)
    api = reverse("api:record_list", args=[world.review.pk]) + "?" + query
    page = reverse("record_list", args=[world.review.pk]) + "?" + query
    plain = client.get(api).json(), client.get(page).content.decode()
    monkeypatch.setattr(paging, "DEFERRED_FROM", 0)
    deferred = client.get(api).json(), client.get(page).content.decode()
    assert plain[0]["results"] and deferred[0] == plain[0]
    rows = 'data-testid="record" data-record="'
    assert plain[1].count(rows) == len(plain[0]["results"])
    assert deferred[1].split(rows)[1:] == plain[1].split(rows)[1:]
