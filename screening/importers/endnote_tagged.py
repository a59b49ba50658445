"""EndNote tagged export (``.enw``, "EndNote Export" style): ``%0 Journal Article`` starts a
record, then ``%T`` title, ``%A`` one author per line, ``%D`` year, ``%J`` journal, ``%X``
abstract, ``%R`` DOI, ``%M`` accession number…; records are separated by blank lines."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import aliases
from .lines import iter_lines
from .records import ParsedRecord, Rejection, build_record

TAG_LINE = re.compile(r"^(%[A-Z0-9@?!#$&()*+\]^{|}~<>=\[-])(?: (.*))?$")
# An untagged line under one of these is a further value (EndNote puts one keyword per line).
LIST_TAGS = frozenset({"%K", "%A", "%E", "%Y", "%?"})


def parse(text: str) -> Iterator[ParsedRecord | Rejection]:
    """Yield the records of an EndNote tagged file in order."""
    raw: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    for number, line in enumerate(iter_lines(text), start=1):
        line = line.rstrip("\n")
        match = TAG_LINE.match(line)
        if match is None:
            if raw is not None and last_tag and line.strip():
                values = raw[last_tag]
                if last_tag in LIST_TAGS:
                    values.append(line.strip())
                else:
                    values[-1] = f"{values[-1]} {line.strip()}".strip()
            elif not line.strip():
                last_tag = ""
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "%0" or raw is None:
            if raw is not None:
                yield build_record(raw, aliases.ENDNOTE_TAGGED, line=start)
            raw, start = {}, number
        raw.setdefault(tag, []).append(value)
        last_tag = tag
    if raw is not None:
        yield build_record(raw, aliases.ENDNOTE_TAGGED, line=start)
