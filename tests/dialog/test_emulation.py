"""The emulation registry in chat (issue 9): good models from the report's field, marking by
the reporter right after reporting and by the leadership from a numbered list, the shortlist
for commendation, lists by year, unit and kind, the Word and Excel year-end lists checked
against what is stored, Zalo's text-only answer, and who may do what (transcripts over a
real SQLite file)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from docx import Document

from bot.core.emulation import EmulationEntry, EntryKind
from bot.core.events import Chat, InboundMessage, OutDocument, Sender
from bot.core.models import ChatKind, Role
from tests.conftest import Harness
from tests.dialog.test_hierarchy import province


async def entries(h: Harness, *, removed: bool = False) -> list[EmulationEntry]:
    """Every entry of the workspace, by number (removed ones only when asked)."""
    campaign = await h.campaign()
    out: list[EmulationEntry] = []
    n = 1
    while (e := await h.store.emulation.get(campaign.workspace_id, n)) is not None:
        if e.active or removed:
            out.append(e)
        n += 1
    return out


def last_file(h: Harness, suffix: str) -> OutDocument:
    files = [f for f in h.sandbox.files if f.file_name.endswith(suffix)]
    assert files, f"no {suffix} file sent"
    return files[-1]


def docx_text(doc: OutDocument) -> str:
    d = Document(io.BytesIO(doc.content))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


WEEK48 = """
@clock 2026-11-25 09:00
1002 @ dm: 1. 10
  12. Mô hình “Thắp sáng đường quê” ở ấp Bàu Sen
1003 @ dm: 1. 6
  12. Không có
1005 @ dm: 1. 4
  12. Tổ hợp tác tiêu thụ dưa hấu ấp Thạnh Hiệp
"""
WEEK49 = """
@clock 2026-12-02 09:00
1002 @ dm: 1. 9
  12. Chưa có
1003 @ dm: 1. 7
  12. Công đoàn cơ sở Công ty Dệt may vận động 200 suất quà cho công nhân
1005 @ dm [photo 2]: 1. 5
  12. Nông dân Lê Văn Tư hiến 500 m² đất làm đường
"""


async def test_the_good_model_field_enters_the_registry_and_follows_corrections(
    tayninh: Harness,
) -> None:
    h = tayninh
    out = await h.play(WEEK48)
    assert "🏅 Đã ghi mô hình hay của báo cáo vào sổ điển hình (số 1)" in out
    assert "(số 2)" in out
    # "Không có" is no model: LĐLĐ's report adds nothing.
    assert [(e.number, e.text) for e in await entries(h)] == [
        (1, "Mô hình “Thắp sáng đường quê” ở ấp Bàu Sen"),
        (2, "Tổ hợp tác tiêu thụ dưa hấu ấp Thạnh Hiệp"),
    ]
    # A corrected report corrects its entry (same number), photos included.
    out = await h.play("""
        1002 @ dm [photo]: 12. Mô hình “Thắp sáng đường quê”: 120 bóng đèn ở ấp Bàu Sen
        1002 @ dm: 1
        """)
    assert "báo cáo cập nhật (lần 2)" in out and "🏅" not in out
    first = (await entries(h))[0]
    assert first.number == 1 and first.text.endswith("120 bóng đèn ở ấp Bàu Sen")
    assert len(first.photos) == 1
    # Emptied: the entry the field made leaves the registry; the report keeps its history.
    await h.play("1002 @ dm: 12. Không có\n1002 @ dm: 1")
    assert [e.number for e in await entries(h)] == [2]
    gone = (await entries(h, removed=True))[0]
    assert gone.number == 1 and gone.removed_by is not None
    # Written again: a new entry, a new number.
    out = await h.play("1002 @ dm: 12. Mô hình “Thắp sáng đường quê” mở rộng\n1002 @ dm: 1")
    assert "(số 3)" in out
    # Taken out by its reporter: a later correction of another line does not bring it back.
    await h.play("1002 @ dm: /bodanhdau 3")
    out = await h.play("1002 @ dm: 1. 12\n1002 @ dm: 1")
    assert "báo cáo cập nhật" in out and "🏅" not in out
    assert 3 not in [e.number for e in await entries(h)]
    # An entry put forward for commendation stays when its field is emptied.
    await h.play("1007 @ ld: /denghikhen 2")
    await h.play("1005 @ dm: 12. Không có\n1005 @ dm: 1")
    kept = {e.number: e for e in await entries(h)}
    assert 2 in kept and kept[2].shortlisted
    assert kept[2].text == "Tổ hợp tác tiêu thụ dưa hấu ấp Thạnh Hiệp"


async def test_the_reporter_marks_right_after_reporting_and_only_their_own(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.play(WEEK48)
    out = await h.play("1005 @ dm: /danhdau tập thể | Tổ hợp tác dưa hấu ấp Thạnh Hiệp")
    assert "✅ Đã ghi vào sổ điển hình: số 3 – tập thể tiêu biểu" in out
    assert "“Tổ hợp tác dưa hấu ấp Thạnh Hiệp” của Hội ND tỉnh, Tuần 48/2026" in out
    # The same again: said so, nothing doubled.
    out = await h.play("1005 @ dm: /danhdau tập thể")
    assert "Nội dung này đã có trong sổ điển hình: số 3" in out
    assert len(await entries(h)) == 3

    # LĐLĐ reported nothing to mark; numbers need a list shown first.
    out = await h.play("1003 @ dm: /danhdau")
    assert "chưa có nội dung báo cáo nào" in out and "của LĐLĐ tỉnh" in out
    out = await h.play("1003 @ dm: /danhdau 1 cá nhân")
    assert "Đồng chí chưa xem danh sách nội dung báo cáo" in out
    # A reporter's list holds their own unit's items only.
    out = await h.play("1002 @ dm: /danhdau")
    assert "1. Tỉnh đoàn – Mô hình hay" in out and "Hội ND" not in out
    assert "⭐ đã ghi số 1 (mô hình hay)" in out
    out = await h.play("1002 @ dm: /danhdau 4 cá nhân")
    assert "Danh sách vừa xem chỉ có 1 nội dung" in out
    out = await h.play("1002 @ dm: /danhdau 1 khen thưởng")
    assert "Chưa hiểu loại “khen thưởng”" in out
    out = await h.play("1002 @ dm: /danhdau 1 cá nhân | " + "x" * 201)
    assert "Tên quá dài" in out
    # Another unit's entries, the shortlist: not for a reporter.
    out = await h.play("1002 @ dm: /bodanhdau 2")
    assert "Mục số 2 thuộc đơn vị ngoài phạm vi của đồng chí" in out
    out = await h.play("1002 @ dm: /denghikhen 1")
    assert "Lệnh này dành cho lãnh đạo" in out
    out = await h.play("1002 @ dm: /bodanhdau 99")
    assert "Sổ điển hình không có mục số 99" in out
    out = await h.play("1002 @ dm: /bodanhdau")
    assert "Đề nghị ghi số của mục" in out
    # Their own entry, not yet put forward: they may take it back.
    out = await h.play("1005 @ dm: /bodanhdau 3")
    assert "Đã bỏ mục số 3 (tập thể tiêu biểu) khỏi sổ điển hình" in out
    assert [e.number for e in await entries(h)] == [1, 2]
    # Nothing stored changed by the refusals.
    assert (await entries(h))[0].kind is EntryKind.MODEL


async def test_the_leadership_marks_from_a_numbered_list_and_shortlists(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.play(WEEK48)
    await h.play(WEEK49)
    out = await h.play("1007 @ ld: /danhdau")
    assert "🏅 Nội dung báo cáo Tuần 49/2026 (30/11 – 06/12/2026) có thể ghi vào sổ" in out
    assert "1. LĐLĐ tỉnh – Mô hình hay, cách làm hiệu quả: Công đoàn cơ sở" in out
    assert "2. Hội ND tỉnh – Mô hình hay, cách làm hiệu quả: Nông dân Lê Văn Tư" in out
    assert "(2 ảnh)" in out and "Tỉnh đoàn" not in out  # "Chưa có" is no item
    out = await h.play("1007 @ ld [photo]: /danhdau số 2 cá nhân | Ông Lê Văn Tư")
    assert "số 5 – cá nhân tiêu biểu “Ông Lê Văn Tư” của Hội ND tỉnh" in out
    assert ", 3 ảnh." in out  # the report's two and the one sent with the command
    # An earlier week, a unit.
    out = await h.play("1007 @ ld: /danhdau tuần 48 hnd")
    assert "Tuần 48/2026" in out and "1. Hội ND tỉnh" in out and "Tỉnh đoàn" not in out
    await h.play("1007 @ ld: /danhdau 1 tập thể | Tổ hợp tác dưa hấu")
    out = await h.play("1007 @ ld: /danhdau từ 01/11/2026 đến 15/11/2026")
    assert "Cách đánh dấu mô hình hay" in out  # a list is of one period

    out = await h.play("1007 @ ld: /denghikhen 1, 5 | Cách làm sáng tạo")
    assert "✅ Đã đưa vào danh sách đề nghị khen thưởng: số 1, 5." in out
    out = await h.play("1007 @ ld: /denghikhen 5")
    assert "Đã có trong danh sách từ trước: số 5" in out
    out = await h.play("1007 @ ld: /bodenghikhen 1")
    assert "Đã rút khỏi danh sách đề nghị khen thưởng: số 1" in out
    out = await h.play("1007 @ ld: /bodenghikhen 1")
    assert "Không có trong danh sách đề nghị: số 1" in out
    stored = {e.number: e for e in await entries(h)}
    assert stored[5].shortlisted and stored[5].shortlist_note == "Cách làm sáng tạo"
    assert not stored[1].shortlisted
    # A leader takes back even an entry put forward.
    out = await h.play("1007 @ ld: /bodanhdau 5")
    assert "Đã bỏ mục số 5" in out

    campaign = await h.campaign()
    actions = [a.action for a in await h.store.audit.all(campaign.workspace_id)]
    for action in ("emulation_mark", "emulation_shortlist", "emulation_unshortlist",
                   "emulation_unmark"):  # fmt: skip
        assert action in actions


async def test_lists_by_year_unit_kind_and_shortlist(tayninh: Harness) -> None:
    h = tayninh
    await h.play(WEEK48)
    await h.play(WEEK49)
    await h.play("1007 @ ld: /danhdau\n1007 @ ld: /danhdau 2 cá nhân | Ông Lê Văn Tư")
    await h.play("1007 @ ld: /denghikhen 5")
    out = await h.play("1003 @ dm: /dienhinh")
    assert "🏅 SỔ ĐIỂN HÌNH – MÔ HÌNH HAY" in out and "NĂM 2026" in out
    assert "Tổng số: 5 mục, trong đó 1 mục được đề nghị khen thưởng (⭐)." in out
    assert "I. MÔ HÌNH HAY, ĐIỂN HÌNH “DÂN VẬN KHÉO” (4)" in out
    assert "II. CÁ NHÂN TIÊU BIỂU (1)" in out
    assert "⭐ Số 5. Hội ND tỉnh, tuần 49/2026 – Ông Lê Văn Tư: Nông dân Lê Văn Tư" in out
    # Units in the tree's order within a kind, then by period.
    assert out.index("Số 1. Tỉnh đoàn") < out.index("Số 3. LĐLĐ tỉnh") < out.index("Số 2. Hội ND")
    out = await h.play("1003 @ dm: /dienhinh cá nhân")
    assert "CÁ NHÂN TIÊU BIỂU NĂM 2026" in out and "Số 1." not in out and "Số 5." in out
    out = await h.play("1003 @ dm: /dienhinh hnd")
    assert "(HỘI NÔNG DÂN TỈNH)" in out and "Số 2." in out and "Số 1." not in out
    out = await h.play("1003 @ dm: /dienhinh đề xuất")
    assert "ĐƯỢC ĐỀ NGHỊ KHEN THƯỞNG" in out and "Tổng số: 1 mục." in out
    out = await h.play("1003 @ dm: /dienhinh năm 2025")
    assert "NĂM 2025" in out and "Chưa có mục nào" in out
    out = await h.play("1003 @ dm: /dienhinh tháng 11")  # week 48 (its Thursday: 26/11)
    assert "THÁNG 11/2026" in out and "Tổng số: 2 mục" in out
    out = await h.play("1003 @ dm: /dienhinh tất cả")
    assert "Tổng số: 5 mục" in out
    out = await h.play("1003 @ dm: /dienhinh tuần 99")
    assert "Cách xem sổ điển hình" in out
    out = await h.play("1003 @ dm: /dienhinh word")
    assert "Tệp danh sách dành cho lãnh đạo" in out and "[tệp:" not in out


async def test_year_end_files_hold_what_is_stored(tayninh: Harness) -> None:
    """Good models over several weeks come out as the year-end list, in Word and Excel."""
    h = tayninh
    await h.play(WEEK48)
    await h.play(WEEK49)
    await h.play("""
        @clock 2026-12-09 09:00
        1002 @ dm: 1. 11
          12. Đội hình thanh niên tình nguyện hỗ trợ tiêm vắc xin
        1002 @ dm: /danhdau cá nhân | Đoàn viên Nguyễn Văn Tâm
        1007 @ ld: /danhdau tuần 49
        1007 @ ld: /danhdau 1 tập thể | Công đoàn cơ sở Công ty Dệt may
        @clock 2027-01-05 09:00
        1007 @ ld: /denghikhen 1 6 | Tiêu biểu năm 2026
        """)
    stored = await entries(h)
    assert len(stored) == 7

    out = await h.play("1007 @ ld: /dienhinh word")
    assert "[tệp: danh-sach-dien-hinh-nam-2026.docx]" in out  # January: last year's list
    text = docx_text(last_file(h, ".docx"))
    assert "DANH SÁCH" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Mô hình hay, điển hình “Dân vận khéo”, tập thể và cá nhân tiêu biểu năm 2026" in text
    assert "gồm 7 mục: 5 mô hình hay, 1 tập thể tiêu biểu, 1 cá nhân tiêu biểu" in text
    assert "trong đó 2 mục được đề nghị khen thưởng" in text
    for part in ("I. MÔ HÌNH HAY", "II. TẬP THỂ TIÊU BIỂU", "III. CÁ NHÂN TIÊU BIỂU"):
        assert part in text
    assert "Nơi nhận:" in text and "Lý do đề nghị: Tiêu biểu năm 2026" in text
    for e in stored:
        assert f"[số {e.number}]" in text
        assert e.text in text
        if e.title:
            assert e.title in text

    out = await h.play("1007 @ ld: /dienhinh excel")
    assert "[tệp: danh-sach-dien-hinh-nam-2026.xlsx]" in out
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    assert wb.sheetnames == ["Danh sách", "Theo đơn vị"]
    ws = wb["Danh sách"]
    rows: list[Any] = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    assert rows[head][1] == "Số trong sổ" and rows[head][12] == "Đề nghị khen thưởng"
    body: list[Any] = [r for r in rows[head + 1 :] if r and r[0] is not None]
    assert len(body) == len(stored)
    by_number = {e.number: e for e in stored}
    for r in body:
        e = by_number[r[1]]
        assert r[2] == e.kind.label and r[8] == e.text and (r[7] or "") == e.title
        assert r[9] == len(e.photos)
        assert (r[12] == "Có") == e.shortlisted
        assert r[5].date() == e.period.start and r[6].date() == e.period.last_day
    units = wb["Theo đơn vị"]
    totals = next(r for r in units.iter_rows(values_only=True) if r and r[1] == "Tổng cộng")
    assert totals[-2:] == (len(stored), 2)

    out = await h.play("1007 @ ld: /dienhinh excel đề xuất")
    assert "[tệp: de-nghi-khen-thuong-nam-2026.xlsx]" in out
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    sheet: Any = wb["Danh sách"]
    numbers = [r[1] for r in sheet.iter_rows(values_only=True) if r and isinstance(r[1], int)]
    assert sorted(numbers) == sorted(e.number for e in stored if e.shortlisted)


async def test_zalo_gets_the_list_as_text(tayninh: Harness) -> None:
    h = tayninh
    await h.play(WEEK48)
    campaign = await h.campaign()
    await h.store.members.upsert(
        campaign.workspace_id, "zalo", "z7", "Giang", Role.LEADER, None, h.clock.now()
    )
    chat = Chat("zalo", "z7", ChatKind.PRIVATE)
    replies = await h.services.engine.handle(
        InboundMessage(chat, Sender("zalo", "z7", "Giang"), "z-1", "/dienhinh word", h.clock.now())
    )
    assert all(r.document is None for r in replies)
    text = "\n".join(r.text for r in replies)
    assert "Zalo chưa cho bot gửi tệp" in text and "Số 1. Tỉnh đoàn" in text


async def test_a_commune_leader_works_within_the_commune(harness: Harness) -> None:
    h = harness
    await province(h)
    await h.play("""
        @clock 2026-11-25 09:00
        1002 @ dm: 1. 5
          12. Tổ hợp tác rau sạch xã Tân Hòa
        1003 @ dm: 1. 4
          12. Câu lạc bộ nông dân xã Tân Biên
        """)
    out = await h.play("1004 @ dm: /danhdau")
    assert "Tổ hợp tác rau sạch" in out and "Tân Biên" not in out
    out = await h.play("1004 @ dm: /dienhinh")
    assert "(XÃ TÂN HÒA)" in out and "Số 1." in out and "Số 2." not in out
    out = await h.play("1004 @ dm: /denghikhen 2")
    assert "Mục số 2 thuộc đơn vị ngoài phạm vi của đồng chí" in out
    out = await h.play("1004 @ dm: /dienhinh hnd_tb")
    assert "thuộc nơi khác" in out
    out = await h.play("1004 @ dm: /denghikhen 1")
    assert "✅ Đã đưa vào danh sách đề nghị khen thưởng: số 1." in out
    # The commune's list carries the commune's own letterhead.
    await h.play("1001 @ g1: /vanban xa_tanhoa người ký | Trần Văn Xã")
    await h.play("1004 @ dm: /dienhinh word")
    text = docx_text(last_file(h, ".docx"))
    assert "Trần Văn Xã" in text and "Tổ hợp tác rau sạch" in text and "Tân Biên" not in text
    # The province's leader sees both communes.
    out = await h.play("1007 @ ld: /dienhinh")
    assert "Số 1." in out and "Số 2." in out


async def test_an_empty_list_is_said_not_sent_as_a_blank_document(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1007 @ ld: /dienhinh word")
    assert "Chưa có mục nào" in out and "[tệp:" not in out
    assert not any(f.file_name.endswith(".docx") for f in h.sandbox.files)
