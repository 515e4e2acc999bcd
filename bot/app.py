"""The composition root: settings -> database -> repositories -> services -> channels.

Nothing here runs at import. ``build_services`` wires the channel-neutral parts (used by the
sandbox, the tests, Telegram and Zalo); ``main_run`` picks the channels from the settings and
runs them until interrupted: Telegram alone (``run_telegram``), or, whenever
``ZALO_BOT_TOKEN`` is set, the ``ChannelHub``: Zalo alone or Zalo and Telegram in one event
loop sharing the database, the engine, one cycle tick and one outbox dispatcher.

Telegram: ``build_telegram`` makes the python-telegram-bot ``Application`` (custom Bot API
base URLs, ``Defaults(tzinfo=...)``, the one burst-free ``AIORateLimiter``) and a
``TelegramRuntime`` whose ``post_init`` opens the database and services, learns the bot's
name, publishes the command menus and starts the cycle ticking in the same event loop;
``post_shutdown`` stops the ticking and closes the database. ``run_polling`` or
``run_webhook`` (by settings) handle SIGINT/SIGTERM; ``serve_telegram`` runs the same
sequence inside an already running loop (the end-to-end tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import secrets
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, BaseRateLimiter, Defaults

from bot.channels.sandbox import Sandbox, interactive
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram.handlers import TelegramChannel
from bot.channels.telegram.handlers import rate_limiter as telegram_rate_limiter
from bot.channels.telegram.polling import ReliablePoller
from bot.channels.telegram.processor import OrderedUpdateProcessor
from bot.channels.telegram.sender import TelegramSender
from bot.channels.zalo import CHANNEL as ZALO
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient, ZaloClientError, ZaloError, ZaloTransientError
from bot.channels.zalo.polling import ZaloPoller
from bot.channels.zalo.sender import ZaloSender
from bot.channels.zalo.webhook import ZaloWebhookServer
from bot.config import Settings
from bot.core.clock import Clock, ManualClock, OffsetClock, SystemClock
from bot.ops.lock import AlreadyRunning, instance_lock
from bot.ops.logs import configure_logging
from bot.ops.runtime import Ops, backup_policy
from bot.services.backups import BackupPolicy, BackupService
from bot.services.chat_events import ChatEventService
from bot.services.cycle import CycleService
from bot.services.dialog import INVITE_ALPHABET, DialogEngine, EngineConfig, new_invite_code
from bot.services.digests import DigestService
from bot.services.exports.offload import ChildProcess, Offload, in_thread
from bot.services.flood import FloodLimits
from bot.services.outbox import ChannelLimits, ChannelSender, OutboxDispatcher, paced
from bot.services.reports import ReportService
from bot.services.templates import TemplateService
from bot.services.usage import ChannelQuota, UsageService
from scheduler.runner import CycleScheduler
from storage.backup import SqliteBackups
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
    chat_events: ChatEventService
    backups: BackupService | None = None

    def dispatcher(self, senders: dict[str, ChannelSender]) -> OutboxDispatcher:
        return OutboxDispatcher(self.store, self.clock, senders)


def seeded_codes(seed: int) -> Callable[[], str]:
    """Invite codes from a seeded generator, so transcripts replay identically."""
    rng = random.Random(seed)
    return lambda: "".join(rng.choice(INVITE_ALPHABET) for _ in range(6))


def files_offload(settings: Settings) -> Offload | None:
    """Charts and report files in a child process unless BOT_FILES_IN_CHILD=0."""
    return ChildProcess() if settings.files_in_child else None


def export_writer(folder: Path) -> Callable[[str, bytes], Awaitable[str]]:
    """Writes /xuatdulieu's file where the channel cannot send it (Zalo), readable by the
    bot's user only, and removes that workspace's older exports (names share the prefix up
    to the timestamp): personal data does not pile up on the server. Returns the path."""

    def write(name: str, content: bytes) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        stem = name.rsplit("-", 2)[0]  # du-lieu-khong-gian-{id}
        for old in folder.glob(f"{stem}-*.json"):
            old.unlink(missing_ok=True)
        target = folder / name
        partial = folder / f".{name}.part"
        partial.write_bytes(content)
        partial.chmod(0o600)
        partial.replace(target)
        return str(target)

    async def save(name: str, content: bytes) -> str:
        return await asyncio.to_thread(write, name, content)

    return save


def flood_limits(settings: Settings) -> FloodLimits | None:
    """BOT_FLOOD_*; None (off) when BOT_FLOOD_BURST is 0."""
    if settings.flood_burst == 0:
        return None
    return FloodLimits(
        burst=settings.flood_burst,
        burst_window=timedelta(seconds=settings.flood_burst_seconds),
        sustained=settings.flood_sustained,
        sustained_window=timedelta(seconds=settings.flood_sustained_seconds),
    )


@dataclass(frozen=True, slots=True)
class InputLimits:
    """BOT_MAX_TEXT_CHARS, BOT_MAX_TEMPLATE_CHARS, BOT_MAX_PHOTOS_PER_REPORT for the engine."""

    max_text: int = 20_000
    max_template_text: int = 200_000
    max_photos: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        return cls(
            settings.max_text_chars, settings.max_template_chars, settings.max_photos_per_report
        )

    def engine_fields(self) -> dict[str, int]:
        return {
            "max_text": self.max_text,
            "max_template_text": self.max_template_text,
            "max_photos": self.max_photos,
        }


@contextlib.asynccontextmanager
async def build_services(
    database: Path,
    *,
    clock: Clock,
    owners: set[tuple[str, str]] | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
    new_code: Callable[[], str] = new_invite_code,
    invite_links: Mapping[str, str] | None = None,
    quotas: Mapping[str, ChannelQuota] | None = None,
    private_only_channels: AbstractSet[str] = frozenset(),
    backup: BackupPolicy | None = None,
    backup_dir: Path | None = None,
    exports_offload: Offload | None = None,
    flood: FloodLimits | None = None,
    raw_text_days: int = 0,
    input_limits: InputLimits | None = None,
) -> AsyncIterator[Services]:
    """``backup``: when to take backups and which to keep (default: none scheduled, the
    owner's /saoluu still works); ``backup_dir`` defaults to ``backups/`` beside the file.
    ``exports_offload``: where charts and report files are made (default: a worker thread;
    the running bot passes a child process, see bot/services/exports/offload.py).
    ``flood``: per-user flood control, off by default (transcripts run on a manual clock,
    where every message arrives at the same instant); the Telegram and Zalo runtimes turn
    it on. ``raw_text_days``: BOT_RAW_TEXT_DAYS, told to people by /dulieucuatoi.
    ``input_limits``: sizes of messages, templates and photos (default: EngineConfig's)."""
    store = await open_store(database)
    digests: DigestService | None = None
    try:
        await store.warm()
        owner_set = owners if owners is not None else set()
        backups = BackupService(
            SqliteBackups(database, backup_dir or database.parent / "backups", timezone),
            clock,
            backup or BackupPolicy(every=None, timezone=timezone),
        )
        templates = TemplateService(store)
        digests = DigestService(store, templates)
        reports = ReportService(store, templates, offload=exports_offload or in_thread)
        cycle = CycleService(store, templates, digests, reports)
        engine = DialogEngine(
            store,
            clock,
            templates,
            digests,
            # The engine keeps a reference to this set, so the sandbox's @owner lines apply.
            EngineConfig(
                owners=owner_set,
                timezone=timezone,
                invite_links=invite_links if invite_links is not None else {},
                quotas=quotas or {},
                private_only_channels=private_only_channels,
                extra_commands={"saoluu": backups.command},
                flood=flood,
                raw_text_days=raw_text_days,
                backup_before_delete=backups.before_deletion,
                save_export=export_writer(database.parent / "exports"),
                prompt_reopened=cycle.prompt_reopened,
                **(input_limits or InputLimits()).engine_fields(),
            ),
            new_code=new_code,
            reports=reports,
        )
        chat_events = ChatEventService(store, timezone)
        yield Services(
            store, clock, templates, digests, cycle, engine, owner_set, chat_events, backups
        )
    finally:
        if digests is not None:
            digests.close()
        # Children started ahead for a file that never came (offload.py) end with the bot.
        close = getattr(exports_offload, "close", None)
        if close is not None:
            close()
        await store.close()


def make_sandbox(
    services: Services,
    out: TextIO,
    timezone: str,
    *,
    message_prefix: str = "m",
    echo_input: bool = False,
    files_dir: Path | None = None,
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
        files_dir=files_dir,
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
    message_prefix: str = "m",
) -> None:
    """Replay a transcript deterministically (manual clock, seeded invite codes).
    ``message_prefix``: the start of the messages' ids; a script played again on the same
    database needs another one, or its messages are taken for ones already handled."""
    from zoneinfo import ZoneInfo

    clock = ManualClock(start or datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo(timezone)))
    async with build_services(
        database, clock=clock, timezone=timezone, new_code=seeded_codes(seed)
    ) as services:
        sandbox = make_sandbox(
            services, out, timezone, echo_input=echo_input, message_prefix=message_prefix
        )
        await sandbox.play(lines)


def demo_script(name: str = "tayninh_tuan48.txt") -> list[str]:
    return resources.files("bot.demo").joinpath(name).read_text("utf-8").splitlines()


# The checklist demo (issue 9): villages self-assess each month, classes and changes.
CHECKLIST_DEMO = "tieuchi_ninhtho.txt"


async def run_demo(out: TextIO, script: str = "tayninh_tuan48.txt") -> None:
    with tempfile.TemporaryDirectory(prefix="bot-demo-") as tmp:
        await play_script(
            demo_script(script), database=Path(tmp) / "demo.db", out=out, seed=48, echo_input=True
        )


PROVINCE_SCRIPT = """\
@clock 2027-01-03 17:30
1007 @ ld: /tonghop quý IV
1007 @ ld: /chuyencan năm 2026
1001 @ ld: /vanban người ký | Nguyễn Văn An
1001 @ ld: /vanban địa danh | Tây Ninh
1007 @ ld: /xuat word quý IV
1007 @ ld: /xuat excel năm 2026
1007 @ ld: /xuat word quý IV x02
1007 @ ld: /xuat bieudo quý IV
1007 @ ld: /dienhinh năm 2026 x02
1007 @ ld: /denghikhen 1 2 | Cách làm sáng tạo, lan tỏa trong cộng đồng
1007 @ ld: /dienhinh word năm 2026
1007 @ ld: /dienhinh excel năm 2026 đề xuất
"""


async def run_province_demo(
    out: TextIO, *, files_dir: Path, communes: int = 9, keep_open: bool = False
) -> None:
    """A province with its communes and a year of simulated reports (``bot.demo.province``);
    the leadership asks for the quarter's Word report and the year's workbook, which are
    saved under ``files_dir``. With ``keep_open``, the console stays open afterwards."""
    from bot.demo.province import demo_now, seed_province
    from bot.services import periods as cal
    from bot.services.emulation import EmulationService

    tz = "Asia/Ho_Chi_Minh"
    with tempfile.TemporaryDirectory(prefix="bot-demo-tinh-") as tmp:
        clock = ManualClock(demo_now())
        owners = {("sandbox", "1001")}
        async with build_services(
            Path(tmp) / "demo.db", clock=clock, owners=owners, timezone=tz
        ) as services:
            print(f"Đang tạo dữ liệu mô phỏng: tỉnh, {communes} xã/phường, cả năm 2026…", file=out)
            info = await seed_province(
                services.store, now=clock.now(), communes=communes, year=2026
            )
            print(
                f"Đã có {len(info.units)} đơn vị báo cáo và {info.reports:,} báo cáo tuần.".replace(
                    ",", "."
                ),
                file=out,
            )
            # Mô hình hay of the simulated reports enter the emulation registry, as they
            # would have when each report was received.
            first = cal.first_period(info.campaign)
            last = cal.reporting_period(info.campaign, clock.now())
            await EmulationService(services.store, services.templates).register_reports(
                info.campaign, first, last, clock.now()
            )
            sandbox = make_sandbox(services, out, tz, echo_input=True, files_dir=files_dir)
            sandbox.declare_user("1001", "Nguyễn Văn An (quản trị)")
            sandbox.declare_user("1007", "Đặng Thị Giang (lãnh đạo)")
            sandbox.declare_chat("ld", "group", "Thường trực UBMTTQ tỉnh")
            sandbox.declare_chat("g1", "group", "Nhóm MTT-CTXH (thử nghiệm)")
            await sandbox.play(PROVINCE_SCRIPT.splitlines())
            if keep_open:
                await interactive(sandbox)


async def run_interactive(settings: Settings, out: TextIO = sys.stdout) -> None:
    """The sandbox with the real clock and the configured database, ticking like production."""
    owners = set(settings.owner_set()) | {("sandbox", "1001")}
    clock = OffsetClock()
    async with build_services(
        settings.database,
        clock=clock,
        owners=owners,
        timezone=settings.timezone,
        raw_text_days=settings.raw_text_days,
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


# -- Telegram ----------------------------------------------------------------------------
class TelegramRuntime:
    """What the Telegram process holds between ``post_init`` and ``post_shutdown``."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        channel: TelegramChannel,
        *,
        new_code: Callable[[], str] = new_invite_code,
        shared: Services | None = None,
        invite_links: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.channel = channel
        # Called once ready, in the bot's own process (``run_telegram``: ``settle_heap``).
        self.on_ready: Callable[[], None] | None = None
        self.new_code = new_code
        self.invite_links: dict[str, str] = invite_links if invite_links is not None else {}
        # With ``shared`` services (several channels in one process, ``ChannelHub``), the
        # hub owns the database, the dispatcher and the tick; this runtime only provides
        # the Telegram sender.
        self.shared = shared
        self.services: Services | None = shared
        self.sender: TelegramSender | None = None
        self.ready = asyncio.Event()
        self.dispatcher: OutboxDispatcher | None = None
        self._scheduler: CycleScheduler | None = None
        self.ops: Ops | None = None
        self._stack = contextlib.AsyncExitStack()
        self._tick_lock = asyncio.Lock()

    async def post_init(self, application: Application) -> None:  # type: ignore[type-arg]
        settings = self.settings
        if self.shared is None:
            self.services = await self._stack.enter_async_context(
                build_services(
                    settings.database,
                    clock=self.clock,
                    owners=set(settings.owner_set()),
                    timezone=settings.timezone,
                    new_code=self.new_code,
                    invite_links=self.invite_links,
                    backup=backup_policy(settings),
                    backup_dir=settings.backup_dir,
                    exports_offload=files_offload(settings),
                    flood=flood_limits(settings),
                    raw_text_days=settings.raw_text_days,
                    input_limits=InputLimits.from_settings(settings),
                )
            )
        assert self.services is not None
        await self.channel.start(application)
        assert self.channel.me is not None
        if self.channel.me.username:
            self.invite_links[TELEGRAM] = f"https://t.me/{self.channel.me.username}?start={{code}}"
        self.channel.handle = self.services.engine.handle
        self.channel.handle_chat_event = self.services.chat_events.handle
        self.sender = TelegramSender(application.bot, names=self.member_names)
        if self.shared is None:
            self.dispatcher = self.services.dispatcher({TELEGRAM: self.sender})
            self.ops = Ops(
                settings, self.services.store, self.clock, self.services.backups,
                channels=[TELEGRAM],
            )  # fmt: skip
            await self.ops.start()
            self._scheduler = CycleScheduler(self.ops.watch(self.tick), settings.tick_seconds)
            self._scheduler.start()
        self.ready.set()
        log.info("telegram bot @%s ready", self.channel.me.username)
        if self.on_ready is not None:
            self.on_ready()

    async def post_stop(self, application: Application) -> None:  # type: ignore[type-arg]
        """Updates have stopped; the bot's HTTP client is still open (it closes at shutdown).
        A tick in progress finishes the message in flight, then sends no more: stopping the
        scheduler first would cancel it mid-send, and closing the client first would cut
        the request, either way repeating a message after the restart."""
        if self.dispatcher is not None:
            self.dispatcher.stop()
        async with self._tick_lock:
            if self._scheduler is not None:
                self._scheduler.shutdown()
            if self.ops is not None:
                await self.ops.stop()

    async def post_shutdown(self, application: Application) -> None:  # type: ignore[type-arg]
        await self.post_stop(application)  # when stop() was never reached (start-up failed)
        async with self._tick_lock:
            self.channel.handle = None
            self.channel.handle_chat_event = None
            await self._stack.aclose()

    async def tick(self) -> None:
        """Due cycle steps, then the outbox; one at a time (the scheduler's and a test's)."""
        async with self._tick_lock:
            if self.services is None or self.dispatcher is None:
                return
            await self.services.cycle.run_due(self.clock.now())
            await self.dispatcher.drain()

    async def member_names(self, user_ids: Sequence[str]) -> dict[str, str]:
        """Names for mentions in group prompts, as people last showed them to the bot."""
        names: dict[str, str] = {}
        if self.services is None:
            return names
        for uid in user_ids:
            members = await self.services.store.members.for_user(TELEGRAM, uid)
            if members:
                names[uid] = members[-1].display_name
        return names


def build_telegram(
    settings: Settings,
    *,
    clock: Clock | None = None,
    rate_limiter: BaseRateLimiter | None = None,  # type: ignore[type-arg]
    new_code: Callable[[], str] = new_invite_code,
    timeout: float | None = None,
    shared: Services | None = None,
    invite_links: dict[str, str] | None = None,
) -> tuple[Application, TelegramRuntime]:  # type: ignore[type-arg]
    """The Application and its runtime; ``clock``, ``rate_limiter``, ``new_code`` and the
    request ``timeout`` (seconds) are for tests, production uses the defaults. ``shared``
    services and ``invite_links`` come from a ``ChannelHub`` serving several channels."""
    assert settings.telegram_token is not None
    clock = clock or SystemClock()
    owner_chats = [user for channel, user in settings.owner_set() if channel == TELEGRAM]
    channel = TelegramChannel(
        clock,
        owner_chat_ids=owner_chats,
        photos_dir=settings.photos_dir if settings.telegram_download_photos else None,
        max_photo_bytes=settings.max_photo_bytes,
    )
    runtime = TelegramRuntime(
        settings, clock, channel, new_code=new_code, shared=shared, invite_links=invite_links
    )
    channel.names_lookup(runtime.member_names)
    builder = (
        Application.builder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(Defaults(tzinfo=ZoneInfo(settings.timezone)))
        .rate_limiter(rate_limiter or telegram_rate_limiter())
        # Chats handled concurrently, each in order (bot.channels.ordering).
        .concurrent_updates(OrderedUpdateProcessor())
        .post_init(runtime.post_init)
        .post_stop(runtime.post_stop)
        .post_shutdown(runtime.post_shutdown)
    )
    if timeout is not None:
        builder = builder.read_timeout(timeout).write_timeout(timeout).connect_timeout(timeout)
    application = builder.build()
    channel.register(application)
    return application, runtime


def _webhook_args(settings: Settings) -> dict[str, object]:
    secret = settings.telegram_webhook_secret
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": settings.telegram_webhook_path.strip("/"),
        "webhook_url": settings.telegram_webhook_url,
        "secret_token": secret.get_secret_value() if secret else None,
        "allowed_updates": ALLOWED_UPDATES,
    }


# Edited messages (read again as corrections) and the bot's own membership in groups.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def run_telegram(settings: Settings) -> int:
    """Blocks until SIGINT/SIGTERM (python-telegram-bot's run_polling/run_webhook)."""
    if settings.telegram_webhook and settings.telegram_webhook_secret is None:
        print("Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET (xem .env.example).", file=sys.stderr)
        return 2
    application, runtime = build_telegram(settings)
    runtime.on_ready = settle_heap  # polling and webhook alike
    try:
        if settings.telegram_webhook:
            print(
                f"Telegram: nhận cập nhật qua webhook {settings.telegram_webhook_url}", flush=True
            )
            application.run_webhook(**_webhook_args(settings))  # type: ignore[arg-type]
        else:
            print("Telegram: nhận cập nhật bằng long polling. Dừng: Ctrl+C.", flush=True)
            asyncio.run(_serve_until_signal(application, settings))
    except InvalidToken:
        print(
            "Telegram từ chối mã truy cập: kiểm tra TELEGRAM_BOT_TOKEN trong .env "
            "(lấy lại từ @BotFather bằng /token).",
            file=sys.stderr,
        )
        return 1
    except (NetworkError, OSError) as exc:
        print(
            f"Không kết nối được máy chủ Telegram ({settings.telegram_base_url}): "
            f"{type(exc).__name__}. Kiểm tra mạng rồi chạy lại.",
            file=sys.stderr,
        )
        return 1
    return 0


async def serve_telegram(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    stop: asyncio.Event,
    *,
    poll_timeout: int = 30,
) -> None:
    """The application's start/stop sequence inside a running loop, until ``stop``."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        updater = application.updater
        assert updater is not None
        await application.start()
        if settings.telegram_webhook:
            await updater.start_webhook(**_webhook_args(settings))  # type: ignore[arg-type]
            await stop.wait()
        else:
            # Our own loop rather than the Updater's: it confirms updates only once handled.
            poller = ReliablePoller(
                application, allowed_updates=ALLOWED_UPDATES, timeout=poll_timeout
            )
            await poller.run(stop)
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def settle_heap() -> None:
    """Once the bot process is ready: what start-up made (modules, libraries, services)
    lives as long as the process, so it is moved out of the garbage collector's reach
    (``gc.freeze``). The collector's full passes then scan only what came after: measured
    in the ingest benchmark, its longest pause went from 34 ms to 5 ms, pauses that stop
    the event loop and every reply with it. Only in the bot's own process (not in tests,
    where each test's objects would be kept for good)."""
    gc.collect()
    gc.freeze()


async def _settle_when(ready: asyncio.Event) -> None:
    await ready.wait()
    settle_heap()


async def _serve_until_signal(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
) -> None:
    """Polling until SIGINT or SIGTERM, then a clean stop (the item in flight finishes)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await serve_telegram(application, settings, stop)


# -- Zalo, alone or beside Telegram --------------------------------------------------------
def default_zalo_limits(rate: float) -> ChannelLimits:
    """Zalo publishes no rate limit: an even, conservative pace (``ZALO_RATE`` messages a
    second overall, paced at 29/30 of it as every platform's limit is, one a second to a
    person, one every 3 s to a group). The outbox's pacer is Zalo's only limiter; there is
    no library limiter as on Telegram."""
    return paced(rate, private_interval=1.0, group_interval=3.0)


class ChannelHub:
    """Every configured channel in one process and one event loop, sharing one database,
    one dialog engine, one cycle tick and one outbox dispatcher (each channel with its
    sender and limits). Used whenever ``ZALO_BOT_TOKEN`` is set, with or without Telegram.

    ``serve(stop)`` opens everything, serves until ``stop`` is set, then stops the channels
    (finishing what is in flight) and closes the database. ``ready`` is set once all
    channels are up; ``tick()`` runs the due cycle steps and drains the outbox (the
    scheduler calls it every ``BOT_TICK_SECONDS``; the end-to-end tests call it directly).
    The constructor's keyword arguments are for tests; production uses the defaults.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        new_code: Callable[[], str] = new_invite_code,
        telegram_rate_limiter: BaseRateLimiter | None = None,  # type: ignore[type-arg]
        telegram_timeout: float | None = None,
        telegram_poll_timeout: int = 30,
        zalo_timeout: float = 10.0,
        zalo_limits: ChannelLimits | None = None,
        zalo_backoff: float = 1.0,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.new_code = new_code
        self._tg_limiter = telegram_rate_limiter
        self._tg_timeout = telegram_timeout
        self._tg_poll_timeout = telegram_poll_timeout
        self._zalo_timeout = zalo_timeout
        self._zalo_backoff = zalo_backoff
        self._zalo_limits = zalo_limits or default_zalo_limits(settings.zalo_rate)
        self.invite_links: dict[str, str] = {}
        self.private_only: set[str] = set()
        self.services: Services | None = None
        self.dispatcher: OutboxDispatcher | None = None
        self.usage: UsageService | None = None
        self.zalo: ZaloChannel | None = None
        self.zalo_webhook: ZaloWebhookServer | None = None
        self.zalo_poller: ZaloPoller | None = None
        self.telegram: Application | None = None  # type: ignore[type-arg]
        self.telegram_runtime: TelegramRuntime | None = None
        self.ops: Ops | None = None
        self.ready = asyncio.Event()
        self._tick_lock = asyncio.Lock()

    def quotas(self) -> dict[str, ChannelQuota]:
        s = self.settings
        return {ZALO: ChannelQuota(s.zalo_monthly_quota, s.zalo_quota_warn_share)}

    async def serve(self, stop: asyncio.Event) -> None:
        s = self.settings
        async with contextlib.AsyncExitStack() as stack:
            services = await stack.enter_async_context(
                build_services(
                    s.database,
                    clock=self.clock,
                    owners=set(s.owner_set()),
                    timezone=s.timezone,
                    new_code=self.new_code,
                    invite_links=self.invite_links,
                    quotas=self.quotas(),
                    private_only_channels=self.private_only,
                    backup=backup_policy(s, no_file_channels={ZALO}),
                    backup_dir=s.backup_dir,
                    exports_offload=files_offload(s),
                    flood=flood_limits(s),
                    raw_text_days=s.raw_text_days,
                    input_limits=InputLimits.from_settings(s),
                )
            )
            self.services = services
            senders: dict[str, ChannelSender] = {}
            limits: dict[str, ChannelLimits] = {}
            waits: list[asyncio.Future[None]] = []

            # Zalo: the client, the identity, then webhook or polling (never both).
            assert s.zalo_token is not None
            self.usage = UsageService(services.store, self.clock, self.quotas(), s.timezone)
            usage = self.usage

            async def count(method: str) -> None:
                await usage.record(ZALO)

            client = ZaloClient(
                s.zalo_token.get_secret_value(),
                s.zalo_base_url,
                timeout=self._zalo_timeout,
                on_sent=count,
            )
            stack.push_async_callback(client.aclose)
            zalo = ZaloChannel(client, self.clock, names=self._names(ZALO))
            me = await zalo.start()
            if not me.can_join_groups:
                self.private_only.add(ZALO)
            zalo.handle = services.engine.handle
            self.zalo = zalo
            senders[ZALO] = ZaloSender(client, names=self._names(ZALO))
            limits[ZALO] = self._zalo_limits
            if s.zalo_webhook:
                assert s.zalo_webhook_url is not None and s.zalo_webhook_secret is not None
                secret = s.zalo_webhook_secret.get_secret_value()
                server = ZaloWebhookServer(
                    secret=secret,
                    path=s.zalo_webhook_path,
                    listen=s.zalo_webhook_listen,
                    port=s.zalo_webhook_port,
                    ingest=zalo.ingest,
                    answer=zalo.answer,
                )
                await server.start()
                self.zalo_webhook = server
                stack.push_async_callback(server.stop)
                await client.set_webhook(s.zalo_webhook_url, secret)
            else:
                with contextlib.suppress(ZaloError):
                    await client.delete_webhook()
                poller = ZaloPoller(
                    client, zalo.on_body, timeout=s.zalo_poll_timeout, backoff=self._zalo_backoff
                )
                self.zalo_poller = poller
                waits.append(asyncio.ensure_future(poller.run(stop)))
            log.info("zalo bot %s ready (groups: %s)", me.name or me.id, me.can_join_groups)

            # Telegram beside it, sharing the services.
            tg_task: asyncio.Task[None] | None = None
            tg_stop = asyncio.Event()
            if s.has_telegram:
                app, runtime = build_telegram(
                    s,
                    clock=self.clock,
                    rate_limiter=self._tg_limiter,
                    new_code=self.new_code,
                    timeout=self._tg_timeout,
                    shared=services,
                    invite_links=self.invite_links,
                )
                self.telegram, self.telegram_runtime = app, runtime
                tg_task = asyncio.create_task(
                    serve_telegram(app, s, tg_stop, poll_timeout=self._tg_poll_timeout)
                )
                ready = asyncio.ensure_future(runtime.ready.wait())
                await asyncio.wait({ready, tg_task}, return_when=asyncio.FIRST_COMPLETED)
                ready.cancel()
                if tg_task.done():
                    tg_task.result()  # start-up failed: raise its error
                assert runtime.sender is not None
                senders[TELEGRAM] = runtime.sender

            dispatcher = OutboxDispatcher(services.store, self.clock, senders, limits)
            self.dispatcher = dispatcher
            self.ops = Ops(s, services.store, self.clock, services.backups, channels=list(senders))
            await self.ops.start()
            stack.push_async_callback(self.ops.stop)
            scheduler = CycleScheduler(self.ops.watch(self.tick), s.tick_seconds)
            scheduler.start()
            self.ready.set()
            try:
                await stop.wait()
                for task in waits:
                    await asyncio.wait_for(task, 15)
            finally:
                # The tick in progress finishes the message in flight, then sends no more.
                dispatcher.stop()
                async with self._tick_lock:
                    scheduler.shutdown()
                    self.dispatcher = None
                if tg_task is not None:
                    tg_stop.set()
                    await asyncio.wait_for(tg_task, 30)
                for task in waits:
                    task.cancel()
            # The exit stack stops the webhook server, closes the client and the database.

    async def tick(self) -> None:
        """Due cycle steps, then the outbox; one at a time."""
        async with self._tick_lock:
            if self.services is None or self.dispatcher is None:
                return
            await self.services.cycle.run_due(self.clock.now())
            await self.dispatcher.drain()

    def _names(self, channel: str) -> Callable[[Sequence[str]], Awaitable[Mapping[str, str]]]:
        async def names(user_ids: Sequence[str]) -> Mapping[str, str]:
            found: dict[str, str] = {}
            if self.services is None:
                return found
            for uid in user_ids:
                members = await self.services.store.members.for_user(channel, uid)
                if members:
                    found[uid] = members[-1].display_name
            return found

        return names


def run_hub(settings: Settings) -> int:
    """Zalo (and Telegram when its token is set too) until SIGINT/SIGTERM."""
    if settings.zalo_webhook and settings.zalo_webhook_secret is None:
        print("Chế độ webhook Zalo cần ZALO_WEBHOOK_SECRET (xem .env.example).", file=sys.stderr)
        return 2
    if settings.has_telegram and settings.telegram_webhook and not settings.telegram_webhook_secret:
        print("Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET (xem .env.example).", file=sys.stderr)
        return 2
    if settings.zalo_webhook:
        print(f"Zalo: nhận tin qua webhook {settings.zalo_webhook_url}", flush=True)
    else:
        print("Zalo: nhận tin bằng long polling. Dừng: Ctrl+C.", flush=True)
    if settings.has_telegram:
        mode = "webhook" if settings.telegram_webhook else "long polling"
        print(f"Telegram: nhận cập nhật bằng {mode}, cùng tiến trình với Zalo.", flush=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        hub = ChannelHub(settings)
        settle = asyncio.create_task(_settle_when(hub.ready))
        try:
            await hub.serve(stop)
        finally:
            settle.cancel()

    try:
        asyncio.run(main())
    except ZaloClientError as exc:
        print(
            f"Zalo từ chối yêu cầu ({exc.method}: {exc.description or exc.code}). Kiểm tra "
            "ZALO_BOT_TOKEN trong .env (lấy lại trên trang quản lý Zalo Bot).",
            file=sys.stderr,
        )
        return 1
    except (ZaloTransientError, NetworkError, OSError) as exc:
        print(
            f"Không kết nối được máy chủ Zalo/Telegram: {type(exc).__name__}. Kiểm tra mạng "
            "rồi chạy lại.",
            file=sys.stderr,
        )
        return 1
    except InvalidToken:
        print("Telegram từ chối mã truy cập: kiểm tra TELEGRAM_BOT_TOKEN.", file=sys.stderr)
        return 1
    return 0


def _redact_token(settings: Settings) -> None:
    """The tokens never reach a log line, whatever library writes them."""
    for token in (settings.telegram_token, settings.zalo_token):
        if token is None or not token.get_secret_value():
            continue
        redactor = TokenRedactor(token.get_secret_value())
        for handler in logging.getLogger().handlers:
            handler.addFilter(redactor)


class TokenRedactor(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._token:
            return True
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<TOKEN>")
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self._token in text:
                record.exc_text = text.replace(self._token, "<TOKEN>")
                record.exc_info = None
                record.msg = f"{record.msg}\n{record.exc_text}"
                record.exc_text = None
        return True


def main_run(settings: Settings) -> int:
    tokens = [t.get_secret_value() for t in (settings.telegram_token, settings.zalo_token) if t]
    configure_logging(settings.log_level, settings.log_format, settings.timezone, tokens)
    _redact_token(settings)
    try:
        with instance_lock(settings.database):
            return _main_run(settings)
    except AlreadyRunning:
        print(
            f"Bot đang chạy với cơ sở dữ liệu {settings.database} (một tiến trình khác giữ "
            "khóa). Mỗi cơ sở dữ liệu chỉ một bot chạy; dừng tiến trình kia trước.",
            file=sys.stderr,
        )
        return 1


def _main_run(settings: Settings) -> int:
    if settings.has_zalo:
        return run_hub(settings)  # Zalo alone, or Zalo and Telegram in one process
    if settings.has_telegram:
        return run_telegram(settings)
    print(
        "Chưa cấu hình mã truy cập Telegram hoặc Zalo: đang chạy chế độ thử nghiệm (sandbox) "
        f"với cơ sở dữ liệu {settings.database}.",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_interactive(settings))
    return 0
