"""Dump every verdict of the matcher (pair, decision, score, reasons) on the labelled
sets, the hard pair cases and a synthetic set, to prove that a speed change leaves
every verdict as it was:

    .venv/bin/python bench/dedupe_verdicts.py var/verdicts-before.json
    # ... change the engine ...
    .venv/bin/python bench/dedupe_verdicts.py var/verdicts-after.json --against var/verdicts-before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

from _data import SET_NAMES, load_pair_cases, load_set, record_from_bib
from dedupe import synthetic

from screening.dedupe import find_duplicates


def _rows(verdicts) -> list[list]:
    return [[str(v.a), str(v.b), v.decision, v.score, list(v.reasons)] for v in verdicts]


def collect(synthetic_size: int) -> dict[str, list]:
    out = {name: _rows(find_duplicates(load_set(name).records)) for name in SET_NAMES}
    cases = []
    for case in load_pair_cases():
        a = record_from_bib({**case["record_a"], "ID": "a"})
        b = record_from_bib({**case["record_b"], "ID": "b"})
        cases.append([case["id"], _rows(find_duplicates([a, b]))])
    out["pair_cases"] = cases
    records, _ = synthetic(synthetic_size)
    out[f"synthetic_{synthetic_size}"] = _rows(find_duplicates(records))
    # The incremental path (new records against the rest) must agree as well.
    half = {r.id for r in records[: synthetic_size // 2]}
    out[f"synthetic_{synthetic_size}_new_half"] = _rows(find_duplicates(records, new_ids=half))
    return out


def _digest(rows: list) -> str:
    """A short hash of one set's verdicts (pairs, decisions, scores, reasons), to quote."""
    text = json.dumps(rows, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--against", metavar="JSON")
    parser.add_argument("--size", type=int, default=30_000)
    args = parser.parse_args()
    now = collect(args.size)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(now, handle)
    for name, rows in now.items():
        print(f"{name:32} {len(rows):6} verdicts  sha256 {_digest(rows)}")
    if args.against:
        with open(args.against, encoding="utf-8") as handle:
            before = json.load(handle)
        differ = [name for name in before if before[name] != now.get(name)]
        print("IDENTICAL on every set" if not differ else f"DIFFERENT: {', '.join(differ)}")
        sys.exit(1 if differ else 0)
