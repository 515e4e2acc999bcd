from __future__ import annotations

from datetime import date

import pytest

from bot.core.periodref import parse_period_ref
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
    ],
)
def test_references(text: str, key: str) -> None:
    assert parse_period_ref(text, W, TODAY).key == key


@pytest.mark.parametrize("text", ["tuần 60", "tháng 13", "quý 5", "hôm kia", "abc"])
def test_bad_references(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period_ref(text, W, TODAY)
