"""XML and BibTeX are parsed from the stored file as a stream: records, lines and caps come
out as when the text is parsed whole, across the chunk and batch boundaries."""

from __future__ import annotations

import io

from screening.importers import (
    Budget,
    FileLines,
    ParsedRecord,
    Rejection,
    count_records,
    iter_text_records,
)
from screening.importers.budget import DEFAULT
from screening.importers.decoding import _CHUNK


def _lines(text: str, *, max_line: int = 2_000_000) -> FileLines:
    data = text.encode("utf-8")
    return FileLines(lambda: io.BytesIO(data), "utf-8", max_line=max_line)


def _endnote(titles: list[str], *, pad: str = "") -> str:
    records = "".join(
        f"<record>{pad}<titles><title>{t}</title></titles></record>\n" for t in titles
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n{records}</records></xml>\n'


def _read(source, fmt: str, budget: Budget = DEFAULT) -> list[tuple[int, str]]:
    return [
        (item.line, item.title if isinstance(item, ParsedRecord) else item.reason)
        for item in iter_text_records(source, fmt=fmt, budget=budget)
    ]


def test_endnote_xml_from_the_file_matches_the_text_with_lines_past_a_chunk():
    # Each record is ~300 KB, so records cross the 1 MB chunks the stream is read in.
    text = _endnote([f"Title {n}" for n in range(8)], pad=" " * 300_000)
    from_file = _read(_lines(text), "endnote-xml")
    assert from_file == _read(text, "endnote-xml")
    assert from_file[:3] == [(3, "Title 0"), (4, "Title 1"), (5, "Title 2")]


def test_xml_on_one_line_streams_and_counts_tags_cut_between_chunks():
    # A whole export on one line (as EndNote often writes it), with record tags across
    # the chunk boundaries.
    records = "".join(f"<record><titles><title>T{n}</title></titles></record>" for n in range(4))
    head = "<xml><records>" + " " * (_CHUNK - 16)  # the first "<record" is cut in two
    text = head + records + "</records></xml>"
    source = _lines(text, max_line=1000)
    assert count_records(source, fmt="endnote-xml", limit=100) == 4
    assert count_records(source, fmt="endnote-xml", limit=2) > 2
    assert _read(source, "endnote-xml") == [(1, f"T{n}") for n in range(4)]


def test_pubmed_xml_from_the_file_matches_the_text():
    articles = "".join(
        f"<PubmedArticle>\n<MedlineCitation><PMID>{n}</PMID><Article><ArticleTitle>A{n}"
        "</ArticleTitle></Article></MedlineCitation>\n</PubmedArticle>\n"
        for n in range(1, 4)
    )
    text = f"<?xml version='1.0'?>\n<PubmedArticleSet>\n{articles}</PubmedArticleSet>\n"
    assert _read(_lines(text), "pubmed-xml") == _read(text, "pubmed-xml")
    assert _read(_lines(text), "pubmed-xml") == [(3, "A1"), (6, "A2"), (9, "A3")]


def _bib(key: str, title: str, extra: str = "") -> str:
    return f"@article{{{key},\n  title = {{{title}}},\n{extra}}}\n\n"


def test_bibtex_strings_apply_to_later_batches_and_lines_stay_right():
    filler = "".join(
        _bib(f"k{n}", f"Filler {n}", "  note = {" + "x" * 2000 + "},\n") for n in range(300)
    )
    text = (
        '@string{jrn = "Journal of Streams"}\n\n'
        + _bib("first", "First")
        + filler  # ~600 KB: the entries after it are parsed in later batches
        + _bib("late", "Late", "  journal = jrn,\n")
        + _bib("first", "Again")
    )
    items = list(iter_text_records(_lines(text), fmt="bibtex"))
    assert [(i.line, i.title) for i in items[:2]] == [(3, "First"), (7, "Filler 0")]
    late, again = items[-2:]
    assert isinstance(late, ParsedRecord) and late.title == "Late"
    assert late.journal == "Journal of Streams"
    assert late.line == text.count("\n", 0, text.index("@article{late")) + 1
    assert isinstance(again, Rejection)
    assert again.line == text.count("\n", 0, text.rindex("@article{first")) + 1
    assert again.reason == "BibTeX entry could not be read: Duplicate entry key 'first'"
    # the same records, lines and rejections as the text parsed whole
    assert [(i.line, type(i)) for i in items] == [
        (i.line, type(i)) for i in iter_text_records(text, fmt="bibtex")
    ]


def test_a_bibtex_entry_on_one_huge_line_is_measured_but_never_kept():
    budget = Budget(max_record_chars=10_000)
    text = (
        _bib("a", "Fine") + "@article{b, title = {" + "y" * 50_000 + "}}\n" + _bib("c", "Also fine")
    )
    items = _read(_lines(text, max_line=budget.max_record_chars + 1000), "bibtex", budget)
    assert items == [
        (1, "Fine"),
        (5, "the entry is 50,024 characters long; the limit is 10,000"),
        (6, "Also fine"),
    ]
