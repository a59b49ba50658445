"""The one table of tag aliases: for each format, which tags or columns feed which field of
the common record, best first. Adding a format is adding a row here and a module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldAliases:
    """Where a format keeps each field. Every entry lists alternatives in order of preference;
    the first tag holding a non-empty value wins."""

    record_key: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    abstract: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    # RIS writes primary authors as AU or A1 (sometimes both in one record): keep all.
    combine_authors: bool = False
    year: tuple[str, ...] = ()
    journal: tuple[str, ...] = ()
    volume: tuple[str, ...] = ()
    issue: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    start_page: tuple[str, ...] = ()
    end_page: tuple[str, ...] = ()
    # Tags searched for a DOI; fields such as M3 or UR are only used when they hold one.
    doi: tuple[str, ...] = ()
    pmid: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    publication_type: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()


RIS = FieldAliases(
    record_key=("ID", "AN"),
    title=("TI", "T1", "CT", "BT"),
    abstract=("AB", "N2"),
    authors=("AU", "A1"),
    combine_authors=True,
    year=("PY", "Y1", "DA", "Y2"),
    journal=("JF", "T2", "JO", "JA", "J2", "J1"),
    volume=("VL", "VO"),
    issue=("IS", "CP", "M1"),
    start_page=("SP",),
    end_page=("EP",),
    doi=("DO", "DI", "M3", "UR", "L3", "L2", "LK"),
    issn=("SN",),
    keywords=("KW",),
    language=("LA",),
    publication_type=("TY",),
    urls=("UR", "L2", "LK", "L1"),
)

MEDLINE = FieldAliases(
    record_key=("PMID",),
    title=("TI", "BTI", "TT"),
    abstract=("AB",),
    authors=("FAU", "AU", "CN"),
    year=("DP", "DEP", "DA", "EDAT"),
    journal=("JT", "TA", "BTI"),
    volume=("VI",),
    issue=("IP",),
    pages=("PG",),
    doi=("AID", "LID"),
    pmid=("PMID",),
    issn=("IS",),
    keywords=("MH", "OT"),
    language=("LA",),
    publication_type=("PT",),
)

WOS = FieldAliases(
    record_key=("UT",),
    title=("TI",),
    abstract=("AB",),
    authors=("AF", "AU", "CA"),
    year=("PY", "EY", "PD"),
    journal=("SO", "SE", "J9", "JI"),
    volume=("VL",),
    issue=("IS",),
    start_page=("BP", "AR"),
    end_page=("EP",),
    doi=("DI", "D2"),
    pmid=("PM",),
    issn=("SN", "EI"),
    keywords=("DE", "ID"),
    language=("LA",),
    publication_type=("DT", "PT"),
    urls=("DL",),
)

ENDNOTE_TAGGED = FieldAliases(
    record_key=("%M", "%F"),
    title=("%T",),
    abstract=("%X",),
    authors=("%A",),
    year=("%D", "%8"),
    journal=("%J", "%B"),
    volume=("%V",),
    issue=("%N",),
    pages=("%P",),
    doi=("%R", "%U"),
    issn=("%@",),
    keywords=("%K",),
    language=("%G",),
    publication_type=("%0",),
    urls=("%U",),
)

# EndNote XML keys are element paths below <record>, with <style> wrappers removed.
ENDNOTE_XML = FieldAliases(
    record_key=("rec-number", "accession-num"),
    title=("titles/title",),
    abstract=("abstract",),
    authors=("contributors/authors/author",),
    year=("dates/year", "dates/pub-dates/date"),
    journal=("periodical/full-title", "titles/secondary-title", "journal", "periodical/abbr-1"),
    volume=("volume",),
    issue=("number", "issue"),
    pages=("pages",),
    doi=("electronic-resource-num", "urls/related-urls/url", "urls/web-urls/url", "notes"),
    issn=("isbn",),
    keywords=("keywords/keyword",),
    language=("language",),
    publication_type=("ref-type@name", "work-type"),
    urls=("urls/related-urls/url", "urls/web-urls/url"),
)

# PubMed XML keys are element paths below <PubmedArticle>; a few are derived (see pubmed_xml).
PUBMED_XML = FieldAliases(
    record_key=("MedlineCitation/PMID",),
    title=("MedlineCitation/Article/ArticleTitle", "BookDocument/Book/BookTitle"),
    abstract=("abstract",),
    authors=("authors",),
    year=(
        "MedlineCitation/Article/Journal/JournalIssue/PubDate/Year",
        "MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate",
        "MedlineCitation/Article/ArticleDate/Year",
    ),
    journal=(
        "MedlineCitation/Article/Journal/Title",
        "MedlineCitation/MedlineJournalInfo/MedlineTA",
    ),
    volume=("MedlineCitation/Article/Journal/JournalIssue/Volume",),
    issue=("MedlineCitation/Article/Journal/JournalIssue/Issue",),
    pages=("MedlineCitation/Article/Pagination/MedlinePgn",),
    start_page=("MedlineCitation/Article/Pagination/StartPage",),
    end_page=("MedlineCitation/Article/Pagination/EndPage",),
    doi=("doi",),
    pmid=("MedlineCitation/PMID",),
    issn=("MedlineCitation/Article/Journal/ISSN", "MedlineCitation/MedlineJournalInfo/ISSNLinking"),
    keywords=("keywords",),
    language=("MedlineCitation/Article/Language",),
    publication_type=("MedlineCitation/Article/PublicationTypeList/PublicationType",),
)

# BibTeX field names, lower-cased; "ID" is the entry key and "ENTRYTYPE" its type.
BIBTEX = FieldAliases(
    record_key=("ID",),
    title=("title", "booktitle"),
    abstract=("abstract",),
    authors=("author", "editor"),
    year=("year", "date"),
    journal=("journal", "journaltitle", "booktitle", "series"),
    volume=("volume",),
    issue=("number", "issue"),
    pages=("pages",),
    doi=("doi", "url", "note"),
    pmid=("pmid",),
    issn=("issn",),
    keywords=("keywords", "keyword", "author_keywords", "mesh"),
    language=("language", "langid"),
    publication_type=("ENTRYTYPE", "type", "document_type"),
    urls=("url",),
)

# CSV column names are matched lower-cased with runs of spaces/underscores/dots as one space.
CSV = FieldAliases(
    record_key=("record id", "id", "key", "lens id", "customid", "eid", "accession number"),
    title=("title", "ti", "primary title", "article title", "document title", "display name", "t1"),
    abstract=("abstract", "ab", "abstract note", "notes abstract", "n2", "description"),
    authors=(
        "authors",
        "author",
        "au",
        "first authors",
        "author names",
        "author/s",
        "author full names",
        "authorships author display name",
        "a1",
    ),
    year=("year", "publication year", "py", "pubyear", "date published", "date", "y1", "da"),
    journal=(
        "journal",
        "source title",
        "publication title",
        "publicationname",
        "secondary title",
        "journal name",
        "source",
        "jo",
        "t2",
        "jf",
        "primary location source display name",
    ),
    volume=("volume", "vl", "biblio volume"),
    issue=("issue", "number", "issue number", "is", "biblio issue"),
    pages=("pages", "page", "page range"),
    start_page=("start page", "page start", "first page", "sp", "biblio first page"),
    end_page=("end page", "page end", "last page", "ep", "biblio last page"),
    doi=("doi", "do", "di", "url", "link", "ur"),
    pmid=("pmid", "pubmed id", "pm", "ids pmid"),
    issn=("issn", "issns", "sn", "isbn/issn", "primary location source issn l"),
    keywords=("keywords", "author keywords", "kw", "index keywords", "mesh terms", "keyword"),
    language=("language", "language of original document", "la"),
    publication_type=(
        "type of reference",
        "item type",
        "document type",
        "publication type",
        "reference type",
        "ty",
        "type",
    ),
    urls=("url", "link", "urls", "source urls", "ur", "external url"),
)

# Ovid's own tagged export ("<1. >", "VN  - Ovid Technologies", "DB  - Embase"…), after its
# full-name labels are read as these codes (see `ovid`). Keywords, the PubMed id in UI,
# fields given only inside SO and abbreviated journal names are found by `ovid` itself.
OVID = FieldAliases(
    record_key=("UI", "AN"),
    title=("TI",),
    abstract=("AB",),
    authors=("FA", "AU"),
    year=("YR", "DP", "PY"),
    journal=("JN", "JT", "JF"),
    volume=("VO", "VI", "VL"),
    issue=("IP",),
    pages=("PG",),
    doi=("DO", "DI"),
    pmid=("PM", "PMID"),
    issn=("IS", "SN"),
    language=("LG", "LA"),
    publication_type=("PT", "DT"),
    urls=("XL", "UR", "L2"),
)
