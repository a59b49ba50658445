"""Iterate over the lines of a decoded export without copying it.

io.StringIO(text) stores its own copy of the text (as 4-byte code points in CPython),
which for a 200 MB export is most of a gigabyte; slicing line by line keeps one line
at a time. Lines keep their "\\n", like file iteration.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def iter_lines(text: str | Iterable[str]) -> Iterator[str]:
    if not isinstance(text, str):
        yield from text
        return
    start = 0
    find = text.find
    while True:
        end = find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def first_line(text: str | Iterable[str]) -> str:
    """The first line, without its "\\n" (read lazily from a file's lines)."""
    if isinstance(text, str):
        return text.split("\n", 1)[0]
    return next(iter(text), "").rstrip("\n")
