"""The records search: the syntax (pure) and what it finds on the database in use
(SQLite here; the services run repeats it on PostgreSQL with full-text search)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.urls import reverse

from screening.highlight import Highlighter
from screening.models import Record
from screening.search import ANY, Term, parse
from screening.selectors.search import DOCUMENT_EXPRESSION, search_records
from tests.factories import make_batch, make_record

# --- the syntax ------------------------------------------------------------------------


def test_words_phrases_prefixes_and_exclusions():
    plan = parse('naltrexone "low dose" fibro* -mouse')
    assert plan.terms == (
        Term("naltrexone"),
        Term("low dose", phrase=True),
        Term("fibro", prefix=True),
        Term("mouse", negate=True),
    )
    assert plan.highlight_terms() == ["naltrexone*", "low dose", "fibro*"]


def test_field_prefixes_and_years():
    plan = parse(
        'ti:"chronic pain" ab:placebo au:smith kw:opioid jo:pain -au:jones year:2015..2019'
    )
    assert [(t.field, t.text, t.negate) for t in plan.terms] == [
        ("title", "chronic pain", False),
        ("abstract", "placebo", False),
        ("authors", "smith", False),
        ("keywords", "opioid", False),
        ("journal", "pain", False),
        ("authors", "jones", True),
    ]
    assert (plan.year_from, plan.year_to) == (2015, 2019)
    assert (parse("year:2019").year_from, parse("year:2019").year_to) == (2019, 2019)
    assert (parse("year:2019..").year_from, parse("year:2019..").year_to) == (2019, None)
    assert (parse("year:..2019").year_from, parse("year:..2019").year_to) == (None, 2019)
    assert (parse("year:2021..2019").year_from, parse("year:2021..2019").year_to) == (2019, 2021)


def test_dois_pmids_and_odd_input():
    assert parse("doi:10.1000/ABC").terms == (Term("10.1000/ABC", "doi"),)
    assert parse("10.1000/abc").terms == (Term("10.1000/abc", ANY),)
    assert parse("pmid:123456").terms == (Term("123456", "pmid"),)
    assert "not a year" in parse("year:soon pain").errors[0]
    assert parse("year:soon pain").terms == (Term("pain"),)
    assert parse("covid:19").terms == (Term("covid 19", phrase=True),)  # not a field
    assert parse('"unclosed phrase').terms == (Term("unclosed phrase", phrase=True),)
    assert parse("low-dos*").terms == (Term("low"), Term("dos", prefix=True))
    assert parse('- "" * -- ***').terms == ()
    assert parse("").empty and not parse("x").empty
    assert len(parse(" ".join(f"w{i}" for i in range(50))).terms) == 20
    # Nothing the user types reaches SQL as SQL: prefixes keep word characters only.
    assert parse("x'):*|!&*").terms[-1].text.isalnum()


def test_the_migration_indexes_the_document_the_search_uses():
    # 0010 created the stored document, 0023 moved it to its own table: the same one.
    migration = importlib.import_module("screening.migrations.0010_record_search")
    assert migration.DOCUMENT == DOCUMENT_EXPRESSION


# --- on the database -----------------------------------------------------------------


@pytest.fixture
def library(world):
    batch = make_batch(world.review)
    make = lambda **f: make_record(batch, **f)  # noqa: E731
    return {
        "ldn": make(
            title="Low dose naltrexone for fibromyalgia",
            abstract="A randomised placebo-controlled trial in women with chronic pain.",
            authors=["Younger J", "Mackey S"],
            keywords=["Opioid antagonists", "Pain"],
            journal="Arthritis Rheum",
            year=2013,
            doi="10.1002/art.37734",
            pmid="23359310",
        ),
        "mouse": make(
            title="Naltrexone in a mouse model of neuropathic pain",
            abstract="Mice received naltrexone at low and high doses.",
            authors=["Smith AB"],
            keywords=["Animal model"],
            journal="Pain",
            year=2018,
            doi="10.1016/j.pain.2018.01.001",
        ),
        "crps": make(
            title="Complex regional pain syndrome treated with LDN",
            abstract="Case series.",
            authors=["Chopra P", "Cooper MS"],
            journal="Pain Med",
            year=2021,
        ),
        "spain": make(title="Opioid use in Spain", abstract="A survey.", year=2020),
    }


def found(world, library, text) -> set[str]:
    names = {record.pk: name for name, record in library.items()}
    hits = search_records(Record.objects.filter(review=world.review), text)
    return {names[pk] for pk in hits.values_list("pk", flat=True)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("naltrexone", {"ldn", "mouse"}),
        ("NALTREXONE pain", {"ldn", "mouse"}),
        ("pain", {"ldn", "mouse", "crps"}),  # a word, not "Spain"
        ('"low dose"', {"ldn"}),
        ('"dose low"', set()),
        ("naltrex*", {"ldn", "mouse"}),
        ("naltrexone -mouse", {"ldn"}),
        ("ti:pain", {"mouse", "crps"}),
        ("ab:placebo", {"ldn"}),
        ("au:smith", {"mouse"}),
        ("au:chopra pain", {"crps"}),
        ("kw:opioid", {"ldn"}),
        ("jo:pain", {"mouse", "crps"}),
        ("-kw:animal naltrexone", {"ldn"}),
        ("doi:10.1016/j.pain", {"mouse"}),
        ("10.1002/art.37734", {"ldn"}),
        ("23359310", {"ldn"}),
        ("year:2018..2020", {"mouse", "spain"}),
        ("pain year:2019..", {"crps"}),
        ("opioid", {"ldn", "spain"}),
        ("fibromyalgia -fibromyalgia", set()),
        ("zzzz", set()),
    ],
)
def test_it_finds_what_the_syntax_says(world, library, text, expected):
    assert found(world, library, text) == expected, connection.vendor


def test_the_records_list_and_api_search_with_the_same_syntax_and_highlight(
    world, library, client_for
):
    client = client_for(world.viewer)
    html = client.get(
        reverse("record_list", args=[world.review.pk]), {"q": "naltrex* -mouse"}
    ).content.decode()
    assert html.count('data-testid="record"') == 1
    assert '<mark class="search-hit">naltrexone</mark>' in html
    response = client.get(reverse("api:record_list", args=[world.review.pk]), {"q": "au:smith"})
    assert [r["id"] for r in response.json()["results"]] == [library["mouse"].pk]
    bad = client.get(reverse("api:record_list", args=[world.review.pk]), {"q": "year:soon"})
    assert bad.status_code == 400 and "year" in bad.content.decode()


def test_highlighting_escapes_record_text(world, client_for):
    batch = make_batch(world.review)
    make_record(batch, title="<img src=x onerror=alert(1)> naltrexone <b>")
    html = (
        client_for(world.viewer)
        .get(reverse("record_list", args=[world.review.pk]), {"q": "naltrexone"})
        .content.decode()
    )
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert '<mark class="search-hit">naltrexone</mark>' in html


def test_the_search_highlighter_marks_word_forms():
    marked = Highlighter(parse("trial").highlight_terms(), css="search-hit")("Two trials & a trial")
    assert marked == (
        'Two <mark class="search-hit">trials</mark> &amp; a <mark class="search-hit">trial</mark>'
    )


def test_postgresql_uses_the_full_text_index(world, library):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    # Unordered, and with plain index scans off: on a tiny table the planner may otherwise
    # walk the primary key and filter, which says nothing about whether the index serves.
    records = search_records(Record.objects.all(), "ti:naltrexone fibro*").order_by()
    sql, params = records.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The whole document's index (on its own table since migration 0023), or the
    # title's own (migration 0017) for `ti:`.
    assert "recordsearch_document" in plan or "record_title_document" in plan, plan
