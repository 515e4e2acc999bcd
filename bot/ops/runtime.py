"""What runs beside the channels in a serving process: the watched tick, scheduled backups,
the retention of raw messages and the health endpoint.

``Ops.watch(tick)`` wraps the cycle tick the scheduler calls: it notes when a tick last
succeeded (for ``/healthz``) and then runs the housekeeping, each part guarded so a failed
backup never stops the cycle:

* a backup when the newest is older than ``BOT_BACKUP_EVERY_HOURS``
  (``bot.services.backups``);
* when ``BOT_RAW_TEXT_DAYS`` > 0, at most once an hour, the raw text of report versions
  older than that many days is emptied (``storage.maintenance.clear_raw_text``).

Both run after the tick, outside its lock, inside the scheduler's one job (never two at
once).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.clock import Clock
from bot.ops.health import HealthServer
from bot.services.backups import BackupPolicy, BackupService
from storage.maintenance import clear_raw_text, outbox_backlog, ping
from storage.sqlite import SqliteStore

log = logging.getLogger(__name__)

RETENTION_EVERY = timedelta(hours=1)
Tick = Callable[[], Awaitable[None]]


def backup_policy(
    settings: Settings, no_file_channels: AbstractSet[str] = frozenset()
) -> BackupPolicy:
    hours = settings.backup_every_hours
    return BackupPolicy(
        every=timedelta(hours=hours) if hours > 0 else None,
        keep_daily=settings.backup_keep_daily,
        keep_weekly=settings.backup_keep_weekly,
        timezone=settings.timezone,
        no_file_channels=frozenset(no_file_channels),
    )


class Ops:
    def __init__(
        self,
        settings: Settings,
        store: SqliteStore,
        clock: Clock,
        backups: BackupService | None,
        *,
        channels: Sequence[str] = (),
        health_port: int | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.backups = backups
        self.channels = tuple(channels)
        self.last_tick: datetime | None = None
        self._last_retention: datetime | None = None
        port = settings.health_port_effective if health_port is None else health_port
        self.health: HealthServer | None = (
            HealthServer(self.report, listen=settings.health_listen, port=port) if port else None
        )

    def watch(self, tick: Tick) -> Tick:
        async def watched() -> None:
            try:
                await tick()
                self.last_tick = self.clock.now()
            finally:
                await self.maintain(self.clock.now())

        return watched

    async def maintain(self, now: datetime) -> None:
        if self.backups is not None:
            try:
                await self.backups.maybe_backup(now)
            except Exception:
                log.exception("scheduled backup failed; the next tick tries again")
        days = self.settings.raw_text_days
        if days > 0 and (
            self._last_retention is None or now - self._last_retention >= RETENTION_EVERY
        ):
            try:
                cleared = await clear_raw_text(self.store.db, now - timedelta(days=days))
                self._last_retention = now
                if cleared:
                    log.info(
                        "raw text of %d report versions older than %d days cleared", cleared, days
                    )
            except Exception:
                log.exception("raw text retention failed")

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, body) for ``/healthz``; see ``bot.ops.health``."""
        now = self.clock.now()
        zone = ZoneInfo(self.settings.timezone)
        database = await ping(self.store.db)
        backlog: int | None = None
        if database:
            try:
                backlog = await outbox_backlog(self.store.db)
            except Exception:
                database = False
        stale_after = timedelta(seconds=3 * self.settings.tick_seconds + 60)
        age = None if self.last_tick is None else (now - self.last_tick).total_seconds()
        ticking = self.last_tick is not None and now - self.last_tick <= stale_after
        backup = self.backups.last if self.backups is not None else None
        healthy = database and ticking
        body: dict[str, Any] = {
            "status": "ok" if healthy else ("starting" if self.last_tick is None else "degraded"),
            "database": database,
            "outbox_backlog": backlog,
            "last_tick": _local(self.last_tick, zone),
            "last_tick_age_seconds": None if age is None else round(age),
            "last_backup": _local(backup.taken_at if backup else None, zone),
            "channels": list(self.channels),
        }
        return healthy, body

    async def start(self) -> None:
        if self.health is None:
            return
        try:
            await self.health.start()
        except OSError as exc:
            # The endpoint helps watch the bot; it must not keep the bot from serving.
            log.error(
                "health endpoint could not listen on %s:%s (%s); the bot runs without it",
                self.settings.health_listen,
                self.health.port,
                exc,
            )
            self.health = None

    async def stop(self) -> None:
        if self.health is not None:
            await self.health.stop()


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None
