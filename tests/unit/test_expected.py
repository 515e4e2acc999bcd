"""Who a period expects, in the core: a unit stopped and reopened (``OrgUnit.stops``, a
commune's carried to its units by ``Hierarchy``), a skipped period (``PeriodInfo.skipped``:
nobody expected, its reports in every figure) in the roll-up, its texts, a unit's history
and the status of the skipped week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.digest import compute_completeness
from bot.core.hierarchy import Hierarchy
from bot.core.models import OrgUnit
from bot.core.periods import Period
from bot.core.render import render_status
from bot.core.render_reports import render_attendance, render_history, render_rollup
from bot.core.rollup import PeriodInfo, Span, compute_rollup
from tests.unit.test_rollup import TEMPLATE, infos, org, version

WEEKS = [Period.week(2026, n) for n in range(45, 49)]  # November 2026
NOVEMBER = Span(WEEKS[0].start, WEEKS[-1].end)
NOW = datetime(2026, 12, 15, tzinfo=UTC)
TZ = "Asia/Ho_Chi_Minh"


def _deadline(week: Period) -> datetime:
    return datetime.combine(week.end, datetime.min.time(), UTC)


def test_a_unit_is_not_expected_while_stopped_and_is_again_once_reopened() -> None:
    stopped, reopened = datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 5, 5, tzinfo=UTC)
    unit = OrgUnit(1, 1, "hnd", "Hội ND", "", stops=((stopped, reopened),))
    assert unit.expected_by(stopped)  # due as it was stopped: still its own
    assert not unit.expected_by(stopped + timedelta(seconds=1))
    assert not unit.expected_by(reopened)  # reopened at the very deadline: not yet
    assert unit.expected_by(reopened + timedelta(seconds=1))
    assert not unit.expected_always
    # Stopped twice, still stopped; and added after a deadline.
    twice = OrgUnit(
        2,
        1,
        "hpn",
        "Hội PN",
        "",
        stops=((stopped, reopened), (datetime(2026, 9, 1, tzinfo=UTC), None)),
    )
    assert twice.expected_by(datetime(2026, 6, 1, tzinfo=UTC))
    assert not twice.expected_by(datetime(2027, 1, 1, tzinfo=UTC))
    late = OrgUnit(3, 1, "moi", "Mới", "", added_at=reopened, stops=((stopped, reopened),))
    assert not late.expected_by(datetime(2026, 4, 1, tzinfo=UTC))
    assert OrgUnit(4, 1, "cu", "Cũ", "").expected_always


def test_a_communes_stops_carry_to_its_units_in_the_tree() -> None:
    stop = (datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC))
    own = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    units = [
        OrgUnit(1, 1, "tinh", "Tỉnh", "", reports=False),
        OrgUnit(2, 1, "xa", "Xã", "", parent_id=1, reports=False, stops=(stop,)),
        OrgUnit(3, 1, "hnd", "Hội ND", "", parent_id=2, stops=(own,)),
        OrgUnit(4, 1, "ubmt", "UBMT", "", parent_id=1),
        # A cycle (a careless edit): treated as a root, nothing inherited, no endless walk.
        OrgUnit(5, 1, "vong", "Vòng", "", parent_id=6, stops=(own,)),
        OrgUnit(6, 1, "vong2", "Vòng 2", "", parent_id=5),
    ]
    tree = Hierarchy(units)
    got = {o.id: o.stops for o in tree.reporting()}
    assert got[3] == (own, stop) and got[4] == ()
    assert got[5] == (own,) and got[6] == ()  # both roots: neither inherits
    assert units[2].stops == (own,)  # the stored unit is left as it was
    assert Hierarchy(units[:1] + units[3:4]).get(4) is units[3]  # no stops: the same objects


def test_a_skipped_week_expects_nobody_and_its_reports_count() -> None:
    tree = Hierarchy([org(1, "a"), org(2, "b")])
    periods = infos(WEEKS)
    periods[1] = PeriodInfo(WEEKS[1], _deadline(WEEKS[1]), skipped=True)
    versions = [
        version(1, 1, WEEKS[0], {"buoi": 1}),
        version(2, 1, WEEKS[1], {"buoi": 10}, late=True),  # late, but nobody had to report
        version(3, 2, WEEKS[2], {"buoi": 100}),
        version(4, 1, WEEKS[3], {"buoi": 1000}),
    ]
    r = compute_rollup(
        template=TEMPLATE, hierarchy=tree, span=NOVEMBER, periods=periods, versions=versions,
        now=NOW,
    )  # fmt: skip
    assert r.periods == tuple(WEEKS) and r.skipped == {WEEKS[1]}
    assert r.totals[0].value == 1111 and r.reports == 4
    a, b = r.attendance
    assert (a.expected, a.received, a.late, a.missed_periods) == (3, 2, 0, (WEEKS[2],))
    assert (b.expected, b.received, b.missed_periods) == (3, 1, (WEEKS[0], WEEKS[3]))
    assert b.longest_missed_run == 1  # week 46 expected nobody; week 47 was reported
    column = r.by_period[1]
    assert column.skipped and (column.expected, column.received) == (0, 1)
    assert column.values["buoi"] == 10
    line = next(ln for ln in r.lines if ln.org.id == 1)
    assert line.values["buoi"] == 1011 and WEEKS[1].key in line.by_period

    text = render_rollup(r, tz=TZ)
    assert "Gồm 4 tuần, từ tuần 45/2026 đến tuần 48/2026 (nghỉ 1 tuần: tuần 46/2026)" in text
    assert "3/6 (50%) lượt báo cáo đã gửi" in text
    history = render_history(r, tree.get(1) or org(1, "a"), tz=TZ)
    assert "✅ tuần 46/2026 (tuần nghỉ): Số buổi 10\n" in history
    assert "tuần 46/2026 (muộn)" not in history
    history = render_history(r, tree.get(2) or org(2, "b"), tz=TZ)
    assert "▫️ tuần 46/2026: tuần nghỉ" in history


def test_only_skipped_weeks_say_nobody_had_to_report() -> None:
    tree = Hierarchy([org(1, "a")])
    week = WEEKS[0]
    r = compute_rollup(
        template=TEMPLATE, hierarchy=tree, span=Span.of(week),
        periods=[PeriodInfo(week, _deadline(week), skipped=True)],
        versions=[version(1, 1, week, {"buoi": 7})], now=NOW,
    )  # fmt: skip
    text = render_rollup(r, tz=TZ)
    assert "1. Tình hình báo cáo: không có kỳ nào phải báo cáo (tuần nghỉ)." in text
    assert "3. Không có kỳ nào phải báo cáo để đánh giá mức đầy đủ." in text
    assert "Kết quả: số buổi 7." in text
    text = render_attendance(r, tz=TZ)
    assert "Không có kỳ nào phải báo cáo trong khoảng thời gian này (tuần nghỉ)." in text


def test_the_status_of_a_skipped_week_names_the_reports_sent() -> None:
    units = [org(1, "a"), org(2, "b")]
    week = WEEKS[0]
    c = compute_completeness(
        period=week, orgs=units, deadline=_deadline(week),
        current=[version(1, 2, week, {"buoi": 3})], now=NOW, skipped=True,
    )  # fmt: skip
    assert c.skipped and c.expected == () and c.missing == ()
    assert [r.org.code for r in c.extra] == ["b"]
    text = render_status(c, tz=TZ)
    assert "Kỳ nghỉ: không đơn vị nào phải báo cáo." in text
    assert "Báo cáo đã gửi (vẫn tính vào số liệu):\n✅ B" in text
    assert "chưa báo cáo" not in text


def test_a_units_history_says_why_a_week_was_not_its_to_report() -> None:
    added = OrgUnit(1, 1, "moi", "Mới", "", added_at=_deadline(WEEKS[0]) + timedelta(hours=1))
    stopped = OrgUnit(2, 1, "lai", "Lại", "", stops=((_deadline(WEEKS[1]), _deadline(WEEKS[2])),))
    tree = Hierarchy([added, stopped])
    r = compute_rollup(
        template=TEMPLATE, hierarchy=tree, span=NOVEMBER, periods=infos(WEEKS), versions=[],
        now=NOW,
    )  # fmt: skip
    text = render_history(r, added, tz=TZ)
    assert "▫️ tuần 45/2026: không phải báo cáo (đơn vị được thêm sau hạn báo cáo)" in text
    assert "❌ tuần 46/2026: chưa gửi" in text
    text = render_history(r, stopped, tz=TZ)
    assert "❌ tuần 46/2026: chưa gửi" in text  # due the moment it was stopped: its own
    assert "▫️ tuần 47/2026: không phải báo cáo (khi đó đơn vị đang ngừng theo dõi)" in text
    assert "Đã gửi 0/3 (0%) tuần" in text
