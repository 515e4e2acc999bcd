"""The cycle decides from saved state: repeated, late and missed ticks do the right thing."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_services, make_sandbox
from tests.conftest import Harness

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _count(out: str, marker: str) -> int:
    return out.count(marker)


async def test_two_ticks_at_the_same_minute_send_once(tayninh: Harness) -> None:
    out = await tayninh.play("@clock 2026-11-23 08:00\n@tick\n@tick")
    assert _count(out, "Đề nghị các đơn vị báo cáo") == 1


async def test_late_tick_still_sends_the_prompt_once(tayninh: Harness) -> None:
    out = await tayninh.play("@clock 2026-11-23 09:10")
    assert _count(out, "Đề nghị các đơn vị báo cáo") == 1
    out = await tayninh.play("@clock 2026-11-23 09:11")
    assert out == ""


async def test_missed_reminders_send_only_the_latest(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00")
    # Down from Monday to Friday 09:00: Thursday's and Friday's reminders were both due.
    out = await tayninh.play("@clock 2026-11-27 09:00")
    assert _count(out, "⏰ Nhắc việc") == 1


async def test_three_day_outage_gives_one_catch_up_digest_and_no_stale_reminders(
    tayninh: Harness,
) -> None:
    await tayninh.play("@clock 2026-11-23 08:00\n@clock 2026-11-26 08:00")
    # Down from Thursday 08:00 to Sunday 10:00: Friday's reminder, warning and deadline passed.
    out = await tayninh.play("@clock 2026-11-29 10:00")
    assert _count(out, "⏰") == 0
    assert _count(out, "TỔNG HỢP KẾT QUẢ TUẦN 48/2026") == 1
    out = await tayninh.play("@clock 2026-11-29 10:05\n@tick")
    assert out == ""


async def test_whole_window_missed_sends_no_prompt_but_still_the_digest(tayninh: Harness) -> None:
    # The bot was set up on Monday 07:30 and next wakes on Saturday.
    out = await tayninh.play("@clock 2026-11-28 09:00")
    assert "Đề nghị các đơn vị báo cáo" not in out
    assert _count(out, "TỔNG HỢP KẾT QUẢ TUẦN 48/2026") == 1


async def test_next_week_opens_by_itself(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00\n@clock 2026-11-27 17:00")
    out = await tayninh.play("@clock 2026-11-30 08:00")
    assert "Tuần 49/2026 (30/11 – 06/12/2026)" in out
    assert _count(out, "Đề nghị các đơn vị báo cáo") == 1


async def test_restart_between_steps_keeps_state(tayninh: Harness, tmp_path: Path) -> None:
    """A new set of services on the same database (a restart) does not repeat steps."""
    await tayninh.play("@clock 2026-11-23 08:00")
    await tayninh.services.store.close()
    out = io.StringIO()
    async with build_services(tmp_path / "bot.db", clock=tayninh.clock) as services:
        sandbox = make_sandbox(services, out, "Asia/Ho_Chi_Minh")
        await sandbox.tick()
        assert out.getvalue() == ""
        tayninh.clock.advance(timedelta(days=3))
        await sandbox.tick()
        assert out.getvalue().count("⏰ Nhắc việc") == 1


async def test_schedule_change_takes_effect_for_the_current_week(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00")
    out = await tayninh.play("1001 @ g1: /lich hạn T4 17:00; nhắc T3 08:00; cảnh báo 1 giờ")
    assert "Đã cập nhật lịch" in out and "Thứ Tư 17h00" in out
    out = await tayninh.play("@clock 2026-11-25 17:00")
    assert _count(out, "TỔNG HỢP KẾT QUẢ TUẦN 48/2026") == 1


async def test_a_restart_between_every_two_steps(tayninh: Harness, tmp_path: Path) -> None:
    """Each step's moment is reached by a fresh process on the same database."""
    await tayninh.services.store.close()
    clock = tayninh.clock
    seen = io.StringIO()
    moments = [
        datetime(2026, 11, 23, 8, 0, tzinfo=TZ),  # open
        datetime(2026, 11, 26, 8, 0, tzinfo=TZ),  # reminder 1
        datetime(2026, 11, 27, 8, 0, tzinfo=TZ),  # reminder 2
        datetime(2026, 11, 27, 15, 0, tzinfo=TZ),  # warning
        datetime(2026, 11, 27, 17, 0, tzinfo=TZ),  # close
    ]
    for moment in moments:
        for _ in range(2):  # and each process ticks twice
            async with build_services(tmp_path / "bot.db", clock=clock) as services:
                clock.set(moment)
                await make_sandbox(services, seen, "Asia/Ho_Chi_Minh").tick()
    out = seen.getvalue()
    assert _count(out, "Đề nghị các đơn vị báo cáo") == 1
    assert _count(out, "⏰ Nhắc việc") == 2
    assert _count(out, "⏰ Còn 2 giờ") == 1
    assert _count(out, "TỔNG HỢP KẾT QUẢ TUẦN 48/2026") == 1


async def test_campaign_created_midweek_starts_this_week(harness: Harness) -> None:
    out = await harness.play(
        """
        @owner 1001
        @user 1001 An
        @user 1002 Bình
        @chat g1 group Nhóm
        @clock 2026-11-24 10:00
        1001 @ g1: /khoitao Nhóm
        1001 @ g1: /napmau tayninh
        1001 @ g1: /gan tinhdoan baocao 1002
        """
    )
    # Tuesday, three days before the deadline: the prompt for this week goes out at once.
    assert _count(out, "Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 48/2026") == 1
    out = await harness.play("1002 @ dm: 1. 4")
    assert "✅ Đã ghi nhận báo cáo Tuần 48/2026" in out


async def test_a_prompt_sent_late_is_not_followed_at_once_by_a_reminder(tayninh: Harness) -> None:
    # Set up on Monday, asleep until Thursday 11:00: the week's reminder time (Thursday 08:00)
    # has passed too. The prompt goes out (the deadline is still ahead), alone.
    out = await tayninh.play("@clock 2026-11-26 11:00")
    assert _count(out, "Đề nghị các đơn vị báo cáo") == 1
    assert _count(out, "⏰") == 0
    # The next reminder time still reminds those who have not reported.
    out = await tayninh.play("@clock 2026-11-27 09:00")
    assert _count(out, "⏰ Nhắc việc") == 1
