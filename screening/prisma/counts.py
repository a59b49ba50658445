"""PRISMA 2020 flow counts: raw numbers in, every box out, and the invariants between them.

The database supplies a :class:`PrismaInput` (only counts it can take straight from
records and decisions); :func:`build_flow` derives the other boxes; and
:func:`check_invariants` re-checks every relation on a :class:`PrismaFlow`, so a
flow built by hand, read back from JSON or edited by a user is held to the same rules.

How the "awaiting" boxes keep every box adding up during a review
-----------------------------------------------------------------
Each unit (record or report) sits in exactly one box of each stage it reached, and
the stage's "awaiting" box holds the units that reached it but have no final
decision yet. So, at any moment::

    records screened  = records excluded + records awaiting screening + reports sought
    reports sought    = reports not retrieved + reports awaiting retrieval + reports assessed
    reports assessed  = Σ reports excluded by reason + reports awaiting assessment
                        + reports of included studies (this arm)

A record counts as "awaiting screening" from import until its title/abstract
decision is final; a record in conflict (include vs exclude, waiting for the lead)
is still awaiting. When it is decided it moves to "excluded" or becomes a report
"sought for retrieval", which is "awaiting retrieval" until the full text is
attached (then "assessed") or marked unobtainable ("not retrieved"). An assessed
report "awaits assessment" until its full-text decision is final (a conflict,
including two excludes with different reasons, is still awaiting); then it is
excluded with exactly one reason or counted among reports of included studies.
When nothing is awaiting, the boxes are exactly the PRISMA 2020 boxes. A record held
back for a human duplicate check counts as a record to screen until it is merged,
when it moves to "duplicates removed".

Box names follow the PRISMA2020 R package's ``data`` column (``database_results``,
``records_screened``, ``dbr_assessed``…) so the same names key the SVG links, the CSV
rows and the JSON export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields


@dataclass(frozen=True, slots=True)
class NamedCount:
    """One labelled number inside a box: a database, register, source or exclusion reason."""

    name: str
    n: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherMethodsInput:
    """Raw counts for the optional "identification via other methods" arm.

    ``sources`` maps a source ("Websites", "Organisations", "Citation searching", …)
    to records identified from it. This arm has no title/abstract screening box in
    PRISMA 2020: reports go straight to retrieval. ``reports_included`` counts the
    reports of included studies that came from this arm.
    """

    sources: Mapping[str, int] = field(default_factory=dict)
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_awaiting_retrieval: int = 0
    reports_excluded: Mapping[str, int] = field(default_factory=dict)
    reports_awaiting_assessment: int = 0
    reports_included: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviousVersionInput:
    """Studies and reports included in the previous version of an updated review."""

    studies_included: int = 0
    reports_included: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundDuplicatesInput:
    """How a review with update search rounds splits its duplicates removed (main arm).

    ``within_round``: duplicates of a record found in the same search round;
    ``found_again``: copies of a record found in an earlier round (linked to it, which
    keeps its decisions). The two must add up to ``PrismaInput.duplicates_removed``.
    """

    within_round: int = 0
    found_again: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PrismaInput:
    """The raw numbers the database supplies for one review's PRISMA 2020 flow.

    Identification: ``databases`` and ``registers`` map a source name to records
    identified from it; ``duplicates_removed``, ``removed_by_automation`` and
    ``removed_other_reasons`` are removed before screening; ``round_duplicates``
    (reviews with update rounds only) splits the duplicates into those within a round
    and those found again from an earlier round.

    Screening: ``records_excluded`` at title/abstract; ``records_awaiting_screening``
    (no final decision yet, conflicts included); ``reports_sought`` for retrieval,
    ``reports_not_retrieved``, ``reports_awaiting_retrieval``; ``reports_excluded``
    maps a full-text exclusion reason to its count; ``reports_awaiting_assessment``
    (no final full-text decision yet, conflicts included).

    Included: ``studies_included`` is the number of new studies in the review (all
    arms, each study once); ``reports_included`` is the number of reports of included
    studies found via databases and registers (the other arm carries its own).
    """

    databases: Mapping[str, int] = field(default_factory=dict)
    registers: Mapping[str, int] = field(default_factory=dict)
    duplicates_removed: int = 0
    round_duplicates: RoundDuplicatesInput | None = None
    removed_by_automation: int = 0
    removed_other_reasons: int = 0
    records_excluded: int = 0
    records_awaiting_screening: int = 0
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_awaiting_retrieval: int = 0
    reports_excluded: Mapping[str, int] = field(default_factory=dict)
    reports_awaiting_assessment: int = 0
    studies_included: int = 0
    reports_included: int = 0
    other_methods: OtherMethodsInput | None = None
    previous_version: PreviousVersionInput | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PrismaFlow:
    """Every box of the PRISMA 2020 flow diagram, plus the live "awaiting" boxes.

    Field names are the PRISMA2020 R package's node names where it has one
    (``dbr_`` = databases and registers arm, ``other_`` = other-methods arm).
    ``has_other_methods`` / ``has_previous_version`` say whether those arms are drawn;
    when they are false their counts are zero. ``total_*`` equal ``new_*`` when there
    is no previous version. ``has_round_duplicates`` says whether the duplicates box
    draws its two lines for search rounds (``duplicates_within_round`` +
    ``duplicates_found_again`` = ``duplicates``).
    """

    has_previous_version: bool = False
    previous_studies: int = 0
    previous_reports: int = 0

    database_specific_results: tuple[NamedCount, ...] = ()
    database_results: int = 0
    register_specific_results: tuple[NamedCount, ...] = ()
    register_results: int = 0
    records_identified: int = 0
    duplicates: int = 0
    has_round_duplicates: bool = False
    duplicates_within_round: int = 0
    duplicates_found_again: int = 0
    excluded_automatic: int = 0
    excluded_other: int = 0

    records_screened: int = 0
    records_excluded: int = 0
    records_awaiting_screening: int = 0
    dbr_sought_reports: int = 0
    dbr_notretrieved_reports: int = 0
    dbr_awaiting_retrieval: int = 0
    dbr_assessed: int = 0
    dbr_excluded_reasons: tuple[NamedCount, ...] = ()
    dbr_excluded: int = 0
    dbr_awaiting_assessment: int = 0
    dbr_included_reports: int = 0

    has_other_methods: bool = False
    other_specific_results: tuple[NamedCount, ...] = ()
    other_results: int = 0
    other_sought_reports: int = 0
    other_notretrieved_reports: int = 0
    other_awaiting_retrieval: int = 0
    other_assessed: int = 0
    other_excluded_reasons: tuple[NamedCount, ...] = ()
    other_excluded: int = 0
    other_awaiting_assessment: int = 0
    other_included_reports: int = 0

    new_studies: int = 0
    new_reports: int = 0
    total_studies: int = 0
    total_reports: int = 0

    @property
    def awaiting(self) -> int:
        """Units still waiting for a decision anywhere in the flow (0 when the review is done)."""
        return (
            self.records_awaiting_screening
            + self.dbr_awaiting_retrieval
            + self.dbr_awaiting_assessment
            + self.other_awaiting_retrieval
            + self.other_awaiting_assessment
        )

    @property
    def in_progress(self) -> bool:
        return self.awaiting != 0


def _named(counts: Mapping[str, int]) -> tuple[NamedCount, ...]:
    # Keep the caller's order (the order databases were searched, or reasons defined).
    return tuple(NamedCount(str(name), int(n)) for name, n in counts.items())


def _total(items: tuple[NamedCount, ...]) -> int:
    return sum(item.n for item in items)


def build_flow(data: PrismaInput) -> PrismaFlow:
    """Compute every PRISMA 2020 box from the raw counts.

    Derived boxes: records identified = Σ databases + Σ registers; records screened =
    identified − duplicates − automation − other removed; reports assessed = sought −
    not retrieved − awaiting retrieval (both arms); reports excluded = Σ reasons; new
    reports = reports included via databases/registers + via other methods; totals =
    previous version + new. Never raises: inconsistent input yields a flow whose
    problems :func:`check_invariants` reports.
    """
    databases = _named(data.databases)
    registers = _named(data.registers)
    dbr_reasons = _named(data.reports_excluded)
    identified = _total(databases) + _total(registers)
    screened = (
        identified
        - data.duplicates_removed
        - data.removed_by_automation
        - data.removed_other_reasons
    )
    dbr_assessed = (
        data.reports_sought - data.reports_not_retrieved - data.reports_awaiting_retrieval
    )

    other = data.other_methods
    other_values: dict[str, object] = {}
    other_reports = 0
    if other is not None:
        sources = _named(other.sources)
        other_reasons = _named(other.reports_excluded)
        other_reports = other.reports_included
        other_values = {
            "has_other_methods": True,
            "other_specific_results": sources,
            "other_results": _total(sources),
            "other_sought_reports": other.reports_sought,
            "other_notretrieved_reports": other.reports_not_retrieved,
            "other_awaiting_retrieval": other.reports_awaiting_retrieval,
            "other_assessed": (
                other.reports_sought
                - other.reports_not_retrieved
                - other.reports_awaiting_retrieval
            ),
            "other_excluded_reasons": other_reasons,
            "other_excluded": _total(other_reasons),
            "other_awaiting_assessment": other.reports_awaiting_assessment,
            "other_included_reports": other.reports_included,
        }

    previous = data.previous_version
    previous_studies = previous.studies_included if previous else 0
    previous_reports = previous.reports_included if previous else 0
    new_reports = data.reports_included + other_reports
    split = data.round_duplicates

    return PrismaFlow(
        has_previous_version=previous is not None,
        previous_studies=previous_studies,
        previous_reports=previous_reports,
        database_specific_results=databases,
        database_results=_total(databases),
        register_specific_results=registers,
        register_results=_total(registers),
        records_identified=identified,
        duplicates=data.duplicates_removed,
        has_round_duplicates=split is not None,
        duplicates_within_round=split.within_round if split else 0,
        duplicates_found_again=split.found_again if split else 0,
        excluded_automatic=data.removed_by_automation,
        excluded_other=data.removed_other_reasons,
        records_screened=screened,
        records_excluded=data.records_excluded,
        records_awaiting_screening=data.records_awaiting_screening,
        dbr_sought_reports=data.reports_sought,
        dbr_notretrieved_reports=data.reports_not_retrieved,
        dbr_awaiting_retrieval=data.reports_awaiting_retrieval,
        dbr_assessed=dbr_assessed,
        dbr_excluded_reasons=dbr_reasons,
        dbr_excluded=_total(dbr_reasons),
        dbr_awaiting_assessment=data.reports_awaiting_assessment,
        dbr_included_reports=data.reports_included,
        new_studies=data.studies_included,
        new_reports=new_reports,
        total_studies=previous_studies + data.studies_included,
        total_reports=previous_reports + new_reports,
        **other_values,  # type: ignore[arg-type]
    )


def check_invariants(flow: PrismaFlow) -> list[str]:
    """Return every broken PRISMA relation in ``flow`` as a sentence (empty list = consistent).

    Checked: no negative count; each total equals the sum of its breakdown (databases,
    registers, sources, exclusion reasons); duplicates = within a round + found again
    from an earlier round (reviews with update rounds); identified = databases + registers;
    screened = identified − duplicates − automation − other removed; screened =
    excluded + awaiting screening + sought; assessed = sought − not retrieved −
    awaiting retrieval (each arm); Σ exclusion reasons = assessed − reports included −
    awaiting assessment (each arm); other-methods reports sought ≤ records identified
    from those sources; new reports = reports included from both arms; studies ≤
    reports and reports > 0 ⇒ studies > 0; totals = previous version + new; an absent
    arm has only zero counts.
    """
    problems: list[str] = []
    for f in fields(flow):
        value = getattr(flow, f.name)
        if isinstance(value, int) and not isinstance(value, bool) and value < 0:
            problems.append(f"{LABELS.get(f.name, f.name)} is negative ({value}).")
        if isinstance(value, tuple):
            for item in value:
                if item.n < 0:
                    problems.append(
                        f"{LABELS.get(f.name, f.name)}: “{item.name}” is negative ({item.n})."
                    )

    def expect(actual: int, expected: int, sentence: str) -> None:
        if actual != expected:
            problems.append(sentence.format(actual=actual, expected=expected))

    for total_name, items_name in _BREAKDOWNS:
        expect(
            getattr(flow, total_name),
            _total(getattr(flow, items_name)),
            f"{LABELS[total_name]} ({{actual}}) does not equal the sum of its breakdown "
            f"({{expected}}).",
        )
    if flow.has_round_duplicates:
        expect(
            flow.duplicates,
            flow.duplicates_within_round + flow.duplicates_found_again,
            f"Duplicate records removed ({{actual}}) should equal duplicates within a search "
            f"round ({flow.duplicates_within_round}) + records found again from an earlier "
            f"round ({flow.duplicates_found_again}) = {{expected}}.",
        )
    elif flow.duplicates_within_round or flow.duplicates_found_again:
        problems.append(
            "Duplicates within a round / found again are set but the flow has no search rounds."
        )
    expect(
        flow.records_identified,
        flow.database_results + flow.register_results,
        f"Records identified ({{actual}}) should equal records from databases "
        f"({flow.database_results}) plus registers ({flow.register_results}) = {{expected}}.",
    )
    expect(
        flow.records_screened,
        flow.records_identified - flow.duplicates - flow.excluded_automatic - flow.excluded_other,
        f"Records screened ({{actual}}) should equal records identified "
        f"({flow.records_identified}) − duplicates ({flow.duplicates}) − marked ineligible "
        f"by automation tools ({flow.excluded_automatic}) − removed for other reasons "
        f"({flow.excluded_other}) = {{expected}}.",
    )
    expect(
        flow.records_excluded + flow.records_awaiting_screening + flow.dbr_sought_reports,
        flow.records_screened,
        f"Records screened ({{expected}}) should equal records excluded "
        f"({flow.records_excluded}) + awaiting screening ({flow.records_awaiting_screening}) "
        f"+ reports sought for retrieval ({flow.dbr_sought_reports}) = {{actual}}.",
    )
    arms = [("dbr", "databases and registers")]
    if flow.has_other_methods:
        arms.append(("other", "other methods"))
    for prefix, arm in arms:
        sought = getattr(flow, f"{prefix}_sought_reports")
        not_retrieved = getattr(flow, f"{prefix}_notretrieved_reports")
        awaiting_retrieval = getattr(flow, f"{prefix}_awaiting_retrieval")
        assessed = getattr(flow, f"{prefix}_assessed")
        excluded = getattr(flow, f"{prefix}_excluded")
        awaiting_assessment = getattr(flow, f"{prefix}_awaiting_assessment")
        included = getattr(flow, f"{prefix}_included_reports")
        expect(
            assessed,
            sought - not_retrieved - awaiting_retrieval,
            f"Reports assessed for eligibility via {arm} ({{actual}}) should equal reports "
            f"sought ({sought}) − not retrieved ({not_retrieved}) − awaiting retrieval "
            f"({awaiting_retrieval}) = {{expected}}.",
        )
        expect(
            excluded,
            assessed - included - awaiting_assessment,
            f"Reports excluded via {arm} (Σ reasons = {{actual}}) should equal reports "
            f"assessed ({assessed}) − reports of included studies ({included}) − awaiting "
            f"assessment ({awaiting_assessment}) = {{expected}}.",
        )
    if flow.has_other_methods and flow.other_sought_reports > flow.other_results:
        problems.append(
            f"Reports sought via other methods ({flow.other_sought_reports}) exceed the "
            f"records identified from those sources ({flow.other_results})."
        )
    expect(
        flow.new_reports,
        flow.dbr_included_reports + flow.other_included_reports,
        f"Reports of included studies ({{actual}}) should equal those via databases and "
        f"registers ({flow.dbr_included_reports}) + via other methods "
        f"({flow.other_included_reports}) = {{expected}}.",
    )
    if flow.new_studies > flow.new_reports:
        problems.append(
            f"Studies included ({flow.new_studies}) exceed reports of included studies "
            f"({flow.new_reports}); every study has at least one report."
        )
    if flow.new_reports > 0 and flow.new_studies == 0:
        problems.append(f"{flow.new_reports} reports of included studies but no study is included.")
    expect(
        flow.total_studies,
        flow.previous_studies + flow.new_studies,
        f"Total studies ({{actual}}) should equal studies in the previous version "
        f"({flow.previous_studies}) + new studies ({flow.new_studies}) = {{expected}}.",
    )
    expect(
        flow.total_reports,
        flow.previous_reports + flow.new_reports,
        f"Total reports ({{actual}}) should equal reports in the previous version "
        f"({flow.previous_reports}) + new reports ({flow.new_reports}) = {{expected}}.",
    )
    if not flow.has_other_methods:
        for name in _OTHER_FIELDS:
            if getattr(flow, name):
                problems.append(
                    f"{LABELS.get(name, name)} is set but the flow has no other-methods arm."
                )
    if not flow.has_previous_version and (flow.previous_studies or flow.previous_reports):
        problems.append("Previous-version counts are set but the flow has no previous version.")
    return problems


_BREAKDOWNS = (
    ("database_results", "database_specific_results"),
    ("register_results", "register_specific_results"),
    ("other_results", "other_specific_results"),
    ("dbr_excluded", "dbr_excluded_reasons"),
    ("other_excluded", "other_excluded_reasons"),
)

_OTHER_FIELDS = tuple(f.name for f in fields(PrismaFlow) if f.name.startswith("other_"))

# Human names for sentences; also the default box labels in exports.
LABELS = {
    "previous_studies": "Studies included in previous version of review",
    "previous_reports": "Reports of studies included in previous version of review",
    "database_specific_results": "Records identified from databases",
    "database_results": "Records identified from databases",
    "register_specific_results": "Records identified from registers",
    "register_results": "Records identified from registers",
    "records_identified": "Records identified",
    "duplicates": "Duplicate records removed",
    "duplicates_within_round": "Duplicates within a search round",
    "duplicates_found_again": "Found again: copies of records from an earlier search round",
    "excluded_automatic": "Records marked as ineligible by automation tools",
    "excluded_other": "Records removed for other reasons",
    "records_screened": "Records screened",
    "records_excluded": "Records excluded",
    "records_awaiting_screening": "Records awaiting screening",
    "dbr_sought_reports": "Reports sought for retrieval",
    "dbr_notretrieved_reports": "Reports not retrieved",
    "dbr_awaiting_retrieval": "Reports awaiting retrieval",
    "dbr_assessed": "Reports assessed for eligibility",
    "dbr_excluded_reasons": "Reports excluded",
    "dbr_excluded": "Reports excluded",
    "dbr_awaiting_assessment": "Reports awaiting assessment",
    "dbr_included_reports": "Reports of included studies (databases and registers)",
    "other_specific_results": "Records identified via other methods",
    "other_results": "Records identified via other methods",
    "other_sought_reports": "Reports sought for retrieval (other methods)",
    "other_notretrieved_reports": "Reports not retrieved (other methods)",
    "other_awaiting_retrieval": "Reports awaiting retrieval (other methods)",
    "other_assessed": "Reports assessed for eligibility (other methods)",
    "other_excluded_reasons": "Reports excluded (other methods)",
    "other_excluded": "Reports excluded (other methods)",
    "other_awaiting_assessment": "Reports awaiting assessment (other methods)",
    "other_included_reports": "Reports of included studies (other methods)",
    "new_studies": "Studies included in review",
    "new_reports": "Reports of included studies",
    "total_studies": "Total studies included in review",
    "total_reports": "Reports of total included studies",
}
