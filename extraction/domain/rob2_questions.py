"""RoB 2 signalling questions, worded as in the guidance, and when each is asked.

Source: Higgins JPT, Savović J, Page MJ, Sterne JAC (eds). Revised Cochrane
risk-of-bias tool for randomized trials (RoB 2), full guidance document, 22 August 2019
(riskofbias.info), for individually randomized, parallel-group trials; Sterne JAC et al.
RoB 2: a revised tool for assessing risk of bias in randomised trials. BMJ 2019;366:l4898.

The question text and the "If ... to ..." conditions are the guidance's own; the
conditions are also written as predicates so the UI can show and hide questions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Answer(StrEnum):
    """A signalling-question response (RoB 2 guidance, 2019)."""

    YES = "Y"
    PROBABLY_YES = "PY"
    PROBABLY_NO = "PN"
    NO = "N"
    NO_INFORMATION = "NI"
    NOT_APPLICABLE = "NA"


class Effect(StrEnum):
    """The effect of interest, which selects the variant of domain 2 (guidance section 1.3)."""

    ASSIGNMENT = "assignment"  # "intention-to-treat" effect
    ADHERENCE = "adhering"  # "per-protocol" effect


Y, PY, PN, N, NI, NA = (
    Answer.YES,
    Answer.PROBABLY_YES,
    Answer.PROBABLY_NO,
    Answer.NO,
    Answer.NO_INFORMATION,
    Answer.NOT_APPLICABLE,
)
YES_LIKE = frozenset({Y, PY})
NO_LIKE = frozenset({N, PN})

_ALWAYS = (Y, PY, PN, N, NI)
_CONDITIONAL = (NA, Y, PY, PN, N, NI)
# 3.2 is the one question the guidance offers without "No information".
_CONDITIONAL_NO_NI = (NA, Y, PY, PN, N)

Answers = Mapping[str, Answer]
AskedIf = Callable[[Answers], bool]


@dataclass(frozen=True)
class Question:
    """One signalling question; `condition` is the guidance's "If ... to ..." prefix.

    `na_when_asked` marks the adherence questions the guidance prefixes with
    "[If applicable:]": the preliminary considerations may leave them unaddressed,
    so NA is a real answer even when they are asked.
    """

    id: str
    text: str
    options: tuple[Answer, ...] = _ALWAYS
    condition: str = ""
    na_when_asked: bool = False


@dataclass(frozen=True)
class Rob2Domain:
    """A RoB 2 domain: its number, title and signalling questions in order."""

    number: int
    title: str
    questions: tuple[Question, ...]


def _any_of(answers: Answers, ids: tuple[str, ...], allowed: frozenset[Answer]) -> bool:
    return any(answers.get(qid) in allowed for qid in ids)


_Y_PY_NI = frozenset({Y, PY, NI})
_N_PN_NI = frozenset({N, PN, NI})

DOMAIN_1 = Rob2Domain(
    1,
    "Risk of bias arising from the randomization process",
    (
        Question("1.1", "Was the allocation sequence random?"),
        Question(
            "1.2",
            "Was the allocation sequence concealed until participants were enrolled and "
            "assigned to interventions?",
        ),
        Question(
            "1.3",
            "Did baseline differences between intervention groups suggest a problem with "
            "the randomization process?",
        ),
    ),
)

_AWARE_2_1 = Question(
    "2.1", "Were participants aware of their assigned intervention during the trial?"
)
_AWARE_2_2 = Question(
    "2.2",
    "Were carers and people delivering the interventions aware of participants' assigned "
    "intervention during the trial?",
)

DOMAIN_2_ASSIGNMENT = Rob2Domain(
    2,
    "Risk of bias due to deviations from the intended interventions "
    "(effect of assignment to intervention)",
    (
        _AWARE_2_1,
        _AWARE_2_2,
        Question(
            "2.3",
            "Were there deviations from the intended intervention that arose because of "
            "the trial context?",
            _CONDITIONAL,
            "If Y/PY/NI to 2.1 or 2.2",
        ),
        Question(
            "2.4",
            "Were these deviations likely to have affected the outcome?",
            _CONDITIONAL,
            "If Y/PY to 2.3",
        ),
        Question(
            "2.5",
            "Were these deviations from intended intervention balanced between groups?",
            _CONDITIONAL,
            "If Y/PY/NI to 2.4",
        ),
        Question(
            "2.6",
            "Was an appropriate analysis used to estimate the effect of assignment to "
            "intervention?",
        ),
        Question(
            "2.7",
            "Was there potential for a substantial impact (on the result) of the failure "
            "to analyse participants in the group to which they were randomized?",
            _CONDITIONAL,
            "If N/PN/NI to 2.6",
        ),
    ),
)

DOMAIN_2_ADHERENCE = Rob2Domain(
    2,
    "Risk of bias due to deviations from the intended interventions "
    "(effect of adhering to intervention)",
    (
        _AWARE_2_1,
        _AWARE_2_2,
        Question(
            "2.3",
            "Were important non-protocol interventions balanced across intervention groups?",
            _CONDITIONAL,
            "[If applicable:] If Y/PY/NI to 2.1 or 2.2",
            na_when_asked=True,
        ),
        Question(
            "2.4",
            "Were there failures in implementing the intervention that could have affected "
            "the outcome?",
            _CONDITIONAL,
            "[If applicable:]",
            na_when_asked=True,
        ),
        Question(
            "2.5",
            "Was there non-adherence to the assigned intervention regimen that could have "
            "affected participants' outcomes?",
            _CONDITIONAL,
            "[If applicable:]",
            na_when_asked=True,
        ),
        Question(
            "2.6",
            "Was an appropriate analysis used to estimate the effect of adhering to the "
            "intervention?",
            _CONDITIONAL,
            "If N/PN/NI to 2.3, or Y/PY/NI to 2.4 or 2.5",
        ),
    ),
)

DOMAIN_3 = Rob2Domain(
    3,
    "Risk of bias due to missing outcome data",
    (
        Question(
            "3.1",
            "Were data for this outcome available for all, or nearly all, participants randomized?",
        ),
        Question(
            "3.2",
            "Is there evidence that the result was not biased by missing outcome data?",
            _CONDITIONAL_NO_NI,
            "If N/PN/NI to 3.1",
        ),
        Question(
            "3.3",
            "Could missingness in the outcome depend on its true value?",
            _CONDITIONAL,
            "If N/PN to 3.2",
        ),
        Question(
            "3.4",
            "Is it likely that missingness in the outcome depended on its true value?",
            _CONDITIONAL,
            "If Y/PY/NI to 3.3",
        ),
    ),
)

DOMAIN_4 = Rob2Domain(
    4,
    "Risk of bias in measurement of the outcome",
    (
        Question("4.1", "Was the method of measuring the outcome inappropriate?"),
        Question(
            "4.2",
            "Could measurement or ascertainment of the outcome have differed between "
            "intervention groups?",
        ),
        Question(
            "4.3",
            "Were outcome assessors aware of the intervention received by study participants?",
            _CONDITIONAL,
            "If N/PN/NI to 4.1 and 4.2",
        ),
        Question(
            "4.4",
            "Could assessment of the outcome have been influenced by knowledge of "
            "intervention received?",
            _CONDITIONAL,
            "If Y/PY/NI to 4.3",
        ),
        Question(
            "4.5",
            "Is it likely that assessment of the outcome was influenced by knowledge of "
            "intervention received?",
            _CONDITIONAL,
            "If Y/PY/NI to 4.4",
        ),
    ),
)

DOMAIN_5 = Rob2Domain(
    5,
    "Risk of bias in selection of the reported result",
    (
        Question(
            "5.1",
            "Were the data that produced this result analysed in accordance with a "
            "pre-specified analysis plan that was finalized before unblinded outcome data "
            "were available for analysis?",
        ),
        Question(
            "5.2",
            "Is the numerical result being assessed likely to have been selected, on the "
            "basis of the results, from multiple eligible outcome measurements (e.g. "
            "scales, definitions, time points) within the outcome domain?",
        ),
        Question(
            "5.3",
            "Is the numerical result being assessed likely to have been selected, on the "
            "basis of the results, from multiple eligible analyses of the data?",
        ),
    ),
)

# When each conditional question is asked. Unlisted questions are always asked.
# Predicates see only the answers to questions that are themselves asked, so a stale
# answer to a hidden question cannot open the questions that follow it.
ASKED_IF: dict[tuple[Effect | None, str], AskedIf] = {
    (Effect.ASSIGNMENT, "2.3"): lambda a: _any_of(a, ("2.1", "2.2"), _Y_PY_NI),
    (Effect.ASSIGNMENT, "2.4"): lambda a: a.get("2.3") in YES_LIKE,
    (Effect.ASSIGNMENT, "2.5"): lambda a: a.get("2.4") in _Y_PY_NI,
    (Effect.ASSIGNMENT, "2.7"): lambda a: a.get("2.6") in _N_PN_NI,
    (Effect.ADHERENCE, "2.3"): lambda a: _any_of(a, ("2.1", "2.2"), _Y_PY_NI),
    (Effect.ADHERENCE, "2.6"): lambda a: (
        a.get("2.3") in _N_PN_NI or _any_of(a, ("2.4", "2.5"), _Y_PY_NI)
    ),
    (None, "3.2"): lambda a: a.get("3.1") in _N_PN_NI,
    (None, "3.3"): lambda a: a.get("3.2") in NO_LIKE,
    (None, "3.4"): lambda a: a.get("3.3") in _Y_PY_NI,
    (None, "4.3"): lambda a: a.get("4.1") in _N_PN_NI and a.get("4.2") in _N_PN_NI,
    (None, "4.4"): lambda a: a.get("4.3") in _Y_PY_NI,
    (None, "4.5"): lambda a: a.get("4.4") in _Y_PY_NI,
}


def rob2_domains(effect: Effect = Effect.ASSIGNMENT) -> tuple[Rob2Domain, ...]:
    """The five RoB 2 domains for `effect` (domain 2 has two variants, guidance section 1.3)."""
    domain_2 = DOMAIN_2_ASSIGNMENT if effect is Effect.ASSIGNMENT else DOMAIN_2_ADHERENCE
    return (DOMAIN_1, domain_2, DOMAIN_3, DOMAIN_4, DOMAIN_5)


def rob2_domain(number: int, effect: Effect = Effect.ASSIGNMENT) -> Rob2Domain:
    """Domain `number` (1-5) for `effect`; raises ValueError for any other number."""
    if number not in range(1, 6):
        raise ValueError(f"RoB 2 has domains 1 to 5, not {number!r}")
    return rob2_domains(effect)[number - 1]


def asked_if(effect: Effect, question_id: str) -> AskedIf | None:
    """The predicate deciding whether `question_id` is asked, or None if always asked."""
    return ASKED_IF.get((effect, question_id)) or ASKED_IF.get((None, question_id))
