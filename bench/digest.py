"""Digest and yearly roll-up at national scale: units x weeks x 15 fields of stored values.

The weekly digest for all units (DigestService: load the week's reports, the previous week's
and the cumulative range's per-period totals, compute, render) is compared with the bare SQL
aggregation over the same tables in the same run (SUM of one field for the week, via
json_extract). Measured as in steady use: the digests of the earlier weeks have run (the
first of them after the upgrade computed and kept every week's totals; shown too).

The yearly roll-up is ``/tonghop năm`` for the whole workspace as the chat command asks for
it (``ReportService.rollup(..., detail=False)``: kept per-period totals of the year and of
the year before, completeness counted in SQL) and rendered, beside the bare SQL SUM of one
field over the year's reports. Steady state (the weeks' totals kept, as the weekly digests
keep them) is the median of three; the first roll-up after the upgrade, which computes and
keeps every week's totals of both years from their reports, is shown too.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from pathlib import Path

from bench.common import NOW, row, seed_workspace
from bot.app import Services, build_services
from bot.core import render
from bot.core.clock import ManualClock
from bot.core.models import Campaign
from bot.core.periods import Period, PeriodType
from bot.core.render_reports import render_rollup
from bot.core.rollup import Span
from bot.services import periods as cal
from bot.services.reports import ReportService
from storage.codec import decode_values
from storage.sqlite import open_store

FIELDS = [
    ("so_buoi_tuyen_truyen", "i"), ("luot_nguoi_tuyen_truyen", "i"), ("tien_van_dong", "i"),
    ("hang_quy_doi", "i"), ("suat_qua", "i"), ("suat_an", "i"), ("ho_ho_tro", "i"),
    ("tinh_nguyen_vien", "i"), ("cuoc_giam_sat", "i"), ("kien_nghi", "i"),
    ("mo_hinh_hay", "s"), ("kho_khan", "s"), ("de_xuat", "s"), ("nhiem_vu_toi", "s"),
    ("nong_san", "d"),
]  # fmt: skip


def _values(rng: random.Random) -> str:
    doc: dict[str, list[object]] = {}
    for key, tag in FIELDS:
        if tag == "i":
            doc[key] = ["i", rng.randint(0, 5000)]
        elif tag == "d":
            doc[key] = ["d", f"{rng.randint(0, 900)}.{rng.randint(0, 9)}"]
        else:
            doc[key] = ["s", "Nội dung báo cáo ngắn của đơn vị"]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def bulk_seed(path: Path, campaign_id: int, units: int, weeks: list[Period]) -> None:
    """Reports of ``units`` organizations for every week of ``weeks``, by direct SQL for
    speed (the shape is exactly what the repositories write); the campaign starts the day
    before the first week, so its cumulative section covers them all."""
    rng = random.Random(1)
    conn = sqlite3.connect(path)
    try:
        # CampaignRepo.update leaves started_on alone (it is set once, at creation).
        started = weeks[0].start_at() - timedelta(days=1)
        conn.execute(
            "UPDATE campaigns SET started_on = ? WHERE id = ?",
            (started.astimezone(UTC).isoformat(timespec="microseconds"), campaign_id),
        )
        org_ids = [r[0] for r in conn.execute("SELECT id FROM org_units ORDER BY id")][:units]
        stamp = NOW.astimezone(UTC).isoformat(timespec="microseconds")
        for week in weeks:
            start = week.start.isoformat()
            conn.executemany(
                "INSERT INTO submissions (campaign_id, period_key, period_type, period_start,"
                " org_id, current_version) VALUES (?, ?, 'week', ?, ?, 1)",
                [(campaign_id, week.key, start, o) for o in org_ids],
            )
            ids = conn.execute(
                "SELECT id FROM submissions WHERE campaign_id = ? AND period_key = ?",
                (campaign_id, week.key),
            ).fetchall()
            conn.executemany(
                "INSERT INTO submission_versions (submission_id, version, channel, user_id,"
                " message_id, raw_text, values_json, submitted_at, late)"
                " VALUES (?, 1, 'telegram', '1', '1', '', ?, ?, 0)",
                [(i[0], _values(rng), stamp) for i in ids],
            )
        conn.commit()
    finally:
        conn.close()


async def main(quick: bool = False, weeks: int = 52) -> list[str]:
    units = 2_000 if quick else 20_000
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        path = Path(tmp) / "bot.db"
        last = Period.containing(PeriodType.WEEK, NOW.date())
        periods = [last.shift(-n) for n in range(weeks - 1, -1, -1)]
        clock = ManualClock(NOW)
        store = await open_store(path)
        try:
            campaign_id = await seed_workspace(store, units)
        finally:
            await store.close()
        bulk_seed(path, campaign_id, units, periods)

        async with build_services(path, clock=clock) as services:
            campaign = await services.store.campaigns.get(campaign_id)
            assert campaign is not None
            assert cal.first_period(campaign) == periods[0]
            # Bare SQL: the week's total of one field, through the same connection.
            t = time.perf_counter()
            await services.store.db.fetchall(
                "SELECT SUM(json_extract(v.values_json, '$.so_buoi_tuyen_truyen[1]'))"
                " FROM submissions s JOIN submission_versions v ON v.submission_id = s.id"
                " AND v.version = s.current_version WHERE s.campaign_id = ? AND s.period_key = ?",
                (campaign_id, last.key),
            )
            bare = (time.perf_counter() - t) * 1000
            # First the digest of the week before: nothing is kept yet (as after the upgrade
            # that brings per-period totals), so it computes the totals of 51 weeks from
            # their reports, and keeps them, as each week's own digest would have.
            t = time.perf_counter()
            await services.digests.digest(campaign, last.prev(), NOW)
            cold = (time.perf_counter() - t) * 1000
            # The week's first digest since the bot started reads the week from storage
            # and keeps it (bot/core/board.py); a bot running through the week keeps it
            # from the week's first report instead.
            t = time.perf_counter()
            await services.digests.digest(campaign, last, NOW)
            started = (time.perf_counter() - t) * 1000
            # Then reports keep coming (corrections of 5 % of the units, through the
            # storage path every reply takes) and the digest is asked for again.
            await _corrections(services, campaign, last, units // 20)
            t = time.perf_counter()
            digest = await services.digests.digest(campaign, last, NOW)
            text = render.render_digest(digest)
            ours = (time.perf_counter() - t) * 1000
            assert digest.completeness.reported_count == units and text
            assert len(digest.cumulative_periods) == weeks
            assert sum(r.version == 2 for r in digest.completeness.reported) == units // 20
            year_rows = await _yearly_rollup(services, campaign, units)
    return [*_digest_rows(units, weeks, ours, bare, cold, started), *year_rows]


async def _corrections(services: Services, campaign: Campaign, period: Period, count: int) -> None:
    rng = random.Random(7)
    orgs = await services.store.orgs.all(campaign.workspace_id)
    for org in rng.sample(orgs, count):
        values = decode_values(_values(rng))
        await services.store.submissions.add_version(
            campaign.id, period, org.id, "telegram", "1", "1", "", values, NOW, False
        )


async def _median_ms(make: Callable[[], Awaitable[object]], times: int = 3) -> float:
    spent: list[float] = []
    for _ in range(times):
        t = time.perf_counter()
        await make()
        spent.append((time.perf_counter() - t) * 1000)
    return statistics.median(spent)


async def _yearly_rollup(services: Services, campaign: Campaign, units: int) -> list[str]:
    """``/tonghop năm`` for the whole workspace (the summary the chat text needs) against
    the bare SUM of one field over the year's reports, same run."""
    year = Span.of(Period.containing(PeriodType.YEAR, NOW.date()))
    weeks = year.source_periods(PeriodType.WEEK)
    db = services.store.db
    reports = ReportService(services.store, services.templates)

    async def bare_sql() -> object:
        return await db.fetchall(
            "SELECT SUM(json_extract(v.values_json, '$.so_buoi_tuyen_truyen[1]'))"
            " FROM submissions s JOIN submission_versions v ON v.submission_id = s.id"
            " AND v.version = s.current_version WHERE s.campaign_id = ? AND s.period_type = ?"
            " AND s.period_start BETWEEN ? AND ?",
            (campaign.id, "week", weeks[0].start.isoformat(), weeks[-1].start.isoformat()),
        )

    async def rollup() -> str:
        r = await reports.rollup(campaign, year, NOW, detail=False)
        assert not r.detail and r.reports and r.levels[0].expected
        return render_rollup(r, tz=campaign.timezone)

    bare = await _median_ms(bare_sql)
    # As after the upgrade that brings the roll-up's totals: nothing kept.
    await db.execute("UPDATE period_totals SET totals_json = NULL, generation = generation + 1")
    t = time.perf_counter()
    await rollup()
    first = (time.perf_counter() - t) * 1000
    ours = await _median_ms(rollup)
    return [
        row(f"yearly roll-up /tonghop năm, {units} units", ours, bare, "ms", "< 1 s", ours < 1000),
        row("  first roll-up after the upgrade (2 years)", first, bare, "ms", "(once)", True),
    ]


def _digest_rows(
    units: int, weeks: int, ours: float, bare: float, cold: float, started: float
) -> list[str]:
    return [
        row(f"weekly digest, {units} units ({weeks} weeks stored)", ours, bare, "ms",
            "< 50 ms, ≤ 1.5× bare", ours < 50 and ours <= 1.5 * bare),
        row("  the week's first digest after a restart (reads the week)", started, bare, "ms",
            "(once)", True),
        row(f"  first digest after the upgrade ({weeks - 1} weeks)", cold, bare, "ms",
            "(once)", True),
    ]  # fmt: skip


if __name__ == "__main__":
    for line in asyncio.run(main()):
        print(line)
