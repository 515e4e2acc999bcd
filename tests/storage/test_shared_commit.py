"""Shared commits (``storage.db``, "Shared commits"): transactions that end while others
are ready to run are committed by one COMMIT, each having run in a savepoint of the shared
SQLite transaction. What each caller sees must not change: its block is all or nothing,
it returns only once its work is committed (and on disk), and nobody outside the shared
transaction reads what it has not committed yet. On real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage.db as db_module
from storage.db import BatchLost
from storage.sqlite import SqliteStore, open_store
from tests.storage.table_t import committed_values, create_table, table_values, write_one

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


class Boom(Exception):
    pass


def _count_commits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    commits: list[int] = []
    real = db_module._commit

    def counted(conn: sqlite3.Connection) -> None:
        real(conn)
        commits.append(1)

    monkeypatch.setattr(db_module, "_commit", counted)
    return commits


async def test_transactions_ready_together_share_one_commit_and_each_returns_committed(
    store: SqliteStore, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_table(store)
    commits = _count_commits(monkeypatch)
    seen_by_others: dict[int, list[int]] = {}

    async def write(x: int) -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (?)", (x,))
        # Back from the block: committed, as another process sees it.
        seen_by_others[x] = await asyncio.to_thread(committed_values, db_path)

    await asyncio.gather(*(write(x) for x in range(1, 11)))
    assert len(commits) == 1
    assert all(set(range(1, 11)) <= set(v) for v in seen_by_others.values())
    assert await table_values(store) == list(range(1, 11))


async def test_a_failing_transaction_undoes_only_its_own_work(store: SqliteStore) -> None:
    await create_table(store)

    async def write(x: int, fail: bool) -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (?)", (x,))
            await store.db.execute("INSERT INTO t VALUES (?)", (x + 100,))
            if fail:
                raise Boom

    results = await asyncio.gather(
        *(write(x, fail=x % 3 == 0) for x in range(1, 10)), return_exceptions=True
    )
    assert [type(r) for r in results] == [Boom if x % 3 == 0 else type(None) for x in range(1, 10)]
    kept = [x for x in range(1, 10) if x % 3]
    assert await table_values(store) == kept + [x + 100 for x in kept]


async def test_a_constraint_error_in_one_transaction_leaves_the_others(
    store: SqliteStore,
) -> None:
    await create_table(store)
    await store.db.execute("INSERT INTO t VALUES (5)")

    async def write(x: int) -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (?)", (x + 10,))
            await store.db.execute("INSERT INTO t VALUES (?)", (x,))  # 5 already exists

    results = await asyncio.gather(*(write(x) for x in range(3, 8)), return_exceptions=True)
    assert [isinstance(r, sqlite3.IntegrityError) for r in results] == [
        False,
        False,
        True,
        False,
        False,
    ]
    assert await table_values(store) == [3, 4, 5, 6, 7, 13, 14, 16, 17]


async def test_a_read_outside_any_transaction_commits_the_shared_one_first(
    store: SqliteStore, db_path: Path
) -> None:
    """A writer has ended its block and waits for the shared COMMIT; a read of another
    task comes first: it must not read the uncommitted row as if committed (it commits it
    first, and the writer is then done)."""
    await create_table(store)

    async def read() -> tuple[list[int], list[int]]:
        ours = await table_values(store)
        # At once (no await: the shared COMMIT cannot run in between): what is committed.
        return ours, committed_values(db_path)

    writer = asyncio.create_task(write_one(store, 1))
    reader = asyncio.create_task(read())
    # Both are ready; the writer runs first, the reader next, the committer last.
    assert await reader == ([1], [1])
    await writer


async def test_after_commit_callbacks_run_once_committed_in_commit_order(
    store: SqliteStore, db_path: Path
) -> None:
    await create_table(store)
    calls: list[tuple[int, list[int]]] = []

    async def write(x: int, fail: bool = False) -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (?)", (x,))
            store.db.after_commit(
                lambda: calls.append((x, committed_values(db_path)))  # committed by now
            )
            if fail:
                raise Boom

    await asyncio.gather(write(1), write(2, fail=True), write(3), return_exceptions=True)
    assert [c[0] for c in calls] == [1, 3]
    assert all(c[1] == [1, 3] for c in calls)


async def test_a_failed_shared_commit_fails_every_member_and_forgets_their_caches(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_table(store)
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    real = db_module._commit

    def failing(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db_module, "_commit", failing)

    async def rename() -> None:
        async with store.transaction():
            await store.orgs.update(replace(org, name="Tên mới"))

    async def reader_fills_cache() -> None:
        async with store.transaction():
            # Runs after rename in the shared transaction: reads the uncommitted name and
            # may keep it in the cache (its own transaction wrote nothing).
            await store.orgs.get(org.id)

    results = await asyncio.gather(
        rename(), reader_fills_cache(), write_one(store, 1), return_exceptions=True
    )
    assert all(isinstance(r, BatchLost) for r in results), results
    monkeypatch.setattr(db_module, "_commit", real)
    assert await table_values(store) == []
    again = await store.orgs.get(org.id)
    assert again is not None and again.name == "Hội Nông dân"
    await write_one(store, 2)  # the connection goes on
    assert await table_values(store) == [2]


async def test_when_sqlite_undoes_the_shared_transaction_its_waiting_members_fail(
    store: SqliteStore,
) -> None:
    """An error that makes SQLite roll back the whole transaction (an I/O error, a full
    disk; here a ROLLBACK of the whole) in a later member: the earlier members' work is
    gone, so they must not be told it was saved."""
    await create_table(store)

    async def breaks_it() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (2)")
            await store.db.execute("ROLLBACK")
            raise Boom

    results = await asyncio.gather(
        write_one(store, 1), breaks_it(), write_one(store, 3), return_exceptions=True
    )
    assert isinstance(results[0], BatchLost)
    assert isinstance(results[1], Boom)
    assert results[2] is None  # began afresh after the loss
    assert await table_values(store) == [3]


async def test_at_most_batch_max_transactions_share_a_commit(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await create_table(store)
    monkeypatch.setattr(db_module, "BATCH_MAX", 4)
    commits = _count_commits(monkeypatch)
    await asyncio.gather(*(write_one(store, x) for x in range(10)))
    assert len(commits) == 3  # 4 + 4 + 2
    assert await table_values(store) == list(range(10))


async def test_a_transaction_starting_late_does_not_hold_up_the_earlier_ones(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first writer's block ended long (more than BATCH_WAIT) before the second one's
    began: the second commits the first before it starts, so the first is not kept
    waiting for whatever the second does."""
    await create_table(store)
    commits = _count_commits(monkeypatch)
    first_done = asyncio.Event()

    async def first() -> None:
        await write_one(store, 1)
        first_done.set()

    async def slow_second() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (2)")
            await asyncio.sleep(0.3)  # a long transaction (the lock is held)

    monkeypatch.setattr(db_module, "BATCH_WAIT", 0.0)
    task = asyncio.create_task(first())
    await asyncio.sleep(0)  # the first has ended its block; its COMMIT is still to come
    second = asyncio.create_task(slow_second())
    await asyncio.wait_for(first_done.wait(), timeout=0.2)
    await second
    assert len(commits) == 2
    await task


async def test_close_commits_what_waits(db_path: Path) -> None:
    store = await open_store(db_path)
    await create_table(store)
    writer = asyncio.create_task(write_one(store, 7))
    await asyncio.sleep(0)
    await store.close()
    await writer
    store = await open_store(db_path)
    try:
        assert await table_values(store) == [7]
    finally:
        await store.close()
