"""Plain SQL reads of the hot path, planned once per database connection.

The screening queue runs the same few statements on every request. On PostgreSQL,
planning them cost as much CPU as running them (pg_stat_statements with
track_planning, a 100,000-record review: 3.3 ms of planning and 3.5 ms of execution
per vote-and-next); a prepared statement is parsed and planned once per connection
and then reused (PostgreSQL switches it to a generic plan once custom plans stop
paying). Elsewhere (SQLite, the embedded default) the statement simply runs.

A statement is prepared under a name derived from its text, the first time a
connection runs it; the names a connection holds are remembered with it, so a new
connection (Django reconnects after CONN_MAX_AGE or an error) prepares again.
Prepared statements outlive a rolled-back transaction, so a failed request leaves
the connection's set intact. Statements differ only in their text: an IN list of
another length is another statement (the queue's lists have a few fixed lengths),
and a connection keeps at most MAX_PER_CONNECTION of them.

Not for a connection pooler in transaction mode (PgBouncer's default), which may hand
each transaction another server connection: set DATABASE_PREPARED=0 there.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from django.conf import settings
from django.db import connection

MAX_PER_CONNECTION = 256


def fetchall(statement: str, params: list) -> list[tuple]:
    """Rows of `statement` (with %s placeholders) run with `params`."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED", True):
            cursor.execute(_execute(cursor, statement, len(params)), params)
        else:
            cursor.execute(statement, params)
        return cursor.fetchall()


def execute(statement: str, params: list) -> int:
    """Run a write (`statement` with %s placeholders); returns the rows it changed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED", True):
            cursor.execute(_execute(cursor, statement, len(params)), params)
        else:
            cursor.execute(statement, params)
        return cursor.rowcount


def _execute(cursor, statement: str, count: int) -> str:
    """The SQL that runs `statement` prepared: ``EXECUTE name(%s, ...)``, preceded by its
    ``PREPARE`` (in the same round trip) the first time this connection runs it."""
    raw = connection.connection
    names: OrderedDict[str, None] | None = getattr(connection, "_prepared_names", None)
    if names is None or getattr(connection, "_prepared_for", None) is not raw:
        names = connection._prepared_names = OrderedDict()
        connection._prepared_for = raw
    name = "q_" + hashlib.blake2s(statement.encode(), digest_size=8).hexdigest()
    execute = f"EXECUTE {name}" + (f"({', '.join(['%s'] * count)})" if count else "")
    if name in names:
        names.move_to_end(name)
        return execute
    numbered = statement.replace("%", "%%").replace("%%s", "%s")
    for position in range(1, count + 1):
        numbered = numbered.replace("%s", f"${position}", 1)
    # Remembered before it runs: a PREPARE outlives an EXECUTE that fails after it.
    names[name] = None
    while len(names) > MAX_PER_CONNECTION:
        oldest, _ = names.popitem(last=False)
        cursor.execute(f"DEALLOCATE {oldest}")
    return f"PREPARE {name} AS {numbered}\n; {execute}"  # a closing -- comment ends here
