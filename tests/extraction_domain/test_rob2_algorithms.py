"""Every path of every RoB 2 domain flowchart, as tables of answers -> judgement.

Each row mirrors one leaf of the guidance's flowchart (RoB 2 guidance, 22 Aug 2019).
A cell such as "Y/PY/NI" is expanded to every answer it stands for, so each row also
checks that PY behaves as Y and PN as N. `test_rows_partition_every_answer_set`
enumerates every combination of answers and checks that exactly one row covers it,
so no path is left out and no two rows overlap.
"""

from itertools import product

import pytest

from extraction.domain.rob2 import Effect, Judgement, judge_domain
from extraction.domain.rob2_questions import rob2_domain

LOW, SOME, HIGH = Judgement.LOW, Judgement.SOME_CONCERNS, Judgement.HIGH
ANY = "Y/PY/PN/N/NI"
NA_OR_NO = "NA/N/PN"

# 2.1 and 2.2 (and 5.2 and 5.3) act as a pair in the flowcharts.
_ALL = ANY.split("/")
BOTH_NO = [(a, b) for a in ("N", "PN") for b in ("N", "PN")]
EITHER_YES_OR_NI = [(a, b) for a in _ALL for b in _ALL if (a, b) not in BOTH_NO]
_WITH_NA = ["NA", *_ALL]
BOTH_NA_OR_NO = [(a, b) for a in NA_OR_NO.split("/") for b in NA_OR_NO.split("/")]
EITHER_Y_PY_NI_WITH_NA = [(a, b) for a in _WITH_NA for b in _WITH_NA if (a, b) not in BOTH_NA_OR_NO]
ANY_PAIR_WITH_NA = [(a, b) for a in _WITH_NA for b in _WITH_NA]
PAIR_EITHER_YES = [(a, b) for a in _ALL for b in _ALL if {a, b} & {"Y", "PY"}]
PAIR_NI_NO_YES = [(a, b) for a in _ALL for b in _ALL if "NI" in (a, b) and not {a, b} & {"Y", "PY"}]

AWARE = ("2.1", "2.2")

DOMAIN_1 = [
    ({"1.2": "N/PN", "1.1": ANY, "1.3": ANY}, HIGH),
    ({"1.2": "NI", "1.1": ANY, "1.3": "Y/PY"}, HIGH),
    ({"1.2": "NI", "1.1": ANY, "1.3": "N/PN/NI"}, SOME),
    ({"1.2": "Y/PY", "1.1": "N/PN", "1.3": ANY}, SOME),
    ({"1.2": "Y/PY", "1.1": "Y/PY/NI", "1.3": "Y/PY"}, SOME),
    ({"1.2": "Y/PY", "1.1": "Y/PY/NI", "1.3": "N/PN/NI"}, LOW),
]

DOMAIN_2_PART_1 = [
    ({AWARE: BOTH_NO}, LOW),
    ({AWARE: EITHER_YES_OR_NI, "2.3": "N/PN"}, LOW),
    ({AWARE: EITHER_YES_OR_NI, "2.3": "NI"}, SOME),
    ({AWARE: EITHER_YES_OR_NI, "2.3": "Y/PY", "2.4": "N/PN"}, SOME),
    ({AWARE: EITHER_YES_OR_NI, "2.3": "Y/PY", "2.4": "Y/PY/NI", "2.5": "Y/PY"}, SOME),
    ({AWARE: EITHER_YES_OR_NI, "2.3": "Y/PY", "2.4": "Y/PY/NI", "2.5": "N/PN/NI"}, HIGH),
]
DOMAIN_2_PART_2 = [
    ({"2.6": "Y/PY"}, LOW),
    ({"2.6": "N/PN/NI", "2.7": "N/PN"}, SOME),
    ({"2.6": "N/PN/NI", "2.7": "Y/PY/NI"}, HIGH),
]

IMPLEMENTATION = ("2.4", "2.5")
DOMAIN_2_ADHERENCE = [
    ({AWARE: BOTH_NO, IMPLEMENTATION: BOTH_NA_OR_NO}, LOW),
    ({AWARE: BOTH_NO, IMPLEMENTATION: EITHER_Y_PY_NI_WITH_NA, "2.6": "Y/PY"}, SOME),
    ({AWARE: BOTH_NO, IMPLEMENTATION: EITHER_Y_PY_NI_WITH_NA, "2.6": "N/PN/NI"}, HIGH),
    ({AWARE: EITHER_YES_OR_NI, "2.3": "NA/Y/PY", IMPLEMENTATION: BOTH_NA_OR_NO}, LOW),
    (
        {
            AWARE: EITHER_YES_OR_NI,
            "2.3": "NA/Y/PY",
            IMPLEMENTATION: EITHER_Y_PY_NI_WITH_NA,
            "2.6": "Y/PY",
        },
        SOME,
    ),
    (
        {
            AWARE: EITHER_YES_OR_NI,
            "2.3": "NA/Y/PY",
            IMPLEMENTATION: EITHER_Y_PY_NI_WITH_NA,
            "2.6": "N/PN/NI",
        },
        HIGH,
    ),
    (
        {
            AWARE: EITHER_YES_OR_NI,
            "2.3": "N/PN/NI",
            IMPLEMENTATION: ANY_PAIR_WITH_NA,
            "2.6": "Y/PY",
        },
        SOME,
    ),
    (
        {
            AWARE: EITHER_YES_OR_NI,
            "2.3": "N/PN/NI",
            IMPLEMENTATION: ANY_PAIR_WITH_NA,
            "2.6": "N/PN/NI",
        },
        HIGH,
    ),
]

DOMAIN_3 = [
    ({"3.1": "Y/PY"}, LOW),
    ({"3.1": "N/PN/NI", "3.2": "Y/PY"}, LOW),
    ({"3.1": "N/PN/NI", "3.2": "N/PN", "3.3": "N/PN"}, LOW),
    ({"3.1": "N/PN/NI", "3.2": "N/PN", "3.3": "Y/PY/NI", "3.4": "N/PN"}, SOME),
    ({"3.1": "N/PN/NI", "3.2": "N/PN", "3.3": "Y/PY/NI", "3.4": "Y/PY/NI"}, HIGH),
]

DOMAIN_4 = [
    ({"4.1": "Y/PY", "4.2": ANY}, HIGH),
    ({"4.1": "N/PN/NI", "4.2": "Y/PY"}, HIGH),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "N/PN"}, LOW),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "Y/PY/NI", "4.4": "N/PN"}, LOW),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "N/PN"}, SOME),
    ({"4.1": "N/PN/NI", "4.2": "N/PN", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "Y/PY/NI"}, HIGH),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "N/PN"}, SOME),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "Y/PY/NI", "4.4": "N/PN"}, SOME),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "N/PN"}, SOME),
    ({"4.1": "N/PN/NI", "4.2": "NI", "4.3": "Y/PY/NI", "4.4": "Y/PY/NI", "4.5": "Y/PY/NI"}, HIGH),
]

SELECTION = ("5.2", "5.3")
DOMAIN_5 = [
    ({SELECTION: PAIR_EITHER_YES, "5.1": ANY}, HIGH),
    ({SELECTION: PAIR_NI_NO_YES, "5.1": ANY}, SOME),
    ({SELECTION: BOTH_NO, "5.1": "Y/PY"}, LOW),
    ({SELECTION: BOTH_NO, "5.1": "N/PN/NI"}, SOME),
]


def expand(row: dict) -> list[dict[str, str]]:
    """Every answer set a table row stands for."""
    axes = []
    for key, cell in row.items():
        if isinstance(key, tuple):
            axes.append([dict(zip(key, pair, strict=True)) for pair in cell])
        else:
            axes.append([{key: answer} for answer in cell.split("/")])
    return [{k: v for part in combo for k, v in part.items()} for combo in product(*axes)]


def matches(row: dict, asked_answers: dict[str, str]) -> bool:
    """Whether the effective answers fall in the row (every row key asked and covered)."""
    for key, cell in row.items():
        if isinstance(key, tuple):
            if any(k not in asked_answers for k in key):
                return False
            if tuple(asked_answers[k] for k in key) not in [tuple(p) for p in cell]:
                return False
        elif asked_answers.get(key) not in cell.split("/"):
            return False
    return set(asked_answers) == {
        k for key in row for k in (key if isinstance(key, tuple) else (key,))
    }


def ids(table):
    return [f"{i}:{expected.value}" for i, (_, expected) in enumerate(table)]


def assert_row(domain: int, row: dict, expected: Judgement, effect=Effect.ASSIGNMENT) -> None:
    cases = expand(row)
    assert cases
    for answers in cases:
        result = judge_domain(domain, answers, effect)
        assert result.missing == (), (answers, result)
        assert result.proposed is expected, (answers, result.reason)


@pytest.mark.parametrize(("row", "expected"), DOMAIN_1, ids=ids(DOMAIN_1))
def test_domain_1_randomization(row, expected):
    assert_row(1, row, expected)


@pytest.mark.parametrize(("row_1", "part_1"), DOMAIN_2_PART_1, ids=ids(DOMAIN_2_PART_1))
@pytest.mark.parametrize(("row_2", "part_2"), DOMAIN_2_PART_2, ids=ids(DOMAIN_2_PART_2))
def test_domain_2_assignment_takes_the_worse_part(row_1, part_1, row_2, part_2):
    order = [LOW, SOME, HIGH]
    expected = max(part_1, part_2, key=order.index)
    assert_row(2, {**row_1, **row_2}, expected)


@pytest.mark.parametrize(("row", "expected"), DOMAIN_2_ADHERENCE, ids=ids(DOMAIN_2_ADHERENCE))
def test_domain_2_adherence(row, expected):
    assert_row(2, row, expected, Effect.ADHERENCE)


@pytest.mark.parametrize(("row", "expected"), DOMAIN_3, ids=ids(DOMAIN_3))
def test_domain_3_missing_outcome_data(row, expected):
    assert_row(3, row, expected)


@pytest.mark.parametrize(("row", "expected"), DOMAIN_4, ids=ids(DOMAIN_4))
def test_domain_4_measurement_of_the_outcome(row, expected):
    assert_row(4, row, expected)


@pytest.mark.parametrize(("row", "expected"), DOMAIN_5, ids=ids(DOMAIN_5))
def test_domain_5_selection_of_the_reported_result(row, expected):
    assert_row(5, row, expected)


def _domain_2_assignment_rows():
    return [
        ({**r1, **r2}, max(j1, j2, key=[LOW, SOME, HIGH].index))
        for r1, j1 in DOMAIN_2_PART_1
        for r2, j2 in DOMAIN_2_PART_2
    ]


@pytest.mark.parametrize(
    ("domain", "effect", "table"),
    [
        (1, Effect.ASSIGNMENT, DOMAIN_1),
        (2, Effect.ASSIGNMENT, _domain_2_assignment_rows()),
        (2, Effect.ADHERENCE, DOMAIN_2_ADHERENCE),
        (3, Effect.ASSIGNMENT, DOMAIN_3),
        (4, Effect.ASSIGNMENT, DOMAIN_4),
        (5, Effect.ASSIGNMENT, DOMAIN_5),
    ],
    ids=["d1", "d2-assignment", "d2-adherence", "d3", "d4", "d5"],
)
def test_rows_partition_every_answer_set(domain, effect, table):
    """Every combination of answers to every question falls in exactly one row."""
    questions = rob2_domain(domain, effect).questions
    options = [
        [o.value for o in q.options if o.value != "NA" or q.na_when_asked] for q in questions
    ]
    seen = set()
    for combo in product(*options):
        answers = dict(zip((q.id for q in questions), combo, strict=True))
        result = judge_domain(domain, answers, effect)
        asked = {qid: answers[qid] for qid in result.asked}
        key = tuple(sorted(asked.items()))
        if key in seen:
            continue
        seen.add(key)
        hits = [expected for row, expected in table if matches(row, asked)]
        assert len(hits) == 1, (asked, hits)
        assert result.proposed is hits[0], (asked, result.reason)
