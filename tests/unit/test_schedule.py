from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.models import Schedule
from bot.core.periods import PeriodType
from bot.core.schedule import ScheduleError, describe_schedule, parse_moment, parse_schedule

W = PeriodType.WEEK


def test_weekday_moments_with_and_without_accents() -> None:
    assert parse_moment("T6 17:00", W) == timedelta(days=4, hours=17)
    assert parse_moment("Thứ Sáu 17h00", W) == timedelta(days=4, hours=17)
    assert parse_moment("thu sau 17h", W) == timedelta(days=4, hours=17)
    assert parse_moment("CN 20:30", W) == timedelta(days=6, hours=20, minutes=30)
    assert parse_moment("T2 tuần sau 10:00", W) == timedelta(days=7, hours=10)


def test_month_moments() -> None:
    assert parse_moment("ngày 25 17:00", PeriodType.MONTH) == timedelta(days=24, hours=17)
    with pytest.raises(ScheduleError):
        parse_moment("ngày 31 17:00", PeriodType.MONTH)


def test_full_schedule_line() -> None:
    s = parse_schedule(
        "mở T2 08:00; hạn T6 17:00; nhắc T5 08:00, T6 08:00; cảnh báo 2 giờ; khóa 7 ngày",
        Schedule(),
        W,
    )
    assert s.open_offset == timedelta(hours=8)
    assert s.deadline_offset == timedelta(days=4, hours=17)
    assert s.reminder_offsets == (timedelta(days=3, hours=8), timedelta(days=4, hours=8))
    assert s.warning_before == timedelta(hours=2)
    assert s.lock_after == timedelta(days=7)
    lines = describe_schedule(s, W)
    assert lines[0] == "Mở báo cáo: Thứ Hai 08h00"
    assert lines[1] == "Hạn báo cáo: Thứ Sáu 17h00"
    assert "Thứ Năm 08h00, Thứ Sáu 08h00" in lines[2]


def test_partial_update_keeps_the_rest() -> None:
    base = Schedule()
    s = parse_schedule("han T5 16:30", base, W)
    assert s.deadline_offset == timedelta(days=3, hours=16, minutes=30)
    assert s.open_offset == base.open_offset


@pytest.mark.parametrize(
    "text",
    [
        "hạn T1 17:00",  # no such weekday
        "hạn T6 25:00",
        "mở T6 18:00; hạn T6 17:00",  # deadline before open
        "nhắc CN 08:00",  # reminder after the deadline
        "gì đó",
        "",
    ],
)
def test_errors_are_vietnamese_sentences(text: str) -> None:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(text, Schedule(), W)
    assert str(info.value)[0].isupper()


def test_a_deadline_moved_before_a_kept_reminder_says_which_times_clash() -> None:
    with pytest.raises(ScheduleError) as info:
        parse_schedule("hạn T3 10:00", Schedule(), W)
    assert str(info.value) == (
        "Giờ nhắc việc (Thứ Năm 08h00) phải nằm giữa lúc mở báo cáo (Thứ Hai 08h00) và hạn"
        " báo cáo (Thứ Ba 10h00). Có thể đổi cả giờ nhắc trong cùng lệnh, ví dụ: /lich hạn"
        " T3 10:00; nhắc T2 16:00"
    )
    s = parse_schedule("hạn T3 10:00; nhắc T2 16:00", Schedule(), W)
    assert s.reminder_offsets == (timedelta(hours=16),)


def test_reminders_and_warning_can_be_switched_off() -> None:
    s = parse_schedule("nhắc không; cảnh báo không", Schedule(), W)
    assert s.reminder_offsets == () and s.warning_before is None
