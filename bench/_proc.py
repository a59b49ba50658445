"""CPU seconds of the processes a benchmark starts, read from Linux's /proc."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def _stat(pid: int) -> tuple[float, list[int]]:
    """(CPU seconds of `pid` and of its children it has reaped, its live children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, []
    children: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                children += [int(c) for c in (task / "children").read_text().split()]
    # utime, stime, cutime, cstime: a worker gunicorn replaced, or a process joblib
    # started and ended, is in its parent's cutime/cstime once reaped.
    ticks = sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK"), children


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of one process alone (Linux /proc), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and all its descendants, live or reaped (gunicorn's workers,
    celery's pool and the processes joblib starts to build features)."""
    total, todo = 0.0, [pid]
    while todo:
        seconds, children = _stat(todo.pop())
        total += seconds
        todo += children
    return total


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def redis_pids() -> list[int]:
    """The redis-server processes (shared with whatever else uses Redis on the machine)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "redis-server":
                    pids.append(int(entry.name))
    return pids


def backend_cpu(db: str) -> dict[int, tuple[str, float]]:
    """{pid: (kind, CPU seconds)} of the PostgreSQL backends of `db`: kind "web" or
    "worker" by application_name, "bench" for this script's own, "other" for the rest
    (autovacuum). Connections persist (CONN_MAX_AGE), so most backends live through a
    step; one that ends between two readings loses its last CPU seconds (a lower bound)."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s", [db]
            )
            rows = cur.fetchall()
    finally:
        conn.close()
    kinds = ("web", "worker", "bench")
    return {
        pid: (application if application in kinds else "other", cpu_seconds(pid))
        for pid, application in rows
    }


def postmaster_pids() -> list[int]:
    """PostgreSQL's postmaster(s): a postgres process whose parent is not one."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if Path(f"/proc/{parent}/comm").read_text().strip() != "postgres":
                found.append(int(entry.name))
    return found


def postgres_cpu() -> float:
    """CPU seconds of the whole PostgreSQL server: every backend, live or ended (the
    postmaster reaps them), and its background processes; every database's work."""
    return sum(tree_cpu(pid) for pid in postmaster_pids())
