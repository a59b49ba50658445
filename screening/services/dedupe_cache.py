"""Normalised records kept between deduplication runs, in one file per review.

Every import is compared with every record of the review, so an update round of 20k
records in a 100k review used to normalise all 120k records again, though 100k of
them had not changed since the last run: normalising was most of the update round's
matching time (bench/import.py --update). Each run writes the records it normalised,
each with a digest of the fields it was computed from, to a file; the next run reuses
the normalised form of every record whose fields are unchanged and normalises any other
record (new, edited) as before. The verdicts are the same either way, since normalising
is a pure function of the record's fields; only the time differs.

Why a file, not the worker's memory (as before): a worker restarted since the last
import (a new release, a crash, a year-old update round) found nothing kept and
normalised the whole review again, and a worker that kept a review's records held
about a kilobyte per record between runs (220 MB for 200k records, on top of the next
run's own peak). The file lives in the private uploads folder (MEDIA_ROOT, shared by
every worker of a deployment; `DEDUPE_CACHE_DIR` to put it elsewhere); a run reads it
one entry at a time (an index of offsets, then `pread`), never whole.

What makes reusing a file safe:
- each entry carries a 128-bit BLAKE2 digest of its record's fields: an edited record
  is normalised again;
- the file names the version of the normalising code (a digest of the dedupe engine's
  sources and of the Python version) it was written by: after an upgrade that changes
  normalising or blocking, every record is normalised again;
- the whole file is authenticated with a keyed BLAKE2 MAC (key derived from
  SECRET_KEY) before any entry is unpickled: a file that was tampered with, truncated
  or written by another deployment is ignored, never unpickled;
- it is written to a temporary name and renamed into place, so a reader sees a whole
  file, old or new; runs over one review are serialised by the review's row lock.
Files of other reviews are removed, oldest first, once the folder holds more than
`DEDUPE_CACHE_MAX_BYTES` (default 2 GB; ~1.1 KB per record).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import struct
import sys
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings

from screening.dedupe.blocking import block_keys
from screening.dedupe.normalise import NormRecord, normalise_record
from screening.dedupe.records import DedupeRecord

logger = logging.getLogger(__name__)

_MAGIC = b"RADC0001"
_DIGEST = 16  # bytes of the per-record fields digest and of the code version
_MAC = 32
_HEADER = struct.Struct(f"<8s{_DIGEST}s{_MAC}s")
# One entry: record id, fields digest, length of the pickled (NormRecord, block keys).
_ENTRY = struct.Struct(f"<q{_DIGEST}sI")
_CHUNK = 1 << 20
DEFAULT_MAX_BYTES = 2 * 1024**3


@cache
def code_version() -> bytes:
    """Digest of everything normalising and blocking depend on."""
    import screening.dedupe as engine
    import screening.identifiers as identifiers

    digest = hashlib.blake2b(sys.version.encode(), digest_size=_DIGEST)
    folder = Path(engine.__file__).parent
    for path in [*sorted(folder.glob("*.py")), Path(identifiers.__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()


def _mac_key() -> bytes:
    return hashlib.blake2b(
        settings.SECRET_KEY.encode(), person=b"dedupe-cache", digest_size=32
    ).digest()


def directory() -> Path:
    configured = getattr(settings, "DEDUPE_CACHE_DIR", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "dedupe-cache"


def path_for(review_id: int) -> Path:
    return directory() / f"review-{int(review_id)}.bin"


def fields_digest(record: DedupeRecord) -> bytes:
    fields = (
        record.title,
        record.authors,
        record.year,
        record.journal,
        record.volume,
        record.issue,
        record.pages,
        record.doi,
        record.pmid,
        record.abstract,
        record.publication_type,
        record.isbn,
    )
    return hashlib.blake2b(
        repr(fields).encode("utf-8", "backslashreplace"), digest_size=_DIGEST
    ).digest()


def _read_index(handle) -> dict[int, tuple[bytes, int, int]]:
    """{record id: (fields digest, offset, length)} of a whole, authentic file of this
    code version; {} for anything else."""
    header = handle.read(_HEADER.size)
    if len(header) != _HEADER.size:
        return {}
    magic, version, mac = _HEADER.unpack(header)
    if magic != _MAGIC or version != code_version():
        return {}
    signer = hashlib.blake2b(version, key=_mac_key(), digest_size=_MAC)
    index: dict[int, tuple[bytes, int, int]] = {}
    offset = _HEADER.size
    while True:
        head = handle.read(_ENTRY.size)
        if not head:
            break
        if len(head) != _ENTRY.size:
            return {}
        record_id, digest, length = _ENTRY.unpack(head)
        signer.update(head)
        offset += _ENTRY.size
        remaining = length
        while remaining:  # hashed in pieces, never held whole
            piece = handle.read(min(remaining, _CHUNK))
            if not piece:
                return {}
            signer.update(piece)
            remaining -= len(piece)
        index[record_id] = (digest, offset, length)
        offset += length
    if not hmac.compare_digest(signer.digest(), mac):
        logger.warning("Ignoring a dedupe cache file that fails its check: %s", handle.name)
        return {}
    return index


class Normaliser:
    """`normalise_record` (the call) and `block_keys` (`keys`) for one run over a
    review, reusing the previous run's work for unchanged records."""

    def __init__(self, review_id: int):
        self.review_id = review_id
        self.digests: dict[int | str, bytes] = {}
        self.live: dict[int | str, tuple[NormRecord, list[tuple[str, str]]]] = {}
        self.reused = 0
        self._index: dict[int, tuple[bytes, int, int]] = {}
        # Entries reused as they were: `keep` copies their bytes instead of pickling again.
        self._copy: dict[int, tuple[int, int]] = {}
        self._file = None
        try:
            self._file = open(path_for(review_id), "rb")  # noqa: SIM115 - closed in keep/close
        except OSError:
            return
        try:
            self._index = _read_index(self._file)
        except OSError:
            self._index = {}

    def __call__(self, record: DedupeRecord) -> NormRecord:
        digest = fields_digest(record)
        known = self._index.pop(record.id, None) if isinstance(record.id, int) else None
        if known is not None and known[0] == digest:
            self.reused += 1
            blob = os.pread(self._file.fileno(), known[2], known[1])
            norm, keys = pickle.loads(blob)  # noqa: S301 - authenticated above (MAC)
            if keys:
                self._copy[record.id] = (known[1], known[2])
        else:
            norm, keys = normalise_record(record), []
        self.digests[record.id] = digest
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

    def done_reading(self) -> None:
        """Every record of the run is normalised: the rest of the last run's index goes
        (records deleted since); its file stays open for `keep` to copy from."""
        self._index = {}

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._index, self._copy = {}, {}

    def keep(self) -> None:
        """Write this run's normalised records for the next run (replacing the review's
        file), each pickled as its objects are let go; a record reused as it was is
        copied from the last run's file."""
        try:
            self._write()
        finally:
            self.close()
            self.live, self.digests = {}, {}

    def _write(self) -> None:
        live, digests, copy = self.live, self.digests, self._copy
        source = self._file.fileno() if self._file is not None else None
        folder = directory()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
                dir=folder, prefix=".review-", suffix=".tmp", delete=False
            )
        except OSError:
            logger.warning("Cannot write the dedupe cache in %s", folder, exc_info=True)
            return
        try:
            with handle:
                version = code_version()
                signer = hashlib.blake2b(version, key=_mac_key(), digest_size=_MAC)
                handle.write(_HEADER.pack(_MAGIC, version, b"\0" * _MAC))
                for record_id in sorted(i for i in live if isinstance(i, int)):
                    entry = live.pop(record_id)
                    if record_id in copy:
                        blob = os.pread(source, copy[record_id][1], copy[record_id][0])
                    else:
                        blob = pickle.dumps(entry, protocol=5)
                    del entry
                    head = _ENTRY.pack(record_id, digests[record_id], len(blob))
                    signer.update(head)
                    signer.update(blob)
                    handle.write(head)
                    handle.write(blob)
                handle.seek(0)
                handle.write(_HEADER.pack(_MAGIC, version, signer.digest()))
            os.replace(handle.name, path_for(self.review_id))
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        _prune(folder, keep=path_for(self.review_id))


def _prune(folder: Path, *, keep: Path) -> None:
    """Remove other reviews' files, oldest first, beyond the folder's budget."""
    budget = getattr(settings, "DEDUPE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)
    files = []
    for path in folder.glob("review-*.bin"):
        try:
            stat = path.stat()
        except OSError:
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= budget:
            break
        if path != keep:
            path.unlink(missing_ok=True)
            total -= size


def kept(review_id: int) -> dict[int, tuple[bytes, NormRecord]]:
    """What the review's file holds: {record id: (fields digest, normalised record)}
    (tests and benches)."""
    try:
        handle = open(path_for(review_id), "rb")  # noqa: SIM115
    except OSError:
        return {}
    with handle:
        index = _read_index(handle)
        return {
            record_id: (
                digest,
                pickle.loads(os.pread(handle.fileno(), length, offset))[0],  # noqa: S301
            )
            for record_id, (digest, offset, length) in index.items()
        }


def forget() -> None:
    """Drop everything kept (tests, benches, and a deployment told to start cold)."""
    for path in directory().glob("review-*.bin"):
        path.unlink(missing_ok=True)
