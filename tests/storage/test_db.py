"""Connection set-up, migrations, transactions and concurrency, on real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.models import ConversationState, CycleStep, Role, Schedule
from bot.core.periods import Period, PeriodType
from bot.services.ports import NotFoundError, Store
from storage.db import (
    Migration,
    MigrationError,
    SchemaVersionError,
    load_migrations,
    open_database,
    split_statements,
)
from storage.sqlite import SqliteStore, open_store

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
WEEK = Period.week(2026, 48)

EXPECTED_TABLES = {
    "workspaces",
    "org_units",
    "members",
    "invites",
    "chat_bindings",
    "templates",
    "campaigns",
    "cycle_steps",
    "submissions",
    "submission_versions",
    "audit_log",
    "outbox",
    "outbox_attachments",
    "workspace_settings",
    "channel_usage",
    "conversations",
    "inbound_log",
    "campaign_skips",
    "exemptions",
    "reopenings",
    "period_totals",
    "directives",
    "directive_orgs",
    "directive_acks",
    "directive_answers",
    "directive_steps",
    "indicator_values",
    "emulation_entries",
    "emulation_picks",
    "org_unit_stops",
}


def _as_store(store: SqliteStore) -> Store:
    """Static check (mypy): SqliteStore satisfies the Store port."""
    return store


async def _pragma(store: SqliteStore, name: str) -> object:
    row = await store.db.fetchone(f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def _count(store: SqliteStore, table: str) -> int:
    assert table in EXPECTED_TABLES
    row = await store.db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


# -- set-up and migrations -------------------------------------------------------------
async def test_fresh_file_gets_schema_and_pragmas(db_path: Path) -> None:
    assert not await asyncio.to_thread(db_path.parent.exists)
    store = _as_store(await open_store(db_path))
    assert isinstance(store, SqliteStore)
    try:
        assert await asyncio.to_thread(db_path.exists)
        tables = {
            r[0]
            for r in await store.db.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert tables == EXPECTED_TABLES
        latest = load_migrations()[-1].version
        assert await _pragma(store, "user_version") == latest
        assert store.db.schema_version == latest
        assert await _pragma(store, "journal_mode") == "wal"
        assert await _pragma(store, "foreign_keys") == 1
        assert await _pragma(store, "synchronous") == 1  # NORMAL (WalSync makes commits durable)
        assert await _pragma(store, "busy_timeout") == 5000
    finally:
        await store.close()


async def test_reopen_is_idempotent_and_data_persists(db_path: Path) -> None:
    store = await open_store(db_path)
    ws = await store.workspaces.create("MTTQ phường Bến Nghé", NOW)
    org = await store.orgs.add(ws.id, "HCCB", "Hội Cựu chiến binh")
    await store.close()

    store = await open_store(db_path)
    try:
        assert await _pragma(store, "user_version") == load_migrations()[-1].version
        assert await store.workspaces.all() == [ws]
        assert await store.orgs.get(org.id) == org
    finally:
        await store.close()


async def test_newer_schema_version_is_refused(db_path: Path) -> None:
    store = await open_store(db_path)
    await store.db.execute("PRAGMA user_version = 999")
    await store.close()

    with pytest.raises(SchemaVersionError, match="999"):
        await open_store(db_path)


async def test_migrations_each_in_a_transaction(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    first = Migration(1, "one", "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);")
    db = await open_database(path, migrations=[first])
    assert db.schema_version == 1
    await db.close()

    # A failing second migration leaves nothing behind: no table b, version still 1.
    broken = Migration(2, "two", "CREATE TABLE b (y INTEGER);\nINSERT INTO nowhere VALUES (1);")
    with pytest.raises(MigrationError, match="0002_two"):
        await open_database(path, migrations=[first, broken])
    db = await open_database(path, migrations=[first])
    names = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
    assert "b" not in names
    row = await db.fetchone("PRAGMA user_version")
    assert row is not None and row[0] == 1
    await db.close()

    # A good second migration applies on reopen; the first is not re-run (no duplicate row).
    good = Migration(2, "two", "CREATE TABLE b (y INTEGER);\nINSERT INTO b SELECT x FROM a;")
    db = await open_database(path, migrations=[first, good])
    assert db.schema_version == 2
    assert [tuple(r) for r in await db.fetchall("SELECT x FROM a")] == [(1,)]
    assert [tuple(r) for r in await db.fetchall("SELECT y FROM b")] == [(1,)]
    await db.close()


async def test_migration_leaving_foreign_key_violations_is_rejected(tmp_path: Path) -> None:
    bad = Migration(
        1,
        "fk",
        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
        "CREATE TABLE c (p_id INTEGER REFERENCES p (id));"
        "INSERT INTO c VALUES (42);",
    )
    with pytest.raises(MigrationError, match="foreign key"):
        await open_database(tmp_path / "fk.db", migrations=[bad])


def test_packaged_migrations_are_numbered_from_one() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "init"


def test_split_statements_keeps_semicolons_in_literals_and_comments() -> None:
    script = (
        "-- comment; with a semicolon\n"
        "CREATE TABLE t (a TEXT DEFAULT ';');\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 'x;y'; END;\n"
        "-- trailing comment\n"
    )
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[0].endswith("DEFAULT ';');")
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(MigrationError):
        split_statements("CREATE TABLE t (a TEXT")


async def test_foreign_keys_are_enforced(store: SqliteStore) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.db.execute(
            "INSERT INTO org_units (workspace_id, code, code_key, name) VALUES (?, ?, ?, ?)",
            (12345, "X", "x", "X"),
        )
    with pytest.raises(NotFoundError):
        await store.orgs.add(12345, "X", "X")
    # A parent or member organization must be in the same workspace.
    ws1 = await store.workspaces.create("A", NOW)
    ws2 = await store.workspaces.create("B", NOW)
    org_in_2 = await store.orgs.add(ws2.id, "O", "O")
    with pytest.raises(NotFoundError):
        await store.orgs.add(ws1.id, "CHILD", "Child", parent_id=org_in_2.id)
    with pytest.raises(NotFoundError):
        await store.members.upsert(ws1.id, "telegram", "1", "An", Role.REPORTER, org_in_2.id, NOW)
    assert await store.orgs.all(ws1.id) == []
    assert await store.members.all(ws1.id) == []


async def test_close_is_idempotent(db_path: Path) -> None:
    store = await open_store(db_path)
    await store.close()
    await store.close()
    assert store.db.closed


# -- transactions ----------------------------------------------------------------------
class Boom(Exception):
    pass


async def _seed(store: SqliteStore) -> tuple[int, int, int]:
    ws = await store.workspaces.create("W", NOW)
    org = await store.orgs.add(ws.id, "O1", "Org 1")
    campaign = await store.campaigns.create(
        ws.id, "Tuần", "weekly", PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), NOW
    )
    return ws.id, org.id, campaign.id


async def test_exception_rolls_back_every_write(store: SqliteStore) -> None:
    ws_id, org_id, campaign_id = await _seed(store)
    with pytest.raises(Boom):
        async with store.transaction():
            assert await store.cycle.mark(campaign_id, WEEK, CycleStep.OPEN, 0, NOW)
            assert await store.outbox.enqueue("telegram", "-100", "Mở kỳ", "open:1", NOW)
            await store.submissions.add_version(
                campaign_id, WEEK, org_id, "telegram", "7", "m1", "x", {"a": 1}, NOW, False
            )
            await store.audit.record(ws_id, "admin", "open", "", NOW)
            await store.orgs.add(ws_id, "O2", "Org 2")
            # Visible to the writer inside its own transaction:
            assert len(await store.outbox.pending()) == 1
            raise Boom
    assert await store.cycle.done(campaign_id, WEEK) == []
    assert await store.outbox.pending() == []
    assert await store.submissions.current(campaign_id, WEEK) == []
    assert await store.audit.all(ws_id) == []
    assert [o.code for o in await store.orgs.all(ws_id)] == ["O1"]
    # The step can be marked (and the message enqueued) again since nothing was kept.
    assert await store.cycle.mark(campaign_id, WEEK, CycleStep.OPEN, 0, NOW)
    assert await store.outbox.enqueue("telegram", "-100", "Mở kỳ", "open:1", NOW)


async def test_commit_keeps_every_write(store: SqliteStore) -> None:
    _, _, campaign_id = await _seed(store)
    async with store.transaction():
        await store.cycle.mark(campaign_id, WEEK, CycleStep.OPEN, 0, NOW)
        await store.outbox.enqueue("telegram", "-100", "Mở kỳ", "open:1", NOW)
    assert len(await store.cycle.done(campaign_id, WEEK)) == 1
    assert len(await store.outbox.pending()) == 1
    assert not store.db.owns_transaction()


async def test_nested_transactions_join_the_outer_one(store: SqliteStore) -> None:
    _, org_id, campaign_id = await _seed(store)
    with pytest.raises(Boom):
        async with store.transaction():
            async with store.transaction():
                await store.outbox.enqueue("telegram", "1", "a", "k1", NOW)
                assert store.db.owns_transaction()
            # The inner block ended without committing anything on its own...
            assert store.db.owns_transaction()
            # ...and a repository method with its own transaction joins too.
            await store.submissions.add_version(
                campaign_id, WEEK, org_id, "telegram", "7", "m1", "x", {}, NOW, False
            )
            raise Boom
    assert await store.outbox.pending() == []
    assert await store.submissions.current(campaign_id, WEEK) == []

    async with store.transaction(), store.transaction():  # nested, spelled compactly
        await store.outbox.enqueue("telegram", "1", "a", "k1", NOW)
    assert [i.dedupe_key for i in await store.outbox.pending()] == ["k1"]


async def test_two_writer_tasks_both_succeed(store: SqliteStore) -> None:
    async def writer(prefix: str) -> None:
        for i in range(25):
            async with store.transaction():
                await store.outbox.enqueue("telegram", prefix, f"{prefix}{i}", f"{prefix}:{i}", NOW)
                await asyncio.sleep(0)  # let the other task try to interleave
                await store.inbound.first_time("telegram", f"{prefix}:{i}", NOW)

    await asyncio.gather(writer("a"), writer("b"), *(writer(f"c{n}") for n in range(3)))
    assert await _count(store, "outbox") == 125
    assert await _count(store, "inbound_log") == 125


async def test_concurrent_read_modify_write_is_serializable(store: SqliteStore) -> None:
    key = ("telegram", "chat", "counter")
    await store.conversations.put(ConversationState(*key, "counter", {"n": 0}, NOW))

    async def increment() -> None:
        async with store.transaction():
            state = await store.conversations.get(*key)
            assert state is not None
            n = state.data["n"]
            assert isinstance(n, int)
            await asyncio.sleep(0)  # a lost update would happen here without isolation
            await store.conversations.put(ConversationState(*key, "counter", {"n": n + 1}, NOW))

    await asyncio.gather(*(increment() for _ in range(40)))
    final = await store.conversations.get(*key)
    assert final is not None and final.data == {"n": 40}


@pytest.mark.parametrize("commit", [True, False])
async def test_reader_in_another_task_never_sees_uncommitted_writes(
    store: SqliteStore, commit: bool
) -> None:
    written = asyncio.Event()
    finish = asyncio.Event()

    async def writer() -> None:
        async with store.transaction():
            await store.workspaces.create("uncommitted", NOW)
            await store.outbox.enqueue("telegram", "1", "x", "k", NOW)
            written.set()
            await finish.wait()
            if not commit:
                raise Boom

    writer_task = asyncio.create_task(writer())
    await written.wait()
    # This task (the test) does not own the transaction: its reads wait for it to end.
    reader = asyncio.create_task(store.workspaces.all())
    outbox_reader = asyncio.create_task(store.outbox.pending())
    try:
        done, _ = await asyncio.wait({reader, outbox_reader}, timeout=0.1)
        assert done == set(), "a read ran inside another task's open transaction"
    finally:
        finish.set()  # never leave the writer (and its lock) hanging on failure
    if commit:
        await writer_task
        assert [w.name for w in await reader] == ["uncommitted"]
        assert len(await outbox_reader) == 1
    else:
        with pytest.raises(Boom):
            await writer_task
        assert await reader == []
        assert await outbox_reader == []


async def test_cancelled_transaction_rolls_back_and_releases(store: SqliteStore) -> None:
    started = asyncio.Event()

    async def stuck() -> None:
        async with store.transaction():
            await store.outbox.enqueue("telegram", "1", "x", "cancelled", NOW)
            started.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await store.outbox.pending() == []
    async with store.transaction():
        assert await store.outbox.enqueue("telegram", "1", "x", "cancelled", NOW)
    assert len(await store.outbox.pending()) == 1


async def test_child_task_of_a_finished_transaction_does_not_own_it(store: SqliteStore) -> None:
    leaked: list[asyncio.Task[None]] = []
    release = asyncio.Event()

    async def later() -> None:
        await release.wait()
        assert not store.db.owns_transaction()
        await store.outbox.enqueue("telegram", "1", "x", "later", NOW)

    async with store.transaction():
        leaked.append(asyncio.create_task(later()))
    release.set()
    await leaked[0]
    assert [i.dedupe_key for i in await store.outbox.pending()] == ["later"]


async def test_values_survive_reopen(db_path: Path) -> None:
    store = await open_store(db_path)
    _, org_id, campaign_id = await _seed(store)
    await store.submissions.add_version(
        campaign_id,
        WEEK,
        org_id,
        "telegram",
        "7",
        "m1",
        "x",
        {"ty_le": Decimal("45.50"), "co": True, "so": 1},
        NOW,
        False,
    )
    await store.close()
    store = await open_store(db_path)
    try:
        (current,) = await store.submissions.current(campaign_id, WEEK)
        assert str(current.values["ty_le"]) == "45.50"
        assert current.values["co"] is True
        assert type(current.values["so"]) is int
    finally:
        await store.close()
