"""Shared fixtures: a sandbox over a real SQLite file with a manual clock."""

from __future__ import annotations

import io
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import Services, build_services, make_sandbox, seeded_codes
from bot.channels.sandbox import Sandbox
from bot.core.clock import ManualClock
from bot.core.models import Campaign, OrgUnit
from storage.sqlite import SqliteStore

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Harness:
    """Plays transcript snippets and returns what the bot printed for each."""

    services: Services
    sandbox: Sandbox
    out: io.StringIO
    clock: ManualClock

    async def play(self, transcript: str) -> str:
        start = self.out.tell()
        await self.sandbox.play(textwrap.dedent(transcript).strip("\n").splitlines())
        self.out.seek(start)
        text = self.out.read()
        self.out.seek(0, io.SEEK_END)
        return text

    @property
    def store(self) -> SqliteStore:
        return self.services.store

    async def campaign(self) -> Campaign:
        campaigns = await self.store.campaigns.list_active()
        assert campaigns, "no active campaign"
        return campaigns[0]

    async def org(self, code: str) -> OrgUnit:
        campaign = await self.campaign()
        org = await self.store.orgs.by_code(campaign.workspace_id, code)
        assert org is not None, code
        return org


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=TZ))
    out = io.StringIO()
    async with build_services(
        tmp_path / "bot.db", clock=clock, owners=set(), new_code=seeded_codes(7)
    ) as services:
        sandbox = make_sandbox(services, out, "Asia/Ho_Chi_Minh")
        yield Harness(services, sandbox, out, clock)


SETUP = """
@owner 1001
@user 1001 Nguyễn Văn An
@user 1002 Trần Thị Bình
@user 1003 Lê Văn Cường
@user 1005 Hoàng Văn Em
@user 1007 Đặng Thị Giang
@user 1099 Người Lạ
@chat g1 group Nhóm MTT-CTXH tỉnh Tây Ninh
@chat ld group Thường trực UBMTTQ tỉnh
@clock 2026-11-23 07:30
1001 @ g1: /khoitao Nhóm MTT-CTXH tỉnh Tây Ninh
1001 @ g1: /napmau tayninh
1001 @ g1: /gan mttq quantri 1001
1001 @ g1: /gan tinhdoan baocao 1002
1001 @ g1: /gan ldld baocao 1003
1001 @ g1: /gan hnd baocao 1005
1001 @ g1: /gan - lanhdao 1007
1001 @ ld: /nhomlanhdao
"""


@pytest.fixture
async def tayninh(harness: Harness) -> Harness:
    """A workspace set up as in the demo, before the week's prompt (Monday 07:30)."""
    await harness.play(SETUP)
    return harness
