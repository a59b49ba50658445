"""The side-by-side comparison on the Duplicates page marks what differs."""

from screening.models import Record
from screening.selectors.dedupe import compare_records

TITLE = "Complement inhibition for atypical haemolytic uraemic syndrome after transplantation"


def _title_row(a: Record, b: Record):
    return next(row for row in compare_records(a, b) if row.name == "title")


def test_an_erratum_title_is_marked_as_differing_from_its_article():
    """The matcher compares an erratum by the article's title; a person must still see
    that one record is the notice."""
    article = Record(title=TITLE, authors=["Nurnberg, J."], year=2009)
    erratum = Record(title="Erratum: " + TITLE, authors=["Nurnberg, J."], year=2009)
    row = _title_row(article, erratum)
    assert not row.same
    assert any(differs and "Erratum" in text for text, differs in row.b)


def test_titles_differing_only_in_case_and_punctuation_are_the_same():
    row = _title_row(Record(title=TITLE), Record(title=TITLE.upper() + "."))
    assert row.same
