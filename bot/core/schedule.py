"""Reading and describing a campaign's schedule in the words admins use.

Admins write ``/lich mở T2 08:00; hạn T6 17:00; nhắc T5 08:00, T6 08:00; cảnh báo 2 giờ;
khóa 7 ngày``. Times are positions inside the period: for a week a weekday (T2..T7, CN, with
or without "Thứ", accents optional) and a time; for longer periods "ngày 25 17:00" (day of
the period's first month). "T2 tuần sau" puts the deadline after the week ends, which is
common for weekly reports due on Monday morning.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.models import Schedule
from bot.core.periods import Period, PeriodType
from bot.core.text import fold
from bot.core.vnformat import WEEKDAYS


class ScheduleError(ValueError):
    """A schedule text that cannot be read; the message is Vietnamese for the admin."""


_WEEKDAY_WORDS = {
    "t2": 0, "thu 2": 0, "thu hai": 0, "hai": 0,
    "t3": 1, "thu 3": 1, "thu ba": 1, "ba": 1,
    "t4": 2, "thu 4": 2, "thu tu": 2, "tu": 2,
    "t5": 3, "thu 5": 3, "thu nam": 3, "nam": 3,
    "t6": 4, "thu 6": 4, "thu sau": 4, "sau": 4,
    "t7": 5, "thu 7": 5, "thu bay": 5, "bay": 5,
    "cn": 6, "chu nhat": 6,
}  # fmt: skip

_KEYS = {
    "mo": "open", "mo bao cao": "open", "open": "open", "bat dau": "open",
    "han": "deadline", "han chot": "deadline", "deadline": "deadline", "het han": "deadline",
    "nhac": "reminders", "nhac viec": "reminders", "remind": "reminders",
    "canh bao": "warning", "warning": "warning",
    "khoa": "lock", "lock": "lock", "khoa so": "lock",
    "yen lang": "quiet", "gio yen lang": "quiet", "quiet": "quiet",
    "nhac ten": "mention", "gan ten": "mention",
    "bao cao som": "early", "nhan som": "early",
}  # fmt: skip

_YES = ("co", "bat", "mo", "yes", "on", "1")
_NO = ("khong", "tat", "no", "off", "0")


def _yes_no(text: str, what: str) -> bool:
    t = fold(text).strip(" .:")
    if t in _YES:
        return True
    if t in _NO:
        return False
    raise ScheduleError(f"Mục {what} cần ghi “có” hoặc “không”.")


def _parse_time(text: str) -> timedelta:
    t = text.strip()
    m = re.fullmatch(r"(\d{1,2})(?:\s*(?:h|:|g|gio)\s*(\d{1,2})?)?", t)
    if not m:
        raise ScheduleError(f"Chưa đọc được giờ “{text.strip()}”. Ví dụ: 17:00 hoặc 17h00.")
    hours = int(m.group(1))
    minutes = int(m.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise ScheduleError(f"Giờ không hợp lệ: “{text.strip()}”.")
    return timedelta(hours=hours, minutes=minutes)


def parse_moment(text: str, period_type: PeriodType) -> timedelta:
    """ "T6 17:00" -> 4 days 17 hours from the week's start; "ngày 25 17h" for months."""
    t = fold(text)
    after = 0
    for suffix, periods in (("tuan sau", 1), ("thang sau", 1), ("ky sau", 1)):
        if suffix in t:
            after = periods
            t = t.replace(suffix, " ").strip()
    t = re.sub(r"\s+", " ", t)
    if period_type is PeriodType.WEEK:
        m = re.fullmatch(r"(.+?)\s*[, ]\s*(\d{1,2}(?:\s*(?:h|:|g|gio)\s*\d{0,2})?)", t)
        if not m:
            raise ScheduleError(
                f"Chưa đọc được thời điểm “{text.strip()}”. Ví dụ: T6 17:00 (Thứ Sáu, 17 giờ)."
            )
        day_word, time_text = m.group(1).strip(), m.group(2)
        if day_word not in _WEEKDAY_WORDS:
            raise ScheduleError(
                f"Chưa đọc được thứ trong tuần “{m.group(1).strip()}”. Dùng T2 … T7 hoặc CN."
            )
        return timedelta(days=_WEEKDAY_WORDS[day_word] + 7 * after) + _parse_time(time_text)
    m = re.fullmatch(r"ngay\s*(\d{1,2})\s*[, ]?\s*(\d{1,2}(?:\s*(?:h|:|g|gio)\s*\d{0,2})?)", t)
    if not m:
        raise ScheduleError(f"Chưa đọc được thời điểm “{text.strip()}”. Ví dụ: ngày 25 17:00.")
    day = int(m.group(1))
    if not 1 <= day <= 28:
        raise ScheduleError("Ngày trong tháng cần từ 1 đến 28 để tháng nào cũng có.")
    if after:
        # Months differ in length, so "ngày 5 tháng sau" is not a fixed offset from the
        # period start; rather than approximate it, say so (weekly campaigns do support it).
        raise ScheduleError(
            "Với kỳ tháng, quý, năm, hạn báo cáo đặt trong tháng đầu của kỳ, từ ngày 1 đến 28."
        )
    return timedelta(days=day - 1) + _parse_time(m.group(2))


def _parse_duration(text: str) -> timedelta:
    t = fold(text)
    m = re.fullmatch(r"(\d{1,3})\s*(gio|g|h|tieng|ngay|phut)", t)
    if not m:
        raise ScheduleError(f"Chưa đọc được khoảng thời gian “{text.strip()}”. Ví dụ: 2 giờ.")
    n = int(m.group(1))
    unit = m.group(2)
    if unit == "ngay":
        return timedelta(days=n)
    if unit == "phut":
        return timedelta(minutes=n)
    return timedelta(hours=n)


def parse_schedule(text: str, base: Schedule, period_type: PeriodType) -> Schedule:
    """Apply the parts the admin wrote on top of ``base``; unnamed parts are kept."""
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    if not parts:
        raise ScheduleError("Chưa có nội dung lịch. Ví dụ: /lich mở T2 08:00; hạn T6 17:00")
    result = base
    for part in parts:
        folded = fold(part)
        key = None
        rest = ""
        for word in sorted(_KEYS, key=len, reverse=True):
            if folded.startswith(word):
                key = _KEYS[word]
                rest = part[len(word) :].lstrip(" :=")
                # fold() keeps length for Vietnamese letters, so slicing the original works.
                break
        if key is None:
            raise ScheduleError(
                f"Chưa hiểu mục “{part}”. Các mục: mở, hạn, nhắc, cảnh báo, khóa, yên lặng, "
                "nhắc tên, báo cáo sớm."
            )
        if key == "open":
            result = replace(result, open_offset=parse_moment(rest, period_type))
        elif key == "deadline":
            result = replace(result, deadline_offset=parse_moment(rest, period_type))
        elif key == "reminders":
            if fold(rest) in ("khong", "tat", "0"):
                result = replace(result, reminder_offsets=())
            else:
                items = [r for r in rest.split(",") if r.strip()]
                offsets = tuple(sorted(parse_moment(r, period_type) for r in items))
                result = replace(result, reminder_offsets=offsets)
        elif key == "warning":
            if fold(rest) in ("khong", "tat", "0"):
                result = replace(result, warning_before=None)
            else:
                result = replace(result, warning_before=_parse_duration(rest))
        elif key == "quiet":
            if fold(rest) in _NO:
                result = replace(result, quiet_start=None, quiet_end=None)
            else:
                ends = re.split(r"\s*(?:-|–|đến|den)\s*", rest.strip())
                if len(ends) != 2:
                    raise ScheduleError("Giờ yên lặng ghi dạng 21:30-07:00, hoặc “không”.")
                result = replace(
                    result, quiet_start=_parse_time(ends[0]), quiet_end=_parse_time(ends[1])
                )
        elif key == "mention":
            result = replace(result, mention_missing=_yes_no(rest, "nhắc tên"))
        elif key == "early":
            result = replace(result, allow_early=_yes_no(rest, "báo cáo sớm"))
        else:
            result = replace(result, lock_after=_parse_duration(rest))
    validate_schedule(result, period_type)
    return result


def validate_schedule(s: Schedule, period_type: PeriodType = PeriodType.WEEK) -> None:
    if s.deadline_offset <= s.open_offset:
        raise ScheduleError("Hạn báo cáo phải sau thời điểm mở báo cáo.")
    for r in s.reminder_offsets:
        if not s.open_offset < r < s.deadline_offset:
            # Say which times clash, and that both can change in one command: moving the
            # deadline before a reminder kept from the old schedule is the usual cause.
            raise ScheduleError(
                f"Giờ nhắc việc ({describe_moment(r, period_type)}) phải nằm giữa lúc mở báo"
                f" cáo ({describe_moment(s.open_offset, period_type)}) và hạn báo cáo"
                f" ({describe_moment(s.deadline_offset, period_type)}). Có thể đổi cả giờ nhắc"
                " trong cùng lệnh"
                + (
                    ", ví dụ: /lich hạn T3 10:00; nhắc T2 16:00"
                    if period_type is PeriodType.WEEK
                    else " (phần “nhắc”)."
                )
            )
    if s.warning_before is not None and s.warning_before >= s.deadline_offset - s.open_offset:
        raise ScheduleError("Thời gian cảnh báo trước hạn dài hơn cả thời gian báo cáo.")


def describe_moment(offset: timedelta, period_type: PeriodType) -> str:
    days = offset.days
    minutes = offset.seconds // 60
    clock = f"{minutes // 60:02d}h{minutes % 60:02d}"
    if period_type is PeriodType.WEEK:
        suffix = " tuần sau" if days >= 7 else ""
        return f"{WEEKDAYS[days % 7]}{suffix} {clock}"
    return f"ngày {days + 1} {clock}"


def describe_schedule(s: Schedule, period_type: PeriodType) -> list[str]:
    lines = [
        f"Mở báo cáo: {describe_moment(s.open_offset, period_type)}",
        f"Hạn báo cáo: {describe_moment(s.deadline_offset, period_type)}",
    ]
    if s.reminder_offsets:
        joined = ", ".join(describe_moment(r, period_type) for r in s.reminder_offsets)
        lines.append(f"Nhắc việc: {joined}")
    else:
        lines.append("Nhắc việc: không")
    if s.warning_before is not None:
        hours = s.warning_before.total_seconds() / 3600
        lines.append(f"Cảnh báo trước hạn: {hours:g} giờ".replace(".", ","))
    else:
        lines.append("Cảnh báo trước hạn: không")
    lines.append(f"Khóa sổ: {s.lock_after.days} ngày sau khi hết kỳ")
    if s.quiet_start is not None and s.quiet_end is not None:
        lines.append(f"Giờ yên lặng: {_clock(s.quiet_start)} – {_clock(s.quiet_end)}")
    else:
        lines.append("Giờ yên lặng: không")
    lines.append(
        f"Nhắc tên đơn vị chưa báo cáo trong nhóm: {'có' if s.mention_missing else 'không'}"
    )
    lines.append(f"Nhận báo cáo sớm cho kỳ sau: {'có' if s.allow_early else 'không'}")
    return lines


def _clock(offset: timedelta) -> str:
    minutes = offset.seconds // 60
    return f"{minutes // 60:02d}h{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class DueTimes:
    """All the moments of one period, aware: what the cycle compares ``now`` with."""

    open: datetime
    deadline: datetime
    reminders: tuple[datetime, ...]
    warning: datetime | None
    lock: datetime


@functools.lru_cache(maxsize=4096)
def due_times(period: Period, schedule: Schedule, tz: str) -> DueTimes:
    """Pure and asked several times per reply (late? locked? which period?): cached."""
    deadline = period.moment(schedule.deadline_offset, tz)
    return DueTimes(
        open=period.moment(schedule.open_offset, tz),
        deadline=deadline,
        reminders=tuple(period.moment(r, tz) for r in schedule.reminder_offsets),
        warning=deadline - schedule.warning_before if schedule.warning_before else None,
        lock=period.end_at(tz) + schedule.lock_after,
    )


def quiet_until(moment: datetime, schedule: Schedule, tz: str) -> datetime | None:
    """When quiet hours hold ``moment`` back, the local time they end; else None.

    Quiet hours may span midnight (21h30 → 07h00, the default) or not (12h00 → 13h30).
    """
    start, end = schedule.quiet_start, schedule.quiet_end
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(ZoneInfo(tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    since = local - midnight
    if start < end:
        inside = start <= since < end
        end_day = midnight
    else:
        inside = since >= start or since < end
        end_day = midnight + timedelta(days=1) if since >= start else midnight
    if not inside:
        return None
    naive_end = end_day.replace(tzinfo=None) + end
    return naive_end.replace(tzinfo=ZoneInfo(tz))
