"""Reports leadership can use, in chat: roll-ups, files, history, completeness, the letterhead,
scheduled roll-ups and the digest's chart (transcripts over a real SQLite file)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from docx import Document

from bot.core.events import OutDocument
from tests.conftest import Harness

WEEK48 = """
@clock 2026-11-23 08:00
1002 @ dm: 1. 12
  2. 450
  3. 45,5 triệu
1003 @ dm: 1. 8
  3. 10 triệu
1005 @ dm: 1. 3
"""
WEEK49 = """
@clock 2026-11-30 08:00
1002 @ dm: 1. 10
  3. 5 triệu
  12. Mô hình “Bếp ăn 0 đồng” ở chợ
1005 @ dm: 1. 4
"""


async def two_weeks(h: Harness) -> None:
    await h.play(WEEK48)
    await h.play(WEEK49)


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


async def test_rollup_of_a_month_in_chat(tayninh: Harness) -> None:
    h = tayninh
    await two_weeks(h)
    out = await h.play("1007 @ ld: /tonghop tháng 11")
    # November holds week 48 only (week 49's Thursday is 3 December).
    assert "📊 TỔNG HỢP KẾT QUẢ THÁNG 11/2026" in out
    assert "Gồm tuần 48/2026" in out
    assert "23 buổi" in out  # 12 + 8 + 3
    assert "/xuat word tháng 11/2026" in out
    out = await h.play("1007 @ ld: /tonghop từ 23/11/2026 đến 06/12/2026")
    assert "từ 23/11/2026 đến 06/12/2026".upper() in out and "37 buổi" in out  # 23 + 10 + 4
    assert "/xuat word từ 23/11/2026 đến 06/12/2026" in out
    # One unit: its own figures only.
    out = await h.play("1007 @ ld: /tonghop tháng 11 hnd")
    assert "Đơn vị: Hội Nông dân tỉnh" in out and "3 buổi" in out


async def test_word_and_excel_files_on_request(tayninh: Harness) -> None:
    h = tayninh
    await two_weeks(h)
    out = await h.play("1007 @ ld: /xuat word quý IV")
    assert "[tệp: bao-cao-quy-iv-2026.docx]" in out
    text = docx_text(last_file(h, ".docx"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO" in text
    assert "Nơi nhận:" in text and "Bếp ăn 0 đồng" in text
    out = await h.play("1007 @ ld: /xuat excel năm 2026")
    assert "[tệp: tong-hop-nam-2026.xlsx]" in out
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    data: Any = wb["Số liệu"]
    header = [c.value for c in data[1]]
    col = next(i for i, v in enumerate(header) if v and str(v).startswith("Số buổi tuyên truyền"))
    assert sum(row[col] or 0 for row in data.iter_rows(min_row=2, values_only=True)) == 37
    out = await h.play("1007 @ ld: /xuat csv tháng 11")
    assert "so-lieu-thang-11-2026.csv" in out
    out = await h.play("1007 @ ld: /xuat bieu do quý IV")
    assert "[ảnh: bieu-do-quy-iv-2026.png]" in out
    assert last_file(h, ".png").content.startswith(b"\x89PNG")


async def test_export_refusals_are_plain(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1002 @ dm: /xuat word quý IV")
    assert "lãnh đạo" in out.lower()
    out = await h.play("1007 @ ld: /xuat")
    assert "Cách dùng: /xuat LOẠI" in out
    out = await h.play("1007 @ ld: /xuat pdf quý IV")
    assert "Cách dùng: /xuat LOẠI" in out
    out = await h.play("1007 @ ld: /xuat word quý 7")
    assert "Quý 7 không tồn tại" in out
    out = await h.play("1007 @ ld: /xuat word từ 10/12/2026 đến 01/12/2026")
    assert "Ngày bắt đầu phải trước ngày kết thúc" in out
    out = await h.play("1007 @ ld: /xuat word năm 2030")
    assert "chưa bắt đầu" in out
    assert h.sandbox.files == []


async def test_history_and_completeness(tayninh: Harness) -> None:
    h = tayninh
    await two_weeks(h)
    await h.play("@clock 2026-12-08 08:00")
    out = await h.play("1003 @ dm: /lichsu")
    assert "LỊCH SỬ BÁO CÁO — LĐLĐ tỉnh" in out
    assert "✅ tuần 48/2026" in out and "❌ tuần 49/2026: chưa gửi" in out
    out = await h.play("1003 @ dm: /lichsu hnd")
    assert "chỉ xem được lịch sử báo cáo của đơn vị mình" in out
    out = await h.play("1007 @ ld: /lichsu hnd")
    assert "Đã gửi 2/2 (100%) tuần" in out
    out = await h.play("1007 @ ld: /chuyencan")
    assert "CHUYÊN CẦN BÁO CÁO NĂM 2026" in out
    # Units that never reported come first; six units, two weeks due.
    assert "Chung: 5/12" in out
    lines = out.split("Theo đơn vị (thấp nhất trước):", 1)[1].strip().splitlines()
    assert "0/2" in lines[0] and "2 tuần liền không báo cáo" in lines[0]


async def test_letterhead_is_set_by_chat_and_used(tayninh: Harness) -> None:
    h = tayninh
    await two_weeks(h)
    out = await h.play("1001 @ g1: /vanban")
    assert "Nơi nhận: Thường trực Tỉnh ủy (để báo cáo)" in out
    out = await h.play("1001 @ g1: /vanban người ký | Nguyễn Văn An")
    assert "Đã lưu người ký: Nguyễn Văn An" in out
    out = await h.play("1001 @ g1: /vanban địa danh: Tây Ninh")
    assert "Đã lưu địa danh: Tây Ninh" in out
    out = await h.play("1001 @ g1: /vanban noi nhan | Thường trực Tỉnh ủy; Lưu: VT")
    assert "Thường trực Tỉnh ủy; Lưu: VT" in out
    out = await h.play("1001 @ g1: /vanban màu chữ | đỏ")
    assert "Chưa có mục “màu chữ”" in out
    out = await h.play("1002 @ dm: /vanban người ký | Kẻ Mạo Danh")
    assert "quản trị" in out
    await h.play("1007 @ ld: /xuat word tháng 11")
    text = docx_text(last_file(h, ".docx"))
    assert "Nguyễn Văn An" in text and "Tây Ninh, ngày" in text and "Kẻ Mạo Danh" not in text
    assert "Lưu: VT." in text
    audit = await h.play("1001 @ g1: /nhatky")
    assert "sửa phần đầu, phần ký báo cáo Word" in audit
    out = await h.play("1001 @ g1: /vanban mặc định")
    # What was cleared comes back as the commands that put it back.
    assert "về mặc định" in out and "Các mục vừa bỏ" in out
    assert "/vanban địa danh | Tây Ninh" in out
    assert "/vanban nơi nhận | Thường trực Tỉnh ủy; Lưu: VT" in out
    await h.play("1001 @ g1: /vanban địa danh | Tây Ninh")  # sent back as it was shown
    assert "Tây Ninh" in await h.play("1001 @ g1: /vanban")
    await h.play("1001 @ g1: /vanban mặc định")
    out = await h.play("1001 @ g1: /vanban mặc định")
    assert "đang là mặc định, không có gì thay đổi" in out


async def test_digest_carries_a_chart(tayninh: Harness) -> None:
    h = tayninh
    await h.play(WEEK48)
    out = await h.play("@clock 2026-11-27 17:00")
    digest_at = out.index("TỔNG HỢP KẾT QUẢ TUẦN 48/2026")
    chart_at = out.index("[ảnh: bieu-do-tuan-48-2026.png]")
    assert chart_at > digest_at
    chart = last_file(h, ".png")
    assert chart.is_photo and chart.content.startswith(b"\x89PNG") and len(chart.content) > 20_000
    # Exactly once: a later tick sends nothing again.
    out = await h.play("@clock 2026-11-27 18:00")
    assert "bieu-do" not in out


async def test_scheduled_monthly_rollup_once_after_the_month(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00\n1002 @ dm: 1. 5")
    out = await h.play("1001 @ g1: /baocaodinhky")
    assert "hằng tháng và hằng quý" in out
    # December is the first whole month of the campaign (it began in week 48); its last
    # week is 53 (Thursday 31/12), due Friday 1/1; the roll-up goes two days later.
    for day in ("2026-12-04 17:00", "2026-12-11 17:00", "2026-12-18 17:00", "2026-12-25 17:00"):
        await h.play(f"@clock {day}")
    await h.play("1002 @ dm: /baocao tuần 52\n  1. 7")
    out = await h.play("@clock 2027-01-01 17:00\n@clock 2027-01-03 16:00")
    assert "THÁNG 12/2026" not in out
    out = await h.play("@clock 2027-01-03 17:00")
    assert out.count("📊 TỔNG HỢP KẾT QUẢ THÁNG 12/2026") == 1
    assert "[tệp: tong-hop-thang-12-2026.xlsx]" in out
    assert "QUÝ IV" not in out  # the quarter did not run whole (it began in week 40)
    out = await h.play("@clock 2027-01-04 08:00")
    assert "THÁNG 12/2026" not in out
    # Switched off: January's roll-up does not go.
    out = await h.play("1001 @ g1: /baocaodinhky tắt")
    assert "không tự gửi" in out
    out = await h.play("@clock 2027-02-01 08:00\n@clock 2027-02-03 08:00")
    assert "THÁNG 1/2027" not in out


async def test_files_on_zalo_are_explained_not_attempted(tayninh: Harness) -> None:
    from bot.core.events import Chat, InboundMessage, Sender
    from bot.core.models import ChatKind, Role

    h = tayninh
    campaign = await h.campaign()
    await h.store.members.upsert(
        campaign.workspace_id, "zalo", "z7", "Giang", Role.LEADER, None, h.clock.now()
    )
    chat = Chat("zalo", "z7", ChatKind.PRIVATE)
    sender = Sender("zalo", "z7", "Giang")

    async def say(mid: str, text: str) -> str:
        replies = await h.services.engine.handle(
            InboundMessage(chat, sender, mid, text, h.clock.now())
        )
        assert all(r.document is None for r in replies)
        return "\n".join(r.text for r in replies)

    assert "Zalo chưa cho bot gửi tệp" in await say("z-1", "/xuat word quý IV")
    assert "TỔNG HỢP KẾT QUẢ QUÝ IV/2026" in await say("z-2", "/tonghop quý IV")


async def test_a_bare_year_and_a_week_without_its_year_in_january(tayninh: Harness) -> None:
    """ "/tonghop năm" is the year of the last reports in (as with no period at all), and a
    week named without its year in January is last year's, not the coming autumn's."""
    h = tayninh
    await two_weeks(h)
    await h.play("@clock 2027-01-05 09:00")
    bare = await h.play("1007 @ ld: /tonghop năm")
    assert "📊 TỔNG HỢP KẾT QUẢ NĂM 2026" in bare and "37 buổi" in bare
    named = await h.play("1007 @ ld: /tonghop năm 2026")
    assert bare == named
    out = await h.play("1007 @ ld: /xuat excel năm")
    assert "[tệp: tong-hop-nam-2026.xlsx]" in out
    out = await h.play("1007 @ ld: /tonghop tuần 48")
    assert "TUẦN 48/2026" in out and "2027" not in out.split("\n")[1]
    # Reporting is not reading: a week ahead stays a slip to point out.
    out = await h.play("1001 @ dm: /baocao hnd tuần 48")
    assert "48/2027" in out


async def test_a_span_with_nothing_due_yet_says_so_plainly(tayninh: Harness) -> None:
    """Asked before its first week's deadline, a month's roll-up has nothing due: no "0/0"
    line per level, and the completeness section says why instead of a dash."""
    h = tayninh
    await two_weeks(h)
    await h.play("@clock 2026-12-02 08:00")
    out = await h.play("1007 @ ld: /tonghop tháng 12")
    assert "1. Tình hình báo cáo: chưa có kỳ báo cáo nào đến hạn." in out
    assert "0/0" not in out
    assert "3. Chưa có kỳ báo cáo nào đến hạn để đánh giá mức đầy đủ." in out


async def test_a_unit_added_during_the_year_is_not_missing_the_weeks_before(
    tayninh: Harness,
) -> None:
    """A unit added on Tuesday of week 49 is expected from that week (its deadline is to
    come), not for week 48 or the months before: its record starts when it joined."""
    h = tayninh
    await two_weeks(h)
    await h.play("@clock 2026-12-01 10:00")
    out = await h.play("1001 @ g1: /themdonvi hnct | Hội Người cao tuổi tỉnh | Hội NCT")
    assert "hnct" in out
    await h.play("@clock 2026-12-07 09:00")
    out = await h.play("1007 @ ld: /chuyencan tháng 11")
    assert "Hội NCT" not in out  # not a unit yet when week 48 was due
    out = await h.play("1007 @ ld: /chuyencan tháng 12")
    assert "Hội NCT: 0/1" in out  # week 49, due on Friday after it joined
    out = await h.play("1007 @ ld: /chuyencan năm 2026")
    assert "Hội NCT: 0/1" in out
    # The workbook's completeness sheet agrees.
    await h.play("1007 @ ld: /xuat excel năm 2026")
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    rows = [r for r in wb["Chuyên cần"].iter_rows(values_only=True) if r[1] == "Hội NCT"]
    assert rows and rows[0][2] == 1  # one week to report
