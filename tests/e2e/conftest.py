"""End-to-end: the real bot (``bot.app.build_telegram`` + ``serve_telegram``) against the
fake Bot API over real HTTP on 127.0.0.1, in polling or webhook mode.

Time is a ManualClock moved by the test; the cycle is ticked by the test
(``runtime.tick()``), the scheduler's own interval being an hour. Every wait is bounded
and both servers are stopped at teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import AIORateLimiter, Application

from bot.app import TelegramRuntime, build_telegram, seeded_codes, serve_telegram
from bot.config import Settings
from bot.core.clock import ManualClock
from tests.fakes.telegram_api import TOKEN, FakeBotApi, FakeBotApiServer, Sent, free_port

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OWNER = 1001


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 (week 48 starts Monday 23/11)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@dataclass
class Live:
    api: FakeBotApi
    server: FakeBotApiServer
    app: Application  # type: ignore[type-arg]
    runtime: TelegramRuntime
    clock: ManualClock
    settings: Settings

    async def say(self, user: int, chat: int | None, text: str = "", **kw: Any) -> Sent | None:
        """Sends and waits for the bot's answer in that chat (None if it stays silent:
        checked by waiting until the update was consumed and the bot is idle)."""
        target = user if chat is None else chat
        before = len(self.api.texts(target))
        self.api.message(user, chat, text, **kw)
        return await self._answer(target, before)

    async def press(self, user: int, chat: int, message_id: int, data: str) -> Sent | None:
        before = len(self.api.texts(chat))
        answers = len(self.api.answers)
        self.api.press(user, chat, message_id, data)
        await self.api.wait_until(lambda: len(self.api.answers) > answers)
        return await self._answer(chat, before, expect=False)

    async def _answer(self, chat: int, before: int, expect: bool = True) -> Sent | None:
        try:
            sent = await self.api.wait_sent(chat, before + 1, within=5.0 if expect else 0.3)
        except TimeoutError:
            return None
        return sent[-1]

    async def silent(self, user: int, chat: int, text: str) -> bool:
        """The bot does not answer: after this message it answers the next one first."""
        before = len(self.api.texts(chat))
        self.api.message(user, chat, text)
        probe = await self.say(OWNER, chat, "/trogiup")
        return probe is not None and len(self.api.texts(chat)) == before + 1

    async def tick(self, moment: datetime) -> None:
        self.clock.set(moment)
        await self.runtime.tick()


def make_settings(
    tmp_path: Path, server: FakeBotApiServer, webhook: bool, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": f"telegram:{OWNER}",
        "BOT_TICK_SECONDS": 3600,
        "TELEGRAM_DOWNLOAD_PHOTOS": True,
        # The manual clock stands still, so every message would belong to one burst:
        # flood control is off here unless a test turns it on (tests/e2e/test_privacy.py).
        "BOT_FLOOD_BURST": 0,
    }
    if webhook:
        port = free_port()
        values |= {
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
            "TELEGRAM_WEBHOOK_PORT": port,
            "TELEGRAM_WEBHOOK_PATH": "hook",
            "TELEGRAM_WEBHOOK_SECRET": "bi-mat_123",
        }
    return Settings(_env_file=None, **(values | extra))


@contextlib.asynccontextmanager
async def live_bot(
    tmp_path: Path,
    *,
    webhook: bool,
    paced: bool = False,
    start: datetime | None = None,
    prepare: Callable[[Settings], Awaitable[None]] | None = None,
    api: FakeBotApi | None = None,
    env: Mapping[str, Any] | None = None,
) -> AsyncIterator[Live]:
    """``paced``: the production rate limiter (``build_telegram``'s own) instead of the
    tests' unpaced one. ``prepare`` fills the database before the bot opens it. ``api``: a
    fake prepared before the bot starts (its first tick runs at once). ``env``: settings
    over the tests' defaults (``BOT_…`` names)."""
    api = api or FakeBotApi()
    server = FakeBotApiServer(api)
    await server.start()
    clock = ManualClock(start or at(23, 7, 0))
    settings = make_settings(tmp_path, server, webhook, **(env or {}))
    if prepare is not None:
        await prepare(settings)
    # Tests do not pace (the production limiter spaces group messages 3 s apart); they keep
    # its retries so an injected 429 is honoured the same way.
    limiter = None if paced else AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
    app, runtime = build_telegram(
        settings, clock=clock, rate_limiter=limiter, new_code=seeded_codes(11), timeout=1.0
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve_telegram(app, settings, stop))
    try:
        if webhook:
            await api.wait_until(lambda: bool(api.webhook_url) or task.done())
        else:
            await api.wait_until(
                lambda: any(m == "getUpdates" for m, _ in api.calls) or task.done()
            )
        if task.done():
            task.result()
        yield Live(api, server, app, runtime, clock, settings)
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 15)
        finally:
            await server.stop()


@pytest.fixture
async def polling(tmp_path: Path) -> AsyncIterator[Live]:
    async with live_bot(tmp_path, webhook=False) as live:
        yield live


@pytest.fixture
async def webhook(tmp_path: Path) -> AsyncIterator[Live]:
    async with live_bot(tmp_path, webhook=True) as live:
        yield live
