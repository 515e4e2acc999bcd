"""The outbox dispatcher: smooth pacing within platform limits, retries, permanent failures.

Time is simulated: ``sleep`` advances a fake monotonic clock, so pacing is measured exactly
and the tests never wait."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.core.events import OutboundMessage
from bot.services.outbox import TELEGRAM_LIMITS, DeliveryError, OutboxDispatcher
from storage.sqlite import SqliteStore, open_store

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


class RecordingSender:
    """Records (time, chat) and fails according to a script of exceptions per chat."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sent: list[tuple[float, str]] = []
        self.faults: dict[str, list[DeliveryError]] = {}

    async def send(self, message: OutboundMessage) -> None:
        script = self.faults.get(message.chat_id)
        if script:
            raise script.pop(0)
        self.sent.append((self.time.t, message.chat_id))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await open_store(tmp_path / "o.db")
    try:
        yield s
    finally:
        await s.close()


def _dispatcher(
    store: SqliteStore, clock: ManualClock, time: FakeTime, sender: RecordingSender
) -> OutboxDispatcher:
    return OutboxDispatcher(
        store,
        clock,
        {"telegram": sender},
        {"telegram": TELEGRAM_LIMITS},
        sleep=time.sleep,
        monotonic=time.monotonic,
    )


async def test_fan_out_is_paced_at_29_per_second_without_bursts(store: SqliteStore) -> None:
    clock, time = ManualClock(NOW), FakeTime()
    sender = RecordingSender(time)
    for i in range(300):
        await store.outbox.enqueue("telegram", str(1000 + i), "prompt", f"k{i}", NOW)
    assert await _dispatcher(store, clock, time, sender).drain(batch=100) == 300
    times = [t for t, _ in sender.sent]
    assert len(times) == 300
    # Never more than 30 in any one-second window, and the whole run near 299/29 s.
    assert max(sum(1 for u in times if t <= u <= t + 1) for t in times) <= 30
    assert all(b - a >= 1 / 29 - 1e-9 for a, b in itertools.pairwise(times))
    assert times[-1] == pytest.approx(299 / 29, rel=0.01)
    assert await store.outbox.pending() == []


async def test_slow_sends_keep_the_grid_without_catching_up_in_a_burst(
    store: SqliteStore,
) -> None:
    """A send slower than the interval delays the next one (no overlap, no burst after),
    and a timer waking late does not push every later slot back."""
    clock, time = ManualClock(NOW), FakeTime()

    class SlowSender(RecordingSender):
        async def send(self, message: OutboundMessage) -> None:
            await super().send(message)
            # Every tenth send takes 0.2 s (a slow answer), the others 5 ms.
            self.time.t += 0.2 if len(self.sent) % 10 == 0 else 0.005

    sender = SlowSender(time)
    for i in range(100):
        await store.outbox.enqueue("telegram", str(1000 + i), "prompt", f"k{i}", NOW)
    assert await _dispatcher(store, clock, time, sender).drain() == 100
    times = [t for t, _ in sender.sent]
    assert all(b - a >= 1 / 29 - 1e-9 for a, b in itertools.pairwise(times))
    assert max(sum(1 for u in times if t <= u <= t + 1) for t in times) <= 30
    # Nine slots of 1/29 s and one slow send of 0.2 s per ten messages, nothing more.
    assert times[-1] == pytest.approx(10 * (9 / 29 + 0.205), rel=0.05)


async def test_group_gets_at_most_20_a_minute_and_private_one_a_second(store: SqliteStore) -> None:
    clock, time = ManualClock(NOW), FakeTime()
    sender = RecordingSender(time)
    for i in range(30):
        await store.outbox.enqueue("telegram", "g1", f"m{i}", f"g{i}", NOW, group=True)
        await store.outbox.enqueue("telegram", "77", f"m{i}", f"p{i}", NOW)
    await _dispatcher(store, clock, time, sender).drain()
    group = [t for t, c in sender.sent if c == "g1"]
    private = [t for t, c in sender.sent if c == "77"]
    assert len(group) == 30 and len(private) == 30
    assert all(b - a >= 3.0 - 1e-9 for a, b in itertools.pairwise(group))
    assert max(sum(1 for u in group if t <= u < t + 60) for t in group) <= 20
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(private))


async def test_retry_after_pauses_the_channel_and_the_row_is_sent_later(store: SqliteStore) -> None:
    clock, time = ManualClock(NOW), FakeTime()
    sender = RecordingSender(time)
    sender.faults["5"] = [DeliveryError("429", permanent=False, retry_after=7)]
    await store.outbox.enqueue("telegram", "5", "x", "k1", NOW)
    await store.outbox.enqueue("telegram", "6", "y", "k2", NOW)
    dispatcher = _dispatcher(store, clock, time, sender)
    await dispatcher.drain()
    assert [c for _, c in sender.sent] == []  # paused after the 429, nothing else rushed out
    clock.advance(timedelta(seconds=3))
    await dispatcher.drain()
    sent_chats = [c for _, c in sender.sent]
    assert "5" not in sent_chats  # its retry time (7 s) has not come
    clock.advance(timedelta(seconds=5))
    await dispatcher.drain()
    assert sorted(c for _, c in sender.sent) == ["5", "6"]
    assert await store.outbox.pending() == []


async def test_transient_errors_back_off_and_permanent_ones_stop(store: SqliteStore) -> None:
    clock, time = ManualClock(NOW), FakeTime()
    sender = RecordingSender(time)
    sender.faults["1"] = [
        DeliveryError("500", permanent=False),
        DeliveryError("timeout", permanent=False),
    ]
    sender.faults["2"] = [DeliveryError("403 blocked", permanent=True)]
    await store.outbox.enqueue("telegram", "1", "a", "k1", NOW)
    await store.outbox.enqueue("telegram", "2", "b", "k2", NOW)
    dispatcher = _dispatcher(store, clock, time, sender)
    await dispatcher.drain()
    assert sender.sent == []
    clock.advance(timedelta(seconds=2))  # first backoff: 2 s
    await dispatcher.drain()
    assert sender.sent == []  # second failure: next backoff 4 s
    clock.advance(timedelta(seconds=3))
    await dispatcher.drain()
    assert sender.sent == []
    clock.advance(timedelta(seconds=2))
    await dispatcher.drain()
    assert [c for _, c in sender.sent] == ["1"]
    failures = await store.outbox.failures()
    assert [(f.chat_id, f.last_error) for f in failures] == [("2", "403 blocked")]
    clock.advance(timedelta(days=1))
    await dispatcher.drain()
    assert [c for _, c in sender.sent] == ["1"]  # the blocked chat is never retried


async def test_rows_held_for_quiet_hours_wait(store: SqliteStore) -> None:
    clock, time = ManualClock(NOW), FakeTime()
    sender = RecordingSender(time)
    await store.outbox.enqueue("telegram", "1", "a", "k1", NOW, not_before=NOW + timedelta(hours=6))
    dispatcher = _dispatcher(store, clock, time, sender)
    assert await dispatcher.drain() == 0
    clock.advance(timedelta(hours=6))
    assert await dispatcher.drain() == 1


def test_soonest_row_is_the_one_a_full_scan_would_pick() -> None:
    """The pick stops early at a row that only waits for the overall interval; it must
    still choose exactly what the minimum over every row (first on ties) chooses."""
    import random

    from bot.services.outbox import ChannelLimits, Pacer

    rng = random.Random(7)
    limits = ChannelLimits(overall_interval=0.05, private_interval=1.0, group_interval=3.0)
    for _ in range(300):
        pacer = Pacer(limits)
        now = 100.0
        chats = [f"c{rng.randrange(8)}" for _ in range(rng.randrange(1, 12))]
        for _ in range(rng.randrange(0, 10)):  # some chats were written to lately
            chat = f"c{rng.randrange(8)}"
            pacer.sent(chat, chat in ("c0", "c1"), now - rng.random(), now - rng.random() * 2)
        now += rng.choice([0.0, 0.01, 0.5])
        expected = min(range(len(chats)), key=lambda i: (pacer.delay(chats[i], now), i))
        assert pacer.soonest(iter(chats), now) == expected
