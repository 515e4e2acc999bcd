"""Building a period's digest and completeness from storage (the core computes, this loads)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.digest import (
    Completeness,
    Digest,
    LevelStatus,
    compute_completeness,
    compute_digest,
)
from bot.core.hierarchy import Hierarchy
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
        """Who must report: the active reporting units (under active levels), in the
        tree's display order (the order they were added, for a single-level group)."""
        everyone = await self._store.orgs.all(campaign.workspace_id, include_inactive=True)
        return Hierarchy(everyone).reporting()

    async def _split_orgs(
        self, campaign: Campaign
    ) -> tuple[list[OrgUnit], list[OrgUnit], Hierarchy]:
        """Expected units and the others (named if they reported anyway). In a multi-level
        workspace names that repeat from commune to commune carry their commune."""
        everyone = await self._store.orgs.all(campaign.workspace_id, include_inactive=True)
        tree = Hierarchy(everyone)
        expected = tree.reporting()
        ids = {o.id for o in expected}
        others = [o for o in everyone if o.id not in ids]
        if tree.has_levels:
            expected = [replace(o, short_name=tree.full_name(o)) for o in expected]
            others = [replace(o, short_name=tree.full_name(o)) for o in others]
        return expected, others, tree

    async def digest(self, campaign: Campaign, period: Period, now: datetime) -> Digest:
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        orgs, others, tree = await self._split_orgs(campaign)
        subs = self._store.submissions
        current = await subs.current(campaign.id, period)
        previous = await subs.current(campaign.id, period.prev())
        first = min(cal.first_period(campaign), period)
        cumulative = await subs.current_in_range(campaign.id, first, period)
        digest = compute_digest(
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
        if not tree.has_levels:
            return digest
        return replace(digest, levels=tuple(level_status(tree, digest.completeness)))

    async def completeness(self, campaign: Campaign, period: Period, now: datetime) -> Completeness:
        orgs, others, _ = await self._split_orgs(campaign)
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
