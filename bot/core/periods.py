"""Reporting periods as values: the ISO week or calendar month/quarter/half/year.

A period is identified by its type and its first local day; it knows its bounds as aware
datetimes in a given time zone, its neighbours, its storage key and its Vietnamese label.

Roll-up rule (written here because this is where it is implemented): a week belongs to the
month, quarter, half-year and year that hold its Thursday, exactly as ISO 8601 assigns weeks
to years. So Tuần 1/2026 (29/12/2025 – 04/01/2026) counts towards tháng 1/2026 and năm 2026,
and every week belongs to exactly one month.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Ho_Chi_Minh"

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodType(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {
            PeriodType.WEEK: "tuần",
            PeriodType.MONTH: "tháng",
            PeriodType.QUARTER: "quý",
            PeriodType.HALF: "6 tháng",
            PeriodType.YEAR: "năm",
        }[self]


class PeriodError(ValueError):
    """A period reference that cannot be understood (bad key or label)."""


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A period: its type and the local date it starts on (Monday for weeks)."""

    type: PeriodType
    start: date

    # -- construction -------------------------------------------------------------------
    @classmethod
    def containing(cls, type_: PeriodType, day: date) -> Period:
        if type_ is PeriodType.WEEK:
            return cls(type_, day - timedelta(days=day.weekday()))
        if type_ is PeriodType.MONTH:
            return cls(type_, _month_start(day.year, day.month))
        if type_ is PeriodType.QUARTER:
            return cls(type_, _month_start(day.year, (day.month - 1) // 3 * 3 + 1))
        if type_ is PeriodType.HALF:
            return cls(type_, _month_start(day.year, 1 if day.month <= 6 else 7))
        return cls(type_, date(day.year, 1, 1))

    @classmethod
    def at(cls, type_: PeriodType, moment: datetime, tz: str = DEFAULT_TZ) -> Period:
        """The period holding an aware moment, seen in the campaign's time zone."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime: pass an aware moment")
        return cls.containing(type_, moment.astimezone(ZoneInfo(tz)).date())

    @classmethod
    def week(cls, iso_year: int, iso_week: int) -> Period:
        try:
            return cls(PeriodType.WEEK, date.fromisocalendar(iso_year, iso_week, 1))
        except ValueError as exc:
            raise PeriodError(
                f"Tuần {iso_week}/{iso_year} không tồn tại (một năm có 52 hoặc 53 tuần)."
            ) from exc

    @classmethod
    def from_key(cls, key: str) -> Period:
        """Parse a storage key: 2026-W48, 2026-11, 2026-Q4, 2026-H2, 2026."""
        m = re.fullmatch(r"(\d{4})(?:-(W\d{2}|\d{2}|Q[1-4]|H[12]))?", key)
        if not m:
            raise PeriodError(f"Mã kỳ không hợp lệ: “{key}”.")
        year = int(m.group(1))
        part = m.group(2)
        if part is None:
            return cls(PeriodType.YEAR, date(year, 1, 1))
        if part.startswith("W"):
            return cls.week(year, int(part[1:]))
        if part.startswith("Q"):
            return cls(PeriodType.QUARTER, date(year, (int(part[1]) - 1) * 3 + 1, 1))
        if part.startswith("H"):
            return cls(PeriodType.HALF, date(year, 1 if part[1] == "1" else 7, 1))
        month = int(part)
        if not 1 <= month <= 12:
            raise PeriodError(f"Tháng {month} không tồn tại.")
        return cls(PeriodType.MONTH, date(year, month, 1))

    # -- navigation ---------------------------------------------------------------------
    @property
    def end(self) -> date:
        """The first local day after the period (exclusive bound)."""
        t = self.type
        if t is PeriodType.WEEK:
            return self.start + timedelta(days=7)
        months = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF: 6}.get(t, 12)
        return _add_months(self.start, months)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def next(self) -> Period:
        return Period(self.type, self.end)

    def prev(self) -> Period:
        return Period.containing(self.type, self.start - timedelta(days=1))

    def shift(self, n: int) -> Period:
        p = self
        step = Period.next if n >= 0 else Period.prev
        for _ in range(abs(n)):
            p = step(p)
        return p

    def start_at(self, tz: str = DEFAULT_TZ) -> datetime:
        return datetime.combine(self.start, time(0, 0), tzinfo=ZoneInfo(tz))

    def end_at(self, tz: str = DEFAULT_TZ) -> datetime:
        return datetime.combine(self.end, time(0, 0), tzinfo=ZoneInfo(tz))

    def moment(self, offset: timedelta, tz: str = DEFAULT_TZ) -> datetime:
        """Local wall-clock time ``offset`` after the period's first midnight, made aware.

        Adding the offset to the naive local midnight and then attaching the zone keeps
        "Friday 17:00" at 17:00 local even across a DST change (Vietnam has none, but a
        campaign may run in another zone).
        """
        naive = datetime.combine(self.start, time(0, 0)) + offset
        return naive.replace(tzinfo=ZoneInfo(tz))

    def weeks(self) -> list[Period]:
        """The ISO weeks whose Thursday falls in this period (see the module docstring)."""
        if self.type is PeriodType.WEEK:
            return [self]
        first_thursday = self.start + timedelta(days=(3 - self.start.weekday()) % 7)
        out: list[Period] = []
        thursday = first_thursday
        while thursday < self.end:
            out.append(Period(PeriodType.WEEK, thursday - timedelta(days=3)))
            thursday += timedelta(days=7)
        return out

    def contains_week(self, week: Period) -> bool:
        thursday = week.start + timedelta(days=3)
        return self.start <= thursday < self.end

    # -- names --------------------------------------------------------------------------
    @property
    def key(self) -> str:
        return _key(self.type, self.start)

    def label(self) -> str:
        """Vietnamese name, e.g. "Tuần 48/2026 (23/11 – 29/11/2026)", "quý IV/2026"."""
        return _label(self.type, self.start)

    def short_label(self) -> str:
        """Without the date range: "tuần 48/2026", "tháng 11/2026"."""
        if self.type is PeriodType.WEEK:
            iso = self.start.isocalendar()
            return f"tuần {iso.week}/{iso.year}"
        return self.label()

    def __str__(self) -> str:
        return self.key


# A period's key and label are asked for on every reply and every digest row: remembered
# (a few thousand periods at most are ever named).
@functools.lru_cache(maxsize=4096)
def _key(t: PeriodType, s: date) -> str:
    if t is PeriodType.WEEK:
        iso = s.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if t is PeriodType.MONTH:
        return f"{s.year}-{s.month:02d}"
    if t is PeriodType.QUARTER:
        return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
    if t is PeriodType.HALF:
        return f"{s.year}-H{1 if s.month == 1 else 2}"
    return f"{s.year}"


@functools.lru_cache(maxsize=4096)
def _label(t: PeriodType, s: date) -> str:
    if t is PeriodType.WEEK:
        iso = s.isocalendar()
        last = s + timedelta(days=6)
        first = f"{s:%d/%m}" if s.year == last.year else f"{s:%d/%m/%Y}"
        return f"Tuần {iso.week}/{iso.year} ({first} – {last:%d/%m/%Y})"
    if t is PeriodType.MONTH:
        return f"tháng {s.month}/{s.year}"
    if t is PeriodType.QUARTER:
        return f"quý {_ROMAN[(s.month - 1) // 3 + 1]}/{s.year}"
    if t is PeriodType.HALF:
        return f"6 tháng {'đầu' if s.month == 1 else 'cuối'} năm {s.year}"
    return f"năm {s.year}"


def period_key_to_period(type_: PeriodType, key: str) -> Period:
    p = Period.from_key(key)
    if p.type is not type_:
        raise PeriodError(f"kỳ {key} không phải kỳ {type_.label}")
    return p
