"""EndNote XML (``<xml><records><record>…``) as written by EndNote, and the variants written by
Mendeley and Zotero (no ``<style>`` wrappers, ``<issue>`` instead of ``<number>``)."""

from __future__ import annotations

from collections.abc import Iterator

from . import aliases
from .budget import DEFAULT, Budget
from .decoding import FileLines
from .records import ParsedRecord, Rejection, build_record
from .xmltree import flatten, iter_record_elements


def parse(text: str | FileLines, *, budget: Budget = DEFAULT) -> Iterator[ParsedRecord | Rejection]:
    """Yield one record per ``<record>`` element, in file order."""
    records = iter_record_elements(
        text, frozenset({"record"}), max_record_chars=budget.max_record_chars
    )
    for line, element in records:
        if isinstance(element, Rejection):
            yield element
        else:
            yield build_record(flatten(element, {}), aliases.ENDNOTE_XML, line=line)
