"""Occasional probes: a second model reads one record in k once ELAS u4 has stalled (issue 19).

Run from the repository root (embedding probes need the sets' MiniLM embeddings cached in
var/embeddings-cache/ first: ``bench/ranking_variants_semantic.py --embed-only`` in a venv
with the ``semantic`` extra):

    nice -n 19 .venv/bin/python bench/ranking_variants_probe.py [--variants ...]
                                                               [--seeds 1 2 3] [--sets ...]
                                                               [--report-only] [--markdown]

The harness is bench/ranking_variants.py's (same priors, refit schedule, cache folder
var/ranking-variants/, leave-one-set-out rules). The idea docs/ranking-variants.md left
untried: every way of handing the embedding model the queue (fused, late, switched,
gated, taking turns) lost a set, yet the embeddings rank the tail's relevant records
higher. So give the second model only a probe, and take it back at the first miss:

* u4 ranks as it is until it has ``stall`` x the records read with no relevant record
  (and, with ``after``, at least that fraction of the records read);
* then the second model (``probe``) picks the next record. If it is relevant, the
  probes go on, one record in ``k`` (the other k - 1 are u4's picks); a probe that
  misses ends them, and the stall count starts again from zero, so a dry spell costs at
  most one probe per ``stall`` x the records. A relevant record found by u4 ends them
  too (u4 is no longer stalled).
* ``probe``: ``svm`` (the SVM on the all-MiniLM-L6-v2 embeddings, first 128 tokens, as
  in bench/ranking_variants_semantic.py), ``centroid`` (cosine to the mean included
  embedding minus half the cosine to the mean excluded one), or ``char``: a lexical
  probe on another view of the same text, u4's SVM on char_wb 3-5-gram TF-IDF (no
  embeddings needed).

Where the simulation refits after a batch of records (sets over 1,000 records, past 100
labels), the batch is planned at the refit assuming every probe in it hits; what was read
then updates the state (a probe that missed ends the probes from the next refit on).
Until the first probe the ranking is exactly u4's, so ``after`` >= 0.1 keeps u4's
recall@10%. Each result also records the probes made and the probes that hit.

Figures and conclusions: docs/ranking-variants.md ("Occasional probes").
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import ranking_variants as harness  # noqa: E402
import ranking_variants_semantic as semantic  # noqa: E402
from ranking import SETS  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from screening.ranking.model import MAX_DF, Features, _sample_weights  # noqa: E402
from screening.ranking.simulate import _refit_step, simulate  # noqa: E402

# Chosen before any run, not tuned per set: the stall lengths (2 % and 5 % of the records)
# are the ones the semantic variants used; k = 2 probes hard while the probes hit, k = 4
# leaves u4 three records in four; ``after`` 0.1 is the variant that keeps recall@10%.
PROBE_VARIANTS: dict[str, dict] = {
    "probe_centroid_k2_stall2": {"probe": "centroid", "k": 2, "stall": 0.02},
    "probe_svm_k2_stall2": {"probe": "svm", "k": 2, "stall": 0.02},
    "probe_centroid_k4_stall5": {"probe": "centroid", "k": 4, "stall": 0.05},
    "probe_svm_k4_stall5": {"probe": "svm", "k": 4, "stall": 0.05},
    "probe_centroid_k2_stall2_after10": {"probe": "centroid", "k": 2, "stall": 0.02, "after": 0.1},
    "probe_svm_k2_stall2_after10": {"probe": "svm", "k": 2, "stall": 0.02, "after": 0.1},
    # The lexical probe: another feature view of the same text, no embeddings.
    "probe_char_k2_stall2": {"probe": "char", "k": 2, "stall": 0.02},
    "probe_char_k4_stall5": {"probe": "char", "k": 4, "stall": 0.05},
}
harness.VARIANTS.update(PROBE_VARIANTS)


def char_view(texts: tuple[str, ...]):
    """char_wb 3-5-gram TF-IDF of the texts (sublinear tf, u4's max_df, unit rows)."""
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, max_df=MAX_DF, dtype=np.float32
    ).fit_transform(texts)


def probe_scores(kind: str, view, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Scores of every record by the probe model fitted on ``rows`` labelled ``y``."""
    if kind in ("svm", "centroid"):
        return semantic._embedding_scores(kind, view, rows, y, 0.11)
    if kind == "char":
        svm = LinearSVC(C=0.11, loss="squared_hinge", dual=True, max_iter=5000, random_state=0)
        svm.fit(view[rows], y, sample_weight=_sample_weights(y, 9.8))
        return np.asarray(view @ svm.coef_.ravel()).ravel()
    raise ValueError(kind)


class ProbeState:
    """Where the probes stand: ``probing`` (u4 has stalled and the probes have not missed),
    ``dry`` (records read since the last relevant one or the last missed probe) and
    ``due`` (u4 records still to read before the next probe)."""

    def __init__(self) -> None:
        self.probing, self.dry, self.due = False, 0, 0

    def copy(self) -> ProbeState:
        other = ProbeState()
        other.probing, other.dry, other.due = self.probing, self.dry, self.due
        return other

    def read(self, *, probe: bool, relevant: bool, n_read: int, n_records: int, spec: dict):
        """Update on one record read (``n_read`` records read before it)."""
        if probe:
            if relevant:
                self.probing, self.due = True, spec["k"] - 1
            else:
                self.probing, self.dry = False, 0
        elif relevant:
            self.probing, self.dry = False, 0
        elif self.probing:
            self.due = max(0, self.due - 1)
        else:
            self.dry += 1
        if not self.probing and not probe:
            stalled = self.dry >= spec["stall"] * n_records
            if stalled and n_read + 1 >= spec.get("after", 0) * n_records:
                self.probing, self.due = True, 0

    def next_is_probe(self) -> bool:
        return self.probing and self.due == 0


def scorer_for(spec: dict, view, tally: dict):
    """A ``simulate`` scorer for one simulation: u4's scores, or (once it has stalled) an
    order with the probe model's picks where the probes are due. ``tally`` counts the
    probes read and those that hit."""
    words_scorer = harness.scorer_for({})
    state = ProbeState()
    memory: dict = {"labelled": None, "scores": None, "probes": set()}

    def scorer(features: Features, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        n_records = features.matrix.shape[0]
        labelled = np.zeros(n_records, dtype=bool)
        labelled[rows] = True
        label = np.zeros(n_records, dtype=np.int64)
        label[rows] = y
        if memory["labelled"] is not None:
            # The records read since the last call, in the order they were read.
            new = np.flatnonzero(labelled & ~memory["labelled"])
            new = new[np.argsort(-memory["scores"][new], kind="stable")]
            n_read = int(memory["labelled"].sum())
            for i, row in enumerate(new):
                probe = int(row) in memory["probes"]
                tally["probes"] += probe
                tally["hits"] += probe and bool(label[row])
                state.read(
                    probe=probe,
                    relevant=bool(label[row]),
                    n_read=n_read + i,
                    n_records=n_records,
                    spec=spec,
                )
        words = words_scorer(features, rows, y)
        # The next batch, planned as if every probe in it hits and every u4 pick misses.
        plan, ahead = [], state.copy()
        step = _refit_step(len(rows), n_records, None)
        for i in range(min(step, n_records - len(rows))):
            plan.append(ahead.next_is_probe())
            ahead.read(
                probe=plan[-1],
                relevant=plan[-1],
                n_read=len(rows) + i,
                n_records=n_records,
                spec=spec,
            )
        scores = words
        memory["probes"] = set()
        if any(plan):
            order_words = np.argsort(-np.where(labelled, -np.inf, words), kind="stable")
            other = probe_scores(spec["probe"], view, rows, y)
            order_probe = np.argsort(-np.where(labelled, -np.inf, other), kind="stable")
            taken: set[int] = set()
            words_iter, probe_iter = iter(order_words), iter(order_probe)
            head = []
            for is_probe in plan:
                source = probe_iter if is_probe else words_iter
                row = next(r for r in source if int(r) not in taken)
                taken.add(int(row))
                head.append(int(row))
                if is_probe:
                    memory["probes"].add(int(row))
            rest = [int(r) for r in order_words if int(r) not in taken]
            order = np.array(head + rest)
            scores = np.empty(n_records)
            scores[order] = -np.arange(n_records, dtype=np.float64)
        memory["labelled"], memory["scores"] = labelled, np.where(labelled, -np.inf, scores)
        return scores

    return scorer


def view_for(spec: dict, name: str, data, features: Features):
    if spec["probe"] == "char":
        return char_view(features.texts)
    return semantic.embeddings(name, data.texts)


def run(variant: str, sets: list[str], seeds: list[int]) -> None:
    """As ``harness.run``, with a fresh probe scorer per simulation; each result is
    [WSS@95, recall@10%, ATD, seconds, probes read, probes that hit]."""
    harness.CACHE.mkdir(parents=True, exist_ok=True)
    spec = PROBE_VARIANTS[variant]
    path = harness.CACHE / f"{variant}.json"
    for done, name, data, features, todo in harness.missing_runs(path, sets, seeds):
        view = view_for(spec, name, data, features)
        for seed in todo:
            tally = {"probes": 0, "hits": 0}
            started = time.perf_counter()
            result = simulate(
                data.texts,
                data.labels,
                seed=seed,
                features=features,
                scorer=scorer_for(spec, view, tally),
            )
            seconds = time.perf_counter() - started
            done[f"{name}:{seed}"] = [
                result.wss95,
                result.recall_at_10,
                result.atd,
                seconds,
                tally["probes"],
                tally["hits"],
            ]
            if path.exists():  # merge with what other processes wrote meanwhile
                done = json.loads(path.read_text()) | done
            path.write_text(json.dumps(done, indent=0))
            print(
                f"{variant} {name} seed {seed}: WSS@95 {result.wss95:.3f} "
                f"probes {tally['probes']} hits {tally['hits']} ({seconds:.0f} s)",
                flush=True,
            )


def probe_counts(variant: str, seeds: list[int]) -> dict[str, tuple[float, float]]:
    """{set: mean (probes read, probes that hit)} over the seeds with a result."""
    path = harness.CACHE / f"{variant}.json"
    done = json.loads(path.read_text()) if path.exists() else {}
    out = {}
    for name in SETS:
        rows = [done.get(f"{name}:{s}") for s in seeds]
        if all(rows):
            out[name] = (np.mean([r[4] for r in rows]), np.mean([r[5] for r in rows]))
    return out


def markdown(variants: list[str], seeds: list[int]) -> None:
    """The docs tables: Δ against u4 per set and configuration (with the probes read and
    hit), the leave-one-set-out choice, then one full table per configuration."""
    base = harness.figures("u4", seeds)
    table = {v: harness.figures(v, seeds) for v in variants}
    table = {v: rows for v, rows in table.items() if rows}
    harness.markdown_delta_table(table, base)
    print("\nProbes read / probes that hit (means over the seeds)\n")
    print("| set | " + " | ".join(f"`{v}`" for v in table) + " |")
    print("| --- |" + " ---: |" * len(table))
    counts = {v: probe_counts(v, seeds) for v in table}
    for name in SETS:
        cells = [
            f"{counts[v][name][0]:.1f} / {counts[v][name][1]:.1f}" if name in counts[v] else ""
            for v in table
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    complete = {"u4": base} | {v: rows for v, rows in table.items() if len(rows) == len(SETS)}
    harness.markdown_leave_one_set_out(complete, base)
    for variant, rows in table.items():
        harness.markdown_table(variant, PROBE_VARIANTS[variant], rows, base)


def main() -> None:
    parser = harness.variant_arguments(__doc__.splitlines()[0], PROBE_VARIANTS)
    parser.add_argument("--no-u4", action="store_true", help="u4 is being run elsewhere")
    args = parser.parse_args()
    if args.markdown:
        markdown(args.variants, args.seeds)
        return
    if not args.report_only:
        if not args.no_u4:
            harness.run("u4", args.sets, args.seeds)
        for variant in args.variants:
            run(variant, args.sets, args.seeds)
    harness.report(args.variants, args.seeds)


if __name__ == "__main__":
    main()
