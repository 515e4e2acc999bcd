"""Roll-ups in the core: which periods a span holds, figures by each aggregation rule,
completeness and truancy, the unit tree (scope, levels, names)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.core.hierarchy import Hierarchy
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periodref import parse_span_ref
from bot.core.periods import Period, PeriodError, PeriodType
from bot.core.rollup import NarrativeKind, PeriodInfo, Span, compute_rollup, narrative_kind
from bot.core.template import template_from_data
from tests.reports.sample import build_province

W = PeriodType.WEEK
NOW = datetime(2027, 2, 1, tzinfo=UTC)

TEMPLATE = template_from_data(
    {
        "key": "t",
        "name": "Mẫu thử",
        "sections": [
            {
                "key": "a",
                "title": "Kết quả",
                "fields": [
                    {"key": "buoi", "label": "Số buổi", "type": "count"},
                    {"key": "ty_le", "label": "Tỷ lệ", "type": "percent"},
                    {"key": "cao", "label": "Cao nhất", "type": "count", "aggregate": "max"},
                    {"key": "ton", "label": "Hộ nghèo còn", "type": "count", "aggregate": "latest"},
                    {"key": "kk", "label": "Khó khăn, vướng mắc", "type": "text"},
                    {"key": "hop", "label": "Đã họp", "type": "yesno"},
                ],
            }
        ],
    }
)


def org(i: int, code: str, parent: int | None = None, reports: bool = True) -> OrgUnit:
    return OrgUnit(i, 1, code, code.upper(), code.upper(), parent, True, i, reports)


def version(
    vid: int,
    org_id: int,
    week: Period,
    values: dict[str, FieldValue],
    *,
    late: bool = False,
    at: datetime | None = None,
    v: int = 1,
) -> SubmissionVersion:
    return SubmissionVersion(
        id=vid, submission_id=vid, version=v, campaign_id=1, period=week, org_id=org_id,
        channel="sandbox", user_id="u", message_id=str(vid), raw_text="", values=values,
        submitted_at=at or datetime.combine(week.start, datetime.min.time(), UTC),
        late=late,
    )  # fmt: skip


def infos(weeks: list[Period]) -> list[PeriodInfo]:
    return [PeriodInfo(w, datetime.combine(w.end, datetime.min.time(), UTC)) for w in weeks]


# -- spans --------------------------------------------------------------------------------
def test_a_week_belongs_to_the_month_of_its_thursday() -> None:
    january = Span.of(Period(PeriodType.MONTH, date(2027, 1, 1)))
    weeks = january.source_periods(W)
    # Week 53/2026 (28/12/2026 – 03/01/2027) has its Thursday on 31/12: December's.
    assert weeks[0] == Period.week(2027, 1)
    assert weeks[-1] == Period.week(2027, 4)
    december = Span.of(Period(PeriodType.MONTH, date(2026, 12, 1)))
    assert december.source_periods(W)[-1] == Period.week(2026, 53)
    year = Span.of(Period(PeriodType.YEAR, date(2026, 1, 1)))
    assert len(year.source_periods(W)) == 53  # 2026 is a 53-week ISO year
    assert len(year.source_periods(PeriodType.MONTH)) == 12


def test_a_range_of_days_and_its_previous() -> None:
    span = Span.between(date(2026, 10, 1), date(2026, 11, 15))
    assert span.label() == "từ 01/10/2026 đến 15/11/2026"
    assert span.key() == "2026-10-01_2026-11-15"
    prev = span.previous()
    assert prev.end == span.start and (prev.end - prev.start) == (span.end - span.start)
    q = Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1)))
    assert q.previous() == Span.of(Period(PeriodType.QUARTER, date(2026, 7, 1)))
    with pytest.raises(ValueError):
        Span(date(2026, 1, 2), date(2026, 1, 2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("từ 01/10/2026 đến 15/11/2026", (date(2026, 10, 1), date(2026, 11, 15))),
        ("tu 1/10 den 15/11", (date(2026, 10, 1), date(2026, 11, 15))),
        ("01/12/2025 - 31/01/2026", (date(2025, 12, 1), date(2026, 1, 31))),
        ("quý IV", Period(PeriodType.QUARTER, date(2026, 10, 1))),
        ("năm 2025", Period(PeriodType.YEAR, date(2025, 1, 1))),
        ("6 tháng đầu năm", Period(PeriodType.HALF, date(2026, 1, 1))),
    ],
)
def test_span_references(text: str, expected: object) -> None:
    assert parse_span_ref(text, W, date(2026, 11, 24)) == expected


@pytest.mark.parametrize(
    "text", ["từ 15/11 đến 01/10", "từ 31/02/2026 đến 01/03/2026", "từ hôm qua"]
)
def test_bad_span_references_say_why_in_vietnamese(text: str) -> None:
    with pytest.raises(PeriodError) as err:
        parse_span_ref(text, W, date(2026, 11, 24))
    assert any(ch in str(err.value) for ch in "ưđếộà")


# -- figures ------------------------------------------------------------------------------
def test_each_rule_over_units_and_weeks() -> None:
    a, b = org(1, "a"), org(2, "b")
    w1, w2 = Period.week(2026, 45), Period.week(2026, 46)
    versions = [
        version(1, 1, w1, {"buoi": 3, "ty_le": Decimal("50"), "cao": 7, "ton": 100}),
        version(2, 2, w1, {"buoi": 4, "ty_le": Decimal("70"), "cao": 2, "ton": 80}),
        # A late correction of week 45 submitted after week 46 must not make it "latest".
        version(3, 1, w2, {"buoi": 5, "ty_le": Decimal("60"), "cao": 1, "ton": 90}),
        version(4, 2, w1, {"buoi": 6, "ton": 70}, v=2, at=datetime(2026, 11, 30, tzinfo=UTC)),
    ]
    r = compute_rollup(
        template=TEMPLATE, hierarchy=Hierarchy([a, b]), span=Span.between(w1.start, w2.last_day),
        periods=infos([w1, w2]), versions=versions, now=NOW,
    )  # fmt: skip
    totals = {t.key: t.value for t in r.totals}
    assert totals["buoi"] == 3 + 6 + 5  # version 2 of b replaces version 1
    assert totals["ty_le"] == Decimal("55.00")  # mean of 50 and 60 (b's v2 has none)
    assert totals["cao"] == 7
    assert totals["ton"] == 90  # week 46 is the latest period
    lines = {ln.org.code: ln for ln in r.lines}
    assert lines["a"].values == {"buoi": 8, "ty_le": Decimal("55.00"), "cao": 7, "ton": 90}
    assert lines["b"].by_period[w1.key] == {"buoi": 6, "ton": 70}
    cols = {c.period.key: c for c in r.by_period}
    assert cols[w1.key].values["buoi"] == 9 and cols[w1.key].received == 2
    assert cols[w2.key].values["buoi"] == 5 and cols[w2.key].received == 1


def test_change_against_the_previous_span() -> None:
    a = org(1, "a")
    weeks = [Period.week(2026, n) for n in (44, 45)]
    versions = [version(1, 1, weeks[0], {"buoi": 4}), version(2, 1, weeks[1], {"buoi": 10})]
    r = compute_rollup(
        template=TEMPLATE, hierarchy=Hierarchy([a]), span=Span.of(weeks[1]),
        periods=infos(weeks[1:]), versions=versions, now=NOW, previous=versions,
    )  # fmt: skip
    t = next(t for t in r.totals if t.key == "buoi")
    assert (t.value, t.previous, t.change) == (10, 4, 6)


def test_completeness_truancy_and_exemptions() -> None:
    a = org(1, "a")
    weeks = [Period.week(2026, n) for n in range(40, 50)]
    got = {40, 41, 45, 46, 49}
    versions = [
        version(n, 1, w, {"buoi": 1}, late=(n == 46))
        for n, w in zip(range(40, 50), weeks, strict=True)
        if n in got
    ]
    periods = infos(weeks)
    periods[3] = replace(periods[3], exempt_org_ids=frozenset({1}))  # week 43 exempt
    # Week 49's deadline is after "now": it is not yet counted (but its report still is).
    now = datetime.combine(weeks[-1].start, datetime.min.time(), UTC)
    r = compute_rollup(
        template=TEMPLATE, hierarchy=Hierarchy([a]), span=Span.between(weeks[0].start, weeks[-1].last_day),
        periods=periods, versions=versions, now=now,
    )  # fmt: skip
    att = r.attendance[0]
    assert att.expected == 8  # 10 weeks - exempt 43 - week 49 not due
    assert (att.on_time, att.late, att.exempt) == (3, 1, 1)
    assert [p.key for p in att.missed_periods] == ["2026-W42", "2026-W44", "2026-W47", "2026-W48"]
    # 42 | 43 exempt (neither breaks nor extends) | 44 => a run of 2; 47, 48 => 2.
    assert att.longest_missed_run == 2
    assert att.rate == Decimal("50.0")
    assert r.reports == 5


def test_scope_covers_descendants_and_levels_sum_them() -> None:
    province = build_province()
    span = Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1)))
    whole = province.rollup(span)
    commune = province.rollup(span, "tanbien")
    ids = {o.id for o in province.hierarchy.reporting(province.unit("tanbien").id)}
    assert {ln.org.id for ln in commune.lines} == ids and len(ids) == 6
    # Independently: sum the raw reports of the commune's units in the quarter.
    raw = 0
    for v in province.versions:
        if v.org_id in ids and span.includes(v.period):
            value = v.values["so_buoi_tuyen_truyen"]
            assert isinstance(value, int)
            raw += value
    assert next(t for t in commune.totals if t.key == "so_buoi_tuyen_truyen").value == raw
    # Levels: the province's line is the sum of its units; each commune's its six.
    top, *communes = whole.levels
    assert top.org is not None and top.org.code == "tinh" and top.units == 24
    assert [lv.org.code for lv in communes if lv.org] == ["tanhoa", "tanbien", "hoathanh"]
    assert sum(a.received for a in whole.attendance) == top.received
    tanbien = next(lv for lv in communes if lv.org and lv.org.code == "tanbien")
    assert tanbien.received == sum(a.received for a in commune.attendance)
    # Names repeat from commune to commune, so they carry the commune.
    hccb = province.unit("hccb_tanbien")
    assert whole.name(hccb).endswith("(Xã Tân Biên)")
    assert whole.name(province.unit("hnd")) == "Hội ND tỉnh"
    # The truant veterans of Tân Biên are found: 8 weeks in a row in spring.
    year = province.rollup(Span.of(Period(PeriodType.YEAR, date(2026, 1, 1))), previous=False)
    worst = max(year.attendance, key=lambda a: a.longest_missed_run)
    assert worst.org.code == "hccb_tanbien" and worst.longest_missed_run >= 8


def test_stopped_units_count_in_figures_but_are_not_expected() -> None:
    a, b = org(1, "a"), replace(org(2, "b"), active=False)
    w = Period.week(2026, 45)
    versions = [version(1, 1, w, {"buoi": 1}), version(2, 2, w, {"buoi": 5})]
    r = compute_rollup(
        template=TEMPLATE, hierarchy=Hierarchy([a, b]), span=Span.of(w), periods=infos([w]),
        versions=versions, now=NOW,
    )  # fmt: skip
    assert [x.org.code for x in r.attendance] == ["a"]
    assert r.totals[0].value == 6
    assert [ln.org.code for ln in r.lines] == ["a", "b"]


def test_an_empty_rollup_is_well_formed() -> None:
    w = Period.week(2026, 45)
    r = compute_rollup(
        template=TEMPLATE, hierarchy=Hierarchy([org(1, "a")]), span=Span.of(w),
        periods=infos([w]), versions=[], now=NOW,
    )  # fmt: skip
    assert r.empty and r.reports == 0
    assert all(t.value is None for t in r.totals)
    assert r.attendance[0].missed == 1 and r.rate == Decimal("0.0")


def test_hierarchy_order_inactive_branches_and_bad_parents() -> None:
    prov = org(1, "tinh", reports=False)
    xa = org(2, "xa", 1, reports=False)
    units = [prov, xa, org(3, "hnd_xa", 2), org(4, "hnd", 1), replace(org(5, "loop"), parent_id=6),
             replace(org(6, "loop2"), parent_id=5), org(7, "orphan", 99)]  # fmt: skip
    tree = Hierarchy(units)
    assert [n.org.code for n in tree.nodes()][:4] == ["tinh", "xa", "hnd_xa", "hnd"]
    assert [n.depth for n in tree.nodes()][:4] == [0, 1, 2, 1]
    # A cycle and a missing parent become roots: nothing lost, nothing looped over.
    assert {"loop", "loop2", "orphan"} <= {o.code for o in tree.reporting()}
    assert tree.covers(1, 3) and not tree.covers(2, 4)
    stopped = Hierarchy([prov, replace(xa, active=False), *units[2:4]])
    assert [o.code for o in stopped.reporting(1)] == ["hnd"]  # the commune's units stop too
    assert [n.org.code for n in stopped.groups()] == ["tinh"]


def test_narrative_fields_are_classified_by_their_words() -> None:
    kinds = {f.key: narrative_kind(f) for f in TEMPLATE.all_fields() if f.type.value == "text"}
    assert kinds == {"kk": NarrativeKind.DIFFICULTY}
    from bot.core.presets import TAY_NINH_TEMPLATE

    got = {
        f.key: narrative_kind(f) for f in TAY_NINH_TEMPLATE.all_fields() if f.type.value == "text"
    }
    assert got == {
        "mo_hinh_hay": NarrativeKind.MODEL,
        "kho_khan": NarrativeKind.DIFFICULTY,
        "de_xuat": NarrativeKind.PROPOSAL,
        "nhiem_vu_toi": NarrativeKind.NEXT_TASK,
    }


def test_one_week_rollup_matches_the_digest_totals() -> None:
    from bot.core.digest import compute_digest

    province = build_province()
    week = Period.week(2026, 47)
    current = [v for v in province.versions if v.period == week]
    digest = compute_digest(
        template=__import__("bot.core.presets", fromlist=["x"]).TAY_NINH_TEMPLATE,
        orgs=province.hierarchy.reporting(), period=week,
        deadline=week.end_at(), current=current, previous=[], cumulative=[], now=NOW,
    )  # fmt: skip
    r = province.rollup(Span.of(week), previous=False)
    assert {t.key: t.value for t in r.totals} == {t.key: t.value for t in digest.totals}
    assert r.received == digest.completeness.reported_count
    _ = timedelta
