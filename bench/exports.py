"""Roll-ups and exports for one province's year: 600 reporting units x 53 weeks.

The demo province (``bot.demo.province.seed_province``, 99 communes: 6 + 6 x 99 reporting
units, about 31,800 weekly reports of 2026) is stored in a temporary SQLite file through the
repositories, then each step a leader's request runs is timed over a few repetitions and
the median reported:

* the roll-up (``ReportService.rollup``: load the span and the span before it, compute) for
  the year and for the fourth quarter, with its two parts apart: loading the current
  versions (``current_in_range``, one query and the decoding of every report's values)
  and computing (``compute_rollup``); the bare SQL aggregation of one field over the year
  through the same connection is the reference;
* the year's Excel workbook, the fourth quarter's and the year's Word report (with the
  chart, as ``/xuat word`` sends it), the year's CSV (``ReportService.file``);
* the peak memory traced (``tracemalloc``) while the year's workbook is made, and the
  process's peak resident memory at the end.

Targets (issue 7): a roll-up under 1 s (the national target, so a province must be well
inside it); the Excel and the Word export of one province's year under 5 s each, roll-up
included. Run: ``python -m bench.exports`` (``--communes 9`` for a quick run; ``--db FILE``
keeps the seeded database and reuses it on the next run).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

from bot.core.clock import ManualClock
from bot.core.models import Campaign, Workspace
from bot.core.periods import Period, PeriodType
from bot.core.rollup import Rollup, Span, compute_rollup
from bot.demo.province import demo_now, seed_province
from bot.services.exports.offload import ChildProcess
from bot.services.reports import FileKind, ReportService
from bot.services.templates import TemplateService
from storage.sqlite import SqliteStore, open_store

YEAR = 2026
TZ = "Asia/Ho_Chi_Minh"
ROLLUP_TARGET_S = 1.0
EXPORT_TARGET_S = 5.0
FIELD = "so_buoi_tuyen_truyen"
T = TypeVar("T")


def line(name: str, seconds: float, target: float | None, note: str = "") -> str:
    """One figure beside its target and the ratio (below 1 means met)."""
    ms = seconds * 1000
    if target is None:
        return f"{name:<58} {ms:>10.1f} ms  {'':<30} {note}".rstrip()
    ratio = seconds / target
    mark = "✓" if seconds <= target else "✗"
    return (
        f"{name:<58} {ms:>10.1f} ms  target < {target * 1000:>6.0f} ms  ratio {ratio:5.2f} {mark}"
        f"  {note}"
    ).rstrip()


async def timed(fn: Callable[[], Awaitable[T]], reps: int) -> tuple[float, T]:
    """The median wall time of ``reps`` runs (after a first, untimed one) and the last result."""
    result = await fn()
    times: list[float] = []
    for _ in range(reps):
        gc.collect()
        t = time.perf_counter()
        result = await fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


async def seed(path: Path, communes: int) -> float:
    """The province's year in a new database at ``path``; returns the seconds it took."""
    t = time.perf_counter()
    store = await open_store(path)
    try:
        await seed_province(store, now=demo_now(), communes=communes, year=YEAR)
    finally:
        await store.close()
    return time.perf_counter() - t


async def _context(store: SqliteStore) -> tuple[Workspace, Campaign]:
    campaign = (await store.campaigns.list_active())[0]
    workspace = await store.workspaces.get(campaign.workspace_id)
    assert workspace is not None
    return workspace, campaign


async def measure(path: Path, reps: int) -> list[str]:
    now = ManualClock(demo_now()).now()
    year = Span.of(Period(PeriodType.YEAR, date(YEAR, 1, 1)))
    quarter = Span.of(Period(PeriodType.QUARTER, date(YEAR, 10, 1)))
    out: list[str] = []
    store = await open_store(path)
    try:
        workspace, campaign = await _context(store)
        reports = ReportService(store, TemplateService(store))

        # Reference: one field's total over the year in bare SQL, same connection.
        first, last = year.source_periods(PeriodType.WEEK)[0], year.last_day
        bare_s, _ = await timed(
            lambda: store.db.fetchall(
                "SELECT SUM(json_extract(v.values_json, ?))"
                " FROM submissions s JOIN submission_versions v ON v.submission_id = s.id"
                " AND v.version = s.current_version WHERE s.campaign_id = ?"
                " AND s.period_start BETWEEN ? AND ?",
                (f"$.{FIELD}[1]", campaign.id, first.start.isoformat(), last.isoformat()),
            ),
            reps,
        )

        # The roll-up's parts: loading (the span before the year holds no reports, so the
        # query's range is the year's) and computing.
        weeks = year.previous().source_periods(PeriodType.WEEK) + year.source_periods(
            PeriodType.WEEK
        )
        load_s, versions = await timed(
            lambda: store.submissions.current_in_range(campaign.id, weeks[0], weeks[-1]), reps
        )
        template = await TemplateService(store).get(campaign.workspace_id, campaign.template_key)
        hierarchy = await reports.hierarchy(campaign.workspace_id)
        infos = await reports._period_infos(campaign, year)

        async def compute() -> Rollup:
            return compute_rollup(
                template=template,
                hierarchy=hierarchy,
                span=year,
                periods=infos,
                versions=versions,
                now=now,
                campaign_name=campaign.name,
                previous=versions,
            )

        compute_s, _ = await timed(compute, reps)

        year_s, r_year = await timed(lambda: reports.rollup(campaign, year, now), reps)
        quarter_s, r_quarter = await timed(lambda: reports.rollup(campaign, quarter, now), reps)
        units, n = len(r_year.orgs), r_year.reports
        out.append(f"province: {units} reporting units, {n:,} reports in {YEAR}".replace(",", "."))
        out.append(line("bare SQL: one field's SUM over the year (reference)", bare_s, None))
        out.append(
            line(
                "roll-up, year (ReportService.rollup)",
                year_s,
                ROLLUP_TARGET_S,
                f"{year_s / bare_s:.0f}× bare SQL",
            )
        )
        out.append(line("  of which loading (current_in_range + decoding)", load_s, None))
        out.append(line("  of which computing (compute_rollup)", compute_s, None))
        out.append(line("roll-up, quarter IV", quarter_s, ROLLUP_TARGET_S))

        async def file(kind: FileKind, r: Rollup) -> bytes:
            doc = await reports.file(kind, r, workspace, issued_on=now.date(), tz=TZ)
            return doc.content

        async def export(kind: FileKind, span: Span) -> bytes:
            r = await reports.rollup(campaign, span, now)
            return await file(kind, r)

        excel_s, book = await timed(lambda: file(FileKind.EXCEL, r_year), reps)
        word_q_s, doc_q = await timed(lambda: file(FileKind.WORD, r_quarter), reps)
        word_y_s, doc_y = await timed(lambda: file(FileKind.WORD, r_year), reps)
        chart_s, _ = await timed(lambda: file(FileKind.CHART, r_year), reps)
        csv_s, csv = await timed(lambda: file(FileKind.CSV, r_year), reps)
        excel_all_s, _ = await timed(lambda: export(FileKind.EXCEL, year), reps)
        word_all_s, _ = await timed(lambda: export(FileKind.WORD, year), reps)
        # As the running bot makes files: in a short-lived child process (its start, the
        # imports and the roll-up's pickling included).
        in_child = ReportService(store, TemplateService(store), offload=ChildProcess())

        async def export_in_child(kind: FileKind, span: Span) -> bytes:
            in_child.prepare_file(kind)  # as /xuat does: the children start during the roll-up
            r = await in_child.rollup(campaign, span, now)
            doc = await in_child.file(kind, r, workspace, issued_on=now.date(), tz=TZ)
            return doc.content

        excel_child_s, _ = await timed(lambda: export_in_child(FileKind.EXCEL, year), reps)
        word_child_s, _ = await timed(lambda: export_in_child(FileKind.WORD, year), reps)

        kib = 1024
        out.append(
            line("Excel workbook, year", excel_s, EXPORT_TARGET_S, f"{len(book) // kib} KiB")
        )
        out.append(
            line("Word report, quarter IV (with chart)", word_q_s, None, f"{len(doc_q) // kib} KiB")
        )
        out.append(
            line(
                "Word report, year (with chart)",
                word_y_s,
                EXPORT_TARGET_S,
                f"{len(doc_y) // kib} KiB",
            )
        )
        out.append(line("  of which the chart (PNG)", chart_s, None))
        out.append(line("CSV, year", csv_s, None, f"{len(csv) // kib} KiB"))
        out.append(line("/xuat excel năm: roll-up + workbook", excel_all_s, EXPORT_TARGET_S))
        out.append(line("/xuat word năm: roll-up + chart + report", word_all_s, EXPORT_TARGET_S))
        out.append(line("/xuat excel năm as the bot runs it (child process)", excel_child_s, None))
        out.append(line("/xuat word năm as the bot runs it (child process)", word_child_s, None))

        # Memory while the workbook is made (Python allocations, traced; slower, so apart).
        gc.collect()
        tracemalloc.start()
        await file(FileKind.EXCEL, r_year)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.append(
            f"{'Excel workbook, year: peak traced memory':<58} {peak / 2**20:>10.1f} MiB"
            f"  (process peak RSS {_peak_rss_mib():.0f} MiB)"
        )
    finally:
        await store.close()
    return out


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


async def run(communes: int = 99, reps: int = 3, db: Path | None = None) -> list[str]:
    """Seeds (or reuses ``db``), measures, returns the lines to print."""
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        path = Path(tmp) / "province.db"
        lines: list[str] = []
        if db is not None and os.path.exists(db):  # noqa: ASYNC240 (a benchmark's set-up)
            shutil.copy(db, path)
            lines.append(f"reusing {db}")
        else:
            seconds = await seed(path, communes)
            lines.append(line(f"seeding the province ({communes} communes, a year)", seconds, None))
            if db is not None:
                shutil.copy(path, db)
        lines += await measure(path, reps)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__)
    parser.add_argument("--communes", type=int, default=99, help="communes (99: 600 units)")
    parser.add_argument("--reps", type=int, default=3, help="timed repetitions (median)")
    parser.add_argument("--db", type=Path, help="keep the seeded database here and reuse it")
    args = parser.parse_args(argv)
    for text in asyncio.run(run(args.communes, args.reps, args.db)):
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
