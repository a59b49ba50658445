"""Record embeddings for the ranking's semantic block: computed once, stored, reused.

When the block is on (`semantic_on`: settings.RANKING_SEMANTIC and the `semantic` extra
installed), a retrain asks for the review's missing vectors (`ensure_embeddings`); a
worker computes them in chunks (`embed_review`, task `embed_records`) and asks for a
retrain when done. Until every record has its vector the models rank on words alone,
so a large import never holds up the queue. Vectors live in `RecordEmbedding`, one row
per record, so every screener's model (and every worker) reuses them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Sum

from reviewapp.models import Review
from screening.models import Record, RecordEmbedding, RecordState
from screening.ranking import semantic
from screening.ranking.model import Features, record_text

log = logging.getLogger(__name__)

# Records embedded and written per step: a worker that dies loses at most one chunk.
CHUNK = 256
# How long a queued embedding job keeps others from being queued for the same review.
QUEUED_FOR = 60 * 60
# Dense blocks of the last few reviews loaded in this process: {review id: (key, array)}.
_DENSE: OrderedDict[int, tuple[str, np.ndarray]] = OrderedDict()
_DENSE_KEPT = 4


def semantic_on() -> bool:
    """Whether models rank on sentence embeddings too (setting on and extra installed)."""
    return bool(getattr(settings, "RANKING_SEMANTIC", False)) and semantic.available()


def _corpus(review_id: int):
    return Record.objects.filter(review_id=review_id).exclude(state=RecordState.DUPLICATE)


def missing_ids(review_id: int) -> list[int]:
    """Records of the review with no vector of the current embedding model."""
    return list(
        _corpus(review_id)
        .exclude(embedding__model=semantic.EMBEDDING_MODEL)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def embed_review(review_id: int, *, chunk: int = CHUNK) -> int:
    """Compute and store the missing vectors of a review; returns how many were written."""
    written = 0
    ids = missing_ids(review_id)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = list(Record.objects.filter(pk__in=part).values_list("pk", "title", "abstract"))
        vectors = semantic.embed_texts(
            [record_text(title, abstract) for _, title, abstract in rows]
        )
        RecordEmbedding.objects.filter(record_id__in=[pk for pk, _, _ in rows]).delete()
        RecordEmbedding.objects.bulk_create(
            RecordEmbedding(
                record_id=pk,
                model=semantic.EMBEDDING_MODEL,
                vector=vector.astype("<f4").tobytes(),
            )
            for (pk, _, _), vector in zip(rows, vectors, strict=True)
        )
        written += len(rows)
    return written


def ensure_embeddings(review_id: int) -> bool:
    """True when every record has its vector; otherwise queue one embedding job (a worker's).

    In the embedded default (tasks run in the request) nothing is queued: embedding
    thousands of abstracts would hold a vote for minutes. Run `embed_review` there.
    """
    if not missing_ids(review_id):
        return True
    from reviewapp.celery import app

    if not app.conf.task_always_eager and cache.add(
        f"ranking:embedding-queued:{review_id}", 1, QUEUED_FOR
    ):
        from screening.tasks.embeddings import embed_records

        embed_records.delay(review_id)
    return False


def embedding_job(review_id: int) -> int:
    """The worker job: embed what is missing, then retrain on the full semantic block."""
    from screening.services.ranking import request_retrain

    try:
        written = embed_review(review_id)
    finally:
        cache.delete(f"ranking:embedding-queued:{review_id}")
    if written:
        request_retrain(review_id)
    return written


def with_semantic_block(review: Review, features: Features) -> Features:
    """`features` with the stored vectors as a dense block, or unchanged if any is missing."""
    if not semantic_on() or not ensure_embeddings(review.pk):
        return features
    stored = RecordEmbedding.objects.filter(
        record__in=_corpus(review.pk), model=semantic.EMBEDDING_MODEL
    )
    shape = stored.aggregate(n=Count("pk"), top=Max("pk"), total=Sum("pk"))
    key = f"{shape['n']}:{shape['top']}:{shape['total']}:{len(features.record_ids)}"
    cached = _DENSE.get(review.pk)
    if cached is None or cached[0] != key:
        dense = np.zeros((len(features.record_ids), semantic.DIMENSIONS), dtype=np.float32)
        for record_id, vector in stored.values_list("record_id", "vector").iterator(2000):
            row = features.row_of.get(record_id)
            if row is not None:
                dense[row] = np.frombuffer(bytes(vector), dtype="<f4")
        _DENSE[review.pk] = cached = (key, dense)
        while len(_DENSE) > _DENSE_KEPT:
            _DENSE.popitem(last=False)
    _DENSE.move_to_end(review.pk)
    return features.with_dense(cached[1])
