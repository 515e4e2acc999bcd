"""Guided questions, photos, help, and a restart in the middle of a conversation."""

from __future__ import annotations

import io
from pathlib import Path

from bot.app import build_services, make_sandbox
from bot.core.periods import Period
from tests.conftest import Harness


async def test_guided_report_one_question_at_a_time(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1002 @ dm: /baocao hoi")
    assert "Câu 1/14 – mục 1. Số buổi tuyên truyền, vận động" in out and "[Bỏ qua]" in out
    out = await h.play("1002 @ dm: nhiều lắm")
    assert "Đồng chí vui lòng trả lời lại mục này." in out
    out = await h.play("1002 @ dm: 7")  # a bare number is the answer, not choice 7
    assert "Câu 2/14 – mục 2." in out
    out = await h.play("1002 @ dm: bỏ qua")
    assert "Câu 3/14 – mục 3. Tiền vận động, ủng hộ" in out
    out = await h.play("1002 @ dm: 2 triệu rưỡi")
    assert "Câu 4/14 – mục 4." in out
    out = await h.play("1002 @ dm: /huy")
    assert "chưa được lưu" in out
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    week = Period.from_key("2026-W48")
    assert await h.store.submissions.current_for_org(campaign.id, week, org.id) is None


async def test_guided_report_to_the_end_is_confirmed_and_saved(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00\n1002 @ dm: /baocao hoi\n1002 @ dm: 4")
    for _ in range(13):
        out = await h.play("1002 @ dm: bỏ qua")
    assert "Đồng chí xác nhận lưu báo cáo này?" in out and "1. Số buổi" in out
    out = await h.play("1002 @ dm: 1")
    assert "✅ Đã ghi nhận báo cáo" in out


async def test_photos_attach_to_the_report(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1002 @ dm [photo 2]:")
    assert "Đã nhận ảnh" in out
    out = await h.play("1002 @ dm: 1. Số buổi tuyên truyền, vận động: 5")
    assert "Kèm 2 ảnh." in out
    await h.play("1002 @ dm: 1")
    out = await h.play("1002 @ dm [photo]:")
    assert "Đã lưu 1 ảnh" in out
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    current = await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )
    assert current is not None and len(current.photos) == 3 and current.version == 2
    assert current.values["so_buoi_tuyen_truyen"] == 5


async def test_a_greeting_is_not_read_as_a_report(tayninh: Harness) -> None:
    out = await tayninh.play("1002 @ g1 [mention]: Bot ơi, tuần này báo cáo thế nào?")
    assert "Gửi /baocao để nhận mẫu báo cáo" in out


async def test_help_lists_commands_by_role(tayninh: Harness) -> None:
    reporter = await tayninh.play("1002 @ dm: /trogiup")
    admin = await tayninh.play("1001 @ dm: /trogiup")
    assert "/baocao" in reporter and "/themdonvi" not in reporter
    assert "/themdonvi" in admin and "/lich" in admin
    detail = await tayninh.play("1002 @ dm: /trogiup lich")
    assert "/lich mở T2 08:00" in detail
    stranger = await tayninh.play("1099 @ dm: /help")
    assert "/thamgia" in stranger and "/baocao" not in stranger


async def test_restart_mid_conversation_resumes(tayninh: Harness, tmp_path: Path) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    out = await h.play("1002 @ dm: tuần này tổ chức 9 buổi tuyên truyền")
    assert "[1] Xác nhận" in out
    await h.services.store.close()
    out_io = io.StringIO()
    async with build_services(tmp_path / "bot.db", clock=h.clock) as services:
        sandbox = make_sandbox(services, out_io, "Asia/Ho_Chi_Minh")
        sandbox.declare_user("1002", "Trần Thị Bình")
        await sandbox.say("1002", "dm", "1")
        assert "✅ Đã ghi nhận báo cáo" in out_io.getvalue()


async def test_baocao_after_a_free_text_reply_keeps_what_was_read(tayninh: Harness) -> None:
    """A free-text reply is read in part ("2tr5" for item 3; item 1 has two numbers) and waits for
    the reporter; "/baocao" then asks for the form. The figures already read are kept (the
    reporter is told so), and the next lines complete the same report, which is shown in
    full and confirmed before it is saved. (Before, "/baocao" dropped the "2tr5".)"""
    h = tayninh
    await h.play("@clock 2026-11-24 09:00")
    out = await h.play(
        "1002 @ dm: Tuần này đoàn tổ chức 4 buổi tuyên truyền, 6 buổi nói chuyện chuyên đề,"
        " vận động được 2tr5"
    )
    assert "3. Tiền vận động, ủng hộ: 2.500.000 đồng ❓" in out
    out = await h.play("1002 @ dm: /baocao")
    assert "1. Số buổi tuyên truyền, vận động (bắt buộc):" in out
    assert "Bot vẫn giữ số liệu 1 mục đọc được từ tin nhắn trước" in out
    out = await h.play("1002 @ dm: 1. 4\n  2. 350")
    assert "1. Số buổi tuyên truyền, vận động: 4 buổi" in out
    assert "3. Tiền vận động, ủng hộ: 2.500.000 đồng ❓" in out
    assert "Đồng chí xác nhận lưu báo cáo này?" in out
    out = await h.play("1002 @ dm: 1")
    assert "✅ Đã ghi nhận báo cáo" in out
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    current = await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )
    assert current is not None
    assert current.values["so_buoi_tuyen_truyen"] == 4
    assert current.values["tien_van_dong"] == 2_500_000

    # A report for another period, or none waiting: "/baocao" starts from what is stored.
    out = await h.play("1002 @ dm: /baocao")
    assert "Bot vẫn giữ" not in out


async def test_a_command_that_ends_a_report_waiting_for_confirmation_says_so(
    tayninh: Harness,
) -> None:
    """Any command but "/baocao" and "/huy" leaves the dialog in progress; figures read
    but not confirmed are then not saved, and the reporter is told rather than finding out
    later. A command with no report waiting adds nothing."""
    h = tayninh
    await h.play("@clock 2026-11-24 09:00")
    out = await h.play("1002 @ dm: Tuần này tổ chức 4 buổi tuyên truyền, vận động được 2tr5")
    assert "Đồng chí xác nhận lưu báo cáo này?" in out
    out = await h.play("1002 @ dm: /lichsu")
    assert "ℹ️ Báo cáo Tuần 48/2026 (23/11 – 29/11/2026) đang chờ đồng chí xác nhận" in out
    assert "LỊCH SỬ BÁO CÁO" in out
    out = await h.play("1002 @ dm: /lichsu")
    assert "đang chờ đồng chí xác nhận" not in out
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    week = Period.from_key("2026-W48")
    assert await h.store.submissions.current_for_org(campaign.id, week, org.id) is None
