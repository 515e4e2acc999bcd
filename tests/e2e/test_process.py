"""The real command (`python -m bot`) against the fake Bot API: run_polling, a reply, then
a clean stop on SIGTERM; the token never appears in what it prints, even at DEBUG."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import TOKEN, FakeBotApi, FakeBotApiServer


async def test_python_m_bot_polls_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    api = FakeBotApi()
    api.user(1001, "Nguyễn Văn", "An")
    server = FakeBotApiServer(api)
    await server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": server.base_url,
        "TELEGRAM_BASE_FILE_URL": server.base_file_url,
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": "telegram:1001",
        "BOT_LOG_LEVEL": "DEBUG",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), 30)
        assert "all_private_chats" in api.commands and "all_group_chats" in api.commands
        api.message(1001, None, "/toi")
        sent = await api.wait_sent(1001, 1, within=15)
        assert "Người vận hành bot" in sent[0].text
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    output = stdout.decode() + stderr.decode()
    assert proc.returncode == 0, output[-2000:]
    assert "long polling" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert (tmp_path / "data" / "bot.db").exists()
