"""Inbound events: concurrent across conversations, in order within one
(``bot.channels.ordering``, ``bot.channels.telegram.processor``)."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.channels.ordering import KeyedOrder
from bot.channels.telegram.processor import OrderedUpdateProcessor, update_keys


def update(update_id: int, chat: int, user: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_800_000_000,
                "chat": {"id": chat, "type": "private" if chat == user else "group", "title": "g"},
                "from": {"id": user, "is_bot": False, "first_name": "A"},
                "text": "x",
            },
        },
        None,
    )


async def test_a_slow_event_holds_up_only_its_own_conversation() -> None:
    order = KeyedOrder()
    log: list[str] = []
    release = asyncio.Event()

    async def work(name: str, keys: list[str], slow: bool = False) -> None:
        async with order.hold(keys):
            log.append(f"start {name}")
            if slow:
                await asyncio.wait_for(release.wait(), 5)
            log.append(f"end {name}")

    tasks = [
        asyncio.create_task(work("a1", ["chat:1", "user:1"], slow=True)),
        asyncio.create_task(work("a2", ["chat:1", "user:1"])),
        asyncio.create_task(work("b1", ["chat:2", "user:2"])),
        asyncio.create_task(work("c1", ["chat:3", "user:1"])),  # the same person elsewhere
    ]
    await asyncio.sleep(0.05)
    # b1 ran to its end while a1 waits; a2 (same chat) and c1 (same person) wait for a1.
    assert log == ["start a1", "start b1", "end b1"]
    release.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert log[3:] == ["end a1", "start a2", "end a2", "start c1", "end c1"]
    assert len(order) == 0  # nothing kept once idle


async def test_many_events_of_one_chat_keep_their_order() -> None:
    order = KeyedOrder()
    seen: list[int] = []

    async def work(i: int) -> None:
        async with order.hold(["chat:9"]):
            await asyncio.sleep(0.001 * (i % 3))
            seen.append(i)

    await asyncio.wait_for(asyncio.gather(*(work(i) for i in range(40))), 5)
    assert seen == list(range(40))


async def test_the_update_processor_orders_by_chat_and_sender() -> None:
    processor = OrderedUpdateProcessor(max_concurrent_updates=8)
    done: list[int] = []
    gate = asyncio.Event()

    async def handle(u: Update, wait: bool) -> None:
        if wait:
            await asyncio.wait_for(gate.wait(), 5)
        done.append(u.update_id)

    updates = [update(1, -100, 7), update(2, -100, 8), update(3, 8, 8), update(4, 9, 9)]
    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(u, handle(u, wait=u.update_id == 1)))
            for u in updates
        ]
        await asyncio.sleep(0.05)
        assert done == [4]  # 2 shares the group with 1; 3 shares its sender with 2
        gate.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert done == [4, 1, 2, 3]
    assert update_keys(updates[0]) == ["chat:-100", "user:7"]


async def test_an_update_cancelled_while_waiting_never_starts() -> None:
    processor = OrderedUpdateProcessor(max_concurrent_updates=4)
    gate = asyncio.Event()
    started: list[int] = []

    async def handle(i: int) -> None:
        started.append(i)
        await asyncio.wait_for(gate.wait(), 5)

    first = asyncio.create_task(processor.process_update(update(1, 5, 5), handle(1)))
    second = asyncio.create_task(processor.process_update(update(2, 5, 5), handle(2)))
    await asyncio.sleep(0.02)
    second.cancel()
    gate.set()
    await asyncio.wait_for(first, 5)
    assert second.cancelled() and started == [1]
    assert len(processor.order) == 0
