from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.periods import Period, PeriodError, PeriodType

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_week_48_of_2026() -> None:
    p = Period.containing(PeriodType.WEEK, date(2026, 11, 27))
    assert p.start == date(2026, 11, 23)
    assert p.key == "2026-W48"
    assert p.label() == "Tuần 48/2026 (23/11 – 29/11/2026)"
    assert p.short_label() == "tuần 48/2026"
    assert p.next().key == "2026-W49" and p.prev().key == "2026-W47"


def test_period_of_a_moment_uses_the_campaign_zone() -> None:
    # Sunday 29/11 18:00 UTC is Monday 30/11 01:00 in Vietnam: already week 49.
    moment = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    assert Period.at(PeriodType.WEEK, moment, "Asia/Ho_Chi_Minh").key == "2026-W49"
    assert Period.at(PeriodType.WEEK, moment, "UTC").key == "2026-W48"
    with pytest.raises(ValueError):
        Period.at(PeriodType.WEEK, datetime(2026, 11, 29, 18, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("2026-11", "tháng 11/2026"),
        ("2026-Q4", "quý IV/2026"),
        ("2026-H1", "6 tháng đầu năm 2026"),
        ("2026-H2", "6 tháng cuối năm 2026"),
        ("2026", "năm 2026"),
    ],
)
def test_labels_follow_voice(key: str, label: str) -> None:
    p = Period.from_key(key)
    assert p.label() == label
    assert p.key == key


def test_iso_week_belongs_to_the_month_of_its_thursday() -> None:
    # Week 1 of 2026 runs 29/12/2025 – 04/01/2026; its Thursday is 01/01/2026.
    w1 = Period.week(2026, 1)
    assert w1.start == date(2025, 12, 29)
    assert Period.from_key("2026-01").contains_week(w1)
    assert not Period.from_key("2025-12").contains_week(w1)
    assert [w.key for w in Period.from_key("2026-01").weeks()] == [
        "2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05",
    ]  # fmt: skip


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_week_belongs_to_exactly_one_month_and_year(day: date) -> None:
    week = Period.containing(PeriodType.WEEK, day)
    months = [Period.containing(PeriodType.MONTH, week.start + timedelta(days=d)) for d in range(7)]
    holders = {m for m in months if m.contains_week(week)}
    assert len(holders) == 1
    month = holders.pop()
    assert week in month.weeks()
    year = Period.containing(PeriodType.YEAR, month.start)
    assert year.contains_week(week)


@given(
    st.sampled_from(list(PeriodType)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
)
def test_key_round_trip_and_bounds(ptype: PeriodType, day: date) -> None:
    p = Period.containing(ptype, day)
    assert Period.from_key(p.key) == p
    assert p.start <= day < p.end
    assert p.next().prev() == p


def test_bad_keys() -> None:
    for key in ("2026-W54", "2026-13", "abc", "2026-Q5"):
        with pytest.raises(PeriodError):
            Period.from_key(key)


def test_moment_is_local_wall_clock() -> None:
    p = Period.from_key("2026-W48")
    due = p.moment(timedelta(days=4, hours=17), "Asia/Ho_Chi_Minh")
    assert due == datetime(2026, 11, 27, 17, 0, tzinfo=TZ)


def test_week_label_across_a_new_year_names_both_years() -> None:
    assert Period.week(2026, 53).label() == "Tuần 53/2026 (28/12/2026 – 03/01/2027)"
