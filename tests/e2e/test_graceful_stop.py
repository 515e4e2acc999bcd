"""A clean stop of the real bot (polling, fake Bot API) while the outbox is sending: the
message Telegram is answering finishes and is recorded as sent before the HTTP client
closes; after a restart the rest go out, and no message reaches Telegram twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage.sqlite import open_store
from tests.e2e.conftest import at, live_bot
from tests.fakes.telegram_api import FakeBotApi, Fault

CHAT = 2001
MESSAGES = 6


async def _outbox(database: Path) -> list[tuple[str, bool, int]]:
    store = await open_store(database)
    try:
        rows = await store.db.fetchall("SELECT text, sent_at, attempts FROM outbox ORDER BY id")
    finally:
        await store.close()
    return [(r["text"], r["sent_at"] is not None, r["attempts"]) for r in rows]


async def test_a_stop_finishes_the_send_in_flight_and_the_restart_sends_the_rest(
    tmp_path: Path,
) -> None:
    texts = [f"Nhắc việc số {i}" for i in range(MESSAGES)]
    async with live_bot(tmp_path, webhook=False) as live:
        live.api.user(CHAT, "Cán bộ")
        database = live.settings.database
        store = live.runtime.services
        assert store is not None
        for i, text in enumerate(texts):
            await store.store.outbox.enqueue("telegram", str(CHAT), text, f"stop-{i}", at(23, 7))
        # Every send takes a while at Telegram (well under the client's 1 s timeout).
        live.api.fail("sendMessage", *[Fault("slow", delay=0.3) for _ in range(MESSAGES)])
        tick = asyncio.create_task(live.runtime.tick())
        await live.api.wait_until(lambda: any(m == "sendMessage" for m, _ in live.api.calls))
        # Leaving the block stops the bot (as SIGTERM does) with a send in flight.
    await asyncio.wait_for(tick, 15)
    first = [s.text for s in live.api.sent if s.chat_id == CHAT]
    rows = await _outbox(database)
    # Everything Telegram accepted is recorded as sent, nothing else is; the rest are
    # untouched (no attempt was started and cut).
    assert first and [t for t, sent, _ in rows if sent] == first
    assert all(attempts == 0 for _, sent, attempts in rows if not sent)

    api = FakeBotApi()
    api.user(CHAT, "Cán bộ")
    async with live_bot(tmp_path, webhook=False, api=api) as again:
        await again.runtime.tick()
        second = [s.text for s in again.api.sent if s.chat_id == CHAT]
    assert first + second == texts  # each exactly once, in order
    assert all(sent for _, sent, _ in await _outbox(database))
