from __future__ import annotations

from datetime import date

import pytest

from bot.core.periodref import parse_period_ref, parse_recent_period_ref
from bot.core.periods import PeriodError, PeriodType

TODAY = date(2026, 11, 25)
W = PeriodType.WEEK


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "2026-W48"),
        ("tuần này", "2026-W48"),
        ("tuần trước", "2026-W47"),
        ("tuan truoc", "2026-W47"),
        ("47", "2026-W47"),
        ("tuần 47", "2026-W47"),
        ("tuần 52/2025", "2025-W52"),
        ("2026-W40", "2026-W40"),
        ("tháng 11/2026", "2026-11"),
        ("tháng 3", "2026-03"),
        ("tháng trước", "2026-10"),
        ("quý IV", "2026-Q4"),
        ("quý 1/2027", "2027-Q1"),
        ("6 tháng đầu năm 2026", "2026-H1"),
        ("năm 2025", "2025"),
        # A type alone: the current one of that type.
        ("tuần", "2026-W48"),
        ("Tháng", "2026-11"),
        ("quý", "2026-Q4"),
        ("năm", "2026"),
    ],
)
def test_references(text: str, key: str) -> None:
    assert parse_period_ref(text, W, TODAY).key == key


@pytest.mark.parametrize("text", ["tuần 60", "tháng 13", "quý 5", "hôm kia", "abc"])
def test_bad_references(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period_ref(text, W, TODAY)


JANUARY = date(2027, 1, 3)  # a Sunday of week 53 of 2026


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # Named without the year and still ahead: last year's (reading commands only).
        ("tuần 45", "2026-W45"),
        ("45", "2026-W45"),
        ("tuần 53", "2026-W53"),
        ("quý IV", "2026-Q4"),
        ("tháng 12", "2026-12"),
        # Under way or past this year, or with its year, or relative: as written.
        ("tuần 52", "2026-W52"),
        ("tuần 45/2027", "2027-W45"),
        ("năm nay", "2027"),
        ("tuần sau", "2027-W01"),
        ("tháng 1", "2027-01"),
    ],
)
def test_recent_references_in_january(text: str, key: str) -> None:
    assert parse_recent_period_ref(text, W, JANUARY).key == key


def test_a_report_command_still_sees_a_week_ahead() -> None:
    """``/baocao`` keeps reading "tuần 45" in January as this year's (then refused as not
    started), never as last year's week to file a report under."""
    assert parse_period_ref("tuần 45", W, JANUARY).key == "2027-W45"


def test_the_unknown_period_message_gives_year_examples() -> None:
    with pytest.raises(PeriodError, match="năm 2026, năm nay"):
        parse_period_ref("hôm kia", W, TODAY)
