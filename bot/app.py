"""The composition root: settings -> database -> repositories -> services -> channels.

Nothing here runs at import. ``build_services`` wires the channel-neutral parts (used by the
sandbox, the tests and, later, Telegram and Zalo); ``main_run`` picks the channels from the
settings and runs them until interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TextIO

from bot.channels.sandbox import Sandbox, interactive
from bot.config import Settings
from bot.core.clock import Clock, ManualClock, OffsetClock
from bot.services.cycle import CycleService
from bot.services.dialog import INVITE_ALPHABET, DialogEngine, EngineConfig, new_invite_code
from bot.services.digests import DigestService
from bot.services.outbox import ChannelSender, OutboxDispatcher
from bot.services.templates import TemplateService
from scheduler.runner import CycleScheduler
from storage.sqlite import SqliteStore, open_store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    store: SqliteStore
    clock: Clock
    templates: TemplateService
    digests: DigestService
    cycle: CycleService
    engine: DialogEngine
    owners: set[tuple[str, str]]

    def dispatcher(self, senders: dict[str, ChannelSender]) -> OutboxDispatcher:
        return OutboxDispatcher(self.store, self.clock, senders)


def seeded_codes(seed: int) -> Callable[[], str]:
    """Invite codes from a seeded generator, so transcripts replay identically."""
    rng = random.Random(seed)
    return lambda: "".join(rng.choice(INVITE_ALPHABET) for _ in range(6))


@contextlib.asynccontextmanager
async def build_services(
    database: Path,
    *,
    clock: Clock,
    owners: set[tuple[str, str]] | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
    new_code: Callable[[], str] = new_invite_code,
) -> AsyncIterator[Services]:
    store = await open_store(database)
    try:
        owner_set = owners if owners is not None else set()
        templates = TemplateService(store)
        digests = DigestService(store, templates)
        cycle = CycleService(store, templates, digests)
        engine = DialogEngine(
            store,
            clock,
            templates,
            digests,
            # The engine keeps a reference to this set, so the sandbox's @owner lines apply.
            EngineConfig(owners=owner_set, timezone=timezone),
            new_code=new_code,
        )
        yield Services(store, clock, templates, digests, cycle, engine, owner_set)
    finally:
        await store.close()


def make_sandbox(
    services: Services,
    out: TextIO,
    timezone: str,
    *,
    message_prefix: str = "m",
    echo_input: bool = False,
) -> Sandbox:
    return Sandbox(
        handle=services.engine.handle,
        run_due=services.cycle.run_due,
        dispatcher_factory=lambda sender: services.dispatcher({"sandbox": sender}),
        clock=services.clock,
        owners=services.owners,
        out=out,
        timezone=timezone,
        message_prefix=message_prefix,
        echo_input=echo_input,
    )


async def play_script(
    lines: list[str],
    *,
    database: Path,
    out: TextIO,
    seed: int = 0,
    start: datetime | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
    echo_input: bool = False,
) -> None:
    """Replay a transcript deterministically (manual clock, seeded invite codes)."""
    from zoneinfo import ZoneInfo

    clock = ManualClock(start or datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo(timezone)))
    async with build_services(
        database, clock=clock, timezone=timezone, new_code=seeded_codes(seed)
    ) as services:
        await make_sandbox(services, out, timezone, echo_input=echo_input).play(lines)


def demo_script() -> list[str]:
    return (
        resources.files("bot.demo").joinpath("tayninh_tuan48.txt").read_text("utf-8").splitlines()
    )


async def run_demo(out: TextIO) -> None:
    with tempfile.TemporaryDirectory(prefix="bot-demo-") as tmp:
        await play_script(
            demo_script(), database=Path(tmp) / "demo.db", out=out, seed=48, echo_input=True
        )


async def run_interactive(settings: Settings, out: TextIO = sys.stdout) -> None:
    """The sandbox with the real clock and the configured database, ticking like production."""
    owners = set(settings.owner_set()) | {("sandbox", "1001")}
    clock = OffsetClock()
    async with build_services(
        settings.database, clock=clock, owners=owners, timezone=settings.timezone
    ) as services:
        # Ids unique to this session: earlier sessions' ids are in the same database.
        session = f"s{secrets.token_hex(4)}-"
        sandbox = make_sandbox(services, out, settings.timezone, message_prefix=session)
        sandbox.declare_user("1001", "Quản trị thử nghiệm")
        sandbox.declare_chat("g1", "group", "Nhóm MTT-CTXH (thử nghiệm)")
        scheduler = CycleScheduler(sandbox.tick, settings.tick_seconds)
        scheduler.start()
        try:
            await interactive(sandbox)
        finally:
            scheduler.shutdown()


def main_run(settings: Settings) -> int:
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs request URLs, which contain the bot token, at INFO; APScheduler logs every
    # tick at INFO, which would drown the sandbox conversation.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if settings.has_platform_token:
        print(
            "Đã cấu hình mã truy cập nền tảng, nhưng phiên bản này mới có kênh thử nghiệm "
            "(sandbox); kênh Telegram và Zalo sẽ có ở các bản tiếp theo. Bỏ TELEGRAM_BOT_TOKEN "
            "và ZALO_BOT_TOKEN trong .env để chạy thử nghiệm.",
            file=sys.stderr,
        )
        return 2
    print(
        "Chưa cấu hình mã truy cập Telegram hoặc Zalo: đang chạy chế độ thử nghiệm (sandbox) "
        f"với cơ sở dữ liệu {settings.database}.",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_interactive(settings))
    return 0
