"""Shared helpers for the benchmarks: a seeded workspace, timing, event-loop lag."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.models import Role, Schedule
from bot.core.periods import PeriodType
from bot.core.presets import PRESETS
from storage.sqlite import SqliteStore

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Tuesday of week 48/2026, after the prompt and before the deadline.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


async def seed_workspace(store: SqliteStore, units: int, channel: str = "telegram") -> int:
    """A workspace with ``units`` organizations, one reporter each, and the weekly campaign
    of the Tây Ninh preset. Returns the campaign id."""
    start = datetime(2026, 11, 1, tzinfo=TZ)
    ws = await store.workspaces.create("Benchmark", start)
    template = PRESETS["tayninh"].template
    await store.templates.save(ws.id, template.key, template.to_json(), "bench", start)
    async with store.transaction():
        for i in range(units):
            org = await store.orgs.add(ws.id, f"u{i:05d}", f"Đơn vị {i}")
            await store.members.upsert(
                ws.id, channel, str(100_000 + i), f"Cán bộ {i}", Role.REPORTER, org.id, start
            )
    campaign = await store.campaigns.create(
        ws.id, template.name, template.key, PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), start
    )
    return campaign.id


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class LoopLag:
    """Samples how late a 10 ms sleep wakes up: the event loop's responsiveness."""

    samples: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            self.samples.append(time.perf_counter() - t - 0.01)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def worst_ms(self) -> float:
        return max(self.samples, default=0.0) * 1000


def row(name: str, ours: float, reference: float, unit: str, target: str, met: bool) -> str:
    ratio = ours / reference if reference else float("nan")
    mark = "✓" if met else "✗"
    return f"{name:<44} {ours:>12.1f} {unit:<10} ref {reference:>12.1f}  ratio {ratio:5.2f}  target {target:<22} {mark}"


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def tmpdir_path(base: Path, name: str) -> Path:
    path = base / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
