"""Several campaigns in one workspace (a weekly and a monthly report), and corrections."""

from __future__ import annotations

from bot.core.periods import Period
from tests.conftest import Harness


async def test_weekly_and_monthly_campaigns_side_by_side(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1001 @ g1: /napmau danvankheo")
    assert "Đã nạp bộ mẫu" in out
    campaigns = await h.store.campaigns.list_active()
    assert {c.period_type.value for c in campaigns} == {"week", "month"}
    monthly = next(c for c in campaigns if c.period_type.value == "month")

    # The monthly campaign starts with November (created with days to go before its
    # deadline); an earlier month is refused.
    out = await h.play("1002 @ dm: /baocao tháng 10\n  1. 3")
    assert "Đợt báo cáo bắt đầu từ tháng 11/2026" in out

    # No period and two campaigns waiting: the reporter is asked, by number.
    out = await h.play("@clock 2026-12-01 09:00\n1003 @ dm: 1. 4")
    assert "Đồng chí báo cáo cho đợt nào?" in out and "[1]" in out and "[2]" in out
    out = await h.play("1003 @ dm: 1")
    assert "✅ Đã ghi nhận" in out or "Xác nhận" in out

    # An explicit month picks the monthly campaign and its own template.
    out = await h.play("1002 @ dm: /baocao tháng 12\n  1. 3")
    assert "tháng 12/2026" in out
    org = await h.org("tinhdoan")
    saved = await h.store.submissions.current_for_org(
        monthly.id, Period.from_key("2026-12"), org.id
    )
    assert saved is not None
    # A future period is refused.
    out = await h.play("1002 @ dm: /baocao tuần sau\n  1. 3")
    assert "chưa bắt đầu" in out

    # Reading commands follow the period's type.
    out = await h.play("1007 @ dm: /tinhhinh tháng 12")
    assert "tháng 12/2026" in out and "✅ Tỉnh đoàn" in out
    # No campaign reports by quarter: the quarter is rolled up from the shortest campaign
    # (weeks), not refused.
    out = await h.play("1007 @ dm: /tonghop quý IV")
    assert "TỔNG HỢP KẾT QUẢ QUÝ IV/2026" in out and "tuần" in out
    assert "/xuat word quý IV/2026" in out

    # /lich without arguments lists every campaign; a leading word picks one to change.
    out = await h.play("1001 @ dm: /lich")
    assert out.count("Lịch của đợt") == 2
    out = await h.play("1001 @ dm: /lich tháng hạn ngày 20 17:00")
    assert "Đã cập nhật lịch" in out and "ngày 20 17h00" in out


async def test_unresolved_ambiguity_survives_an_unrelated_correction(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1002 @ dm: 1. 5\n  5. Số suất quà: 1,500")
    assert "Cần sửa trước khi lưu" in out
    out = await h.play("1002 @ dm: 2. 300")  # fixes another line, not the ambiguous one
    assert "Cần sửa trước khi lưu" in out and "1,500" in out
    out = await h.play("1002 @ dm: 5. 1500")
    assert "[1] Xác nhận" in out
    out = await h.play("1002 @ dm: 1")
    assert "✅ Đã ghi nhận" in out


async def test_confirm_word_without_pending_report_is_explained(tayninh: Harness) -> None:
    out = await tayninh.play("1002 @ dm: Xác nhận")
    assert "Không có báo cáo nào đang chờ xác nhận" in out


async def test_template_replacement_renames_the_campaign(tayninh: Harness) -> None:
    out = await tayninh.play(
        """
        1001 @ dm: /thaymau
          key: tuan_mttq
          name: Báo cáo tuần rút gọn
          sections:
            - key: chung
              title: Kết quả chung
              fields:
                - {key: so_buoi, label: Số buổi tuyên truyền, type: count, unit: buổi, required: true}
                - {key: tien, label: Tiền vận động, type: money}
        """
    )
    assert "Đã thay mẫu báo cáo “Báo cáo tuần rút gọn” (phiên bản 2, 2 mục)" in out
    assert "Lưu ý: mẫu mới không còn các mục: Số buổi tuyên truyền, vận động" in out
    campaign = await tayninh.campaign()
    assert campaign.name == "Báo cáo tuần rút gọn"
    out = await tayninh.play("@clock 2026-11-23 08:00")
    assert "1. Số buổi tuyên truyền (bắt buộc):" in out and "Nông sản" not in out


async def test_template_errors_name_the_field(tayninh: Harness) -> None:
    out = await tayninh.play(
        """
        1001 @ dm: /thaymau
          key: tuan_mttq
          name: Sai
          sections:
            - key: chung
              title: Chung
              fields:
                - {key: so_buoi, label: Số buổi, type: dem}
        """
    )
    assert "Mẫu báo cáo chưa hợp lệ" in out and "so_buoi" in out
    campaign = await tayninh.campaign()
    assert campaign.name != "Sai"
