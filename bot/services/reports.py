"""Roll-ups and report files from storage: the use cases behind ``/tonghop quý IV``,
``/xuat word``, ``/lichsu``, ``/chuyencan``, the digest's chart and the scheduled monthly
and quarterly roll-ups.

Loading is done here (one range query for the span and the span before it, one query per
period for exemptions); computing is ``bot.core.rollup``. A roll-up is either detailed
(every report of both spans, decoded: what files, ``/lichsu``, ``/chuyencan``, a unit's or a
commune's roll-up, checklists and indicators need) or, when the caller only shows the chat
text of the whole workspace, a summary from the kept per-period totals and a count of the
periods each unit reported (``detail=False``: a national year in well under a second
instead of a minute; see ``bot.core.rollup``). Files are made by
``bot.services.exports`` in a worker thread, so a Word report being written never stalls
the event loop that is taking other people's replies.
"""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.core.digest import Digest
from bot.core.events import OutDocument
from bot.core.hierarchy import Hierarchy
from bot.core.letterhead import Letterhead, level_prefix
from bot.core.models import Campaign, OrgUnit, Workspace
from bot.core.periods import Period, PeriodType
from bot.core.rollup import PeriodInfo, Rollup, Span, compute_rollup, compute_rollup_summary
from bot.core.template import Template
from bot.core.text import fold
from bot.services import periods as cal
from bot.services.collector import collector_paused
from bot.services.exports.offload import Offload, in_thread, warm
from bot.services.indicators import IndicatorService
from bot.services.ports import Store
from bot.services.templates import TemplateService
from bot.services.totals import KeptTotals

__all__ = ["FileKind", "ReportService", "file_kind", "scheduled_rollups"]

ROLLUPS_SETTING = "rollups"
# Channels whose bot API cannot upload files (Zalo's sendPhoto takes a URL and there is no
# sendDocument): they get the text only, with a word on where the files are.
NO_FILE_CHANNELS = frozenset({"zalo"})
# Weeks of trend drawn under the digest's chart.
TREND_WEEKS = 8


class FileKind(enum.StrEnum):
    WORD = "word"
    EXCEL = "excel"
    CSV = "csv"
    CHART = "bieudo"

    @property
    def label(self) -> str:
        return {
            FileKind.WORD: "báo cáo Word",
            FileKind.EXCEL: "bảng tính Excel",
            FileKind.CSV: "tệp CSV",
            FileKind.CHART: "biểu đồ",
        }[self]


_KIND_WORDS = {
    "word": FileKind.WORD,
    "docx": FileKind.WORD,
    "baocao": FileKind.WORD,
    "van ban": FileKind.WORD,
    "vanban": FileKind.WORD,
    "excel": FileKind.EXCEL,
    "xlsx": FileKind.EXCEL,
    "bang tinh": FileKind.EXCEL,
    "csv": FileKind.CSV,
    "bieu do": FileKind.CHART,
    "bieudo": FileKind.CHART,
    "chart": FileKind.CHART,
    "png": FileKind.CHART,
}


def file_kind(word: str) -> FileKind | None:
    return _KIND_WORDS.get(" ".join(fold(word).split()))


def _slug(text: str) -> str:
    out = []
    for ch in fold(text):
        out.append(ch if ch.isalnum() else "-")
    return "-".join(p for p in "".join(out).split("-") if p)


def file_name(kind: FileKind, r: Rollup) -> str:
    """ "bao-cao-quy-iv-2026.docx", "tong-hop-nam-2026-xa-tan-bien.xlsx"."""
    stem = {
        FileKind.WORD: "bao-cao",
        FileKind.EXCEL: "tong-hop",
        FileKind.CSV: "so-lieu",
        FileKind.CHART: "bieu-do",
    }[kind]
    parts = [stem, _slug(r.span.label())]
    if r.scope is not None:
        parts.append(_slug(r.scope.code))
    ext = {
        FileKind.WORD: "docx",
        FileKind.EXCEL: "xlsx",
        FileKind.CSV: "csv",
        FileKind.CHART: "png",
    }
    return f"{'-'.join(parts)}.{ext[kind]}"


_ORDER = [PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF, PeriodType.YEAR]
# The roll-ups sent on schedule, by slot (the slot is saved with the cycle step, so the
# order must not change; new kinds go at the end).
ROLLUP_TYPES = (PeriodType.MONTH, PeriodType.QUARTER)


def _anchor(p: Period) -> date:
    """The day that decides which longer period ``p`` belongs to (a week's Thursday)."""
    return p.start + timedelta(days=3) if p.type is PeriodType.WEEK else p.start


def scheduled_rollups(period: Period) -> list[tuple[int, Period]]:
    """The scheduled roll-ups that ``period`` completes, with their slots: after the last
    week of November, November (slot 0); after the last week of December, December and the
    fourth quarter (slot 1). Only kinds longer than ``period`` count."""
    out: list[tuple[int, Period]] = []
    for slot, kind in enumerate(ROLLUP_TYPES):
        if _ORDER.index(kind) <= _ORDER.index(period.type):
            continue
        container = Period.containing(kind, _anchor(period))
        if not container.start <= _anchor(period.next()) < container.end:
            out.append((slot, container))
    return out


_EXCEL_MODULES = ("bot.services.exports.excel", "xlsxwriter")
_CHART_MODULES = (
    "bot.services.exports.charts",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.ticker",
    "matplotlib.layout_engine",
)
_WORD_MODULES = ("bot.services.exports.word", "docx")
# What a file's children import (the first module: where the function made there lives).
_WARM: dict[FileKind, tuple[tuple[str, ...], ...]] = {
    FileKind.EXCEL: (_EXCEL_MODULES,),
    FileKind.CSV: (_EXCEL_MODULES,),
    FileKind.CHART: (_CHART_MODULES,),
    FileKind.WORD: (_CHART_MODULES, _WORD_MODULES),
}


class ReportService:
    def __init__(
        self, store: Store, templates: TemplateService, *, offload: Offload = in_thread
    ) -> None:
        self._store = store
        self._templates = templates
        # Where files are made (bot/services/exports/offload.py): a child process in the
        # running bot, so the memory of matplotlib and of a year's document goes back.
        self._offload = offload
        self._indicators = IndicatorService(store)
        self._kept = KeptTotals(store)

    @property
    def offload(self) -> Offload:
        """Where this service makes files; other file makers (the emulation registry's
        lists) use the same."""
        return self._offload

    async def hierarchy(
        self, workspace_id: int, *, stopped_since: datetime | None = None
    ) -> Hierarchy:
        """The workspace's units; ``stopped_since``: see ``Hierarchy``."""
        return Hierarchy(
            await self._store.orgs.all(workspace_id, include_inactive=True),
            stopped_since=stopped_since,
        )

    async def scheduled_kinds(self, workspace_id: int) -> set[PeriodType]:
        """Which roll-ups go to the leadership on schedule (``/baocaodinhky``); both the
        monthly and the quarterly one unless an admin said otherwise."""
        raw = (await self._store.settings.all(workspace_id)).get(ROLLUPS_SETTING)
        if raw is None:
            return set(ROLLUP_TYPES)
        return {PeriodType(v) for v in raw.split(",") if v in {t.value for t in ROLLUP_TYPES}}

    async def letterhead(self, workspace: Workspace, level: OrgUnit | None = None) -> Letterhead:
        """The workspace's letterhead, or a lower level's own (``level``: a commune), which
        starts from the commune's defaults, never from the province's settings."""
        settings = await self._store.settings.all(workspace.id)
        if level is None:
            return Letterhead.from_settings(settings).with_defaults(workspace.name)
        tree = await self.hierarchy(workspace.id)
        above = tree.parent_of(level.id)
        base = Letterhead.for_level(level.name, above.name if above else workspace.name)
        return base.with_settings(settings, level_prefix(level.id))

    async def letterhead_level(self, workspace: Workspace, scope: OrgUnit | None) -> OrgUnit | None:
        """The level whose letterhead a report on ``scope`` carries: the nearest grouping
        unit at or above it, unless that is the workspace's single top unit (the province,
        whose letterhead is the workspace's)."""
        if scope is None:
            return None
        tree = await self.hierarchy(workspace.id)
        groups = [o for o in tree.path(scope.id) if not o.reports]
        if not groups:
            return None
        level = groups[-1]
        roots = tree.children(None)
        if len(roots) == 1 and roots[0].id == level.id:
            return None
        return level

    async def _period_infos(self, campaign: Campaign, span: Span) -> list[PeriodInfo]:
        """The span's periods from the campaign's first, skipped ones marked (their reports
        count in the figures; nobody is expected for them)."""
        first = cal.first_period(campaign)
        skipped = {p.key for p, _ in await self._store.calendar.skipped(campaign.id)}
        out: list[PeriodInfo] = []
        for p in span.source_periods(campaign.period_type):
            if p < first:
                continue
            out.append(
                PeriodInfo(
                    p,
                    cal.times(campaign, p).deadline,
                    await self._store.calendar.exempt_orgs(campaign.id, p),
                    skipped=p.key in skipped,
                )
            )
        return out

    async def rollup(
        self,
        campaign: Campaign,
        span: Span,
        now: datetime,
        *,
        scope_id: int | None = None,
        previous: bool = True,
        indicators: bool = True,
        detail: bool = True,
    ) -> Rollup:
        """The roll-up of ``span``. ``detail=False``: the caller shows only the chat text
        (``render_rollup``), so a summary is made when it gives exactly that text: for the
        whole workspace (the kept totals are the workspace's), without a checklist (its
        classes are per unit) and without indicators to show (they read the reports). The
        result says which it is (``Rollup.detail``)."""
        # A province's year is 30,000 reports decoded: no cycles to collect meanwhile.
        with collector_paused():
            return await self._rollup(
                campaign,
                span,
                now,
                scope_id=scope_id,
                previous=previous,
                indicators=indicators,
                detail=detail,
            )

    async def _rollup(
        self,
        campaign: Campaign,
        span: Span,
        now: datetime,
        *,
        scope_id: int | None,
        previous: bool,
        indicators: bool,
        detail: bool,
    ) -> Rollup:
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        infos = await self._period_infos(campaign, span)
        # A unit stopped during the span is expected for the periods due before its stop.
        hierarchy = await self.hierarchy(
            campaign.workspace_id,
            stopped_since=min((i.deadline for i in infos if not i.skipped), default=None),
        )
        if (
            not detail
            and scope_id is None
            and template.checklist is None
            and not (template.indicators and indicators)
        ):
            return await self._summary(campaign, template, hierarchy, span, infos, now, previous)
        load_from = span.previous() if previous else span
        sources = load_from.source_periods(campaign.period_type) + span.source_periods(
            campaign.period_type
        )
        versions = (
            await self._store.submissions.current_in_range(campaign.id, sources[0], sources[-1])
            if sources
            else []
        )
        r = compute_rollup(
            template=template,
            hierarchy=hierarchy,
            span=span,
            periods=infos,
            versions=versions,
            now=now,
            scope_id=scope_id,
            campaign_name=campaign.name,
            previous=versions if previous else None,
        )
        if not template.indicators or not indicators:
            return r
        shown = [replace(line.org, short_name=r.name(line.org)) for line in r.lines]
        found = await self._indicators.for_span(
            campaign, template, span, r.periods, shown, versions
        )
        return replace(r, indicators=found)

    async def _summary(
        self,
        campaign: Campaign,
        template: Template,
        hierarchy: Hierarchy,
        span: Span,
        infos: list[PeriodInfo],
        now: datetime,
        previous: bool,
    ) -> Rollup:
        """The whole workspace's roll-up from kept per-period totals (both spans, one
        read) and one count per unit of the due periods it reported."""
        ptype = campaign.period_type
        counted = {i.period.key for i in infos}
        prev_span = span.previous()
        sources = span.source_periods(ptype)
        first = (prev_span if previous else span).source_periods(ptype)[:1] or sources[:1]
        totals = (
            await self._kept.in_range(
                campaign,
                template,
                first[0],
                sources[-1],
                lambda p: p.key in counted or (previous and prev_span.includes(p)),
            )
            if sources and first
            else []
        )
        # Skipped periods expect nobody: their units are counted with those not yet due
        # (for the per-period columns), never as due.
        due = [i.period for i in infos if i.deadline <= now and not i.skipped]
        not_due = [i.period for i in infos if i.deadline > now or i.skipped]
        return compute_rollup_summary(
            template=template,
            hierarchy=hierarchy,
            span=span,
            periods=infos,
            totals=totals,
            reported=await self._store.submissions.reported_by_org(campaign.id, due),
            now=now,
            campaign_name=campaign.name,
            previous=totals if previous else None,
            pending=await self._store.submissions.reported_by_org(campaign.id, not_due)
            if not_due
            else (),
        )

    async def trend(self, campaign: Campaign, period: Period, now: datetime) -> Rollup:
        """The weeks (or months) up to ``period``, for the chart under a digest: a summary
        (its per-period columns from the kept totals) where one can be made, so the bot
        does not decode eight weeks of reports at each weekly close (at a province 4,800
        reports, 25 MiB of the bot's memory kept after; at national scale 160,000)."""
        first = period.shift(-(TREND_WEEKS - 1))
        span = Span(first.start, period.end)
        return await self.rollup(
            campaign, span, now, previous=False, indicators=False, detail=False
        )

    def prepare_file(self, kind: FileKind) -> None:
        """A file of ``kind`` is coming (its roll-up is computed first): the children that
        will make it start now (``offload.warm``), hiding their start behind the roll-up."""
        for modules in _WARM[kind]:
            warm(self._offload, modules)

    async def file(
        self,
        kind: FileKind,
        r: Rollup,
        workspace: Workspace,
        *,
        issued_on: date,
        tz: str,
    ) -> OutDocument:
        """One file of a roll-up (made in a worker thread; see the module docstring)."""
        r.require_detail("a file")
        name = file_name(kind, r)
        if kind is FileKind.EXCEL:
            from bot.services.exports.excel import rollup_workbook

            data = await self._offload(rollup_workbook, r, workspace_name=workspace.name, tz=tz)
        elif kind is FileKind.CSV:
            from bot.services.exports.excel import rollup_csv

            data = await self._offload(rollup_csv, r)
        elif kind is FileKind.CHART:
            from bot.services.exports.charts import rollup_chart

            data = await self._offload(rollup_chart, r)
            return OutDocument(name, data, kind="photo")
        else:
            from bot.services.exports.charts import rollup_chart
            from bot.services.exports.word import rollup_document

            level = await self.letterhead_level(workspace, r.scope)
            letterhead = await self.letterhead(workspace, level)
            chart = await self._offload(rollup_chart, r) if not r.empty else None
            data = await self._offload(
                rollup_document,
                r,
                letterhead,
                issued_on=issued_on,
                workspace_name=workspace.name,
                chart_png=chart,
            )
        return OutDocument(name, data)

    async def digest_chart(
        self, campaign: Campaign, digest: Digest, now: datetime
    ) -> OutDocument | None:
        """The PNG sent with a digest, or None when there is nothing to draw."""
        if digest.empty or not any(f.type.numeric for f in digest.template.all_fields()):
            return None
        from bot.services.exports.charts import digest_chart

        trend = await self.trend(campaign, digest.period, now)
        data = await self._offload(digest_chart, digest, trend)
        name = f"bieu-do-{_slug(digest.period.short_label())}.png"
        return OutDocument(name, data, kind="photo")
