"""Turn an uploaded file's bytes into text, whatever encoding and line endings it came with."""

from __future__ import annotations

import codecs
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _to_text(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    utf16 = _guess_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Windows exports (EndNote, Excel CSV) are cp1252 far more often than true Latin-1.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def decode(data: bytes) -> str:
    """Decode an export: UTF-8 (with or without BOM), UTF-16 LE/BE (with or without BOM),
    else cp1252/Latin-1. Line endings become ``\\n`` (CRLF and bare CR alike), NULs and a
    leading BOM are dropped."""
    # Some tools write the BOM twice, or a BOM survives a bad round-trip.
    return _clean(_to_text(data))


# --- Reading a stored file without holding it in memory --------------------------------

HEAD_BYTES = 64 * 1024  # what the format is recognised from
_CHUNK = 1024 * 1024


def sniff_encoding(handle: BinaryIO) -> str:
    """The encoding `decode` would pick for the whole file, found by reading it once in
    chunks (an incremental UTF-8 check; nothing is kept). Leaves `handle` at its start."""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(
                encoding, encoding
            )
    utf16 = _guess_utf16(head)
    if utf16:
        return utf16
    for encoding in ("utf-8", "cp1252"):
        checker = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(_CHUNK):
                checker.decode(chunk)
            checker.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            handle.seek(0)
        return encoding
    return "latin-1"


def head_text(handle: BinaryIO, encoding: str, size: int = HEAD_BYTES) -> str:
    """The file's first `size` bytes as text, cleaned like `decode` (a character cut in
    half at the end is left out). Leaves `handle` at its start."""
    handle.seek(0)
    data = handle.read(size)
    handle.seek(0)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)
    return _clean(text)


def _clean(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.lstrip("\ufeff")


class FileLines:
    """The lines of a stored export, decoded as they are read, as often as iterated.

    Lines end with "\\n" whatever the file used (universal newlines), NULs and the BOM
    are dropped, like `decode`. A line longer than `max_line` characters is cut to
    `max_line + 1` characters (the rest is skipped as it is read), so one huge line never
    sits in memory and whoever checks field sizes still sees it is too long.
    """

    def __init__(self, open_file, encoding: str, *, max_line: int) -> None:
        self._open = open_file
        self.encoding = encoding
        self.max_line = max_line

    def __iter__(self) -> Iterator[str]:
        for line, _ in self.measured():
            yield line

    def measured(self) -> Iterator[tuple[str, int]]:
        """Each line with its length as written in the file: more than ``len(line)`` for a
        line cut at `max_line` (what a size cap reports)."""
        with self._open() as handle:
            text = io.TextIOWrapper(handle, encoding=self.encoding, errors="replace", newline=None)
            first = True
            while True:
                line = text.readline(min(self.max_line + 1, sys.maxsize))
                if not line:
                    return
                skipped = 0
                if not line.endswith("\n"):
                    rest = line
                    while rest and not rest.endswith("\n"):
                        rest = text.readline(_CHUNK)
                        skipped += len(rest)
                    if rest:
                        line += "\n"
                        skipped -= 1  # the "\n" added back
                if "\x00" in line:
                    line = line.replace("\x00", "")
                if first:
                    line, first = line.lstrip("\ufeff"), False
                yield line, len(line) + skipped

    @contextmanager
    def open_text(self) -> Iterator[TextChunks]:
        """The text as a stream read in chunks of any size (no line is ever held whole):
        what the XML parser reads, however long the file's lines."""
        with self._open() as handle:
            text = io.TextIOWrapper(handle, encoding=self.encoding, errors="replace", newline=None)
            yield TextChunks(text)

    def read(self) -> str:
        """The whole text (only for small files and tests: the importers stream)."""
        with self._open() as handle:
            text = io.TextIOWrapper(handle, encoding=self.encoding, errors="replace", newline=None)
            whole = text.read()
        if "\x00" in whole:
            whole = whole.replace("\x00", "")
        return whole.lstrip("\ufeff")


class TextChunks:
    """A decoded text stream cleaned like `decode` chunk by chunk (NULs and the leading
    BOM dropped); line endings are already "\\n" (universal newlines)."""

    def __init__(self, text: io.TextIOBase) -> None:
        self._text = text
        self._first = True

    def read(self, size: int = _CHUNK) -> str:
        while chunk := self._text.read(size if size and size > 0 else _CHUNK):
            if "\x00" in chunk:
                chunk = chunk.replace("\x00", "")
            if self._first:
                chunk = chunk.lstrip("\ufeff")
                self._first = not chunk
            if chunk:  # a chunk of NULs only is not the end of the text
                return chunk
        return ""

    def __iter__(self) -> Iterator[str]:
        while chunk := self.read(_CHUNK):
            yield chunk
