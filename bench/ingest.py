"""Ingest against the storage limit.

Reply updates go through the full inbound path: a real Telegram ``Update`` decoded from
JSON -> the adapter's translation -> the dialog engine (identity, parsing, checks) -> the
durable commit of the submission and of the update id. The reference is the same database
kind (aiosqlite, WAL, synchronous=NORMAL) taking single-row committed inserts, in the same
run. Meanwhile a paced fan-out drains the outbox and a probe measures event-loop lag.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

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
    text = "1. Số buổi tuyên truyền, vận động: 5\n2. Số lượt người được tuyên truyền: 120\n3. Tiền vận động, ủng hộ: 2 triệu"
    return {
        "update_id": i,
        "message": {
            "message_id": i,
            "date": int(NOW.timestamp()),
            "chat": {"id": user, "type": "private", "first_name": "Cán bộ"},
            "from": {"id": user, "is_bot": False, "first_name": "Cán bộ"},
            "text": text,
        },
    }


class NullSender:
    async def send(self, message: OutboundMessage) -> None:
        await asyncio.sleep(0)


async def raw_inserts(path: Path, n: int) -> float:
    async with aiosqlite.connect(path) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        await db.commit()
        payload = "x" * 300
        start = time.perf_counter()
        for _ in range(n):
            await db.execute("INSERT INTO t (v) VALUES (?)", (payload,))
            await db.commit()
        return n / (time.perf_counter() - start)


async def ingest(path: Path, n: int, fanout: int) -> tuple[float, float, float]:
    clock = ManualClock(NOW)
    async with build_services(path, clock=clock) as services:
        await seed_workspace(services.store, n)
        for i in range(fanout):
            await services.store.outbox.enqueue(
                "telegram", str(500_000 + i), "Nhắc việc", f"b{i}", NOW
            )
        dispatcher = OutboxDispatcher(
            services.store, clock, {"telegram": NullSender()}, {"telegram": TELEGRAM_LIMITS}
        )
        payloads = [_update(i + 1, 100_000 + i) for i in range(n)]
        lag = LoopLag()
        lag.start()
        drain = asyncio.create_task(dispatcher.drain())
        latencies: list[float] = []
        start = time.perf_counter()
        for data in payloads:
            t = time.perf_counter()
            update = Update.de_json(data, None)
            assert update.message is not None
            event = message_event(update.message, BOT, clock.now())
            assert event is not None
            replies = await services.engine.handle(event)
            latencies.append(time.perf_counter() - t)
            assert replies and "✅" in replies[0].text, replies
        elapsed = time.perf_counter() - start
        drain.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
        await lag.stop()
        return n / elapsed, percentile(latencies, 99) * 1000, lag.worst_ms


async def main(quick: bool = False, fanout: int = 20000) -> list[str]:
    n = 1000 if quick else 2000
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        raw = await raw_inserts(Path(tmp) / "raw.db", n)
        rate, p99, lag = await ingest(Path(tmp) / "bot.db", n, fanout)
    return [
        row(
            "ingest: replies committed per second",
            rate,
            raw,
            "upd/s",
            "≥ 50% of raw",
            rate >= 0.5 * raw,
        ),
        row("ingest: p99 update→commit (fan-out running)", p99, 20.0, "ms", "< 20 ms", p99 < 20),
        row("event-loop lag, worst", lag, 50.0, "ms", "< 50 ms", lag < 50),
    ]


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
