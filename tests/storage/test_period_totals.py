"""Stored per-period totals: kept by the digest, invalidated by any change to a period's
reports (triggers of migration 0005), never kept when computed from reports that changed
meanwhile, recomputed for another template form; and the digest built from them equals the
straightforward computation over every report."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from bot.core import render
from bot.core.digest import FieldAggregate, PeriodTotals, compute_digest, totals_signature
from bot.core.models import Campaign, FieldValue, Schedule
from bot.core.periods import Period, PeriodType
from bot.core.presets import PRESETS
from bot.core.template import Aggregation, Template
from bot.services import periods as cal
from bot.services.digests import DigestService
from bot.services.templates import TemplateService
from storage.codec import decode_totals, encode_totals
from storage.db import load_migrations, open_database
from storage.sqlite import SqliteStore, open_store

START = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)  # Monday of week 41/2026
WEEK = Period.week(2026, 48)
NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


async def _setup(store: SqliteStore) -> tuple[Campaign, list[int], TemplateService]:
    ws = await store.workspaces.create("Tỉnh", START)
    templates = TemplateService(store)
    await templates.save(ws.id, PRESETS["tayninh"].template, "test", START)
    orgs = [(await store.orgs.add(ws.id, f"o{i}", f"Đơn vị {i}")).id for i in range(4)]
    key = PRESETS["tayninh"].template.key
    campaign = await store.campaigns.create(
        ws.id, "Tuần", key, PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), START
    )
    return campaign, orgs, templates


async def _report(
    store: SqliteStore, campaign: Campaign, period: Period, org: int, values: dict[str, FieldValue]
) -> None:
    await store.submissions.add_version(
        campaign.id, period, org, "telegram", "1", "m", "", values, NOW, False
    )


async def _plain(store: SqliteStore, templates: TemplateService, campaign: Campaign) -> str:
    """The digest of WEEK from every report, as before per-period totals existed."""
    template = await templates.get(campaign.workspace_id, campaign.template_key)
    subs = store.submissions
    first = cal.first_period(campaign)
    digest = compute_digest(
        template=template,
        orgs=await store.orgs.all(campaign.workspace_id),
        period=WEEK,
        deadline=cal.times(campaign, WEEK).deadline,
        current=await subs.current(campaign.id, WEEK),
        previous=await subs.current(campaign.id, WEEK.prev()),
        cumulative=await subs.current_in_range(campaign.id, first, WEEK),
        now=NOW,
        campaign_name=campaign.name,
        cumulative_from=first,
    )
    return render.render_digest(digest)


async def _fast(store: SqliteStore, templates: TemplateService, campaign: Campaign) -> str:
    return render.render_digest(await DigestService(store, templates).digest(campaign, WEEK, NOW))


async def _kept(store: SqliteStore, campaign: Campaign, template: Template) -> dict[str, bool]:
    rows = await store.totals.in_range(
        campaign.id, Period.week(2026, 41), WEEK, totals_signature(template)
    )
    return {r.period.key: r.totals is not None for r in rows}


async def test_digest_from_kept_totals_equals_the_digest_from_every_report(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path / "t.db")
    try:
        campaign, orgs, templates = await _setup(store)
        template = await templates.get(campaign.workspace_id, campaign.template_key)
        first = cal.first_period(campaign)
        assert first == Period.week(2026, 41)
        for n in range(8):
            period = first.shift(n)
            for i, org in enumerate(orgs):
                if (n + i) % 3:  # some organizations skip some weeks
                    await _report(store, campaign, period, org, {
                        "so_buoi_tuyen_truyen": n + i,
                        "tien_van_dong": 1_000_000 * (n + 1),
                        "nong_san": Decimal(f"{n}.{i}5"),
                        "mo_hinh_hay": f"Mô hình {n}",
                    })  # fmt: skip
        assert await _kept(store, campaign, template) == {
            first.shift(n).key: False for n in range(8)
        }
        assert await _fast(store, templates, campaign) == await _plain(store, templates, campaign)
        # Every period's totals are kept now, this week's included.
        assert await _kept(store, campaign, template) == {
            first.shift(n).key: True for n in range(8)
        }
        assert await _fast(store, templates, campaign) == await _plain(store, templates, campaign)

        # A late correction of an old week: only that week is computed again.
        await _report(store, campaign, first.shift(2), orgs[1], {"so_buoi_tuyen_truyen": 500})
        kept = await _kept(store, campaign, template)
        assert [k for k, known in kept.items() if not known] == [first.shift(2).key]
        assert await _fast(store, templates, campaign) == await _plain(store, templates, campaign)
        assert all((await _kept(store, campaign, template)).values())

        # Another report this week.
        await _report(store, campaign, WEEK, orgs[0], {"so_buoi_tuyen_truyen": 7})
        assert await _fast(store, templates, campaign) == await _plain(store, templates, campaign)

        # Another numeric form of the template (a field now takes the maximum): every
        # period is computed again under the new signature, with the same result as before.
        changed = template.model_copy(
            update={
                "sections": tuple(
                    s.model_copy(
                        update={
                            "fields": tuple(
                                f.model_copy(update={"aggregate": Aggregation.MAX})
                                if f.key == "so_buoi_tuyen_truyen"
                                else f
                                for f in s.fields
                            )
                        }
                    )
                    for s in template.sections
                )
            }
        )
        await templates.save(campaign.workspace_id, changed, "test", NOW)
        assert not any((await _kept(store, campaign, changed)).values())
        assert await _fast(store, templates, campaign) == await _plain(store, templates, campaign)
        assert all((await _kept(store, campaign, changed)).values())
    finally:
        await store.close()


async def test_totals_of_reports_that_changed_meanwhile_are_not_kept(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "t.db")
    try:
        campaign, orgs, templates = await _setup(store)
        template = await templates.get(campaign.workspace_id, campaign.template_key)
        signature = totals_signature(template)
        await _report(store, campaign, WEEK, orgs[0], {"so_buoi_tuyen_truyen": 1})
        (seen,) = await store.totals.in_range(campaign.id, WEEK, WEEK, signature)
        assert seen.totals is None
        stale = PeriodTotals(WEEK, 1, {"so_buoi_tuyen_truyen": FieldAggregate(1, total=1)})
        await _report(store, campaign, WEEK, orgs[1], {"so_buoi_tuyen_truyen": 2})
        assert not await store.totals.put(campaign.id, stale, seen.generation, signature)
        (now,) = await store.totals.in_range(campaign.id, WEEK, WEEK, signature)
        assert now.totals is None and now.generation > seen.generation
        fresh = PeriodTotals(WEEK, 2, {"so_buoi_tuyen_truyen": FieldAggregate(2, total=3)})
        assert await store.totals.put(campaign.id, fresh, now.generation, signature)
        (kept,) = await store.totals.in_range(campaign.id, WEEK, WEEK, signature)
        assert kept.totals == fresh
        (other,) = await store.totals.in_range(campaign.id, WEEK, WEEK, "another-form")
        assert other.totals is None
    finally:
        await store.close()


def test_totals_round_trip_exactly() -> None:
    totals = PeriodTotals(
        WEEK,
        3,
        {
            "a": FieldAggregate(3, total=10**20, maximum=None, latest=None),
            "b": FieldAggregate(2, total=Decimal("1.50"), maximum=Decimal("1.00")),
            "c": FieldAggregate(1, latest=(NOW, 42, Decimal("-0.5"))),
        },
        texts={"kho_khan": 2, "de_xuat": 1},
        late=frozenset({7, 3}),
    )
    back = decode_totals(WEEK, encode_totals(totals))
    assert back == totals
    assert repr(back.fields["b"].total) == "Decimal('1.50')"
    # A row kept before text counts and late units existed reads as none of either (its
    # signature is older, so it is computed again before any roll-up uses it).
    old = decode_totals(WEEK, '{"r": 1, "f": {}}')
    assert old.texts == {} and old.late == frozenset()


async def test_migration_fills_in_periods_that_already_have_reports(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = await open_database(path, migrations=load_migrations()[:4])
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO workspaces (name, created_at) VALUES ('w', 'x')")
        conn.execute(
            "INSERT INTO campaigns (workspace_id, name, template_key, period_type, timezone,"
            " schedule_json, started_on) VALUES (1, 'c', 't', 'week', 'UTC', '{}', 'x')"
        )
        conn.execute(
            "INSERT INTO org_units (workspace_id, code, code_key, name) VALUES (1, 'a', 'a', 'A')"
        )
        for week in (47, 48):
            p = Period.week(2026, week)
            conn.execute(
                "INSERT INTO submissions (campaign_id, period_key, period_type, period_start,"
                " org_id, current_version) VALUES (1, ?, 'week', ?, 1, 1)",
                (p.key, p.start.isoformat()),
            )
    store = await open_store(path)
    try:
        rows = await store.totals.in_range(1, WEEK.shift(-3), WEEK, "x")
        assert [(r.period, r.totals) for r in rows] == [(WEEK.prev(), None), (WEEK, None)]
    finally:
        await store.close()


async def test_the_totals_range_and_the_triggers_use_indexes(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "t.db")
    try:
        plan = await store.db.fetchall(
            "EXPLAIN QUERY PLAN SELECT period_key, generation, signature, totals_json"
            " FROM period_totals WHERE campaign_id = ? AND period_type = ?"
            " AND period_start BETWEEN ? AND ? ORDER BY period_start",
            (1, "week", "2026-01-01", "2026-12-31"),
        )
        assert any("USING INDEX period_totals_by_range" in r[3] for r in plan), plan
        plan = await store.db.fetchall(
            "EXPLAIN QUERY PLAN UPDATE period_totals SET generation = generation + 1"
            " WHERE campaign_id = (SELECT campaign_id FROM submissions WHERE id = ?)"
            " AND period_key = (SELECT period_key FROM submissions WHERE id = ?)",
            (1, 1),
        )
        assert all("SCAN" not in r[3] for r in plan), plan
    finally:
        await store.close()
