"""Crash test: the real bot process (`python -m bot`), polling the fake Bot API, takes a
stream of replies while it sends a fan-out of prompts, and is killed with SIGKILL at random
moments and restarted, several times.

Afterwards, counted at the fake server and in the database:
- every reply the bot acknowledged ("✅ Đã ghi nhận") is stored exactly once, and no reply is
  stored twice (redelivered updates are recognised);
- every prompt reached its reporter, and the duplicates are no more than the documented
  window allows: at most one message per kill (sent by Telegram, not yet marked sent).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.models import Role, Schedule
from bot.core.periods import Period, PeriodType
from bot.core.presets import PRESETS
from storage.sqlite import open_store
from tests.fakes.telegram_api import TOKEN, FakeBotApi, FakeBotApiServer

TZ = "Asia/Ho_Chi_Minh"
REPORTERS = 120
REPLIES = 60
KILLS = 4
FIRST_USER = 5000


async def _seed(db: Path) -> None:
    """A workspace whose weekly prompt is due right now: one organization per reporter,
    reporters reached privately (no group), no quiet hours (the test runs at any hour)."""
    now = datetime.now(UTC)
    week = Period.at(PeriodType.WEEK, now, TZ)
    since_start = now.astimezone(ZoneInfo(TZ)).replace(tzinfo=None) - datetime.combine(
        week.start, datetime.min.time()
    )
    open_offset = max(timedelta(0), since_start - timedelta(minutes=10))
    schedule = Schedule(
        open_offset=open_offset,
        deadline_offset=open_offset + timedelta(days=3),
        reminder_offsets=(),
        warning_before=None,
        lock_after=timedelta(days=7),
        quiet_start=None,
        quiet_end=None,
    )
    store = await open_store(db)
    try:
        ws = await store.workspaces.create("Nhóm thử", now)
        template = PRESETS["tayninh"].template
        await store.templates.save(ws.id, template.key, template.to_json(), "test", now)
        for i in range(REPORTERS):
            org = await store.orgs.add(ws.id, f"dv{i:03d}", f"Đơn vị {i}")
            await store.members.upsert(
                ws.id, "telegram", str(FIRST_USER + i), f"Cán bộ {i}", Role.REPORTER, org.id, now
            )
        await store.campaigns.create(
            ws.id, "Báo cáo tuần", template.key, PeriodType.WEEK, TZ, schedule,
            week.moment(open_offset, TZ) - timedelta(minutes=5),
        )  # fmt: skip
    finally:
        await store.close()


async def test_sigkill_loses_no_acknowledged_reply_and_duplicates_stay_in_the_window(
    tmp_path: Path,
) -> None:
    rng = random.Random(48)
    data = tmp_path / "data"
    await _seed(data / "bot.db")
    api = FakeBotApi()
    for i in range(REPORTERS):
        api.user(FIRST_USER + i, f"Cán bộ {i}")
    server = FakeBotApiServer(api)
    await server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "BOT_DATA_DIR": str(data),
        "BOT_TICK_SECONDS": "5",
        "BOT_LOG_LEVEL": "WARNING",
    }

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip

    sent_ids: list[int] = []

    async def replies() -> None:
        # Reporters answer the prompt while the bot is (re)starting and crashing.
        for i in range(REPLIES):
            sent_ids.append(api.message(FIRST_USER + i, None, f"1. Số buổi tuyên truyền: {i + 1}"))
            await asyncio.sleep(rng.uniform(0.02, 0.15))

    proc = await start()
    feeder = asyncio.create_task(replies())
    kills = 0
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), 30)
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.5, 2.5))
            proc.send_signal(signal.SIGKILL)
            await asyncio.wait_for(proc.wait(), 10)
            kills += 1
            proc = await start()
        await asyncio.wait_for(feeder, 60)

        def prompted(chat: int) -> int:
            return sum(1 for t in api.texts(chat) if "Đề nghị các đơn vị báo cáo" in t)

        # The last process finishes the fan-out and works through the redelivered replies.
        await api.wait_until(
            lambda: (
                all(prompted(FIRST_USER + i) >= 1 for i in range(REPORTERS))
                and api.pending_updates == 0
            ),
            within=120,
        )
        await asyncio.sleep(2)  # let the answers to the last updates go out
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
    finally:
        feeder.cancel()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()

    # Prompts: everyone got one; extra copies only from the crash window (≤ one per kill).
    extra = sum(prompted(FIRST_USER + i) - 1 for i in range(REPORTERS))
    assert extra <= kills, extra

    # Replies: what the bot acknowledged is stored exactly once; nothing is stored twice.
    store = await open_store(data / "bot.db")
    try:
        campaign = (await store.campaigns.list_active())[0]
        week = Period.at(PeriodType.WEEK, datetime.now(UTC), TZ)
        stored = {v.org_id: v for v in await store.submissions.current(campaign.id, week)}
        versions = []
        for org_id in stored:
            versions.extend(await store.submissions.history(campaign.id, week, org_id))
    finally:
        await store.close()
    by_message: dict[str, int] = {}
    for v in versions:
        by_message[f"{v.user_id}:{v.message_id}"] = (
            by_message.get(f"{v.user_id}:{v.message_id}", 0) + 1
        )
    assert all(n == 1 for n in by_message.values()), by_message
    acknowledged = [
        i for i in range(REPLIES) if any("✅ Đã ghi nhận" in t for t in api.texts(FIRST_USER + i))
    ]
    for i in acknowledged:
        assert f"{FIRST_USER + i}:{sent_ids[i]}" in by_message, i
    # Most replies are acknowledged; those whose answer died with a process are stored all
    # the same (their redelivery is recognised and not answered twice). A batch's updates
    # are handled concurrently, so a kill can catch several between commit and answer: the
    # backlog of a restart (one to two seconds of replies) comes as one batch, and on a busy
    # machine (a CI run beside other work: 37 of 60 once) the next kill may come while that
    # batch is still being answered. Half is the bound: an answer path that stopped working
    # would acknowledge none.
    assert len(by_message) == REPLIES
    assert len(acknowledged) >= REPLIES // 2
