"""Migration 0002: calendar rules and paced delivery columns, on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.core.models import Schedule
from bot.core.periods import Period, PeriodType
from storage.db import load_migrations, open_database
from storage.sqlite import SqliteStore, open_store
from tests.storage.conftest import NOW

W48 = Period.from_key("2026-W48")


async def _campaign(store: SqliteStore) -> tuple[int, int]:
    ws = await store.workspaces.create("Nhóm", NOW)
    org = await store.orgs.add(ws.id, "hnd", "Hội Nông dân tỉnh")
    c = await store.campaigns.create(
        ws.id, "Tuần", "t", PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), NOW
    )
    return c.id, org.id


async def test_skips_exemptions_reopenings(store: SqliteStore) -> None:
    cid, org = await _campaign(store)
    cal = store.calendar
    assert await cal.skip(cid, W48, "Tết", NOW)
    assert not await cal.skip(cid, W48, "Tết", NOW)
    assert await cal.is_skipped(cid, W48)
    assert await cal.skipped(cid) == [(W48, "Tết")]
    assert await cal.unskip(cid, W48) and not await cal.is_skipped(cid, W48)
    assert await cal.exempt(cid, W48, org, "nghỉ phép", NOW)
    assert await cal.exempt_orgs(cid, W48) == frozenset({org})
    assert await cal.exempt_orgs(cid, W48.next()) == frozenset()
    assert await cal.unexempt(cid, W48, org)
    assert await cal.reopened_until(cid, W48, org) is None
    await cal.reopen(cid, W48, org, NOW + timedelta(days=3), NOW)
    await cal.reopen(cid, W48, org, NOW + timedelta(days=5), NOW)
    assert await cal.reopened_until(cid, W48, org) == NOW + timedelta(days=5)


async def test_paused_and_schedule_policy_round_trip(store: SqliteStore) -> None:
    cid, _ = await _campaign(store)
    c = await store.campaigns.get(cid)
    assert c is not None and not c.paused
    assert c.schedule.quiet_start == timedelta(hours=21, minutes=30)
    from dataclasses import replace

    s = replace(
        c.schedule, quiet_start=None, quiet_end=None, mention_missing=False, allow_early=True
    )
    c2 = await store.campaigns.update(replace(c, paused=True, schedule=s))
    again = await store.campaigns.get(cid)
    assert again == c2 and again.paused and again.schedule == s


async def test_outbox_not_before_retry_and_failures(store: SqliteStore) -> None:
    out = store.outbox
    later = NOW + timedelta(hours=8)
    assert await out.enqueue("telegram", "g1", "a", "k1", NOW, group=True)
    assert await out.enqueue("telegram", "5", "b", "k2", NOW, not_before=later)
    due = await out.pending("telegram", now=NOW)
    assert [i.dedupe_key for i in due] == ["k1"] and due[0].is_group
    assert [i.dedupe_key for i in await out.pending("telegram", now=later)] == ["k1", "k2"]
    first = due[0]
    await out.mark_failed(
        first.id, "429", NOW, permanent=False, retry_at=NOW + timedelta(seconds=30)
    )
    assert [i.dedupe_key for i in await out.pending(now=NOW)] == []
    await out.mark_failed(first.id, "403 blocked", NOW, permanent=True)
    failures = await out.failures()
    assert [f.dedupe_key for f in failures] == ["k1"] and failures[0].failed_permanently
    assert await out.failures(chat_ids=["nobody"]) == []


async def test_upgrade_from_version_1_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first = load_migrations()[:1]
    db = await open_database(path, migrations=first)
    await db.execute(
        "INSERT INTO workspaces (name, created_at) VALUES (?, ?)",
        ("Cũ", "2026-01-01T00:00:00.000000+00:00"),
    )
    await db.close()
    store = await open_store(path)
    try:
        assert [w.name for w in await store.workspaces.all()] == ["Cũ"]
        assert store.db.schema_version == len(load_migrations())
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        cols = {r[1] for r in conn.execute("PRAGMA table_info(outbox)")}
    assert {"not_before", "is_group"} <= cols
