"""Footprint: the real bot (``python -m bot``) serving a province.

A province: 600 organizations, one reporter each, the weekly campaign of the Tây Ninh
preset with a year (52 weeks) of stored reports. The bot runs as in production, polling the
fake Telegram Bot API on 127.0.0.1 (no other network). Measured:

* start-up to ready: from the process's start to its first ``getUpdates`` (database
  opened and migrated, services built, identity learned, menus published), beside the
  time an interpreter takes to import the bot's modules and nothing else;
* resident memory: the peak (``VmHWM``) after the week's prompts went out to the 600
  reporters, each of them answered with a report, and an admin asked for the digest of the
  week (completeness, totals, changes, the cumulative over 52 weeks) with its chart, beside
  the interpreter with the bot's modules imported and nothing else (the libraries' own
  share); the resident memory after each stage is printed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import TZ, row, seed_workspace
from bench.digest import bulk_seed
from bot.core.clock import SystemClock
from bot.core.models import Role
from bot.core.periods import Period, PeriodType
from storage.sqlite import open_store
from tests.fakes.telegram_api import TOKEN, FakeBotApi, FakeBotApiServer

ADMIN = 1001
REPLY = (
    "1. Số buổi tuyên truyền, vận động: 5\n2. Số lượt người được tuyên truyền: 120\n"
    "3. Tiền vận động, ủng hộ: 2 triệu"
)


def _rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, KiB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def _reference() -> tuple[float, float]:
    """(seconds to start an interpreter and import the bot's modules, RSS MiB it then has):
    the libraries' own share of both figures."""
    code = (
        "import bot.app, storage.sqlite, pathlib;"
        "print([l for l in pathlib.Path('/proc/self/status').read_text().splitlines()"
        " if l.startswith('VmHWM')][0].split()[1])"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return time.perf_counter() - start, int(out.stdout.strip()) / 1024


async def _province(path: Path, units: int, weeks: int) -> None:
    """The workspace, then a year of reports up to last week (this week is the live one)."""
    today = SystemClock().now().astimezone(TZ).date()
    last = Period.containing(PeriodType.WEEK, today)
    periods = [last.shift(-n) for n in range(weeks - 1, 0, -1)]
    store = await open_store(path)
    try:
        campaign_id = await seed_workspace(store, units)
        campaign = await store.campaigns.get(campaign_id)
        assert campaign is not None
        await store.members.upsert(
            campaign.workspace_id, "telegram", str(ADMIN), "Quản trị", Role.ADMIN, None,
            SystemClock().now(),
        )  # fmt: skip
    finally:
        await store.close()
    bulk_seed(path, campaign_id, units, periods)


async def main(quick: bool = False, units: int = 600, weeks: int = 52) -> list[str]:
    # The fake's long poll is cut when the bot stops: not worth a line in the report.
    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    api = FakeBotApi()
    api.user(ADMIN, "Quản trị")
    for i in range(units):
        api.user(100_000 + i, f"Cán bộ {i}")
    server = FakeBotApiServer(api)
    await server.start()
    with tempfile.TemporaryDirectory(prefix="bench-footprint-") as tmp:
        data = Path(tmp) / "data"
        await _province(data / "bot.db", units, weeks)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "ZALO_"))
        }
        env |= {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": server.base_url,
            "TELEGRAM_BASE_FILE_URL": server.base_file_url,
            "BOT_DATA_DIR": str(data),
            "BOT_OWNERS": f"telegram:{ADMIN}",
            "BOT_TICK_SECONDS": "5",
        }
        start = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), 30)
            ready = time.perf_counter() - start
            stages = [("ready", _rss_kib(proc.pid)[0])]
            # The week's prompts (the tick runs the cycle), then every reporter answers.
            for i in range(units):
                api.message(100_000 + i, None, REPLY)
            await api.wait_until(
                lambda: all(api.texts(100_000 + i) for i in range(units)), 120 + units / 10
            )
            stages.append((f"{units} prompts and replies", _rss_kib(proc.pid)[0]))
            api.message(ADMIN, None, "/tonghop")
            # The digest (its parts go out one a second) down to the cumulative section.
            await api.wait_until(lambda: any("Lũy kế" in t for t in api.texts(ADMIN)), 300)
            assert "TỔNG HỢP KẾT QUẢ" in api.texts(ADMIN)[0]
            await asyncio.sleep(1)
            rss, peak = _rss_kib(proc.pid)
            stages.append(("the digest and its chart", rss))
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
            await server.stop()
    imports, libraries = _reference()
    return [
        row("start-up to ready (python -m bot, polling)", ready, imports, "s",
            "< 2 s", ready < 2.0),
        row(f"resident memory, peak: {units} units, {weeks} weeks", peak / 1024, libraries,
            "MiB", "< 100 MiB", peak / 1024 < 100),
        row("resident memory, after serving", rss / 1024, libraries, "MiB", "< 100 MiB",
            rss / 1024 < 100),
        "  resident memory after: " + ", ".join(f"{n} {k / 1024:.0f} MiB" for n, k in stages),
    ]  # fmt: skip


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
