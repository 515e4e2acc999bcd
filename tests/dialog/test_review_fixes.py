"""Behaviour found by a new-user review: each case once broke or confused people."""

from __future__ import annotations

from bot.core.models import Role
from bot.core.periods import Period
from tests.conftest import Harness


async def test_two_word_roles_in_bind_and_bad_roles_refused(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("@user 1010 Ngô Hải\n1001 @ g1: /gan hlhpn lãnh đạo 1010")
    assert "vai trò lãnh đạo" in out
    member = await h.store.members.get(1, "sandbox", "1010")
    assert member is not None and member.role is Role.LEADER
    out = await h.play("1001 @ g1: /gan hlhpn xyz 1011")
    assert "Vai trò “xyz” không hợp lệ" in out
    assert await h.store.members.get(1, "sandbox", "xyz") is None
    assert await h.store.members.get(1, "sandbox", "1011") is None


async def test_correction_after_deadline_keeps_on_time_status(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00\n1002 @ dm: 1. 10")
    await h.play("@clock 2026-11-28 09:00\n1002 @ dm: 2. 500\n1002 @ dm: 1")
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    current = await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )
    assert current is not None and current.version == 2 and not current.late
    out = await h.play("1007 @ ld: /tinhhinh tuần 48")
    assert "Đã báo cáo 1/6 đơn vị (đều đúng hạn)" in out
    assert "✅ Tỉnh đoàn – 09h00 28/11, đúng hạn" in out


async def test_impossible_numbers_are_refused(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1002 @ dm: 1. 9999999999999999999999")
    assert "lớn hơn mức hợp lý" in out
    out = await h.play("1002 @ dm: /huy\n1002 @ dm: 1. 2\n  3. 999999999 tỷ")
    assert "lớn hơn mức hợp lý" in out and "Cần sửa trước khi lưu" in out
    campaign = await h.campaign()
    assert await h.store.submissions.current(campaign.id, Period.from_key("2026-W48")) == []


async def test_photos_and_chatter_in_the_group_stay_quiet(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    assert await h.play("1003 @ g1 [photo]:") == ""
    assert await h.play("1003 @ g1: xin chào mọi người") == ""
    # A report started in the group by replying to the bot, then ordinary chat: still quiet.
    out = await h.play("1003 @ g1 [reply]: tuần này 4 buổi tuyên truyền")
    assert "[1] Xác nhận" in out
    assert await h.play("1003 @ g1: mọi người ăn trưa chưa?") == ""
    out = await h.play("1003 @ g1: 1")
    assert "✅ Đã ghi nhận" in out


async def test_unknown_command_suggests_the_nearest(tayninh: Harness) -> None:
    out = await tayninh.play("1002 @ dm: /baocaoo")
    assert "Có phải đồng chí muốn dùng /baocao?" in out
    out = await tayninh.play("1002 @ dm: /trogiúp")
    assert "Bot báo cáo kết quả hằng tuần" in out


async def test_deactivating_twice_says_so(tayninh: Harness) -> None:
    await tayninh.play("1001 @ g1: /ngungdonvi hccb")
    out = await tayninh.play("1001 @ g1: /ngungdonvi hccb")
    assert "đã ngừng theo dõi từ trước" in out


async def test_correction_after_a_bare_baocao_keeps_the_stored_values(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    # First report in two steps: the form, then a clean filled-in form, saved at once.
    await h.play("1002 @ dm: /baocao")
    out = await h.play("1002 @ dm: 1. 5\n  3. 2 triệu")
    assert "✅ Đã ghi nhận báo cáo" in out
    # A correction in two steps keeps what was stored and is confirmed.
    await h.play("1002 @ dm: /baocao")
    out = await h.play("1002 @ dm: 2. 500")
    assert "[1] Xác nhận" in out and "3. Tiền vận động, ủng hộ: 2.000.000 đồng" in out
    await h.play("1002 @ dm: 1")
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    current = await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )
    assert current is not None and current.version == 2
    assert current.values == {
        "so_buoi_tuyen_truyen": 5,
        "tien_van_dong": 2_000_000,
        "luot_nguoi_tuyen_truyen": 500,
    }


async def test_guided_questions_after_a_report_keep_skipped_values(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00\n1002 @ dm: 1. 5\n  3. 2 triệu")
    await h.play("1002 @ dm: /baocao hoi\n1002 @ dm: 7")
    for _ in range(13):
        out = await h.play("1002 @ dm: bỏ qua")
    assert "3. Tiền vận động, ủng hộ: 2.000.000 đồng" in out
    await h.play("1002 @ dm: 1")
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    current = await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )
    assert current is not None and current.values["so_buoi_tuyen_truyen"] == 7
    assert current.values["tien_van_dong"] == 2_000_000
