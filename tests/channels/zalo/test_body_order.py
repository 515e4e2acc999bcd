"""A body holding several events takes one turn for all of them (found in review): a
later body of the same chat cannot overtake the body's second event."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import BotInfo, ZaloClient
from bot.core.clock import ManualClock
from bot.core.events import InboundEvent, OutboundMessage
from tests.channels.zalo.test_polling import event


async def test_a_multi_event_bodys_second_event_is_overtaken_by_a_later_body() -> None:
    channel = ZaloChannel(cast(ZaloClient, None), ManualClock(datetime(2026, 11, 24, tzinfo=UTC)))
    channel.me = BotInfo(id="bot", name="Bot báo cáo")
    handled: list[str] = []

    async def handle(e: InboundEvent) -> list[OutboundMessage]:
        if e.message_id == "m1":
            await asyncio.sleep(0.05)
        handled.append(e.message_id)
        return []

    async def answer(replies: Sequence[OutboundMessage]) -> None:
        return None

    channel.handle = handle
    channel.answer = answer  # type: ignore[method-assign]
    body = {"ok": True, "result": [event(1, "a"), event(2, "a")]}  # one answer, two events
    await asyncio.wait_for(asyncio.gather(channel.on_body(body), channel.on_body(event(3, "a"))), 5)
    assert handled == ["m1", "m2", "m3"]
