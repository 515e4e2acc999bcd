"""The Zalo poller hands each event over as it comes (a slow one holds up nobody else),
and the channel keeps each chat's events, and their answers, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import BotInfo, ZaloClient
from bot.channels.zalo.polling import ZaloPoller
from bot.core.clock import ManualClock
from bot.core.events import InboundEvent, OutboundMessage


def event(n: int, chat: str, user: str | None = None) -> dict[str, Any]:
    user = user or chat
    return {
        "event_name": "message.text.received",
        "message": {
            "message_id": f"m{n}",
            "date": 1_800_000_000_000,
            "from": {"id": user, "display_name": f"Người {user}"},
            "chat": {"id": chat, "chat_type": "PRIVATE"},
            "text": f"tin {n}",
        },
    }


class ScriptedClient:
    """getUpdates answers the scripted events one per poll, then waits (as an idle poll)."""

    def __init__(self, events: Sequence[dict[str, Any]]) -> None:
        self._events = list(events)
        self.polls = 0

    async def get_updates(self, poll_seconds: int = 30) -> list[Any]:
        self.polls += 1
        if self._events:
            return [self._events.pop(0)]
        await asyncio.sleep(0.01)
        return []


async def test_a_slow_event_holds_up_neither_the_polls_nor_other_events() -> None:
    client = ScriptedClient([event(1, "a"), event(2, "b"), event(3, "c")])
    handled: list[str] = []
    slow_done = asyncio.Event()

    async def on_event(body: Any) -> None:
        chat = body["message"]["chat"]["id"]
        if chat == "a":
            await asyncio.sleep(0.2)
            slow_done.set()
        if chat == "c":
            raise RuntimeError("one bad event")  # logged; the loop goes on
        handled.append(chat)

    poller = ZaloPoller(cast(ZaloClient, client), on_event, timeout=1)
    stop = asyncio.Event()
    run = asyncio.create_task(poller.run(stop))
    for _ in range(100):
        if "b" in handled:
            break
        await asyncio.sleep(0.01)
    assert handled == ["b"] and not slow_done.is_set() and poller.busy
    stop.set()
    await asyncio.wait_for(run, 5)  # returns once the slow event is finished too
    assert handled == ["b", "a"] and not poller.busy


async def test_the_channel_keeps_a_chats_events_and_answers_in_order() -> None:
    channel = ZaloChannel(cast(ZaloClient, None), ManualClock(datetime(2026, 11, 24, tzinfo=UTC)))
    channel.me = BotInfo(id="bot", name="Bot báo cáo")
    log: list[str] = []

    async def handle(e: InboundEvent) -> list[OutboundMessage]:
        log.append(f"handle {e.message_id}")
        if e.message_id == "m1":
            await asyncio.sleep(0.05)
        return [OutboundMessage(channel="zalo", chat_id=e.chat.chat_id, text=e.message_id)]

    async def answer(replies: Sequence[OutboundMessage]) -> None:
        await asyncio.sleep(0.01 if replies[0].text == "m1" else 0)
        log.extend(f"answer {r.text}" for r in replies)

    channel.handle = handle
    channel.answer = answer  # type: ignore[method-assign]
    await asyncio.wait_for(
        asyncio.gather(
            channel.on_body(event(1, "a")),
            channel.on_body(event(2, "a")),  # same chat: after 1 is answered
            channel.on_body(event(3, "x", user="a")),  # same sender elsewhere: after 2
            channel.on_body(event(4, "b")),  # another chat: at once
        ),
        5,
    )
    assert log.index("handle m4") < log.index("answer m1")
    assert log.index("answer m1") < log.index("handle m2") < log.index("answer m2")
    assert log.index("answer m2") < log.index("handle m3")
    assert len(channel.order) == 0
