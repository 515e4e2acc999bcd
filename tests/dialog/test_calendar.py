"""Calendar rules driven by the controllable clock: holidays, pauses, exemptions, quiet
hours, locks and reopening, early reports, mentions, delivery failures."""

from __future__ import annotations

from bot.core.periods import Period
from tests.conftest import Harness


def _count(out: str, marker: str) -> int:
    return out.count(marker)


async def test_skipped_week_sends_nothing_and_the_next_week_runs(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1001 @ g1: /nghi tuần 49 | Nghỉ lễ")
    assert "Đã ghi nghỉ (Nghỉ lễ): tuần 49/2026" in out
    out = await h.play("1001 @ g1: /nghi")
    assert "Tuần 49/2026 (30/11 – 06/12/2026) – Nghỉ lễ" in out
    await h.play("@clock 2026-11-23 08:00\n@clock 2026-11-27 17:00")
    out = await h.play("@clock 2026-11-30 08:00\n@clock 2026-12-03 08:00\n@clock 2026-12-04 17:00")
    assert out == ""  # week 49: no prompt, no reminder, no digest
    out = await h.play("@clock 2026-12-07 08:00")
    assert "Tuần 50/2026" in out
    out = await h.play("1001 @ g1: /bonghi tuần 49")
    assert "Đã bỏ nghỉ" in out


async def test_pause_and_resume_without_a_burst(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1001 @ g1: /tamdung")
    assert "Đã tạm dừng" in out
    out = await h.play("@clock 2026-11-26 08:00\n@clock 2026-11-27 17:00\n@clock 2026-11-30 08:00")
    assert out == ""
    # Reports are still taken while paused.
    out = await h.play("1002 @ dm: 1. 3")
    assert "✅ Đã ghi nhận" in out
    out = await h.play("@clock 2026-11-30 09:00\n1001 @ g1: /tieptuc")
    assert "chạy lại" in out and "tuần 48/2026" in out  # week 48 recorded as skipped
    assert _count(out, "TỔNG HỢP") == 0
    # The current week (49) had its open time during the pause: its prompt goes now.
    assert _count(out, "Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 49/2026") == 1
    out = await h.play("@clock 2026-12-04 17:00")
    assert _count(out, "TỔNG HỢP KẾT QUẢ TUẦN 49/2026") == 1


async def test_exempt_org_is_not_missing_nor_reminded(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1001 @ g1: /mien hnd tuần 48 | Đi công tác")
    assert "Hội ND tỉnh được miễn báo cáo (Đi công tác): tuần 48/2026" in out
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("@clock 2026-11-26 08:00")
    reminder = out.split("⏰ Nhắc việc", 1)[1].split("\n")[0]
    assert "Hội ND tỉnh" not in reminder and "LĐLĐ tỉnh" in reminder
    out = await h.play("1007 @ ld: /tinhhinh")
    assert "Miễn báo cáo kỳ này: Hội ND tỉnh." in out
    out = await h.play("@clock 2026-11-27 17:00")
    assert "0/5 đơn vị" in out


async def test_an_exempt_unit_that_reported_reads_as_exempt_not_outside_the_list(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1005 @ dm: 1. 3")
    assert "✅ Đã ghi nhận" in out
    await h.play("1001 @ g1: /mien hnd tuần 48 | Đi công tác")
    out = await h.play("1007 @ ld: /tinhhinh")
    assert "ngoài danh sách" not in out
    assert "Miễn báo cáo kỳ này: Hội ND tỉnh (vẫn gửi, tính vào số liệu)." in out
    out = await h.play("1007 @ ld: /tonghop")
    assert "ngoài danh sách" not in out
    assert "Miễn báo cáo kỳ này: Hội ND tỉnh (vẫn gửi, tính vào số liệu)." in out
    assert "✅ Hội ND tỉnh – 08h00 23/11, được miễn kỳ này" in out
    assert "Tuyên truyền, vận động: 3 buổi." in out  # its figures count


async def test_lock_and_reopen_for_one_organization(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("@clock 2026-12-08 09:00\n1003 @ dm: /baocao tuần 48\n  1. 4")
    assert "đã khóa sổ" in out
    out = await h.play("1001 @ g1: /molai ldld tuần 48")
    assert "Đã mở lại Tuần 48/2026" in out and "LĐLĐ tỉnh" in out
    out = await h.play("1003 @ dm: /baocao tuần 48\n  1. 4")
    assert "✅ Đã ghi nhận báo cáo Tuần 48/2026" in out and "gửi muộn" in out
    out = await h.play("1002 @ dm: /baocao tuần 48\n  1. 4")
    assert "đã khóa sổ" in out  # only the reopened organization
    out = await h.play("1001 @ g1: /nhatky")
    assert "mở lại kỳ đã khóa sổ ldld: tuần 48/2026, 3 ngày" in out
    out = await h.play("@clock 2026-12-11 10:00\n1003 @ dm: /baocao tuần 48\n  2. 100")
    assert "đã khóa sổ" in out  # the reopening has ended


async def test_quiet_hours_hold_the_prompt_until_morning(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1001 @ g1: /lich mở T2 06:00")
    assert "Giờ yên lặng: 21h30 – 07h00" in out
    out = await h.play("@clock 2026-11-30 06:00")
    assert "Đề nghị các đơn vị" not in out  # 06:00 is still quiet
    out = await h.play("@clock 2026-11-30 06:59")
    assert out == ""
    out = await h.play("@clock 2026-11-30 07:00")
    assert _count(out, "Đề nghị các đơn vị báo cáo") == 1


async def test_mentions_can_be_switched_off(tayninh: Harness) -> None:
    h = tayninh
    await h.play("1001 @ g1: /lich nhắc tên không")
    out = await h.play("@clock 2026-11-23 08:00\n@clock 2026-11-26 08:00")
    assert "⏰ Nhắc việc" in out and "gắn tên" not in out


async def test_early_report_for_next_week_only_when_allowed(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-27 18:00")
    out = await h.play("1002 @ dm: /baocao tuần sau\n  1. 2")
    assert "chưa bắt đầu" in out
    await h.play("1001 @ g1: /lich báo cáo sớm có")
    out = await h.play("1002 @ dm: /baocao tuần sau\n  1. 2")
    assert "✅ Đã ghi nhận báo cáo Tuần 49/2026" in out
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    assert await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W49"), org.id
    )
    out = await h.play("1002 @ dm: /baocao tuần 51\n  1. 2")
    assert "chưa bắt đầu" in out  # only the next period, not any future one


async def test_delivery_failures_are_shown_to_admins(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    pending = await h.store.outbox.enqueue("sandbox", "1003", "Nhắc việc: thử", "t1", h.clock.now())
    assert pending
    item = (await h.store.outbox.pending())[0]
    await h.store.outbox.mark_failed(
        item.id, "403 Forbidden: bot was blocked by the user", h.clock.now(), True
    )
    out = await h.play("1001 @ g1: /loigui")
    assert "người nhận đã chặn bot" in out and "– 1003 (sandbox)" in out
    out = await h.play("1002 @ dm: /loigui")
    assert "chỉ dành cho cán bộ quản trị" in out
