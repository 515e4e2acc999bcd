"""End-to-end support for Zalo: the real ``ChannelHub`` (``bot.app``) against the fake Zalo
Bot API over HTTP on 127.0.0.1, in polling or webhook mode, optionally with the Telegram
fake beside it (one process, one database, one digest).

Time is a ManualClock moved by the test; the cycle is ticked by the test (``hub.tick()``),
the scheduler's own interval being an hour. Every wait is bounded; both servers and the
hub are stopped at teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter

from bot.app import ChannelHub, seeded_codes
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.services.outbox import ChannelLimits
from tests.e2e.conftest import at
from tests.fakes.telegram_api import TOKEN as TG_TOKEN
from tests.fakes.telegram_api import FakeBotApi, FakeBotApiServer, free_port
from tests.fakes.zalo_api import TOKEN, FakeZaloApi, FakeZaloServer, Sent

OWNER = "u1001"
SECRET = "zalo-bi-mat_123"
# Paced as in production, only faster, so the dispatcher's pacer is exercised.
TEST_LIMITS = ChannelLimits(overall_interval=0.01, private_interval=0.05, group_interval=0.1)


@dataclass
class ZLive:
    api: FakeZaloApi
    server: FakeZaloServer
    hub: ChannelHub
    clock: ManualClock
    settings: Settings
    tg: FakeBotApi | None = None

    async def say(self, user: str, text: str, chat: str | None = None) -> Sent | None:
        """Sends and waits for the bot's (last) answer in that chat; None if it stays
        silent, checked by asking for help right after and getting only that answer."""
        target = chat or user
        before = len(self.api.texts(target))
        event = self.api.message(user, chat, text)
        await self.handled(event)
        if len(self.api.texts(target)) == before:
            return None
        return self.api.last(target)

    async def handled(self, event: dict[str, Any]) -> None:
        """Until the bot has handled ``event`` and sent its answers: in polling mode it
        has asked for the next event and handles none (events are handled concurrently);
        with a webhook, it answered 200 and its reply queue is empty. No timing involved."""
        hub = self.hub

        def done() -> bool:
            if hub.zalo_webhook is not None:
                return self.api.was_delivered(event) and not hub.zalo_webhook.busy
            poller = hub.zalo_poller
            return self.api.polled_after(event) and (poller is None or not poller.busy)

        await self.api.wait_until(done, 10.0)

    async def silent(self, user: str, text: str, chat: str | None = None) -> bool:
        """The bot does not answer ``text``: the next thing it says there is the help."""
        target = chat or user
        before = len(self.api.texts(target))
        self.api.message(user, chat, text)
        probe = await self.say(user, "/trogiup", chat)
        return probe is not None and "Bot báo cáo" in self.api.texts(target)[before]

    async def tick(self, moment: datetime) -> None:
        self.clock.set(moment)
        await self.hub.tick()

    def no_duplicates(self) -> None:
        counts = Counter((s.chat_id, s.text) for s in self.api.sent)
        repeated = [
            k for k, v in counts.items() if v > 1 and ("Đề nghị" in k[1] or "TỔNG HỢP" in k[1])
        ]
        assert not repeated, repeated


def make_settings(
    tmp_path: Path,
    server: FakeZaloServer,
    *,
    webhook: bool,
    telegram: FakeBotApiServer | None = None,
    **extra: Any,
) -> Settings:
    values: dict[str, Any] = {
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_BASE_URL": server.base_url,
        "ZALO_POLL_TIMEOUT": 1,
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": f"zalo:{OWNER},telegram:1001",
        "BOT_TICK_SECONDS": 3600,
        "BOT_FLOOD_BURST": 0,  # the manual clock stands still (see tests/e2e/conftest.py)
    }
    if webhook:
        port = free_port()
        values |= {
            "ZALO_WEBHOOK_URL": f"http://127.0.0.1:{port}/zalo-hook",
            "ZALO_WEBHOOK_LISTEN": "127.0.0.1",
            "ZALO_WEBHOOK_PORT": port,
            "ZALO_WEBHOOK_PATH": "zalo-hook",
            "ZALO_WEBHOOK_SECRET": SECRET,
        }
    if telegram is not None:
        values |= {
            "TELEGRAM_BOT_TOKEN": TG_TOKEN,
            "TELEGRAM_BASE_URL": telegram.base_url,
            "TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
        }
    values |= extra
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def live_zalo(
    tmp_path: Path,
    *,
    webhook: bool = False,
    with_telegram: bool = False,
    can_join_groups: bool = False,
    **extra: Any,
) -> AsyncIterator[ZLive]:
    api = FakeZaloApi(can_join_groups=can_join_groups)
    server = FakeZaloServer(api)
    await server.start()
    tg_api: FakeBotApi | None = None
    tg_server: FakeBotApiServer | None = None
    if with_telegram:
        tg_api = FakeBotApi()
        tg_server = FakeBotApiServer(tg_api)
        await tg_server.start()
    clock = ManualClock(at(23, 7, 0))
    settings = make_settings(tmp_path, server, webhook=webhook, telegram=tg_server, **extra)
    hub = ChannelHub(
        settings,
        clock=clock,
        new_code=seeded_codes(7),
        telegram_rate_limiter=AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3),
        telegram_timeout=1.0,
        telegram_poll_timeout=1,
        zalo_timeout=3.0,
        zalo_limits=TEST_LIMITS,
        zalo_backoff=0.05,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(hub.serve(stop))
    try:
        ready = asyncio.ensure_future(hub.ready.wait())
        await asyncio.wait({ready, task}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if task.done():
            task.result()
        assert hub.ready.is_set(), "the hub did not start in time"
        yield ZLive(api, server, hub, clock, settings, tg_api)
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 30)
        finally:
            await server.stop()
            if tg_server is not None:
                await tg_server.stop()
