"""BibTeX (``@article{key, title = {…}, …}``), read with bibtexparser 2; LaTeX accents and
escapes become Unicode; the entry key is the record key."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)
from pylatexenc.latex2text import LatexNodes2Text

from . import aliases
from .bibtex_fast import entry_start, simple_entry
from .budget import DEFAULT, Budget
from .decoding import FileLines
from .lines import iter_lines
from .records import ParsedRecord, Rejection, build_record, clean_text

# Identifiers and links are not LaTeX: "~" and "_" in them must survive.
_VERBATIM_FIELDS = frozenset({"url", "doi", "file", "eprint", "pmid", "issn", "isbn"})
_LATEX = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
_NAME_SEPARATOR = re.compile(r"\s+and\s+|\s*;\s*", re.IGNORECASE)
_KEYWORD_SEPARATOR = re.compile(r"\s*[;,]\s*")
_BLOCK_START = re.compile(r"[ \t]*@\w*[ \t]*[{(]")
_BATCH_CHARS = 256 * 1024


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
    fields = (
        (item.key, _unenclose(str(item.value)) if enclosed else str(item.value))
        for item in entry.fields
    )
    return _raw_of(entry.entry_type, entry.key, fields)


def _raw_of(entry_type: str, key: str, fields: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    raw: dict[str, list[str]] = {"ENTRYTYPE": [entry_type], "ID": [key]}
    for name, value in fields:
        raw.setdefault(name.strip().lower(), []).append(value)
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


def _record(raw: dict[str, list[str]], line: int, *, budget: Budget) -> ParsedRecord | Rejection:
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


def _entries(lines: Iterable[str], budget: Budget) -> Iterator[tuple[int, str] | Rejection]:
    """The text split into ``(first line, text)`` pieces at each line that starts a block
    (``@type{`` or ``@type(`` at the start of a line, where bibtexparser itself ends an
    unclosed block, so an ``@`` at a line start inside braces splits there too), read
    line by line. A piece longer than the record cap becomes its rejection without being
    kept in memory. Text before the first block is only a comment and is skipped."""
    start, parts, size, number = 0, [], 0, 0
    measured = lines.measured() if isinstance(lines, FileLines) else _measured(lines)
    for number, (line, length) in enumerate(measured, 1):
        if _BLOCK_START.match(line):
            if start:
                yield _piece(start, parts, size, budget)
            start, parts, size = number, [], 0
        if start:
            size += length
            if size <= budget.max_record_chars:
                parts.append(line)
            elif parts:
                parts = []  # over the cap: only its size is kept from now on
    if start:
        yield _piece(start, parts, size, budget)


def _measured(lines: str | Iterable[str]) -> Iterator[tuple[str, int]]:
    for line in iter_lines(lines):
        yield line, len(line)


def _piece(start: int, parts: list[str], size: int, budget: Budget) -> tuple[int, str] | Rejection:
    if size > budget.max_record_chars:
        return Rejection(
            start,
            f"the entry is {size:,} characters long; the limit is {budget.max_record_chars:,}",
        )
    return start, "".join(parts)


class _Slow:
    """Pieces bibtexparser reads, a batch of about `_BATCH_CHARS` per call. ``@string``
    macros apply to every later entry (each batch is parsed with those defined so far)
    and an entry key already used earlier is refused as bibtexparser refuses it within
    one text."""

    def __init__(self) -> None:
        self.strings: list[String] = []
        self.keys: set[str] = set()
        self.first, self.parts, self.size = 0, [], 0
        self.may_define_macros = False  # a pending piece may be a @string

    def add(self, line: int, text: str) -> None:
        self.first = self.first or line
        self.parts.append(text)
        self.size += len(text)
        self.may_define_macros = self.may_define_macros or "@string" in text.lower()

    def flush(self, before: tuple[int, str] | None = None) -> Iterator[tuple[int, object]]:
        """Parse the pending pieces. `before`: the line and start (``@type{``) of the
        piece that follows, shown to bibtexparser so that an entry left open ends where
        that block starts, with bibtexparser's own message, as when read in one text."""
        if not self.parts:
            return
        first, text = self.first, "".join(self.parts)
        self.first, self.parts, self.size, self.may_define_macros = 0, [], 0, False
        next_line = before[0] if before else sys.maxsize
        seeded = len(self.strings)
        library = bibtexparser.parse_string(
            text + (before[1] if before else ""), library=Library(self.strings)
        )
        for block in sorted(library.blocks[seeded:], key=lambda b: b.start_line or 0):
            line = first + (block.start_line or 0)
            if line >= next_line:
                break
            if isinstance(block, String):
                self.strings.append(block)
            elif isinstance(block, Entry):
                if block.key in self.keys:
                    block = DuplicateBlockKeyBlock(
                        key=block.key,
                        previous_block=None,
                        duplicate_block=block,
                        start_line=block.start_line,
                        raw=block.raw,
                    )
                self.keys.add(block.key)
            yield line, block


def _blocks(lines: Iterable[str], budget: Budget) -> Iterator[tuple[int, object]]:
    """``(line, block)`` for every block in file order: a plain entry read by
    `bibtex_fast` as its ``(type, key, fields)``, anything else as bibtexparser's block
    (a few pieces per call), a piece over the record cap as its rejection."""
    slow = _Slow()
    for piece in _entries(lines, budget):
        if isinstance(piece, Rejection):
            yield from slow.flush()
            yield piece.line, piece
            continue
        line, text = piece
        macros = bool(slow.strings) or slow.may_define_macros
        entry = simple_entry(text, macros=macros)
        if entry is None:
            if slow.size >= _BATCH_CHARS:
                yield from slow.flush()
            slow.add(line, text)
            continue
        # Before it: the pending pieces' macros and keys count for this entry.
        yield from slow.flush(before=(line, entry_start(text)))
        if entry[1] in slow.keys:  # a key used before: bibtexparser's refusal
            slow.add(line, text)
            yield from slow.flush()
            continue
        slow.keys.add(entry[1])
        yield line, entry
    yield from slow.flush()


def parse(
    text: str | Iterable[str], *, budget: Budget = DEFAULT
) -> Iterator[ParsedRecord | Rejection]:
    """Yield each entry in file order; an entry bibtexparser cannot read is a rejection with
    its line. ``@string``, ``@preamble`` and ``@comment`` blocks are not records. The text
    is read line by line and parsed a few entries at a time, so memory stays bounded; an
    entry over the record cap is rejected before parsing (and its text never kept)."""
    for line, block in _blocks(text, budget):
        if isinstance(block, Rejection):
            yield block
        elif isinstance(block, tuple):
            yield _record(_raw_of(*block), line, budget=budget)
        elif isinstance(block, Entry):
            yield _record(_raw(block, enclosed=False), line, budget=budget)
        elif isinstance(block, DuplicateFieldKeyBlock):
            # A field given twice (Scopus repeats funding_details): keep both values.
            raw = _raw(block.ignore_error_block, enclosed=True)
            yield _record(raw, line, budget=budget)
        elif isinstance(block, ParsingFailedBlock):
            detail = getattr(block.error, "abort_reason", "") or str(block.error)
            reason = " ".join(detail.split()).rstrip(".") or "the entry is not valid BibTeX"
            yield Rejection(line, f"BibTeX entry could not be read: {reason}")
