"""The failure classes of issue 12, one case file each (tests/dedupe/cases/).

Each case is a pair of records in a real export's shape and what the matcher must do
with it; every reason it gives must be literally true of the two records.
"""

import json
from pathlib import Path

import pytest

from screening.dedupe import DUPLICATE, MAYBE, DedupeRecord, find_duplicates
from tests.dedupe.reason_truth import false_reasons, false_review_facts

CASES = Path(__file__).parent / "cases"


def _cases():
    for path in sorted(CASES.glob("*.json")):
        for case in json.loads(path.read_text("utf-8")):
            yield pytest.param(case, id=f"{path.stem}:{case['id']}")


def _record(fields: dict, record_id: str) -> DedupeRecord:
    fields = {**fields, "id": record_id}
    fields["authors"] = tuple(fields.get("authors", ()))
    return DedupeRecord(**fields)


def _judge(a: DedupeRecord, b: DedupeRecord, case: dict) -> list:
    """The verdicts on the pair a-b, in a review of a, b and the case's `others` (records
    of the same review that a set-level rule looks at, such as a DOI's other titles)."""
    others = [_record(fields, f"o{n}") for n, fields in enumerate(case.get("others", ()))]
    ids = {a.id, b.id}
    return [v for v in find_duplicates([a, b, *others]) if {v.a, v.b} == ids]


@pytest.mark.parametrize("case", list(_cases()))
def test_failure_class_case(case):
    a, b = _record(case["a"], "a"), _record(case["b"], "b")
    verdicts = _judge(a, b, case)
    assert len(verdicts) <= 1
    decision = verdicts[0].decision if verdicts else "distinct"
    expect = case["expect"]
    if expect == "not_merged":
        assert decision != DUPLICATE, verdicts
    else:
        assert decision == expect, verdicts
    if "says" in case:
        assert verdicts and any(case["says"] in r for r in verdicts[0].reasons), verdicts
    if "never_says" in case:
        assert not any(case["never_says"] in r for v in verdicts for r in v.reasons), verdicts
    if verdicts:
        assert false_reasons(verdicts[0].reasons, a, b) == []
        others = [_record(fields, f"o{n}") for n, fields in enumerate(case.get("others", ()))]
        assert false_review_facts(verdicts[0].reasons, [a, b, *others]) == []


@pytest.mark.parametrize("case", list(_cases()))
def test_failure_class_case_is_symmetric(case):
    """The same pair the other way round gets the same decision, reasons mirrored."""
    a, b = _record(case["a"], "b"), _record(case["b"], "a")
    verdicts = _judge(a, b, case)
    decision = verdicts[0].decision if verdicts else "distinct"
    forward = _judge(_record(case["a"], "a"), _record(case["b"], "b"), case)
    assert decision == (forward[0].decision if forward else "distinct")
    if verdicts:
        # Pair order is by id: record "a" here is case["b"].
        assert false_reasons(verdicts[0].reasons, b, a) == []


def test_every_class_has_a_case_file():
    names = {p.stem.split("_")[0] for p in CASES.glob("*.json")}
    assert names >= {"1", "2", "3", "5", "6", "7"}  # class 4 (issue columns) is in tests/importers


def test_maybe_is_a_decision_the_cases_use():
    expects = {c.values[0]["expect"] for c in _cases()}
    assert {DUPLICATE, MAYBE, "distinct", "not_merged"} <= expects
