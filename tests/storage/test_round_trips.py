"""Fewer round trips, same guarantees: the repositories' caches, the transaction's memo of
reads, BEGIN sent with the first statement, and ``Database.run`` (several statements in one
hop). Every reader still sees committed data or its own transaction's writes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.models import ConversationState, Role, Schedule
from bot.core.periods import PeriodType
from storage.sqlite import SqliteStore, open_store

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


class Boom(Exception):
    pass


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await open_store(tmp_path / "r.db")
    try:
        yield s
    finally:
        await s.close()


def count_statements(store: SqliteStore, where: list[str] | None = None) -> list[str]:
    """Records every call that reaches the connection, in the worker thread or on the
    loop's thread (``where`` then says which: "worker" or "inline")."""
    seen: list[str] = []
    db = store.db
    in_worker, inline = db._in_worker, db._run_inline

    async def spy_worker(fn):
        seen.append(getattr(fn, "__qualname__", "?"))
        if where is not None:
            where.append("worker")
        return await in_worker(fn)

    async def spy_inline(fn, key):
        seen.append(getattr(fn, "__qualname__", "?"))
        if where is not None:
            where.append("inline")
        return await inline(fn, key)

    db._in_worker = spy_worker  # type: ignore[method-assign]
    db._run_inline = spy_inline  # type: ignore[method-assign]
    return seen


async def test_cached_rows_follow_writes_and_rollbacks(store: SqliteStore) -> None:
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    assert await store.orgs.get(org.id) == org
    renamed = await store.orgs.update(replace(org, name="Hội Nông dân tỉnh"))
    assert await store.orgs.get(org.id) == renamed
    assert [o.name for o in await store.orgs.all(ws.id)] == ["Hội Nông dân tỉnh"]

    # A write rolled back leaves no trace in the caches.
    with pytest.raises(Boom):
        async with store.transaction():
            await store.orgs.update(replace(org, name="Tạm"))
            assert (await store.orgs.get(org.id)) == replace(renamed, name="Tạm")  # its own
            raise Boom
    assert await store.orgs.get(org.id) == renamed
    assert [o.name for o in await store.orgs.all(ws.id)] == ["Hội Nông dân tỉnh"]

    # Workspaces, campaigns, chats, members likewise.
    assert (await store.workspaces.rename(ws.id, "Tỉnh Tây Ninh")).name == "Tỉnh Tây Ninh"
    assert (await store.workspaces.get(ws.id)) is not None
    assert (await store.workspaces.get(ws.id)).name == "Tỉnh Tây Ninh"  # type: ignore[union-attr]
    c = await store.campaigns.create(
        ws.id, "Tuần", "t", PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), NOW
    )
    assert await store.campaigns.all(ws.id, active_only=True) == [c]
    paused = await store.campaigns.update(replace(c, active=False))
    assert await store.campaigns.all(ws.id, active_only=True) == []
    assert await store.campaigns.get(c.id) == paused
    assert await store.campaigns.list_active() == []


async def test_a_reader_never_sees_another_tasks_uncommitted_write(store: SqliteStore) -> None:
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    assert await store.orgs.get(org.id) == org  # cached
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        with pytest.raises(Boom):
            async with store.transaction():
                await store.orgs.update(replace(org, name="Chưa lưu"))
                inside.set()
                await release.wait()
                raise Boom

    task = asyncio.create_task(writer())
    await inside.wait()
    # The writer holds the transaction and dropped the entry: the read waits for the lock,
    # then reads the committed row (the write was rolled back).
    reader = asyncio.create_task(store.orgs.get(org.id))
    await asyncio.sleep(0.05)
    assert not reader.done()
    release.set()
    await task
    assert (await reader) == org
    assert await store.orgs.get(org.id) == org


async def test_member_upsert_that_changes_nothing_writes_nothing(store: SqliteStore) -> None:
    ws = await store.workspaces.create("Tỉnh", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    m = await store.members.upsert(ws.id, "telegram", "7", "An", Role.REPORTER, org.id, NOW)
    assert await store.members.for_user("telegram", "7") == [m]
    seen = count_statements(store)
    again = await store.members.upsert(ws.id, "telegram", "7", "An", Role.REPORTER, org.id, NOW)
    assert again == m and seen == []
    renamed = await store.members.upsert(ws.id, "telegram", "7", "Bình", Role.REPORTER, org.id, NOW)
    assert seen and renamed.display_name == "Bình"
    assert await store.members.for_user("telegram", "7") == [renamed]
    assert await store.members.get(ws.id, "telegram", "7") == renamed
    await store.members.remove(m.id)
    assert await store.members.for_user("telegram", "7") == []
    assert await store.members.get(ws.id, "telegram", "7") is None


async def test_conversation_known_absent_is_not_deleted_again(store: SqliteStore) -> None:
    key = ("telegram", "7", "7")
    assert await store.conversations.get(*key) is None
    seen = count_statements(store)
    await store.conversations.clear(*key)
    assert seen == []
    state = ConversationState("telegram", "7", "7", "confirm", {"a": 1}, NOW)
    await store.conversations.put(state)
    assert await store.conversations.get(*key) == state
    await store.conversations.clear(*key)
    assert await store.conversations.get(*key) is None


async def test_transaction_sends_begin_with_its_first_statement(store: SqliteStore) -> None:
    ws = await store.workspaces.create("Tỉnh", NOW)
    where: list[str] = []
    seen = count_statements(store, where)
    async with store.transaction():
        pass
    assert seen == []  # nothing ran: no BEGIN, no COMMIT
    async with store.transaction():
        await store.audit.record(ws.id, "a", "x", "1", NOW)
        await store.audit.record(ws.id, "a", "x", "2", NOW)
    # BEGIN went just before the first statement: two statements, both on the loop's
    # thread (no hop to the worker); the COMMIT too, by the shared commit (storage.db),
    # directly on the connection.
    assert seen == [
        "Database.fetchall.<locals>.statement",
        "Database.fetchall.<locals>.statement",
    ]
    assert where == ["inline"] * 2
    # Outside a transaction, a statement goes to the worker thread.
    await store.audit.all(ws.id)
    assert where[2:] == ["worker"]
    with pytest.raises(Boom):
        async with store.transaction():
            await store.audit.record(ws.id, "a", "x", "3", NOW)
            raise Boom
    assert [e.detail for e in await store.audit.all(ws.id)] == ["2", "1"]


async def test_run_sends_several_statements_in_one_hop_inside_the_transaction(
    store: SqliteStore,
) -> None:
    ws = await store.workspaces.create("Tỉnh", NOW)

    def two(conn: sqlite3.Connection) -> int:
        for detail in ("a", "b"):
            conn.execute(
                "INSERT INTO audit_log (workspace_id, actor, action, detail, at)"
                " VALUES (?, 'x', 'y', ?, '2026-11-23T01:30:00.000000+00:00')",
                (ws.id, detail),
            )
        return 2

    with pytest.raises(Boom):
        async with store.transaction():
            assert await store.db.run(two) == 2
            raise Boom
    assert await store.audit.all(ws.id) == []
    assert await store.db.run(two) == 2
    assert len(await store.audit.all(ws.id)) == 2


async def test_a_repeated_read_in_a_transaction_is_answered_once_until_a_write(
    store: SqliteStore,
) -> None:
    ws = await store.workspaces.create("Tỉnh", NOW)
    seen = count_statements(store)
    sql = "SELECT COUNT(*) FROM audit_log WHERE workspace_id = ?"
    async with store.transaction():
        assert (await store.db.fetchone(sql, (ws.id,)))[0] == 0  # type: ignore[index]
        assert (await store.db.fetchone(sql, (ws.id,)))[0] == 0  # type: ignore[index]
        assert len(seen) == 1
        await store.audit.record(ws.id, "a", "x", "1", NOW)
        assert (await store.db.fetchone(sql, (ws.id,)))[0] == 1  # type: ignore[index]
        assert len(seen) == 3
    assert len(seen) == 3  # (the COMMIT is the shared commit's, directly on the connection)


async def test_warm_caches_answer_a_reporters_first_message_without_reads(
    db_path: Path,
) -> None:
    """After a restart the store reads memberships, units and the dialogs in progress
    at once (``SqliteStore.warm``): a reporter's membership, unit and the absence of a
    dialog are then known without a statement; writes keep them right."""
    store = await open_store(db_path)
    ws = await store.workspaces.create("Tỉnh", NOW)
    a = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    b = await store.orgs.add(ws.id, "hlhpn", "Hội Liên hiệp Phụ nữ")
    ma = await store.members.upsert(ws.id, "telegram", "7", "An", Role.REPORTER, a.id, NOW)
    mb = await store.members.upsert(ws.id, "telegram", "8", "Bình", Role.REPORTER, b.id, NOW)
    busy = ConversationState("telegram", "8", "8", "confirm", {"a": 1}, NOW)
    await store.conversations.put(busy)
    await store.close()

    store = await open_store(db_path)
    try:
        await store.warm()
        seen = count_statements(store)
        assert await store.members.for_user("telegram", "7") == [ma]
        assert await store.members.get(ws.id, "telegram", "8") == mb
        assert await store.orgs.get(a.id) == a
        assert await store.conversations.get("telegram", "7", "7") is None
        assert seen == []
        # The dialog in progress is read, not taken as absent.
        assert await store.conversations.get("telegram", "8", "8") == busy
        assert len(seen) == 1

        # One person's new binding leaves the others cached, and is read again itself.
        seen.clear()
        moved = await store.members.upsert(ws.id, "telegram", "7", "An", Role.ADMIN, b.id, NOW)
        assert seen
        seen.clear()
        assert await store.members.get(ws.id, "telegram", "8") == mb
        assert seen == []
        assert await store.members.for_user("telegram", "7") == [moved]
        await store.members.remove(mb.id)
        assert await store.members.for_user("telegram", "8") == []
        assert await store.members.get(ws.id, "telegram", "8") is None

        # A dialog started and ended after the warm-up is seen, and so is its end.
        started = ConversationState("telegram", "7", "7", "report", {"b": 2}, NOW)
        await store.conversations.put(started)
        assert await store.conversations.get("telegram", "7", "7") == started
        await store.conversations.clear("telegram", "7", "7")
        assert await store.conversations.get("telegram", "7", "7") is None
        await store.conversations.clear("telegram", "8", "8")
        assert await store.conversations.get("telegram", "8", "8") is None

        # A rolled-back dialog leaves no trace, and the cache is read again afterwards.
        with pytest.raises(Boom):
            async with store.transaction():
                await store.conversations.put(started)
                raise Boom
        assert await store.conversations.get("telegram", "7", "7") is None

        # A unit changed by an admin: read again; the next tree read caches them all.
        renamed = await store.orgs.update(replace(a, name="Hội Nông dân tỉnh"))
        assert await store.orgs.get(a.id) == renamed
        await store.orgs.all(ws.id, include_inactive=True)
        seen.clear()
        assert await store.orgs.get(b.id) == b
        assert seen == []
    finally:
        await store.close()
