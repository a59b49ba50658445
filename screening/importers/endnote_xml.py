"""EndNote XML (``<xml><records><record>…``) as written by EndNote, and the variants written by
Mendeley and Zotero (no ``<style>`` wrappers, ``<issue>`` instead of ``<number>``)."""

from __future__ import annotations

from collections.abc import Iterator

from . import aliases
from .records import ParsedRecord, Rejection, build_record
from .xmltree import flatten, iter_record_elements


def parse(text: str) -> Iterator[ParsedRecord | Rejection]:
    """Yield one record per ``<record>`` element, in file order."""
    for line, element in iter_record_elements(text, frozenset({"record"})):
        raw = flatten(element, {})
        yield build_record(raw, aliases.ENDNOTE_XML, line=line)
