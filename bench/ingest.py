"""Ingest against the storage limit.

Reply updates go through the full inbound path: a real Telegram ``Update`` decoded from
JSON -> the update processor the bot uses (``OrderedUpdateProcessor``: chats concurrently,
each in order) -> the adapter's translation -> the dialog engine (identity, parsing,
checks) -> the durable commit of the submission and of the update id (fsynced before the
reply, ``storage.db.WalSync``). Every reporter replies once: the week's first report of
each. The workspace (units, reporters, campaign) is stored first, then the bot starts on
it, as at a real deadline, where reporters were bound days or weeks before and the bot
read memberships, units and the dialogs in progress when it started
(``SqliteStore.warm``); each reporter's reports are read as their replies come.

Throughput: batches of 100 updates (what one ``getUpdates`` returns at most), each batch
handled the way the poller does, all at once through the processor. The reference is the
storage limit for the same guarantee: raw aiosqlite single-row inserts, each committed and
on disk before the next (WAL, ``synchronous=FULL``), into a database in the same directory.
Chunks of each alternate, because the shared machine's speed drifts. The same inserts with
``synchronous=NORMAL`` (committed, not on disk: what the bot did before its writes were
made durable) are printed beside, for comparison.

Latency: updates arriving one by one at a steady 100 a second (a heavier burst than a
national deadline, ~6 a second over its last hour), each timed from its arrival to its
commit. Meanwhile a paced fan-out drains the outbox and a probe measures event-loop lag.

The databases live under ``data/`` (the bot's own data directory), not ``/tmp``, which may
be a RAM disk where an fsync costs nothing.
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
from bot.app import build_services, settle_heap
from bot.channels.telegram.inbound import BotIdentity, message_event
from bot.channels.telegram.processor import OrderedUpdateProcessor
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
    """The reference: single-row inserts, each committed before the next (aiosqlite, WAL)."""

    def __init__(self, path: Path, synchronous: str) -> None:
        self.path = path
        self.synchronous = synchronous
        self.count = 0
        self.seconds = 0.0
        self._db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self._db = await aiosqlite.connect(self.path)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute(f"PRAGMA synchronous={self.synchronous}")
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
    raw: float  # durable (synchronous=FULL)
    raw_normal: float  # committed, not synced
    p99_ms: float
    lag_ms: float
    hops: float  # round trips to the database thread per reply
    fsyncs: float  # WAL fsyncs per reply


async def ingest(
    tmp: Path, n: int, fanout: int, batch: int = 100, paced: int = 500
) -> IngestResult:
    """``n`` replies in batches, alternating with chunks of raw inserts (the machine's load
    drifts: both figures see the same), then ``paced`` replies arriving at 100 a second;
    a paced fan-out drains the outbox throughout."""
    clock = ManualClock(NOW)
    raw = RawInserts(tmp / "raw.db", "FULL")
    raw_normal = RawInserts(tmp / "raw-normal.db", "NORMAL")
    await raw.open()
    await raw_normal.open()
    processor = OrderedUpdateProcessor()
    async with build_services(tmp / "bot.db", clock=clock) as seeding:
        await seed_workspace(seeding.store, n + paced)
    async with build_services(tmp / "bot.db", clock=clock) as services, processor:
        settle_heap()  # as the bot does once ready (bot.app.settle_heap)
        async with services.store.transaction():
            for i in range(fanout):
                await services.store.outbox.enqueue(
                    "telegram", str(500_000 + i), "Nhắc việc", f"b{i}", NOW
                )
        dispatcher = OutboxDispatcher(
            services.store, clock, {"telegram": NullSender()}, {"telegram": TELEGRAM_LIMITS}
        )
        db = services.store.db
        wal = db._wal
        assert wal is not None
        worker = db._in_worker
        hops = 0

        async def counted(fn: Any) -> Any:
            nonlocal hops
            hops += 1
            return await worker(fn)

        async def reply(data: dict[str, object], latencies: list[float] | None) -> None:
            arrived = time.perf_counter()
            update = Update.de_json(data, None)

            async def handle() -> None:
                assert update.message is not None
                event = message_event(update.message, BOT, clock.now())
                assert event is not None
                replies = await services.engine.handle(event)
                assert replies and "✅" in replies[0].text, replies

            await processor.process_update(update, handle())
            if latencies is not None:
                latencies.append(time.perf_counter() - arrived)

        payloads = [_update(i + 1, 100_000 + i) for i in range(n + paced)]
        lag = LoopLag()
        lag.start()
        drain = asyncio.create_task(dispatcher.drain())
        elapsed = 0.0
        ours_hops = 0
        fsyncs = wal.fsyncs
        for first in range(0, n, batch):
            await raw.run(batch)
            await raw_normal.run(batch)
            hops = 0
            db._in_worker = counted  # type: ignore[method-assign]
            start = time.perf_counter()
            await asyncio.gather(*(reply(d, None) for d in payloads[first : first + batch]))
            elapsed += time.perf_counter() - start
            db._in_worker = worker  # type: ignore[method-assign]
            ours_hops += hops  # (the fan-out's own statements included: a few per second)
        fsyncs = wal.fsyncs - fsyncs
        # Latency: one arrival every 10 ms, each handled as it comes.
        latencies: list[float] = []
        tasks = []
        for data in payloads[n:]:
            tasks.append(asyncio.create_task(reply(data, latencies)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
        await lag.stop()
    await raw.close()
    await raw_normal.close()
    return IngestResult(
        n / elapsed,
        raw.rate,
        raw_normal.rate,
        percentile(latencies, 99) * 1000,
        lag.worst_ms,
        ours_hops / n,
        fsyncs / n,
    )


async def main(quick: bool = False, fanout: int = 20000) -> list[str]:
    n = 1000 if quick else 3000
    await asyncio.to_thread(Path("data").mkdir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir="data") as tmp:
        r = await ingest(Path(tmp), n, fanout, paced=300 if quick else 1000)
    return [
        row(
            "ingest: replies committed per second",
            r.rate,
            r.raw,
            "upd/s",
            "≥ 50% of raw",
            r.rate >= 0.5 * r.raw,
        )
        + f"  ({1e6 / r.rate:.0f} µs a reply, {r.hops:.1f} round trips, {r.fsyncs:.2f} fsyncs;"
        f" raw durable insert {1e6 / r.raw:.0f} µs; not synced {1e6 / r.raw_normal:.0f} µs,"
        f" ratio to it {r.rate / r.raw_normal:.2f})",
        row("ingest: p99 arrival→commit, 100/s, fan-out", r.p99_ms, 20.0, "ms", "< 20 ms",
            r.p99_ms < 20),
        row("event-loop lag, worst", r.lag_ms, 50.0, "ms", "< 50 ms", r.lag_ms < 50),
    ]  # fmt: skip


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
