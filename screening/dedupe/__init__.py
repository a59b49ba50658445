"""Duplicate detection for bibliographic records: pure functions, no database.

`find_duplicates` compares records (normalise -> block -> score) and returns the
pairs that are certainly ("duplicate") or possibly ("maybe") the same report;
`group_duplicates` turns the certain pairs into clusters.
"""

from screening.dedupe.matcher import find_duplicates, group_duplicates
from screening.dedupe.records import DUPLICATE, MAYBE, DedupeRecord, PairVerdict

__all__ = [
    "DUPLICATE",
    "MAYBE",
    "DedupeRecord",
    "PairVerdict",
    "find_duplicates",
    "group_duplicates",
]
