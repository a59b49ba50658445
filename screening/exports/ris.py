"""Records as RIS, for reference managers (EndNote, Zotero, Mendeley) and for re-import.

A record imported from a RIS file is written back with its original tags (`Record.raw`
keeps every tag with all its values), so nothing the database exported is lost; other
records get the common fields under the usual tags. Either way the output re-imports
through `screening.importers` with the same titles, DOIs and PubMed ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

EOL = "\r\n"  # what EndNote writes and every reader accepts
# Everything some reader takes for a line break (str.splitlines' set: CR, LF, VT, FF,
# the file/group/record separators, NEL, U+2028, U+2029): each field stays on its line.
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
_TAG = re.compile(r"[A-Z][A-Z0-9]")
_TYPES = (  # publication type words -> RIS type, first match wins
    ("conference", "CONF"),
    ("congress", "CONF"),
    ("book chapter", "CHAP"),
    ("chapter", "CHAP"),
    ("book", "BOOK"),
    ("thesis", "THES"),
    ("dissertation", "THES"),
    ("report", "RPRT"),
)


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {_BREAKS.sub(' ', str(value)).strip()}{EOL}"


def _ris_type(publication_type: str) -> str:
    text = publication_type.lower()
    return next((ris for word, ris in _TYPES if word in text), "JOUR")


def _original(record: dict) -> list[str]:
    raw: dict[str, list[str]] = record["raw"] or {}
    kind = next((v.strip() for v in raw.get("TY", ()) if v.strip()), "JOUR")
    lines = [_line("TY", kind)]
    for tag, values in raw.items():
        if tag in ("TY", "ER") or not _TAG.fullmatch(tag):
            continue
        lines += [_line(tag, value) for value in values if str(value).strip()]
    # The DOI was read from one of these tags; add it only where the lead typed it in.
    everything = " ".join(str(v) for values in raw.values() for v in values).lower()
    if record["doi"] and record["doi"] not in everything:
        lines.append(_line("DO", record["doi"]))
    return lines


def _mapped(record: dict) -> list[str]:
    lines = [_line("TY", _ris_type(record["publication_type"]))]
    if record["title"]:
        lines.append(_line("TI", record["title"]))
    lines += [_line("AU", author) for author in record["authors"] or []]
    if record["year"]:
        lines.append(_line("PY", record["year"]))
    for tag, key in (
        ("T2", "journal"),
        ("VL", "volume"),
        ("IS", "issue"),
        ("SN", "issn"),
        ("LA", "language"),
        ("DO", "doi"),
        ("AB", "abstract"),
    ):
        if record[key]:
            lines.append(_line(tag, record[key]))
    if record["pages"]:
        start, _, end = record["pages"].partition("-")
        lines.append(_line("SP", start))
        if end:
            lines.append(_line("EP", end))
    if record["pmid"]:
        # The importer reads a PubMed id from AN when DB names PubMed (EndNote's habit).
        lines += [_line("AN", record["pmid"]), _line("DB", "PubMed")]
    elif record["record_key"]:
        lines.append(_line("ID", record["record_key"]))
    lines += [_line("KW", keyword) for keyword in record["keywords"] or []]
    lines += [_line("UR", url) for url in record["urls"] or []]
    return lines


def ris_entries(records: Iterable[dict]) -> Iterator[str]:
    """One RIS entry per record (dicts with the fields of `tables.included_records`)."""
    for record in records:
        from_ris = record["batch__detected_format"] == "ris" and record["raw"]
        lines = _original(record) if from_ris else _mapped(record)
        yield "".join(lines) + f"ER  - {EOL}{EOL}"
