"""The cyclic collector paused during bulk work (``bot.services.collector``)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from bot.services.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


def test_paused_then_enabled_again_even_after_an_error() -> None:
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()


async def test_overlapping_pauses_enable_it_when_the_last_ends() -> None:
    gc.enable()
    first_in = asyncio.Event()
    release = asyncio.Event()

    async def long_one() -> None:
        with collector_paused():
            first_in.set()
            await release.wait()

    task = asyncio.create_task(long_one())
    await first_in.wait()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other pause is still running
    release.set()
    await task
    assert gc.isenabled()


def test_a_collector_disabled_by_someone_else_stays_disabled() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
