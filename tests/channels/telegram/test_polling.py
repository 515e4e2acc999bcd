"""The polling loop: updates are handled as they come while polling goes on, and Telegram
is told to forget an update (the offset) only once it and every update before it are
handled. A fake bot at the network boundary answers getUpdates like Telegram: the updates
at or after the offset, the ones before it forgotten."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.polling import ReliablePoller
from bot.channels.telegram.processor import OrderedUpdateProcessor


def update(update_id: int, chat: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_800_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "A"},
                "from": {"id": chat, "is_bot": False, "first_name": "A"},
                "text": f"tin {update_id}",
            },
        },
        None,
    )


class FakeBot:
    def __init__(self) -> None:
        self.held: list[Update] = []
        self.offsets: list[int | None] = []

    async def delete_webhook(self, drop_pending_updates: bool = False) -> bool:
        return True

    async def get_updates(
        self,
        offset: int | None = None,
        timeout: int = 0,  # noqa: ASYNC109 (Telegram's own parameter)
        **_: Any,
    ) -> tuple[Update, ...]:
        self.offsets.append(offset)
        if offset is not None:
            self.held = [u for u in self.held if u.update_id >= offset]  # confirmed: forgotten
        if not self.held:
            await asyncio.sleep(0.01)  # an idle long poll, shortened
        return tuple(self.held)


class FakeApp:
    def __init__(self, handle: Any) -> None:
        self.bot = FakeBot()
        self.update_processor = OrderedUpdateProcessor()
        self._handle = handle

    async def process_update(self, update: Update) -> None:
        await self._handle(update)


async def until(condition: Any, within: float = 5.0) -> None:
    for _ in range(int(within / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_a_slow_update_holds_up_nobody_and_stays_unconfirmed_until_handled() -> None:
    done: list[int] = []
    release = asyncio.Event()

    async def handle(u: Update) -> None:
        if u.update_id == 1:
            await asyncio.wait_for(release.wait(), 5)
        done.append(u.update_id)

    app = FakeApp(handle)
    poller = ReliablePoller(
        cast(Application[Any, Any, Any, Any, Any, Any], app), allowed_updates=["message"], timeout=1
    )
    stop = asyncio.Event()
    run = asyncio.create_task(poller.run(stop))
    app.bot.held.append(update(1, 100))  # a slow request in chat 100
    await until(lambda: 1 in poller._in_hand)
    app.bot.held.append(update(2, 200))  # another chat's message, in a later poll
    await until(lambda: done == [2])
    # Update 1 is still in hand: no offset beyond it was sent, Telegram still holds it.
    assert all(o is None or o <= 1 for o in app.bot.offsets)
    assert [u.update_id for u in app.bot.held] == [1, 2]
    release.set()
    await until(lambda: done == [2, 1])
    await until(lambda: app.bot.offsets[-1] == 3)  # now both are confirmed
    stop.set()
    await asyncio.wait_for(run, 5)


async def test_a_chats_updates_keep_their_order_across_polls() -> None:
    done: list[int] = []
    release = asyncio.Event()

    async def handle(u: Update) -> None:
        if u.update_id == 1:
            await asyncio.wait_for(release.wait(), 5)
        done.append(u.update_id)

    app = FakeApp(handle)
    poller = ReliablePoller(
        cast(Application[Any, Any, Any, Any, Any, Any], app), allowed_updates=["message"], timeout=1
    )
    stop = asyncio.Event()
    run = asyncio.create_task(poller.run(stop))
    app.bot.held.append(update(1, 100))
    await until(lambda: 1 in poller._in_hand)
    app.bot.held.append(update(2, 100))  # same chat: waits for 1
    await until(lambda: 2 in poller._in_hand)
    await asyncio.sleep(0.05)
    assert done == []
    release.set()
    await until(lambda: done == [1, 2])
    stop.set()
    await asyncio.wait_for(run, 5)


async def test_stopping_finishes_the_updates_in_hand() -> None:
    done: list[int] = []

    async def handle(u: Update) -> None:
        await asyncio.sleep(0.1)
        done.append(u.update_id)

    app = FakeApp(handle)
    poller = ReliablePoller(
        cast(Application[Any, Any, Any, Any, Any, Any], app), allowed_updates=["message"], timeout=1
    )
    stop = asyncio.Event()
    app.bot.held.extend([update(1, 100), update(2, 200)])
    run = asyncio.create_task(poller.run(stop))
    await until(lambda: len(poller._in_hand) == 2)
    stop.set()
    await asyncio.wait_for(run, 5)
    assert sorted(done) == [1, 2]
