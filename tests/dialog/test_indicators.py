"""Indicators and targets (issue 9): a template with a coverage indicator, reference values
and targets set by chat, and progress shown in the digest and the roll-ups."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.conftest import Harness

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-chi-so-vi-du.yaml"


def _thaymau(user: str = "1001") -> str:
    body = textwrap.indent(EXAMPLE.read_text(encoding="utf-8"), "  ")
    return f"{user} @ dm: /thaymau\n{body}"


async def _with_example(h: Harness) -> None:
    out = await h.play(_thaymau())
    assert "Đã thay mẫu báo cáo “Báo cáo tuần kết quả vận động tiêm vắc xin mũi 3”" in out
    assert "Mẫu có 2 chỉ số (xem công thức, chỉ tiêu, tiến độ: /chiso)." in out
    assert "/datsolieu dan_so_muc_tieu <mã đơn vị> <giá trị>" in out


async def test_coverage_indicator_with_targets_shows_progress_in_the_digest(
    tayninh: Harness,
) -> None:
    h = tayninh
    await _with_example(h)
    out = await h.play(
        """
        1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan 1.000
          ldld 2.000
          hnd 4.000
        """
    )
    assert "Đã ghi nhận số liệu tham chiếu:" in out
    assert " - Dân số thuộc diện tiêm mũi 3 – Tỉnh đoàn – mọi kỳ: 1.000 người" in out
    assert " - Dân số thuộc diện tiêm mũi 3 – Hội ND tỉnh – mọi kỳ: 4.000 người" in out
    out = await h.play("1001 @ dm: /datchitieu ty_le_mui_3 hnd 50")
    assert " - Tỷ lệ tiêm vắc xin mũi 3 – Hội ND tỉnh – mọi kỳ: 50%" in out

    out = await h.play(
        """
        @clock 2026-11-23 08:00
        1002 @ dm: 1. 200
          2. 150
        1003 @ dm: 1. 0
          2. 0
        1005 @ dm: 1. 3000
          2. 2500
        1007 @ dm: /tonghop
        """
    )
    # The whole: (150 + 0 + 2.500) / (1.000 + 2.000 + 4.000) = 37,9%, against the plan's 90%.
    assert "3. Chỉ số, chỉ tiêu:" in out
    assert (
        " - Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt): 37,9%; chỉ tiêu 90%, đạt 42,1% chỉ"
        " tiêu; 1/3 đơn vị đạt chỉ tiêu; tính trên 3/6 đơn vị." in out
    )
    # Hội ND tỉnh reached its own target (62,5% of 50%); the others are behind the plan's.
    assert "   Chưa đạt chỉ tiêu (2 đơn vị): LĐLĐ tỉnh 0%, Tỉnh đoàn 15%." in out
    assert "   Chưa tính được: 3 đơn vị chưa báo cáo." in out
    # Division by zero is said, not shown as a number.
    assert " - Tỷ lệ người được vận động đã tiêm (trong kỳ): 82,8%; chưa đặt chỉ tiêu" in out
    assert "LĐLĐ tỉnh (không tính được: chia cho 0); 3 đơn vị chưa báo cáo." in out

    # A yearly target set by chat replaces the template's for every week of 2026; the second
    # week adds to the cumulative coverage.
    out = await h.play(
        """
        1001 @ dm: /datchitieu ty_le_mui_3 60 năm 2026
        @clock 2026-11-30 08:00
        1002 @ dm: 1. 500
          2. 450
        1003 @ dm: 1. 900
          2. 800
        1005 @ dm: 1. 10
          2. 0
        1007 @ dm: /tonghop
        """
    )
    assert " - Tỷ lệ tiêm vắc xin mũi 3 – chung – năm 2026: 60%" in out
    # (600 + 800 + 2.500) / 7.000 = 55,7%, against 60%: 92,9%.
    assert (
        " - Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt): 55,7%; chỉ tiêu 60%, đạt 92,9% chỉ"
        " tiêu; 2/3 đơn vị đạt chỉ tiêu" in out
    )
    assert "Chưa đạt chỉ tiêu (1 đơn vị): LĐLĐ tỉnh 40%." in out

    # The quarter's roll-up shows the same indicators over the quarter's two weeks:
    # (2.650 + 1.250) / (3.200 + 1.410) = 84,6%.
    out = await h.play("1007 @ dm: /tonghop quý IV")
    assert "TỔNG HỢP KẾT QUẢ QUÝ IV/2026" in out
    assert "Chỉ số, chỉ tiêu:" in out
    assert "Tỷ lệ người được vận động đã tiêm (trong kỳ): 84,6%" in out
    assert "Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt): 55,7%; chỉ tiêu 60%" in out

    # /chiso lists formulas and targets, then the progress of the week.
    out = await h.play("1007 @ dm: /chiso")
    assert "1. Tỷ lệ tiêm vắc xin mũi 3 (ty_le_mui_3), lũy kế từ đầu đợt." in out
    assert "Công thức: so_nguoi_tiem_mui_3 / dan_so_muc_tieu * 100" in out
    assert "Chỉ tiêu: theo mẫu 90%; chung 60% (năm 2026); Hội ND tỉnh 50% (mọi kỳ)." in out
    assert "Tiến độ Tuần 49/2026" in out and "55,7%" in out


async def test_a_target_for_one_week_wins_over_the_year(tayninh: Harness) -> None:
    h = tayninh
    await _with_example(h)
    out = await h.play(
        """
        1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan 1.000
        1001 @ dm: /datchitieu ty_le_mui_3 60 năm 2026
          ty_le_mui_3 20 tuần 48
        @clock 2026-11-23 08:00
        1002 @ dm: 1. 300
          2. 250
        1007 @ dm: /tonghop
        """
    )
    assert "Tỷ lệ tiêm vắc xin mũi 3 – chung – tuần 48/2026: 20%" in out
    assert "25%; chỉ tiêu 20%, đạt 125% chỉ tiêu (đã hoàn thành); 1/1 đơn vị đạt chỉ tiêu" in out


async def test_missing_reference_is_shown_as_missing_data(tayninh: Harness) -> None:
    h = tayninh
    await _with_example(h)
    out = await h.play(
        """
        @clock 2026-11-23 08:00
        1002 @ dm: 1. 300
          2. 250
        1007 @ dm: /tonghop
        """
    )
    assert (
        " - Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt): thiếu số liệu: Dân số thuộc diện"
        " tiêm mũi 3; chỉ tiêu 90%." in out
    )
    assert (
        "Chưa tính được: Tỉnh đoàn (thiếu số liệu: Dân số thuộc diện tiêm mũi 3);"
        " 5 đơn vị chưa báo cáo." in out
    )


async def test_setting_commands_refuse_bad_lines_and_store_nothing(tayninh: Harness) -> None:
    h = tayninh
    await _with_example(h)
    out = await h.play("1001 @ dm: /datsolieu dan_so tinhdoan 1.000")
    assert "Chưa có số liệu tham chiếu mã “dan_so”" in out and "dan_so_muc_tieu" in out
    out = await h.play(
        """
        1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan 1.000
          xyz 2.000
        """
    )
    assert "Dòng 2: chưa thấy đơn vị mã “xyz”" in out and "Chưa lưu dòng nào" in out
    out = await h.play("1001 @ dm: /solieu")
    assert "Chưa đặt cho đơn vị nào." in out  # line 1 was not stored either
    out = await h.play("1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan")
    assert "Dòng 1: thiếu giá trị (một con số)" in out
    out = await h.play("1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan 1.000 tuần mười")
    assert "Dòng 1: Chưa hiểu kỳ “tuần mười”. Ví dụ: tuần này, tuần 47" in out
    out = await h.play("1001 @ dm: /datsolieu dan_so_muc_tieu 1.000")
    assert "Dòng 1: thiếu mã đơn vị" in out
    out = await h.play("1001 @ dm: /datchitieu ty_le 90")
    assert "Chưa có chỉ số mã “ty_le”" in out and "ty_le_mui_3, ty_le_nhan_loi" in out
    out = await h.play("1001 @ dm: /solieu")
    assert "Chưa đặt cho đơn vị nào." in out
    # A reporter may not set targets; a leader may read them.
    out = await h.play("1002 @ dm: /datchitieu ty_le_mui_3 90")
    assert "quản trị" in out and "Đã ghi nhận" not in out
    out = await h.play("1007 @ dm: /chiso")
    assert "Chỉ tiêu: theo mẫu 90%." in out
    out = await h.play("1002 @ dm: /mau")
    assert "Chỉ số (bot tự tính, không phải điền):" in out
    assert " - Tỷ lệ tiêm vắc xin mũi 3: so_nguoi_tiem_mui_3 / dan_so_muc_tieu * 100" in out


async def test_removing_values_keeps_history_and_audit(tayninh: Harness) -> None:
    h = tayninh
    await _with_example(h)
    await h.play(
        """
        1001 @ dm: /datsolieu dan_so_muc_tieu hnd 4.000
        1001 @ dm: /datsolieu dan_so_muc_tieu hnd 4.200
        1001 @ dm: /datchitieu ty_le_mui_3 hnd 50
        """
    )
    out = await h.play("1001 @ dm: /bosolieu dan_so_muc_tieu hnd")
    assert "Đã bỏ số liệu tham chiếu:" in out and "Hội ND tỉnh" in out
    out = await h.play("1001 @ dm: /bosolieu dan_so_muc_tieu hnd")
    assert "Chưa có số liệu tham chiếu" in out
    out = await h.play("1001 @ dm: /bochitieu ty_le_mui_3 hnd")
    assert "Đã bỏ chỉ tiêu:" in out
    out = await h.play("1007 @ dm: /solieu dan_so_muc_tieu")
    assert "Chưa đặt cho đơn vị nào." in out
    history = out.split("Lịch sử thay đổi (gần nhất trước):")[1]
    assert (
        history.index("Hội ND tỉnh: bỏ")
        < history.index("4.200 người")
        < history.index("4.000 người")
    )
    out = await h.play("1001 @ dm: /nhatky")
    assert "dan_so_muc_tieu hnd" in out and "ty_le_mui_3 hnd" in out


async def test_a_template_with_a_bad_formula_is_refused_with_its_position(
    tayninh: Harness,
) -> None:
    out = await tayninh.play(
        """
        1001 @ dm: /thaymau
          key: tuan_mttq
          name: Có chỉ số sai
          sections:
            - key: chung
              title: Chung
              fields:
                - {key: so_mui, label: Số mũi, type: count}
                - {key: ghi_chu, label: Ghi chú, type: text}
          indicators:
            - {key: ty_le, label: Tỷ lệ, formula: so_mui / dan_so * 100}
            - {key: ty_le_2, label: Tỷ lệ 2, formula: "(so_mui + 1"}
            - {key: ty_le_3, label: Tỷ lệ 3, formula: ghi_chu * 2}
        """
    )
    assert "Mẫu báo cáo chưa hợp lệ" in out
    assert (
        "chỉ số 'ty_le', công thức “so_mui / dan_so * 100”: chưa có trường số hoặc số liệu"
        " tham chiếu tên “dan_so” (ở ký tự thứ 10)" in out
    )
    assert "chỉ số 'ty_le_2', công thức “(so_mui + 1”: thiếu dấu đóng ngoặc “)”" in out
    assert "trường “ghi_chu” không phải trường số" in out
    campaign = await tayninh.campaign()
    assert campaign.name != "Có chỉ số sai"


async def test_word_and_excel_exports_carry_the_indicators(tayninh: Harness) -> None:
    import io
    from datetime import date

    import docx
    import openpyxl

    from bot.core.letterhead import Letterhead
    from bot.core.rollup import Span
    from bot.services.exports.excel import rollup_workbook
    from bot.services.exports.word import rollup_document
    from bot.services.reports import ReportService

    h = tayninh
    await _with_example(h)
    await h.play(
        """
        1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan 1.000
          ldld 2.000
          hnd 4.000
        1001 @ dm: /datchitieu ty_le_mui_3 hnd 50
        @clock 2026-11-23 08:00
        1002 @ dm: 1. 200
          2. 150
        1003 @ dm: 1. 0
          2. 0
        1005 @ dm: 1. 3000
          2. 2500
        @clock 2026-11-28 08:00
        """
    )
    campaign = await h.campaign()
    from bot.core.periods import Period

    reports = ReportService(h.store, h.services.templates)
    r = await reports.rollup(campaign, Span.of(Period.from_key("2026-11")), h.clock.now())
    assert [s.indicator.key for s in r.indicators] == ["ty_le_mui_3", "ty_le_nhan_loi"]

    book = openpyxl.load_workbook(io.BytesIO(rollup_workbook(r, workspace_name="Tây Ninh")))
    ws = book["Chỉ số"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == [
        "Chỉ số",
        "Đơn vị",
        "Mã đơn vị",
        "Giá trị",
        "Chỉ tiêu",
        "Tiến độ (% chỉ tiêu)",
        "Đánh giá",
    ]
    whole = rows[1]
    assert whole[1] == "Toàn bộ" and whole[4] == 90 and whole[6] == "Chưa đạt"
    assert isinstance(whole[3], float) and round(whole[3], 2) == 37.86 and whole[5] == 42.1
    by_unit = {row[2]: row for row in rows[2:8]}
    assert by_unit["hnd"][3:] == [62.5, 50, 125, "Đạt"]
    assert by_unit["mttq"][3:] == [None, 90, None, "Chưa báo cáo"]
    ratio = {row[2]: row for row in rows[8:]}
    assert ratio["ldld"][6] == "Không tính được: chia cho 0"

    data = rollup_document(r, Letterhead(), issued_on=date(2026, 11, 28), workspace_name="Tây Ninh")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Thực hiện các chỉ tiêu" in text
    assert (
        "Tỷ lệ tiêm vắc xin mũi 3: chưa đạt chỉ tiêu 2 đơn vị (LĐLĐ tỉnh 0%, Tỉnh đoàn 15%)."
        in text
    )
    assert (
        "Tỷ lệ người được vận động đã tiêm: chưa tính được ở LĐLĐ tỉnh (không tính được: chia cho 0)."
        in text
    )
    tables = docx.Document(io.BytesIO(data)).tables
    cells = [[c.text for c in row.cells] for t in tables for row in t.rows]
    assert ["1", "Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt)", "37,9%", "90%", "42,1%"] in cells


async def test_help_lists_the_commands_by_role(tayninh: Harness) -> None:
    # An admin's list is longer than one message: names by group, then one group in full.
    out = await tayninh.play("1001 @ dm: /trogiup")
    assert (
        "• Chỉ số, chỉ tiêu: /chiso, /solieu, /datsolieu, /bosolieu, /datchitieu, /bochitieu" in out
    )
    assert "/trogiup TÊN_NHÓM" in out
    out = await tayninh.play("1001 @ dm: /trogiup chi so")
    assert out.count(" – ") >= 6 and "Chỉ số, chỉ tiêu:" in out
    for name in ("/chiso", "/solieu", "/datsolieu", "/bosolieu", "/datchitieu", "/bochitieu"):
        assert f"{name} – " in out
    out = await tayninh.play("1001 @ dm: /trogiup quản trị")
    assert "/vanban – " in out and "/chiso" not in out
    out = await tayninh.play("1007 @ dm: /trogiup")
    assert "/chiso – " in out and "/datchitieu" not in out
    out = await tayninh.play("1002 @ dm: /trogiup")
    assert "Chỉ số, chỉ tiêu:" not in out
    out = await tayninh.play("1001 @ dm: /trogiup datchitieu")
    assert "/datchitieu ty_le_mui_3 90 năm 2026" in out and "/settarget" in out
    # A template without indicators: the commands say how to add them.
    out = await tayninh.play("1007 @ dm: /chiso")
    assert "Mẫu báo cáo hiện hành chưa có chỉ số nào" in out
    out = await tayninh.play("1001 @ dm: /datsolieu dan_so hnd 5")
    assert "chưa khai báo số liệu tham chiếu nào" in out


async def test_each_line_names_its_own_period(tayninh: Harness) -> None:
    await _with_example(tayninh)
    out = await tayninh.play(
        """
        1001 @ dm: /datsolieu dan_so_muc_tieu tinhdoan 1.000 năm 2026
          ldld 2.000
          hnd 3.000 quý IV
        """
    )
    assert "Tỉnh đoàn – năm 2026: 1.000 người" in out
    assert "LĐLĐ tỉnh – mọi kỳ: 2.000 người" in out
    assert "Hội ND tỉnh – quý IV/2026: 3.000 người" in out
    out = await tayninh.play("1001 @ dm: /datsolieu dan_so_muc_tieu ldld 2.500")
    assert "LĐLĐ tỉnh – mọi kỳ: 2.500 người (trước đây: 2.000 người)" in out


async def test_a_unit_code_the_workspace_does_not_have_is_pointed_out(tayninh: Harness) -> None:
    body = EXAMPLE.read_text(encoding="utf-8")
    assert "  - key: ty_le_mui_3\n" in body
    body = body.replace(
        "  - key: ty_le_mui_3\n", "  - key: ty_le_mui_3\n    applies_to: [hnd, xyz]\n"
    )
    out = await tayninh.play("1001 @ dm: /thaymau\n" + textwrap.indent(body, "  "))
    assert "Đã thay mẫu báo cáo" in out
    assert "⚠️ Mẫu ghi mã đơn vị chưa có trong danh sách: xyz." in out
    out = await tayninh.play(_thaymau())
    assert "chưa có trong danh sách" not in out
