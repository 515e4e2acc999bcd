"""Fan-out against the platform limit.

Prompts go through the real path of production: rows in the outbox (SQLite), the
``OutboxDispatcher`` draining them, the channel's sender, real HTTP on 127.0.0.1 to the fake
Bot API of the tests, which enforces strict sliding windows and answers the excess with 429
and ``retry_after``:

* Telegram: 30 messages a second overall, 1 a second per chat, 20 a minute per group
  (``tests/fakes/telegram_api.py``); the bot paces with its one limiter, python-telegram-
  bot's ``AIORateLimiter`` as ``bot.channels.telegram.handlers.rate_limiter()`` makes it;
  the dispatcher has no limits of its own for Telegram, as in ``TelegramRuntime``.
* Zalo: no published limit, so the fake enforces the configured ``ZALO_RATE`` a second
  overall and 1 a second per chat; the bot paces with the dispatcher's ``ChannelLimits``
  from ``bot.app.default_zalo_limits(ZALO_RATE)``, as ``ChannelHub`` does.

Achieved rate = accepted messages over the span from the first to the last arrival at the
server, as a share of the enforced rate. A raised limit (``--quick``) scales the bot's
pacing by the same factor, so the run checks the same ratios in a fraction of the time.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import LoopLag, row
from bot.app import default_zalo_limits
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram.ratelimit import (
    GROUP_INTERVAL,
    OVERALL_INTERVAL,
    PRIVATE_INTERVAL,
    TelegramRateLimiter,
)
from bot.channels.telegram.sender import TelegramSender
from bot.channels.zalo import CHANNEL as ZALO
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.sender import ZaloSender
from bot.core.clock import SystemClock
from bot.services.outbox import ChannelLimits, ChannelSender, OutboxDispatcher
from storage.sqlite import SqliteStore, open_store
from tests.fakes import telegram_api as tg
from tests.fakes import zalo_api as za

TELEGRAM_RATE = 30  # the fake's overall window, messages a second (Telegram's published limit)
PROMPT = "📊 Đề nghị đồng chí báo cáo kết quả tuần 48/2026 (hạn: 17:00 thứ Sáu, 27/11/2026)."


@dataclass(frozen=True)
class FanoutResult:
    channel: str
    messages: int
    enforced: float  # messages a second the fake allows overall
    rate: float  # achieved, first to last arrival
    rejections: int
    elapsed: float
    worst_lag_ms: float

    @property
    def share(self) -> float:
        return self.rate / self.enforced


async def _enqueue(store: SqliteStore, channel: str, chats: list[str]) -> None:
    now = SystemClock().now()
    async with store.transaction():
        for i, chat in enumerate(chats):
            await store.outbox.enqueue(channel, chat, f"{PROMPT} #{i}", f"fanout:{chat}", now)


async def _drain_all(store: SqliteStore, dispatcher: OutboxDispatcher, channel: str) -> None:
    """Drains until nothing is pending (after a 429 the dispatcher leaves the rows for a
    later drain, as the tick would)."""
    while await store.outbox.pending(channel, 1):
        if not await dispatcher.drain():
            await asyncio.sleep(0.2)


def _rate(arrivals: list[tuple[float, int | str]]) -> float:
    if len(arrivals) < 2:
        return 0.0
    return (len(arrivals) - 1) / (arrivals[-1][0] - arrivals[0][0])


async def _run(
    channel: str,
    store: SqliteStore,
    chats: list[str],
    sender: ChannelSender,
    limits: dict[str, ChannelLimits],
    windows: tg.SlidingWindows,
    enforced: float,
) -> FanoutResult:
    await _enqueue(store, channel, chats)
    dispatcher = OutboxDispatcher(store, SystemClock(), {channel: sender}, limits)
    lag = LoopLag()
    lag.start()
    start = time.perf_counter()
    await _drain_all(store, dispatcher, channel)
    elapsed = time.perf_counter() - start
    await lag.stop()
    assert len(windows.arrivals) == len(chats), (len(windows.arrivals), len(chats))
    return FanoutResult(
        channel,
        len(chats),
        enforced,
        _rate(windows.arrivals),
        len(windows.rejections),
        elapsed,
        lag.worst_ms,
    )


async def telegram(n: int, limit: int = TELEGRAM_RATE) -> FanoutResult:
    """``n`` private prompts against a fake allowing ``limit`` messages a second overall."""
    from telegram.ext import Application

    scale = TELEGRAM_RATE / limit
    api = tg.FakeBotApi()
    windows = api.strict_limits(tg.RateWindows(overall=(limit, 1.0)))
    chats = [str(700_000 + i) for i in range(n)]
    for chat in chats:
        api.user(int(chat), "Cán bộ")
    server = tg.FakeBotApiServer(api)
    await server.start()
    limiter = TelegramRateLimiter(
        overall_interval=OVERALL_INTERVAL * scale,
        group_interval=GROUP_INTERVAL,
        private_interval=PRIVATE_INTERVAL,
    )
    application = (
        Application.builder()
        .token(api.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .rate_limiter(limiter)
        .build()
    )
    await application.initialize()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
            store = await open_store(Path(tmp) / "bot.db")
            try:
                sender = TelegramSender(application.bot)
                return await _run(TELEGRAM, store, chats, sender, {}, windows, float(limit))
            finally:
                await store.close()
    finally:
        await application.shutdown()
        await server.stop()


async def zalo(n: int, rate: float) -> FanoutResult:
    """``n`` private prompts with ``ZALO_RATE=rate`` against a fake enforcing that rate."""
    api = za.FakeZaloApi()
    windows = api.strict_limits(tg.RateWindows(overall=(int(rate), 1.0)))
    chats = [f"zu{i:06d}" for i in range(n)]
    for chat in chats:
        api.user(chat, "Cán bộ")
    server = za.FakeZaloServer(api)
    await server.start()
    client = ZaloClient(api.token, server.base_url)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
            store = await open_store(Path(tmp) / "bot.db")
            try:
                limits = {ZALO: default_zalo_limits(rate)}
                return await _run(
                    ZALO, store, chats, ZaloSender(client), limits, windows, float(int(rate))
                )
            finally:
                await store.close()
    finally:
        await client.aclose()
        await server.stop()


def lines(result: FanoutResult, name: str) -> list[str]:
    r = result
    return [
        row(
            f"fan-out {name}: {r.messages} prompts",
            r.rate,
            r.enforced,
            "msg/s",
            "≥ 95% of enforced",
            r.share >= 0.95,
        ),
        row(
            f"fan-out {name}: 429 answers",
            r.rejections,
            0,
            "429s",
            "0",
            r.rejections == 0,
        )
        + f"  ({r.elapsed:.0f} s, worst loop lag {r.worst_lag_ms:.1f} ms)",
    ]


async def main(quick: bool = False) -> list[str]:
    if quick:
        t = await telegram(2000, limit=100)
        z = await zalo(2000, rate=100)
    else:
        t = await telegram(20_000)
        z = await zalo(20_000, rate=30)
    return [
        *lines(t, f"Telegram ({t.enforced:.0f}/s)"),
        *lines(z, f"Zalo (ZALO_RATE={z.enforced:.0f})"),
    ]


if __name__ == "__main__":
    import sys

    for line in asyncio.run(main(quick="--quick" in sys.argv)):
        print(line)
