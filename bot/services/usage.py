"""Counting outgoing messages per channel and month, and warning admins near the quota.

Zalo's free plan reportedly allows only a few thousand outgoing messages a month
(DESIGN.md §4). Decided: the count is a small table (``channel_usage``, migration 0003)
incremented each time the platform accepts a message, rather than derived from the
outbox's ``sent_at``: the outbox knows neither the parts a long message is split into nor
the direct replies to people, and both spend the quota. The month is the calendar month in
the bot's time zone.

When a month's count reaches ``warn_share`` of the quota, the workspace admins are warned
once: the warning goes through the outbox with a dedupe key per channel, month and admin,
so it is sent once a month even across restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core.clock import Clock
from bot.core.models import Role
from bot.services.cycle import private_chat_id
from bot.services.ports import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelQuota:
    monthly: int  # messages a month; 0 = no quota
    warn_share: float = 0.8

    @property
    def warn_at(self) -> int:
        return max(1, int(self.monthly * self.warn_share)) if self.monthly > 0 else 0


def month_key(now: datetime, timezone: str) -> str:
    return now.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"tháng {int(month)}/{year}"


class UsageService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        quotas: Mapping[str, ChannelQuota],
        timezone: str = "Asia/Ho_Chi_Minh",
    ) -> None:
        self._store = store
        self._clock = clock
        self._quotas = dict(quotas)
        self._timezone = timezone
        self._warned: set[tuple[str, str]] = set()

    async def record(self, channel: str, count: int = 1) -> int:
        """Counts messages the platform accepted; returns the month's total."""
        month = month_key(self._clock.now(), self._timezone)
        total = await self._store.usage.add(channel, month, count)
        quota = self._quotas.get(channel)
        crossed = quota is not None and quota.monthly > 0 and total >= quota.warn_at
        if crossed and quota is not None and (channel, month) not in self._warned:
            self._warned.add((channel, month))
            await self._warn(channel, month, total, quota)
        return total

    async def _warn(self, channel: str, month: str, total: int, quota: ChannelQuota) -> None:
        now = self._clock.now()
        text = msg.quota_warning(channel, total, quota.monthly, month_label(month))
        sent = 0
        async with self._store.transaction():
            for ws in await self._store.workspaces.all():
                for m in await self._store.members.all(ws.id):
                    if m.role is not Role.ADMIN:
                        continue
                    chat = private_chat_id(m)
                    key = f"usage:{channel}:{month}:{m.channel}:{chat}"
                    if await self._store.outbox.enqueue(m.channel, chat, text, key, now):
                        sent += 1
        log.warning(
            "%s: %s messages sent in %s (quota %s); %s admin warnings queued",
            channel,
            total,
            month,
            quota.monthly,
            sent,
        )
