"""Backups of the database: when to take one, which to keep, and the owner's ``/saoluu``.

The files themselves are the storage's business (``storage.backup.SqliteBackups`` takes
them with SQLite's online backup API); this module decides:

* **When** (``maybe_backup``, called after each cycle tick): when the newest backup in the
  folder is older than ``every`` (``BOT_BACKUP_EVERY_HOURS``, default 24). Decided from the
  files on disk, not from a timer, like the cycle: a restart, a late tick or a week offline
  changes nothing but the moment of the next backup (taken at once after a long stop).
* **Which to keep** (``plan_retention``): the newest backup of each of the ``keep_daily``
  most recent days that have one, and the newest of each of the ``keep_weekly`` most recent
  ISO weeks that have one (days and weeks in the bot's time zone). Counting days *that have
  a backup*, rather than calendar days back from today, means a bot switched off for a month
  does not delete its old backups on the first day back.
* ``/saoluu`` (owner only, private chat only): a fresh backup, sent as a compressed file
  where the channel takes files (not Zalo), with the retention applied afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.core import messages_ops as msg
from bot.core.clock import Clock
from bot.core.events import InboundMessage, OutboundMessage, OutDocument

if TYPE_CHECKING:
    from bot.services.dialog import Ctx

log = logging.getLogger(__name__)

# Telegram bots may send documents up to 50 MB; keep a margin.
SEND_LIMIT = 45_000_000


@dataclass(frozen=True, slots=True)
class BackupFile:
    name: str  # file name, e.g. bot-20261127-020000.db
    location: str  # full path on the server
    taken_at: datetime
    size: int


class BackupStore(Protocol):
    async def take(self, now: datetime) -> BackupFile: ...

    async def all(self) -> list[BackupFile]:
        """Oldest first."""
        ...

    async def delete(self, backup: BackupFile) -> None: ...

    async def packed(self, backup: BackupFile) -> tuple[str, bytes]:
        """(file name, compressed content) for sending."""
        ...


def plan_retention(
    taken: Sequence[datetime], keep_daily: int, keep_weekly: int, zone: ZoneInfo
) -> set[int]:
    """Indexes (into ``taken``, oldest first) of the backups to keep; the newest is always
    kept. Of two backups taken at the same moment the later in the list is the newer."""
    order = sorted(range(len(taken)), key=lambda i: (taken[i], i), reverse=True)
    keep: set[int] = set(order[:1])
    days: set[object] = set()
    weeks: set[object] = set()
    for i in order:
        local = taken[i].astimezone(zone)
        day = local.date()
        if day not in days:
            days.add(day)
            if len(days) <= keep_daily:
                keep.add(i)
        week = local.isocalendar()[:2]
        if week not in weeks:
            weeks.add(week)
            if len(weeks) <= keep_weekly:
                keep.add(i)
    return keep


@dataclass(frozen=True, slots=True)
class BackupPolicy:
    every: timedelta | None = timedelta(hours=24)  # None: no scheduled backups
    keep_daily: int = 7
    keep_weekly: int = 8
    timezone: str = "Asia/Ho_Chi_Minh"
    # Channels that cannot send a file (Zalo): /saoluu answers with the path only.
    no_file_channels: AbstractSet[str] = frozenset()


class BackupService:
    def __init__(self, store: BackupStore, clock: Clock, policy: BackupPolicy) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy
        self._zone = ZoneInfo(policy.timezone)
        self.last: BackupFile | None = None  # the newest known, for the health endpoint
        self._listed = False

    async def newest(self) -> BackupFile | None:
        if not self._listed:
            found = await self._store.all()
            self.last = found[-1] if found else None
            self._listed = True
        return self.last

    async def maybe_backup(self, now: datetime) -> BackupFile | None:
        """A scheduled backup when the newest one is old enough (see the module docstring)."""
        every = self.policy.every
        if every is None:
            return None
        newest = await self.newest()
        if newest is not None and now - newest.taken_at < every:
            return None
        return await self.backup_now(now)

    async def backup_now(self, now: datetime) -> BackupFile:
        taken = await self._store.take(now)
        self.last = taken
        log.info("database backed up to %s (%d bytes)", taken.location, taken.size)
        await self.prune()
        return taken

    async def before_deletion(self, now: datetime) -> str:
        """A backup taken just before an irreversible deletion (``/xoakhonggian``); its
        file name. Kept like any other backup, then pruned by the retention."""
        taken = await self.backup_now(now)
        log.warning("backup %s taken before a deletion", taken.location)
        return taken.name

    async def prune(self) -> list[BackupFile]:
        """Applies the retention; returns the backups deleted."""
        found = await self._store.all()
        keep = plan_retention(
            [b.taken_at for b in found], self.policy.keep_daily, self.policy.keep_weekly, self._zone
        )
        gone = [b for i, b in enumerate(found) if i not in keep]
        for backup in gone:
            await self._store.delete(backup)
            log.info("old backup %s removed (retention)", backup.name)
        return gone

    # -- /saoluu ---------------------------------------------------------------------------
    async def command(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        if ctx.chat.is_group:
            return ctx.reply(msg.BACKUP_PRIVATE_ONLY)
        try:
            taken = await self.backup_now(self._clock.now())
            kept = len(await self._store.all())
        except Exception:
            log.exception("backup requested by %s failed", ctx.actor)
            return ctx.reply(msg.BACKUP_FAILED)
        folder = str(Path(taken.location).parent)
        log.info("backup %s sent to %s:%s", taken.name, ctx.chat.channel, ctx.sender.user_id)
        local = taken.taken_at.astimezone(self._zone)
        attach = ctx.chat.channel not in self.policy.no_file_channels
        content = b""
        name = taken.name
        too_big = taken.size > SEND_LIMIT
        if attach and not too_big:
            name, content = await self._store.packed(taken)
            too_big = len(content) > SEND_LIMIT
        attach = attach and not too_big
        text = msg.backup_done(
            taken.name, local, taken.size, kept, folder, attached=attach, too_big=too_big
        )
        reply = ctx.reply(text)
        if not attach:
            return reply
        return [replace(reply[0], document=OutDocument(name, content, taken.name))]
