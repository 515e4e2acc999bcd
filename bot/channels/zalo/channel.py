"""Zalo events in, the engine's answers out; one bad event never stops the bot.

``ZaloChannel.ingest`` translates a body (one event, a list, wrapped or bare) and hands
each message to the engine, which records the message id in the same transaction as its
effects: a redelivered event (Zalo has no offset; a webhook may be retried) changes
nothing and is answered once. ``answer`` sends the replies; a reply lost to a passing
server error is tried again from the part that failed (a few attempts, short pauses),
a permanent error is logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.channels.ordering import KeyedOrder
from bot.channels.parts import NameLookup
from bot.channels.zalo.client import BotInfo, ZaloClient, ZaloClientError, ZaloTransientError
from bot.channels.zalo.inbound import iter_messages
from bot.channels.zalo.sender import deliver
from bot.core.clock import Clock
from bot.core.events import InboundEvent, OutboundMessage

log = logging.getLogger(__name__)

Handle = Callable[[InboundEvent], Awaitable[list[OutboundMessage]]]
REPLY_ATTEMPTS = 3


class ZaloChannel:
    def __init__(
        self,
        client: ZaloClient,
        clock: Clock,
        *,
        names: NameLookup | None = None,
        retry_pause: float = 0.5,
    ) -> None:
        self.client = client
        self._clock = clock
        self._names = names
        self._retry_pause = retry_pause
        self.handle: Handle | None = None
        self.me: BotInfo | None = None
        # Events of one chat or one sender in order; others concurrently (the poller hands
        # each event over as it comes, the webhook's requests run concurrently).
        self.order = KeyedOrder()

    def names_lookup(self, names: NameLookup) -> None:
        self._names = names

    async def start(self) -> BotInfo:
        self.me = await self.client.get_me()
        return self.me

    async def ingest(self, body: Any) -> list[OutboundMessage]:
        """Handles the messages in ``body``; returns the replies to send."""
        if self.handle is None or self.me is None:
            return []
        replies: list[OutboundMessage] = []
        events = list(iter_messages(body, self.me, self._clock.now()))
        # The whole body's turn at once: a later body of the same chat cannot slip in
        # between two of its events.
        async with self.order.hold(_all_keys(events)):
            for event in events:
                replies.extend(await self.handle(event))
        return replies

    async def on_body(self, body: Any) -> None:
        """Handles and answers (the poller's way): each event's answer goes out before the
        next event of the same chat or sender is handled."""
        if self.handle is None or self.me is None:
            return
        events = list(iter_messages(body, self.me, self._clock.now()))
        async with self.order.hold(_all_keys(events)):
            for event in events:
                try:
                    replies = await self.handle(event)
                except Exception:
                    log.exception("a Zalo event could not be handled")
                    continue
                await self.answer(replies)

    async def answer(self, replies: Sequence[OutboundMessage]) -> None:
        for reply in replies:
            names = {}
            if reply.mention_user_ids and self._names is not None:
                names = dict(await self._names(reply.mention_user_ids))
            done = 0

            def progress(n: int) -> None:
                nonlocal done
                done = n

            for attempt in range(REPLY_ATTEMPTS):
                try:
                    await deliver(self.client, reply, names=names, skip=done, progress=progress)
                    break
                except ZaloTransientError as exc:
                    if attempt == REPLY_ATTEMPTS - 1:
                        log.warning("reply to zalo:%s lost: %s", reply.chat_id, exc)
                        break
                    pause = exc.retry_after if exc.retry_after is not None else 0.0
                    await asyncio.sleep(min(5.0, pause) + self._retry_pause * (attempt + 1))
                except ZaloClientError as exc:
                    log.warning("reply to zalo:%s refused: %s", reply.chat_id, exc)
                    break


def _keys(event: InboundEvent) -> tuple[str, str]:
    return (f"chat:{event.chat.chat_id}", f"user:{event.sender.user_id}")


def _all_keys(events: Sequence[InboundEvent]) -> set[str]:
    return {key for event in events for key in _keys(event)}
