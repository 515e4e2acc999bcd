"""The summary roll-up through storage: ``SubmissionRepo.reported_by_org`` on a real SQLite
file (both of its ways to find which periods a unit reported), and ``ReportService.rollup``
with ``detail=False`` giving the same chat text, totals and completeness as the roll-up from
every report, with corrections, late reports, exemptions, a skipped week (its reports in the
figures, nobody expected), a stopped unit, a unit stopped for two weeks and reopened, a week
not due yet and totals gone stale after a correction."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.core.digest import totals_signature
from bot.core.models import Campaign, FieldValue, Schedule
from bot.core.periods import Period, PeriodType
from bot.core.render_reports import render_attendance, render_rollup
from bot.core.rollup import ReportedPeriods, Span
from bot.core.template import template_from_data
from bot.services.reports import ReportService
from bot.services.templates import TemplateService
from storage.sqlite import SqliteStore, open_store

START = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)  # Monday of week 41/2026
FIRST = Period.week(2026, 41)
TZ = "Asia/Ho_Chi_Minh"
TEMPLATE = template_from_data(
    {
        "key": "thu",
        "name": "Mẫu thử",
        "sections": [
            {
                "key": "kq",
                "title": "Kết quả",
                "fields": [
                    {"key": "buoi", "label": "Số buổi", "type": "count"},
                    {"key": "tien", "label": "Số tiền", "type": "money", "aggregate": "average"},
                    {"key": "ty_le", "label": "Tỷ lệ", "type": "percent", "aggregate": "max"},
                    {"key": "ton", "label": "Hộ nghèo còn", "type": "count", "aggregate": "latest"},
                    {"key": "kho_khan", "label": "Khó khăn, vướng mắc", "type": "text"},
                    {"key": "de_xuat", "label": "Đề xuất", "type": "text"},
                    {"key": "hop", "label": "Đã họp", "type": "yesno"},
                ],
            }
        ],
    }
)


async def _setup(store: SqliteStore, units: int = 6) -> tuple[Campaign, list[int], ReportService]:
    ws = await store.workspaces.create("Tỉnh", START)
    templates = TemplateService(store)
    await templates.save(ws.id, TEMPLATE, "test", START)
    top = await store.orgs.add(ws.id, "tinh", "Tỉnh Tây Ninh", reports=False)
    communes = [
        await store.orgs.add(ws.id, f"xa{c}", f"Xã {c}", parent_id=top.id, reports=False)
        for c in range(2)
    ]
    orgs = [
        (await store.orgs.add(ws.id, f"o{i}", f"Đơn vị {i}", parent_id=communes[i % 2].id)).id
        for i in range(units)
    ]
    campaign = await store.campaigns.create(
        ws.id, "Tuần", TEMPLATE.key, PeriodType.WEEK, TZ, Schedule(), START
    )
    return campaign, orgs, ReportService(store, templates)


async def _report(
    store: SqliteStore,
    campaign: Campaign,
    period: Period,
    org: int,
    values: dict[str, FieldValue],
    *,
    late: bool = False,
    at: datetime | None = None,
) -> None:
    await store.submissions.add_version(
        campaign.id, period, org, "telegram", "1", "m", "", values,
        at or period.start_at() + timedelta(days=2), late,
    )  # fmt: skip


async def test_reported_by_org_counts_and_names_the_periods_of_units_that_missed(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "t.db")
    try:
        campaign, orgs, _ = await _setup(store, units=7)
        weeks = [FIRST.shift(n) for n in range(4)]
        for n, week in enumerate(weeks):
            for i, org in enumerate(orgs):
                if i == 0 and n == 2:
                    continue  # one unit misses a week
                await _report(store, campaign, week, org, {"buoi": 1})
        # A correction is one report, not two; a week outside those asked does not count.
        await _report(store, campaign, weeks[1], orgs[1], {"buoi": 2})
        await _report(store, campaign, FIRST.shift(5), orgs[0], {"buoi": 1})
        subs = store.submissions
        got = {r.org_id: r for r in await subs.reported_by_org(campaign.id, weeks)}
        assert got[orgs[0]] == ReportedPeriods(
            orgs[0], 3, frozenset({weeks[0].start, weeks[1].start, weeks[3].start})
        )
        assert all(got[o] == ReportedPeriods(o, 4) for o in orgs[1:])

        # Most units missed something: the periods come from one pass over the range.
        assert len(orgs) < 3 * 6
        some = [weeks[0], weeks[2], FIRST.shift(5)]
        got = {r.org_id: r for r in await subs.reported_by_org(campaign.id, some)}
        assert got[orgs[0]] == ReportedPeriods(
            orgs[0], 2, frozenset({weeks[0].start, some[2].start})
        )
        for o in orgs[1:]:
            assert got[o] == ReportedPeriods(o, 2, frozenset({weeks[0].start, weeks[2].start}))
        assert await subs.reported_by_org(campaign.id, []) == []
        with pytest.raises(ValueError):
            await subs.reported_by_org(
                campaign.id, [weeks[0], Period.containing(PeriodType.MONTH, date(2026, 10, 1))]
            )
    finally:
        await store.close()


async def _both(service: ReportService, campaign: Campaign, span: Span, now: datetime) -> None:
    full = await service.rollup(campaign, span, now)
    summary = await service.rollup(campaign, span, now, detail=False)
    assert full.detail and not summary.detail
    assert render_rollup(summary, tz=TZ) == render_rollup(full, tz=TZ)
    assert summary.totals == full.totals
    assert [repr(t.value) for t in summary.totals] == [repr(t.value) for t in full.totals]
    assert summary.attendance == full.attendance
    assert summary.levels == full.levels
    assert summary.reports == full.reports
    assert summary.narrative_counts() == full.narrative_counts()
    assert summary.by_period == full.by_period
    assert render_attendance(summary, tz=TZ) == render_attendance(full, tz=TZ)


async def test_summary_rollup_through_storage_equals_the_detailed_one(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "t.db")
    try:
        campaign, orgs, service = await _setup(store)
        for n in range(13):  # weeks 41 to 53 of 2026
            week = FIRST.shift(n)
            for i, org in enumerate(orgs):
                if (n * 7 + i) % 5 == 0:
                    continue  # some units miss some weeks
                await _report(
                    store, campaign, week, org,
                    {
                        "buoi": n + i,
                        "tien": 1_000_000 + 333 * i,
                        "ty_le": Decimal(f"{n}.{i}5"),
                        "ton": 100 - n,
                        "kho_khan": "Thiếu kinh phí" if (n + i) % 3 == 0 else " ",
                        "de_xuat": f"Đề xuất {n}" if i == 2 else "",
                        "hop": (n + i) % 2 == 0,
                    },
                    late=(n + i) % 4 == 0,
                    # Week 41's report of unit 0 comes last of all: "latest" is still week 53's.
                    at=START + timedelta(days=200) if (n, i) == (0, 0) else None,
                )  # fmt: skip
        # Corrections (one late, one of an on-time report), an exemption of a unit that
        # reported anyway and of one that did not, a skipped week, a stopped unit.
        await _report(store, campaign, FIRST.shift(3), orgs[1], {"buoi": 50}, late=True)
        await _report(store, campaign, FIRST.shift(4), orgs[2], {"buoi": 7, "ton": 3})
        await store.calendar.exempt(campaign.id, FIRST.shift(2), orgs[3], "ốm", START)
        await store.calendar.exempt(campaign.id, FIRST.shift(5), orgs[0], "lũ", START)
        await store.calendar.skip(campaign.id, FIRST.shift(6), "Tết", START)
        stopped = await store.orgs.get(orgs[5])
        assert stopped is not None
        await store.orgs.update(replace(stopped, active=False))
        # Stopped before week 44's deadline, reopened after week 45's: not expected for
        # those two weeks (its reports of them still count).
        await store.orgs.set_active(orgs[4], False, FIRST.shift(3).start_at())
        await store.orgs.set_active(orgs[4], True, FIRST.shift(5).start_at())

        quarter = Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1)))
        november = Span.of(Period(PeriodType.MONTH, date(2026, 11, 1)))
        days = Span.between(date(2026, 10, 20), date(2026, 12, 10))
        after = datetime(2027, 1, 10, tzinfo=UTC)
        during = FIRST.shift(8).end_at() + timedelta(hours=1)  # later weeks not due yet
        for span in (quarter, november, days):
            for now in (after, during):
                await _both(service, campaign, span, now)

        # The skipped week: nobody expected, its reports in the figures and its column.
        full = await service.rollup(campaign, quarter, after)
        assert FIRST.shift(6) in full.skipped and FIRST.shift(6) in full.periods
        assert all(FIRST.shift(6) not in a.missed_periods for a in full.attendance)
        column = next(c for c in full.by_period if c.period == FIRST.shift(6))
        # Five reports: four of listed units, one of the stopped unit (in the figures only).
        assert column.skipped and column.expected == 0 and column.received == 4
        assert column.values["buoi"] == sum(6 + i for i in range(6) if (42 + i) % 5) == 42
        # The reopened unit: two weeks fewer to report than the others.
        att = {a.org.id: a for a in full.attendance}
        assert att[orgs[4]].expected == att[orgs[3]].expected + att[orgs[3]].exempt - 2

        # Every period's totals are kept now, the skipped week's too (its reports count,
        # as a rule changed deliberately: they used to count nowhere and were not kept); a
        # correction makes its week stale, and the summary computes that week again (and
        # only it).
        signature = totals_signature(TEMPLATE)
        rows = await store.totals.in_range(campaign.id, FIRST, FIRST.shift(12), signature)
        assert [r.period for r in rows if r.totals is None] == []
        await _report(store, campaign, FIRST.shift(9), orgs[4], {"buoi": 1000, "ton": 1})
        rows = await store.totals.in_range(campaign.id, FIRST, FIRST.shift(12), signature)
        assert [r.period for r in rows if r.totals is None] == [FIRST.shift(9)]
        await _both(service, campaign, quarter, after)
        rows = await store.totals.in_range(campaign.id, FIRST, FIRST.shift(12), signature)
        assert [r.period for r in rows if r.totals is None] == []
        summary = await service.rollup(campaign, quarter, after, detail=False)
        assert "Thiếu kinh phí" not in render_rollup(summary, tz=TZ)
        # The digest chart's trend is a summary with the detailed roll-up's period columns.
        for now in (after, during):
            trend = await service.trend(campaign, FIRST.shift(8), now)
            assert not trend.detail and len(trend.by_period) == 8  # one skipped, in figures
            assert [c.period for c in trend.by_period if c.skipped] == [FIRST.shift(6)]
            detailed = await service.rollup(
                campaign, trend.span, now, previous=False, indicators=False
            )
            assert trend.by_period == detailed.by_period
        # A commune's roll-up reads the reports (totals are the workspace's).
        commune = await store.orgs.by_code(campaign.workspace_id, "xa0")
        assert commune is not None
        scoped = await service.rollup(campaign, quarter, after, scope_id=commune.id, detail=False)
        assert scoped.detail
    finally:
        await store.close()
