"""The real command in webhook mode, as deployed behind nginx: JSON log lines without the
token, ``/healthz`` answering, a second process on the same database refused, and a clean
stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx

from tests.fakes.telegram_api import TOKEN, FakeBotApi, FakeBotApiServer, free_port


async def test_webhook_process_logs_json_serves_healthz_and_runs_once(tmp_path: Path) -> None:
    api = FakeBotApi()
    api.user(1001, "Nguyễn Văn", "An")
    server = FakeBotApiServer(api)
    await server.start()
    hook, health = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{hook}/telegram",
        "TELEGRAM_WEBHOOK_PORT": str(hook),
        "TELEGRAM_WEBHOOK_SECRET": "bi-mat_123",
        "BOT_HEALTH_PORT": str(health),
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": "telegram:1001",
        "BOT_LOG_FORMAT": "json",
        "BOT_LOG_LEVEL": "DEBUG",
    }

    def start() -> asyncio.Future[asyncio.subprocess.Process]:
        return asyncio.ensure_future(
            asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=tmp_path,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        )

    proc = await start()
    try:
        await api.wait_until(lambda: bool(api.webhook_url), 30)
        api.message(1001, None, "/toi")
        sent = await api.wait_sent(1001, 1, within=15)
        assert "Người vận hành bot" in sent[0].text

        async with httpx.AsyncClient(timeout=5) as http:
            body: dict[str, object] = {}
            for _ in range(100):  # until the first tick is noted (bounded)
                response = await http.get(f"http://127.0.0.1:{health}/healthz")
                body = response.json()
                if response.status_code == 200:
                    break
                await asyncio.sleep(0.1)
        assert body["status"] == "ok" and body["database"] is True
        assert body["channels"] == ["telegram"] and body["last_backup"]

        second = await start()
        _, err2 = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 1
        assert "Bot đang chạy với cơ sở dữ liệu" in err2.decode()

        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    assert proc.returncode == 0
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is a JSON record
    assert any(r["msg"].startswith("telegram bot @") for r in records)
    assert any(r["logger"] == "bot.ops.health" for r in records)
    assert TOKEN not in stderr.decode() and TOKEN.split(":")[1] not in stderr.decode()
    assert list((tmp_path / "data" / "backups").iterdir())  # the first tick's backup
