"""A simple domain-based risk-of-bias tool: domains the lead defines, each rated
low / high / unclear with supporting text, plus the summaries a review reports.

The default reproduces the seed review (Soin et al., Pain Physician 2021;24:E393),
which rated selection, performance, detection and attrition bias "according to the
Cochrane Back Review Group": Furlan AD, Pennick V, Bombardier C, van Tulder M.
2009 updated method guidelines for systematic reviews in the Cochrane Back Review
Group. Spine 2009;34(18):1929-41 (its 12 criteria, grouped by type of bias).
Low / high / unclear are the judgements of the original Cochrane tool (Higgins JPT et
al. BMJ 2011;343:d5928), which the CBRG guidance follows.

The summaries feed the two figures of Cochrane reviews ("risk of bias graph" and
"risk of bias summary"), also drawn by robvis (McGuinness & Higgins, Res
Synth Methods 2021;12:55-61): a per-domain stacked bar chart, optionally weighted
(robvis `rob_summary(weighted = TRUE)`), and a traffic-light matrix of study x domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Rating(StrEnum):
    """A domain judgement (Cochrane risk-of-bias tool, Higgins et al. 2011)."""

    LOW = "low"
    HIGH = "high"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class BiasDomain:
    """One domain of the tool: a stable key, a display name and what it covers."""

    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class DomainTool:
    """A named set of domains, in display order, with the reference it follows."""

    name: str
    domains: tuple[BiasDomain, ...]
    reference: str = ""


@dataclass(frozen=True)
class DomainRating:
    """An assessor's judgement for one domain of one study, with the support for it."""

    domain: str
    rating: Rating
    support: str = ""


@dataclass(frozen=True)
class StudyRatings:
    """All ratings for one study; `label` is what the figures show ("Smith 2019")."""

    study_id: str
    label: str
    ratings: tuple[DomainRating, ...] = ()

    def rating_for(self, domain_key: str) -> Rating | None:
        for rating in self.ratings:
            if rating.domain == domain_key:
                return rating.rating
        return None


@dataclass(frozen=True)
class DomainSummary:
    """One bar of the risk-of-bias graph: counts and percentages for one domain.

    `percent` shares are of the total weight of all studies, including those not yet
    rated (`percent_not_rated`), so each bar sums to 100 and gaps stay visible.
    """

    domain: BiasDomain
    counts: dict[Rating, int]
    not_rated: int
    percent: dict[Rating, float]
    percent_not_rated: float


@dataclass(frozen=True)
class TrafficLightRow:
    study_id: str
    label: str
    cells: tuple[Rating | None, ...]


@dataclass(frozen=True)
class TrafficLightMatrix:
    """The risk-of-bias summary figure: one row per study, one column per domain."""

    domains: tuple[BiasDomain, ...]
    rows: tuple[TrafficLightRow, ...] = field(default_factory=tuple)


_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def default_tool() -> DomainTool:
    """The four domains the seed review rated, after the Cochrane Back Review Group.

    Source: Furlan et al., Spine 2009;34:1929-41, its 12 criteria grouped by bias
    type (selection: A, B, I; performance: C, D, J, K; detection: E, L; attrition: F,
    G). The CBRG's fifth type, reporting bias (criterion H), the seed did not rate;
    a review can add it as a domain.
    """
    return DomainTool(
        name="Cochrane Back Review Group (selection, performance, detection, attrition)",
        reference="Furlan AD et al. Spine 2009;34(18):1929-41",
        domains=(
            BiasDomain(
                "selection",
                "Selection bias",
                "Was the method of randomisation adequate? Was the treatment allocation "
                "concealed? Were the groups similar at baseline regarding the most "
                "important prognostic indicators?",
            ),
            BiasDomain(
                "performance",
                "Performance bias",
                "Were the patient and the care provider blinded to the intervention? "
                "Were co-interventions avoided or similar? Was the compliance acceptable "
                "in all groups?",
            ),
            BiasDomain(
                "detection",
                "Detection bias",
                "Was the outcome assessor blinded to the intervention? Was the timing of "
                "the outcome assessment similar in all groups?",
            ),
            BiasDomain(
                "attrition",
                "Attrition bias",
                "Was the drop-out rate described and acceptable? Were all randomised "
                "participants analysed in the group to which they were allocated?",
            ),
        ),
    )


def validate_tool(tool: DomainTool) -> tuple[str, ...]:
    """Messages for a tool definition a review cannot use: no name, no domains,
    malformed or duplicate keys, unnamed domains. Empty when the tool is usable.

    Keys are stored with every rating, so they must be stable identifiers; names are
    what people read and may change freely.
    """
    messages = []
    if not tool.name.strip():
        messages.append("The tool needs a name.")
    if not tool.domains:
        messages.append("The tool needs at least one domain.")
    seen: set[str] = set()
    for position, domain in enumerate(tool.domains, start=1):
        where = f"Domain {position}"
        if not _KEY.match(domain.key):
            messages.append(
                f"{where}: key {domain.key!r} must start with a lowercase letter and use "
                "only lowercase letters, digits and underscores."
            )
        elif domain.key in seen:
            messages.append(f"{where}: key {domain.key!r} is used twice.")
        seen.add(domain.key)
        if not domain.name.strip():
            messages.append(f"{where}: the domain needs a name.")
    return tuple(messages)


def validate_ratings(tool: DomainTool, ratings: Iterable[DomainRating]) -> tuple[str, ...]:
    """Messages for one study's ratings: unknown domains and domains rated twice.

    Support text is optional here; the Cochrane tool asks for it, so the UI should
    prompt for it, but a missing quote must not block saving a judgement.
    """
    known = {d.key for d in tool.domains}
    messages = []
    seen: set[str] = set()
    for rating in ratings:
        if rating.domain not in known:
            messages.append(f"{rating.domain!r} is not a domain of {tool.name}.")
        elif rating.domain in seen:
            messages.append(f"{rating.domain!r} is rated twice.")
        seen.add(rating.domain)
    return tuple(messages)


def domain_summaries(
    tool: DomainTool,
    studies: Iterable[StudyRatings],
    weights: Mapping[str, float] | None = None,
) -> tuple[DomainSummary, ...]:
    """Per-domain counts and percentages, in the tool's domain order.

    Counts are numbers of studies. Percentages are shares of the total weight: each
    study weighs 1, or `weights[study_id]` (e.g. its meta-analysis weight or sample
    size, as robvis's weighted summary plot does). Raises ValueError for a negative
    or missing weight, since a silent default would distort the figure.
    """
    studies = tuple(studies)
    if weights is not None:
        for study in studies:
            weight = weights.get(study.study_id)
            if weight is None or weight < 0:
                raise ValueError(f"Study {study.study_id!r} needs a weight of zero or more.")

    def weight_of(study: StudyRatings) -> float:
        return 1.0 if weights is None else float(weights[study.study_id])

    total = sum(weight_of(s) for s in studies)
    summaries = []
    for domain in tool.domains:
        counts = dict.fromkeys(Rating, 0)
        weighted = dict.fromkeys(Rating, 0.0)
        not_rated = 0
        weight_not_rated = 0.0
        for study in studies:
            rating = study.rating_for(domain.key)
            if rating is None:
                not_rated += 1
                weight_not_rated += weight_of(study)
            else:
                counts[rating] += 1
                weighted[rating] += weight_of(study)
        summaries.append(
            DomainSummary(
                domain=domain,
                counts=counts,
                not_rated=not_rated,
                percent={r: _percent(w, total) for r, w in weighted.items()},
                percent_not_rated=_percent(weight_not_rated, total),
            )
        )
    return tuple(summaries)


def _percent(part: float, total: float) -> float:
    # No studies (or all weights zero) draws an empty bar rather than dividing by zero.
    return round(100.0 * part / total, 1) if total else 0.0


def traffic_light(tool: DomainTool, studies: Iterable[StudyRatings]) -> TrafficLightMatrix:
    """The study x domain matrix of ratings (None where not yet rated), rows in the
    order given, columns in the tool's domain order (robvis `rob_traffic_light`)."""
    rows = tuple(
        TrafficLightRow(
            study.study_id,
            study.label,
            tuple(study.rating_for(domain.key) for domain in tool.domains),
        )
        for study in studies
    )
    return TrafficLightMatrix(tool.domains, rows)


def tool_to_dict(tool: DomainTool) -> dict:
    """The tool as JSON-ready data, so a team can store or share its definition."""
    return {
        "name": tool.name,
        "reference": tool.reference,
        "domains": [
            {"key": d.key, "name": d.name, "description": d.description} for d in tool.domains
        ],
    }


def tool_from_dict(data: Mapping) -> DomainTool:
    """Rebuild a tool from `tool_to_dict` output; raises ValueError with every problem
    found (see `validate_tool`)."""
    try:
        tool = DomainTool(
            name=str(data.get("name", "")),
            reference=str(data.get("reference", "")),
            domains=tuple(
                BiasDomain(str(d["key"]), str(d["name"]), str(d.get("description", "")))
                for d in data.get("domains", ())
            ),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"Not a domain tool definition: {exc}") from None
    problems = validate_tool(tool)
    if problems:
        raise ValueError(" ".join(problems))
    return tool
