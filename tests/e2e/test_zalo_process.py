"""The README's run command with only ZALO_BOT_TOKEN set: `python -m bot` long-polls the
fake Zalo Bot API, answers, counts, and stops cleanly on SIGTERM; the token never appears
in what it prints, even at DEBUG."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.zalo_api import TOKEN, FakeZaloApi, FakeZaloServer


async def test_python_m_bot_serves_zalo_and_stops_on_sigterm(tmp_path: Path) -> None:
    api = FakeZaloApi()
    api.user("u1001", "Nguyễn Văn An")
    server = FakeZaloServer(api)
    await server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env |= {
        "ZALO_BOT_TOKEN": TOKEN,
        "ZALO_BASE_URL": server.base_url,
        "ZALO_POLL_TIMEOUT": "1",
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_OWNERS": "zalo:u1001",
        "BOT_LOG_LEVEL": "DEBUG",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), 30)
        assert any(m == "deleteWebhook" for m, _ in api.calls)  # polling: no webhook left
        api.message("u1001", None, "/toi")
        sent = await api.wait_sent("u1001", 1, within=15)
        assert "Người vận hành bot" in sent[0].text
        api.message("u1001", None, "/hanmuc")
        sent = await api.wait_sent("u1001", 2, within=15)
        assert "Zalo: đã gửi 1/3.000 tin" in sent[1].text
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    output = stdout.decode() + stderr.decode()
    assert proc.returncode == 0, output[-2000:]
    assert "Zalo: nhận tin bằng long polling" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert (tmp_path / "data" / "bot.db").exists()
