"""The search log's files, from plain entries (no database)."""

from __future__ import annotations

import csv
import io
from datetime import date

from reviewapp.spreadsheet import csv_chunks
from screening.exports.search_log import (
    csv_rows,
    html_appendix,
    json_document,
    markdown_appendix,
)

STRATEGY = """1. exp Naltrexone/
2. (low adj2 dose).ti,ab.
3. 1 and 2
4. ```not a fence``` and ````either````"""


def _entry(**fields) -> dict:
    entry = {
        "id": 1,
        "round": 1,
        "round_label": "Initial search",
        "source_name": "MEDLINE",
        "source_kind": "database",
        "method": "Database",
        "platform": "Ovid",
        "searched_on": date(2024, 3, 1),
        "search_string": STRATEGY,
        "limits": "English; 2000 to current",
        "reported_count": 120,
        "note": "",
        "files": ["medline.ris"],
        "imports_pending": 0,
        "imported": 118,
        "rejected": 2,
        "rejected_lines": [],
        "difference": -2,
    }
    entry.update(fields)
    return entry


def test_the_appendix_has_one_section_per_round_and_source_with_the_strategy_verbatim():
    text = markdown_appendix(
        review_title="LDN\nfor pain",
        entries=[
            _entry(),
            _entry(id=2, source_name="Embase", platform="", search_string=""),
            _entry(id=3, round=2, round_label="Update 1", source_name="MEDLINE"),
        ],
    )
    assert text.startswith("# Search strategies: LDN for pain\n")
    assert text.count("## Initial search") == 1 and text.count("## Update 1") == 1
    assert "### MEDLINE via Ovid" in text and "### Embase\n" in text
    # The strategy sits in a fence longer than any backtick run inside it, line for line.
    assert "`````text\n" + STRATEGY + "\n`````" in text
    assert "_Search strategy not recorded._" in text
    assert "- Records reported by the source: 120" in text
    assert "- Records imported: 118 (2 lines of the export could not be read)" in text
    assert "- Date searched: 2024-03-01" in text


def test_an_empty_log_says_so():
    assert "_No searches logged yet._" in markdown_appendix(review_title="R", entries=[])
    assert "No searches logged yet." in html_appendix(review_title="R", entries=[])


def test_the_html_appendix_has_one_section_per_source_with_the_strategy_escaped_verbatim():
    hostile = '1. "pain"/ <script>alert(1)</script> & ti,ab\n2. 1 not animals/'
    text = html_appendix(
        review_title="LDN <b>for</b> pain",
        entries=[
            _entry(search_string=hostile, note="<img src=x onerror=alert(1)>"),
            _entry(id=2, source_name="Embase", platform="", search_string=""),
            _entry(id=3, round=2, round_label="Update 1", source_name="<i>CINAHL</i>"),
        ],
    )
    assert text.startswith("<!DOCTYPE html>")
    assert "<h1>Search strategies: LDN &lt;b&gt;for&lt;/b&gt; pain</h1>" in text
    assert text.count("<h2>Initial search</h2>") == 1 and text.count("<h2>Update 1</h2>") == 1
    assert "<h3>MEDLINE via Ovid</h3>" in text and "<h3>Embase</h3>" in text
    assert "<h3>&lt;i&gt;CINAHL&lt;/i&gt; via Ovid</h3>" in text
    # Escaped, and line for line: reading the <pre> back gives the strategy verbatim.
    assert (
        "<pre><code>1. &quot;pain&quot;/ &lt;script&gt;alert(1)&lt;/script&gt; &amp; ti,ab\n"
        "2. 1 not animals/</code></pre>" in text
    )
    assert "<script>" not in text and "<img" not in text and "<i>" not in text
    assert "Search strategy not recorded." in text
    assert "<li>Records reported by the source: 120</li>" in text
    assert "<li>Records imported: 118 (2 lines of the export could not be read)</li>" in text
    assert "<li>Date searched: 2024-03-01</li>" in text
    import html

    pre = text.split("<pre><code>", 1)[1].split("</code></pre>", 1)[0]
    assert html.unescape(pre) == hostile


def test_the_csv_keeps_formulas_as_text_and_multi_line_strategies_whole():
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(csv_chunks(csv_rows([_entry(source_name="=HYPERLINK(1)")]))).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    header, row = rows
    assert header[:3] == ["round", "round label", "source"]
    values = dict(zip(header, row, strict=True))
    assert values["source"] == "'=HYPERLINK(1)"
    assert values["search strategy"] == STRATEGY
    assert values["records reported by the source"] == "120"
    assert values["imported minus reported"] == "-2"


def test_the_json_is_plain_data():
    document = json_document(review_title="R", entries=[_entry()])
    assert document["format"] == "reviewapp.search-log"
    assert document["entries"][0]["searched_on"] == "2024-03-01"
    assert document["entries"][0]["search_string"] == STRATEGY
