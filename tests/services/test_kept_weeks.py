"""Which weeks are kept, and when a kept week is not used (``KeptWeeks``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.board import WeekBoard
from bot.core.models import SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Template
from bot.services import kept_weeks
from bot.services.kept_weeks import KeptWeeks
from tests.unit.test_board import WEEK, _template, _version

TEMPLATE = _template([("count", "sum")], choice=False)


async def _template_of(campaign_id: int) -> Template | None:
    return TEMPLATE if campaign_id != 404 else None


def _board(period: Period = WEEK, units: int = 1, generation: int = 0) -> WeekBoard:
    versions = [_version(n, n, 1, f0=n) for n in range(1, units + 1)]
    return WeekBoard(TEMPLATE, period, [replace(v, period=period) for v in versions], generation)


def test_a_kept_week_is_used_only_at_storage_generation_and_for_the_same_template() -> None:
    weeks = KeptWeeks(_template_of)
    weeks.keep(1, _board(generation=5))
    assert weeks.get(1, WEEK, TEMPLATE, 6) is None  # storage moved on: dropped
    assert weeks.get(1, WEEK, TEMPLATE, 5) is None  # ... and not kept after that
    weeks.keep(1, board := _board(generation=5))
    assert weeks.get(1, WEEK, TEMPLATE, 5) is board
    other = _template([("count", "max")], choice=False)
    assert weeks.get(1, WEEK, other, 5) is None  # the template's form changed


def test_a_report_that_cannot_be_applied_drops_the_week(monkeypatch: pytest.MonkeyPatch) -> None:
    weeks = KeptWeeks(_template_of)
    weeks.keep(1, board := _board(generation=0))

    def broken(version: SubmissionVersion, before: int, after: int) -> bool:
        raise ValueError("bug")

    monkeypatch.setattr(board, "apply", broken)
    weeks.stored(_version(9, 2, 1, f0=1), 0, 2)
    assert weeks.get(1, WEEK, TEMPLATE, 0) is None


def test_the_least_recently_used_weeks_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    weeks = KeptWeeks(_template_of)
    oldest = kept_weeks.MAX_BOARDS + 1
    for n in range(oldest, -1, -1):  # the oldest week kept first
        weeks.keep(1, _board(WEEK.shift(-n)))
    assert weeks.get(1, WEEK.shift(-oldest), TEMPLATE, 0) is None
    assert weeks.get(1, WEEK.shift(-oldest + 1), TEMPLATE, 0) is None
    assert weeks.get(1, WEEK.shift(-oldest + 2), TEMPLATE, 0) is not None
    assert weeks.get(1, WEEK, TEMPLATE, 0) is not None
    # Bounded by units too: a large week makes room for itself.
    monkeypatch.setattr(kept_weeks, "MAX_UNITS", 8)
    weeks.keep(2, big := _board(units=8))
    assert weeks.get(2, WEEK, TEMPLATE, 0) is big
    assert weeks.get(1, WEEK, TEMPLATE, 0) is None


async def test_a_periods_first_report_starts_its_week_with_the_reports_meanwhile() -> None:
    weeks = KeptWeeks(_template_of)
    weeks.stored(_version(1, 1, 1, f0=3), -1, 1)  # storage had no row: the first report
    weeks.stored(_version(2, 2, 1, f0=4), 1, 3)  # stored while the template is read
    await weeks.settled()
    board = weeks.get(1, WEEK, TEMPLATE, 3)
    assert board is not None and board.totals().get("f0").total == 7
    # A campaign gone meanwhile: nothing kept.
    weeks.stored(replace(_version(1, 1, 1, f0=3), campaign_id=404), -1, 1)
    await weeks.settled()
    assert weeks.get(404, WEEK, TEMPLATE, 1) is None
