"""Group commit: every write is fsynced before it returns, and concurrent writers share
the fsync (``storage.db.WalSync``). The fsync itself is observed through a wrapper around
the real one, slowed down where the test needs writers to arrive while it runs."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import storage.db as db_module
from storage.db import WalSync
from storage.sqlite import SqliteStore

from .conftest import NOW


class FsyncSpy:
    """Counts the WAL fsyncs; ``delay`` seconds each (in the fsync thread), or an error."""

    def __init__(self) -> None:
        self.calls = 0
        self.delay = 0.0
        self.error: OSError | None = None
        self._real = db_module._fdatasync

    def __call__(self, fd: int) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        self._real(fd)
        self.calls += 1


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> Iterator[FsyncSpy]:
    spy = FsyncSpy()
    monkeypatch.setattr(db_module, "_fdatasync", spy)
    yield spy


async def test_a_committed_write_is_synced_before_it_returns(
    store: SqliteStore, fsyncs: FsyncSpy
) -> None:
    async with store.transaction():
        await store.outbox.enqueue("telegram", "1", "a", "k1", NOW)
    assert fsyncs.calls == 1
    await store.outbox.enqueue("telegram", "1", "b", "k2", NOW)  # autocommit write
    assert fsyncs.calls == 2


async def test_reads_and_empty_or_failed_transactions_do_not_sync(
    store: SqliteStore, fsyncs: FsyncSpy
) -> None:
    await store.outbox.pending()
    async with store.transaction():
        await store.outbox.pending()  # a read-only transaction
    async with store.transaction():
        pass

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with store.transaction():
            await store.outbox.enqueue("telegram", "1", "a", "k1", NOW)
            raise Boom
    assert fsyncs.calls == 0
    assert await store.outbox.pending() == []


async def test_concurrent_writers_share_fsyncs(store: SqliteStore, fsyncs: FsyncSpy) -> None:
    # While one fsync runs (slowed to 50 ms), the other writers commit and wait for the
    # next one together: far fewer fsyncs than writers, and every write is kept.
    fsyncs.delay = 0.05
    writers = 30

    async def writer(i: int) -> None:
        async with store.transaction():
            await store.outbox.enqueue("telegram", str(i), "x", f"k{i}", NOW)
            await store.inbound.first_time("telegram", f"m{i}", NOW)

    await asyncio.gather(*(writer(i) for i in range(writers)))
    assert len(await store.outbox.pending()) == writers
    assert 1 <= fsyncs.calls <= writers // 3


async def test_a_writer_waits_for_an_fsync_that_started_after_its_commit(
    store: SqliteStore, fsyncs: FsyncSpy
) -> None:
    # The first writer's fsync is running when the second commits: that fsync may have
    # missed the second commit, so the second writer must wait for another one.
    fsyncs.delay = 0.05
    first = asyncio.create_task(store.outbox.enqueue("telegram", "1", "a", "k1", NOW))
    await asyncio.sleep(0.01)  # the first fsync is under way
    await store.outbox.enqueue("telegram", "2", "b", "k2", NOW)
    assert fsyncs.calls == 2
    await first


async def test_an_fsync_error_reaches_the_writer_and_keeps_the_commit(
    store: SqliteStore, fsyncs: FsyncSpy
) -> None:
    fsyncs.error = OSError(5, "Input/output error")
    with pytest.raises(OSError, match="Input/output"):
        async with store.transaction():
            await store.outbox.enqueue("telegram", "1", "a", "k1", NOW)
    fsyncs.error = None
    # Committed (its durability was unknown); the next write syncs again.
    assert [i.dedupe_key for i in await store.outbox.pending()] == ["k1"]
    await store.outbox.enqueue("telegram", "1", "b", "k2", NOW)
    assert fsyncs.calls == 1


async def test_the_wal_file_is_reopened_when_replaced(tmp_path: Path) -> None:
    path = str(tmp_path / "x.db")
    wal_file = tmp_path / "x.db-wal"
    wal = WalSync(path)
    try:
        await wal.sync()  # no WAL file at all: nothing to sync, no error
        await asyncio.to_thread(wal_file.write_bytes, b"a")
        await wal.sync()
        first = os.fstat(wal._fd).st_ino if wal._fd is not None else None
        await asyncio.to_thread(wal_file.unlink)
        await asyncio.to_thread(wal_file.write_bytes, b"b")  # a new file: another inode
        await wal.sync()
        assert wal._fd is not None and os.fstat(wal._fd).st_ino != first
        assert os.fstat(wal._fd).st_ino == os.stat(wal_file).st_ino
        assert wal.fsyncs == 2
    finally:
        wal.close()
    await wal.sync()  # after close: returns at once


# -- statements on the loop's thread, checkpoints beside the bot ----------------------------
async def test_a_statement_seen_slow_goes_to_the_worker_thread_from_then_on(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = store.db
    monkeypatch.setattr(db_module, "INLINE_SLOW", 0.0)  # every statement counts as slow
    submitted = db._submitted
    for i in range(db_module.INLINE_SLOW_TIMES):  # inline; slow once, twice, three times
        assert not db._slow
        async with store.transaction():
            await store.outbox.enqueue("telegram", "1", "a", f"k{i}", NOW)
    assert db._submitted == submitted
    assert db._slow
    async with store.transaction():
        await store.outbox.enqueue("telegram", "1", "b", "last", NOW)
    assert db._submitted > submitted  # the same statements went to the worker
    assert len(await store.outbox.pending()) == db_module.INLINE_SLOW_TIMES + 1


async def test_never_inline_while_the_worker_thread_has_work(store: SqliteStore) -> None:
    db = store.db
    async with store.transaction():
        assert db._inline("SELECT 1")
        db._submitted += 1  # as if a cancelled call were still running in the worker
        assert not db._inline("SELECT 1")
        db._finished += 1
        assert db._inline("SELECT 1")
    assert not db._inline("SELECT 1")  # outside a transaction: always the worker


async def test_a_long_transaction_lets_the_loop_run_other_tasks(store: SqliteStore) -> None:
    turns = 0
    stop = asyncio.Event()

    async def other() -> None:
        nonlocal turns
        while not stop.is_set():
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(other())
    await asyncio.sleep(0)
    before = turns
    async with store.transaction():
        for i in range(320):
            await store.outbox.enqueue("telegram", str(i), "x", f"k{i}", NOW)
    stop.set()
    await task
    assert turns - before >= 320 // (db_module.INLINE_STREAK + 1)
    row = await store.db.fetchone("SELECT COUNT(*) FROM outbox")
    assert row is not None and row[0] == 320


async def test_the_wal_is_checkpointed_beside_the_bot(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await store.db.fetchone("PRAGMA wal_autocheckpoint"))[0] == 0  # type: ignore[index]
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", 10)
    wal = store.db._wal
    assert wal is not None
    for i in range(25):
        await store.outbox.enqueue("telegram", str(i), "x", f"k{i}", NOW)
    for _ in range(200):  # bounded wait for the checkpoint thread
        if wal.checkpoints >= 1 and not wal._checkpointing:
            break
        await asyncio.sleep(0.01)
    assert wal.checkpoints >= 1
    assert len(await store.outbox.pending()) == 25
