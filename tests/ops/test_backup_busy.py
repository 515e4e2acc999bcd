"""A backup taken while many reports are being written restores to a database identical to
the source at the backup's moment.

"The source at that moment" is rebuilt by replay: every write here is one dialog-engine
transaction (a report, a correction, its confirmation) from one of many reporters writing
at once, and the engine is deterministic (a fixed clock, no randomness in these paths). A
clock that notes which event asked for the time records the order in which transactions
ran (each asks inside its transaction, and transactions run one at a time). The backup
must hold exactly a prefix of that order (checked through the ids it recorded in
``inbound_log``); replaying that prefix on a fresh database gives the expected state, which
must equal the restored backup table by table, row by row.

With about 10 MB of history the copy takes long enough that writers commit while it reads
(``after`` is typically well past the backup's prefix); those commits are not in it. No
assertion depends on that timing: only on the prefix, the replay and the gated writes that
surely come after.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import Services, build_services
from bot.core.events import Chat, InboundMessage, Sender
from bot.core.models import ChatKind, Role, Schedule
from bot.core.periods import PeriodType
from bot.core.presets import PRESETS
from storage.backup import backup_file, restore
from storage.db import load_migrations

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 11, 1, tzinfo=TZ)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # Tuesday of week 48: reports are open
REPORTERS = 48
HISTORY = 2500  # audit rows of 4 KB: a database of about 10 MB
GATED = 8  # reporters whose last step waits for the backup: writes surely follow it

_event: contextvars.ContextVar[str] = contextvars.ContextVar("event", default="")


class OrderClock:
    """A fixed moment; notes the event of each transaction, in the order they ran."""

    def __init__(self) -> None:
        self.order: list[str] = []

    def now(self) -> datetime:
        current = _event.get()
        if current and (not self.order or self.order[-1] != current):
            self.order.append(current)
        return NOW


async def seed(services: Services) -> None:
    store = services.store
    ws = await store.workspaces.create("Sao lưu khi bận", START)
    template = PRESETS["tayninh"].template
    await store.templates.save(ws.id, template.key, template.to_json(), "test", START)
    async with store.transaction():
        for i in range(REPORTERS):
            org = await store.orgs.add(ws.id, f"dv{i:03d}", f"Đơn vị {i}")
            await store.members.upsert(
                ws.id, "telegram", str(5000 + i), f"Cán bộ {i}", Role.REPORTER, org.id, START
            )
    await store.campaigns.create(
        ws.id, template.name, template.key, PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), START
    )
    # Some history, so the copy takes long enough for writes to land while it reads.
    async with store.transaction():
        for n in range(HISTORY):
            await store.audit.record(ws.id, "test", "history", f"{n:06d}" + "x" * 4000, START)


def event(i: int, step: int, text: str) -> InboundMessage:
    uid = str(5000 + i)
    return InboundMessage(
        chat=Chat("telegram", uid, ChatKind.PRIVATE),
        sender=Sender("telegram", uid, f"Cán bộ {i}"),
        message_id=f"{i}-{step}",
        text=text,
        at=NOW,
    )


def steps(i: int) -> list[InboundMessage]:
    """A report read cleanly (saved at once), a correction (asks to confirm), "1" (saved)."""
    return [
        event(
            i,
            1,
            f"1. Số buổi tuyên truyền, vận động: {i + 1}\n"
            f"2. Số lượt người được tuyên truyền: {100 + i}\n"
            f"3. Tiền vận động, ủng hộ: {i + 2} triệu",
        ),
        event(i, 2, f"1. Số buổi tuyên truyền, vận động: {i + 50}"),
        event(i, 3, "1"),
    ]


def key(message: InboundMessage) -> str:
    return f"{message.chat.chat_id}:{message.message_id}"


def table_contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
            if not r[0].startswith("sqlite_stat")  # query planner statistics, not data
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()


async def test_backup_during_busy_writes_restores_to_the_state_at_its_moment(
    tmp_path: Path,
) -> None:
    clock = OrderClock()
    source = tmp_path / "live" / "bot.db"
    snapshot = tmp_path / "backups" / "busy.db"
    by_key: dict[str, InboundMessage] = {}
    backup_done = asyncio.Event()
    async with build_services(source, clock=clock) as services:
        await seed(services)
        committed = asyncio.Event()
        answered: list[str] = []  # transactions whose call returned: committed

        async def reporter(i: int) -> None:
            for number, message in enumerate(steps(i), start=1):
                if number == 3 and i < GATED:
                    await backup_done.wait()
                by_key[key(message)] = message
                _event.set(key(message))
                replies = await services.engine.handle(message)
                answered.append(key(message))
                assert replies and "lỗi" not in replies[0].text.lower(), replies
                if len(answered) >= REPORTERS:
                    committed.set()

        writers = [asyncio.create_task(reporter(i)) for i in range(REPORTERS)]
        await committed.wait()
        # What the backup must hold at least: every transaction answered before it began.
        # (Those that ran but wait for their shared COMMIT, storage.db, may or may not be.)
        before = len(answered)
        # The backup runs in its own thread on its own connection while the writers go on.
        await asyncio.to_thread(backup_file, source, snapshot)
        after = len(clock.order)
        backup_done.set()
        await asyncio.gather(*writers)
    total = len(clock.order)
    assert total == 3 * REPORTERS
    assert before >= REPORTERS

    restored = tmp_path / "restored" / "bot.db"
    restore(snapshot, restored, load_migrations()[-1].version, NOW)
    got = table_contents(restored)

    # Which transactions the backup holds: exactly the first N of the order they ran in.
    seen = {row[1] for row in got["inbound_log"]}
    held = [k for k in clock.order if k in seen]
    assert seen == set(held)
    assert held == clock.order[: len(held)], "the backup is not a prefix of the commits"
    assert before <= len(held) <= after <= total - GATED

    # The expected state: the same seeding, then that prefix replayed in order.
    replay = tmp_path / "replay" / "bot.db"
    async with build_services(replay, clock=OrderClock()) as services:
        await seed(services)
        for k in held:
            await services.engine.handle(by_key[k])
    expected = table_contents(replay)
    assert got.keys() == expected.keys()
    for table in expected:
        assert got[table] == expected[table], table
    assert len(got["submission_versions"]) > 0
    # And not the final state: writes went on after the snapshot.
    assert table_contents(source)["inbound_log"] != got["inbound_log"]
