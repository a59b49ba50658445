"""The PRISMA-S search log as files: CSV rows, a JSON document, a Markdown or HTML appendix.

Pure functions of the plain entries `screening.selectors.search_log.log_entries` gives;
the CSV goes through reviewapp.spreadsheet (formula-safe cells); the HTML appendix is a
template (every value escaped, the strategy verbatim in a <pre>).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

CSV_COLUMNS = (
    ("round", "round"),
    ("round_label", "round label"),
    ("source_name", "source"),
    ("method", "method"),
    ("platform", "platform or interface"),
    ("searched_on", "date searched"),
    ("search_string", "search strategy"),
    ("limits", "limits and filters"),
    ("reported_count", "records reported by the source"),
    ("imported", "records imported"),
    ("rejected", "lines rejected"),
    ("difference", "imported minus reported"),
    ("files", "files"),
    ("note", "note"),
)


def csv_rows(entries: Sequence[dict]) -> Iterator[list[Any]]:
    """Header, then one row per entry (files joined by "; ")."""
    yield [label for _, label in CSV_COLUMNS]
    for entry in entries:
        yield ["; ".join(entry[key]) if key == "files" else entry[key] for key, _ in CSV_COLUMNS]


def json_document(*, review_title: str, entries: Sequence[dict]) -> dict:
    def plain(value):
        return value.isoformat() if isinstance(value, date) else value

    return {
        "format": "reviewapp.search-log",
        "version": 1,
        "review": review_title,
        "entries": [{key: plain(value) for key, value in entry.items()} for entry in entries],
    }


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`, so the strategy is
    reproduced verbatim whatever it contains."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _heading(entry: dict) -> str:
    heading = _one_line(entry["source_name"])
    if entry["platform"]:
        heading += f" via {_one_line(entry['platform'])}"
    return heading


def _facts(entry: dict) -> list[tuple[str, str]]:
    """The lines of an entry's section, as (label, value), the same in every appendix."""
    searched = entry["searched_on"]
    reported = entry["reported_count"]
    facts = [
        ("Method", str(entry["method"])),
        ("Date searched", searched.isoformat() if searched else "not recorded"),
    ]
    if entry["limits"]:
        facts.append(("Limits and filters", _one_line(entry["limits"])))
    facts.append(
        (
            "Records reported by the source",
            str(reported) if reported is not None else "not recorded",
        )
    )
    if entry["files"]:
        imported = str(entry["imported"])
        if entry["rejected"]:
            imported += f" ({entry['rejected']} lines of the export could not be read)"
        facts.append(("Records imported", imported))
    if entry["note"]:
        facts.append(("Note", _one_line(entry["note"])))
    return facts


def _rounds(entries: Sequence[dict]) -> list[tuple[str, list[dict]]]:
    """Entries grouped by round, in order: (round label, entries)."""
    grouped: list[tuple[str, list[dict]]] = []
    current_round = None
    for entry in entries:
        if entry["round"] != current_round:
            current_round = entry["round"]
            grouped.append((entry["round_label"], []))
        grouped[-1][1].append(entry)
    return grouped


def markdown_appendix(*, review_title: str, entries: Sequence[dict]) -> str:
    """A ready appendix: one section per round and source, with the verbatim strategy."""
    lines = [f"# Search strategies: {_one_line(review_title)}", ""]
    for round_label, round_entries in _rounds(entries):
        lines += [f"## {round_label}", ""]
        for entry in round_entries:
            lines += [f"### {_heading(entry)}", ""]
            lines += [f"- {label}: {value}" for label, value in _facts(entry)]
            lines.append("")
            strategy = (entry["search_string"] or "").strip("\n")
            if strategy:
                fence = _fence(strategy)
                lines += [f"{fence}text", strategy, fence, ""]
            else:
                lines += ["_Search strategy not recorded._", ""]
    if not entries:
        lines += ["_No searches logged yet._", ""]
    return "\n".join(lines)


def html_appendix(*, review_title: str, entries: Sequence[dict]) -> str:
    """The same appendix as a standalone HTML document (every value escaped by the
    template; the strategy verbatim, line for line, in a <pre>)."""
    from django.template.loader import render_to_string

    rounds = [
        (
            label,
            [
                {
                    "heading": _heading(entry),
                    "facts": _facts(entry),
                    "strategy": (entry["search_string"] or "").strip("\n"),
                }
                for entry in round_entries
            ],
        )
        for label, round_entries in _rounds(entries)
    ]
    return render_to_string(
        "screening/search_log/appendix.html",
        {"title": _one_line(review_title), "rounds": rounds},
    )


LOG_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def log_response(*, review, fmt: str):
    """The review's search log in `fmt` (csv, json, md, html) as an attachment; pages and
    the API."""
    import json

    from django.http import HttpResponse, StreamingHttpResponse
    from django.utils import timezone

    from reviewapp.spreadsheet import csv_chunks
    from screening.selectors.search_log import log_entries

    entries = log_entries(review=review)
    filename = f"review-{review.pk}-search-log-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(csv_rows(entries)), content_type=LOG_FORMATS[fmt]
        )
    elif fmt == "json":
        body = json.dumps(json_document(review_title=review.title, entries=entries), indent=2)
        response = HttpResponse(body, content_type=LOG_FORMATS[fmt])
    elif fmt == "md":
        response = HttpResponse(
            markdown_appendix(review_title=review.title, entries=entries),
            content_type=LOG_FORMATS[fmt],
        )
    elif fmt == "html":
        response = HttpResponse(
            html_appendix(review_title=review.title, entries=entries),
            content_type=LOG_FORMATS[fmt],
        )
    else:
        raise ValueError(f"The search log exports as csv, json, md or html, not {fmt}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
