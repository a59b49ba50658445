"""BibTeX (``@article{key, title = {…}, …}``), read with bibtexparser 2; LaTeX accents and
escapes become Unicode; the entry key is the record key."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser.model import DuplicateFieldKeyBlock, Entry, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from . import aliases
from .budget import DEFAULT, Budget
from .records import ParsedRecord, Rejection, build_record, clean_text

# Identifiers and links are not LaTeX: "~" and "_" in them must survive.
_VERBATIM_FIELDS = frozenset({"url", "doi", "file", "eprint", "pmid", "issn", "isbn"})
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_NAME_SEPARATOR = re.compile(r"\s+and\s+|\s*;\s*", re.IGNORECASE)
_KEYWORD_SEPARATOR = re.compile(r"\s*[;,]\s*")
_ENTRY_START = re.compile(r"^[ \t]*@", re.MULTILINE)


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


def _decoded(raw: dict[str, list[str]], *, max_chars: int) -> dict[str, list[str]]:
    # LaTeX decoding costs ~15 us a character: a value over the field cap (rejected by the
    # import's budget anyway) is left as written rather than decoded for seconds.
    return {
        key: values
        if key in _VERBATIM_FIELDS
        else [_unlatex(value) if len(value) <= max_chars else value for value in values]
        for key, values in raw.items()
    }


def _split_names(value: str) -> list[str]:
    return [clean_text(name) for name in _NAME_SEPARATOR.split(value) if name.strip()]


def _split_keywords(value: str) -> list[str]:
    return [clean_text(word) for word in _KEYWORD_SEPARATOR.split(value) if word.strip()]


def _record(
    entry: Entry, line: int, *, budget: Budget, enclosed: bool = False
) -> ParsedRecord | Rejection:
    raw = _raw(entry, enclosed=enclosed)
    record = build_record(
        _decoded(raw, max_chars=budget.max_field_chars),
        aliases.BIBTEX,
        line=line,
        split_authors=_split_names,
        split_keywords=_split_keywords,
    )
    if isinstance(record, ParsedRecord):
        record.raw = raw
    return record


def _without_oversized(text: str, budget: Budget) -> tuple[str, list[Rejection]]:
    """The text with every entry longer than the record cap blanked out (its lines kept
    as empty lines, so later line numbers stay right), and a rejection for each."""
    starts = [m.start() for m in _ENTRY_START.finditer(text)]
    spans = list(zip(starts, [*starts[1:], len(text)], strict=True))
    if not any(end - start > budget.max_record_chars for start, end in spans):
        return text, []
    pieces, rejections, last, line = [], [], 0, 1
    for start, end in spans:
        if end - start > budget.max_record_chars:
            line += text.count("\n", last, start)
            pieces.append(text[last:start])
            newlines = text.count("\n", start, end)
            pieces.append("\n" * newlines)
            rejections.append(
                Rejection(
                    line,
                    f"the entry is {end - start:,} characters long; the limit is "
                    f"{budget.max_record_chars:,}",
                )
            )
            line += newlines
            last = end
    pieces.append(text[last:])
    return "".join(pieces), rejections


def parse(text: str, *, budget: Budget = DEFAULT) -> Iterator[ParsedRecord | Rejection]:
    """Yield each entry in file order; an entry bibtexparser cannot read is a rejection with
    its line. ``@string``, ``@preamble`` and ``@comment`` blocks are not records. An entry
    over the record cap is rejected before parsing (and its text never parsed)."""
    text, oversized = _without_oversized(text, budget)
    library = bibtexparser.parse_string(text)
    del text
    blocks = sorted(library.blocks, key=lambda b: b.start_line or 0)
    items = heapq.merge(
        ((r.line, r) for r in oversized),
        (((b.start_line or 0) + 1, b) for b in blocks),
        key=lambda item: item[0],
    )
    for line, block in items:
        if isinstance(block, Rejection):
            yield block
        elif isinstance(block, Entry):
            yield _record(block, line, budget=budget)
        elif isinstance(block, DuplicateFieldKeyBlock):
            # A field given twice (Scopus repeats funding_details): keep both values.
            yield _record(block.ignore_error_block, line, budget=budget, enclosed=True)
        elif isinstance(block, ParsingFailedBlock):
            detail = getattr(block.error, "abort_reason", "") or str(block.error)
            reason = " ".join(detail.split()).rstrip(".") or "the entry is not valid BibTeX"
            yield Rejection(line, f"BibTeX entry could not be read: {reason}")
