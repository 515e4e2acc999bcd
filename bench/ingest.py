"""Ingest against the storage limit.

Reply updates go through the full inbound path: a real Telegram ``Update`` decoded from
JSON -> the adapter's translation -> the dialog engine (identity, parsing, checks) -> the
durable commit of the submission and of the update id. The reference is the same database
kind (aiosqlite, WAL, synchronous=NORMAL) taking single-row committed inserts, in the same
run: chunks of 100 of each alternate, because the shared machine's speed drifts (a single
hop to aiosqlite's thread took from 20 to 100 µs between runs). Meanwhile a paced fan-out
drains the outbox and a probe measures event-loop lag. Every reporter replies once (the
first message of each: their membership and conversation are not cached yet).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
from telegram import Update

from bench.common import NOW, LoopLag, percentile, row, seed_workspace
from bot.app import build_services
from bot.channels.telegram.inbound import BotIdentity, message_event
from bot.core.clock import ManualClock
from bot.core.events import OutboundMessage
from bot.services.outbox import TELEGRAM_LIMITS, OutboxDispatcher

BOT = BotIdentity(id=999, username="baocao_bot")


def _update(i: int, user: int) -> dict[str, object]:
    # The name the reporter was seeded with: the bot learned it from an earlier message.
    name = f"Cán bộ {user - 100_000}"
    text = "1. Số buổi tuyên truyền, vận động: 5\n2. Số lượt người được tuyên truyền: 120\n3. Tiền vận động, ủng hộ: 2 triệu"
    return {
        "update_id": i,
        "message": {
            "message_id": i,
            "date": int(NOW.timestamp()),
            "chat": {"id": user, "type": "private", "first_name": name},
            "from": {"id": user, "is_bot": False, "first_name": name},
            "text": text,
        },
    }


class NullSender:
    async def send(self, message: OutboundMessage) -> None:
        await asyncio.sleep(0)


class RawInserts:
    """The reference: single-row committed inserts (aiosqlite, WAL, synchronous=NORMAL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.seconds = 0.0
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        await self._db.commit()

    async def run(self, n: int) -> None:
        assert self._db is not None
        payload = "x" * 300
        start = time.perf_counter()
        for _ in range(n):
            await self._db.execute("INSERT INTO t (v) VALUES (?)", (payload,))
            await self._db.commit()
        self.seconds += time.perf_counter() - start
        self.count += n

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()

    @property
    def rate(self) -> float:
        return self.count / self.seconds


@dataclass
class IngestResult:
    rate: float
    raw: float
    p99_ms: float
    lag_ms: float
    hops: float  # round trips to the database thread per reply


async def ingest(tmp: Path, n: int, fanout: int, chunk: int = 100) -> IngestResult:
    """``n`` replies, in chunks alternating with chunks of raw inserts (the machine's load
    drifts: both figures see the same), while a paced fan-out drains the outbox."""
    clock = ManualClock(NOW)
    raw = RawInserts(tmp / "raw.db")
    await raw.open()
    async with build_services(tmp / "bot.db", clock=clock) as services:
        await seed_workspace(services.store, n)
        async with services.store.transaction():
            for i in range(fanout):
                await services.store.outbox.enqueue(
                    "telegram", str(500_000 + i), "Nhắc việc", f"b{i}", NOW
                )
        dispatcher = OutboxDispatcher(
            services.store, clock, {"telegram": NullSender()}, {"telegram": TELEGRAM_LIMITS}
        )
        db = services.store.db
        worker = db._in_worker
        hops = 0

        async def counted(fn: Any) -> Any:
            nonlocal hops
            hops += 1
            return await worker(fn)

        payloads = [_update(i + 1, 100_000 + i) for i in range(n)]
        lag = LoopLag()
        lag.start()
        drain = asyncio.create_task(dispatcher.drain())
        latencies: list[float] = []
        elapsed = 0.0
        ours_hops = 0
        for first in range(0, n, chunk):
            await raw.run(chunk)
            hops = 0
            db._in_worker = counted  # type: ignore[method-assign]
            start = time.perf_counter()
            for data in payloads[first : first + chunk]:
                t = time.perf_counter()
                update = Update.de_json(data, None)
                assert update.message is not None
                event = message_event(update.message, BOT, clock.now())
                assert event is not None
                replies = await services.engine.handle(event)
                latencies.append(time.perf_counter() - t)
                assert replies and "✅" in replies[0].text, replies
            elapsed += time.perf_counter() - start
            db._in_worker = worker  # type: ignore[method-assign]
            ours_hops += hops  # (the fan-out's own statements included: a few per second)
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
        await lag.stop()
    await raw.close()
    return IngestResult(
        n / elapsed, raw.rate, percentile(latencies, 99) * 1000, lag.worst_ms, ours_hops / n
    )


async def main(quick: bool = False, fanout: int = 20000) -> list[str]:
    n = 1000 if quick else 2000
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        r = await ingest(Path(tmp), n, fanout)
    return [
        row(
            "ingest: replies committed per second",
            r.rate,
            r.raw,
            "upd/s",
            "≥ 50% of raw",
            r.rate >= 0.5 * r.raw,
        )
        + f"  ({1e6 / r.rate:.0f} µs a reply, {r.hops:.1f} round trips; raw insert {1e6 / r.raw:.0f} µs)",
        row("ingest: p99 update→commit (fan-out running)", r.p99_ms, 20.0, "ms", "< 20 ms",
            r.p99_ms < 20),
        row("event-loop lag, worst", r.lag_ms, 50.0, "ms", "< 50 ms", r.lag_ms < 50),
    ]  # fmt: skip


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
