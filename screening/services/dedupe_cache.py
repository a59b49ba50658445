"""Normalised records kept between deduplication runs of one worker process.

Every import is compared with every record of the review, so an update round of 20k
records in a 100k review used to normalise all 120k records again, though 100k of
them had not changed since the last run: normalising was most of the update round's
time (bench/import.py --update). A worker keeps the last review's normalised records,
each with the hash of the fields it was computed from; a record whose fields are
unchanged reuses its normalised form, any other record (new, edited, or a worker that
just started) is normalised as before. The verdicts are the same either way, since
normalising is a pure function of the record's fields; only the time differs.

Bounded memory: between runs each record is kept as ONE bytes object (its normalised
form and block keys, pickled), about a kilobyte, instead of the graph of small Python
objects a normalised record is (several kilobytes: 140k records held about 1 GB of an
idle worker). During a run a record is held either way, never both: its bytes are let
go as they are unpickled, its objects as they are pickled again when the run is kept.
Unpickling costs about a fifth of normalising, pickling less. Only the latest review is
kept, and a run drops every other review's records before it starts (one review's
records, never two, in memory at once); records deleted since the last run drop out
because each run keeps exactly the records it saw. A hash is kept rather than the
fields: a record whose fields changed but whose 64-bit hash did not is not a practical
concern.
"""

from __future__ import annotations

import pickle

from screening.dedupe.blocking import block_keys
from screening.dedupe.normalise import NormRecord, normalise_record
from screening.dedupe.records import DedupeRecord

# (hash of the record's DedupeRecord, pickled (NormRecord, block keys))
Kept = tuple[int, bytes]
# {review id: {record id: Kept}}, at most one review.
_kept: dict[int, dict[int | str, Kept]] = {}


def normalised(kept: Kept) -> NormRecord:
    """The normalised record a kept entry holds."""
    return pickle.loads(kept[1])[0]  # noqa: S301 - this process's own bytes


class Normaliser:
    """`normalise_record` (the call) and `block_keys` (`keys`) for one run over a
    review, reusing the previous run's work for unchanged records."""

    def __init__(self, review_id: int):
        global _kept
        self.review_id = review_id
        self.previous = _kept.get(review_id, {})
        _kept = {}  # another review's records go now; this one's live in self.previous
        self.hashes: dict[int | str, int] = {}
        self.live: dict[int | str, tuple[NormRecord, list[tuple[str, str]]]] = {}
        self.reused = 0

    def __call__(self, record: DedupeRecord) -> NormRecord:
        fields_hash = hash(record)
        # Taken out as it is used: a record is never held both as bytes and as objects.
        known = self.previous.pop(record.id, None)
        if known is not None and known[0] == fields_hash:
            self.reused += 1
            norm, keys = pickle.loads(known[1])  # noqa: S301 - this process's own bytes
        else:
            norm, keys = normalise_record(record), []
        self.hashes[record.id] = fields_hash
        self.live[record.id] = (norm, keys)
        return norm

    def keys(self, record: NormRecord) -> list[tuple[str, str]]:
        known = self.live.get(record.id)
        # The very object normalised above (the matcher may hand over an amended copy).
        if known is None or known[0] is not record:
            return block_keys(record)
        if not known[1]:
            known[1].extend(block_keys(record))
        return known[1]

    def keep(self) -> None:
        """Keep this run's normalised records for the next run (replacing any review's),
        each pickled as its objects are let go."""
        global _kept
        kept: dict[int | str, Kept] = {}
        live = self.live
        self.previous, self.live = {}, {}
        while live:
            record_id, entry = live.popitem()
            kept[record_id] = (self.hashes[record_id], pickle.dumps(entry, protocol=5))
        self.hashes = {}
        _kept = {self.review_id: kept}


def forget() -> None:
    """Drop everything kept (tests, and a worker told to start cold)."""
    global _kept
    _kept = {}
