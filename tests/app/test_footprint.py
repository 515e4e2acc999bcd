"""The bot's footprint: heavy libraries (charts, Excel, Word) are imported only when a chart
or an export is made, never by starting the bot. Checked in a fresh interpreter, after
importing the composition root, building the services over a database and building the
Telegram application and the Zalo hub (no network: nothing is started)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Top-level packages that cost tens of MB and a second of start-up each.
HEAVY = (
    "matplotlib",
    "xlsxwriter",
    "openpyxl",
    "docx",
    "numpy",
    "pandas",
    "PIL",
    "reportlab",
    "lxml",
)

PROGRAM = """
import asyncio, sys
from datetime import datetime, UTC
from pathlib import Path

import bot.__main__
from bot import app
from bot.config import Settings
from bot.core.clock import ManualClock

async def main() -> None:
    clock = ManualClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    async with app.build_services(Path(sys.argv[1]), clock=clock) as services:
        await services.cycle.run_due(clock.now())
    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN="123:abc",
        ZALO_BOT_TOKEN="456:def",
        BOT_DATA_DIR=sys.argv[2],
    )
    app.build_telegram(settings)
    app.ChannelHub(settings)

asyncio.run(main())
heavy = sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[3].split(","))
print(",".join(heavy))
"""


def test_starting_the_bot_imports_no_heavy_library(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path / "bot.db"), str(tmp_path), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"
