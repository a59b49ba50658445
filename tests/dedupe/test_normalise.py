"""Field normalisation: equal things in different export styles come out equal."""

import pytest

from screening.dedupe.normalise import (
    normalise_author,
    normalise_doi,
    normalise_journal,
    normalise_pages,
    normalise_pmid,
    normalise_title,
    notice_kind,
    split_authors,
    title_part,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("221-6", ("221", "226")),
        ("221-226", ("221", "226")),
        ("9848--9853", ("9848", "9853")),
        ("S221-6", ("s221", "s226")),
        ("742-8; discussion 748-9", ("742", "748")),
        ("21-Aug", ("21", "28")),  # a spreadsheet's date for "21-8"
        ("e12724", ("e12724", "")),
        ("Suppl-29", ("", "")),
        ("NA", ("", "")),
    ],
)
def test_pages_expand_abbreviated_ends(raw, expected):
    assert normalise_pages(raw) == expected


@pytest.mark.parametrize(
    "raw", ["Smith, John A.", "Smith JA", "J. A. Smith", "John A Smith", "Smith, J.A."]
)
def test_author_styles_agree_on_surname_and_first_initial(raw):
    author = normalise_author(raw)
    assert author.surname == "smith"
    assert author.initials.startswith("j")


def test_ambiguous_author_keeps_both_readings():
    author = normalise_author("Omulo Sylvia")
    assert {author.surname, *author.alternatives} >= {"omulo", "sylvia"}


def test_split_authors_handles_glued_asysd_lists():
    assert split_authors("Adeli K.Lewis G. F.") == ("Adeli K.", "Lewis G. F.")
    assert split_authors("Abrahao, Bruno and Parigi, Paolo") == ("Abrahao, Bruno", "Parigi, Paolo")
    assert split_authors("B. Abrahao; P. Parigi") == ("B. Abrahao", "P. Parigi")


def test_doi_is_bare_and_lower_case():
    assert normalise_doi("https://doi.org/10.1073/PNAS.1604234114.") == "10.1073/pnas.1604234114"
    assert normalise_doi("http://dx.doi.org/10.1016/j.x.2010.01.031") == "10.1016/j.x.2010.01.031"
    assert normalise_doi("NA") == ""


def test_pmid_digits_only():
    assert normalise_pmid("PMID: 012345") == "12345"


def test_translated_title_brackets_and_tags_are_dropped():
    assert normalise_title(
        "[Current aspects of HUS in children]. [Review] [16 refs] [Romanian]"
    ) == ("current aspects of hus in children")
    assert normalise_title("Exenatide inhibits K<inf>Ca</inf>3.1 channels") == (
        "exenatide inhibits kca3 1 channels"
    )
    assert normalise_title("UNKNOWN") == ""


def test_journal_alternatives_and_conference_suffix():
    assert normalise_journal("J Thromb Haemost.Conference: 22nd Congress") == (
        "j thromb haemost",
        "22nd congress",  # the meeting, last: another export may name only it
    )
    assert "canadian medical association journal" in normalise_journal(
        "CMAJ : Canadian Medical Association journal = Journal de l'Association medicale canadienne"
    )


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Erratum: Severe deficiency of ADAMTS13", "erratum"),
        ("Correction to: Severe deficiency of ADAMTS13", "erratum"),
        ("Eculizumab for aHUS (vol 360, pg 542, 2009)", "erratum"),
        ("Notice of retraction: Severe deficiency", "retraction"),
        ("Comment on: Severe deficiency of ADAMTS13", "comment"),
        ("Reply to Smith et al.", "reply"),
        ("Gain-of-function mutations.[Erratum appears in PNAS 2007;104:19]", ""),
        ("Correction of iron deficiency in pregnancy", ""),
    ],
)
def test_notice_kind(title, kind):
    assert notice_kind(title) == kind


def test_title_part_reads_roman_and_arabic():
    assert title_part("clinical trials part ii design") == "2"
    assert title_part("clinical trials part 2 design") == "2"
    assert title_part("a partial view") == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Erratum: Severe deficiency of ADAMTS13", "severe deficiency of adamts13"),
        ("Correction to: Severe deficiency of ADAMTS13", "severe deficiency of adamts13"),
        ("Erratum", "erratum"),  # a bare heading stays (generic) title text
        ("Erratum: Table 2", "erratum table 2"),  # too short to be an article's title
        (
            "Correction of iron deficiency in pregnancy",
            "correction of iron deficiency in pregnancy",
        ),
    ],
)
def test_a_notice_prefix_leaves_the_articles_title(title, expected):
    assert normalise_title(title) == expected


def test_normalised_records_are_small_and_share_their_issue_sets():
    # A 200k-record review holds every normalised record at once while it is matched:
    # no per-instance __dict__, and one object for equal issue sets.
    from screening.dedupe.normalise import normalise_record
    from screening.dedupe.records import DedupeRecord

    one, two = (
        normalise_record(DedupeRecord(id=i, title=f"Trial {i}", issue="3", pages=f"{i}0-{i}9"))
        for i in (1, 2)
    )
    assert not hasattr(one, "__dict__")
    assert not hasattr(one.authors, "__dict__")
    assert one.issues == frozenset({"3"})
    assert one.issues is two.issues


def test_records_share_their_authors_and_page_strings():
    from screening.dedupe.normalise import normalise_record
    from screening.dedupe.records import DedupeRecord

    one, two = (
        normalise_record(
            DedupeRecord(id=i, title="Trial", authors=(f"Okafor, {given} N",), pages="221-6")
        )
        for i, given in ((1, "Ada"), (2, "Amaka"))
    )
    assert one.authors[0].surname is two.authors[0].surname
    assert one.authors[0].initials is two.authors[0].initials
    assert one.page_start is two.page_start and one.page_end is two.page_end
