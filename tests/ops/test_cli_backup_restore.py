"""``python -m bot backup`` and ``python -m bot restore`` as the IT officer types them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.app import build_services
from bot.core.clock import ManualClock
from bot.ops.lock import instance_lock
from storage.db import load_migrations

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=TZ)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder (no .env) whose data folder holds a database."""
    for name in list(os.environ):
        if name.startswith(("BOT_", "TELEGRAM_", "ZALO_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


async def _make(database: Path, name: str) -> None:
    async with build_services(database, clock=ManualClock(T0)) as services:
        ws = await services.store.workspaces.create(name, T0)
        await services.store.orgs.add(ws.id, "hnd", "Hội Nông dân tỉnh")


def _workspaces(database: Path) -> list[str]:
    conn = sqlite3.connect(database)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM workspaces")]
    finally:
        conn.close()


def test_backup_then_restore_in_process(
    data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    database = data / "bot.db"
    asyncio.run(_make(database, "Trước"))
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    assert "Đã sao lưu lúc" in out and "thư mục giữ 1 bản" in out
    [backup] = list((data / "backups").iterdir())

    assert main(["backup", "--to", str(tmp_path / "ngoai.db")]) == 0
    assert "kiểm tra toàn vẹn: tốt" in capsys.readouterr().out
    assert main(["backup", "--to", str(tmp_path / "ngoai.db")]) == 1
    assert "không ghi đè" in capsys.readouterr().err

    # The database moves on; the backup is restored over it.
    conn = sqlite3.connect(database)
    conn.execute("UPDATE workspaces SET name = 'Sau'")
    conn.commit()
    conn.close()
    assert main(["restore", str(backup), "--check"]) == 0
    out = capsys.readouterr().out
    assert "kiểm tra toàn vẹn tốt" in out and "1 không gian báo cáo" in out
    assert _workspaces(database) == ["Sau"]  # --check changes nothing

    assert main(["restore", str(backup)]) == 1  # no terminal to confirm at
    assert "--yes" in capsys.readouterr().err
    assert main(["restore", str(backup), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục" in out and "truoc-khoi-phuc" in out
    assert _workspaces(database) == ["Trước"]
    kept = [p for p in data.iterdir() if "truoc-khoi-phuc" in p.name]
    assert kept and _workspaces(kept[0]) == ["Sau"]


def test_restore_is_refused_while_the_bot_runs(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = data / "bot.db"
    asyncio.run(_make(database, "Đang chạy"))
    assert main(["backup"]) == 0
    [backup] = list((data / "backups").iterdir())
    capsys.readouterr()
    with instance_lock(database):  # what the running bot holds
        assert main(["restore", str(backup), "--yes"]) == 1
    assert "Bot đang chạy" in capsys.readouterr().err


def test_restore_explains_a_newer_or_foreign_file(
    data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    newer = tmp_path / "newer.db"
    asyncio.run(_make(newer, "Mới"))
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {load_migrations()[-1].version + 3}")
    conn.commit()
    conn.close()
    assert main(["restore", str(newer), "--yes"]) == 1
    assert "phiên bản bot mới hơn" in capsys.readouterr().err
    text = tmp_path / "x.db.gz"
    text.write_bytes(b"not gzip")
    assert main(["restore", str(text), "--yes"]) == 1
    assert "không phải cơ sở dữ liệu" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "none.db")]) == 1
    assert "Không thấy tệp" in capsys.readouterr().err
    assert not (data / "bot.db").exists()


def test_backup_without_a_database_says_so(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup"]) == 1
    assert "chưa có gì để sao lưu" in capsys.readouterr().err


def test_the_commands_from_a_shell(tmp_path: Path) -> None:
    """The real command line, in a subprocess, as in the README."""
    asyncio.run(_make(tmp_path / "data" / "bot.db", "Tỉnh"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))}
    env["BOT_DATA_DIR"] = str(tmp_path / "data")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    made = run("backup")
    assert made.returncode == 0, made.stderr
    [backup] = list((tmp_path / "data" / "backups").iterdir())
    restored = run("restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Khởi động lại bot" in restored.stdout
    assert _workspaces(tmp_path / "data" / "bot.db") == ["Tỉnh"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="handing the folder to another user (chown) needs root; CI runs as root, so it runs there",
)
def test_root_is_refused_on_the_bot_users_folder(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data.mkdir()
    os.chown(data, 65534, 65534)  # nobody: the service's user in this test
    assert main(["check"]) == 1
    assert "sudo reporting-bot check" in capsys.readouterr().err
    assert list(data.iterdir()) == []  # nothing created as root
