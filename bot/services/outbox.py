"""Delivering the outbox: the one path by which prompts, reminders and digests leave.

Each channel supplies a ``ChannelSender`` and its ``ChannelLimits``. The dispatcher paces
sends smoothly instead of in bursts (DESIGN.md §4 measured that a burst-then-steady limiter
draws 429s from Telegram while an even pace gets none): an overall interval between any two
messages, and a per-chat interval (1 s for a private chat, 3 s for a group, which keeps a
group under 20 messages a minute). Among the due rows it sends the one that may go soonest,
oldest first, so one slow group does not hold up a thousand private chats.

The overall pace is a fixed grid of send slots (decided, measured by ``bench/fanout.py``):
the next slot is one interval after the previous *slot*, not after the previous send
finished, so neither the network's round trip nor a timer waking a millisecond late is
added to every interval (that lost 3 to 8% of the allowed rate). No burst comes of it:
a send that starts late leaves the next slot where it was, and an idle channel earns
nothing (a slot is never earlier than now). Limits are paced at 29/30 of the platform's
rate: 31 messages then span at least 30/29 s, leaving 34 ms of network jitter before a
strict one-second window could hold 31. Per-chat gaps, which do not bound a fan-out's
throughput, keep counting from the end of the previous send (the safer reading).

Failures: a transient one (429, 5xx, timeout) leaves the row pending until a retry time,
``retry_after`` when the platform gave one (and then the whole channel pauses, because a
429 is about the bot, not the chat) or a capped exponential backoff; a permanent one
(blocked by the user, chat not found) is recorded for the admins (``/loigui``) and never
retried.

The one unavoidable window: a row is marked sent right after the platform accepts it; a
crash between those two moments re-sends that single message after the restart. Nothing
else is sent twice: rows are claimed by id and dedupe keys stop a replayed enqueue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.events import Choice, OutboundMessage, OutDocument
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


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """How fast a platform lets a bot send. Zero intervals mean "no limit" (sandbox)."""

    overall_interval: float = 0.0  # seconds between any two messages
    private_interval: float = 0.0  # seconds between two messages to one private chat
    group_interval: float = 0.0  # seconds between two messages to one group
    base_backoff: float = 2.0
    max_backoff: float = 600.0


UNLIMITED = ChannelLimits()
# Share of a platform's allowed rate the pacing uses (see the module docstring).
PACE_SHARE = 29 / 30


def paced(rate: float, *, private_interval: float, group_interval: float) -> ChannelLimits:
    """Limits for a platform allowing ``rate`` messages a second overall."""
    return ChannelLimits(
        overall_interval=1 / (rate * PACE_SHARE),
        private_interval=private_interval,
        group_interval=group_interval,
    )


# Telegram: ~30 msg/s overall, 1 msg/s per chat, 20 msg/min per group; paced at 29/s, and
# 3.05 s per group: exactly 3 s lands 20 messages 60.025 s apart, too close to the window.
# (Telegram's own limiter, bot.channels.telegram.ratelimit, uses the same figures.)
TELEGRAM_LIMITS = paced(30, private_interval=1.0, group_interval=3.05)


class Pacer:
    """When the next message to a chat may go, from the times of the previous ones."""

    def __init__(self, limits: ChannelLimits) -> None:
        self._limits = limits
        self._next_any = 0.0
        self._next_chat: dict[str, float] = {}

    def delay(self, chat_id: str, now: float) -> float:
        ready = max(self._next_any, self._next_chat.get(chat_id, 0.0))
        return max(0.0, ready - now)

    def soonest(self, chat_ids: Iterable[str], now: float) -> int:
        """The index of the chat that may be written to soonest; ties keep the first.

        The overall interval is the floor of every delay, so the scan stops at the first
        chat that only waits for it: in a fan-out (one prompt a chat) that is the first
        row, where a full scan of a 500-row batch for every message cost about a
        millisecond of the loop's time per message sent."""
        floor = max(0.0, self._next_any - now)
        best, best_delay = 0, float("inf")
        for i, chat_id in enumerate(chat_ids):
            delay = self.delay(chat_id, now)
            if delay <= floor:
                return i
            if delay < best_delay:
                best, best_delay = i, delay
        return best

    def sent(self, chat_id: str, is_group: bool, slot: float, done: float) -> None:
        """A message to ``chat_id`` went in the slot that began at ``slot`` and its send
        ended at ``done`` (monotonic seconds)."""
        limits = self._limits
        self._next_any = slot + limits.overall_interval
        gap = limits.group_interval if is_group else limits.private_interval
        if gap > 0:
            self._next_chat[chat_id] = done + gap
            if len(self._next_chat) > 50_000:  # forget chats whose interval has passed
                self._next_chat = {c: t for c, t in self._next_chat.items() if t > done}


def to_message(item: OutboxItem, attachment: OutDocument | None = None) -> OutboundMessage:
    # Choices from the outbox (a directive's "Đã nhận") are answered by their words or a
    # button, never by a bare number: a number typed later may be report data.
    return OutboundMessage(
        channel=item.channel,
        chat_id=item.chat_id,
        text=item.text,
        mention_user_ids=item.mention_user_ids,
        document=attachment,
        choices=tuple(Choice(label, data) for label, data in item.choices),
        numbered_choices=False,
    )


class OutboxDispatcher:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        senders: Mapping[str, ChannelSender],
        limits: Mapping[str, ChannelLimits] | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._clock = clock
        self._senders = senders
        self._limits = dict(limits or {})
        self._pacers = {ch: Pacer(self._limits.get(ch, UNLIMITED)) for ch in senders}
        # After a 429 a channel is silent until this moment (wall clock: pauses are long
        # and must survive the process's sense of time; pacing gaps use the monotonic one).
        self._paused_until: dict[str, datetime] = {}
        self._sleep = sleep
        self._monotonic = monotonic
        self._stopping = False

    def stop(self) -> None:
        """Graceful shutdown: the message being sent now finishes (and is recorded as sent
        or failed); no further message starts. A drain in progress returns after it."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def drain(self, batch: int = 500) -> int:
        """Send everything due now on every channel this process serves; returns how many
        were delivered. Paced: may take a while for a large fan-out."""
        delivered = 0
        for channel in self._senders:
            delivered += await self.drain_channel(channel, batch)
        return delivered

    async def drain_channel(self, channel: str, batch: int = 500) -> int:
        delivered = 0
        while not self._stopping:
            items = await self._store.outbox.pending(channel, batch, now=self._clock.now())
            if not items:
                return delivered
            sent, stalled = await self._send_batch(channel, items)
            delivered += sent
            if stalled or len(items) < batch:
                return delivered
        return delivered

    async def _send_batch(self, channel: str, items: list[OutboxItem]) -> tuple[int, bool]:
        sender = self._senders[channel]
        pacer = self._pacers[channel]
        waiting = list(items)
        delivered = 0
        while waiting:
            if self._stopping:
                return delivered, True
            until = self._paused_until.get(channel)
            if until is not None and self._clock.now() < until:
                # After a 429 the platform wants silence for a while: leave the rows for a
                # later drain rather than holding this one (and the tick) asleep.
                return delivered, True
            now = self._monotonic()
            # The row that may go soonest; ties (all free) keep the oldest first.
            index = pacer.soonest((w.chat_id for w in waiting), now)
            item = waiting.pop(index)
            wait = pacer.delay(item.chat_id, now)
            slot = now + wait
            if wait > 0:
                await self._sleep(wait)
                if self._stopping:  # not started yet: it stays pending for the next run
                    return delivered, True
            try:
                attachment = None
                if item.attachment_name is not None:
                    attachment = await self._store.outbox.attachment(item.id)
                await sender.send(to_message(item, attachment))
            except DeliveryError as exc:
                pacer.sent(item.chat_id, item.is_group, slot, self._monotonic())
                retry = await self._failed(item, exc)
                if exc.retry_after is not None:
                    self._paused_until[channel] = self._clock.now() + timedelta(
                        seconds=exc.retry_after
                    )
                if retry and exc.retry_after is not None:
                    return delivered, True  # the channel is paused: pick up on a later drain
                continue
            pacer.sent(item.chat_id, item.is_group, slot, self._monotonic())
            await self._store.outbox.mark_sent(item.id, self._clock.now())
            delivered += 1
        return delivered, False

    async def _failed(self, item: OutboxItem, exc: DeliveryError) -> bool:
        """Records the failure; True when the row will be retried."""
        now = self._clock.now()
        if exc.permanent:
            await self._store.outbox.mark_failed(item.id, str(exc), now, permanent=True)
            log.warning(
                "outbox %s to %s:%s failed for good: %s", item.id, item.channel, item.chat_id, exc
            )
            return False
        limits = self._limits.get(item.channel, UNLIMITED)
        wait = exc.retry_after
        if wait is None:
            wait = min(limits.max_backoff, limits.base_backoff * 2 ** min(item.attempts, 20))
        retry_at = now + timedelta(seconds=wait)
        await self._store.outbox.mark_failed(
            item.id, str(exc), now, permanent=False, retry_at=retry_at
        )
        log.info("outbox %s to %s retries in %.1f s: %s", item.id, item.channel, wait, exc)
        return True

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain continuously until ``stop`` is set (one task per process)."""
        while not stop.is_set() and not self._stopping:
            try:
                await self.drain()
            except Exception:
                log.exception("outbox drain failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=idle)
