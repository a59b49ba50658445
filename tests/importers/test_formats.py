"""Each format on a tiny hand-written fixture, with exact field values."""

from pathlib import Path

import pytest

from screening.importers import (
    MalformedFile,
    ParsedRecord,
    Rejection,
    detect_format,
    iter_records,
)
from screening.importers.records import CUT_OFF, NO_CONTENT

FIXTURES = Path(__file__).parent / "fixtures"


def parse(name: str, data: bytes | None = None) -> list[ParsedRecord | Rejection]:
    return list(iter_records(data if data is not None else (FIXTURES / name).read_bytes()))


def test_it_reads_ris_with_ovid_numbering_aliases_and_trailing_tags():
    first, second = parse("sample.ris")
    assert isinstance(first, ParsedRecord)
    assert first.line == 2
    assert first.record_key == "2019-001"
    assert first.title == "Naltrexone for chronic pain & fatigue"
    assert first.authors == ["Smith, John", "Jones, K"]
    assert first.year == 2019
    assert first.abstract == "Low-dose naltrexone reduced pain scores."
    assert first.journal == "Pain Medicine"
    assert (first.volume, first.issue, first.pages) == ("20", "4", "221-226")
    assert first.doi == "10.1093/pm/pnz012"
    assert first.issn == "1526-2375"
    assert first.keywords == ["naltrexone", "chronic pain"]
    assert first.publication_type == "JOUR"
    assert first.raw["NL"] == ["Pain Med"]
    assert first.raw["JA"] == ["Pain Med"]
    assert isinstance(second, ParsedRecord)
    assert second.doi == "10.1000/xyz"
    assert second.pmid == "31690499"


def test_it_rejects_a_ris_record_cut_off_at_end_of_file():
    text = (FIXTURES / "sample.ris").read_text() + "\nTY  - JOUR\nTI  - Half a rec"
    *_, last = parse("", text.encode())
    assert last == Rejection(line=33, reason=CUT_OFF)


def test_it_accepts_ris_without_any_er_lines():
    items = parse("", b"TY  - JOUR\nTI  - One\n\nTY  - JOUR\nTI  - Two\n")
    assert [item.title for item in items] == ["One", "Two"]


def test_it_refuses_ris_with_more_record_ends_than_starts():
    with pytest.raises(MalformedFile) as error:
        parse("", b"TY  - JOUR\nTI  - One\nER  - \nUK  - x\nER  - \n")
    assert error.value.line == 5


def test_it_reads_medline():
    first, second = parse("sample.nbib")
    assert isinstance(first, ParsedRecord)
    assert first.title == "Bioinformatic survey of ABC transporters in dermatophytes."
    assert first.authors == ["Gadzalski, Marek", "Ciesielska, Anita"]
    assert first.doi == "10.1016/j.gene.2015.10.064"
    assert (first.pmid, first.record_key, first.year) == ("26524502", "26524502", 2016)
    assert (first.journal, first.volume, first.issue, first.pages) == (
        "Gene",
        "576",
        "1 Pt 3",
        "466-75",
    )
    assert first.issn == "1879-0038"
    assert first.keywords == ["Humans"]
    assert first.raw["LID"] == ["S0378-1119(15)01297-4 [pii]"]
    assert isinstance(second, ParsedRecord)
    assert (second.line, second.title, second.year) == (24, "Second record", 2018)


def test_it_reads_pubmed_xml_without_reference_dois():
    (record,) = parse("sample_pubmed.xml")
    assert isinstance(record, ParsedRecord)
    assert record.line == 4
    assert record.title == "A new decompression device."
    assert record.abstract == "BACKGROUND: Cysts are common. RESULTS: It worked."
    assert record.authors == ["Kimura, M", "Oral Surgery Group"]
    assert record.doi == "10.1016/j.bjoms.2019.09.011"
    assert record.journal == "The British journal of oral & maxillofacial surgery"
    assert (record.year, record.volume, record.issue, record.pages) == (
        2019,
        "57",
        "10",
        "1120-1122",
    )
    assert record.keywords == ["decompression"]


def test_it_reads_wos_plain_text():
    (record,) = parse("sample.ciw")
    assert isinstance(record, ParsedRecord)
    assert record.line == 3
    assert record.record_key == "WOS:000444108200009"
    assert record.title.endswith("Perceptions of Custody During Interviews and Interrogations")
    assert record.authors == ["Alceste, Fabiana", "Luke, Timothy J."]
    assert record.raw["AU"] == ["Alceste, F", "Luke, TJ"]
    assert record.keywords == ["Police custody", "Interview", "Interrogation"]
    assert (record.pages, record.doi, record.pmid) == (
        "387-397",
        "10.1016/j.jarmac.2018.03.001",
        "12345678",
    )


def test_it_refuses_wos_plain_text_without_ef():
    data = (FIXTURES / "sample.ciw").read_bytes().replace(b"\nEF", b"")
    with pytest.raises(MalformedFile, match="EF"):
        parse("", data)


def test_it_reads_wos_tab_delimited_in_utf16():
    data = (FIXTURES / "sample_wos_tab.txt").read_text().encode("utf-16")
    assert detect_format((FIXTURES / "sample_wos_tab.txt").read_text()) == "wos-tab"
    (record,) = parse("", data)
    assert isinstance(record, ParsedRecord)
    assert record.authors == ["Tonyali, Samet", "Akkaya, Kemal"]
    assert record.keywords == ["IoT", "Privacy"]
    assert (record.pages, record.year) == ("547-557", 2018)


def test_it_reads_bibtex_with_latex_and_rejects_a_broken_entry():
    first, broken, book = parse("sample.bib")
    assert isinstance(first, ParsedRecord)
    assert first.record_key == "mueller2019"
    assert first.title == "The DNA of Müller's été study"
    assert first.authors == ["Müller, Jörg", "Smith, John"]
    assert (first.pages, first.doi) == ("221-226", "10.1000/abc_1")
    assert first.urls == ["https://example.org/~paper_1"]
    assert first.raw["title"] == ["The {DNA} of M{\\\"u}ller's {\\'e}t{\\'e} study"]
    assert isinstance(broken, Rejection)
    assert broken.line == 15
    assert broken.reason.startswith("BibTeX entry could not be read")
    assert isinstance(book, ParsedRecord)
    assert (book.title, book.year, book.publication_type) == ("A Book", 2021, "book")


def test_it_reads_endnote_xml_styles_and_mendeley_variant():
    first, second = parse("sample_endnote.xml")
    assert isinstance(first, ParsedRecord)
    assert first.title == "Herbal gel of Antirrhinum majus"
    assert first.abstract == "BACKGROUND: gel & light."
    assert first.pages == "53-60"
    assert (first.record_key, first.doi, first.year) == ("895", "10.4103/abr.abr_99_17", 2018)
    assert first.raw["ref-type@name"] == ["Journal Article"]
    assert isinstance(second, ParsedRecord)
    assert (second.line, second.journal, second.issue) == (11, "J Vet Intern Med", "3")


def test_it_reads_endnote_tagged_and_rejects_an_empty_record():
    first, second = parse("sample.enw")
    assert isinstance(first, ParsedRecord)
    assert first.authors == ["Smith, John", "Jones, Kate"]
    assert first.abstract == "An abstract that wraps."
    assert first.keywords == ["kw1", "kw2"]
    assert (first.pages, first.doi, first.record_key) == ("221-226", "10.1000/enw.1", "123456")
    assert second == Rejection(line=19, reason=NO_CONTENT)


def test_it_reads_csv_with_aliases_list_literals_and_blank_rows():
    first, empty, second = parse("sample.csv")
    assert isinstance(first, ParsedRecord)
    assert first.record_key == "12"
    assert first.abstract == "Multi-line abstract"
    assert first.authors == ["Marx, Karl", "Lindgren, Astrid"]
    assert (first.year, first.doi, first.keywords) == (2014, "10.1000/csv.1", ["pain", "fatigue"])
    assert first.raw["label_included"] == ["1"]
    assert empty == Rejection(line=4, reason=NO_CONTENT)
    assert isinstance(second, ParsedRecord)
    assert (second.line, second.authors) == (6, ["Rahmani A.M.", "Gia T.N."])


def test_it_reads_semicolon_and_tab_tables():
    (semi,) = parse("sample_semicolon.csv")
    (tab,) = parse("", b"title\tabstract\nTab title\tlorem\n")
    assert isinstance(semi, ParsedRecord) and isinstance(tab, ParsedRecord)
    assert (semi.title, semi.doi) == ("Semi title", "10.1000/semi")
    assert (tab.title, tab.abstract) == ("Tab title", "lorem")


def test_it_decodes_html_entities_in_values():
    (record,) = parse("", b"TY  - JOUR\nTI  - Pain &#x2013; a &amp;amp; b &lt;i&gt;\nER  - \n")
    assert isinstance(record, ParsedRecord)
    assert record.title == "Pain \u2013 a & b <i>"


def test_it_refuses_a_file_without_records():
    with pytest.raises(MalformedFile, match="No records"):
        parse("", b"title,abstract\n")
