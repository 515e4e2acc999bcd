"""Draining the outbox: the one path by which prompts, reminders and digests leave.

Each channel supplies a ``ChannelSender``; failures it reports as permanent (blocked, chat
not found) are recorded for the admins and not retried; transient ones leave the row pending
for the next drain. A row is marked sent right after the platform accepts it: a crash between
those two moments is the one window in which a message could be sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol

from bot.core.clock import Clock
from bot.core.events import OutboundMessage
from bot.core.models import OutboxItem
from bot.services.ports import Store

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class ChannelSender(Protocol):
    async def send(self, message: OutboundMessage) -> None:
        """Deliver or raise DeliveryError."""
        ...


def to_message(item: OutboxItem) -> OutboundMessage:
    return OutboundMessage(
        channel=item.channel,
        chat_id=item.chat_id,
        text=item.text,
        mention_user_ids=item.mention_user_ids,
    )


class OutboxDispatcher:
    def __init__(self, store: Store, clock: Clock, senders: Mapping[str, ChannelSender]) -> None:
        self._store = store
        self._clock = clock
        self._senders = senders

    async def drain(self, limit: int = 500) -> int:
        """Send what is pending, oldest first; returns how many were delivered."""
        delivered = 0
        stalled: set[str] = set()
        for item in await self._store.outbox.pending(limit=limit):
            if item.channel in stalled:
                continue
            sender = self._senders.get(item.channel)
            if sender is None:
                continue  # that channel is not running in this process; keep it pending
            try:
                await sender.send(to_message(item))
            except DeliveryError as exc:
                await self._store.outbox.mark_failed(
                    item.id, str(exc), self._clock.now(), exc.permanent
                )
                if not exc.permanent:
                    stalled.add(item.channel)  # keep order: retry this channel next drain
                log.warning("outbox item %s to %s failed: %s", item.id, item.channel, exc)
                continue
            await self._store.outbox.mark_sent(item.id, self._clock.now())
            delivered += 1
        return delivered
