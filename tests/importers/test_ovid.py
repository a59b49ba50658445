"""Ovid's own export (tagged "<1. >" / "VN  - Ovid Technologies", or with full field labels) for
Embase, MEDLINE and PsycINFO: the generated fixtures import whole with every field, and the
hand-written quirks each land where they should."""

from dataclasses import asdict
from pathlib import Path

import pytest

from screening.importers import (
    FileLines,
    ParsedRecord,
    Rejection,
    count_records,
    decode,
    detect_format,
    iter_records,
    iter_text_records,
)
from screening.importers.ovid_source import Source, parse_source
from screening.importers.records import NO_CONTENT
from tests.importers import ovid_fixtures

FIXTURES = Path(__file__).parent / "fixtures"


def records(name: str) -> list[ParsedRecord | Rejection]:
    return list(iter_records((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize("db", sorted(ovid_fixtures.COUNTS))
def test_the_fixture_files_are_what_the_generator_writes(db):
    text, _ = ovid_fixtures.generate(db)
    assert decode((FIXTURES / f"ovid_{db}.txt").read_bytes()) == text


@pytest.mark.parametrize("db", sorted(ovid_fixtures.COUNTS))
def test_every_generated_record_imports_with_every_field(db):
    data = (FIXTURES / f"ovid_{db}.txt").read_bytes()
    assert detect_format(decode(data)) == "ovid"
    got = list(iter_records(data))
    expected = ovid_fixtures.expected(db)
    assert len(got) == len(expected) == ovid_fixtures.COUNTS[db]
    for record, want in zip(got, expected, strict=True):
        assert isinstance(record, ParsedRecord)
        assert {name: getattr(record, name) for name in asdict(want)} == asdict(want)
        assert record.raw["VN"] == ["Ovid Technologies"]


def test_embase_fields_and_quirks():
    records = list(iter_records((FIXTURES / "ovid_embase.txt").read_bytes()))
    conference = records[2]  # <3. >: a conference abstract in a supplement, no pagination
    assert (conference.journal, conference.volume, conference.issue, conference.pages) == (
        "Trials in Made-up Care",
        "58",
        "Supplement 2",
        "",
    )
    assert conference.publication_type == "Journal: Conference Abstract"
    assert conference.record_key == "2001000111" and conference.pmid == "30000033"
    assert conference.keywords[0] == "*heart failure"
    assert conference.raw["EM"] == ["200841"]
    assert conference.abstract.startswith("BACKGROUND: We asked whether effect of low-dose")
    no_abstract = [r for r in records if not r.abstract]
    assert no_abstract and all(r.title and r.doi for r in no_abstract)


def test_medline_takes_the_pmid_from_ui_and_full_author_names():
    first, *_ = records("ovid_medline.txt")
    assert first.pmid == first.record_key == first.raw["UI"][0]
    assert first.raw["AU"] != first.authors  # "Smith J" kept in raw, "Smith, John" used
    assert all(", " in name for name in first.authors)
    assert first.keywords[0].startswith("*") and first.keywords[0].endswith("/th [Therapy]")


def test_psycinfo_pages_year_and_key_concepts():
    records_ = records("ovid_psycinfo.txt")
    no_pages = records_[4]  # <5. >: "No Pagination Specified"
    assert no_pages.pages == "" and no_pages.raw["PG"] == ["No Pagination Specified"]
    assert no_pages.record_key.count("-") == 2
    assert records_[0].publication_type == "Journal; Peer Reviewed Journal"
    with_abstract = next(r for r in records_ if r.abstract)
    assert with_abstract.abstract.endswith("(PsycInfo Database Record (c) 2024 APA)")
    concepts = records_[0].raw["ID"][0].split("; ")
    assert records_[0].keywords[-len(concepts) :] == concepts


def test_hand_written_quirks():
    conference, medline, patent, psycinfo, empty = records("ovid_quirks.txt")
    assert conference.title.endswith("over three lines of the export because its title is long")
    assert conference.authors == ["Okafor N.", "Lindqvist B.", "Moreau C."]
    assert (conference.journal, conference.volume, conference.issue, conference.pages) == (
        "BMC Proceedings",
        "12",
        "Supplement 3",
        "",
    )
    assert (conference.year, conference.doi, conference.pmid) == (
        2018,
        "10.1186/s12919-018-0000-x",
        "29999001",
    )
    assert conference.keywords == ["*sepsis/di [Diagnosis]", "biological marker", "human"]
    assert medline.title == "[A made-up survey of rural clinics]."
    assert medline.raw["TI"] == ["[A made-up survey of rural clinics].  [Article]"]
    assert (medline.pmid, medline.language, medline.publication_type) == (
        "28000002",
        "German",
        "Journal Article",
    )
    assert (medline.volume, medline.issue, medline.pages, medline.year) == (
        "111",
        "2",
        "e45-e52",
        2017,
    )
    assert medline.raw["DE"] == [
        "first paragraph of a value",
        "second paragraph after a blank line",
    ]
    assert patent.authors == ["Ferreira, Ana B.", "Sato, Ken"]
    assert patent.raw["SO"][0].endswith("Series Information:  Not a real series.")
    assert (psycinfo.pages, psycinfo.year, psycinfo.pmid) == ("", 2019, "")
    assert empty == Rejection(line=67, reason=NO_CONTENT)


def test_full_field_labels():
    medline, embase = records("ovid_labelled.txt")
    assert detect_format((FIXTURES / "ovid_labelled.txt").read_text()) == "ovid"
    assert medline.title == "Imaginary exercise for invented knees: a pretend randomised trial."
    assert medline.authors == ["Kowalski, Jan", "Ng, Priya"]
    assert medline.abstract == "BACKGROUND: None of this happened. RESULTS: Still nothing happened."
    assert (medline.pmid, medline.doi, medline.year) == ("31000001", "10.1000/jso.2019.44", 2019)
    assert (medline.journal, medline.volume, medline.issue, medline.pages) == (
        "Journal of Synthetic Orthopaedics",
        "44",
        "7",
        "1201-1209",
    )
    assert medline.keywords == ["Aged", "*Osteoarthritis, Knee/rh [Rehabilitation]"]
    assert medline.raw["Country of Publication"] == ["England"]
    assert embase.authors == ["Haddad R.", "Petrov S."]
    assert (embase.issue, embase.pages, embase.year) == ("Supplement 1", "S12-S13", 2020)


def test_a_file_without_record_numbers_splits_at_each_vn_line():
    text = "VN  - Ovid Technologies\nTI  - One\n\nVN  - Ovid Technologies\nTI  - Two\n"
    assert detect_format(text) == "ovid"
    assert [r.title for r in iter_records(text.encode())] == ["One", "Two"]


def test_it_streams_from_file_lines_and_counts_records(tmp_path):
    path = tmp_path / "embase.txt"
    path.write_bytes((FIXTURES / "ovid_embase.txt").read_bytes())
    lines = FileLines(lambda: path.open("rb"), "utf-8", max_line=10_000)
    assert count_records(lines, fmt="ovid", limit=10_000) == 300
    assert sum(1 for _ in iter_text_records(lines, fmt="ovid")) == 300


@pytest.mark.parametrize(
    ("source", "parsed"),
    [
        (
            "Lancet. 391 (10120) (pp 541-551), 2018. Date of Publication: 10 February 2018.",
            Source("Lancet", "391", "10120", "541-551", 2018),
        ),
        (
            "J Invented. Conference: 2018 Annual Meeting. United States. 36 (15 Supplement 1) (pp S123), 2018.",
            Source("J Invented", "36", "15 Supplement 1", "S123", 2018),
        ),
        ("Handbook of X. (pp 1-20), 2018.", Source("Handbook of X", "", "", "1-20", 2018)),
        ("BMJ. 360:k123, 2018 01 15.", Source("BMJ", "360", "", "k123", 2018)),
        (
            "Pediatrics. 141(Suppl 2):S123-S130, 2018 Feb.",
            Source("Pediatrics", "141", "Suppl 2", "S123-S130", 2018),
        ),
        (
            "Dissertation Abstracts International: Section B. Vol.80(5-B(E)), 2019, pp. No Pagination Specified.",
            Source("Dissertation Abstracts International: Section B", "80", "5-B(E)", "", 2019),
        ),
        ("Journal X. Vol.12, Mar 2019, ArtID 123.", Source("Journal X", "12", "", "123", 2019)),
        ("Journal X. 2019 Jan 15.", Source("Journal X", "", "", "", 2019)),
        ("", Source()),
    ],
)
def test_source_lines(source, parsed):
    assert parse_source(source) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "1.\nTY  - JOUR\nTI  - Ovid RIS\nER  - \n",  # Ovid's RIS stays RIS
        "<1. >\nnot a tag at all\n",
        "<html><body>x</body></html>",
    ],
)
def test_only_ovid_shaped_files_are_read_as_ovid(text):
    try:
        fmt = detect_format(text)
    except Exception:  # noqa: BLE001 - refusals are checked in test_decode_detect
        fmt = None
    assert fmt != "ovid"


SEARCH_HISTORY = """Database: Embase <1974 to 2026 November 30>
Search Strategy:
--------------------------------------------------------------------------------
1     exp invented condition/ (1234)
2     (pretend adj3 therap*).ti,ab. (567)
3     1 and 2 (89)
4     limit 3 to yr="2015 -Current" (42)

***************************
"""


@pytest.mark.parametrize("name", ["ovid_quirks.txt", "ovid_labelled.txt"])
def test_the_search_history_ovid_puts_first_is_skipped(name):
    text = SEARCH_HISTORY + (FIXTURES / name).read_text()
    assert detect_format(text) == "ovid"
    with_history = list(iter_records(text.encode()))
    plain = records(name)
    assert [r.title if isinstance(r, ParsedRecord) else r for r in with_history] == [
        r.title if isinstance(r, ParsedRecord) else Rejection(r.line + 9, r.reason) for r in plain
    ]


def test_an_unindented_line_with_a_dash_continues_the_value():
    text = "<1. >\nVN  - Ovid Technologies\nTI  - Outcomes of people living with\nHIV-1 infection\nAU  - Ng P.\n"
    (record,) = iter_records(text.encode())
    assert record.title == "Outcomes of people living with HIV-1 infection"
    assert record.authors == ["Ng P."]


def test_original_title_abbreviations_and_language_dots():
    text = (
        "<1. >\nVN  - Ovid Technologies\nDB  - Embase\nAN  - 1\nTI  - An invented title\n"
        "OT  - Ein erfundener Titel\nID  - 12345\nTA  - J Invent Med\nLG  - German.\n"
        "SO  - Journal of Invented Medicine. 3 (1) (pp 1-2), 2020.\n"
    )
    (record,) = iter_records(text.encode())
    assert record.keywords == [] and record.raw["OT"] == ["Ein erfundener Titel"]
    assert record.journal == "Journal of Invented Medicine" and record.language == "German"
    (abbreviated,) = iter_records(text.replace("SO  - ", "XX  - ").encode())
    assert abbreviated.journal == "J Invent Med"


def test_a_value_wrapped_over_many_lines_is_joined_once_and_held_to_the_field_cap():
    wrapped = "      word\n" * 300_000  # 3 MB of continuation lines under one AB
    text = f"<1. >\nVN  - Ovid Technologies\nTI  - Fine\nAB  - start\n{wrapped}<2. >\nTI  - Next\n"
    first, second = iter_records(text.encode())
    assert first == Rejection(
        1, "the 'AB' value is longer than 200,000 characters, the limit for one field"
    )
    assert second.title == "Next" and second.line == 300_005
