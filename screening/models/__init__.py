"""Screening models, one module per part of the flow:

- imports.py: ImportBatch (one uploaded export) and Record (one bibliographic record),
  with RecordState, the record's place in the PRISMA flow.
- dedupe.py: DuplicateGroup, CandidatePair and the DedupeEvent history.
"""

from screening.models.dedupe import CandidatePair, DedupeAction, DedupeEvent, DuplicateGroup, PairStatus
from screening.models.imports import ImportBatch, ImportStatus, Record, RecordState, SourceKind

__all__ = [
    "CandidatePair",
    "DedupeAction",
    "DedupeEvent",
    "DuplicateGroup",
    "ImportBatch",
    "ImportStatus",
    "PairStatus",
    "Record",
    "RecordState",
    "SourceKind",
]
