"""Per-period totals kept beside the reports (``bot.core.digest.PeriodTotals``), shared by
the weekly digest (its cumulative section and previous period) and the summary roll-up of a
long span (``/tonghop năm`` for the whole workspace).

A period whose stored totals are missing or stale (its reports changed, or the template's
form did: see ``totals_signature``) is computed once from its reports and kept, under the
generation read before the reports were loaded: if they changed meanwhile, nothing is kept
and the next reader computes again. So a year's totals are read as 52 small rows, and only
the weeks that changed since are read as reports.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.digest import PeriodTotals, period_totals, totals_signature
from bot.core.models import Campaign
from bot.core.periods import Period
from bot.core.template import Template
from bot.services.collector import collector_paused
from bot.services.ports import Store, StoredTotals

__all__ = ["KeptTotals"]


class KeptTotals:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def resolve(
        self, campaign: Campaign, template: Template, signature: str, stored: StoredTotals
    ) -> PeriodTotals:
        """A period's totals: as stored, or computed from its reports and kept."""
        if stored.totals is not None:
            return stored.totals
        with collector_paused():  # a week's reports decoded (20,000 at national scale)
            versions = await self._store.submissions.current(campaign.id, stored.period)
            totals = period_totals(template, stored.period, versions)
        await self._store.totals.put(campaign.id, totals, stored.generation, signature)
        return totals

    async def in_range(
        self,
        campaign: Campaign,
        template: Template,
        first: Period,
        last: Period,
        wanted: Callable[[Period], bool] = lambda _: True,
    ) -> list[PeriodTotals]:
        """The totals of every ``wanted`` period from ``first`` to ``last`` that has
        reports, in order (periods without reports have none: their totals are zero)."""
        signature = totals_signature(template)
        stored = await self._store.totals.in_range(campaign.id, first, last, signature)
        return [
            await self.resolve(campaign, template, signature, s) for s in stored if wanted(s.period)
        ]
