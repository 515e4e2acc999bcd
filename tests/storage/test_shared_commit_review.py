"""Review of shared commits (``storage.db``, "Shared commits") and of the caches filled at
start-up (``SqliteStore.warm``, complete ``RowCache``): each test is a scenario where a
guarantee of ``storage.db`` breaks. Each states what it expects (the guarantee) and what
the code did at the time of the review. On real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage.db as db_module
from bot.core.models import ConversationState, Role
from storage.db import BatchLost
from storage.repositories import SqliteConversationRepo
from storage.sqlite import SqliteStore
from tests.storage.table_t import (
    busy_worker,
    committed_values,
    create_table,
    table_values,
    write_one,
)

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


class Boom(Exception):
    pass


# -- cancellation of the task that runs the shared COMMIT ---------------------------------
async def test_a_reader_cancelled_while_its_read_commits_the_batch_in_the_worker_loses_nothing(
    store: SqliteStore, db_path: Path
) -> None:
    """A writer's block ended; its work waits for the shared COMMIT. A read outside any
    transaction comes first and COMMITs it (``fetchall`` -> ``_commit_batch``); the COMMIT
    goes to the worker thread (COMMITs found slow, or the worker busy) and the reader is
    cancelled right then (a timeout around a read, a shutdown). The COMMIT still runs in
    the worker; the ROLLBACK queued after it is a no-op. Expected: the writer returns
    normally and its after-commit callback runs (its row is committed). At review: the
    writer gets ``BatchLost`` for a committed row and its callback never runs (a kept
    week would silently miss the report)."""
    await create_table(store)
    store.db._slow.add("COMMIT")  # COMMITs found slow: they run in the worker thread
    called: list[int] = []

    async def writer() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (1)")
            store.db.after_commit(lambda: called.append(1))

    busy = busy_worker(store)
    w = asyncio.create_task(writer())
    r = asyncio.create_task(store.db.fetchall("SELECT x FROM t"))
    await asyncio.sleep(0)  # the writer waits for the COMMIT; the reader awaits it in the worker
    r.cancel()
    with pytest.raises(asyncio.CancelledError):
        await r
    results = await asyncio.gather(w, return_exceptions=True)
    await busy
    assert committed_values(db_path) == [1]  # the row IS committed
    assert list(results) == [None]
    assert called == [1]


async def test_a_reader_cancelled_before_the_shared_commit_does_not_undo_the_others(
    store: SqliteStore, db_path: Path
) -> None:
    """The same reader, with the COMMIT inline, after a run of ``INLINE_STREAK`` inline
    statements (the streak is not reset between transactions): ``_run_inline`` yields
    before the COMMIT, and the reader is cancelled at that yield. Expected: the writers'
    work is committed (a reader's cancellation has nothing to do with them; the committer
    task is still there to COMMIT it). At review: the reader's ``_commit_batch`` rolls the
    whole shared transaction back and every writer gets ``BatchLost``."""
    await create_table(store)  # (a worker call: the streak starts at 0)

    async def writer(base: int, n: int) -> None:
        async with store.transaction():
            for x in range(base, base + n):
                await store.db.execute("INSERT INTO t VALUES (?)", (x,))

    # INLINE_STREAK inline statements in all (the second's RELEASE counts too): no yield
    # in them, the reader's COMMIT is the one that yields.
    first = db_module.INLINE_STREAK // 2
    second = db_module.INLINE_STREAK - first - 1
    w1 = asyncio.create_task(writer(0, first))
    w2 = asyncio.create_task(writer(100, second))
    r = asyncio.create_task(store.db.fetchall("SELECT count(*) FROM t"))
    await asyncio.sleep(0)  # both writers wait; the reader yields just before its COMMIT
    r.cancel()
    with pytest.raises(asyncio.CancelledError):
        await r
    results = await asyncio.gather(w1, w2, return_exceptions=True)
    assert list(results) == [None, None], results
    assert len(await table_values(store)) == first + second


# -- SQLite undid the shared transaction, and the member who would notice is cancelled --
async def test_a_cancel_during_the_savepoint_rollback_never_acknowledges_lost_work(
    store: SqliteStore, db_path: Path
) -> None:
    """A second member's statement makes SQLite roll back the whole transaction (an I/O
    error, a full disk; here a ROLLBACK, as in test_shared_commit.py) and its block
    fails. Its exit awaits ``ROLLBACK TO tx`` in the worker, and it is cancelled right then
    (a timeout, a shutdown): the check that the shared transaction is gone
    (``_rollback_quietly``) never runs, the batch stays, and the committer's COMMIT (with
    no transaction open: a no-op) "succeeds". Expected: the first writer gets
    ``BatchLost``. At review: it returns normally (acknowledged) but its row is lost."""
    await create_table(store)

    async def breaks_it() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (2)")
            await store.db.execute("ROLLBACK")
            raise Boom

    busy = busy_worker(store)
    await asyncio.sleep(0)  # the worker is busy from now on
    first = asyncio.create_task(write_one(store, 1))
    second = asyncio.create_task(breaks_it())
    await asyncio.sleep(0)  # first waits for the COMMIT; second awaits its rollback
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    results = await asyncio.gather(first, return_exceptions=True)
    await busy
    values = await table_values(store)
    assert values == [1] or isinstance(results[0], BatchLost), (results, values)


# -- reading the shared transaction's uncommitted work -----------------------------------
async def test_a_member_never_caches_uncommitted_rows_for_readers_outside(
    store: SqliteStore, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Member A changes a membership (drops that person's cache entries) and waits for
    the shared COMMIT. Member B, in a savepoint of the same SQLite transaction, reads the
    membership: its own transaction wrote nothing to the cache, so it fills it with A's
    uncommitted row. A task outside any transaction then reads the membership from the
    cache, without the lock and before the COMMIT. Here the COMMIT then fails. Expected:
    the outside reader sees the committed role (reporter). At review: it sees "admin",
    a role that was never committed."""
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    await store.members.upsert(ws.id, "telegram", "42", "An", Role.REPORTER, org.id, NOW)

    def failing(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    real = db_module._commit
    monkeypatch.setattr(db_module, "_commit", failing)
    seen: dict[str, object] = {}

    async def promote() -> None:
        async with store.transaction():
            await store.members.upsert(ws.id, "telegram", "42", "An", Role.ADMIN, org.id, NOW)

    async def reads_inside() -> None:
        async with store.transaction():
            await store.members.get(ws.id, "telegram", "42")

    async def reads_outside() -> None:
        member = await store.members.get(ws.id, "telegram", "42")
        assert member is not None
        seen["outside"] = member.role
        seen["committed"] = committed_values(
            db_path, "SELECT role FROM members WHERE user_id = '42'"
        )[0]

    results = await asyncio.gather(
        promote(), reads_inside(), reads_outside(), return_exceptions=True
    )
    monkeypatch.setattr(db_module, "_commit", real)
    assert isinstance(results[0], BatchLost)
    assert seen["outside"] == seen["committed"] == Role.REPORTER, seen


async def test_a_failing_member_does_not_answer_from_uncommitted_work(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Member A inserts 1 and waits for the shared COMMIT. Member B, in a savepoint, inserts
    1 too and fails (UNIQUE): its savepoint is rolled back and it returns its error at once,
    before A's work is committed. The COMMIT then fails (A: ``BatchLost``). Expected: B is
    not told "duplicate" about a row that never existed (had B waited for A's transaction,
    as before shared commits, its insert would have succeeded; at least it must not return
    before the COMMIT that its error depends on). At review: B gets ``IntegrityError`` and
    the table is empty."""
    await create_table(store)

    def failing(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    real = db_module._commit
    monkeypatch.setattr(db_module, "_commit", failing)
    results = await asyncio.gather(write_one(store, 1), write_one(store, 1), return_exceptions=True)
    monkeypatch.setattr(db_module, "_commit", real)
    assert isinstance(results[0], BatchLost)
    assert await table_values(store) == []
    assert not isinstance(results[1], sqlite3.IntegrityError), results


# -- order of after-commit callbacks -----------------------------------------------------
async def test_after_commit_of_a_transaction_that_ran_no_statement_keeps_commit_order(
    store: SqliteStore,
) -> None:
    """A ended its block (a write and a callback) and waits for the shared COMMIT; B's
    block ran no statement (everything from caches) and registers a callback: B's runs at
    once, before A's, although A's transaction ended (and commits) first. Expected: the
    callbacks in commit order, [A, B]. At review: [B, A]."""
    await create_table(store)
    calls: list[str] = []

    async def a() -> None:
        async with store.transaction():
            await store.db.execute("INSERT INTO t VALUES (1)")
            store.db.after_commit(lambda: calls.append("A"))

    async def b() -> None:
        async with store.transaction():
            store.db.after_commit(lambda: calls.append("B"))

    await asyncio.gather(a(), b())
    assert calls == ["A", "B"]


# -- a long transaction joining the batch ------------------------------------------------
async def test_a_long_transaction_does_not_hold_up_the_replies_that_ended_before_it(
    store: SqliteStore,
) -> None:
    """A reply's block ends; a long transaction (a fan-out's thousands of outbox rows)
    starts in the same turn of the loop, well within ``BATCH_WAIT``. Joining the batch as
    a savepoint, it would hold the reply's COMMIT (its return) for the whole of its length
    (the committer needs the lock). At review it did, against the module docstring; the
    long transactions the bot runs (a cycle step's fan-out, a directive's messages) now
    say so (``transaction(alone=True)``) and commit the batch before they start."""
    await create_table(store)
    reply = asyncio.create_task(write_one(store, 1))
    reply_done_during_long: list[bool] = []

    async def long() -> None:
        async with store.transaction(alone=True):
            for x in range(1000, 4000):
                await store.db.execute("INSERT INTO t VALUES (?)", (x,))
            reply_done_during_long.append(reply.done())

    await asyncio.gather(reply, long())
    assert reply_done_during_long == [True]


# -- start-up caches ----------------------------------------------------------------------
async def test_warm_racing_with_a_dialog_write_never_marks_a_dialog_absent(
    store: SqliteStore,
) -> None:
    """``warm()`` reads which dialogs exist and makes the conversation cache complete. A
    dialog is written meanwhile outside a transaction: ``put`` drops the key (the cache
    is not complete yet: nothing to mark), then waits for the lock held by warm's read;
    warm's read does not see the row and fills the cache "complete" without it; the row
    is then inserted. Expected: ``get`` finds the dialog. At review: ``get`` says None
    without a read (the person's dialog is ignored) and ``clear`` would not delete it."""
    state = ConversationState("telegram", "c1", "u1", "setup", {"step": 1}, NOW)
    conversations = store.conversations
    assert isinstance(conversations, SqliteConversationRepo)
    warm = asyncio.create_task(conversations.warm())  # (the last of store.warm()'s reads)
    await asyncio.sleep(0)  # warm's read is under way
    put = asyncio.create_task(store.conversations.put(state))
    await asyncio.gather(warm, put)
    assert (await store.db.fetchall("SELECT 1 FROM conversations")) != []  # stored
    found = await store.conversations.get("telegram", "c1", "u1")
    assert found is not None and found.kind == "setup"


async def test_warm_racing_with_a_membership_write_never_keeps_the_old_one(
    store: SqliteStore,
) -> None:
    """The same for memberships: an upsert outside a transaction drops the person's
    entries, then waits for the lock held by warm's read, which returns the old row and
    fills the cache with it. Expected: ``get`` returns the new role. At review: the old
    one, until the next write of that person."""
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    await store.members.upsert(ws.id, "telegram", "42", "An", Role.REPORTER, org.id, NOW)
    warm = asyncio.create_task(store.warm())
    await asyncio.sleep(0)
    write = asyncio.create_task(
        store.members.upsert(ws.id, "telegram", "42", "An", Role.LEADER, org.id, NOW)
    )
    await asyncio.gather(warm, write)
    member = await store.members.get(ws.id, "telegram", "42")
    assert member is not None and member.role == Role.LEADER


async def test_a_removed_membership_is_not_served_from_the_cache_once_committed(
    store: SqliteStore, db_path: Path
) -> None:
    """``SqliteMemberRepo.remove`` now drops the person's entries after the DELETE (to
    learn whose they are). Outside a transaction the DELETE commits, then the call awaits
    the fsync and only then drops: meanwhile another task reads the deleted membership from
    the cache. (In the bot both callers remove inside a transaction, where the drop comes
    before the COMMIT: latent.) Expected: once the DELETE is committed, ``get`` says
    None. At review: the removed member."""
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    member = await store.members.upsert(ws.id, "telegram", "42", "An", Role.REPORTER, org.id, NOW)
    assert await store.members.get(ws.id, "telegram", "42") is not None  # cached
    removing = asyncio.create_task(store.members.remove(member.id))
    for _ in range(1000):
        await asyncio.sleep(0)
        if not committed_values(db_path, "SELECT id FROM members"):
            break  # the DELETE is committed
    seen = await store.members.get(ws.id, "telegram", "42")
    await removing
    assert seen is None


async def test_a_tree_read_across_a_workspace_deletion_caches_no_deleted_unit(
    store: SqliteStore,
) -> None:
    """``SqliteOrgRepo.all`` reads the units, then their stops, and caches the result only
    if no write dropped the units meanwhile (``_drops``); since 2106d1e it also fills the
    units by id. A workspace's deletion (``delete_workspace``) drops every cache through
    ``SqliteStore._drop_caches``, which calls ``RowCache.drop`` and not the repository's
    ``_drop``: ``_drops`` does not change, so a tree read that began before the deletion
    caches the deleted units. Expected: ``orgs.get`` of a deleted unit is None. At review:
    the deleted unit (pre-existing for the list; the by-id fill is new)."""
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")

    async def delete() -> None:
        async with store.transaction():
            await store.privacy.delete_workspace(ws.id)

    reading = asyncio.create_task(store.orgs.all(ws.id, include_inactive=True))
    deleting = asyncio.create_task(delete())
    await asyncio.gather(reading, deleting)
    assert await store.db.fetchall("SELECT id FROM org_units") == []
    assert await store.orgs.get(org.id) is None
