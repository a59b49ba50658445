"""Normalised records kept between deduplication runs of one worker process.

Every import is compared with every record of the review, so an update round of 20k
records in a 100k review used to normalise all 120k records again, though 100k of
them had not changed since the last run: normalising was most of the update round's
time (bench/import.py --update). A worker keeps the last review's normalised records,
each with the hash of the fields it was computed from; a record whose fields are
unchanged reuses its normalised form, any other record (new, edited, or a worker that
just started) is normalised as before. The verdicts are the same either way, since
normalising is a pure function of the record's fields; only the time differs.

Only the latest review is kept (one review's records, the memory the run needed
anyway); records deleted since the last run drop out because each run keeps exactly
the records it saw. A hash is kept rather than the fields to spare the memory: a
record whose fields changed but whose 64-bit hash did not is not a practical concern.
"""

from __future__ import annotations

from screening.dedupe.blocking import block_keys
from screening.dedupe.normalise import NormRecord, normalise_record
from screening.dedupe.records import DedupeRecord

Kept = tuple[int, NormRecord, list[tuple[str, str]]]
# {review id: {record id: (hash of its DedupeRecord, its NormRecord, its block keys)}},
# at most one review.
_kept: dict[int, dict[int | str, Kept]] = {}


class Normaliser:
    """`normalise_record` (the call) and `block_keys` (`keys`) for one run over a
    review, reusing the previous run's work for unchanged records."""

    def __init__(self, review_id: int):
        self.review_id = review_id
        self.previous = _kept.get(review_id, {})
        self.seen: dict[int | str, Kept] = {}
        self.reused = 0

    def __call__(self, record: DedupeRecord) -> NormRecord:
        fields_hash = hash(record)
        known = self.previous.get(record.id)
        if known is not None and known[0] == fields_hash:
            self.reused += 1
            self.seen[record.id] = known
            return known[1]
        normalised = normalise_record(record)
        self.seen[record.id] = (fields_hash, normalised, [])
        return normalised

    def keys(self, record: NormRecord) -> list[tuple[str, str]]:
        known = self.seen.get(record.id)
        # The very object normalised above (the matcher may hand over an amended copy).
        if known is None or known[1] is not record:
            return block_keys(record)
        if not known[2]:
            known[2].extend(block_keys(record))
        return known[2]

    def keep(self) -> None:
        """Keep this run's normalised records for the next run (replacing any review's)."""
        global _kept
        _kept = {self.review_id: self.seen}


def forget() -> None:
    """Drop everything kept (tests, and a worker told to start cold)."""
    global _kept
    _kept = {}
