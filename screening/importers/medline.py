"""PubMed MEDLINE text (``.nbib``, "Save > PubMed format"): four-character tags padded to
``"TAG - "``, continuation lines indented by six spaces, records starting at ``PMID-`` and
usually separated by a blank line."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import aliases
from .lines import iter_lines
from .records import ParsedRecord, Rejection, build_record, normalise_doi

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
# Each continuation line of these is a further value (rarely wrapped, but keep them apart).
LIST_TAGS = frozenset({"MH", "OT", "KW"})


def _finish(raw: dict[str, list[str]], line: int) -> ParsedRecord | Rejection:
    record = build_record(raw, aliases.MEDLINE, line=line)
    if isinstance(record, ParsedRecord):
        # AID/LID also hold PII and other ids: only the one marked [doi] is the DOI.
        dois = [v for v in raw.get("AID", []) + raw.get("LID", []) if v.rstrip().endswith("[doi]")]
        record.doi = normalise_doi(dois[0]) if dois else ""
    return record


def parse(text: str) -> Iterator[ParsedRecord | Rejection]:
    """Yield the records of a MEDLINE file in order."""
    raw: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    for number, line in enumerate(iter_lines(text), start=1):
        line = line.rstrip("\n")
        if not line.strip():
            if raw is not None:
                yield _finish(raw, start)
            raw, last_tag = None, ""
            continue
        match = TAG_LINE.match(line) if not line[0].isspace() else None
        if match is None:
            if raw is not None and last_tag:
                values = raw[last_tag]
                if last_tag in LIST_TAGS:
                    values.append(line.strip())
                else:
                    values[-1] = f"{values[-1]} {line.strip()}".strip()
            continue
        tag, value = match.group(1), match.group(2).strip()
        # Files saved without blank lines between records: PMID starts the next one.
        if raw is not None and tag == "PMID" and "PMID" in raw:
            yield _finish(raw, start)
            raw = None
        if raw is None:
            raw, start = {}, number
        raw.setdefault(tag, []).append(value)
        last_tag = tag
    if raw is not None:
        yield _finish(raw, start)
