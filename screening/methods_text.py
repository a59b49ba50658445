"""The methods section a paper needs, written from the review's own numbers (pure).

`methods_paragraphs(facts)` turns a plain `MethodsFacts` (gathered by
screening/selectors/report.py) into paragraphs of text and numbers; each number names
the page it comes from (a key of the selector's link table), so the Report page links
every number to where it can be checked, and `as_markdown` writes the same paragraphs
as text for the manuscript. No sentence is written for a step that has no data: a
review still screening says so instead of inventing a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Num:
    """A number in the text and the page (link key) it comes from."""

    value: object
    link: str = ""

    @property
    def text(self) -> str:
        if isinstance(self.value, float):
            return f"{self.value:.2f}"
        if isinstance(self.value, int):
            return f"{self.value:,}"
        return str(self.value)


Segment = str | Num


@dataclass(frozen=True)
class Paragraph:
    heading: str
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(s.text if isinstance(s, Num) else s for s in self.segments)


@dataclass(frozen=True)
class SourceFacts:
    name: str
    method: str  # "Database", "Register", …
    platform: str = ""
    searched_on: date | None = None
    imported: int = 0


@dataclass(frozen=True)
class RoundFacts:
    number: int
    label: str
    searched_on: date | None
    sources: tuple[SourceFacts, ...] = ()


@dataclass(frozen=True)
class StageFacts:
    label: str  # "title/abstract", "full text"
    votes_needed: int
    reviewers: int  # distinct reviewers who voted at this stage
    screened: int  # records (reports) with a decision at this stage
    agreement_items: int = 0
    kappa_name: str = "Cohen's κ"
    kappa: float | None = None
    ac1: float | None = None
    pabak: float | None = None
    conflicts_resolved: int = 0
    overruled: int = 0


@dataclass(frozen=True)
class StopFacts:
    rule: str
    records_excluded: int
    recall_target: float | None = None
    stopped_on: date | None = None


@dataclass(frozen=True)
class MethodsFacts:
    rounds: tuple[RoundFacts, ...] = ()
    records_identified: int = 0
    duplicates_automatic: int = 0
    duplicates_manual: int = 0
    blind: bool = True
    stages: tuple[StageFacts, ...] = ()
    ranking_enabled: bool = False
    stops: tuple[StopFacts, ...] = ()
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_assessed: int = 0
    studies_included: int = 0
    reports_included: int = 0
    extractors_per_study: int = 2
    studies_extracted: int = 0
    rob_tools: tuple[str, ...] = field(default_factory=tuple)
    studies_assessed_rob: int = 0


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


def _count_word(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


def _date(d: date | None) -> str:
    return d.isoformat() if d else "an unrecorded date"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _sources(round_: RoundFacts) -> str:
    parts = []
    for s in round_.sources:
        where = f"{s.name} ({s.platform})" if s.platform else s.name
        parts.append(where if s.searched_on is None else f"{where} on {s.searched_on.isoformat()}")
    return _join(parts)


def _search(facts: MethodsFacts) -> list[Segment]:
    rounds = [r for r in facts.rounds if r.sources]
    if not rounds:
        return ["No searches have been logged or imported yet."]
    out: list[Segment] = []
    first, updates = rounds[0], rounds[1:]
    out += [
        "We searched ",
        Num(len(first.sources), "search_log"),
        f" source{'s' if len(first.sources) != 1 else ''}: {_sources(first)}.",
    ]
    for r in updates:
        out += [
            f" The searches were updated ({r.label.lower()}, {_date(r.searched_on)}) in ",
            Num(len(r.sources), "search_log"),
            f" source{'s' if len(r.sources) != 1 else ''}: {_sources(r)}.",
        ]
    out += [
        " The full strategies are given in the search log appendix. The searches identified ",
        Num(facts.records_identified, "records"),
        " records.",
    ]
    return out


def _dedupe(facts: MethodsFacts) -> list[Segment]:
    total = facts.duplicates_automatic + facts.duplicates_manual
    if not facts.records_identified:
        return []
    return [
        "Duplicates were removed in reviewapp: records sharing a DOI or PMID, or with a "
        "near-identical title, year and authors and no conflicting identifier, were merged "
        "automatically (",
        Num(facts.duplicates_automatic, "duplicates"),
        " records); uncertain pairs were checked by a person (",
        Num(facts.duplicates_manual, "duplicates"),
        " records), so ",
        Num(total, "prisma"),
        " duplicates were removed in all.",
    ]


def _screening(facts: MethodsFacts) -> list[Segment]:
    out: list[Segment] = []
    for stage in facts.stages:
        if not stage.screened and not stage.reviewers:
            continue
        people = _count_word(stage.votes_needed)
        if stage.votes_needed == 1:
            out.append(f" At {stage.label}, each record was screened by one reviewer")
        else:
            blinding = (
                "independently and blinded to each other's decisions"
                if facts.blind
                else "independently"
            )
            out.append(
                f" At {stage.label}, each record was screened by {people} reviewers {blinding}"
            )
        out += [
            " (",
            Num(stage.reviewers, "agreement"),
            " reviewers in all; ",
            Num(stage.screened, "prisma"),
            " records).",
        ]
        if stage.agreement_items and stage.kappa is not None:
            out += [
                " Agreement over ",
                Num(stage.agreement_items, "agreement"),
                f" records screened in duplicate: {stage.kappa_name} ",
                Num(stage.kappa, "agreement"),
            ]
            if stage.ac1 is not None:
                out += [", Gwet's AC1 ", Num(stage.ac1, "agreement")]
            if stage.pabak is not None:
                out += [", PABAK ", Num(stage.pabak, "agreement")]
            out.append(".")
        if stage.votes_needed > 1:
            out += [
                " Disagreements were resolved by the review lead (",
                Num(stage.conflicts_resolved, "conflicts"),
                " records",
            ]
            if stage.overruled:
                out += ["; ", Num(stage.overruled, "conflicts"), " agreed decisions were overruled"]
            out.append(").")
    return [s.lstrip() if i == 0 and isinstance(s, str) else s for i, s in enumerate(out)]


def _ranking(facts: MethodsFacts) -> list[Segment]:
    if not facts.stops:
        if facts.ranking_enabled:
            return [
                "Records awaiting title/abstract screening were ordered by a relevance model "
                "retrained on the team's decisions; every record was screened (no stopping rule was applied)."
            ]
        return []
    out: list[Segment] = [
        "Title/abstract screening was prioritised by a relevance model retrained on the team's decisions. "
    ]
    for stop in facts.stops:
        out += [f"Screening stopped on {_date(stop.stopped_on)} by the {stop.rule.lower()}"]
        if stop.recall_target is not None:
            out += [" (stated recall ", Num(f"{stop.recall_target:.0%}", "ranking"), ")"]
        out += [
            "; the ",
            Num(stop.records_excluded, "ranking"),
            " records not screened were excluded by it. ",
        ]
    out[-1] = out[-1].rstrip() if isinstance(out[-1], str) else out[-1]
    return out


def _fulltext(facts: MethodsFacts) -> list[Segment]:
    if not facts.reports_sought:
        return []
    return [
        "We sought the full text of ",
        Num(facts.reports_sought, "fulltext"),
        " reports; ",
        Num(facts.reports_not_retrieved, "fulltext"),
        " could not be retrieved and ",
        Num(facts.reports_assessed, "prisma"),
        " were assessed for eligibility. ",
        Num(facts.studies_included, "prisma"),
        " studies (",
        Num(facts.reports_included, "prisma"),
        " reports) were included.",
    ]


def _extraction(facts: MethodsFacts) -> list[Segment]:
    if not facts.studies_included:
        return []
    if facts.extractors_per_study >= 2:
        how = "Two reviewers extracted data from each study independently and reached consensus"
    else:
        how = "One reviewer extracted data from each study"
    out: list[Segment] = [how, " ("]
    if facts.studies_extracted < facts.studies_included:
        out += [
            Num(facts.studies_extracted, "extraction"),
            " of ",
            Num(facts.studies_included, "prisma"),
            " studies extracted so far).",
        ]
    else:
        out += [Num(facts.studies_extracted, "extraction"), " studies)."]
    if facts.rob_tools:
        assessors = (
            "two reviewers independently" if facts.extractors_per_study >= 2 else "one reviewer"
        )
        out += [
            f" Risk of bias was assessed by {assessors} with {_join(list(facts.rob_tools))} (",
            Num(facts.studies_assessed_rob, "rob"),
            " studies).",
        ]
    return out


def methods_paragraphs(facts: MethodsFacts) -> list[Paragraph]:
    """The methods section as paragraphs; a paragraph with nothing to say is left out."""
    parts = [
        ("Search", _search(facts)),
        ("Deduplication", _dedupe(facts)),
        ("Study selection", _screening(facts)),
        ("Prioritisation and stopping", _ranking(facts)),
        ("Full-text retrieval", _fulltext(facts)),
        ("Data extraction and risk of bias", _extraction(facts)),
    ]
    return [Paragraph(heading, tuple(segments)) for heading, segments in parts if segments]


def as_markdown(*, title: str, paragraphs: Sequence[Paragraph]) -> str:
    """The paragraphs as Markdown text for the manuscript (numbers as plain text)."""
    lines = [f"# Methods: {' '.join(title.split())}", ""]
    for paragraph in paragraphs:
        lines += [f"**{paragraph.heading}.** {paragraph.text}", ""]
    return "\n".join(lines)
