"""Building a period's digest and completeness from storage (the core computes, this loads)."""

from __future__ import annotations

from datetime import datetime

from bot.core.digest import Completeness, Digest, compute_completeness, compute_digest
from bot.core.models import Campaign, OrgUnit
from bot.core.periods import Period
from bot.services import periods as cal
from bot.services.ports import Store
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
        subs = self._store.submissions
        current = await subs.current(campaign.id, period)
        previous = await subs.current(campaign.id, period.prev())
        first = min(cal.first_period(campaign), period)
        cumulative = await subs.current_in_range(campaign.id, first, period)
        return compute_digest(
            template=template,
            orgs=orgs,
            period=period,
            deadline=cal.times(campaign, period).deadline,
            current=current,
            previous=previous,
            cumulative=cumulative,
            now=now,
            campaign_name=campaign.name,
            other_orgs=others,
            cumulative_from=first,
            exempt_org_ids=await self._store.calendar.exempt_orgs(campaign.id, period),
        )

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
