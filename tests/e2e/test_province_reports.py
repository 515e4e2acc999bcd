"""A province with its communes and a year of reports, over Telegram (real HTTP against the
fake Bot API): the first tick after the year's last week sends the digest with its chart
and the scheduled monthly and quarterly roll-ups with their files; the leadership then asks
in chat for the quarter's Word report and the year's Excel workbook, and the figures in
the files are the stored figures."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document

from bot.config import Settings
from bot.core.periods import Period, PeriodType
from bot.core.rollup import Span
from bot.core.vnformat import format_int
from bot.demo.province import demo_now, seed_province
from bot.services.reports import ReportService
from bot.services.templates import TemplateService
from storage.sqlite import open_store
from tests.e2e.conftest import OWNER, live_bot
from tests.fakes.telegram_api import Sent

LEADERS = -100300
LEADER = 1007
FIELD = "so_buoi_tuyen_truyen"


async def seed(settings: Settings) -> None:
    store = await open_store(settings.database)
    try:
        await seed_province(
            store,
            now=demo_now(),
            communes=9,
            year=2026,
            admin=("telegram", str(OWNER)),
            leader=("telegram", str(LEADER)),
            leadership_chat=("telegram", str(LEADERS)),
        )
    finally:
        await store.close()


async def stored_total(settings: Settings, span: Span) -> int:
    """The field's total computed from the database by a second connection."""
    store = await open_store(settings.database)
    try:
        campaign = (await store.campaigns.list_active())[0]
        r = await ReportService(store, TemplateService(store)).rollup(
            campaign, span, demo_now(), previous=False
        )
        value = next(t.value for t in r.totals if t.key == FIELD)
        assert isinstance(value, int)
        # And independently of the roll-up code: the raw current versions.
        raw = 0
        for p in span.source_periods(PeriodType.WEEK):
            for v in await store.submissions.current(campaign.id, p):
                n = v.values.get(FIELD)
                raw += n if isinstance(n, int) else 0
        assert raw == value
        return value
    finally:
        await store.close()


def files(sent: list[Sent], suffix: str) -> list[Sent]:
    return [s for s in sent if s.document and s.document.endswith(suffix)]


async def test_quarterly_word_and_yearly_excel_on_request(tmp_path: Path) -> None:
    async with live_bot(tmp_path, webhook=False, start=demo_now(), prepare=seed) as live:
        live.api.user(OWNER, "Nguyễn Văn", "An")
        live.api.user(LEADER, "Đặng Thị", "Giang")
        live.api.group(LEADERS, "Thường trực UBMTTQ tỉnh")

        # The first tick: week 53's digest and chart, December's and the quarter's roll-ups.
        await live.tick(demo_now())
        await live.api.wait_until(lambda: len(files(live.api.sent, ".xlsx")) >= 2, within=60)
        to_leaders = [s for s in live.api.sent if s.chat_id == LEADERS]
        texts = [s.text for s in to_leaders]
        digest = next(i for i, t in enumerate(texts) if "TỔNG HỢP KẾT QUẢ TUẦN 53/2026" in t)
        photo = next(i for i, s in enumerate(to_leaders) if s.method == "sendPhoto")
        assert photo > digest
        chart = to_leaders[photo].content
        assert chart is not None and chart.startswith(b"\x89PNG")
        assert any("TỔNG HỢP KẾT QUẢ THÁNG 12/2026" in t for t in texts)
        assert any("TỔNG HỢP KẾT QUẢ QUÝ IV/2026" in t for t in texts)
        assert [s.document for s in files(to_leaders, ".docx")] == ["bao-cao-quy-iv-2026.docx"]

        # The leadership asks in chat.
        await live.say(OWNER, LEADERS, "/vanban người ký | Nguyễn Văn An")
        before = len(files(live.api.sent, ".docx"))
        sent = await live.say(LEADER, LEADERS, "/xuat word quý IV")
        await live.api.wait_until(lambda: len(files(live.api.sent, ".docx")) > before, within=60)
        word = files(live.api.sent, ".docx")[-1]
        assert word.chat_id == LEADERS and word.content is not None
        assert sent is not None
        doc = Document(io.BytesIO(word.content))
        text = "\n".join(p.text for p in doc.paragraphs)
        cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Nguyễn Văn An" in cells
        q4 = Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1)))
        assert f"{format_int(await stored_total(live.settings, q4))} buổi" in text

        before = len(files(live.api.sent, ".xlsx"))
        await live.say(LEADER, LEADERS, "/xuat excel năm 2026")
        await live.api.wait_until(lambda: len(files(live.api.sent, ".xlsx")) > before, within=60)
        excel = files(live.api.sent, ".xlsx")[-1]
        assert excel.document == "tong-hop-nam-2026.xlsx" and excel.content is not None
        wb = openpyxl.load_workbook(io.BytesIO(excel.content))
        data: Any = wb["Số liệu"]
        header = [c.value for c in data[1]]
        col = next(i for i, v in enumerate(header) if str(v).startswith("Số buổi tuyên truyền"))
        total = sum(row[col] or 0 for row in data.iter_rows(min_row=2, values_only=True))
        year = Span.of(Period(PeriodType.YEAR, date(2026, 1, 1)))
        assert total == await stored_total(live.settings, year)
        assert len(list(data.iter_rows(min_row=2))) > 2500  # 60 units × 53 weeks, minus misses
