"""Failure class 4 of issue 12: every importer fills `issue`, whatever the column is
called (`number`, `issue`, `Issue`, `IS`, `IP`, `%N`, EndNote `<number>`)."""

import pytest

from screening.importers import ParsedRecord, iter_records

TITLE = "Editor's comments"


@pytest.mark.parametrize(
    "data",
    [
        # CSV: Zotero/Scopus style, BibTeX-like (bib-dedupe sets), Lens style.
        b'Title,Year,Volume,Issue,Pages\n"Editor\'s comments",2017,41,3,iii-vii\n',
        b'ID,title,year,volume,number,pages\nr1,"Editor\'s comments",2017,41,3,iii-vii\n',
        b'title,year,volume,issue number,pages\n"Editor\'s comments",2017,41,3,iii-vii\n',
        b'title;year;volume;issue;pages\n"Editor\'s comments";2017;41;3;iii-vii\n',
        # BibTeX: number and issue fields.
        b"@article{r1, title={Editor's comments}, year={2017}, volume={41}, number={3}, pages={iii--vii}}\n",
        b"@article{r1, title={Editor's comments}, year={2017}, volume={41}, issue={3}, pages={iii--vii}}\n",
        # RIS, MEDLINE, EndNote tagged.
        b"TY  - JOUR\nTI  - Editor's comments\nPY  - 2017\nVL  - 41\nIS  - 3\nSP  - iii\nEP  - vii\nER  - \n",
        b"PMID- 1\nTI  - Editor's comments\nDP  - 2017\nVI  - 41\nIP  - 3\nPG  - iii-vii\n\n",
        b"%0 Journal Article\n%T Editor's comments\n%D 2017\n%V 41\n%N 3\n%P iii-vii\n\n",
    ],
    ids=["csv-Issue", "csv-number", "csv-issue-number", "csv-semicolon", "bibtex-number",
         "bibtex-issue", "ris-IS", "medline-IP", "endnote-N"],
)  # fmt: skip
def test_issue_is_filled_from_every_format(data):
    records = [r for r in iter_records(data) if isinstance(r, ParsedRecord)]
    assert len(records) == 1
    record = records[0]
    assert record.title == TITLE
    assert (record.volume, record.issue) == ("41", "3")


def test_endnote_xml_number_is_the_issue():
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?><xml><records><record>'
        b'<ref-type name="Journal Article">17</ref-type>'
        b"<titles><title>Editor's comments</title></titles>"
        b"<dates><year>2017</year></dates><volume>41</volume><number>3</number>"
        b"<pages>iii-vii</pages></record></records></xml>"
    )
    (record,) = [r for r in iter_records(data) if isinstance(r, ParsedRecord)]
    assert (record.volume, record.issue) == ("41", "3")
