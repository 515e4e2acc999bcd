"""Building a period's digest and completeness from storage (the core computes, this loads).

The digest reads the period's reports; the previous period and the cumulative section come
from per-period totals (``bot.core.digest.PeriodTotals``) kept in storage: a period whose
totals are missing or stale (its reports changed, or the template's numeric form did) is
computed once from its reports and kept, if nothing changed meanwhile. A weekly digest at
week 52 thus reads one week of reports and 52 small rows, not a year of reports.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.digest import (
    Completeness,
    Digest,
    PeriodTotals,
    compute_completeness,
    compute_digest,
    period_totals,
    totals_signature,
)
from bot.core.models import Campaign, OrgUnit
from bot.core.periods import Period
from bot.core.template import Template
from bot.services import periods as cal
from bot.services.ports import Store, StoredTotals
from bot.services.templates import TemplateService


class DigestService:
    def __init__(self, store: Store, templates: TemplateService) -> None:
        self._store = store
        self._templates = templates

    async def expected_orgs(self, campaign: Campaign) -> list[OrgUnit]:
        """Who must report: the workspace's active organizations, in their display order."""
        return await self._store.orgs.all(campaign.workspace_id)

    async def _split_orgs(self, campaign: Campaign) -> tuple[list[OrgUnit], list[OrgUnit]]:
        """Active organizations (expected) and the others (named if they reported anyway)."""
        everyone = await self._store.orgs.all(campaign.workspace_id, include_inactive=True)
        return [o for o in everyone if o.active], [o for o in everyone if not o.active]

    async def digest(self, campaign: Campaign, period: Period, now: datetime) -> Digest:
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        orgs, others = await self._split_orgs(campaign)
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
        current = await self._store.submissions.current(campaign.id, period)
        current_totals = period_totals(template, period, current)
        here = stored.get(period)
        if here is not None and here.totals is None:
            await self._store.totals.put(campaign.id, current_totals, here.generation, signature)
        earlier = [
            await self._totals(campaign, template, signature, s)
            for p, s in stored.items()
            if first <= p < period
        ]
        previous = stored.get(period.prev())
        return compute_digest(
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
        )

    async def _totals(
        self, campaign: Campaign, template: Template, signature: str, stored: StoredTotals
    ) -> PeriodTotals:
        """A period's totals: as stored, or computed from its reports and kept."""
        if stored.totals is not None:
            return stored.totals
        versions = await self._store.submissions.current(campaign.id, stored.period)
        totals = period_totals(template, stored.period, versions)
        await self._store.totals.put(campaign.id, totals, stored.generation, signature)
        return totals

    async def completeness(self, campaign: Campaign, period: Period, now: datetime) -> Completeness:
        orgs, others = await self._split_orgs(campaign)
        current = await self._store.submissions.current(campaign.id, period)
        return compute_completeness(
            orgs=orgs,
            other_orgs=others,
            exempt_org_ids=await self._store.calendar.exempt_orgs(campaign.id, period),
            period=period,
            deadline=cal.times(campaign, period).deadline,
            current=current,
            now=now,
        )
