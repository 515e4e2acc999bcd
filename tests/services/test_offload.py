"""Files made in a child process (bot/services/exports/offload.py): the result comes back,
the work really ran elsewhere, and a stuck child is ended within its time limit."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import date

import pytest

from bot.core.periods import Period, PeriodType
from bot.core.rollup import Span
from bot.services.exports.charts import rollup_chart
from bot.services.exports.offload import ChildProcess, in_thread
from tests.reports.sample import build_province


def _pid_and_sum(a: int, b: int) -> tuple[int, int]:
    return os.getpid(), a + b


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


async def test_a_child_runs_the_function_and_exits() -> None:
    child = ChildProcess(timeout=60)
    pid, total = await child(_pid_and_sum, 2, 3)
    assert total == 5 and pid != os.getpid()
    pid2, _ = await child(_pid_and_sum, 1, 1)
    assert pid2 != pid  # a fresh child each time: its memory went back with it


async def test_a_chart_made_in_a_child_is_the_same_png_as_in_a_thread() -> None:
    r = build_province().rollup(Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1))))
    there = await ChildProcess(timeout=120)(rollup_chart, r)
    here = await in_thread(rollup_chart, r)
    assert there.startswith(b"\x89PNG") and len(there) > 10_000
    assert len(there) == pytest.approx(len(here), rel=0.05)


async def test_a_stuck_child_is_ended() -> None:
    child = ChildProcess(timeout=2)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await child(_sleep, 60)
    assert time.monotonic() - started < 30
    # The bot goes on: the next file is made.
    _, total = await asyncio.wait_for(child(_pid_and_sum, 4, 4), 60)
    assert total == 8


def _imported(name: str) -> tuple[int, bool]:
    import sys

    return os.getpid(), name in sys.modules


async def test_a_warmed_child_has_imported_its_modules_before_the_call() -> None:
    """``warm`` starts the child of a function's module ahead (``/xuat`` does it before the
    roll-up): the call runs there, the modules already imported; other calls get a fresh
    child; an unused warm child ends after its time."""
    child = ChildProcess(timeout=60, spare_seconds=30)
    # xml.dom.minidom is not imported by a bare spawned interpreter nor by this module.
    _, before = await child(_imported, "xml.dom.minidom")
    assert not before
    child.warm([__name__, "xml.dom.minidom"])
    pid, warmed = await child(_imported, "xml.dom.minidom")
    assert warmed and pid != os.getpid()
    _, again = await child(_imported, "xml.dom.minidom")  # the warm child was used once
    assert not again
    child.warm(["json", "xml.dom.minidom"])  # for another module's function: not used here
    _, other = await child(_imported, "xml.dom.minidom")
    assert not other
    child.close()  # the waiting child ends with the bot
    assert child._spares == {}


async def test_an_unused_warm_child_ends_after_its_time() -> None:
    child = ChildProcess(timeout=60, spare_seconds=0.2)
    child.warm([__name__])
    assert child._spares
    await asyncio.sleep(0.5)
    assert child._spares == {}
