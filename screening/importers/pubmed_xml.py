"""PubMed XML (``<PubmedArticleSet>``, from "Save > XML" or E-utilities efetch)."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from . import aliases
from .budget import DEFAULT, Budget
from .decoding import FileLines
from .records import ParsedRecord, Rejection, build_record
from .xmltree import flatten, iter_record_elements, text_of

RECORD_TAGS = frozenset({"PubmedArticle", "PubmedBookArticle"})


def _derived(element: Element) -> dict[str, list[str]]:
    """Fields PubMed spreads over several elements: labelled abstract sections, author names,
    the DOI among the other article ids, keywords and MeSH headings."""
    sections = []
    for part in element.iter("AbstractText"):
        label = part.get("Label")
        body = text_of(part).strip()
        sections.append(f"{label}: {body}" if label and body else body)
    authors = []
    for author in element.iterfind(".//AuthorList/Author"):
        last, fore = author.findtext("LastName", ""), author.findtext("ForeName", "")
        fore = fore or author.findtext("Initials", "")
        name = f"{last}, {fore}" if last and fore else last or author.findtext("CollectiveName", "")
        if name and author.get("ValidYN", "Y") == "Y":
            authors.append(name)
    # Only the article's own ids: the reference list below also holds ArticleId elements.
    dois = [text_of(e) for e in element.iter("ELocationID") if e.get("EIdType") == "doi"]
    dois += [
        text_of(e)
        for e in element.iterfind("PubmedData/ArticleIdList/ArticleId")
        if e.get("IdType") == "doi"
    ]
    keywords = [text_of(e) for e in element.iter("Keyword")]
    keywords += [text_of(e) for e in element.iter("DescriptorName")]
    return {
        "abstract": [" ".join(s for s in sections if s)],
        "authors": authors,
        "doi": dois,
        "keywords": keywords,
    }


def parse(text: str | FileLines, *, budget: Budget = DEFAULT) -> Iterator[ParsedRecord | Rejection]:
    """Yield one record per ``<PubmedArticle>`` (or book article), in file order."""
    records = iter_record_elements(text, RECORD_TAGS, max_record_chars=budget.max_record_chars)
    for line, element in records:
        if isinstance(element, Rejection):
            yield element
            continue
        raw = flatten(element, {})
        record = build_record({**raw, **_derived(element)}, aliases.PUBMED_XML, line=line)
        if isinstance(record, ParsedRecord):
            record.raw = raw
        yield record
