"""The summary roll-up (per-period totals and per-unit counts) gives exactly the chat text,
totals, completeness and levels of the roll-up computed from every report.

``compute_rollup`` over the reports of the span and of the span before against
``compute_rollup_summary`` over ``period_totals`` of each period and ``ReportedPeriods`` per
unit, for random templates (every numeric type and aggregation, text fields of every
narrative kind), a two-level tree with a stopped unit and an unknown one, random spans (a
month, a quarter of 14 weeks against one of 13, a range of days), a campaign that starts
late, skipped weeks (nobody expected, their reports in the figures), units added or stopped
and reopened during the spans (a commune too: its units follow), weeks not yet due,
exemptions (some units reporting anyway), several versions of a report (corrections), late
reports, ill-typed values and blank texts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.digest import period_totals
from bot.core.hierarchy import Hierarchy
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.render_reports import render_attendance, render_history, render_rollup
from bot.core.rollup import (
    Attendance,
    PeriodInfo,
    ReportedPeriods,
    Rollup,
    Span,
    compute_rollup,
    compute_rollup_summary,
)
from bot.core.template import Template, template_from_data

W = PeriodType.WEEK
TZ = "Asia/Ho_Chi_Minh"
NUMERIC = ("count", "money", "decimal", "percent")
AGGREGATIONS = (None, "sum", "average", "max", "latest")
TEXTS = (
    ("kho_khan", "Khó khăn, vướng mắc"),
    ("de_xuat", "Đề xuất, kiến nghị"),
    ("mo_hinh", "Mô hình hay"),
    ("ghi_chu", "Ghi chú"),
)
SPANS = (
    Span.of(Period(PeriodType.MONTH, date(2026, 11, 1))),  # 4 weeks against October's 5
    Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1))),  # 14 weeks against 13
    Span.of(Period(PeriodType.MONTH, date(2026, 10, 1))),
    Span.between(date(2026, 10, 20), date(2026, 12, 10)),
)


def _org(
    i: int,
    code: str,
    parent: int | None,
    *,
    reports: bool = True,
    active: bool = True,
    added_at: datetime | None = None,
    stops: tuple[tuple[datetime, datetime | None], ...] = (),
):
    return OrgUnit(
        i,
        1,
        code,
        code.upper(),
        code.upper(),
        parent,
        active,
        i,
        reports,
        added_at=added_at,
        stops=stops,
    )


def _at(day: int, month: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


# Stops (stopped, reopened): commune B from 02/11 to 10/11; unit "lai" twice, from 20/10
# to 28/10 and from 25/11 to 30/11 08h00, the moment week 48 is due (so not expected then).
STOPS_B = ((_at(2, 11), _at(10, 11)),)
STOPS_LAI = ((_at(20, 10), _at(28, 10)), (_at(25, 11), _at(30, 11, 8)))


# A province, two communes with units of the same short name (full names carry the
# commune), a unit right under the province, a stopped unit, a unit added in the middle of
# the spans (expected only for the weeks due after) and one added before them.
TREE = Hierarchy(
    [
        _org(1, "tinh", None, reports=False),
        _org(2, "xa_a", 1, reports=False),
        _org(3, "xa_b", 1, reports=False, stops=STOPS_B),
        _org(4, "hnd", 2),
        _org(5, "hpn", 2),
        _org(6, "hnd", 3),
        _org(7, "hpn", 3),
        _org(8, "ubmt", 1),
        _org(9, "cu", 2, active=False),
        _org(10, "moi", 3, added_at=datetime(2026, 11, 12, 3, 0, tzinfo=UTC)),
        _org(11, "cu2", 3, added_at=datetime(2025, 6, 1, tzinfo=UTC)),
        _org(12, "lai", 2, stops=STOPS_LAI),
    ]
)
REPORTERS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 99]  # 99: a unit no longer known
# Each unit's stops and its commune's, written out (the oracle does not ask the tree).
STOPPED = {6: STOPS_B, 7: STOPS_B, 10: STOPS_B, 11: STOPS_B, 12: STOPS_LAI}


def _template(spec: list[tuple[str, str | None]], texts: list[int]) -> Template:
    fields: list[dict[str, object]] = []
    for i, (kind, agg) in enumerate(spec):
        field: dict[str, object] = {"key": f"f{i}", "label": f"Chỉ tiêu {i}", "type": kind}
        if agg is not None:
            field["aggregate"] = agg
        fields.append(field)
    for t in texts:
        key, label = TEXTS[t]
        fields.append({"key": key, "label": label, "type": "text"})
    fields.append({"key": "hop", "label": "Đã họp", "type": "yesno"})
    return template_from_data(
        {
            "key": "t",
            "name": "Mẫu",
            "sections": [{"key": "s", "title": "Kết quả", "fields": fields}],
        }
    )


templates = st.builds(
    _template,
    st.lists(
        st.tuples(st.sampled_from(NUMERIC), st.sampled_from(AGGREGATIONS)), min_size=0, max_size=5
    ),
    st.lists(st.integers(0, len(TEXTS) - 1), unique=True, max_size=len(TEXTS)),
)

values: st.SearchStrategy[FieldValue] = st.one_of(
    st.integers(min_value=-5, max_value=10**12),
    st.decimals(min_value=-1000, max_value=10**9, places=2, allow_nan=False),
    st.decimals(allow_nan=True, allow_infinity=True, places=1).filter(
        lambda d: not d.is_finite() or abs(d) < 10**6
    ),
    st.booleans(),
    st.sampled_from(["", "  ", "Nội dung", " Có khó khăn "]),
)


def _deadline(p: Period) -> datetime:
    return datetime.combine(p.end, datetime.min.time(), UTC) + timedelta(hours=8)


@st.composite
def cases(
    draw: st.DrawFn,
) -> tuple[Template, Span, list[PeriodInfo], list[SubmissionVersion], datetime]:
    template = draw(templates)
    span = draw(st.sampled_from(SPANS))
    prev = span.previous().source_periods(W)
    weeks = span.source_periods(W)
    # The campaign may start inside the span; some weeks are skipped (/nghi).
    start = draw(st.integers(0, len(weeks) // 2))
    skipped = set(draw(st.lists(st.sampled_from(weeks), max_size=2)))
    infos = [
        PeriodInfo(
            p,
            _deadline(p),
            frozenset(draw(st.lists(st.sampled_from(REPORTERS[:6]), max_size=2))),
            skipped=p in skipped,
        )
        for p in weeks[start:]
    ]
    # Now: somewhere in the span (some weeks not due yet) or after it.
    now = _deadline(weeks[draw(st.integers(0, len(weeks) - 1))]) + timedelta(
        hours=draw(st.sampled_from([-1, 0, 1, 24 * 30]))
    )
    keys = [f.key for f in template.all_fields()]
    versions: list[SubmissionVersion] = []
    ids = iter(range(1, 100_000))
    # Most units report most weeks (so whole records and exempt units that reported
    # anyway occur), some several versions (corrections).
    regular = draw(st.floats(0.5, 1.0))
    for p in prev + weeks:
        for org in REPORTERS:
            if draw(st.floats(0, 1)) > regular:
                continue
            for k in range(draw(st.integers(1, 2))):
                chosen = (
                    draw(st.lists(st.sampled_from(keys), max_size=len(keys), unique=True))
                    if keys
                    else []
                )
                versions.append(
                    SubmissionVersion(
                        id=next(ids),
                        submission_id=org * 1000,
                        version=k + 1,
                        campaign_id=1,
                        period=p,
                        org_id=org,
                        channel="telegram",
                        user_id="1",
                        message_id="1",
                        raw_text="",
                        values={k: draw(values) for k in chosen},
                        # A report of an earlier week may be submitted after a later week's.
                        submitted_at=datetime.combine(p.start, datetime.min.time(), UTC)
                        + timedelta(hours=draw(st.integers(0, 24 * 21))),
                        late=draw(st.booleans()),
                    )
                )
    return template, span, infos, versions, now


def _current(versions: list[SubmissionVersion]) -> list[SubmissionVersion]:
    best: dict[tuple[Period, int], SubmissionVersion] = {}
    for v in versions:
        k = (v.period, v.org_id)
        if k not in best or v.version > best[k].version:
            best[k] = v
    return list(best.values())


def reported_by_org(
    versions: list[SubmissionVersion], periods: list[Period]
) -> list[ReportedPeriods]:
    """What ``SubmissionRepo.reported_by_org`` answers (its own test checks it on SQLite)."""
    starts: dict[int, set[date]] = {}
    for v in _current(versions):
        if v.period in periods:
            starts.setdefault(v.org_id, set()).add(v.period.start)
    return [
        ReportedPeriods(org, len(s), None if len(s) == len(periods) else frozenset(s))
        for org, s in sorted(starts.items())
    ]


def reference_attendance(
    infos: list[PeriodInfo], versions: list[SubmissionVersion], now: datetime
) -> list[Attendance]:
    """Each expected unit's record period by period, straight from the module's rules
    (the code before both paths shared a faster one): the oracle for both. Skipped
    periods expect nobody; a unit stopped when a period was due (itself or its commune)
    is not expected for it."""
    got = {(v.org_id, v.period): v for v in _current(versions)}
    due = [
        i
        for i in sorted(infos, key=lambda i: i.period.start)
        if i.deadline <= now and not i.skipped
    ]
    out: list[Attendance] = []
    for org in TREE.reporting():
        expected = on_time = late = exempt = run = longest = 0
        missed: list[Period] = []
        late_ones: list[Period] = []
        for info in due:
            if org.added_at is not None and org.added_at >= info.deadline:
                continue  # not a unit yet when the period was due: not its to miss
            if any(a < info.deadline <= b for a, b in STOPPED.get(org.id, ()) if b):
                continue  # stopped when the period was due
            if org.id in info.exempt_org_ids:
                exempt += 1
                continue
            expected += 1
            v = got.get((org.id, info.period))
            if v is None:
                missed.append(info.period)
                run += 1
                longest = max(longest, run)
                continue
            run = 0
            if v.late:
                late += 1
                late_ones.append(info.period)
            else:
                on_time += 1
        out.append(
            Attendance(
                org, expected, on_time, late, exempt, tuple(missed), longest, tuple(late_ones)
            )
        )
    return out


def summary_of(
    template: Template,
    span: Span,
    infos: list[PeriodInfo],
    versions: list[SubmissionVersion],
    now: datetime,
    *,
    previous: bool = True,
) -> Rollup:
    periods = sorted({v.period for v in versions})
    totals = [period_totals(template, p, versions) for p in periods]
    due = [i.period for i in infos if i.deadline <= now and not i.skipped]
    not_due = [i.period for i in infos if i.deadline > now or i.skipped]
    return compute_rollup_summary(
        template=template,
        hierarchy=TREE,
        span=span,
        periods=infos,
        totals=totals,
        reported=reported_by_org(versions, due),
        now=now,
        campaign_name="Báo cáo tuần",
        previous=totals if previous else None,
        pending=reported_by_org(versions, not_due),
    )


def _same(full: Rollup, summary: Rollup) -> None:
    assert render_rollup(summary, tz=TZ) == render_rollup(full, tz=TZ)
    assert render_attendance(summary, tz=TZ) == render_attendance(full, tz=TZ)
    assert summary.totals == full.totals
    # Decimal equality ignores trailing zeros; the digits shown must agree too.
    assert [(repr(t.value), repr(t.previous), repr(t.change)) for t in summary.totals] == [
        (repr(t.value), repr(t.previous), repr(t.change)) for t in full.totals
    ]
    assert summary.attendance == full.attendance
    assert summary.levels == full.levels
    assert summary.reports == full.reports
    assert summary.periods == full.periods and summary.orgs == full.orgs
    assert summary.unequal_lengths == full.unequal_lengths
    assert summary.narrative_counts() == full.narrative_counts()
    # The per-period columns (the digest chart's trend): units and figures of each period.
    assert summary.by_period == full.by_period
    assert [repr(sorted(c.values.items())) for c in summary.by_period] == [
        repr(sorted(c.values.items())) for c in full.by_period
    ]
    assert all(summary.name(a.org) == full.name(a.org) for a in full.attendance)


@settings(max_examples=200, deadline=None)
@given(case=cases(), previous=st.booleans())
def test_summary_equals_the_rollup_from_every_report(
    case: tuple[Template, Span, list[PeriodInfo], list[SubmissionVersion], datetime],
    previous: bool,
) -> None:
    template, span, infos, versions, now = case
    full = compute_rollup(
        template=template,
        hierarchy=TREE,
        span=span,
        periods=infos,
        versions=versions,
        now=now,
        campaign_name="Báo cáo tuần",
        previous=versions if previous else None,
    )
    summary = summary_of(template, span, infos, versions, now, previous=previous)
    assert full.detail and not summary.detail
    assert list(full.attendance) == reference_attendance(infos, versions, now)
    # Every current report of the span's periods counts, skipped periods' too.
    counted = {i.period for i in infos}
    assert full.reports == sum(1 for v in _current(versions) if v.period in counted)
    assert full.skipped == summary.skipped == {i.period for i in infos if i.skipped}
    assert all(c.expected == 0 for c in full.by_period if c.skipped)
    _same(full, summary)


def test_latest_is_the_most_recent_week_not_the_most_recent_submission() -> None:
    """A late report of week 1, sent after week 2's: the figure is week 2's (merging the
    totals by submission time alone would take week 1's)."""
    template = _template([("count", "latest")], [])
    span = SPANS[0]
    w1, w2 = span.source_periods(W)[:2]
    at = datetime(2026, 12, 1, tzinfo=UTC)

    def v(vid: int, p: Period, value: int, when: datetime) -> SubmissionVersion:
        return SubmissionVersion(
            id=vid, submission_id=vid, version=1, campaign_id=1, period=p, org_id=4,
            channel="t", user_id="1", message_id="1", raw_text="", values={"f0": value},
            submitted_at=when, late=False,
        )  # fmt: skip

    versions = [v(1, w1, 10, at + timedelta(days=3)), v(2, w2, 20, at)]
    infos = [PeriodInfo(p, _deadline(p)) for p in span.source_periods(W)]
    summary = summary_of(template, span, infos, versions, at)
    assert summary.totals[0].value == 20 and summary.totals[0].contributors == 2


def test_a_summary_refuses_per_unit_views() -> None:
    template = _template([("count", None)], [0])
    span = SPANS[0]
    infos = [PeriodInfo(p, _deadline(p)) for p in span.source_periods(W)]
    summary = summary_of(template, span, infos, [], datetime(2026, 12, 31, tzinfo=UTC))
    assert summary.empty and summary.lines == () and summary.narratives == ()
    with pytest.raises(ValueError, match="detailed"):
        render_history(summary, TREE.get(4) or _org(4, "x", None), tz=TZ)
