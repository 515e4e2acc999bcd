"""``python -m bot check`` against the fake Telegram and Zalo servers and with bad settings."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.ops.check import ERROR, OK, WARN, Checks, Finding, run_check
from bot.ops.health import HealthServer
from bot.ops.lock import instance_lock
from storage.db import load_migrations
from tests.fakes.telegram_api import TOKEN, FakeBotApi, FakeBotApiServer, free_port
from tests.fakes.zalo_api import TOKEN as ZALO_TOKEN
from tests.fakes.zalo_api import FakeZaloApi, FakeZaloServer


@dataclass
class Fakes:
    telegram: FakeBotApi
    telegram_server: FakeBotApiServer
    zalo: FakeZaloApi
    zalo_server: FakeZaloServer


@pytest.fixture
async def fakes() -> AsyncIterator[Fakes]:
    tg, zl = FakeBotApi(), FakeZaloApi()
    tg_server, zl_server = FakeBotApiServer(tg), FakeZaloServer(zl)
    await tg_server.start()
    await zl_server.start()
    try:
        yield Fakes(tg, tg_server, zl, zl_server)
    finally:
        await tg_server.stop()
        await zl_server.stop()


def make(tmp_path: Path, fakes: Fakes | None = None, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": "telegram:1001,zalo:u1",
    }
    if fakes is not None:
        base |= {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": fakes.telegram_server.base_url,
            "TELEGRAM_BASE_FILE_URL": fakes.telegram_server.base_file_url,
            "ZALO_BOT_TOKEN": ZALO_TOKEN,
            "ZALO_BASE_URL": fakes.zalo_server.base_url,
        }
    return Settings(_env_file=None, **(base | values))


async def findings(settings: Settings) -> list[Finding]:
    return await Checks(settings, timeout=5).run()


def texts(found: list[Finding], level: str) -> str:
    return "\n".join(f.text for f in found if f.level == level)


async def test_a_good_configuration_passes(tmp_path: Path, fakes: Fakes) -> None:
    out = io.StringIO()
    code = await run_check(make(tmp_path, fakes), out, wait=5)
    text = out.getvalue()
    assert code == 0, text
    assert "❌" not in text
    assert "✅ Telegram: kết nối được, bot @BaoCaoTuanBot." in text
    assert "✅ Zalo: kết nối được, bot BaoCaoTuan (không được tham gia nhóm)." in text
    assert "chưa có, đã tạo mới (cấu trúc phiên bản" in text
    assert "long polling" in text
    assert "Chưa có bản sao lưu nào" in text  # a warning, not an error
    assert text.rstrip().endswith("cảnh báo.") and "không có lỗi" in text
    assert (tmp_path / "data" / "bot.db").exists()
    assert TOKEN not in text and ZALO_TOKEN not in text


async def test_refused_tokens_are_errors_without_showing_them(tmp_path: Path, fakes: Fakes) -> None:
    settings = make(
        tmp_path, fakes, TELEGRAM_BOT_TOKEN="999:wrong-token", ZALO_BOT_TOKEN="wrong-zalo"
    )
    out = io.StringIO()
    assert await run_check(settings, out, wait=5) == 1
    text = out.getvalue()
    assert "❌ Telegram từ chối mã truy cập" in text
    assert "❌ Zalo từ chối mã truy cập" in text
    assert "wrong-token" not in text and "wrong-zalo" not in text
    assert "2 lỗi" in text


async def test_unreachable_platforms(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    settings = make(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=f"{nowhere}/bot",
        ZALO_BOT_TOKEN=ZALO_TOKEN,
        ZALO_BASE_URL=nowhere,
    )
    found = await findings(settings)
    errors = texts(found, ERROR)
    assert "Không kết nối được máy chủ Telegram (127.0.0.1:" in errors
    assert "Không kết nối được máy chủ Zalo (127.0.0.1:" in errors
    assert TOKEN not in errors and ZALO_TOKEN not in errors


async def test_webhook_addresses_are_checked(tmp_path: Path, fakes: Fakes) -> None:
    settings = make(
        tmp_path,
        fakes,
        TELEGRAM_WEBHOOK_URL="http://bot.example.vn:8080/tg",
        TELEGRAM_WEBHOOK_PATH="telegram",
        TELEGRAM_WEBHOOK_LISTEN="0.0.0.0",
        ZALO_WEBHOOK_URL="https://192.168.1.10/zalo",
        ZALO_WEBHOOK_SECRET="bi-mat-zalo-123",
        ZALO_WEBHOOK_PORT=8443,  # the same as Telegram's
    )
    found = await findings(settings)
    errors, warnings = texts(found, ERROR), texts(found, WARN)
    assert "TELEGRAM_WEBHOOK_URL phải là địa chỉ https://" in errors
    assert "dùng cổng 8080; Telegram chỉ gửi tới cổng 443, 80, 88 hoặc 8443" in errors
    assert "Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET" in errors
    assert "ZALO_WEBHOOK_URL trỏ tới địa chỉ nội bộ 192.168.1.10" in errors
    assert "ZALO_WEBHOOK_PORT và TELEGRAM_WEBHOOK_PORT cùng dùng cổng 8443" in errors
    assert "có đường dẫn “/tg” còn bot nghe ở “/telegram”" in warnings
    assert "TELEGRAM_WEBHOOK_LISTEN=0.0.0.0: bot nhận kết nối từ mạng ngoài" in warnings


async def test_a_good_webhook_setup(tmp_path: Path, fakes: Fakes) -> None:
    port, health = free_port(), free_port()
    fakes.telegram.webhook_url = "https://bot.example.vn/old"

    def info(p: dict[str, Any]) -> Any:
        return {"url": "https://bot.example.vn/old", "last_error_message": "Connection refused"}

    fakes.telegram._m_getWebhookInfo = info  # type: ignore[method-assign]
    settings = make(
        tmp_path,
        fakes,
        ZALO_BOT_TOKEN="",
        TELEGRAM_WEBHOOK_URL="https://bot.example.vn/telegram",
        TELEGRAM_WEBHOOK_SECRET="bi-mat_123",
        TELEGRAM_WEBHOOK_PORT=port,
        BOT_HEALTH_PORT=health,
    )
    found = await findings(settings)
    assert texts(found, ERROR) == ""
    oks, warnings = texts(found, OK), texts(found, WARN)
    assert (
        f"Telegram: webhook https://bot.example.vn/telegram → bot nghe tại 127.0.0.1:{port}" in oks
    )
    assert "khác TELEGRAM_WEBHOOK_URL; bot sẽ đăng ký lại" in warnings
    assert "không gửi được tới webhook: “Connection refused”" in warnings
    assert "BOT_OWNERS có zalo:u1 nhưng chưa có ZALO_BOT_TOKEN" in warnings


async def test_busy_ports_are_errors_unless_the_bot_holds_them(
    tmp_path: Path, fakes: Fakes
) -> None:
    health_port = free_port()
    settings = make(tmp_path, fakes, ZALO_BOT_TOKEN="", BOT_HEALTH_PORT=health_port)

    async def report() -> tuple[bool, dict[str, Any]]:
        return True, {"status": "ok", "outbox_backlog": 3, "last_tick": "2026-11-23T08:00:00+07:00"}

    server = HealthServer(report, listen="127.0.0.1", port=health_port)
    await server.start()
    try:
        found = await findings(settings)
        assert f"Cổng 127.0.0.1:{health_port} (BOT_HEALTH_PORT) đang bị chương trình khác dùng" in (
            texts(found, ERROR)
        )
        with instance_lock(settings.database):  # the bot is running: its ports are its own
            found = await findings(settings)
        assert texts(found, ERROR) == ""
        oks = texts(found, OK)
        assert "Bot đang chạy với cơ sở dữ liệu này" in oks
        assert "Tình trạng bot (http://127.0.0.1:" in oks and "3 tin chờ gửi" in oks
    finally:
        await server.stop()


async def test_data_folder_and_database_problems(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    found = await findings(make(tmp_path, BOT_DATA_DIR=str(blocker / "data")))
    assert "không tạo được hoặc không ghi được" in texts(found, ERROR)

    newer = make(tmp_path)
    newer.database.parent.mkdir(parents=True)
    conn = sqlite3.connect(newer.database)
    conn.execute(f"PRAGMA user_version = {load_migrations()[-1].version + 1}")
    conn.commit()
    conn.close()
    found = await findings(newer)
    assert "do phiên bản bot mới hơn tạo ra" in texts(found, ERROR)

    garbage = make(tmp_path / "g")
    garbage.database.parent.mkdir(parents=True)
    garbage.database.write_bytes(b"this is not a database at all" * 100)
    found = await findings(garbage)
    assert "Không mở được cơ sở dữ liệu" in texts(found, ERROR)


async def test_no_owner_and_no_token_are_warnings(tmp_path: Path) -> None:
    found = await findings(make(tmp_path, BOT_OWNERS=""))
    assert texts(found, ERROR) == ""
    warnings = texts(found, WARN)
    assert "Chưa khai báo người vận hành bot (BOT_OWNERS)" in warnings
    assert "chế độ thử nghiệm" in warnings


async def test_the_command_line(tmp_path: Path, fakes: Fakes) -> None:
    """``python -m bot check`` in a subprocess: exit codes 0, 1 and 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env |= {
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": "telegram:1001",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fakes.telegram_server.base_url,
    }

    async def run(**extra: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "check", cwd=tmp_path, env=env | extra,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    code, out, _ = await run()
    assert code == 0, out
    assert "Telegram: kết nối được" in out
    code, out, _ = await run(TELEGRAM_BOT_TOKEN="1:sai")
    assert code == 1 and "Telegram từ chối mã truy cập" in out and "1:sai" not in out
    code, _, err = await run(BOT_TIMEZONE="Sao/Hoa", BOT_LOG_FORMAT="xml")
    assert code == 2
    assert "múi giờ không hợp lệ" in err and "BOT_LOG_FORMAT" in err
