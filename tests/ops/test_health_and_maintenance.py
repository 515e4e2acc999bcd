"""The operations runtime: /healthz (figures, status codes, over HTTP), the watched tick,
scheduled backups after ticks, and the retention of raw messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot.app import Services, build_services
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.ops.runtime import Ops, backup_policy
from storage.maintenance import clear_raw_text, outbox_backlog
from tests.conftest import Harness
from tests.fakes.telegram_api import free_port

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)


def settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {"BOT_DATA_DIR": str(tmp_path / "data"), "BOT_TICK_SECONDS": 60}
    return Settings(_env_file=None, **(base | values))


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    s = settings(tmp_path)
    async with build_services(
        s.database, clock=ManualClock(T0), backup=backup_policy(s), backup_dir=s.backup_dir
    ) as built:
        yield built


async def test_health_report_follows_the_database_and_the_ticks(
    tmp_path: Path, services: Services
) -> None:
    clock = services.clock
    assert isinstance(clock, ManualClock)
    ops = Ops(settings(tmp_path), services.store, clock, services.backups, channels=["telegram"])
    healthy, body = await ops.report()
    assert not healthy and body["status"] == "starting" and body["database"] is True
    assert body["last_tick"] is None and body["outbox_backlog"] == 0

    await services.store.outbox.enqueue("telegram", "1", "Nhắc việc", "k1", T0)
    ticks: list[datetime] = []

    async def tick() -> None:
        ticks.append(clock.now())

    await ops.watch(tick)()
    healthy, body = await ops.report()
    assert healthy and body["status"] == "ok"
    assert body["outbox_backlog"] == 1 and body["channels"] == ["telegram"]
    assert body["last_tick"] == "2026-11-23T08:00:00+07:00" and body["last_tick_age_seconds"] == 0
    # The first watched tick took the day's backup.
    assert body["last_backup"] == "2026-11-23T08:00:00+07:00"

    clock.advance(timedelta(minutes=5))  # three intervals and a minute have passed
    healthy, body = await ops.report()
    assert not healthy and body["status"] == "degraded" and body["last_tick_age_seconds"] == 300

    async def failing() -> None:
        raise RuntimeError("tick failed")

    with pytest.raises(RuntimeError):
        await ops.watch(failing)()
    assert (await ops.report())[1]["last_tick_age_seconds"] == 300  # only successes count

    await services.store.close()
    healthy, body = await ops.report()
    assert not healthy and body["database"] is False and body["outbox_backlog"] is None


async def test_healthz_over_http(tmp_path: Path, services: Services) -> None:
    clock = services.clock
    assert isinstance(clock, ManualClock)
    port = free_port()
    ops = Ops(settings(tmp_path), services.store, clock, services.backups, health_port=port)
    await ops.start()
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            starting = await http.get(f"http://127.0.0.1:{port}/healthz")
            assert starting.status_code == 503 and starting.json()["status"] == "starting"

            async def tick() -> None:
                return None

            await ops.watch(tick)()
            ok = await http.get(f"http://127.0.0.1:{port}/healthz")
            assert ok.status_code == 200
            assert ok.headers["content-type"].startswith("application/json")
            assert ok.json()["database"] is True
            assert (await http.get(f"http://127.0.0.1:{port}/other")).status_code == 404
    finally:
        await ops.stop()


async def test_a_busy_health_port_does_not_stop_the_bot(tmp_path: Path, services: Services) -> None:
    port = free_port()
    first = Ops(settings(tmp_path), services.store, services.clock, None, health_port=port)
    second = Ops(settings(tmp_path), services.store, services.clock, None, health_port=port)
    await first.start()
    try:
        await second.start()  # logs an error, carries on without the endpoint
        assert second.health is None
    finally:
        await first.stop()
        await second.stop()


def test_health_port_defaults() -> None:
    assert settings(Path("x")).health_port_effective == 0  # no token: nothing to watch
    polling = settings(Path("x"), TELEGRAM_BOT_TOKEN="1:a")
    assert polling.health_port_effective == 0
    webhook = settings(
        Path("x"),
        TELEGRAM_BOT_TOKEN="1:a",
        TELEGRAM_WEBHOOK_URL="https://bot.example.vn/telegram",
        TELEGRAM_WEBHOOK_SECRET="s",
    )
    assert webhook.health_port_effective == 8440
    assert settings(Path("x"), BOT_HEALTH_PORT=9000).health_port_effective == 9000
    off = settings(
        Path("x"),
        TELEGRAM_BOT_TOKEN="1:a",
        TELEGRAM_WEBHOOK_URL="https://bot.example.vn/telegram",
        BOT_HEALTH_PORT=0,
    )
    assert off.health_port_effective == 0


async def test_a_failing_backup_does_not_break_the_tick(tmp_path: Path) -> None:
    s = settings(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "backups").write_text("a file where the folder should be")
    async with build_services(
        s.database, clock=ManualClock(T0), backup=backup_policy(s), backup_dir=s.backup_dir
    ) as built:
        ops = Ops(s, built.store, built.clock, built.backups)
        ran: list[bool] = []

        async def tick() -> None:
            ran.append(True)

        await ops.watch(tick)()  # the backup fails and is logged
        assert ran == [True] and ops.last_tick == T0


# -- raw messages ----------------------------------------------------------------------
REPORT = "1. Số buổi tuyên truyền, vận động: 12\n  2. Số lượt người được tuyên truyền: 340"


async def test_raw_text_is_kept_by_default_and_cleared_after_the_set_days(
    tayninh: Harness, tmp_path: Path
) -> None:
    await tayninh.play(f"@clock 2026-11-24 09:00\n1002 @ dm: {REPORT}")
    store = tayninh.store
    versions = await store.db.fetchall("SELECT raw_text, values_json FROM submission_versions")
    assert versions and versions[0]["raw_text"].startswith("1. Số buổi")
    clock = tayninh.clock

    # Default (BOT_RAW_TEXT_DAYS=0): kept whatever its age.
    keep = Ops(settings(tmp_path), store, clock, None)
    clock.set(datetime(2027, 11, 24, 9, 0, tzinfo=TZ))
    await keep.maintain(clock.now())
    assert (await store.db.fetchall("SELECT raw_text FROM submission_versions"))[0][0] != ""

    # 30 days: a report of 29 days ago keeps its text, one of 31 days ago loses it.
    ops = Ops(settings(tmp_path, BOT_RAW_TEXT_DAYS=30), store, clock, None)
    clock.set(datetime(2026, 12, 23, 8, 0, tzinfo=TZ))
    await ops.maintain(clock.now())
    assert (await store.db.fetchall("SELECT raw_text FROM submission_versions"))[0][0] != ""
    clock.set(datetime(2026, 12, 25, 10, 0, tzinfo=TZ))
    await ops.maintain(clock.now())
    rows = await store.db.fetchall("SELECT raw_text, values_json FROM submission_versions")
    assert rows[0]["raw_text"] == "" and rows[0]["values_json"] == versions[0]["values_json"]

    # The report itself is intact: values, who sent it, when.
    out = await tayninh.play("1002 @ dm: /xem tuần 48")
    assert "12" in out and "340" in out


async def test_clear_raw_text_touches_only_older_versions(services: Services) -> None:
    db = services.store.db
    await db.execute("PRAGMA foreign_keys = OFF")
    for n, day in enumerate((1, 10, 20)):
        when = datetime(2026, 11, day, tzinfo=TZ).astimezone(ZoneInfo("UTC"))
        await db.execute(
            "INSERT INTO submission_versions (submission_id, version, channel, user_id,"
            " message_id, raw_text, values_json, submitted_at, late)"
            " VALUES (1, ?, 'telegram', 'u', 'm', 'văn bản', '{}', ?, 0)",
            (n + 1, when.isoformat(timespec="microseconds")),
        )
    cleared = await clear_raw_text(db, datetime(2026, 11, 15, tzinfo=TZ))
    assert cleared == 2
    rows = [r[0] for r in await db.fetchall("SELECT raw_text FROM submission_versions ORDER BY id")]
    assert rows == ["", "", "văn bản"]
    assert await clear_raw_text(db, datetime(2026, 11, 15, tzinfo=TZ)) == 0
    assert await outbox_backlog(db) == 0
