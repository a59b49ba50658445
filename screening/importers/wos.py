"""Web of Science plain text (``.txt``, ``.ciw``, ``.isi``): ``FN``/``VR`` header, records from
``PT`` to ``ER``, ``EF`` at the end; tags in columns 1-2, values from column 4, continuation
lines indented by three spaces."""

from __future__ import annotations

from collections.abc import Iterator

from . import aliases
from .lines import iter_lines
from .records import CUT_OFF, MalformedFile, ParsedRecord, Rejection, build_record

# Each line of these is one item (an author, a cited reference, an address); other tags wrap.
LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "CR", "C1", "C3", "RI", "OI"})
HEADER_TAGS = frozenset({"FN", "VR"})


def _finish(raw: dict[str, list[str]], line: int) -> ParsedRecord | Rejection:
    return build_record(raw, aliases.WOS, line=line)


def parse(text: str) -> Iterator[ParsedRecord | Rejection]:
    """Yield the records of a Web of Science file in order.

    Web of Science files have a strict structure; a record opened inside another or a file
    without its closing ``EF`` (an interrupted download) is refused as a whole.
    """
    raw: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    seen_end_of_file = False
    for number, line in enumerate(iter_lines(text), start=1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("  "):
            if raw is not None and last_tag:
                values = raw.setdefault(last_tag, [])
                if last_tag in LIST_TAGS or not values:
                    values.append(line.strip())
                else:
                    values[-1] = f"{values[-1]} {line.strip()}".strip()
            continue
        # Fixed columns: a value normally starts in column 4, but some files drop the space.
        tag = line[:2]
        value = (line[3:] if line[2:3] == " " else line[2:]).strip()
        if seen_end_of_file:
            raise MalformedFile("text after the EF line that ends the file", line=number)
        if tag == "PT":
            if raw is not None:
                raise MalformedFile(
                    f"a new record (PT) starts before the record of line {start} ended with ER",
                    line=number,
                )
            raw, start = {"PT": [value]}, number
        elif tag == "ER":
            if raw is None:
                raise MalformedFile("an ER line without a record (PT) before it", line=number)
            yield _finish(raw, start)
            raw = None
        elif tag == "EF":
            if raw is not None:
                raise MalformedFile(
                    f"an EF line (end of file) inside the record of line {start}, which never "
                    "ended with ER",
                    line=number,
                )
            seen_end_of_file = True
        elif raw is not None:
            raw.setdefault(tag, []).append(value)
        elif tag not in HEADER_TAGS:
            raise MalformedFile(f"a {tag!r} line outside any record", line=number)
        last_tag = tag if raw is not None else ""
    if raw is not None:
        yield Rejection(start, CUT_OFF)
    if not seen_end_of_file:
        raise MalformedFile(
            "the file ends without the EF line that closes every Web of Science export, so it "
            "was probably cut off; export it again"
        )
