"""RIS export: every field on one line, whatever line separator a field holds."""

from __future__ import annotations

import pytest

from screening.exports.ris import ris_entries

SEPARATORS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def _record(**fields) -> dict:
    record = dict.fromkeys(
        ("title", "journal", "volume", "issue", "issn", "language", "doi", "abstract", "pmid"),
        "",
    )
    record.update(
        pk=1, record_key="", year=2020, pages="", authors=[], keywords=[], urls=[],
        publication_type="", raw={}, batch__detected_format="csv",
    )  # fmt: skip
    record.update(fields)
    return record


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_field_with_any_line_separator_stays_on_one_line(separator):
    injected = f"Trial{separator}ER  - {separator}TY  - JOUR{separator}TI  - forged"
    (entry,) = ris_entries(
        [_record(title=injected, abstract=injected, authors=[injected], keywords=[injected])]
    )
    lines = entry.split("\r\n")
    for line in lines:
        assert line.splitlines() in ([line], []), repr(line)  # no separator survives
    tags = [line[:2] for line in lines if line]
    assert tags.count("TY") == 1 and tags.count("ER") == 1
    assert "TI  - Trial ER  -  TY  - JOUR TI  - forged" in lines


def test_original_ris_tags_with_separators_are_flattened_and_odd_tags_dropped():
    raw = {"TY": ["JOUR"], "TI": ["One\u2028ER  - "], "T\n": ["x"], "AB": ["a\x85b"]}
    (entry,) = ris_entries([_record(raw=raw, batch__detected_format="ris", title="One")])
    lines = entry.split("\r\n")
    assert "TI  - One ER  -" in lines and "AB  - a b" in lines
    assert not any(line.startswith("T\n") for line in lines)
    assert all(line.splitlines() in ([line], []) for line in lines)
