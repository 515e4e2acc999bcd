"""Edge cases of statements on the loop's thread and of WalSync, found in review: the
"never two threads on the connection" rule around cancellations and yields, a BEGIN
waiting for another process, and the durability of a newly created WAL file. Each test
states its scenario; each failed on the code before its fix."""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

import storage.db as db_module
from storage.sqlite import SqliteStore, open_store
from tests.storage.table_t import busy_worker, create_table, table_values


async def test_a_rollback_interrupted_by_a_second_cancel_never_breaks_the_next_transaction(
    store: SqliteStore,
) -> None:
    """Task A's transaction is cancelled; its exit queues ROLLBACK to aiosqlite's worker
    (``_rollback_quietly``, not counted by ``_submitted``/``_finished``). A second cancel
    (a shutdown's cancel on top of a timeout's, a TaskGroup failing) lands while that
    rollback is queued: the lock is released and task B's transaction starts *inline* on
    the loop's thread, because the counters say the worker is idle, while A's transaction
    is still open on the connection: B's BEGIN IMMEDIATE fails with "cannot start a
    transaction within a transaction" (in the bot: another person's reply fails with the
    generic error). Had B's BEGIN come after the ROLLBACK started, the two threads would
    have shared the connection. Counting the rollback (``_in_worker``) would queue B's
    statements behind it."""
    await create_table(store)
    a_inside = asyncio.Event()

    async def a() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (1)")
            a_inside.set()
            await asyncio.Event().wait()

    async def b() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (2)")
            await asyncio.sleep(0.05)  # any await inside a transaction (a worker hop, a yield)
            await store.db.execute("INSERT INTO t VALUES (3)")

    task_a = asyncio.create_task(a())
    await a_inside.wait()
    task_b = asyncio.create_task(b())  # waits for the lock
    await asyncio.sleep(0)
    busy = busy_worker(store)
    task_a.cancel()
    await asyncio.sleep(0)  # A is now awaiting its ROLLBACK in the worker
    task_a.cancel()  # ... and is cancelled there too
    with pytest.raises(asyncio.CancelledError):
        await task_a
    await task_b  # B committed without error
    await busy
    assert await table_values(store) == [2, 3]


async def test_an_error_then_a_cancel_during_its_rollback_never_breaks_the_next_transaction(
    store: SqliteStore,
) -> None:
    """The same with a single cancel: A's statement fails (IntegrityError), its exit awaits
    the ROLLBACK in the worker and A is cancelled right then (a shutdown)."""
    await create_table(store)
    await store.db.execute("INSERT INTO t VALUES (1)")
    a_failing = asyncio.Event()

    async def a() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (5)")
            a_failing.set()
            await asyncio.sleep(0)
            await store.db.execute("INSERT INTO t VALUES (1)")  # IntegrityError

    async def b() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (2)")
            await asyncio.sleep(0.05)
            await store.db.execute("INSERT INTO t VALUES (3)")

    task_a = asyncio.create_task(a())
    await a_failing.wait()
    task_b = asyncio.create_task(b())
    busy = busy_worker(store)
    await asyncio.sleep(0)  # A fails and awaits its ROLLBACK in the worker
    task_a.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task_a
    await task_b
    await busy
    assert await table_values(store) == [1, 2, 3]


async def test_the_new_wal_file_is_durable_in_its_directory(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "An acknowledged report survives a power cut": ``WalSync`` fdatasyncs the WAL's
    data, but the WAL file is created anew at every start (the last close deletes it) and
    nothing syncs its directory entry until SQLite's own first checkpoint sync, which with
    ``wal_autocheckpoint=0`` comes only after CHECKPOINT_EVERY (500) write transactions.
    A power cut before that may lose the file, and every acknowledged write in it, on a
    file system that does not order the new directory entry before the data sync."""
    synced_dirs: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            synced_dirs.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    store = await open_store(db_path)
    try:
        await create_table(store)
        await store.db.execute("INSERT INTO t VALUES (1)")  # acknowledged
        assert db_path.with_name(db_path.name + "-wal").exists()
        assert str(db_path.parent) in synced_dirs
    finally:
        await store.close()


async def test_a_statement_never_runs_inline_while_the_worker_has_work_after_the_yield(
    store: SqliteStore,
) -> None:
    """``_hop`` decides "inline" (the worker is idle), then ``_run_inline`` yields (every
    INLINE_STREAK statements) and runs the statement without deciding again. During that
    yield a child task of the transaction (which joins it, as the module docstring says)
    may send a statement to the worker: both threads then use the connection at once."""
    db = store.db
    await create_table(store)
    raw = db._conn._conn
    seen: list[tuple[int, int]] = []

    def probe(x: int) -> int:
        # Runs inside a statement on the loop's thread: the worker must be idle.
        if threading.current_thread() is threading.main_thread():
            seen.append((db._submitted, db._finished))
        return x

    raw.create_function("probe", 1, probe)

    def several(conn: sqlite3.Connection) -> None:
        time.sleep(0.05)  # the worker's call takes a while (a big statement)
        conn.execute("INSERT INTO t VALUES (2)")

    db._slow.add(several.__qualname__)  # learned slow: goes to the worker

    async def child() -> None:
        await db.run(several)

    async with store.transaction():
        await db.execute("INSERT INTO t VALUES (1)")
        db._streak = db_module.INLINE_STREAK  # the next inline statement yields first
        task = asyncio.create_task(child())  # inherits the transaction
        assert [r[0] for r in await db.fetchall("SELECT probe(2)")] == [2]
        await task
    # (On the loop's thread, probe saw the child's call submitted and not finished.)
    assert all(submitted == finished for submitted, finished in seen), seen
    assert await table_values(store) == [1, 2]


async def test_a_begin_waiting_for_another_process_does_not_freeze_the_event_loop(
    db_path: Path,
) -> None:
    """Another process holds the write lock for 0.3 s (the operator's sqlite3 shell, a
    ``bot check`` closing with PRAGMA optimize). The transaction's BEGIN IMMEDIATE now runs
    on the loop's thread and waits there (busy_timeout, up to 5 s): every other task (the
    poller, sends, other replies' non-database work) stops meanwhile. Before today it
    waited in the worker thread."""
    store = await open_store(db_path)
    try:
        await create_table(store)
        other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, other.rollback).start()
        ticks: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                ticks.append(time.perf_counter())
                await asyncio.sleep(0.01)

        tick_task = asyncio.create_task(ticker())
        await asyncio.sleep(0.03)
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (1)")
        stop.set()
        await tick_task
        other.close()
        longest = max(b - a for a, b in itertools.pairwise(ticks))
        assert longest < 0.15, f"the event loop stood still for {longest:.3f} s"
    finally:
        await store.close()
