"""BibTeX (``@article{key, title = {…}, …}``), read with bibtexparser 2; LaTeX accents and
escapes become Unicode; the entry key is the record key."""

from __future__ import annotations

import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser.model import DuplicateFieldKeyBlock, Entry, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from . import aliases
from .records import ParsedRecord, Rejection, build_record, clean_text

# Identifiers and links are not LaTeX: "~" and "_" in them must survive.
_VERBATIM_FIELDS = frozenset({"url", "doi", "file", "eprint", "pmid", "issn", "isbn"})
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_NAME_SEPARATOR = re.compile(r"\s+and\s+|\s*;\s*", re.IGNORECASE)
_KEYWORD_SEPARATOR = re.compile(r"\s*[;,]\s*")


def _unlatex(value: str) -> str:
    # pylatexenc is slow on large files; most values have no markup at all.
    if "\\" not in value and "{" not in value and "~" not in value:
        return value
    try:
        return _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc may choke on broken markup; keep the text as written
        return value.replace("{", "").replace("}", "")


def _unenclose(value: str) -> str:
    # Blocks bibtexparser could not finish keep their braces or quotes.
    value = value.strip()
    if len(value) >= 2 and (value[0], value[-1]) in {("{", "}"), ('"', '"')}:
        return value[1:-1]
    return value


def _raw(entry: Entry, *, enclosed: bool) -> dict[str, list[str]]:
    """The entry's fields as written (LaTeX kept), so an export can give them back."""
    raw: dict[str, list[str]] = {"ENTRYTYPE": [entry.entry_type], "ID": [entry.key]}
    for item in entry.fields:
        value = _unenclose(str(item.value)) if enclosed else str(item.value)
        raw.setdefault(item.key.strip().lower(), []).append(value)
    return raw


def _decoded(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        key: values if key in _VERBATIM_FIELDS else [_unlatex(value) for value in values]
        for key, values in raw.items()
    }


def _split_names(value: str) -> list[str]:
    return [clean_text(name) for name in _NAME_SEPARATOR.split(value) if name.strip()]


def _split_keywords(value: str) -> list[str]:
    return [clean_text(word) for word in _KEYWORD_SEPARATOR.split(value) if word.strip()]


def _record(entry: Entry, line: int, *, enclosed: bool = False) -> ParsedRecord | Rejection:
    raw = _raw(entry, enclosed=enclosed)
    record = build_record(
        _decoded(raw),
        aliases.BIBTEX,
        line=line,
        split_authors=_split_names,
        split_keywords=_split_keywords,
    )
    if isinstance(record, ParsedRecord):
        record.raw = raw
    return record


def parse(text: str) -> Iterator[ParsedRecord | Rejection]:
    """Yield each entry in file order; an entry bibtexparser cannot read is a rejection with
    its line. ``@string``, ``@preamble`` and ``@comment`` blocks are not records."""
    library = bibtexparser.parse_string(text)
    for block in sorted(library.blocks, key=lambda b: b.start_line or 0):
        line = (block.start_line or 0) + 1
        if isinstance(block, Entry):
            yield _record(block, line)
        elif isinstance(block, DuplicateFieldKeyBlock):
            # A field given twice (Scopus repeats funding_details): keep both values.
            yield _record(block.ignore_error_block, line, enclosed=True)
        elif isinstance(block, ParsingFailedBlock):
            detail = getattr(block.error, "abort_reason", "") or str(block.error)
            reason = " ".join(detail.split()).rstrip(".") or "the entry is not valid BibTeX"
            yield Rejection(line, f"BibTeX entry could not be read: {reason}")
