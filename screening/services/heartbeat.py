"""A job's heartbeat: proof, in the shared cache, that the process running it is alive.

A long job (an import) beats every HEARTBEAT_SECONDS from a thread of its own while it
runs; each beat lives STALLED_AFTER seconds. A worker killed mid-job (the machine
died, the OOM killer) stops beating, so within STALLED_AFTER seconds the pages can tell
the lead the job is dead and offer Retry, instead of showing frozen progress until the
broker's visibility timeout (15 minutes) hands the task to another worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

HEARTBEAT_SECONDS = 5
STALLED_AFTER = 20


@contextmanager
def beating(key: str) -> Iterator[None]:
    """Beat `key` while the block runs; the key disappears when it ends."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            cache.set(key, time.time(), STALLED_AFTER)

    cache.set(key, time.time(), STALLED_AFTER)  # the first beat before the job starts

    beater = threading.Thread(target=beat, name=f"heartbeat {key}", daemon=True)
    beater.start()
    try:
        yield
    finally:
        stop.set()
        beater.join()
        cache.delete(key)


def alive(key: str) -> bool:
    """Whether a process beat `key` within the last STALLED_AFTER seconds."""
    return cache.get(key) is not None
