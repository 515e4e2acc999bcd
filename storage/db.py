"""The SQLite connection: set-up, migrations, and task-aware transactions.

One ``Database`` wraps one aiosqlite connection (one worker thread). Every statement goes
through ``fetchall``/``fetchone``, which serialize access with an ``asyncio.Lock``:

* ``transaction()`` takes the lock, runs ``BEGIN IMMEDIATE`` and holds the lock until
  ``COMMIT`` (or ``ROLLBACK`` when the block raises, including on cancellation). The
  ``BEGIN`` travels to the worker thread together with the transaction's first statement
  (one round trip instead of two; a block that runs no statement costs none). The task
  that opened it is its owner (tracked with a ``ContextVar``); inside it, statements and
  nested ``transaction()`` blocks run without touching the lock, so repository methods
  that open their own transaction simply join the outer one. Nested blocks do not create
  savepoints: if an exception escapes a nested block and the caller swallows it, the
  outer transaction still commits whatever ran before the failure.
* A statement outside any transaction takes the lock for just that statement and runs in
  autocommit mode (a single statement is atomic on its own).

Why reads take the lock too: on one connection, another task's ``SELECT`` would run inside
the open transaction and see its uncommitted writes (and could later be "un-seen" by a
rollback). Waiting for the lock gives every task read-committed, serializable results at
the cost of readers waiting while a transaction is open. Transactions here are short
(a few statements, no network I/O inside), so the wait is in the sub-millisecond range and
the per-call overhead stays one uncontended lock plus one hop to the worker thread. If
reads ever need to run in parallel with writes, add a second, read-only connection for
reads outside transactions (WAL lets it read the last committed state concurrently).

Round trips: a hop to aiosqlite's worker thread and back costs 50 to 120 µs on the 2-core
machines (two thread wake-ups), more than SQLite's own work for a point query, and a reply
used to make eight while holding the lock. So the statements of a transaction (BEGIN and
COMMIT included) run on the event loop's thread, directly on the connection: the lock is
held, the worker thread is idle (counted: never two threads on the connection), and they
are short. The rules that keep the loop responsive: a statement that takes longer than
``INLINE_SLOW`` on ``INLINE_SLOW_TIMES`` occasions goes to the worker from then on; after
``INLINE_STREAK`` statements in a row the loop gets a turn; the WAL is not checkpointed
inside a commit (``wal_autocheckpoint=0``) but beside the bot by ``WalSync.checkpoint``,
on a connection of its own. Statements outside a transaction (roll-ups' big reads among
them) stay in the worker thread. ``run(fn)`` sends several dependent statements in one
call (``fn`` gets the ``sqlite3.Connection``).

Caches (``RowCache``): the repositories keep small, slowly changing rows (organizations,
members, workspaces, campaigns, chat bindings) in memory, because one process owns the
database and a reply used to spend most of its ~17 round trips re-reading them. The rules,
which keep every reader's view read-committed: a repository drops the entries a write may
change, inside a transaction (``storage.repositories._locked_write``), so while it holds
the lock and no read of them is under way (before or after the write: either way no
reader sees an uncommitted row, since entries are only ever filled from committed data or
from the writer's own transaction before it wrote to that cache); inside a transaction that
wrote to a cache, reads of it go to the database and fill nothing; a rollback clears the
caches the transaction wrote to. At start-up the bot fills some of them at once
(``SqliteStore.warm``).
Within a transaction, a ``SELECT`` repeated with the same parameters and no write in
between is answered from a memo of the transaction (the write lock is held: nothing else
can have changed).

Child tasks created inside a transaction inherit the owner context and therefore join the
transaction. Do not await, inside a transaction, a task that was started *outside* it and
uses the database: it would wait for the lock held by its awaiter (deadlock).

Durability (``WalSync``): a write is on disk before the call that made it returns. The
connection runs ``synchronous=NORMAL`` (a commit appends to the WAL without waiting for the
disk) and, after the commit and once the lock is released, the writer awaits an fsync of
the WAL file. That fsync runs in its own thread and is shared: every commit made before it
started is covered, so concurrent writers (replies at the deadline, the fan-out's marks)
pay for one fsync together instead of one each inside the lock, as ``synchronous=FULL``
would make them (group commit). An acknowledged report therefore survives a power cut or
an OS crash, not only a crash of the bot.

Shared commits: a COMMIT writes every page the transaction changed to the WAL (a reply
touches about twelve) and each commit wakes the fsync thread, about a fifth of a reply's
cost. So a transaction whose block succeeds is not committed on its own: its work stays in
the open SQLite transaction, the lock is released, and it waits. Transactions that start
meanwhile run in a savepoint of that SQLite transaction (``SAVEPOINT tx``; an error rolls
back to it, undoing only their own work) and wait too. A committer task, created when the
first of them ends, runs after the tasks ready at that moment and COMMITs them all at once:
during a deadline's burst (a ``getUpdates`` batch handled together) a handful of replies
share one COMMIT and one fsync. Each caller still returns only once its work is committed
(and synced), and an error of that COMMIT is raised to every one of them (``BatchLost``:
their work is lost together, as one failed commit loses one transaction's), with the
caches they wrote to cleared. Nobody outside reads the shared transaction's uncommitted
work: a statement outside a transaction, and ``close()``, commit it first; transactions that
read inside it wait for its COMMIT before returning, a failed one too (its error may come
from the others' work: if that is lost, it says so); and no cache is filled from a cache's
rows that a member wrote until they are committed. A transaction starting more than
``BATCH_WAIT`` after the first of the batch ended, or once ``BATCH_MAX`` have, commits them
first, and so does a long one that says so (``transaction(alone=True)``: a fan-out's
thousands of rows), which would otherwise hold up the replies that ended before it by its
whole length. The COMMIT runs on the loop's thread without an await, or, when the worker
thread still has a call, behind it there, and its own outcome, never the cancellation of
the task that started it, settles the batch. The rule above, never await inside a
transaction another task that uses the database, covers a new case: that task may be
waiting for the shared COMMIT, which needs the lock.

SQLite-specific details (PRAGMAs, BEGIN IMMEDIATE, user_version) stay in this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import importlib.resources
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

Params = Sequence[Any]

# How long a statement waits for a lock held by *another process* (a backup, the sqlite3
# shell, a second bot process) before failing with "database is locked".
BUSY_TIMEOUT_MS = 5000

# Statements of a transaction run on the event loop's thread (module docstring). One that
# takes longer than INLINE_SLOW on INLINE_SLOW_TIMES occasions goes to the worker thread
# from then on; after INLINE_STREAK in a row the loop gets a turn.
INLINE_SLOW = 0.02  # seconds: a scan, not a point statement delayed by a busy machine
INLINE_SLOW_TIMES = 3
INLINE_STREAK = 32
# Write transactions between two checkpoints of the WAL (at a few pages each, a few MB).
CHECKPOINT_EVERY = 500
# Shared commits (module docstring): at most this many transactions in one COMMIT, and a
# transaction starting later than BATCH_WAIT seconds after the first of them ended does
# not join them (they are committed first).
BATCH_MAX = 100
BATCH_WAIT = 0.005

_MIGRATION_NAME = re.compile(r"(\d{4})_([A-Za-z0-9_]+)\.sql")

# Tokens of the transactions the current task (context) owns. Module level, as ContextVar
# objects should be; a frozenset so several Database objects can be used in one task.
_owned: contextvars.ContextVar[frozenset[object]] = contextvars.ContextVar(
    "storage_owned_transactions", default=frozenset()
)


class SchemaVersionError(RuntimeError):
    """The database was written by newer code (its user_version is beyond our migrations)."""


class MigrationError(RuntimeError):
    """A migration file is malformed or failed to apply."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The packaged ``storage/migrations/NNNN_name.sql`` files, in order, numbered 1..N."""
    root = importlib.resources.files("storage").joinpath("migrations")
    found: list[Migration] = []
    for entry in root.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match is None:
            raise MigrationError(f"migration file name {entry.name!r} is not NNNN_name.sql")
        found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise MigrationError(
            f"migrations must be numbered 1..N without gaps, got {[m.version for m in found]}"
        )
    return found


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (trigger bodies stay whole).

    Needed because ``executescript`` commits any open transaction first, which would break
    running each migration inside one transaction.
    """
    statements: list[str] = []
    *pieces, rest = script.split(";")
    buffer = ""
    for piece in pieces:
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if _has_code(buffer):
                statements.append(buffer.strip())
            buffer = ""
    buffer += rest
    if _has_code(buffer):
        raise MigrationError(f"incomplete SQL statement at end of script: {buffer[:80]!r}")
    return statements


def _has_code(sql: str) -> bool:
    """True if ``sql`` holds more than whitespace, ``--`` comments and semicolons."""
    without_comments = re.sub(r"--[^\n]*", "", sql)
    return bool(without_comments.replace(";", "").strip())


def _commit(conn: sqlite3.Connection) -> None:
    conn.commit()


def _rollback(conn: sqlite3.Connection) -> None:
    conn.rollback()


def _commit_checked(conn: sqlite3.Connection) -> bool:
    """The shared COMMIT. False when SQLite had already rolled the transaction back as a
    whole (an I/O error, a full disk): nothing of its members' work is left to commit. On
    an error it is rolled back here, in the same call."""
    if not conn.in_transaction:
        return False
    try:
        _commit(conn)
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.rollback()
        raise
    return True


def _release(conn: sqlite3.Connection) -> None:
    conn.execute("RELEASE tx")


def _rollback_savepoint(conn: sqlite3.Connection) -> None:
    conn.execute("ROLLBACK TO tx")
    conn.execute("RELEASE tx")


def _run_after(callbacks: Sequence[Callable[[], None]]) -> None:
    for fn in callbacks:
        try:
            fn()
        except Exception:
            log.exception("after-commit callback failed")


class BatchLost(sqlite3.OperationalError):
    """SQLite rolled back a shared transaction as a whole (an I/O error, a full disk):
    the transactions that had ended in it and waited for its COMMIT are lost."""


class _Batch:
    """Transactions that ended while their SQLite transaction stays open for the next
    ones: committed together by one COMMIT (module docstring, "Shared commits")."""

    __slots__ = ("after", "committer", "done", "members", "opened", "written")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.done: asyncio.Future[None] = loop.create_future()
        # Nobody may be left to hear of a failure (every member cancelled): not an error.
        self.done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.opened = loop.time()
        self.members = 0
        self.after: list[Callable[[], None]] = []  # the members' after-commit callbacks
        self.written: set[RowCache[Any, Any]] = set()  # the caches they wrote to
        self.committer: asyncio.Task[None] | None = None


class WalSync:
    """Group commit: fsyncs the WAL file so that what was committed is on disk.

    ``sync()`` returns once an fsync that *started* after the call has finished: it covers
    every commit made before the call. Callers arriving while an fsync runs wait for the
    next one, which they then share (one fsync for all of them). The fsync runs in its own
    thread, so the event loop and SQLite's worker thread go on meanwhile. An fsync error is
    raised to every caller it covered (the commit happened; its durability is unknown).
    """

    def __init__(self, database_path: str) -> None:
        self._database = database_path
        self._path = database_path + "-wal"
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoints: ThreadPoolExecutor | None = None
        self._checkpointing = False
        self.checkpoints = 0  # for tests
        self._fd: int | None = None
        self._ino = -1
        self._requested = 0  # sync() calls so far
        self._covered = 0  # calls covered by a finished fsync
        self._running: asyncio.Future[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False
        self.fsyncs = 0  # for tests and benchmarks

    async def sync(self) -> None:
        if self._closed:
            return  # the connection's close checkpointed and synced everything
        self._requested += 1
        mine = self._requested
        while self._covered < mine and not self._closed:
            running = self._running
            if running is None or running.done():
                # (A finished fsync whose callback has not run yet: awaiting it would not
                # yield, and this loop would spin without letting the callback run.)
                running = self._start()
            await asyncio.shield(running)

    def _start(self) -> asyncio.Future[None]:
        covers = self._requested
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="wal-fsync")
        future = asyncio.get_running_loop().run_in_executor(self._executor, self._fsync)

        def finished(done: asyncio.Future[None]) -> None:
            # Runs before the waiters resume (callbacks run in the order they were added).
            if self._running is done:
                self._running = None
            if not done.cancelled() and done.exception() is None:
                self._covered = max(self._covered, covers)

        future.add_done_callback(finished)
        self._running = future
        return future

    def _fsync(self) -> None:
        """In the fsync thread. The WAL is reopened if SQLite replaced the file."""
        try:
            ino = os.stat(self._path).st_ino
        except FileNotFoundError:
            return  # not in WAL mode (a warning was logged at open): SQLite syncs itself
        new_file = self._fd is None or ino != self._ino
        if new_file:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            self._fd = os.open(self._path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            self._ino = ino
        assert self._fd is not None
        _fdatasync(self._fd)
        if new_file:
            # A WAL created since the last sync (each start makes a new one): its directory
            # entry too, or a power cut could lose the whole file with what it acknowledged.
            # (Where a directory cannot be opened, as on Windows, there is nothing to do.)
            with contextlib.suppress(OSError):
                directory = os.open(os.path.dirname(self._path) or ".", os.O_RDONLY)
                try:
                    os.fsync(directory)
                finally:
                    os.close(directory)
        self.fsyncs += 1

    def checkpoint(self) -> None:
        """Starts a checkpoint of the WAL into the database, unless one is running. It
        runs in a thread of its own on a connection of its own, so the bot's connection goes on
        meanwhile (a PASSIVE checkpoint waits for no reader or writer; what it cannot copy
        now, the next one will). Errors are logged: SQLite checkpoints when the bot's
        connection closes in any case."""
        if self._closed or self._checkpointing:
            return
        if self._checkpoints is None:
            # A thread of its own: the fsyncs writers wait for never queue behind it.
            self._checkpoints = ThreadPoolExecutor(1, thread_name_prefix="wal-checkpoint")
        self._checkpointing = True
        future = asyncio.get_running_loop().run_in_executor(self._checkpoints, self._checkpoint)

        def finished(done: asyncio.Future[None]) -> None:
            self._checkpointing = False
            if not done.cancelled() and done.exception() is not None:
                log.warning("WAL checkpoint failed", exc_info=done.exception())

        future.add_done_callback(finished)

    def _checkpoint(self) -> None:
        """In the checkpoint thread."""
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(self._database, isolation_level=None)
        self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.checkpoints += 1

    def _close_checkpointer(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None

    def close(self) -> None:
        """After the last write, before the bot's connection closes (so that its close,
        the last one, checkpoints everything and removes the WAL): waits for a running fsync
        or checkpoint, then releases the files."""
        self._closed = True
        if self._checkpoints is not None:
            self._checkpoints.submit(self._close_checkpointer)  # after a running checkpoint
            self._checkpoints.shutdown(wait=True)
            self._checkpoints = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


# fdatasync where the platform has it (as SQLite itself uses on Linux): the WAL's data and
# size, without its timestamps.
_fdatasync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


class Transaction:
    """The context manager returned by ``Database.transaction()``."""

    __slots__ = ("_alone", "_context_token", "_db", "_outermost")

    def __init__(self, db: Database, alone: bool = False) -> None:
        self._db = db
        self._alone = alone
        self._outermost = False
        self._context_token: contextvars.Token[frozenset[object]] | None = None

    async def __aenter__(self) -> None:
        db = self._db
        if db.owns_transaction():
            return  # join the transaction this task already holds
        await db._lock.acquire()
        try:
            batch = db._batch
            if batch is not None and (
                self._alone
                or batch.members >= BATCH_MAX
                or asyncio.get_running_loop().time() - batch.opened > BATCH_WAIT
            ):
                await db._commit_batch()
        except BaseException:
            db._lock.release()
            raise
        db._begin_pending = True  # sent with the first statement (Database._hop)
        db._savepoint = db._batch is not None  # a savepoint in the shared transaction
        token = object()
        db._tx_token = token
        self._context_token = _owned.set(_owned.get() | {token})
        self._outermost = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._outermost:
            return
        db = self._db
        outcome = _ROLLED_BACK
        wrote = db._tx_wrote
        batch: _Batch | None = None
        # A member that fails after reading the shared transaction may have failed because
        # of what the others wrote (a row that then exists twice): it answers only once
        # their work is committed, or says it was lost with them.
        read_shared = db._savepoint and not db._begin_pending
        try:
            if db._begin_pending:
                if exc_type is None:  # no statement ran: nothing to commit or undo
                    outcome = _COMMITTED
            elif exc_type is None:
                try:
                    outcome = await db._end_well()
                except BaseException:
                    await db._rollback_quietly()
                    raise
            else:
                await db._rollback_quietly()
        finally:
            assert self._context_token is not None
            _owned.reset(self._context_token)
            db._tx_token = None
            db._begin_pending = False
            batch = db._end_transaction(outcome)
            failed_in = db._batch if outcome == _ROLLED_BACK and read_shared else None
            db._lock.release()
        if batch is not None:
            # Committed with the transactions around it (raises if that COMMIT failed).
            await asyncio.shield(batch.done)
        if failed_in is not None and exc is not None and isinstance(exc, Exception):
            try:
                await asyncio.shield(failed_in.done)
            except BatchLost as lost:
                raise lost from exc
        if outcome is not _ROLLED_BACK and wrote:
            db._committed()
            await db.sync()


# How a transaction ended (``Database._end_transaction``).
_ROLLED_BACK = 0
_COMMITTED = 1
_BATCHED = 2  # its work waits in the shared transaction for the batch's COMMIT


class Database:
    """One SQLite connection shared by the whole process; see the module docstring."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: str,
        schema_version: int,
        wal: WalSync | None = None,
    ) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._tx_token: object | None = None
        self._begin_pending = False
        self._closed = False
        self.path = path
        self.schema_version = schema_version
        # The open transaction's caches written to, and its memo of SELECT results.
        self._tx_written: set[RowCache[Any, Any]] = set()
        self._tx_memo: dict[tuple[str, tuple[Any, ...]], list[sqlite3.Row]] = {}
        self._tx_wrote = False  # the open transaction ran a statement that may write
        # Shared commits: the transactions ended but not committed yet, and whether the
        # open one runs in a savepoint of their SQLite transaction.
        self._batch: _Batch | None = None
        self._savepoint = False
        # Run once the open transaction commits (``after_commit``), before anyone else's.
        self._tx_after: list[Callable[[], None]] = []
        self._wal = wal
        # Statements on the loop's thread (see the module docstring): the connection itself,
        # the worker's calls submitted and finished, statements found slow, and how many
        # ran in a row without the loop getting a turn.
        self._raw: sqlite3.Connection | None = conn._conn if wal is not None else None
        self._submitted = 0
        self._finished = 0
        self._slow: set[str] = set()
        self._slow_seen: dict[str, int] = {}
        self._streak = 0
        self._commits = 0  # since the last checkpoint

    def _committed(self) -> None:
        """Counts a write transaction; every ``CHECKPOINT_EVERY`` the WAL is checkpointed
        beside the bot (``WalSync.checkpoint``): SQLite's own automatic checkpoint would run
        inside a commit, on the loop's thread."""
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and self._wal is not None:
            self._commits = 0
            self._wal.checkpoint()

    async def sync(self) -> None:
        """Returns once every commit made so far is on disk (see ``WalSync``)."""
        if self._wal is not None:
            await self._wal.sync()

    # -- caches (see the module docstring) ---------------------------------------------
    def _end_transaction(self, outcome: int) -> _Batch | None:
        """The open transaction's caches, memo and after-commit callbacks, as it ends; a
        transaction that ended in the shared one joins its batch (returned)."""
        written, self._tx_written = self._tx_written, set()
        after, self._tx_after = self._tx_after, []
        self._tx_memo.clear()
        self._tx_wrote = False
        self._savepoint = False
        if outcome == _ROLLED_BACK:
            for cache in written:
                cache.clear()
            return None
        if outcome == _COMMITTED:
            if self._batch is not None:
                self._batch.after.extend(after)  # after the earlier ones, in commit order
            else:
                _run_after(after)
            return None
        loop = asyncio.get_running_loop()
        batch = self._batch
        if batch is None:
            batch = self._batch = _Batch(loop)
        batch.members += 1
        batch.written |= written
        batch.after.extend(after)
        if batch.committer is None or batch.committer.done():
            # Runs after the tasks ready now: those that start a transaction meanwhile
            # join this one (module docstring).
            batch.committer = loop.create_task(self._commit_later(batch))
        return batch

    async def _end_well(self) -> int:
        """The end of a transaction whose block succeeded (statements ran, lock held):
        its savepoint is released into the shared transaction, or it begins one."""
        if self._savepoint:
            await self._hop(_release, "RELEASE tx")
        elif self._raw is None:
            # Statements in the worker thread only (no WAL): committed on their own.
            await self._hop(_commit, "COMMIT")
            return _COMMITTED
        return _BATCHED

    async def _commit_later(self, batch: _Batch) -> None:
        async with self._lock:
            if self._batch is batch:
                await self._commit_batch()

    async def _commit_batch(self) -> None:
        """COMMITs the shared transaction: the caller holds the lock and is in no
        transaction. The outcome is the members' (raised to each of them on failure), not
        the caller's; the caller's cancellation never decides it."""
        batch = self._batch
        if batch is None:
            return
        self._batch = None
        if self._raw is not None and self._finished == self._submitted:
            # On the loop's thread without an await: nothing can interrupt it halfway.
            try:
                committed = _commit_checked(self._raw)
            except Exception as exc:
                self._lose(batch, exc)
                return
            self._settle(batch, committed)
            return
        # The worker thread is busy (a cancelled call still queued): the COMMIT goes behind
        # it, runs whatever happens to this task, and its own outcome settles the batch.
        commit = asyncio.ensure_future(self._in_worker(_commit_checked))
        commit.add_done_callback(lambda done: self._settle_from(batch, done))
        await asyncio.shield(commit)

    def _settle_from(self, batch: _Batch, done: asyncio.Future[bool]) -> None:
        if done.cancelled():
            self._lose(batch)
        elif done.exception() is not None:
            self._lose(batch, done.exception())
        else:
            self._settle(batch, done.result())

    def _settle(self, batch: _Batch, committed: bool) -> None:
        if not committed:
            self._lose(batch)  # SQLite had rolled it back as a whole: nothing was committed
            return
        _run_after(batch.after)
        if not batch.done.done():
            batch.done.set_result(None)

    def _lose(self, batch: _Batch, cause: BaseException | None = None) -> None:
        for cache in batch.written:
            cache.clear()
        if not batch.done.done():
            error = BatchLost(f"{batch.members} transactions were rolled back with a shared one")
            error.__cause__ = cause
            batch.done.set_exception(error)
        log.error("a shared transaction was rolled back (%d transactions)", batch.members)

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Calls ``fn`` once the open transaction has committed (not at all if it rolls
        back), still holding the lock: callbacks run in the order the transactions
        committed. Outside a transaction, at once. ``fn`` must be quick and must not raise
        (an error is logged)."""
        if self.owns_transaction():
            self._tx_after.append(fn)
        else:
            fn()

    def _wrote(self, cache: RowCache[Any, Any]) -> None:
        if self.owns_transaction():
            self._tx_written.add(cache)

    def _may_fill(self, cache: RowCache[Any, Any]) -> bool:
        """Not a cache the open transaction wrote to, nor one the shared transaction's
        members wrote to while their work is not committed: what is read there may be
        uncommitted (and a member reading it must not hand it to readers outside)."""
        if self.owns_transaction() and cache in self._tx_written:
            return False
        batch = self._batch
        return batch is None or cache not in batch.written

    # -- transactions ------------------------------------------------------------------
    def transaction(self, alone: bool = False) -> Transaction:
        """``async with db.transaction():`` - all or nothing; joins an enclosing one.
        ``alone``: a long transaction (a fan-out's thousands of rows) commits the shared
        one first rather than joining it, so the replies in it are not held up."""
        return Transaction(self, alone)

    def owns_transaction(self) -> bool:
        """True inside a transaction opened by this task (or inherited by a child task)."""
        token = self._tx_token
        return token is not None and token in _owned.get()

    async def _rollback_quietly(self) -> None:
        """Undoes the open transaction: its savepoint only, when it runs in the shared
        transaction (whose other members stay as they were), else the whole of it."""
        savepoint = self._savepoint
        try:
            # Counted like every worker call (``_in_worker``): if this task is cancelled
            # while the rollback waits, the next transaction's statements queue behind it
            # instead of running on the loop's thread inside the still-open transaction.
            await self._in_worker(_rollback_savepoint if savepoint else _rollback)
        except sqlite3.Error:
            log.exception("rollback failed")  # (a plain ROLLBACK is a no-op when none is open)
        finally:
            batch = self._batch
            if (
                savepoint
                and batch is not None
                and self._raw is not None
                and self._finished == self._submitted
                and not self._raw.in_transaction
            ):
                # SQLite undid the shared transaction as a whole (an I/O error, a full
                # disk). (Not known yet when this task was cancelled before its rollback
                # ran: the shared COMMIT then finds no transaction, ``_commit_checked``.)
                self._batch = None
                self._lose(batch)

    # -- statements --------------------------------------------------------------------
    async def _hop(self, fn: Callable[[sqlite3.Connection], T], key: str) -> T:
        """Runs ``fn`` (the caller holds the lock or the transaction); a pending
        ``BEGIN IMMEDIATE`` goes first, in the same call. Inside a transaction it runs on
        the event loop's thread (``_inline``), otherwise in the worker thread."""
        if not self._begin_pending:
            if self._inline(key):
                return await self._run_inline(fn, key)
            return await self._in_worker(fn)
        begun: list[bool] = []
        begin = "SAVEPOINT tx" if self._savepoint else "BEGIN IMMEDIATE"

        def begin_then(conn: sqlite3.Connection) -> T:
            conn.execute(begin)
            begun.append(True)
            return fn(conn)

        try:
            if self._inline(key) and self._begin_now():
                begun.append(True)
                self._begin_pending = False
                result = await self._run_inline(fn, key)
            else:
                result = await self._in_worker(begin_then)
        except asyncio.CancelledError:
            # The worker may still run it (FIFO); the rollback of the transaction's exit
            # is queued behind it and undoes it.
            self._begin_pending = False
            raise
        except BaseException:
            self._begin_pending = not begun  # BEGIN itself failed: the next statement retries
            raise
        self._begin_pending = False
        return result

    def _begin_now(self) -> bool:
        """``BEGIN IMMEDIATE`` on the loop's thread if the write lock is free at once. When
        another process holds it (an operator's sqlite3 shell, ``bot check``), the wait of
        up to ``BUSY_TIMEOUT_MS`` happens in the worker thread instead, not on the loop
        where it would stop every reply, send and poll."""
        assert self._raw is not None
        raw = self._raw
        if self._savepoint:
            raw.execute("SAVEPOINT tx")  # the write lock is held already
            return True
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            raw.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as exc:
            if raw.in_transaction or "lock" not in str(exc).lower():
                raise
            return False  # SQLITE_BUSY: the worker's BEGIN waits for it
        finally:
            raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")

    def _inline(self, key: str) -> bool:
        """Whether a statement of the running transaction may run on the loop's thread:
        the worker thread is idle (never two threads on the connection at once) and this
        statement has not been seen to take long (``INLINE_SLOW``)."""
        return (
            self._raw is not None
            and self._finished == self._submitted
            and key not in self._slow
            and self.owns_transaction()
        )

    async def _run_inline(self, fn: Callable[[sqlite3.Connection], T], key: str) -> T:
        assert self._raw is not None
        self._streak += 1
        if self._streak > INLINE_STREAK:
            # A long transaction (a fan-out's thousands of outbox rows) lets the loop run
            # other tasks (sends, polling) now and then; the lock stays held.
            self._streak = 0
            await asyncio.sleep(0)
            if not self._inline(key):
                # Meanwhile a task of the transaction sent work to the worker: queue behind.
                return await self._in_worker(fn)
        started = time.perf_counter()
        try:
            return fn(self._raw)
        finally:
            if time.perf_counter() - started > INLINE_SLOW:
                # Three times, not once: a pause of the whole process (the collector, a
                # busy machine) makes any statement look slow now and then.
                times = self._slow_seen[key] = self._slow_seen.get(key, 0) + 1
                if times >= INLINE_SLOW_TIMES:
                    self._slow.add(key)
                    log.info("statement moved to the worker thread (took long): %.80s", key)

    async def _in_worker(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        # aiosqlite has no public "run this callable in the connection's thread"; its
        # ``_execute`` is what every one of its methods uses (pinned below 0.23; the storage
        # tests cover it).
        execute: Callable[..., Any] = self._conn._execute

        def tracked(conn: sqlite3.Connection) -> T:
            try:
                return fn(conn)
            finally:
                self._finished += 1  # written by the worker thread only

        self._streak = 0
        self._submitted += 1  # written by the loop's thread only
        result: T = await execute(tracked, self._conn._conn)
        return result

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``fn(connection)`` in one call, inside the caller's transaction (on the
        loop's thread, see ``_inline``) or holding the lock (in the worker thread). For
        several dependent statements; plain SQL and bound parameters only, like every
        statement here."""
        key = getattr(fn, "__qualname__", "run")
        if self.owns_transaction():
            self._tx_memo.clear()
            self._tx_wrote = True
            return await self._hop(fn, key)
        async with self._lock:
            await self._commit_batch()
            result = await self._hop(fn, key)
        self._committed()
        await self.sync()
        return result

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Runs one statement (read or write, RETURNING allowed) and returns its rows."""

        def statement(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            return conn.execute(sql, params).fetchall()

        reads = sql.startswith("SELECT")
        if self.owns_transaction():
            if not reads:
                self._tx_memo.clear()
                self._tx_wrote = True
                return await self._hop(statement, sql)
            key = (sql, tuple(params))
            rows = self._tx_memo.get(key)
            if rows is None:
                rows = self._tx_memo[key] = await self._hop(statement, sql)
            return list(rows)
        async with self._lock:
            await self._commit_batch()  # (what it reads is committed)
            rows = await self._in_worker(statement)
        if not reads:
            self._committed()
            await self.sync()
        return rows

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> None:
        await self.fetchall(sql, params)

    # -- lifecycle ---------------------------------------------------------------------
    async def close(self) -> None:
        """Waits for an open transaction of another task, then closes. Idempotent."""
        if self._closed:
            return
        if self.owns_transaction():
            raise RuntimeError("close() called inside a transaction")
        async with self._lock:
            if self._closed:
                return
            await self._commit_batch()
            self._closed = True
            try:
                await self._conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                log.warning("PRAGMA optimize failed", exc_info=True)
            if self._wal is not None:
                self._wal.close()
            await self._conn.close()  # checkpoints the WAL into the database, synced

    @property
    def closed(self) -> bool:
        return self._closed


T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_MISSING: Any = object()


class RowCache(Generic[K, V]):
    """Values read from the database by key, kept until a write drops them (the rules are
    in the module docstring). Bounded: past ``limit`` entries it starts again empty.

    A cache may be made *complete* (``fill(..., complete=True)``, at start-up): a key it
    does not hold then has the ``absent`` value without a read (no conversation in
    progress, the common case), except keys said to be unknown and those dropped since.
    Any reset (a drop of everything, a rollback, the limit) makes it incomplete again."""

    MISSING = _MISSING

    def __init__(self, db: Database, limit: int = 50_000, absent: V = _MISSING) -> None:
        self._db = db
        self._limit = limit
        self._data: dict[K, V] = {}
        self._absent = absent
        self._complete = False
        self._unknown: set[K] = set()  # of a complete cache: to be read

    def __hash__(self) -> int:
        return id(self)

    def get(self, key: K) -> V:
        """The cached value, or ``RowCache.MISSING``."""
        if not self._db._may_fill(self):
            return _MISSING  # type: ignore[no-any-return]
        found: V = self._data.get(key, _MISSING)
        if found is _MISSING and self._complete and key not in self._unknown:
            return self._absent
        return found

    def put(self, key: K, value: V) -> V:
        if self._db._may_fill(self):
            if len(self._data) >= self._limit:
                self.clear()
            self._data[key] = value
            self._unknown.discard(key)
        return value

    def fill(
        self, items: Iterable[tuple[K, V]], *, complete: bool = False, unknown: Iterable[K] = ()
    ) -> None:
        """Many entries read at once from committed data (the caller awaited nothing
        since the read); ``complete``: every key not among them (nor ``unknown``) is
        absent. Beyond ``limit`` it keeps what fits and is not complete."""
        if not self._db._may_fill(self):
            return
        for key, value in items:
            if len(self._data) >= self._limit:
                complete = False
                break
            self._data[key] = value
        self._unknown = set(unknown) if complete else set()
        self._complete = complete and len(self._unknown) < self._limit

    def drop(self, key: K | None = None) -> None:
        """Before or after a write: the entry (or all when ``key`` is None) is forgotten."""
        self._db._wrote(self)
        if key is None:
            self.clear()
        else:
            self._data.pop(key, None)
            if self._complete:
                self._unknown.add(key)
                if len(self._unknown) >= self._limit:
                    self.clear()

    def clear(self) -> None:
        self._data.clear()
        self._complete = False
        self._unknown.clear()


async def open_database(
    path: str | Path, *, migrations: Sequence[Migration] | None = None
) -> Database:
    """Opens (creating if needed) the database file and brings its schema up to date.

    PRAGMAs, per connection:

    * ``journal_mode=WAL``: readers never block the writer and vice versa; commits append
      to the WAL instead of rewriting pages.
    * ``synchronous=NORMAL``: in WAL mode SQLite fsyncs only at checkpoints, not at every
      commit; the database can never be corrupted by a crash. Commits are made durable by
      ``WalSync`` instead (see the module docstring): one fsync shared by the writers of
      the moment, outside the lock, rather than ``FULL``'s fsync inside every commit.
    * ``foreign_keys=ON``: SQLite leaves it off by default, per connection.
    * ``busy_timeout``: wait for other processes' locks instead of failing at once.

    ``migrations`` defaults to the packaged files (tests pass their own).
    """
    location = str(path)
    in_memory = location == ":memory:" or location.startswith("file::memory:")
    if not in_memory:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
    known = list(migrations) if migrations is not None else load_migrations()
    latest = known[-1].version if known else 0

    # check_same_thread: statements of a transaction also run on the loop's thread, never
    # while the worker thread uses the connection (Database._inline).
    conn = await aiosqlite.connect(
        location, isolation_level=None, cached_statements=256, check_same_thread=False
    )
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
        mode = str(rows[0][0]).lower() if rows else "?"
        if mode != "wal" and not in_memory:
            log.warning("journal_mode is %r, not WAL: %s", mode, location)
        await conn.execute("PRAGMA synchronous = NORMAL")
        if not in_memory:
            # Checkpoints run beside the bot (WalSync.checkpoint), not inside a commit.
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
        version = await _user_version(conn)
        if version > latest:
            raise SchemaVersionError(
                f"database {location} has schema version {version}, but this code only "
                f"knows versions up to {latest}; upgrade the bot (or restore a backup made "
                f"by this version) instead of opening it with older code"
            )
        if version < latest:
            version = await _migrate(conn, known, location)
        await conn.execute("PRAGMA foreign_keys = ON")
        rows = list(await conn.execute_fetchall("PRAGMA foreign_keys"))
        if not rows or rows[0][0] != 1:
            raise RuntimeError("this SQLite build cannot enforce foreign keys")
    except BaseException:
        await conn.close()
        raise
    db = Database(conn, location, version, None if in_memory else WalSync(location))
    await db.sync()  # what the migrations committed
    return db


async def _user_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def _migrate(conn: aiosqlite.Connection, migrations: Sequence[Migration], where: str) -> int:
    """Applies the missing migrations, each in its own transaction.

    Foreign keys are off while migrating (they cannot be toggled inside a transaction), so
    a migration may rebuild a table the way SQLite documents; ``foreign_key_check`` then
    verifies the result before the commit.
    """
    await conn.execute("PRAGMA foreign_keys = OFF")
    version = await _user_version(conn)
    for migration in migrations:
        if migration.version <= version:
            continue
        statements = split_statements(migration.sql)
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            current = await _user_version(conn)
            if current >= migration.version:
                await conn.rollback()
                version = current
                continue
            for statement in statements:
                await conn.execute(statement)
            problems = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
            if problems:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} leaves foreign key "
                    f"violations: {[tuple(p) for p in problems[:5]]}"
                )
            # The version comes from the file name (an int), never from outside input.
            await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            await conn.commit()
        except BaseException as exc:
            await conn.rollback()
            if isinstance(exc, sqlite3.Error):
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed on {where}: {exc}"
                ) from exc
            raise
        version = migration.version
        log.info("applied migration %04d_%s to %s", migration.version, migration.name, where)
    return version
