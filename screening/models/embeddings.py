"""Sentence embeddings of records, computed once per record and reused by every model.

Filled by `services.embeddings` in a worker when the semantic block of the ranking is
on (settings.RANKING_SEMANTIC and the `semantic` extra installed). `model` names the
embedding recipe (`screening.ranking.semantic.EMBEDDING_MODEL`): a vector of another
recipe is recomputed. `vector` holds float32 little-endian bytes.
"""

from __future__ import annotations

from django.db import models

from screening.models.imports import Record


class RecordEmbedding(models.Model):
    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(max_length=64)
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.model} embedding of record {self.record_id}"
