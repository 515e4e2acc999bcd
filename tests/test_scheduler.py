"""The APScheduler wiring: it only wakes the cycle; ticks start at once, survive a failing
tick, can be woken early, and stop on shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from scheduler.runner import CycleScheduler


async def _wait_for(predicate: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_first_tick_at_start_and_a_failing_tick_does_not_stop_it() -> None:
    calls: list[int] = []

    async def tick() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("database busy")

    scheduler = CycleScheduler(tick, every_seconds=3600)
    scheduler.start()
    try:
        await _wait_for(lambda: len(calls) == 1)
        scheduler.wake()
        await _wait_for(lambda: len(calls) == 2)  # still ticking after the failure
    finally:
        scheduler.shutdown()
    count = len(calls)
    scheduler.wake()  # after shutdown: nothing happens
    await asyncio.sleep(0.05)
    assert len(calls) == count


async def test_interval_ticks_keep_coming() -> None:
    calls: list[int] = []

    async def tick() -> None:
        calls.append(1)

    scheduler = CycleScheduler(tick, every_seconds=1)
    scheduler.start()
    try:
        await _wait_for(lambda: len(calls) >= 2, within=5)
    finally:
        scheduler.shutdown()
