"""The emulation registry end to end. Over Telegram (real HTTP against the fake Bot API):
good models reported over several weeks, one with a photo, enter the registry as the reports
arrive; a reporter marks a collective right after reporting; early in the next year the
leader marks an exemplary person from a numbered list, shortlists for commendation, reads the
year-end list and receives it as a Word document and an Excel workbook whose contents are the
stored entries (read back by a second connection). Over Zalo: the same by typed commands,
and the year-end list as text, since Zalo's bots cannot send files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document

from bot.core.emulation import EmulationEntry
from storage.sqlite import open_store
from tests.e2e.conftest import OWNER, TZ, Live, at, live_bot
from tests.e2e.test_weekly_cycle import invite, join, people
from tests.e2e.test_zalo_cycle import BINH as Z_BINH
from tests.e2e.test_zalo_cycle import EM as Z_EM
from tests.e2e.test_zalo_cycle import GIANG as Z_GIANG
from tests.e2e.test_zalo_cycle import set_up
from tests.e2e.zalo_support import live_zalo
from tests.fakes.telegram_api import Sent

GROUP, LEADERS = -100100, -100200
BINH, EM, GIANG = 1002, 1005, 1007


async def stored(live: Live) -> list[EmulationEntry]:
    store = await open_store(live.settings.database)
    try:
        campaign = (await store.campaigns.list_active())[0]
        return await store.emulation.in_range(campaign.workspace_id)
    finally:
        await store.close()


def files(live: Live, suffix: str) -> list[Sent]:
    return [s for s in live.api.sent if s.document and s.document.endswith(suffix)]


async def report(live: Live, user: int, text: str, **kw: object) -> str:
    sent = await live.say(user, None, text, **kw)
    assert sent is not None
    return sent.text


async def test_good_models_over_weeks_come_out_as_the_year_end_list(tmp_path: Path) -> None:
    async with live_bot(tmp_path, webhook=False) as live:
        people(live)
        live.api.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
        live.api.group(LEADERS, "Thường trực UBMTTQ tỉnh")
        assert await live.say(OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh") is not None
        assert await live.say(OWNER, GROUP, "/napmau tayninh") is not None
        assert await live.say(OWNER, LEADERS, "/nhomlanhdao") is not None
        await join(live, BINH, await invite(live, GROUP, "tinhdoan"))
        await join(live, EM, await invite(live, GROUP, "hnd"))
        await join(live, GIANG, await invite(live, GROUP, "-", "lanhdao"))

        # Week 48: the prompt goes out; both units report a good model.
        await live.tick(at(23, 8))
        live.clock.set(at(24, 9))
        text = await report(live, BINH, "1. 10\n12. Mô hình “Thắp sáng đường quê” ở ấp Bàu Sen")
        assert "✅ Đã ghi nhận" in text and "sổ điển hình (số 1)" in text
        text = await report(live, EM, "1. 4\n12. Tổ hợp tác tiêu thụ dưa hấu ấp Thạnh Hiệp")
        assert "sổ điển hình (số 2)" in text
        # Right after reporting, Hội ND puts it forward as a collective.
        text = await report(live, EM, "/danhdau tập thể | Tổ hợp tác dưa hấu ấp Thạnh Hiệp")
        assert "✅ Đã ghi vào sổ điển hình: số 3 – tập thể tiêu biểu" in text
        await live.tick(at(27, 17))
        assert any("TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in t for t in live.api.texts(LEADERS))

        # Week 49: a model with a photo (the caption is the report).
        await live.tick(datetime(2026, 11, 30, 8, 0, tzinfo=TZ))
        live.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
        text = await report(
            live,
            BINH,
            "1. 11\n12. Đội hình thanh niên tình nguyện; đoàn viên Nguyễn Văn Tâm trực 30 ngày",
            photo=b"\xff\xd8\xff\xe0 anh",
        )
        assert "sổ điển hình (số 4)" in text
        # Week 50: nothing to put forward ("Không có").
        live.clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=TZ))
        text = await report(live, EM, "1. 3\n12. Không có")
        assert "✅ Đã ghi nhận" in text and "sổ điển hình" not in text

        # January: the leader prepares the review conference.
        live.clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=TZ))
        listing = await live.say(GIANG, LEADERS, "/danhdau tuần 49")
        assert listing is not None and "1. Tỉnh đoàn – Mô hình hay" in listing.text
        sent = await live.say(GIANG, LEADERS, "/danhdau 1 cá nhân | Đoàn viên Nguyễn Văn Tâm")
        assert sent is not None and "số 5 – cá nhân tiêu biểu" in sent.text
        sent = await live.say(GIANG, LEADERS, "/denghikhen 1 5 | Tiêu biểu năm 2026")
        assert sent is not None and "số 1, 5" in sent.text
        year = await live.say(GIANG, LEADERS, "/dienhinh")
        assert year is not None and "NĂM 2026" in year.text
        assert "Tổng số: 5 mục, trong đó 2 mục được đề nghị khen thưởng" in year.text

        entries = await stored(live)
        assert [e.number for e in entries] == [1, 2, 3, 4, 5]
        assert [len(e.photos) for e in entries] == [0, 0, 0, 1, 1]

        before = len(files(live, ".docx"))
        await live.say(GIANG, LEADERS, "/dienhinh word")
        await live.api.wait_until(lambda: len(files(live, ".docx")) > before, within=30)
        word = files(live, ".docx")[-1]
        assert word.document == "danh-sach-dien-hinh-nam-2026.docx"
        assert word.chat_id == LEADERS and word.content is not None
        doc = Document(io.BytesIO(word.content))
        text = "\n".join(p.text for p in doc.paragraphs)
        cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
        assert "DANH SÁCH" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
        for e in entries:
            assert e.text in cells and f"[số {e.number}]" in cells

        before = len(files(live, ".xlsx"))
        await live.say(GIANG, LEADERS, "/dienhinh excel đề xuất")
        await live.api.wait_until(lambda: len(files(live, ".xlsx")) > before, within=30)
        excel = files(live, ".xlsx")[-1]
        assert excel.document == "de-nghi-khen-thuong-nam-2026.xlsx" and excel.content is not None
        wb = openpyxl.load_workbook(io.BytesIO(excel.content))
        sheet: Any = wb["Danh sách"]
        rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[1], int)]
        assert sorted(r[1] for r in rows) == [1, 5]
        assert {r[13] for r in rows} == {"Tiêu biểu năm 2026"}


async def test_on_zalo_the_registry_works_by_typed_commands_and_answers_in_text(
    tmp_path: Path,
) -> None:
    async with live_zalo(tmp_path) as live:
        await set_up(live)
        await live.tick(at(23, 8))
        live.clock.set(at(24, 9))
        sent = await live.say(Z_BINH, "1. 10\n12. Mô hình “Thắp sáng đường quê” ở ấp Bàu Sen")
        assert sent is not None and "sổ điển hình (số 1)" in sent.text
        live.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=TZ))
        sent = await live.say(Z_EM, "1. 4\n12. Tổ hợp tác tiêu thụ dưa hấu ấp Thạnh Hiệp")
        assert sent is not None and "sổ điển hình (số 2)" in sent.text
        sent = await live.say(Z_EM, "/danhdau tập thể | Tổ hợp tác dưa hấu")
        assert sent is not None and "số 3 – tập thể tiêu biểu" in sent.text
        # The leader, privately: a numbered list answered by a typed command.
        sent = await live.say(Z_GIANG, "/danhdau tuần 48")
        assert sent is not None and "1. Tỉnh đoàn – Mô hình hay" in sent.text
        sent = await live.say(Z_GIANG, "/danhdau 1 tập thể | Chi đoàn ấp Bàu Sen")
        assert sent is not None and "số 4 – tập thể tiêu biểu" in sent.text
        sent = await live.say(Z_GIANG, "/denghikhen 1 4")
        assert sent is not None and "số 1, 4" in sent.text
        before = len(live.api.texts(Z_GIANG))
        await live.say(Z_GIANG, "/dienhinh word năm 2026")
        answer = "\n".join(live.api.texts(Z_GIANG)[before:])
        assert "Zalo chưa cho bot gửi tệp" in answer
        assert "Tổng số: 4 mục, trong đó 2 mục được đề nghị khen thưởng" in answer
        assert "⭐ Số 1. Tỉnh đoàn" in answer
        assert all(len(t) <= 2000 for t in live.api.texts(Z_GIANG))
