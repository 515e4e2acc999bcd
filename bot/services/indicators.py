"""Indicators from storage: reference values and targets as admins set them, and the
indicator summaries of a digest or a roll-up (the core computes, this loads).

Reference values and targets live in one append-only table (migration 0007): setting a
value adds a row and removing one adds a row without a value, so the history of who set
what and when stays; the current values are the latest rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from bot.core.indicator_spec import Basis
from bot.core.indicators import IndicatorSummary, compute_indicators, scope_chain
from bot.core.models import Campaign, OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.rollup import Span
from bot.core.template import Template
from bot.services import periods as cal
from bot.services.ports import IndicatorValue, Store

__all__ = ["REFERENCE", "TARGET", "IndicatorService", "span_scopes"]

REFERENCE = "reference"
TARGET = "target"


def span_scopes(span: Span) -> list[str]:
    """The scope chain of a roll-up's span: its period's, or for a range of days the year
    holding its last day."""
    if span.period is not None:
        return scope_chain(span.period)
    return [Period.containing(PeriodType.YEAR, span.last_day).key, ""]


def _by_org(versions: Iterable[SubmissionVersion]) -> dict[int, list[SubmissionVersion]]:
    out: dict[int, list[SubmissionVersion]] = {}
    for v in versions:
        out.setdefault(v.org_id, []).append(v)
    return out


class IndicatorService:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- values -------------------------------------------------------------------------
    async def set_value(
        self,
        workspace_id: int,
        kind: str,
        key: str,
        org_id: int | None,
        scope: str,
        value: Decimal | None,
        actor: str,
        now: datetime,
    ) -> IndicatorValue:
        return await self._store.indicator_values.set(
            workspace_id, kind, key, org_id, scope, value, actor, now
        )

    async def current(self, workspace_id: int, kind: str) -> list[IndicatorValue]:
        return await self._store.indicator_values.current(workspace_id, kind)

    async def history(self, workspace_id: int, kind: str, key: str) -> list[IndicatorValue]:
        return await self._store.indicator_values.history(workspace_id, kind, key)

    async def _resolved(
        self, workspace_id: int, scopes: Sequence[str]
    ) -> tuple[
        dict[str, dict[int, Decimal]],
        dict[str, dict[tuple[int | None, str], Decimal]],
    ]:
        """References chosen for the period (the most specific scope per unit) and every
        current target by (unit, scope)."""
        rank = {s: i for i, s in enumerate(scopes)}
        refs: dict[str, dict[int, tuple[int, Decimal]]] = {}
        for v in await self.current(workspace_id, REFERENCE):
            if v.org_id is None or v.scope not in rank or v.value is None:
                continue
            here = refs.setdefault(v.key, {})
            best = here.get(v.org_id)
            if best is None or rank[v.scope] < best[0]:
                here[v.org_id] = (rank[v.scope], v.value)
        targets: dict[str, dict[tuple[int | None, str], Decimal]] = {}
        for v in await self.current(workspace_id, TARGET):
            if v.value is not None:
                targets.setdefault(v.key, {})[(v.org_id, v.scope)] = v.value
        return (
            {k: {o: val for o, (_, val) in m.items()} for k, m in refs.items()},
            targets,
        )

    # -- summaries ----------------------------------------------------------------------
    async def for_period(
        self,
        campaign: Campaign,
        template: Template,
        period: Period,
        orgs: Sequence[OrgUnit],
        current: Sequence[SubmissionVersion],
    ) -> tuple[IndicatorSummary, ...]:
        """The indicators of a digest: ``orgs`` in display order, ``current`` the period's
        current reports."""
        if not template.indicators:
            return ()
        cumulative: Mapping[int, Sequence[SubmissionVersion]] = {}
        if any(i.basis is Basis.CUMULATIVE for i in template.indicators):
            first = min(cal.first_period(campaign), period)
            cumulative = _by_org(
                await self._store.submissions.current_in_range(campaign.id, first, period)
            )
        scopes = scope_chain(period)
        refs, targets = await self._resolved(campaign.workspace_id, scopes)
        return compute_indicators(
            template=template,
            orgs=orgs,
            versions=_by_org(current),
            cumulative=cumulative,
            references=refs,
            targets=targets,
            scopes=scopes,
        )

    async def for_span(
        self,
        campaign: Campaign,
        template: Template,
        span: Span,
        periods: Sequence[Period],
        orgs: Sequence[OrgUnit],
        versions: Sequence[SubmissionVersion],
    ) -> tuple[IndicatorSummary, ...]:
        """The indicators of a roll-up over ``span``: ``periods`` the counted periods,
        ``orgs`` the units in scope, ``versions`` current reports (any periods)."""
        if not template.indicators:
            return ()
        keys = {p.key for p in periods}
        ids = {o.id for o in orgs}
        window = [
            v
            for v in versions
            if v.period.key in keys and span.includes(v.period) and v.org_id in ids
        ]
        cumulative: Mapping[int, Sequence[SubmissionVersion]] = {}
        if any(i.basis is Basis.CUMULATIVE for i in template.indicators) and periods:
            first = min(cal.first_period(campaign), periods[0])
            last = periods[-1]
            everything = await self._store.submissions.current_in_range(campaign.id, first, last)
            cumulative = _by_org(v for v in everything if v.org_id in ids)
        scopes = span_scopes(span)
        refs, targets = await self._resolved(campaign.workspace_id, scopes)
        return compute_indicators(
            template=template,
            orgs=orgs,
            versions=_by_org(window),
            cumulative=cumulative,
            references=refs,
            targets=targets,
            scopes=scopes,
        )
