"""``python -m bot check``: is this configuration ready to run, in plain Vietnamese words.

Checks, in order: the settings themselves (read by ``bot.__main__``: an invalid ``.env``
never gets here, it exits 2 with its own explanation), the people named as operators, the
data folder (exists or can be made, writable), the database (opens, is brought up to the
current schema as the bot would do at start, passes ``PRAGMA quick_check``), the backup
folder and the age of the newest backup, each platform whose token is set (``getMe``; and
``getWebhookInfo`` on Telegram, whose ``last_error_message`` says when Telegram could not
reach the webhook), the webhook addresses (HTTPS, a port Telegram accepts, a secret, the
path nginx should forward, the local ports free and distinct) and, when the bot is
running, its health endpoint.

Each finding is ``ok``, ``warn`` (works, but look at it) or ``error`` (the bot will not
work as configured). The exit code is 1 when there is an error, 0 otherwise. Nothing
printed ever holds a token: messages are written here, not copied from exceptions that
may carry a URL.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx

from bot.channels.zalo.client import ZaloClient, ZaloClientError, ZaloError
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.vnformat import format_datetime
from bot.ops.lock import is_running
from storage.backup import SqliteBackups
from storage.db import MigrationError, SchemaVersionError, load_migrations, open_database

OK, WARN, ERROR = "ok", "warn", "error"
MARK = {OK: "✅", WARN: "⚠️ ", ERROR: "❌"}
KNOWN_CHANNELS = ("telegram", "zalo", "sandbox")
# Telegram delivers webhooks only to these ports.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)


@dataclass(frozen=True, slots=True)
class Finding:
    level: str
    text: str


class Checks:
    def __init__(self, settings: Settings, clock: Clock | None = None, timeout: float = 10.0):
        self.s = settings
        self.clock = clock or SystemClock()
        self.timeout = timeout
        self.findings: list[Finding] = []
        self.running = False

    def ok(self, text: str) -> None:
        self.findings.append(Finding(OK, text))

    def warn(self, text: str) -> None:
        self.findings.append(Finding(WARN, text))

    def error(self, text: str) -> None:
        self.findings.append(Finding(ERROR, text))

    @property
    def errors(self) -> int:
        return sum(f.level == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.level == WARN for f in self.findings)

    async def run(self) -> list[Finding]:
        self.owners()
        if self.data_dir():
            self.running = is_running(self.s.database)
            if self.running:
                self.ok("Bot đang chạy với cơ sở dữ liệu này (một tiến trình giữ khóa).")
            await self.database()
            await self.backups()
        if not self.s.has_platform_token:
            self.warn(
                "Chưa có mã truy cập Telegram hay Zalo (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN): "
                "bot sẽ chạy chế độ thử nghiệm trên màn hình."
            )
        if self.s.has_telegram:
            await self.telegram()
            self.telegram_webhook()
        if self.s.has_zalo:
            await self.zalo()
            self.zalo_webhook()
        self.ports()
        await self.health()
        return self.findings

    # -- settings ------------------------------------------------------------------------
    def owners(self) -> None:
        owners = sorted(self.s.owner_set())
        if not owners:
            self.warn(
                "Chưa khai báo người vận hành bot (BOT_OWNERS): chưa ai tạo được không gian "
                "báo cáo (/khoitao) hay sao lưu (/saoluu). Ví dụ: BOT_OWNERS=telegram:123456789"
            )
            return
        for channel, user in owners:
            if channel not in KNOWN_CHANNELS:
                self.warn(
                    f"BOT_OWNERS: kênh “{channel}” không có (chỉ có telegram, zalo, sandbox)."
                )
            elif channel == "telegram" and not self.s.has_telegram:
                self.warn(f"BOT_OWNERS có telegram:{user} nhưng chưa có TELEGRAM_BOT_TOKEN.")
            elif channel == "zalo" and not self.s.has_zalo:
                self.warn(f"BOT_OWNERS có zalo:{user} nhưng chưa có ZALO_BOT_TOKEN.")
        self.ok(f"Người vận hành bot: {', '.join(f'{c}:{u}' for c, u in owners)}.")

    # -- files ---------------------------------------------------------------------------
    def data_dir(self) -> bool:
        folder = self.s.database.parent
        if not self._writable(folder):
            self.error(
                f"Thư mục dữ liệu {folder} không tạo được hoặc không ghi được. Kiểm tra "
                "BOT_DATA_DIR và quyền của người dùng chạy bot (systemd: ReadWritePaths)."
            )
            return False
        self.ok(f"Thư mục dữ liệu {folder} ghi được.")
        return True

    @staticmethod
    def _writable(folder: Path) -> bool:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".check-"):
                pass
        except OSError:
            return False
        return os.access(folder, os.W_OK)

    async def database(self) -> None:
        path = self.s.database
        existed = path.exists()
        latest = load_migrations()[-1].version
        try:
            db = await open_database(path)
        except SchemaVersionError:
            self.error(
                f"Cơ sở dữ liệu {path} do phiên bản bot mới hơn tạo ra (cấu trúc mới hơn "
                f"phiên bản {latest} mà bản này biết). Cập nhật bot, hoặc khôi phục bản sao "
                "lưu làm bởi phiên bản này."
            )
            return
        except MigrationError as exc:
            self.error(f"Không nâng cấp được cấu trúc cơ sở dữ liệu {path}: {exc}")
            return
        except Exception as exc:
            self.error(
                f"Không mở được cơ sở dữ liệu {path} ({type(exc).__name__}). Tệp có thể hỏng: "
                "xem mục Sao lưu và khôi phục trong README."
            )
            return
        try:
            problems = [str(r[0]) for r in await db.fetchall("PRAGMA quick_check(5)")]
            row = await db.fetchone("SELECT count(*) FROM workspaces")
            workspaces = int(row[0]) if row else 0
        finally:
            await db.close()
        if problems != ["ok"]:
            self.error(
                f"Cơ sở dữ liệu {path} bị hỏng ({'; '.join(problems)}). Dừng bot và khôi "
                "phục bản sao lưu gần nhất (python -m bot restore)."
            )
            return
        if existed:
            self.ok(
                f"Cơ sở dữ liệu {path} mở được: cấu trúc phiên bản {latest}, "
                f"{workspaces} không gian báo cáo, kiểm tra nhanh: tốt."
            )
        else:
            self.ok(f"Cơ sở dữ liệu {path} chưa có, đã tạo mới (cấu trúc phiên bản {latest}).")

    async def backups(self) -> None:
        folder = self.s.backup_dir
        if not self._writable(folder):
            self.error(
                f"Thư mục sao lưu {folder} không tạo được hoặc không ghi được (BOT_BACKUP_DIR)."
            )
            return
        found = await SqliteBackups(self.s.database, folder, self.s.timezone).all()
        every = self.s.backup_every_hours
        if not found:
            note = "bot sẽ sao lưu ngay khi chạy" if every > 0 else "sao lưu tự động đang tắt"
            self.warn(f"Chưa có bản sao lưu nào trong {folder} ({note}).")
            return
        newest = found[-1]
        age = self.clock.now() - newest.taken_at
        when = format_datetime(newest.taken_at)
        if every > 0 and age > timedelta(hours=2 * every):
            self.warn(
                f"Bản sao lưu gần nhất đã cũ: {newest.name} lúc {when}. Bot có đang chạy không?"
            )
        else:
            self.ok(f"Sao lưu: {len(found)} bản trong {folder}, gần nhất lúc {when}.")
        if every <= 0:
            self.warn("Sao lưu tự động đang tắt (BOT_BACKUP_EVERY_HOURS=0).")

    # -- platforms -----------------------------------------------------------------------
    async def telegram(self) -> None:
        assert self.s.telegram_token is not None
        token = self.s.telegram_token.get_secret_value()
        base = self.s.telegram_base_url
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                me = await _telegram_call(http, base, token, "getMe")
                if me is None:
                    self.error(
                        "Telegram từ chối mã truy cập (TELEGRAM_BOT_TOKEN sai hoặc đã bị thu "
                        "hồi). Lấy lại mã từ @BotFather bằng lệnh /token."
                    )
                    return
                info = await _telegram_call(http, base, token, "getWebhookInfo") or {}
        except (httpx.HTTPError, ValueError) as exc:
            self.error(
                f"Không kết nối được máy chủ Telegram ({_host(base)}): {type(exc).__name__}. "
                "Kiểm tra mạng, tường lửa hoặc TELEGRAM_BASE_URL."
            )
            return
        self.ok(f"Telegram: kết nối được, bot @{me.get('username', '?')}.")
        current = str(info.get("url") or "")
        wanted = self.s.telegram_webhook_url or ""
        if not wanted and current:
            self.warn(
                "Telegram đang giữ một webhook cũ; bot sẽ tự gỡ khi khởi động (long polling)."
            )
        if wanted and current and current != wanted:
            self.warn(
                "Webhook đăng ký trên Telegram khác TELEGRAM_WEBHOOK_URL; bot sẽ đăng ký lại "
                "khi khởi động."
            )
        error = str(info.get("last_error_message") or "")
        if wanted and error:
            self.warn(
                f"Telegram báo lần gần nhất không gửi được tới webhook: “{error}”. Kiểm tra "
                "nginx, chứng chỉ HTTPS và tường lửa."
            )

    async def zalo(self) -> None:
        assert self.s.zalo_token is not None
        client = ZaloClient(
            self.s.zalo_token.get_secret_value(), self.s.zalo_base_url, timeout=self.timeout
        )
        try:
            me = await client.get_me()
        except ZaloClientError:
            self.error(
                "Zalo từ chối mã truy cập (ZALO_BOT_TOKEN sai hoặc đã đổi). Lấy lại mã trên "
                "trang quản lý Zalo Bot."
            )
            return
        except ZaloError as exc:
            self.error(
                f"Không kết nối được máy chủ Zalo ({_host(self.s.zalo_base_url)}): "
                f"{exc.description or type(exc).__name__}. Kiểm tra mạng hoặc ZALO_BASE_URL."
            )
            return
        finally:
            await client.aclose()
        groups = "được" if me.can_join_groups else "không được"
        self.ok(f"Zalo: kết nối được, bot {me.name or me.id} ({groups} tham gia nhóm).")

    # -- webhooks and ports --------------------------------------------------------------
    def telegram_webhook(self) -> None:
        s = self.s
        if not s.telegram_webhook:
            self.ok("Telegram: nhận tin bằng long polling (không cần mở cổng).")
            return
        url = s.telegram_webhook_url or ""
        parts = urlsplit(url)
        if parts.scheme != "https":
            self.error(
                "TELEGRAM_WEBHOOK_URL phải là địa chỉ https:// (Telegram chỉ gửi tới HTTPS)."
            )
        port = parts.port or 443
        if port not in TELEGRAM_WEBHOOK_PORTS:
            self.error(
                f"TELEGRAM_WEBHOOK_URL dùng cổng {port}; Telegram chỉ gửi tới cổng 443, 80, "
                "88 hoặc 8443."
            )
        self._public_host("TELEGRAM_WEBHOOK_URL", parts.hostname or "")
        if s.telegram_webhook_secret is None:
            self.error("Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET (xem .env.example).")
        self._path_matches("TELEGRAM_WEBHOOK_URL", parts.path, s.telegram_webhook_path)
        self._loopback("TELEGRAM_WEBHOOK_LISTEN", s.telegram_webhook_listen)
        self.ok(
            f"Telegram: webhook {url} → bot nghe tại "
            f"{s.telegram_webhook_listen}:{s.telegram_webhook_port}/{s.telegram_webhook_path.strip('/')}."
        )

    def zalo_webhook(self) -> None:
        s = self.s
        if not s.zalo_webhook:
            self.ok("Zalo: nhận tin bằng long polling (không cần mở cổng).")
            return
        url = s.zalo_webhook_url or ""
        parts = urlsplit(url)
        if parts.scheme != "https":
            self.error("ZALO_WEBHOOK_URL phải là địa chỉ https://.")
        self._public_host("ZALO_WEBHOOK_URL", parts.hostname or "")
        if s.zalo_webhook_secret is None:
            self.error("Chế độ webhook Zalo cần ZALO_WEBHOOK_SECRET (xem .env.example).")
        self._path_matches("ZALO_WEBHOOK_URL", parts.path, s.zalo_webhook_path)
        self._loopback("ZALO_WEBHOOK_LISTEN", s.zalo_webhook_listen)
        self.ok(
            f"Zalo: webhook {url} → bot nghe tại "
            f"{s.zalo_webhook_listen}:{s.zalo_webhook_port}/{s.zalo_webhook_path.strip('/')}."
        )

    def _public_host(self, name: str, host: str) -> None:
        if not host:
            self.error(f"{name} thiếu tên miền.")
            return
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if host == "localhost" or host.endswith(".local"):
                self.error(f"{name} trỏ tới {host}: nền tảng không gửi được tới máy này.")
            return
        if address.is_private or address.is_loopback:
            self.error(f"{name} trỏ tới địa chỉ nội bộ {host}: nền tảng không gửi được tới đó.")

    def _path_matches(self, name: str, url_path: str, path: str) -> None:
        wanted = "/" + path.strip("/")
        if url_path.rstrip("/") != wanted:
            self.warn(
                f"{name} có đường dẫn “{url_path or '/'}” còn bot nghe ở “{wanted}”: nginx phải "
                "chuyển đúng đường dẫn (xem deploy/nginx-reporting-bot.conf)."
            )

    def _loopback(self, name: str, listen: str) -> None:
        with contextlib.suppress(ValueError):
            if ipaddress.ip_address(listen).is_loopback:
                return
        if listen != "localhost":
            self.warn(
                f"{name}={listen}: bot nhận kết nối từ mạng ngoài. Nên đặt 127.0.0.1 và để "
                "nginx làm cổng vào."
            )

    def listeners(self) -> list[tuple[str, str, int]]:
        s = self.s
        out: list[tuple[str, str, int]] = []
        if s.has_telegram and s.telegram_webhook:
            out.append(
                ("TELEGRAM_WEBHOOK_PORT", s.telegram_webhook_listen, s.telegram_webhook_port)
            )
        if s.has_zalo and s.zalo_webhook:
            out.append(("ZALO_WEBHOOK_PORT", s.zalo_webhook_listen, s.zalo_webhook_port))
        if s.has_platform_token and s.health_port_effective:
            out.append(("BOT_HEALTH_PORT", s.health_listen, s.health_port_effective))
        return out

    def ports(self) -> None:
        listeners = self.listeners()
        seen: dict[int, str] = {}
        for name, _, port in listeners:
            if port in seen:
                self.error(f"{name} và {seen[port]} cùng dùng cổng {port}; đặt hai cổng khác nhau.")
            seen[port] = name
        if self.running:
            return  # the bot holds its own ports now
        for name, listen, port in listeners:
            if not _can_bind(listen, port):
                self.error(
                    f"Cổng {listen}:{port} ({name}) đang bị chương trình khác dùng (hoặc địa chỉ "
                    "không có trên máy này)."
                )

    async def health(self) -> None:
        port = self.s.health_port_effective
        if not (self.running and self.s.has_platform_token and port):
            return
        url = f"http://{self.s.health_listen}:{port}/healthz"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as http:
                response = await http.get(url)
            body = response.json()
        except (httpx.HTTPError, ValueError):
            self.warn(f"Bot đang chạy nhưng {url} không trả lời.")
            return
        if response.status_code == 200:
            self.ok(
                f"Tình trạng bot ({url}): tốt; {body.get('outbox_backlog')} tin chờ gửi, "
                f"lần chạy lịch gần nhất {body.get('last_tick')}."
            )
        else:
            self.warn(f"Tình trạng bot ({url}): {body.get('status')} – {body}.")


async def _telegram_call(
    http: httpx.AsyncClient, base: str, token: str, method: str
) -> dict[str, Any] | None:
    """The method's result; None when Telegram refuses the token (401/404)."""
    response = await http.post(f"{base}{token}/{method}")
    if response.status_code in (401, 404):
        return None
    body = response.json()
    if not isinstance(body, dict) or not body.get("ok"):
        raise ValueError(f"{method}: {response.status_code}")
    result = body.get("result")
    return result if isinstance(result, dict) else {}


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _can_bind(listen: str, port: int) -> bool:
    try:
        infos = socket.getaddrinfo(listen, port, type=socket.SOCK_STREAM)
    except OSError:
        return False
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError:
            return False
    return True


async def run_check(settings: Settings, out: TextIO, *, wait: float = 10.0) -> int:
    """Prints the findings; 1 when there is an error, 0 otherwise."""
    checks = Checks(settings, timeout=wait)
    print("Kiểm tra cấu hình và kết nối của bot:", file=out)
    for finding in await checks.run():
        print(f"  {MARK[finding.level]} {finding.text}", file=out)
    when = format_datetime(checks.clock.now().astimezone(ZoneInfo(settings.timezone)))
    if checks.errors:
        print(
            f"Kết quả ({when}): {checks.errors} lỗi, {checks.warnings} cảnh báo. Sửa các mục "
            "❌ rồi chạy lại lệnh này.",
            file=out,
        )
        return 1
    print(f"Kết quả ({when}): không có lỗi, {checks.warnings} cảnh báo.", file=out)
    return 0
