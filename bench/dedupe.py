"""Benchmark of the dedupe matcher on the labelled sets in ../shared/data/dedupe.

    .venv/bin/python bench/dedupe.py            # accuracy per set, hard pair cases, time
    .venv/bin/python bench/dedupe.py --scale    # time and memory on 10k/30k/100k synthetic
    .venv/bin/python bench/dedupe.py --scale --sizes 100000 200000   # the 2x growth
    .venv/bin/python bench/dedupe.py --misses haematology   # list missed/false pairs
    .venv/bin/python bench/dedupe.py --bib-dedupe /tmp/bibdedupe-venv/bin/python
                                   # bib-dedupe 0.11.0 run on the same files, side by side

Without --bib-dedupe the bib-dedupe columns are its published figures (pairs scored
by shared/data/README.md), marked "published". How the rules are kept general
(leave-one-set-out, adversarial fixtures per failure class) is in bench/README.md.

Scored as pairs (a true positive is a pair our groups put together that the truth
puts in one cluster; groups come from the "duplicate" pairs, so chaining counts) and
as records (a removed duplicate is a true positive, as bib-dedupe counts).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterable

from _data import SET_NAMES, load_pair_cases, load_set, record_from_bib

from screening.dedupe import DUPLICATE, MAYBE, DedupeRecord, find_duplicates, group_duplicates

# bib-dedupe 0.11.0 scored as pairs on these sets (shared/data/README.md), and its
# published records-level sensitivity.
BIB_DEDUPE = {
    "cytology_screening": (1.0000, 0.9846, 0.9922),
    "haematology": (0.9854, 0.8282, 0.8889),
    "respiratory": (1.0000, 0.9253, 0.9358),
    "diabetes_asysd": (1.0000, 1.0000, None),
}


def pairs_of(groups: Iterable[Iterable]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        out.update(itertools.combinations(sorted(map(str, group)), 2))
    return out


def records_sensitivity(groups: list[frozenset], truth: list[frozenset]) -> tuple[float, int]:
    """Share of removable duplicates removed, and number of wrongly removed records."""
    group_of = {str(x): n for n, g in enumerate(groups) for x in g}
    removable = sum(len(c) - 1 for c in truth)
    removed = 0
    for cluster in truth:
        parts = {group_of.get(x, ("alone", x)) for x in cluster}
        removed += len(cluster) - len(parts)
    cluster_of = {x: n for n, c in enumerate(truth) for x in c}
    wrong = 0
    for group in groups:
        entities = {cluster_of.get(str(x), ("alone", str(x))) for x in group}
        wrong += len(entities) - 1
    return removed / removable if removable else 1.0, wrong


def score_groups(groups: list, truth: list[frozenset]) -> dict:
    """Pairs precision/recall/F1, records-level sensitivity and false merges."""
    truth_pairs = pairs_of(truth)
    found = pairs_of(groups)
    true_positive = len(found & truth_pairs)
    precision = true_positive / len(found) if found else 1.0
    recall = true_positive / len(truth_pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    sensitivity, wrong = records_sensitivity(groups, truth)
    return dict(precision=precision, recall=recall, f1=f1, sensitivity=sensitivity, wrong=wrong,
                false_pairs=len(found - truth_pairs))  # fmt: skip


def connected(pairs: Iterable[tuple[str, str]]) -> list[frozenset]:
    """Groups joined by `pairs` (transitively), as our own grouping does."""
    parent: dict = {}

    def root(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict = {}
    for x in parent:
        groups.setdefault(root(x), set()).add(x)
    return [frozenset(g) for g in groups.values()]


def evaluate_bib_dedupe(name: str, python: str) -> dict:
    from pathlib import Path

    from bibdedupe_run import run_bib_dedupe

    if Path(python).is_dir():  # the venv itself
        python = str(Path(python) / "bin" / "python")

    data = load_set(name)
    result = run_bib_dedupe(name, data.rows, python)
    groups = connected(tuple(map(str, p)) for p in result["duplicate"])
    scores = score_groups(groups, data.clusters)
    found = pairs_of(groups)
    maybe = {tuple(sorted(map(str, p))) for p in result["maybe"]} - found
    return dict(scores, maybe=len(maybe), seconds=result["seconds"], version=result["version"])


def evaluate(name: str, show_misses: bool = False) -> dict:
    data = load_set(name)
    started = time.perf_counter()
    verdicts = find_duplicates(data.records)
    elapsed = time.perf_counter() - started
    truth_pairs = pairs_of(data.clusters)
    groups = group_duplicates(verdicts)
    found = pairs_of(groups)
    true_positive = len(found & truth_pairs)
    precision = true_positive / len(found) if found else 1.0
    recall = true_positive / len(truth_pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    sensitivity, wrong = records_sensitivity(groups, data.clusters)

    maybes = [v for v in verdicts if v.decision == MAYBE]
    open_maybes = [v for v in maybes if tuple(sorted((str(v.a), str(v.b)))) not in found]
    true_maybes = [v for v in open_maybes if tuple(sorted((str(v.a), str(v.b)))) in truth_pairs]
    confirmed = [v for v in verdicts if v.decision == DUPLICATE] + [
        _confirmed(v) for v in true_maybes
    ]
    found_after = pairs_of(group_duplicates(confirmed))
    recall_after = len(found_after & truth_pairs) / len(truth_pairs)
    if show_misses:
        _show_misses(data, verdicts, found, truth_pairs)
    return dict(
        name=name, records=len(data.records), truth=len(truth_pairs), precision=precision,
        recall=recall, f1=f1, sensitivity=sensitivity, wrong=wrong, maybe=len(open_maybes),
        maybe_true=len(true_maybes), recall_after=recall_after, seconds=elapsed,
    )  # fmt: skip


def _confirmed(verdict):
    """The same pair, as if a person had confirmed it."""
    from dataclasses import replace

    return replace(verdict, decision=DUPLICATE)


_BLOCKING_WORDS = ("differ", " vs ", "never", "too generic", "missing", "cut short")


def _show_misses(data, verdicts, found, truth_pairs) -> None:
    """Each false and missed pair, the two records' fields side by side, and the reasons
    that kept it from an automatic merge (or made it one)."""
    from screening.dedupe.normalise import normalise_record
    from screening.dedupe.scoring import compare

    by_id = {str(r.id): r for r in data.records}
    verdict_of = {tuple(sorted((str(v.a), str(v.b)))): v for v in verdicts}

    def show(pair, label):
        a, b = by_id[pair[0]], by_id[pair[1]]
        verdict = verdict_of.get(pair) or compare(
            normalise_record(a), normalise_record(b), title_floor=0
        )
        decision = getattr(verdict, "decision", "not compared")
        reasons = getattr(verdict, "reasons", ())
        blocked = [r for r in reasons if any(w in r for w in _BLOCKING_WORDS)]
        print(f"--- {label} {pair[0]} / {pair[1]}: {decision}; "
              f"{'blocked by' if label == 'MISSED' else 'reasons'}: "
              f"{'; '.join(blocked if label == 'MISSED' else reasons) or '-'}")  # fmt: skip
        rows = (
            ("title", lambda r: r.title[:70]),
            ("authors", lambda r: "; ".join(r.authors)[:70]),
            ("journal", lambda r: r.journal[:70]),
            ("vol/iss/pp", lambda r: f"v{r.volume} n{r.issue} p{r.pages}"),
            ("year", lambda r: str(r.year)),
            ("doi", lambda r: r.doi),
            ("abstract", lambda r: " ".join(r.abstract.split())[:70]),
        )
        for name, field in rows:
            print(f"    {name:10} {field(a):72} | {field(b)}")

    for pair in sorted(found - truth_pairs):
        show(pair, "FALSE")
    for pair in sorted(truth_pairs - found):
        show(pair, "MISSED")


def evaluate_pair_cases() -> tuple[int, int, int, list[str]]:
    """(right, sent to a person, total, lines) over the hard pair cases."""
    cases = load_pair_cases()
    right = maybe = 0
    lines = []
    for case in cases:
        a = record_from_bib({**case["record_a"], "ID": "a"})
        b = record_from_bib({**case["record_b"], "ID": "b"})
        verdicts = find_duplicates([a, b])
        decision = verdicts[0].decision if verdicts else "distinct"
        expected = case["expected_duplicate"]
        ok = (decision == DUPLICATE) == expected
        right += ok
        maybe += decision == MAYBE
        mark = "ok " if ok else ("~  " if decision == MAYBE else "BAD")
        reasons = "; ".join(verdicts[0].reasons) if verdicts else ""
        lines.append(
            f"  {mark} {case['id'][:58]:58} expected={expected!s:5} got={decision:9} {reasons[:90]}"
        )
    return right, maybe, len(cases), lines


def main_accuracy(
    show_misses: str | None,
    bib_dedupe: str | None = None,
    save: str | None = None,
    against: str | None = None,
) -> None:
    if show_misses:
        evaluate(show_misses, show_misses=True)
        return
    header = (f"{'set':19} {'tool':12} {'recs':>5} {'pairs':>5} {'prec':>7} {'recall':>7} "
              f"{'F1':>7} {'rec-sens':>8} {'false':>5} {'maybe':>6} {'m-true':>6} {'secs':>6}")  # fmt: skip
    print(header)
    print("-" * len(header))
    ours_all = []
    for name in SET_NAMES:
        r = evaluate(name)
        ours_all.append(r)
        print(f"{name:19} {'reviewapp':12} {r['records']:5} {r['truth']:5} {r['precision']:7.4f} "
              f"{r['recall']:7.4f} {r['f1']:7.4f} {r['sensitivity']:8.4f} {r['wrong']:5} "
              f"{r['maybe']:6} {r['maybe_true']:6} {r['seconds']:6.2f}")  # fmt: skip
        if bib_dedupe:
            b = evaluate_bib_dedupe(name, bib_dedupe)
            label = "bib-dedupe"
            print(f"{'':19} {label:12} {r['records']:5} {r['truth']:5} {b['precision']:7.4f} "
                  f"{b['recall']:7.4f} {b['f1']:7.4f} {b['sensitivity']:8.4f} {b['wrong']:5} "
                  f"{b['maybe']:6} {'':>6} {b['seconds']:6.2f}")  # fmt: skip
            r["bd"] = b
        else:
            p, rc, sens = BIB_DEDUPE[name]
            f1 = 2 * p * rc / (p + rc)
            sens_text = f"{sens:8.4f}" if sens else f"{'—':>8}"
            print(f"{'':19} {'bib-dedupe*':12} {r['records']:5} {r['truth']:5} {p:7.4f} {rc:7.4f} "
                  f"{f1:7.4f} {sens_text} {'':>5} {'':>6} {'':>6} {'':>6}")  # fmt: skip
    print("prec/recall/F1: pairwise on groups of auto-merged pairs; rec-sens: records-level")
    print("sensitivity; false: records wrongly merged into another work's group; maybe: pairs")
    print("left for a person (not already grouped); m-true: of those, true duplicates;")
    print("secs: matching time.")
    print("true pairs left for a person, and recall once a person confirms them:")
    for r in ours_all:
        print(f"  {r['name']:19} {r['maybe_true']:4} of {r['maybe']:4} queued pairs are true; "
              f"recall {r['recall']:.4f} -> {r['recall_after']:.4f}")  # fmt: skip
    if not bib_dedupe:
        print("* bib-dedupe 0.11.0: PUBLISHED figures (shared/data/README.md), not run here;")
        print("  run it with --bib-dedupe /tmp/bibdedupe-venv/bin/python.")
    else:
        print("bib-dedupe run here (prep, block, match; its 'maybe' pairs are for a person).")
        print("target per set: reviewapp prec >= 0.999, recall >= bib-dedupe's, maybe <= its maybe")
        for r in ours_all:
            b = r["bd"]
            ok = r["precision"] >= 0.999 and r["recall"] >= b["recall"] and r["maybe"] <= b["maybe"]
            print(f"  {r['name']:19} {'MET' if ok else 'NOT MET'}")
    right, maybe, total, lines = evaluate_pair_cases()
    print(f"\nhard pair cases: {right}/{total} right ({maybe} sent to a person as 'maybe')")
    print("\n".join(lines))
    figures = {
        r["name"]: {k: r[k] for k in ("precision", "recall", "maybe", "wrong")} for r in ours_all
    }
    figures["pair_cases"] = {"right": right, "total": total}
    if against:
        with open(against, encoding="utf-8") as handle:
            leave_one_set_out(figures, json.load(handle))
    if save:
        with open(save, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=1)
        print(f"figures saved to {save}")


def leave_one_set_out(now: dict, before: dict) -> None:
    """Compare with figures saved before a rule changed; a rule is accepted only if no
    set loses precision (and no hard pair case goes wrong), whichever set it was for."""
    print("\nleave-one-set-out check against the saved figures:")
    rejected = False
    for name in SET_NAMES:
        if name not in before:
            continue
        dp = now[name]["precision"] - before[name]["precision"]
        dr = now[name]["recall"] - before[name]["recall"]
        dm = now[name]["maybe"] - before[name]["maybe"]
        flag = "PRECISION FELL" if dp < 0 else ""
        rejected |= dp < 0
        print(f"  {name:19} prec {dp:+.4f}  recall {dr:+.4f}  maybe {dm:+d}  {flag}")
    if now["pair_cases"]["right"] < before.get("pair_cases", {}).get("right", 0):
        rejected = True
        print("  hard pair cases: fewer right than before")
    print("  => REJECT the change" if rejected else "  => no set lost precision")


# --- scale ------------------------------------------------------------------------

_STOP = {"of", "the", "and", "in", "for", "on", "a", "an", "to", "with"}


def _abbreviate_journal(journal: str) -> str:
    words = [w for w in journal.replace("&", " ").split() if w.lower() not in _STOP]
    return " ".join(w[:4] if len(w) > 5 else w for w in words)


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 10:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.4:
        return text[:i] + text[i + 1 :]
    if kind < 0.7:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiourstn") + text[i + 1 :]


def _author_variant(name: str, rng: random.Random) -> str:
    """ "Smith, John A" -> "Smith JA" or "John A Smith" or "J. A. Smith"."""
    surname, _, given = name.partition(", ")
    initials = "".join(w[0] for w in given.split() if w)
    choice = rng.random()
    if choice < 0.4:
        return f"{surname} {initials}"
    if choice < 0.7:
        return f"{given} {surname}".strip()
    return (" ".join(f"{c}." for c in initials) + " " + surname).strip()


def synthetic(size: int, seed: int = 7) -> tuple[list[DedupeRecord], list[frozenset]]:
    """`size` records: distinct works made from real ones, ~15% with perturbed copies."""
    rng = random.Random(seed)
    real = [r for name in SET_NAMES for r in load_set(name).records if len(r.title) > 30]
    titles = [r.title.split() for r in real]
    vocabulary = sorted({w for t in titles for w in t if len(w) > 3})
    journals = sorted({r.journal for r in real if r.journal})
    surnames = sorted({a.split(",")[0].strip() for r in real for a in r.authors if "," in a})
    given = ["John", "Mary", "Wei", "Anna", "Pierre", "Kenji", "Maria", "David", "Li", "Olga"]
    records: list[DedupeRecord] = []
    clusters: list[frozenset] = []
    next_id = 0
    while len(records) < size:
        # A real title with a third of its words swapped for others: a distinct work
        # that reads like a real one, without thousands of shared title prefixes.
        title = " ".join(
            rng.choice(vocabulary) if rng.random() < 0.35 else word for word in rng.choice(titles)
        )
        authors = tuple(
            f"{rng.choice(surnames)}, {rng.choice(given)} {rng.choice('ABCDEFGHJK')}"
            for _ in range(rng.randint(1, 6))
        )
        start = rng.randint(1, 2000)
        end = start + rng.randint(3, 20)
        has_doi = rng.random() < 0.6
        base = DedupeRecord(
            id=next_id, title=title, authors=authors, year=rng.randint(1985, 2024),
            journal=rng.choice(journals), volume=str(rng.randint(1, 150)),
            issue=str(rng.randint(1, 12)), pages=f"{start}-{end}",
            doi=f"10.{rng.randint(1000, 9999)}/syn.{next_id}" if has_doi else "",
        )  # fmt: skip
        records.append(base)
        next_id += 1
        if rng.random() < 0.15:
            members = [base.id]
            for _ in range(rng.choice((1, 1, 2))):
                copy = _perturb(base, next_id, rng, start, end)
                records.append(copy)
                members.append(copy.id)
                next_id += 1
            clusters.append(frozenset(members))
    return records[:size], [c for c in clusters if max(c) < size]


def _perturb(base: DedupeRecord, new_id: int, rng: random.Random, start: int, end: int):
    from dataclasses import replace

    title = base.title
    if rng.random() < 0.3:
        title = _typo(title, rng)
    if rng.random() < 0.2:
        title = title.upper() if rng.random() < 0.5 else f"[{title}]."
    authors = base.authors
    if rng.random() < 0.5:
        authors = tuple(_author_variant(a, rng) for a in authors)
    journal = _abbreviate_journal(base.journal) if rng.random() < 0.4 else base.journal
    pages = base.pages
    if rng.random() < 0.4 and len(str(end)) == len(str(start)):
        common = 0
        while common < len(str(start)) - 1 and str(start)[common] == str(end)[common]:
            common += 1
        pages = f"{start}-{str(end)[common:]}"
    year = base.year + rng.choice((-1, 1)) if rng.random() < 0.1 else base.year
    doi = base.doi if rng.random() < 0.5 else ""
    return replace(base, id=new_id, title=title, authors=authors, journal=journal,
                   pages=pages, year=year, doi=doi, issue="" if rng.random() < 0.3 else base.issue)  # fmt: skip


def scale_one(size: int) -> dict:
    records, clusters = synthetic(size)
    started, cpu_started = time.perf_counter(), time.process_time()
    verdicts = find_duplicates(records)
    groups = group_duplicates(verdicts)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    truth, found = pairs_of(clusters), pairs_of(groups)
    hits = len(truth & found)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(
        size=size, seconds=elapsed, cpu=cpu, peak_mb=peak_mb, truth=len(truth),
        precision=hits / len(found) if found else 1.0, recall=hits / len(truth),
        maybe=sum(v.decision == MAYBE for v in verdicts),
    )  # fmt: skip


def main_scale(sizes: list[int]) -> None:
    print(
        f"{'records':>8} {'seconds':>8} {'cpu s':>7} {'s/10k':>6} {'peak MB':>8} {'pairs':>6} {'prec':>7} "
        f"{'recall':>7} {'maybe':>6}"
    )
    for size in sizes:
        # A fresh process per size so the peak memory is that size's own.
        out = subprocess.run(
            [sys.executable, __file__, "--scale-one", str(size)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        r = json.loads(out.stdout)
        per_10k = r["seconds"] / r["size"] * 10_000
        print(f"{r['size']:8} {r['seconds']:8.2f} {r['cpu']:7.2f} {per_10k:6.2f} {r['peak_mb']:8.0f} {r['truth']:6} "
              f"{r['precision']:7.4f} {r['recall']:7.4f} {r['maybe']:6}")  # fmt: skip
    print("seconds: find_duplicates + group_duplicates (excludes building the records);")
    print("cpu s: the process's CPU time for the same work (steadier on a busy machine);")
    print("s/10k: those seconds per 10,000 records;")
    print("peak MB: maximum resident set of the whole process (ru_maxrss).")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", action="store_true", help="time and memory at 10k/30k/100k")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 30_000, 100_000])
    parser.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--misses", help="list false and missed pairs of one set")
    parser.add_argument(
        "--bib-dedupe", metavar="PATH",
        help="a venv with bib-dedupe 0.11.0, or its python (e.g. /tmp/bibdedupe-venv)",
    )  # fmt: skip
    parser.add_argument(
        "--save", metavar="JSON", help="save per-set figures (e.g. var/before.json)"
    )
    parser.add_argument("--against", metavar="JSON", help="leave-one-set-out check against --save")
    args = parser.parse_args()
    if args.scale_one:
        print(json.dumps(scale_one(args.scale_one)))
    elif args.scale:
        main_scale(args.sizes)
    else:
        main_accuracy(args.misses, args.bib_dedupe, args.save, args.against)
