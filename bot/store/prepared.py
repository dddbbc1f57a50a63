"""Core statements compiled once per database and run on the driver's own connection:
inside the session's transaction, or on a connection held with no session
(sqlite_reads, sqlite_writes, postgresql_raw).

A statement built once still goes through SQLAlchemy's execution on every call: the
session finds its connection, the engine looks up the compiled form by cache key, runs
the events, wraps a cursor in a result and processes each row, and on the async drivers
it all crosses a greenlet bridge both ways. For a write of a few rows that was several
times SQLite's own work, and most of what a scorecard's transaction cost. A `Prepared`
statement is compiled the first time it runs on each database, with the parameters'
order and their type processors taken from the compilation; each call only lines the
values up and hands SQL and values to the driver: sqlite3 on the event loop's thread
where `sqlite_trips` allows it (else one trip to the connection's thread), asyncpg's
own `fetch`.

The statement is SQLAlchemy's own, so both databases get the SQL and the types they
always did; the session's transaction is the one it runs in (on PostgreSQL it is begun
here if no statement began it yet); a driver's error comes back as SQLAlchemy's
(`IntegrityError`, `OperationalError`, …), with no parameters in its message. A row comes
back as a tuple of column values; `attached` makes it the session's object, for a
caller that goes on to change it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import instance_state
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.expression import ClauseElement, Select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import sqlite_trips

if TYPE_CHECKING:
    from bot.store.postgresql_raw import RawStatements
    from bot.store.sqlite_reads import RawRead
    from bot.store.sqlite_writes import RawTransaction

# What a read runs in: a session, or a connection with none (a SQLite file's reading
# connection, bot.store.sqlite_reads; asyncpg's, bot.store.postgresql_raw), which store
# functions built on `Prepared` take alike.
Reading: TypeAlias = "AsyncSession | RawRead | RawStatements"
# And a write: a session's transaction, or a transaction with no session (on a SQLite
# file's writer connection, bot.store.sqlite_writes; on asyncpg's, postgresql_raw).
Writing: TypeAlias = "AsyncSession | RawTransaction | RawStatements"


# asyncpg's connection, or the pool's proxy of one.
Driver: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


def dialect_of(session: Reading | Writing) -> Dialect:
    return session.get_bind().dialect if isinstance(session, AsyncSession) else session.dialect


_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the parameters in the order the SQL takes them
    defaults: Mapping[str, Any]  # values bound in the statement itself (literals)
    bind: tuple[_Processor, ...]  # per name
    result: tuple[_Processor, ...]  # per column of a row
    keys: tuple[str, ...]  # the columns' names


class Prepared:
    """One statement, run on the driver. `rows` for one set of values, `many` for an
    INSERT or UPDATE of several."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _compile(self._statement, dialect)
        return compiled

    def _each(
        self, dialect: Dialect, params: Iterable[Mapping[str, Any]]
    ) -> tuple[_Compiled, list[list[Any]]]:
        """The compiled statement and the values of each of a `many`'s rows, in its order."""
        compiled = self._for(dialect)
        return compiled, [_values(compiled, each) for each in params]

    def keys(self, dialect: Dialect) -> tuple[str, ...]:
        return self._for(dialect).keys

    async def rows(
        self, session: Reading | Writing, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        if not isinstance(session, AsyncSession):
            return await session.rows(self, params)
        fetched = session.sync_session.info.get(PREFETCHED)
        if fetched is not None:
            found: list[tuple[Any, ...]] | None = fetched.get(
                (self, _key(self._for(dialect_of(session)), params))
            )
            if found is not None:
                return found
        driver, dialect = await _driver(session)
        compiled = self._for(dialect)
        values = _values(compiled, params)
        try:
            if dialect.name == "sqlite":
                raw = await sqlite_trips.execute(driver._connection, compiled.sql, values)
            else:
                await _begun(driver)
                raw = await driver._connection.fetch(compiled.sql, *values)
        except Exception as error:
            raise as_sqlalchemy(error, compiled.sql, driver, dialect) from error
        return _processed(compiled, raw)

    def run(
        self, connection: sqlite3.Connection, dialect: Dialect, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`rows`, on a sqlite3 connection held outside any session (sqlite_writes)."""
        compiled = self._for(dialect)
        try:
            raw = connection.execute(compiled.sql, _values(compiled, params)).fetchall()
        except sqlite3.Error as error:
            raise as_sqlalchemy(error, compiled.sql, None, dialect) from error
        return _processed(compiled, raw)

    def run_many(
        self, connection: sqlite3.Connection, dialect: Dialect, params: Iterable[Mapping[str, Any]]
    ) -> None:
        """`many`, on a sqlite3 connection held outside any session (sqlite_writes)."""
        compiled, values = self._each(dialect, params)
        if not values:
            return
        try:
            connection.executemany(compiled.sql, values)
        except sqlite3.Error as error:
            raise as_sqlalchemy(error, compiled.sql, None, dialect) from error

    async def fetch(
        self, connection: Driver, dialect: Dialect, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`rows`, on an asyncpg connection held outside any session (postgresql_raw)."""
        compiled = self._for(dialect)
        try:
            raw = await connection.fetch(compiled.sql, *_values(compiled, params))
        except Exception as error:
            raise as_sqlalchemy(error, compiled.sql, None, dialect) from error
        return _processed(compiled, raw)

    async def fetch_many(
        self,
        connection: Driver,
        dialect: Dialect,
        params: Iterable[Mapping[str, Any]],
    ) -> None:
        """`many`, on an asyncpg connection held outside any session (postgresql_raw)."""
        compiled, values = self._each(dialect, params)
        if not values:
            return
        try:
            await connection.executemany(compiled.sql, values)
        except Exception as error:
            raise as_sqlalchemy(error, compiled.sql, None, dialect) from error

    async def many(self, session: Writing, params: Iterable[Mapping[str, Any]]) -> None:
        if not isinstance(session, AsyncSession):
            await session.many(self, params)
            return
        driver, dialect = await _driver(session)
        compiled, values = self._each(dialect, params)
        if not values:
            return
        try:
            if dialect.name == "sqlite":
                await sqlite_trips.execute_many(driver._connection, compiled.sql, values)
            else:
                await _begun(driver)
                await driver._connection.executemany(compiled.sql, values)
        except Exception as error:
            raise as_sqlalchemy(error, compiled.sql, driver, dialect) from error


# In a reading session's `info`: the rows a `Bundle` read ahead, by statement and values.
PREFETCHED = "bot.store.prepared.prefetched"


class Bundle:
    """Statements a request runs one after another on the same values (a candidate's),
    read ahead as one statement on PostgreSQL: one round trip, not one each.

    Each trip of a reading session is a turn of the event loop, and under load every
    turn waits for all the work ready before it: a status card read statement by
    statement waited ten such turns for a few milliseconds of its own work. The bench's
    status clicks at fifty clients on PostgreSQL (a worker that had not read a card yet
    reads them all) answered at a p99 of 118-146 ms that way, 75-95 ms with the card in
    one statement (`make bench`, 2026-12-05; with the one-trip ping, store.engine, 61-71).

    Each part becomes `ARRAY((SELECT ROW(its columns) … its ORDER BY and LIMIT))`, a
    column of the one statement. asyncpg decodes each record's fields by their own types
    with the connection's codecs, and the part's result processors are applied as its
    own rows would have them. The part's rows are kept in the session, where
    `Prepared.rows` finds them for the same values. A statement not read ahead, or
    asked for other values, runs as always. All parts see one snapshot, which the
    statements one by one never did. On SQLite reads are already on the event loop's
    thread, with no turn to wait for, and nothing is read ahead; nor in a read with no
    session. For reading sessions only: rows read ahead would not show a write made in
    the same session after them."""

    def __init__(self, *parts: Prepared) -> None:
        self._parts = parts
        self._whole = Prepared(select(*(func.array(_records(part._statement)) for part in parts)))

    async def read_ahead(self, session: Reading, params: Mapping[str, Any]) -> None:
        if not isinstance(session, AsyncSession):
            return
        dialect = dialect_of(session)
        if dialect.name != "postgresql":
            return
        (row,) = await self._whole.rows(session, params)
        fetched = session.sync_session.info.setdefault(PREFETCHED, {})
        for part, records in zip(self._parts, row, strict=True):
            compiled = part._for(dialect)
            fetched[(part, _key(compiled, params))] = _processed(compiled, records)


def _records(statement: ClauseElement) -> ClauseElement:
    """The statement's rows as one column of records, its FROM, ORDER BY and LIMIT kept."""
    assert isinstance(statement, Select)
    rows = statement.with_only_columns(
        func.row(*statement.selected_columns), maintain_column_froms=True
    )
    return rows.scalar_subquery()


def _key(compiled: _Compiled, params: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(params.get(name) for name in compiled.names)


def _processed(compiled: _Compiled, raw: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    processors = compiled.result
    if not any(processors):
        return [tuple(row) for row in raw]
    return [
        tuple(p(value) if p else value for p, value in zip(processors, row, strict=True))
        for row in raw
    ]


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    defaults = {
        name: value
        for name, value in compiled.construct_params(_check=False).items()
        if value is not None
    }
    bind = tuple(compiled.binds[name].type._cached_bind_processor(dialect) for name in names)
    columns = compiled._result_columns
    result = tuple(column[3]._cached_result_processor(dialect, None) for column in columns)
    keys = tuple(column[0] for column in columns)
    return _Compiled(str(compiled), names, defaults, bind, result, keys)


def _values(compiled: _Compiled, params: Mapping[str, Any]) -> list[Any]:
    values = []
    for name, processor in zip(compiled.names, compiled.bind, strict=True):
        value = params[name] if name in params else compiled.defaults.get(name)
        values.append(processor(value) if processor is not None else value)
    return values


async def _driver(session: AsyncSession) -> tuple[Any, Dialect]:
    """SQLAlchemy's adapter of the driver connection the session's transaction holds,
    with the session's pending changes flushed to it first, as an ORM statement's
    autoflush would: a statement here sees what the transaction did so far."""
    if session.new or session.deleted or session.dirty:
        await session.flush()
    # Asking the session costs two greenlet crossings: kept for as long as the session's
    # transaction (and so its connection) is the same.
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_KEPT)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1], kept[2]
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    transaction = session.sync_session.get_transaction()
    session.info[_KEPT] = (transaction, raw.dbapi_connection, connection.dialect)
    return raw.dbapi_connection, connection.dialect


_KEPT = "bot.store.prepared.driver"


def _primary(model: type[Any]) -> tuple[str, ...]:
    """The keys of the model's primary key columns (a rating's is two)."""
    keys = _PRIMARY.get(model)
    if keys is None:
        keys = _PRIMARY[model] = tuple(str(c.key) for c in class_mapper(model).primary_key)
    return keys


_PRIMARY: dict[type[Any], tuple[str, ...]] = {}


async def _begun(adapter: Any) -> None:
    # SQLAlchemy's asyncpg adapter sends BEGIN with the transaction's first statement,
    # which may be this one; it does nothing for an autocommit (reading) connection.
    if adapter._transaction is None:
        await adapter._start_transaction()


def as_sqlalchemy(error: Exception, sql: str, adapter: Any, dialect: Dialect) -> Exception:
    """The error SQLAlchemy would have raised for it: its class (IntegrityError, …) is
    what callers catch, and the parameters (candidates' data) stay out of it."""
    if isinstance(error, DBAPIError):
        return error
    dbapi: Any = dialect.loaded_dbapi
    if not isinstance(error, dbapi.Error):
        try:
            # asyncpg's: raises the adapter's own class (one held outside any session has
            # no adapter, and its class says the same)
            if adapter is not None:
                adapter._handle_exception(error)
            elif dialect.name == "postgresql":
                AsyncAdapt_asyncpg_connection._handle_exception_no_connection(dbapi, error)
            else:
                return error
        except dbapi.Error as translated:
            error = translated
        except Exception:  # not a database error: raised as it came
            return error
    return DBAPIError.instance(sql, None, error, dbapi.Error, hide_parameters=True, dialect=dialect)


def attached(
    session: Reading | Writing, model: type[Any], keys: Sequence[str], row: Sequence[Any]
) -> Any:
    """The session's object for a row read on the driver, as the ORM's populate_existing
    would give it: the one the session holds, with the row's values, or a new one that
    the session now holds as read from the database (no history: nothing to write).
    In a reading session (`READING`), which never writes, a detached object instead, as
    the session's closing would leave it: tracking it would cost more than reading it."""
    values = dict(zip(keys, row, strict=True))
    if not isinstance(session, AsyncSession):  # a read with no session: nothing to hold it
        return detached(model, values)
    sync = session.sync_session
    reading = READING in sync.info
    key = identity_key(model, tuple(values[k] for k in _primary(model)))
    held = None if reading else sync.identity_map.get(key)
    if held is not None:
        for name, value in values.items():
            set_committed_value(held, name, value)
        return held
    instance = detached(model, values)
    if not reading:
        sync.add(instance)
    return instance


def detached(model: type[Any], values: Mapping[str, Any]) -> Any:
    """An object of `model` with these column values, as the ORM's loading makes one and
    a closed session leaves it: its model's __init__ (SQLModel's) cost more than the
    statement that read the row."""
    manager = _MANAGERS.get(model)
    if manager is None:
        manager = _MANAGERS[model] = class_mapper(model).class_manager
    instance = manager.new_instance()
    instance.__dict__.update(values)
    state = instance_state(instance)
    if len(values) == len(manager.mapper.column_attrs):
        # Every column given (a row of the model's table): the identity key from the row,
        # with nothing to mark unloaded, as make_transient_to_detached would leave it;
        # its reading of each key back through the mapper was a sixth of a card's read.
        state.key = (
            manager.mapper._identity_class,
            tuple(values[k] for k in _primary(model)),
            None,
        )
    else:
        make_transient_to_detached(instance)
    return instance


_MANAGERS: dict[type[Any], Any] = {}


# Set in a session's `info` by bot.store.engine.Database.reader: a session only read in.
READING = "bot.store.prepared.reading"


async def objects(
    session: AsyncSession, statement: Prepared, model: type[Any], params: Mapping[str, Any]
) -> list[Any]:
    """The rows of a statement that selects `model`'s columns, as the session's objects
    (see `attached`): what `session.exec(select(model)…)` gave, without the ORM's
    execution around each statement."""
    rows = await statement.rows(session, params)
    if not rows:
        return []
    keys = statement.keys(session.get_bind().dialect)
    return [attached(session, model, keys, row) for row in rows]
