"""Building a period's digest and completeness from storage (the core computes, this loads).

The digest reads the period's reports; the previous period and the cumulative section come
from per-period totals (``bot.core.digest.PeriodTotals``) kept in storage: a period whose
totals are missing or stale (its reports changed, or the template's numeric form did) is
computed once from its reports and kept, if nothing changed meanwhile. A weekly digest at
week 52 thus reads one week of reports and 52 small rows, not a year of reports.

The period's own reports are kept ready as they are stored (``KeptWeeks``, see
``bot.core.board``): a digest or a completeness check reads them from storage only when the
week is not kept or storage changed beside it.
"""

from __future__ import annotations

import operator
from dataclasses import replace
from datetime import datetime

from bot.core.board import WeekBoard
from bot.core.checklist import ChecklistDigest, compute_checklist_digest
from bot.core.digest import (
    Completeness,
    Digest,
    LevelStatus,
    PeriodTotals,
    compute_completeness,
    compute_digest,
    totals_signature,
)
from bot.core.hierarchy import Hierarchy
from bot.core.models import Campaign, OrgUnit
from bot.core.periods import Period
from bot.core.template import Template
from bot.services import periods as cal
from bot.services.collector import collector_paused
from bot.services.directives import DirectiveService
from bot.services.indicators import IndicatorService
from bot.services.kept_weeks import KeptWeeks
from bot.services.ports import Store, StoredTotals
from bot.services.templates import TemplateService
from bot.services.totals import KeptTotals


class DigestService:
    def __init__(self, store: Store, templates: TemplateService) -> None:
        self._store = store
        self._templates = templates
        self._indicators = IndicatorService(store)
        self._kept = KeptTotals(store)
        # The weeks being reported on, kept ready and followed report by report.
        self.weeks = KeptWeeks(self._template_of)
        self._splits: dict[
            tuple[int, str, datetime, bool],
            tuple[list[OrgUnit], tuple[list[OrgUnit], list[OrgUnit], Hierarchy]],
        ] = {}
        self._unlisten = store.submissions.listen(self.weeks.stored)

    def close(self) -> None:
        self._unlisten()
        self.weeks.close()

    async def _template_of(self, campaign_id: int) -> Template | None:
        campaign = await self._store.campaigns.get(campaign_id)
        if campaign is None:
            return None
        return await self._templates.get(campaign.workspace_id, campaign.template_key)

    async def _week(
        self, campaign: Campaign, template: Template, period: Period, generation: int
    ) -> WeekBoard:
        """The period's current reports, prepared, with their totals: kept from an earlier
        digest and followed since (``KeptWeeks``), or read now and kept. ``generation``
        is storage's, read before this call (-1: the period has no report)."""
        board = self.weeks.get(campaign.id, period, template, generation)
        if board is None:
            current = await self._store.submissions.current(campaign.id, period)
            built = board = WeekBoard(template, period, current, generation)
            # Kept once what it was read from is committed: a digest inside a transaction
            # (a command's) sees that transaction's own writes, which a rollback undoes.
            self._store.after_commit(lambda: self.weeks.keep(campaign.id, built))
        return board

    async def expected_orgs(self, campaign: Campaign, period: Period) -> list[OrgUnit]:
        """Who must report for ``period``: the active reporting units (under active levels)
        that it expects (added before its deadline, not stopped when it came), in the
        tree's display order (the order they were added, for a single-level group); nobody
        for a skipped period."""
        if await self._store.calendar.is_skipped(campaign.id, period):
            return []
        everyone = await self._store.orgs.all(campaign.workspace_id, include_inactive=True)
        return _expected(_tree(everyone, campaign, period), campaign, period)

    async def _split_orgs(
        self, campaign: Campaign, period: Period, skipped: bool
    ) -> tuple[list[OrgUnit], list[OrgUnit], Hierarchy]:
        """Units expected for ``period`` (none when it was ``skipped``) and the others
        (named if they reported anyway). In a multi-level workspace names that repeat from
        commune to commune carry their commune.

        Remembered while the workspace's units are the same objects (the repository makes
        new ones when any unit changes): at national scale the tree and who is expected
        take ~80 ms to work out, a digest's largest part once its week is kept."""
        everyone = await self._store.orgs.all(campaign.workspace_id, include_inactive=True)
        # The deadline too: who is expected depends on it (a changed schedule moves it).
        key = (campaign.workspace_id, period.key, cal.times(campaign, period).deadline, skipped)
        hit = self._splits.get(key)
        if hit is not None and _same(hit[0], everyone):
            return hit[1]
        tree = _tree(everyone, campaign, period)
        expected = [] if skipped else _expected(tree, campaign, period)
        ids = {o.id for o in expected}
        others = [o for o in everyone if o.id not in ids]
        if tree.has_levels:
            expected = [replace(o, short_name=tree.full_name(o)) for o in expected]
            others = [replace(o, short_name=tree.full_name(o)) for o in others]
        result = (expected, others, tree)
        if len(self._splits) >= 8:
            self._splits.pop(next(iter(self._splits)))
        self._splits[key] = (everyone, result)
        return result

    async def digest(self, campaign: Campaign, period: Period, now: datetime) -> Digest:
        # Thousands of reports decoded and a row per unit: no cycles to collect meanwhile.
        with collector_paused():
            return await self._digest(campaign, period, now)

    async def _digest(self, campaign: Campaign, period: Period, now: datetime) -> Digest:
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        skipped = await self._store.calendar.is_skipped(campaign.id, period)
        orgs, others, tree = await self._split_orgs(campaign, period, skipped)
        first = min(cal.first_period(campaign), period)
        signature = totals_signature(template)
        # Read before the reports: totals computed from reports that changed after this
        # read are not kept (their generation moved on).
        stored = {
            s.period: s
            for s in await self._store.totals.in_range(
                campaign.id, min(first, period.prev()), period, signature
            )
        }
        here = stored.get(period)
        board = await self._week(
            campaign, template, period, -1 if here is None else here.generation
        )
        # Taken together, now: replies stored during the awaits below change the board.
        prepared = dict(board.prepared)
        current = board.versions()
        current_totals = board.totals()
        if here is not None and here.totals is None:
            await self._store.totals.put(campaign.id, current_totals, here.generation, signature)
        earlier = [
            await self._totals(campaign, template, signature, s)
            for p, s in stored.items()
            if first <= p < period
        ]
        previous = stored.get(period.prev())
        digest = compute_digest(
            template=template,
            orgs=orgs,
            period=period,
            deadline=cal.times(campaign, period).deadline,
            current=current,
            previous=(),
            cumulative=(),
            now=now,
            campaign_name=campaign.name,
            other_orgs=others,
            cumulative_from=first,
            exempt_org_ids=await self._store.calendar.exempt_orgs(campaign.id, period),
            current_totals=current_totals,
            previous_totals=(
                PeriodTotals(period.prev(), 0)
                if previous is None
                else await self._totals(campaign, template, signature, previous)
            ),
            cumulative_totals=[*earlier, current_totals],
            prepared=prepared,
        )
        if skipped:
            digest = replace(digest, completeness=replace(digest.completeness, skipped=True))
        directives = await DirectiveService(self._store, campaign.timezone).progress(
            campaign, period, orgs
        )
        if directives:
            digest = replace(digest, directives=directives)
        if template.checklist is not None:
            digest = replace(digest, checklist=await self._checklist(campaign, digest))
        if template.indicators:
            shown = [*orgs, *(r.org for r in digest.completeness.extra)]
            digest = replace(
                digest,
                indicators=await self._indicators.for_period(
                    campaign, template, period, shown, current
                ),
            )
        if not tree.has_levels:
            return digest
        return replace(digest, levels=tuple(level_status(tree, digest.completeness)))

    async def _checklist(self, campaign: Campaign, digest: Digest) -> ChecklistDigest | None:
        """Each unit's class this period and in the previous one (read only for checklists:
        one more period of reports, the units of both periods by id)."""
        before = await self._store.submissions.current(campaign.id, digest.period.prev())
        orgs = {r.org.id: r.org for r in digest.rows}
        missing = {v.org_id for v in before} - set(orgs)
        if missing:
            everyone = await self._store.orgs.all(campaign.workspace_id, include_inactive=True)
            orgs.update({o.id: o for o in everyone if o.id in missing})
        return compute_checklist_digest(
            digest.template,
            [(r.org, r.values) for r in digest.rows],
            [(orgs[v.org_id], v.values) for v in before if v.org_id in orgs],
        )

    async def _totals(
        self, campaign: Campaign, template: Template, signature: str, stored: StoredTotals
    ) -> PeriodTotals:
        """A period's totals: as stored, or computed from its reports and kept."""
        return await self._kept.resolve(campaign, template, signature, stored)

    async def completeness(self, campaign: Campaign, period: Period, now: datetime) -> Completeness:
        skipped = await self._store.calendar.is_skipped(campaign.id, period)
        orgs, others, _ = await self._split_orgs(campaign, period, skipped)
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        generation = await self._store.totals.generation(campaign.id, period)
        current = (await self._week(campaign, template, period, generation)).versions()
        return compute_completeness(
            orgs=orgs,
            other_orgs=others,
            exempt_org_ids=await self._store.calendar.exempt_orgs(campaign.id, period),
            period=period,
            deadline=cal.times(campaign, period).deadline,
            current=current,
            now=now,
            skipped=skipped,
        )


def _tree(everyone: list[OrgUnit], campaign: Campaign, period: Period) -> Hierarchy:
    """The units as ``period`` saw them: a unit stopped after its deadline still counts."""
    return Hierarchy(everyone, stopped_since=cal.times(campaign, period).deadline)


def _same(a: list[OrgUnit], b: list[OrgUnit]) -> bool:
    """The same unit objects, in the same order."""
    return len(a) == len(b) and all(map(operator.is_, a, b))


def _expected(tree: Hierarchy, campaign: Campaign, period: Period) -> list[OrgUnit]:
    """The reporting units of ``tree`` that ``period`` expects: added before its deadline,
    not stopped when it came (``OrgUnit.expected_by``)."""
    deadline = cal.times(campaign, period).deadline
    return [o for o in tree.reporting() if o.expected_by(deadline)]


def level_status(tree: Hierarchy, c: Completeness) -> list[LevelStatus]:
    """For each grouping unit, how many of the expected units beneath it reported."""
    expected = {o.id for o in c.expected}
    reported = {r.org.id for r in c.reported}
    out: list[LevelStatus] = []
    for node in tree.groups():
        under = [o.id for o in tree.reporting(node.org.id) if o.id in expected]
        if under:
            done = sum(1 for i in under if i in reported)
            out.append(LevelStatus(node.org, node.depth, len(under), done))
    return out
