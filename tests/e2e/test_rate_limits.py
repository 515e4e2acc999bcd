"""The production rate limiter against a Bot API as strict as the one measured in DESIGN.md
§4 (sliding windows: 30 messages a second overall, 1 a second per private chat, 20 a minute
per group; the excess answered 429 with ``retry_after``).

A fan-out through the outbox and ``build_telegram``'s own limiter (not the tests' unpaced
one): 120 private prompts, a prompt to each of four reporting groups, a digest in two parts
to the leadership group and two admins who get a two-part digest privately. No 429, and
the whole runs near the allowed rate (a generous bound, not a benchmark)."""

from __future__ import annotations

import time
from pathlib import Path

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.ratelimit import GROUP_INTERVAL, OVERALL_INTERVAL, PRIVATE_INTERVAL
from tests.e2e.conftest import at, live_bot

PRIVATE = 120
GROUPS = (-100301, -100302, -100303, -100304)
LEADERS = -100399
ADMINS = (6001, 6002)
FIRST_USER = 7000
LONG = "\n".join(f"{i}. Dòng tổng hợp số {i}: 1.200 buổi, 45,5 triệu đồng" for i in range(110))


async def test_fan_out_with_the_production_limiter_draws_no_429(tmp_path: Path) -> None:
    assert len(LONG) > 4096  # two parts
    async with live_bot(tmp_path, webhook=False, paced=True) as live:
        api = live.api
        windows = api.strict_limits()
        for i in range(PRIVATE):
            api.user(FIRST_USER + i, f"Cán bộ {i}")
        for admin in ADMINS:
            api.user(admin, "Quản trị")
        for g in (*GROUPS, LEADERS):
            api.group(g, f"Nhóm {g}")
        services = live.runtime.services
        assert services is not None
        now = at(23, 8)
        enqueue = services.store.outbox.enqueue
        # As the cycle enqueues them: the groups first, then every reporter privately.
        for g in GROUPS:
            await enqueue(
                CHANNEL, str(g), "📊 Đề nghị các đơn vị báo cáo", f"g{g}", now, group=True
            )
        await enqueue(CHANNEL, str(LEADERS), LONG, "digest", now, group=True)
        for admin in ADMINS:
            await enqueue(CHANNEL, str(admin), LONG, f"digest{admin}", now)
        for i in range(PRIVATE):
            await enqueue(CHANNEL, str(FIRST_USER + i), f"📊 Đề nghị báo cáo {i}", f"p{i}", now)

        started = time.monotonic()
        await live.tick(now)
        elapsed = time.monotonic() - started

        assert windows.rejections == []
        messages = PRIVATE + len(GROUPS) + 2 + 2 * len(ADMINS)
        assert len(windows.arrivals) == messages
        assert await services.store.outbox.pending(CHANNEL) == []
        # Near the allowed rate: the overall pace, plus the waits of the second parts (the
        # outbox sends one message at a time), with ample room for a slow machine.
        allowed = messages * OVERALL_INTERVAL + GROUP_INTERVAL + len(ADMINS) * PRIVATE_INTERVAL
        assert elapsed < 1.5 * allowed + 2, (elapsed, allowed)
