"""Graceful shutdown: the outbox message in flight finishes and is recorded; no other
message starts; the rest go after the restart, each exactly once."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.clock import ManualClock
from bot.core.events import OutboundMessage
from bot.services.outbox import ChannelLimits, OutboxDispatcher
from storage.sqlite import open_store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)


class HeldSender:
    """Each send waits until the test lets it finish."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.delivered: list[str] = []

    async def send(self, message: OutboundMessage) -> None:
        self.entered.set()
        await self.release.wait()
        self.delivered.append(message.text)


async def test_stop_lets_the_message_in_flight_finish_and_starts_no_other(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "bot.db")
    try:
        for i in range(5):
            await store.outbox.enqueue("telegram", f"{100 + i}", f"tin {i}", f"k{i}", NOW)
        sender = HeldSender()
        dispatcher = OutboxDispatcher(store, ManualClock(NOW), {"telegram": sender})
        drain = asyncio.create_task(dispatcher.drain())
        await sender.entered.wait()  # "tin 0" is with the platform
        dispatcher.stop()
        sender.release.set()
        assert await drain == 1
        assert sender.delivered == ["tin 0"]
        pending = await store.outbox.pending("telegram", 10, now=NOW)
        assert [p.text for p in pending] == ["tin 1", "tin 2", "tin 3", "tin 4"]
        assert all(p.attempts == 0 for p in pending)
        first = await store.outbox_repo.get(1)
        assert first is not None and first.sent_at is not None
        # A stopped dispatcher starts nothing more.
        assert await dispatcher.drain() == 0
    finally:
        await store.close()


async def test_stop_during_a_pacing_wait_sends_nothing_more(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "bot.db")
    try:
        for i in range(3):
            await store.outbox.enqueue("telegram", "g1", f"tin {i}", f"k{i}", NOW, group=True)
        sent: list[str] = []

        class Sender:
            async def send(self, message: OutboundMessage) -> None:
                sent.append(message.text)

        dispatcher: OutboxDispatcher

        async def sleep(seconds: float) -> None:
            dispatcher.stop()  # the stop arrives while waiting for the group's 3 s

        dispatcher = OutboxDispatcher(
            store,
            ManualClock(NOW),
            {"telegram": Sender()},
            {"telegram": ChannelLimits(group_interval=3.0)},
            sleep=sleep,
        )
        assert await dispatcher.drain() == 1
        assert sent == ["tin 0"]
        assert len(await store.outbox.pending("telegram", 10, now=NOW)) == 2
    finally:
        await store.close()
