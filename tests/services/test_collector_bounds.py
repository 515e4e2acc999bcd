"""Bounds of the process-wide collector pause, found in review: overlapping pauses, and
files made in a thread (not paused: a thread may run long)."""

from __future__ import annotations

import asyncio
import gc

import pytest

from bot.services import collector
from bot.services.collector import collector_paused


async def test_staggered_pauses_still_collect_the_young_generations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pauses of several tasks overlapping one after the other keep the collector off
    longer than any one of them; past MAX_OFF the young generations are collected at
    once, so other tasks' cycles never pile up."""
    assert gc.isenabled()
    monkeypatch.setattr(collector, "MAX_OFF", 0.1)
    collected: list[int] = []
    real = gc.collect

    def counted(generation: int = 2) -> int:
        collected.append(generation)
        return real(generation)

    monkeypatch.setattr(gc, "collect", counted)

    async def work() -> None:
        with collector_paused():
            await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(work())]
    for _ in range(40):  # a new 50 ms pause every 25 ms: the count never reaches zero
        await asyncio.sleep(0.025)
        tasks.append(asyncio.create_task(work()))
    await asyncio.gather(*tasks)
    assert gc.isenabled()
    assert len(collected) >= 5 and set(collected) == {1}  # about every 0.1 s, young only


async def test_a_pause_around_a_stuck_thread_never_ends() -> None:
    """in_thread pauses the collector for as long as the thread runs: a thread that does
    not return (nothing bounds in_thread) keeps the collector off for the whole process."""
    import threading

    from bot.services.exports.offload import in_thread

    gate = threading.Event()
    task = asyncio.create_task(in_thread(gate.wait, 5))
    await asyncio.sleep(0.2)
    off = not gc.isenabled()
    gate.set()
    await task
    assert not off, "collector off process-wide while a thread is stuck"
