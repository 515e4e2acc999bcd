"""Edge cases of the pollers found in review: Telegram's window of 100 updates behind a
slow one, stopping with updates in hand, Zalo's stop with every slot held."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, cast

import pytest
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.polling import ReliablePoller
from bot.channels.zalo import polling as zalo_polling
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.polling import ZaloPoller
from tests.channels.telegram.test_polling import FakeApp, FakeBot, until, update
from tests.channels.zalo.test_polling import ScriptedClient, event

LIMIT = 100


class LimitedBot(FakeBot):
    """Like Telegram: getUpdates returns at most ``limit`` updates (default 100)."""

    async def get_updates(self, offset: int | None = None, timeout: int = 0, **kw: Any):  # noqa: ASYNC109
        limit = kw.get("limit") or LIMIT
        got = await super().get_updates(offset=offset, timeout=timeout)
        return got[:limit]


async def test_tg_a_slow_update_holds_up_only_what_comes_100_after_it_without_spinning() -> None:
    """Telegram answers at most 100 updates from the offset, and the offset stays at the
    slow update 1 until it is handled (the crash guarantee). So the 99 after it are
    handled meanwhile, update 101 and later once it is done; meanwhile the poller asks
    again only when an update finishes or every half second, never in a busy loop."""
    done: list[int] = []
    release = asyncio.Event()

    async def handle(u: Update) -> None:
        if u.update_id == 1:
            await asyncio.wait_for(release.wait(), 10)
        done.append(u.update_id)

    app = FakeApp(handle)
    app.bot = LimitedBot()
    app.bot.held.extend(update(i, 1000 + i) for i in range(1, 111))
    poller = ReliablePoller(
        cast(Application[Any, Any, Any, Any, Any, Any], app), allowed_updates=["message"], timeout=1
    )
    stop = asyncio.Event()
    run = asyncio.create_task(poller.run(stop))
    try:
        await until(lambda: sorted(done) == list(range(2, 101)), within=5.0)
        polls = len(app.bot.offsets)
        await asyncio.sleep(1.0)
        assert len(app.bot.offsets) - polls <= 4  # about two a second while waiting
        assert 101 not in done and all(o is None or o <= 1 for o in app.bot.offsets)
        release.set()
        await until(lambda: sorted(done) == list(range(1, 111)), within=5.0)
    finally:
        release.set()
        stop.set()
        await asyncio.wait_for(run, 5)


async def test_zalo_stop_is_not_prompt_when_all_slots_are_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The poll loop awaits the semaphore without watching ``stop``: with every slot held by
    a long handler and one more event fetched, stop waits for a handler to end (unbounded),
    not for the bounded drain."""
    monkeypatch.setattr(zalo_polling, "MAX_CONCURRENT", 2)
    client = ScriptedClient([event(1, "a"), event(2, "b"), event(3, "c")])
    release = asyncio.Event()

    async def on_event(body: Any) -> None:
        await asyncio.wait_for(release.wait(), 10)

    poller = ZaloPoller(cast(ZaloClient, client), on_event, timeout=1)
    poller._drain_seconds = 0.2
    stop = asyncio.Event()
    run = asyncio.create_task(poller.run(stop))
    await until(lambda: client.polls >= 3 and len(poller._tasks) == 2)
    await asyncio.sleep(0.05)  # the loop now waits for a slot for event 3
    stop.set()
    t0 = time.monotonic()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(run), 2)
    took = time.monotonic() - t0
    release.set()
    await asyncio.wait_for(run, 12)
    assert took < 1.0, f"stop took {took:.1f} s (bounded drain is 0.2 s)"


async def test_tg_after_a_timed_out_drain_handlers_still_run_past_run() -> None:
    """After the bounded drain, run() returns with handler tasks still running (not
    cancelled): serve_telegram then stops and shuts the application down (post_shutdown
    closes the store) under them."""
    started = asyncio.Event()

    async def handle(u: Update) -> None:
        started.set()
        await asyncio.sleep(1.0)

    app = FakeApp(handle)
    app.bot.held.append(update(1, 100))
    poller = ReliablePoller(
        cast(Application[Any, Any, Any, Any, Any, Any], app), allowed_updates=["message"], timeout=1
    )
    poller._drain_seconds = 0.1
    stop = asyncio.Event()
    run = asyncio.create_task(poller.run(stop))
    await asyncio.wait_for(started.wait(), 5)
    stop.set()
    await asyncio.wait_for(run, 5)
    left = [t for t in poller._in_hand.values() if not t.done()]
    for t in left:
        t.cancel()
    assert not left, "handler tasks outlive the poller"
