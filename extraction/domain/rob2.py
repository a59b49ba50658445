"""Cochrane RoB 2 for individually randomized, parallel-group trials.

Proposes each domain's judgement from the signalling-question answers, following the
algorithms (flowcharts) of the RoB 2 full guidance document of 22 August 2019
(Higgins, Savović, Page, Sterne; riskofbias.info) and Sterne JAC et al., BMJ
2019;366:l4898, then the overall judgement from the domains (the guidance's
overall risk-of-bias criteria).

Cross-checked against two public transcriptions of those flowcharts:
InfinityBowman/corates (`ROB2Checklist/scoring/decision-diagrams/domain-*.md`, which
carry the guidance text and each flowchart as Mermaid) and rob-luke/risk-of-bias
(`frameworks/rob2/domains/_domain_3_missing.py`). No code was copied.

Conventions the guidance fixes: Y and PY are treated alike, as are N and PN; NI has
its own branch at every node. A question that is not asked (its "If ... to ..."
condition fails) is NA and never read by the algorithm. A domain has no proposed
judgement until every asked question is answered, so the UI can show what is left.

Choice made where the guidance leaves it to the assessor: the overall judgement is
"High" if *any* domain is high; "Some concerns" in several domains *may* justify
"High" ("in a way that substantially lowers confidence in the result"). The algorithm
cannot know that, so it proposes "Some concerns" and sets `needs_review`, and the
assessor may override with a reason (`AssessorJudgement`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from extraction.domain.rob2_questions import (
    NA,
    NI,
    NO_LIKE,
    YES_LIKE,
    Answer,
    Answers,
    Effect,
    Question,
    Rob2Domain,
    asked_if,
    rob2_domain,
    rob2_domains,
)

__all__ = [
    "Answer",
    "AssessorJudgement",
    "DomainResult",
    "Effect",
    "Judgement",
    "OverallResult",
    "Question",
    "Rob2Assessment",
    "Rob2Domain",
    "applicable_questions",
    "assess",
    "decide",
    "judge_domain",
    "overall_judgement",
    "parse_answers",
    "rob2_domain",
    "rob2_domains",
    "validate_answers",
]


class Judgement(StrEnum):
    """A risk-of-bias judgement, ordered by severity (see `_SEVERITY`)."""

    LOW = "low"
    SOME_CONCERNS = "some_concerns"
    HIGH = "high"


LOW, SOME, HIGH = Judgement.LOW, Judgement.SOME_CONCERNS, Judgement.HIGH
_SEVERITY = {LOW: 0, SOME: 1, HIGH: 2}


@dataclass(frozen=True)
class DomainResult:
    """The algorithm's proposal for one domain.

    `proposed` is None while `missing` lists asked questions still unanswered.
    `ignored` lists answers given to questions that are not asked (kept by the caller,
    but not read), `reason` the path taken through the flowchart.
    """

    domain: int
    proposed: Judgement | None
    asked: tuple[str, ...]
    missing: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class OverallResult:
    """The proposed overall judgement; `needs_review` flags the guidance's judgement call."""

    proposed: Judgement | None
    needs_review: bool = False
    reason: str = ""


@dataclass(frozen=True)
class Rob2Assessment:
    """Every domain's proposal and the overall proposal for one result of one trial."""

    effect: Effect
    domains: tuple[DomainResult, ...]
    overall: OverallResult


@dataclass(frozen=True)
class AssessorJudgement:
    """What the assessor settles on: the algorithm's proposal, or an override with a reason.

    RoB 2 guidance (2019): the algorithm's mapping is a proposal the assessor may
    override, and the reason should be recorded. Raises ValueError when `final` differs
    from `proposed` without a reason.
    """

    proposed: Judgement | None
    final: Judgement
    override_reason: str = ""

    def __post_init__(self) -> None:
        if self.is_override and not self.override_reason.strip():
            proposed = self.proposed.value if self.proposed else "no proposal"
            raise ValueError(
                f"Overriding the proposed judgement ({proposed}) with "
                f"{self.final.value} needs a reason."
            )

    @property
    def is_override(self) -> bool:
        return self.final != self.proposed


def decide(
    proposed: Judgement | None,
    final: Judgement | str | None = None,
    override_reason: str = "",
) -> AssessorJudgement:
    """Settle a judgement: accept `proposed` (final omitted) or override it with a reason.

    RoB 2 guidance, 2019 (assessors may override the algorithm's proposal, giving
    the reason). Raises ValueError when there is nothing to accept or the override
    lacks a reason.
    """
    if final is None:
        if proposed is None:
            raise ValueError("There is no proposed judgement to accept yet; choose one.")
        final = proposed
    return AssessorJudgement(proposed, Judgement(final), override_reason.strip())


def parse_answers(raw: Mapping[str, str | Answer | None]) -> dict[str, Answer]:
    """Turn {"1.1": "py", ...} into Answers; blanks are dropped, unknown codes raise ValueError.

    Codes are those of the RoB 2 guidance (Y, PY, PN, N, NI, NA), case-insensitive.
    """
    parsed: dict[str, Answer] = {}
    for question_id, value in raw.items():
        if value is None or not str(value).strip():
            continue
        code = str(value).strip().upper()
        try:
            parsed[question_id] = Answer(code)
        except ValueError:
            allowed = ", ".join(a.value for a in Answer)
            raise ValueError(f"{question_id}: {value!r} is not one of {allowed}") from None
    return parsed


def validate_answers(
    domain: int, answers: Answers, effect: Effect = Effect.ASSIGNMENT
) -> tuple[str, ...]:
    """Messages for answers the guidance does not allow: unknown question ids, or an
    option the question does not offer (NA for an always-asked question, NI for 3.2).

    Source: the response options listed per question in the RoB 2 guidance (2019).
    """
    definition = rob2_domain(domain, effect)
    by_id = {q.id: q for q in definition.questions}
    messages = []
    for question_id, answer in answers.items():
        question = by_id.get(question_id)
        if question is None:
            messages.append(f"Domain {domain} has no question {question_id}.")
        elif str(answer) not in {o.value for o in question.options}:
            options = "/".join(o.value for o in question.options)
            messages.append(f"{question_id} takes {options}, not {str(answer)!r}.")
    return tuple(messages)


def _effective_answers(
    definition: Rob2Domain, answers: Answers, effect: Effect
) -> tuple[tuple[Question, ...], dict[str, Answer]]:
    """The asked questions, in order, and the answers to them alone.

    Walks the questions in order so that each condition sees only answers to questions
    that are asked themselves (guidance: "If Y/PY to 2.3" presupposes 2.3 was asked).
    """
    asked: list[Question] = []
    effective: dict[str, Answer] = {}
    for question in definition.questions:
        predicate = asked_if(effect, question.id)
        if predicate is not None and not predicate(effective):
            continue
        asked.append(question)
        answer = answers.get(question.id)
        if answer is None:
            continue
        answer = Answer(answer)
        # NA to an asked question is no answer, unless the guidance allows the
        # question to be left unaddressed ("[If applicable:]", adherence variant).
        if answer is NA and not question.na_when_asked:
            continue
        effective[question.id] = answer
    return tuple(asked), effective


def applicable_questions(
    domain: int, answers: Answers, effect: Effect = Effect.ASSIGNMENT
) -> tuple[str, ...]:
    """Ids of the questions asked given the answers so far, for the UI to show.

    Applies the "If ... to ..." conditions of the RoB 2 guidance (2019); a question
    whose condition depends on an unanswered question stays hidden until it is answered.
    """
    asked, _ = _effective_answers(rob2_domain(domain, effect), answers, effect)
    return tuple(q.id for q in asked)


def _worst(*judgements: Judgement) -> Judgement:
    return max(judgements, key=_SEVERITY.__getitem__)


def _domain_1(a: dict[str, Answer]) -> tuple[Judgement, str]:
    """Guidance flowchart for domain 1 (randomization process); starts from 1.2."""
    if a["1.2"] in NO_LIKE:
        return HIGH, "1.2 N/PN: allocation sequence not concealed"
    if a["1.2"] is NI:
        if a["1.3"] in YES_LIKE:
            return HIGH, "1.2 NI and 1.3 Y/PY: no information on concealment, baseline problem"
        return SOME, "1.2 NI and 1.3 N/PN/NI: no information on concealment"
    if a["1.1"] in NO_LIKE:
        return SOME, "1.2 Y/PY but 1.1 N/PN: sequence not random"
    if a["1.3"] in YES_LIKE:
        return SOME, "1.2 Y/PY, 1.1 Y/PY/NI but 1.3 Y/PY: baseline differences suggest a problem"
    return LOW, "1.2 Y/PY, 1.1 Y/PY/NI, 1.3 N/PN/NI"


def _domain_2_assignment(a: dict[str, Answer]) -> tuple[Judgement, str]:
    """Guidance flowchart for domain 2, effect of assignment: part 1 (2.1-2.5) and
    part 2 (2.6-2.7) are judged separately and the domain takes the worse of the two."""
    if a["2.1"] in NO_LIKE and a["2.2"] in NO_LIKE:
        part_1, why_1 = LOW, "2.1 and 2.2 N/PN"
    elif a["2.3"] in NO_LIKE:
        part_1, why_1 = LOW, "2.3 N/PN: no deviations because of the trial context"
    elif a["2.3"] is NI:
        part_1, why_1 = SOME, "2.3 NI"
    elif a["2.4"] in NO_LIKE:
        part_1, why_1 = SOME, "2.3 Y/PY, 2.4 N/PN: deviations unlikely to affect the outcome"
    elif a["2.5"] in YES_LIKE:
        part_1, why_1 = SOME, "2.3 Y/PY, 2.4 Y/PY/NI, 2.5 Y/PY: deviations balanced"
    else:
        part_1, why_1 = HIGH, "2.3 Y/PY, 2.4 Y/PY/NI, 2.5 N/PN/NI: deviations not balanced"

    if a["2.6"] in YES_LIKE:
        part_2, why_2 = LOW, "2.6 Y/PY: appropriate analysis"
    elif a["2.7"] in NO_LIKE:
        part_2, why_2 = SOME, "2.6 N/PN/NI, 2.7 N/PN: no substantial impact"
    else:
        part_2, why_2 = HIGH, "2.6 N/PN/NI, 2.7 Y/PY/NI: potential substantial impact"

    return _worst(
        part_1, part_2
    ), f"part 1 {part_1.value} ({why_1}); part 2 {part_2.value} ({why_2})"


def _domain_2_adherence(a: dict[str, Answer]) -> tuple[Judgement, str]:
    """Guidance flowchart for domain 2, effect of adhering to intervention."""
    aware = not (a["2.1"] in NO_LIKE and a["2.2"] in NO_LIKE)
    if aware and a.get("2.3") in NO_LIKE | {NI}:
        why = "2.1/2.2 Y/PY/NI, 2.3 N/PN/NI: non-protocol interventions not balanced"
    elif a["2.4"] in NO_LIKE | {NA} and a["2.5"] in NO_LIKE | {NA}:
        return LOW, "no imbalance in non-protocol interventions, 2.4 and 2.5 NA/N/PN"
    else:
        why = "2.4 or 2.5 Y/PY/NI: implementation failures or non-adherence"
    if a["2.6"] in YES_LIKE:
        return SOME, f"{why}; 2.6 Y/PY: appropriate analysis"
    return HIGH, f"{why}; 2.6 N/PN/NI: no appropriate analysis"


def _domain_3(a: dict[str, Answer]) -> tuple[Judgement, str]:
    """Guidance flowchart for domain 3 (missing outcome data)."""
    if a["3.1"] in YES_LIKE:
        return LOW, "3.1 Y/PY: data for (nearly) all participants"
    if a["3.2"] in YES_LIKE:
        return LOW, "3.2 Y/PY: evidence the result is not biased by missing data"
    if a["3.3"] in NO_LIKE:
        return LOW, "3.3 N/PN: missingness could not depend on the true value"
    if a["3.4"] in NO_LIKE:
        return SOME, "3.3 Y/PY/NI, 3.4 N/PN: dependence possible but not likely"
    return HIGH, "3.3 Y/PY/NI, 3.4 Y/PY/NI: missingness likely depends on the true value"


def _domain_4(a: dict[str, Answer]) -> tuple[Judgement, str]:
    """Guidance flowchart for domain 4 (measurement of the outcome); 4.2 NI caps the
    best outcome at "Some concerns" on every later branch."""
    if a["4.1"] in YES_LIKE:
        return HIGH, "4.1 Y/PY: inappropriate measurement method"
    if a["4.2"] in YES_LIKE:
        return HIGH, "4.2 Y/PY: measurement could differ between groups"
    best, branch = (LOW, "4.2 N/PN") if a["4.2"] in NO_LIKE else (SOME, "4.2 NI")
    if a["4.3"] in NO_LIKE:
        return best, f"{branch}, 4.3 N/PN: assessors blinded"
    if a["4.4"] in NO_LIKE:
        return best, f"{branch}, 4.3 Y/PY/NI, 4.4 N/PN: assessment could not be influenced"
    if a["4.5"] in NO_LIKE:
        return SOME, f"{branch}, 4.4 Y/PY/NI, 4.5 N/PN: influence possible but not likely"
    return HIGH, f"{branch}, 4.4 Y/PY/NI, 4.5 Y/PY/NI: assessment likely influenced"


def _domain_5(a: dict[str, Answer]) -> tuple[Judgement, str]:
    """Guidance flowchart for domain 5 (selection of the reported result)."""
    if a["5.2"] in YES_LIKE or a["5.3"] in YES_LIKE:
        return HIGH, "5.2 or 5.3 Y/PY: result likely selected"
    if NI in (a["5.2"], a["5.3"]):
        return SOME, "5.2/5.3 NI, neither Y/PY"
    if a["5.1"] in YES_LIKE:
        return LOW, "5.2 and 5.3 N/PN, 5.1 Y/PY: pre-specified analysis plan"
    return SOME, "5.2 and 5.3 N/PN, 5.1 N/PN/NI"


_ALGORITHMS = {
    (1, None): _domain_1,
    (2, Effect.ASSIGNMENT): _domain_2_assignment,
    (2, Effect.ADHERENCE): _domain_2_adherence,
    (3, None): _domain_3,
    (4, None): _domain_4,
    (5, None): _domain_5,
}


def judge_domain(domain: int, answers: Answers, effect: Effect = Effect.ASSIGNMENT) -> DomainResult:
    """Propose the judgement for one domain from its signalling-question answers.

    Follows the domain's flowchart in the RoB 2 guidance (22 Aug 2019) as transcribed
    in this module's docstring. Returns no proposal while asked questions are
    unanswered; raises ValueError for answers the guidance does not allow.
    """
    errors = validate_answers(domain, answers, effect)
    if errors:
        raise ValueError(" ".join(errors))
    definition = rob2_domain(domain, effect)
    asked, effective = _effective_answers(definition, answers, effect)
    asked_ids = tuple(q.id for q in asked)
    missing = tuple(qid for qid in asked_ids if qid not in effective)
    ignored = tuple(qid for qid in answers if qid not in asked_ids and answers[qid] != NA)
    if missing:
        return DomainResult(
            domain, None, asked_ids, missing, ignored, "unanswered: " + ", ".join(missing)
        )
    algorithm = _ALGORITHMS.get((domain, effect)) or _ALGORITHMS[(domain, None)]
    proposed, reason = algorithm(effective)
    return DomainResult(domain, proposed, asked_ids, (), ignored, reason)


def overall_judgement(domains: Mapping[int, Judgement | None]) -> OverallResult:
    """Propose the overall judgement from the five domain judgements (the guidance's
    overall risk-of-bias criteria).

    Low if every domain is low; High if any domain is high; otherwise Some concerns.
    The guidance also allows High for "some concerns for multiple domains in a way that
    substantially lowers confidence in the result": that is the assessor's call, so
    with two or more such domains the proposal stays Some concerns with `needs_review`.
    Takes final (possibly overridden) domain judgements; None until all five exist.
    """
    unknown = sorted(set(domains) - set(range(1, 6)))
    if unknown:
        raise ValueError(f"RoB 2 has domains 1 to 5, not {unknown}")
    pending = [n for n in range(1, 6) if domains.get(n) is None]
    if pending:
        return OverallResult(None, False, "domains not yet judged: " + ", ".join(map(str, pending)))
    judged = {n: Judgement(j) for n, j in domains.items() if j is not None}
    high = [n for n, j in judged.items() if j is HIGH]
    if high:
        return OverallResult(HIGH, False, "high risk in domain " + ", ".join(map(str, high)))
    some = [n for n, j in judged.items() if j is SOME]
    if not some:
        return OverallResult(LOW, False, "low risk in all domains")
    where = ", ".join(map(str, some))
    if len(some) == 1:
        return OverallResult(SOME, False, f"some concerns in domain {where}")
    return OverallResult(
        SOME,
        True,
        f"some concerns in domains {where}: judge whether together they substantially "
        "lower confidence in the result (then override to high, with a reason)",
    )


def assess(
    answers_by_domain: Mapping[int, Answers],
    effect: Effect = Effect.ASSIGNMENT,
    final_judgements: Mapping[int, Judgement] | None = None,
) -> Rob2Assessment:
    """Judge every domain, then propose the overall judgement.

    `final_judgements` holds the assessor's settled (possibly overridden) domain
    judgements; the guidance bases the overall judgement on those, not on the raw
    proposals. Sources as in this module's docstring.
    """
    final_judgements = final_judgements or {}
    unknown = sorted(set(answers_by_domain) - set(range(1, 6)))
    if unknown:
        raise ValueError(f"RoB 2 has domains 1 to 5, not {unknown}")
    results = tuple(
        judge_domain(number, answers_by_domain.get(number, {}), effect) for number in range(1, 6)
    )
    settled = {r.domain: final_judgements.get(r.domain, r.proposed) for r in results}
    return Rob2Assessment(effect, results, overall_judgement(settled))
