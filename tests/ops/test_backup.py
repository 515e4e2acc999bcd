"""Backups: the snapshot file, retention, the schedule decided from the files, /saoluu, and
restore with its refusals (damaged, not ours, newer schema, bot running)."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_services
from bot.core.clock import ManualClock
from bot.core.events import Chat, InboundMessage, Sender
from bot.core.models import ChatKind
from bot.ops.lock import AlreadyRunning, instance_lock, is_running
from bot.services.backups import BackupPolicy, BackupService, plan_retention
from storage.backup import (
    RestoreError,
    SqliteBackups,
    backup_file,
    check_restorable,
    inspect,
    restore,
)
from storage.db import load_migrations, open_database
from tests.conftest import Harness

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LATEST = load_migrations()[-1].version
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=TZ)


def _exists(path: Path | str) -> bool:
    return Path(path).exists()


async def _database(path: Path) -> Path:
    async with build_services(path, clock=ManualClock(T0)) as services:
        ws = await services.store.workspaces.create("Nhóm MTT-CTXH tỉnh", T0)
        await services.store.orgs.add(ws.id, "hnd", "Hội Nông dân tỉnh")
    return path


# -- the file --------------------------------------------------------------------------
async def test_backup_is_one_sound_file_readable_only_by_the_bot(tmp_path: Path) -> None:
    source = await _database(tmp_path / "data" / "bot.db")
    target = tmp_path / "backups" / "b.db"
    info = backup_file(source, target)
    assert info.sound and info.ours and info.schema_version == LATEST
    assert not _exists(f"{target}-wal")  # no WAL companion: the file is complete
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT name FROM org_units").fetchall() == [("Hội Nông dân tỉnh",)]
    finally:
        conn.close()
    assert (target.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["b.db"]  # no partial file left


def test_backup_of_a_missing_database_fails_without_creating_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        backup_file(tmp_path / "none.db", tmp_path / "b.db")
    assert not (tmp_path / "none.db").exists()


# -- retention -------------------------------------------------------------------------
def test_retention_keeps_the_newest_of_recent_days_and_weeks() -> None:
    # Four backups a day for 60 days.
    taken = [T0 + timedelta(days=d, hours=h) for d in range(60) for h in (0, 6, 12, 18)]
    keep = plan_retention(taken, keep_daily=7, keep_weekly=4, zone=TZ)
    kept = sorted(taken[i] for i in keep)
    days = sorted({t.date() for t in kept})
    # The last 7 days, each by its newest backup...
    last7 = [t for t in kept if t.date() > taken[-1].date() - timedelta(days=7)]
    assert len(last7) == 7 and all(t.hour == 20 for t in last7)  # 18h ICT = newest
    # ...and the newest of each of the last 4 ISO weeks (some fall on the same days).
    weeks = sorted({t.isocalendar()[:2] for t in kept})
    assert len(weeks) == 4
    assert len(kept) <= 7 + 4 and len(days) == len(kept)
    assert max(taken) in kept


def test_retention_counts_days_that_have_backups_not_calendar_days() -> None:
    # A month offline: the old backups are still the latest days that have one.
    taken = [T0 + timedelta(days=d) for d in range(5)] + [T0 + timedelta(days=40)]
    keep = plan_retention(taken, keep_daily=7, keep_weekly=0, zone=TZ)
    assert keep == set(range(6))


def test_retention_always_keeps_the_newest() -> None:
    assert plan_retention([T0], keep_daily=1, keep_weekly=0, zone=TZ) == {0}


# -- the schedule ----------------------------------------------------------------------
async def test_scheduled_backups_follow_the_files_on_disk(tmp_path: Path) -> None:
    database = await _database(tmp_path / "data" / "bot.db")
    folder = tmp_path / "data" / "backups"
    clock = ManualClock(T0)
    policy = BackupPolicy(every=timedelta(hours=24), keep_daily=3, keep_weekly=0)
    store = SqliteBackups(database, folder, "Asia/Ho_Chi_Minh")
    service = BackupService(store, clock, policy)

    first = await service.maybe_backup(clock.now())
    assert first is not None and first.name == "bot-20261123-020000.db"
    clock.advance(timedelta(hours=23))
    assert await service.maybe_backup(clock.now()) is None
    # A restart: a new service learns the newest backup from the folder, not from memory.
    again = BackupService(store, clock, policy)
    assert await again.maybe_backup(clock.now()) is None
    clock.advance(timedelta(hours=1))
    assert await again.maybe_backup(clock.now()) is not None
    for _ in range(5):
        clock.advance(timedelta(days=1))
        await again.maybe_backup(clock.now())
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "bot-20261127-020000.db",
        "bot-20261128-020000.db",
        "bot-20261129-020000.db",
    ]
    # Files that are not the bot's own are never touched by the retention.
    (folder / "truoc-nang-cap.db").write_bytes(b"x")
    clock.advance(timedelta(days=1))
    await again.maybe_backup(clock.now())
    assert (folder / "truoc-nang-cap.db").exists()


async def test_no_scheduled_backup_when_turned_off(tmp_path: Path) -> None:
    database = await _database(tmp_path / "bot.db")
    store = SqliteBackups(database, tmp_path / "backups", "Asia/Ho_Chi_Minh")
    service = BackupService(store, ManualClock(T0), BackupPolicy(every=None))
    assert await service.maybe_backup(T0) is None
    assert not (tmp_path / "backups").exists()


async def test_two_backups_in_one_second_get_two_names(tmp_path: Path) -> None:
    database = await _database(tmp_path / "bot.db")
    store = SqliteBackups(database, tmp_path / "backups", "Asia/Ho_Chi_Minh")
    a = await store.take(T0)
    b = await store.take(T0)
    assert (a.name, b.name) == ("bot-20261123-020000.db", "bot-20261123-020000-1.db")
    assert [x.name for x in await store.all()] == [a.name, b.name]


# -- /saoluu ---------------------------------------------------------------------------
async def test_owner_gets_a_fresh_compressed_backup_in_private(tayninh: Harness) -> None:
    out = await tayninh.play("1001 @ dm: /saoluu")
    assert "✅ Đã sao lưu cơ sở dữ liệu lúc 07h30 23/11/2026" in out
    assert "Tệp nén gửi kèm" in out and "[tệp: bot-20261123-073000.db.gz" in out
    backups = tayninh.services.backups
    assert backups is not None and backups.last is not None
    path = Path(backups.last.location)
    assert _exists(path) and inspect(path).sound


async def test_saoluu_document_restores(tayninh: Harness, tmp_path: Path) -> None:
    engine = tayninh.services.engine
    event = InboundMessage(
        chat=Chat("telegram", "1001", ChatKind.PRIVATE),
        sender=Sender("telegram", "1001", "An"),
        message_id="b1",
        text="/backup",
        at=T0,
    )
    tayninh.services.owners.add(("telegram", "1001"))
    [reply] = await engine.handle(event)
    assert reply.document is not None and reply.document.file_name.endswith(".db.gz")
    sent = tmp_path / reply.document.file_name
    sent.write_bytes(reply.document.content)
    assert gzip.decompress(sent.read_bytes())[:16] == b"SQLite format 3\x00"
    target = tmp_path / "new-server" / "bot.db"
    restore(sent, target, LATEST, T0)
    db = await open_database(target)
    try:
        names = [r[0] for r in await db.fetchall("SELECT code FROM org_units ORDER BY id")]
    finally:
        await db.close()
    assert names == ["mttq", "tinhdoan", "ldld", "hlhpn", "hnd", "hccb"]


async def test_saoluu_is_refused_in_a_group_and_to_others(tayninh: Harness) -> None:
    out = await tayninh.play("1001 @ g1: /saoluu")
    assert "trong trò chuyện riêng" in out and "tệp:" not in out
    out = await tayninh.play("1002 @ dm: /saoluu")  # a reporter
    assert "Chỉ người vận hành bot" in out and "tệp:" not in out
    out = await tayninh.play("1001 @ g1: /gan tinhdoan quantri 1003\n1003 @ dm: /saoluu")
    assert "Chỉ người vận hành bot" in out  # an admin of the workspace is not an owner
    backups = tayninh.services.backups
    assert backups is not None and backups.last is None


async def test_zalo_owner_is_told_where_the_file_is(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    policy = BackupPolicy(every=None, no_file_channels=frozenset({"zalo"}))
    async with build_services(
        tmp_path / "bot.db", clock=clock, owners={("zalo", "z1")}, backup=policy
    ) as services:
        [reply] = await services.engine.handle(
            InboundMessage(
                chat=Chat("zalo", "z1", ChatKind.PRIVATE),
                sender=Sender("zalo", "z1", "An"),
                message_id="m1",
                text="/saoluu",
                at=T0,
            )
        )
    assert reply.document is None
    assert "không gửi được tệp" in reply.text and str(tmp_path / "backups") in reply.text


async def test_saoluu_failure_is_said_plainly(tmp_path: Path) -> None:
    clock = ManualClock(T0)
    # The backup folder is a file: the backup cannot be written.
    (tmp_path / "backups").write_text("not a folder")
    async with build_services(
        tmp_path / "bot.db", clock=clock, owners={("sandbox", "1")}
    ) as services:
        [reply] = await services.engine.handle(
            InboundMessage(
                chat=Chat("sandbox", "dm:1", ChatKind.PRIVATE),
                sender=Sender("sandbox", "1", "An"),
                message_id="m1",
                text="/saoluu",
                at=T0,
            )
        )
    assert reply.text.startswith("Chưa sao lưu được") and reply.document is None


# -- restore ---------------------------------------------------------------------------
async def test_restore_refuses_a_damaged_file(tmp_path: Path) -> None:
    source = await _database(tmp_path / "data" / "bot.db")
    target = tmp_path / "b.db"
    backup_file(source, target)
    target.chmod(0o600)
    # Damage the page holding the organizations (its b-tree header), not the file header.
    conn = sqlite3.connect(target)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'org_units'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    raw = bytearray(target.read_bytes())
    start = (root - 1) * page
    raw[start : start + 12] = b"\xff" * 12
    target.write_bytes(bytes(raw))
    live = tmp_path / "live.db"
    live.write_bytes(b"keep me")
    with pytest.raises(RestoreError) as caught:
        restore(target, live, LATEST, T0)
    assert caught.value.reason == RestoreError.DAMAGED
    assert live.read_bytes() == b"keep me"  # nothing replaced


def test_restore_refuses_what_is_not_a_database_of_the_bot(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("không phải cơ sở dữ liệu " * 200)
    with pytest.raises(RestoreError) as caught:
        check_restorable(text, LATEST)
    assert caught.value.reason == RestoreError.NOT_A_DATABASE
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(RestoreError) as caught:
        check_restorable(other, LATEST)
    assert caught.value.reason == RestoreError.NOT_OURS
    with pytest.raises(RestoreError) as caught:
        check_restorable(tmp_path / "missing.db", LATEST)
    assert caught.value.reason == RestoreError.NOT_FOUND


async def test_restore_refuses_a_newer_schema(tmp_path: Path) -> None:
    source = await _database(tmp_path / "data" / "bot.db")
    newer = tmp_path / "newer.db"
    backup_file(source, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(RestoreError) as caught:
        restore(newer, tmp_path / "live.db", LATEST, T0)
    assert caught.value.reason == RestoreError.NEWER
    assert not (tmp_path / "live.db").exists()


async def test_restore_keeps_the_replaced_database_and_its_wal(tmp_path: Path) -> None:
    live = await _database(tmp_path / "data" / "bot.db")
    backup = tmp_path / "b.db"
    backup_file(live, backup)
    # The live database moves on, with a write still in its WAL (an unclean stop).
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("UPDATE org_units SET name = 'Hội ND tỉnh (sau sao lưu)'")
    conn.commit()
    assert _exists(f"{live}-wal")
    result = restore(backup, live, LATEST, T0)
    conn.close()
    assert [p.name for p in result.replaced][:2] == [
        "bot.db.truoc-khoi-phuc-20261123-020000",
        "bot.db.truoc-khoi-phuc-20261123-020000-wal",
    ]
    restored = sqlite3.connect(live)
    old = sqlite3.connect(result.replaced[0])
    try:
        assert restored.execute("SELECT name FROM org_units").fetchone()[0] == "Hội Nông dân tỉnh"
        # The replaced file, read with its WAL, still has the change made after the backup.
        assert old.execute("SELECT name FROM org_units").fetchone()[0].endswith("(sau sao lưu)")
    finally:
        restored.close()
        old.close()


async def test_restore_of_an_older_schema_is_brought_up_to_date(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    db = await open_database(old, migrations=load_migrations()[:1])
    await db.execute("INSERT INTO workspaces (name, created_at) VALUES ('Cũ', 'x')")
    await db.close()
    target = tmp_path / "data" / "bot.db"
    restore(old, target, LATEST, T0)
    db = await open_database(target)
    try:
        assert db.schema_version == LATEST
        assert [r[0] for r in await db.fetchall("SELECT name FROM workspaces")] == ["Cũ"]
    finally:
        await db.close()


def test_instance_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    assert not is_running(database)
    with instance_lock(database):
        assert is_running(database)
        with pytest.raises(AlreadyRunning), instance_lock(database):
            pass
    assert not is_running(database)
    assert _exists(f"{database}.lock")
