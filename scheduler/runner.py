"""APScheduler wiring: wakes the cycle service; the truth lives in storage.

The job only says "look at what is due now"; which steps run is decided by
``CycleService.run_due`` from the saved cycle state, so a tick that fires twice, late, or
after a restart is harmless. ``coalesce`` folds missed ticks into one and a generous
``misfire_grace_time`` keeps a late tick rather than dropping it. The memory job store is
enough because nothing about the schedule lives in it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)


class CycleScheduler:
    def __init__(self, tick: Callable[[], Awaitable[None]], every_seconds: int) -> None:
        self._tick = tick
        self._scheduler = AsyncIOScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}
        )
        self._every = every_seconds

    async def _run(self) -> None:
        try:
            await self._tick()
        except Exception:
            log.exception("cycle tick failed; the next tick retries from saved state")

    def start(self) -> None:
        """Starts ticking; the first tick runs at once so start-up catches up what is due."""
        self._scheduler.add_job(
            self._run,
            IntervalTrigger(seconds=self._every),
            id="cycle",
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()

    def wake(self) -> None:
        """Tick now (e.g. right after an admin changed a schedule), then keep the interval.
        A tick already running is not doubled: the job allows one instance at a time."""
        if self._scheduler.running:
            self._scheduler.modify_job("cycle", next_run_time=datetime.now(UTC))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
