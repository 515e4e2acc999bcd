"""Self-assessment checklists (issue 9, part 4): villages answer the COVID-19 safety criteria
each month, the bot classifies each village and the digest shows the classes and changes."""

from __future__ import annotations

import io
import textwrap
from datetime import date
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from bot.core.letterhead import Letterhead
from bot.core.periods import Period
from bot.core.rollup import Span
from bot.services.exports.excel import rollup_workbook
from bot.services.exports.word import rollup_document
from bot.services.reports import ReportService
from tests.conftest import Harness

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-tu-danh-gia-an-toan-covid.yaml"

SETUP = """
@owner 1001
@user 1001 Nguyễn Văn An
@user 2001 Trần Văn Hữu
@user 2002 Lê Thị Đông
@user 2003 Phạm Văn Tây
@user 1007 Đặng Thị Giang
@chat g1 group Ban chỉ đạo Phong trào xã Ninh Thọ
@chat ld group Thường trực Ban chỉ đạo xã Ninh Thọ
@clock 2026-11-23 07:30
1001 @ g1: /khoitao Ban chỉ đạo Phong trào xã Ninh Thọ
1001 @ g1: /themdonvi phuhuu | Thôn Phú Hữu | Thôn Phú Hữu
  dongtho | Thôn Đông Thọ | Thôn Đông Thọ
  taytho | Thôn Tây Thọ | Thôn Tây Thọ
1001 @ g1: /gan phuhuu baocao 2001
1001 @ g1: /gan dongtho baocao 2002
1001 @ g1: /gan taytho baocao 2003
1001 @ g1: /gan - lanhdao 1007
1001 @ ld: /nhomlanhdao
"""


def _upload() -> str:
    body = textwrap.indent(SAMPLE.read_text(encoding="utf-8"), "  ")
    return "1001 @ dm: /thaymau\n" + body


@pytest.fixture
async def ninhtho(harness: Harness) -> Harness:
    await harness.play(SETUP)
    return harness


async def test_villages_self_assess_and_the_digest_shows_classes_and_changes(
    ninhtho: Harness,
) -> None:
    h = ninhtho
    out = await h.play(_upload())
    assert "✅ Đã thay mẫu báo cáo “Tự đánh giá Bộ tiêu chí An toàn về COVID-19 (thôn)”" in out
    assert "Đã tạo đợt báo cáo mới" in out

    # The month's prompt goes out at once (its deadline is two days away); it tells how to
    # answer briefly and which criteria are critical.
    assert "Đề nghị các đơn vị báo cáo kết quả thực hiện tháng 11/2026" in out
    assert "có thể trả lời gọn: “đạt tất cả”, “không đạt: 3, 5”" in out
    assert "Tiêu chí bắt buộc phải đạt: 1, 2, 4." in out
    assert "4. Nắm và khai báo đầy đủ người từ nơi khác đến (có/không):" in out

    # Three villages answer three ways; each is told its class at once.
    out = await h.play("2001 @ dm: Đạt tất cả")
    assert "✅ Đã ghi nhận báo cáo tháng 11/2026 của Thôn Phú Hữu" in out
    assert "Kết quả tự đánh giá: 🟢 Xanh – An toàn; đạt 9/9 tiêu chí (100%)." in out
    out = await h.play("2002 @ dm: không đạt: 5, 7")
    assert "Kết quả tự đánh giá: 🟡 Vàng – Cần củng cố; đạt 7/9 tiêu chí (77,8%)." in out
    assert (
        "Chưa đạt: 5. Người dân thực hiện nghiêm các biện pháp phòng dịch (5K); "
        "7. Đạt tỷ lệ tiêm vắc xin theo kế hoạch của xã." in out
    )
    # In the group, a short reply from a bound reporter is read as the checklist.
    out = await h.play("2003 @ g1: 1 có, 2 không, 3 có, 4-9 có")
    assert "Kết quả tự đánh giá: 🔴 Đỏ – Chưa an toàn; đạt 8/9 tiêu chí (88,9%)." in out
    assert "Chưa đạt: 2. Tổ tự quản thôn an toàn hoạt động thường xuyên (tiêu chí bắt buộc)." in out

    # The month's digest: classes by unit, per-criterion counts; no change yet.
    out = await h.play("@clock 2026-11-25 17:30")
    assert "bot -> ld:" in out and "📊 TỔNG HỢP KẾT QUẢ THÁNG 11/2026" in out
    assert "2. Phân loại theo “Tự đánh giá Bộ tiêu chí An toàn về COVID-19 (thôn)”:" in out
    assert " - Số đơn vị theo mức: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1." in out
    assert "   • Thôn Tây Thọ (đạt 8/9 tiêu chí, 88,9%; chưa đạt tiêu chí bắt buộc 2)" in out
    assert "   • Thôn Đông Thọ (đạt 7/9 tiêu chí, 77,8%; chưa đạt: 5, 7)" in out
    assert " - 🟢 Xanh: Thôn Phú Hữu." in out
    assert "Thay đổi" not in out
    assert (
        " - Tổ tự quản thôn an toàn hoạt động thường xuyên: Có 2/3 đơn vị, Không 1/3 đơn vị." in out
    )

    # December: a form with a narrative, a short list of failures, "all met".
    out = await h.play("@clock 2026-12-01 08:30")
    out = await h.play("2001 @ dm: không đạt 4")
    assert (
        "🔴 Đỏ" in out
        and "4. Nắm và khai báo đầy đủ người từ nơi khác đến (tiêu chí bắt buộc)" in out
    )
    out = await h.play("2002 @ dm: đạt hết")
    assert "🟢 Xanh" in out
    out = await h.play(
        """
        2003 @ dm: /baocao
          1c 2c 3c 4c 5k 6k 7c 8c 9c
          10. Thiếu khẩu trang cho tổ tự quản
        """
    )
    assert "🟡 Vàng" in out and "6. Không tụ tập đông người trái quy định" in out

    out = await h.play("@clock 2026-12-25 17:30")
    assert "📊 TỔNG HỢP KẾT QUẢ THÁNG 12/2026" in out
    assert " - Số đơn vị theo mức: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1." in out
    assert " - Tháng trước: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1." in out
    assert " - Thay đổi so với tháng trước:" in out
    assert "   • Thôn Phú Hữu: 🟢 Xanh → 🔴 Đỏ (xấu đi)" in out
    assert "   • Thôn Đông Thọ: 🟡 Vàng → 🟢 Xanh (tốt lên)" in out
    assert "   • Thôn Tây Thọ: 🔴 Đỏ → 🟡 Vàng (tốt lên)" in out
    assert (
        "Thôn Phú Hữu (đạt 8/9 tiêu chí, 88,9%; chưa đạt tiêu chí bắt buộc 4; trước: 🟢 Xanh)"
        in out
    )
    assert " - Khó khăn, vướng mắc; đề xuất, kiến nghị: Thiếu khẩu trang cho tổ tự quản" in out
    # The per-unit block does not repeat every criterion (the classes say it).
    assert "✅ Thôn Phú Hữu – 08h30 01/12\n" in out

    # The leader asks again later: the same classes and changes.
    out = await h.play("1007 @ dm: /tonghop tháng 12")
    assert "   • Thôn Đông Thọ: 🟡 Vàng → 🟢 Xanh (tốt lên)" in out

    # The quarter's roll-up counts the classes month by month, and the workbook has a sheet.
    out = await h.play("1007 @ dm: /tonghop quý IV")
    assert " - Phân loại theo “Tự đánh giá Bộ tiêu chí An toàn về COVID-19 (thôn)”:" in out
    assert "   • Tháng 11/2026: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1." in out
    assert "Các báo cáo chưa có số liệu" not in out

    # /xem shows the unit its answers and its class.
    out = await h.play("2003 @ dm: /xem tháng 12")
    assert "5. Người dân thực hiện nghiêm các biện pháp phòng dịch (5K): Không" in out
    assert "Kết quả tự đánh giá: 🟡 Vàng – Cần củng cố; đạt 7/9 tiêu chí (77,8%)." in out

    # /lichsu shows the unit's class month by month.
    out = await h.play("2001 @ dm: /lichsu quý IV")
    assert "✅ tháng 12/2026: 🔴 Đỏ (đạt 8/9 tiêu chí, 88,9%)" in out
    assert "✅ tháng 11/2026: 🟢 Xanh (đạt 9/9 tiêu chí, 100%)" in out

    # /mau shows the rule in words.
    out = await h.play("2001 @ dm: /mau")
    assert "Cách phân loại (xét lần lượt): 🔴 Đỏ: chưa đạt bất kỳ tiêu chí bắt buộc nào;" in out
    assert "🟡 Vàng: đạt dưới 80% số tiêu chí; 🟢 Xanh: các trường hợp còn lại." in out
    assert "Tiêu chí bỏ trống: tính là chưa đạt." in out


async def test_workbook_has_the_classes(ninhtho: Harness) -> None:
    h = ninhtho
    await h.play(_upload())
    await h.play("@clock 2026-11-23 08:00")
    await h.play("2001 @ dm: Dạ, đạt tất cả ạ\n2002 @ dm: không đạt: 2")
    await h.play("@clock 2026-12-01 08:30")
    await h.play("2001 @ dm: không đạt: 5, 7")
    campaign = await h.campaign()
    service = ReportService(h.store, h.services.templates)
    rollup = await service.rollup(campaign, Span.of(Period.from_key("2026-Q4")), h.clock.now())
    assert rollup.checklist is not None
    data = rollup_workbook(rollup, workspace_name="Ninh Thọ")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Phân loại"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:5] == [
        "Đơn vị",
        "Mức tháng 11/2026",
        "Mức tháng 12/2026",
        "Mức gần nhất",
        "Tỷ lệ tiêu chí đạt gần nhất (%)",
    ]
    assert rows[1][:6] == ["Thôn Phú Hữu", "🟢 Xanh", "🟡 Vàng", "🟡 Vàng", 77.8, "5, 7"]
    assert rows[2][:5] == ["Thôn Đông Thọ", "🔴 Đỏ", None, "🔴 Đỏ", 88.9]


async def test_a_partial_answer_is_confirmed_with_its_class_then_completed(
    ninhtho: Harness,
) -> None:
    h = ninhtho
    await h.play(_upload())
    # Criteria left blank count as not met: the reporter sees the class before saving.
    out = await h.play("2001 @ dm: 1 có, 2 có, 3 có")
    assert "Kết quả tự đánh giá: 🔴 Đỏ – Chưa an toàn; đạt 3/9 tiêu chí (33,3%)." in out
    assert "Chưa trả lời tiêu chí 4, 5, 6, 7, 8, 9 (tính là chưa đạt)." in out
    assert "[1] Xác nhận" in out and "Đã ghi nhận" not in out
    # The rest follows in a second message: merged, shown again, then saved.
    out = await h.play("2001 @ dm: 4-9 có")
    assert "🟢 Xanh – An toàn; đạt 9/9 tiêu chí (100%)." in out and "[1] Xác nhận" in out
    out = await h.play("2001 @ dm: 1")
    assert "✅ Đã ghi nhận báo cáo tháng 11/2026 của Thôn Phú Hữu" in out
    assert "🟢 Xanh" in out

    # A slip in a short reply blocks saving with a clear reason; the fix is merged.
    out = await h.play("2002 @ dm: 1-9 có, 12 không")
    assert "Dòng 1: mẫu không có tiêu chí số 12 (các tiêu chí: 1–9)." in out
    assert "Đã ghi nhận" not in out
    out = await h.play("2002 @ dm: 1 có, 1 không")
    assert "tiêu chí 1 (Có Ban chỉ đạo phòng, chống dịch của thôn, phân công rõ nhiệm vụ)" in out
    assert "vừa “có” vừa “không”" in out

    # A later correction of a stored checklist changes the class, after confirmation.
    out = await h.play("2001 @ dm: không đạt: 4")
    assert "🔴 Đỏ" in out and "[1] Xác nhận" in out
    out = await h.play("2001 @ dm: 1")
    assert "✅ Đã ghi nhận báo cáo cập nhật (lần 2)" in out and "🔴 Đỏ" in out


async def test_rule_errors_reach_the_admin_in_vietnamese(ninhtho: Harness) -> None:
    out = await ninhtho.play(
        """
        1001 @ dm: /thaymau
          key: tu_danh_gia
          name: Tự đánh giá
          sections:
            - key: chung
              title: Tiêu chí
              fields:
                - {key: c1, label: Có tổ tự quản, type: yesno}
                - {key: c2, label: Có phương án, type: yesno}
          checklist:
            critical: [c3]
            levels:
              - {key: do, label: Đỏ, when: {thieu_bat_buoc: 1}}
              - {key: vang, label: Vàng}
              - {key: xanh, label: Xanh, when: {percent_met_below: 80}}
        """
    )
    assert "Mẫu báo cáo chưa hợp lệ" in out
    assert "không có điều kiện “thieu_bat_buoc”; các điều kiện dùng được:" in out
    campaigns = await ninhtho.store.campaigns.list_active()
    assert campaigns == []
    out = await ninhtho.play(
        """
        1001 @ dm: /thaymau
          key: tu_danh_gia
          name: Tự đánh giá
          sections:
            - key: chung
              title: Tiêu chí
              fields:
                - {key: c1, label: Có tổ tự quản, type: yesno}
          checklist:
            critical: [c3]
            levels:
              - {key: do, label: Đỏ, when: {critical_not_met_at_least: 1}}
              - {key: xanh, label: Xanh}
        """
    )
    assert "tiêu chí bắt buộc 'c3' không phải một tiêu chí có/không của mẫu" in out


async def test_a_checklist_runs_beside_the_weekly_report(tayninh: Harness) -> None:
    """A weekly checklist does not take over the weekly report's campaign (nor the reverse)."""
    h = tayninh
    text = SAMPLE.read_text(encoding="utf-8").replace("period_type: month", "period_type: week")
    out = await h.play("1001 @ dm: /thaymau\n" + textwrap.indent(text, "  "))
    assert "Đã tạo đợt báo cáo mới “Tự đánh giá Bộ tiêu chí An toàn về COVID-19 (thôn)”" in out
    campaigns = await h.store.campaigns.list_active()
    assert len(campaigns) == 2
    keys = {c.template_key for c in campaigns}
    assert keys == {"tuan_mttq", "an_toan_covid_thon"}
    # Both wait for Tỉnh đoàn's report; each reply goes where its form reads it, even in the
    # group without addressing the bot.
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1002 @ g1: Đạt tất cả")
    assert "Kết quả tự đánh giá: 🟢 Xanh" in out and "Đồng chí báo cáo cho đợt nào" not in out
    out = await h.play(
        "1002 @ g1: 1. Số buổi tuyên truyền, vận động: 12\n"
        "  2. Số lượt người được tuyên truyền: 1.200"
    )
    assert "✅ Đã ghi nhận báo cáo Tuần 48/2026" in out and "tự đánh giá" not in out
    # An ordinary weekly template still replaces the weekly report, not the checklist.
    out = await h.play(
        """
        1001 @ dm: /thaymau
          key: tuan_moi
          name: Báo cáo tuần mới
          sections:
            - key: chung
              title: Kết quả chung
              fields:
                - {key: so_buoi, label: Số buổi tuyên truyền, type: count}
        """
    )
    assert "Đã tạo đợt báo cáo mới" not in out
    keys = {c.template_key for c in await h.store.campaigns.list_active()}
    assert keys == {"tuan_moi", "an_toan_covid_thon"}


async def test_word_report_says_the_classes(ninhtho: Harness) -> None:
    h = ninhtho
    await h.play(_upload())
    await h.play("2001 @ dm: đạt tất cả\n2002 @ dm: không đạt: 2\n2003 @ dm: không đạt: 5, 7")
    await h.play("@clock 2026-12-01 08:30")
    await h.play("2001 @ dm: không đạt: 5, 7\n2002 @ dm: đạt tất cả\n2003 @ dm: không đạt: 5, 7")
    campaign = await h.campaign()
    rollup = await ReportService(h.store, h.services.templates).rollup(
        campaign, Span.of(Period.from_key("2026-Q4")), h.clock.now()
    )
    data = rollup_document(
        rollup,
        Letterhead().with_defaults("Ninh Thọ"),
        issued_on=date(2026, 12, 28),
        workspace_name="Ninh Thọ",
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Kết quả tự đánh giá theo Tự đánh giá Bộ tiêu chí An toàn về COVID-19 (thôn)" in text
    assert "Tháng 11/2026: 1 đơn vị mức Đỏ, 1 đơn vị mức Vàng, 1 đơn vị mức Xanh." in text
    assert (
        "Kết quả tháng 12/2026: mức Vàng: Thôn Phú Hữu (chưa đạt tiêu chí 5, 7); "
        "Thôn Tây Thọ (chưa đạt tiêu chí 5, 7); mức Xanh: Thôn Đông Thọ." in text
    )
    assert (
        "So với tháng 11/2026: Thôn Phú Hữu từ Xanh xuống Vàng; Thôn Đông Thọ từ Đỏ lên Xanh."
        in text
    )
    assert "🟢" not in text  # a formal document carries no status marks


async def test_an_answer_not_understood_is_shown_the_short_forms(ninhtho: Harness) -> None:
    h = ninhtho
    await h.play(_upload())
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("2001 @ dm: Đạt hết, riêng tiêu chí 5 chưa đạt")
    assert "Chưa đọc được câu trả lời nào" in out and "“không đạt: 3, 5”" in out
    assert "Số buổi tuyên truyền" not in out


async def test_a_draft_left_unconfirmed_does_not_capture_next_months_answer(
    ninhtho: Harness,
) -> None:
    h = ninhtho
    await h.play(_upload())
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("2003 @ dm: 1 có, 1 không\n2003 @ dm: đạt tất cả trừ 1")
    assert "Nội dung báo cáo của Thôn Tây Thọ – tháng 11/2026" in out  # waits for confirmation
    await h.play("@clock 2026-12-02 09:00")
    out = await h.play("2003 @ dm: tất cả đều đạt")
    assert "Bản báo cáo tháng 11/2026 đồng chí gửi trước đây chưa được xác nhận" in out
    assert "tháng 12/2026" in out and "Nội dung báo cáo của Thôn Tây Thọ – tháng 11/2026" not in out
    out = await h.play("2003 @ dm: /xem")
    assert "chưa gửi báo cáo tháng 12/2026" not in out
