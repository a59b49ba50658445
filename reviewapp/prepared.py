"""The hot path's statements, planned once per database connection; its ORM reads,
compiled once per process.

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

`insert` and `update`: Model.save() compiles its INSERT or UPDATE on every call; these
build the statement once per model (and set of fields) and run it prepared, with the
values each field prepares for the database (auto_now stamps included). No model
signals are sent: use them only for models without receivers (the hot path's).

`Read`: building a queryset and compiling it to SQL cost the web process more CPU than
PostgreSQL spends running a read by primary key (a vote-and-next, 1 gunicorn worker:
the ORM's filter and compile ~27 % of its samples). A `Read` builds its queryset once
per thread with stand-in values, keeps the SQL and how a row becomes model instances
(select_related included), and then runs only the statement, prepared, with each
call's values.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

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


_STATEMENTS: dict[tuple, tuple[str, list]] = {}


def insert(obj) -> None:
    """Save the new `obj` as ``obj.save()`` would (every concrete field but the
    automatic primary key), in one prepared INSERT; sets its primary key."""
    model = type(obj)
    key = (model, "insert", connection.vendor)
    if key not in _STATEMENTS:
        meta, quote = model._meta, connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if f is not meta.pk]
        columns = ", ".join(quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        statement = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        _STATEMENTS[key] = (f"{statement} RETURNING {quote(meta.pk.column)}", fields)
    statement, fields = _STATEMENTS[key]
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    obj.pk = fetchall(statement, values)[0][0]
    obj._state.adding, obj._state.db = False, connection.alias


def update(obj, fields: tuple[str, ...]) -> int:
    """``obj.save(update_fields=fields)`` in one prepared UPDATE (an auto_now field is
    stamped only when named, as there); returns the rows changed (0: no such row)."""
    model = type(obj)
    key = (model, fields, connection.vendor)
    if key not in _STATEMENTS:
        meta, quote = model._meta, connection.ops.quote_name
        targets = [meta.get_field(name) for name in fields]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)
        _STATEMENTS[key] = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",  # noqa: S608 - names only
            targets,
        )
    statement, targets = _STATEMENTS[key]
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in targets]
    return execute(statement, [*values, obj.pk])


class Read:
    """An ORM read compiled once: ``Read(build, name=int, ...)`` where `build(**values)`
    returns the queryset (``.all()`` rows as model instances, ``.one()`` the first or
    None). The values are ints or strs named in `kinds`; a stand-in for each must reach
    the compiled statement's parameters unchanged (checked when it is compiled), so a
    value the ORM transforms (a datetime, a list, a model) cannot be one.

        _MEMBER = Read(lambda review, user: Membership.objects.filter(
            review_id=review, user_id=user), review=int, user=int)
        _MEMBER.one(review=3, user=7)
    """

    def __init__(self, build: Callable, **kinds: type):
        if any(kind not in (int, str) for kind in kinds.values()):
            raise TypeError("A Read's values are ints or strs.")
        self.build = build
        self.kinds = kinds
        self._local = threading.local()  # a compiler belongs to its thread's connection

    def all(self, **values) -> list:
        compiled = getattr(self._local, "compiled", None)
        if compiled is None or compiled.connection is not connection:
            compiled = self._local.compiled = _Compiled(self, connection)
        return compiled.run(values)

    def one(self, **values):
        rows = self.all(**values)
        return rows[0] if rows else None


_INT_STAND_IN = -(2**62)


class _Compiled:
    """A `Read`'s statement and row-to-instance plan (Django's ModelIterable, once)."""

    def __init__(self, read: Read, conn):
        self.connection = conn
        stand_ins = {
            name: _INT_STAND_IN - i if kind is int else f"\x00stand-in {name}\x00"
            for i, (name, kind) in enumerate(read.kinds.items())
        }
        query = read.build(**stand_ins).query
        features = conn.features
        self.for_update = bool(
            query.select_for_update
            and features.has_select_for_update
            and features.supports_transactions
        )
        compiler = query.get_compiler(connection=conn)
        self.sql, params = compiler.as_sql()
        by_value = {(type(v), v): name for name, v in stand_ins.items()}
        # Each parameter: (True, the value's name) or (False, a constant of the query).
        self.params = [
            (True, by_value[(type(p), p)])
            if isinstance(p, int | str) and (type(p), p) in by_value
            else (False, p)
            for p in params
        ]
        missing = set(stand_ins) - {name for named, name in self.params if named}
        if missing:
            raise ValueError(f"These values do not reach the statement as given: {missing}")
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, conn.alias)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])

    def run(self, values: dict) -> list:
        if self.for_update and self.connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = [values[v] if named else v for named, v in self.params]
        rows = fetchall(self.sql, params)
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        alias, found = self.connection.alias, []
        for row in rows:
            obj = self.model.from_db(alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found
