"""Directives: sending them to the units, acknowledgements, reminders, answers, digests.

A directive is stored with the units it addresses and, in the same transaction, queued in
the outbox for each unit's reporters, on their channel, the way prompts reach them
(``bot.services.cycle``): one message per reporting group, mentioning the reporters of the
addressed units, and a private message to reporters whose channel has no reporting group.
The message carries a "Đã nhận" choice: a button on Telegram, the words to type on Zalo
and in the sandbox.

Reminders to units that have not acknowledged ride on the cycle's tick (``run_due``) and
are decided from saved state: a ``directive_steps`` row per reminder slot, written in the
transaction that queues the reminder, whose outbox rows carry dedupe keys
(``dir{id}:remind:{slot}:{channel}:{chat}``); a tick that runs twice, or after a restart,
sends nothing twice. Missed slots (the bot was down) collapse into the latest one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.directives import (
    Answer,
    Directive,
    DirectiveProgress,
    addressed_orgs,
    due_reminder,
    render_directive,
    render_prompt_block,
    render_reminder,
)
from bot.core.hierarchy import Hierarchy
from bot.core.messages_directives import CHOICE_ACK
from bot.core.models import Campaign, ChatPurpose, Member, OrgUnit, Role
from bot.core.periods import Period
from bot.services import periods as cal
from bot.services.ports import Store

log = logging.getLogger(__name__)

SEND = "send"
REMIND = "remind"
# Channels with buttons: their message says "bấm Đã nhận"; the others say what to type.
BUTTON_CHANNELS = frozenset({"telegram"})


@dataclass(frozen=True, slots=True)
class DirectiveTarget:
    channel: str
    chat_id: str
    group: bool
    org_ids: frozenset[int]  # the addressed units this chat reaches
    mention_user_ids: tuple[str, ...] = ()


class DirectiveService:
    def __init__(self, store: Store, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self._store = store
        self._tz = timezone

    # -- who -----------------------------------------------------------------------------
    async def reporting_units(self, workspace_id: int) -> list[OrgUnit]:
        """The active reporting units, named so that each is told apart ("Hội ND (Xã Tân
        Hòa)" where every commune has a "Hội ND")."""
        everyone = await self._store.orgs.all(workspace_id, include_inactive=True)
        return named(Hierarchy(everyone), Hierarchy(everyone).reporting())

    async def targets(self, workspace_id: int, org_ids: Sequence[int]) -> list[DirectiveTarget]:
        """Groups get one message naming the reporters of the addressed units; reporters
        whose channel has no reporting group get their own (as the prompts do)."""
        wanted = set(org_ids)
        members = [
            m
            for m in await self._store.members.all(workspace_id)
            if m.org_id in wanted and m.role is not Role.LEADER
        ]
        groups = await self._store.chats.for_workspace(workspace_id, ChatPurpose.REPORTING)
        group_channels = {g.channel for g in groups}
        out: list[DirectiveTarget] = []
        for g in groups:
            here = [m for m in members if m.channel == g.channel]
            out.append(
                DirectiveTarget(
                    g.channel,
                    g.chat_id,
                    True,
                    frozenset(wanted),
                    tuple(m.user_id for m in here),
                )
            )
        seen: set[tuple[str, str]] = set()
        for m in members:
            key = (m.channel, m.user_id)
            if m.channel in group_channels or key in seen:
                continue
            seen.add(key)
            assert m.org_id is not None
            out.append(DirectiveTarget(m.channel, m.user_id, False, frozenset({m.org_id})))
        return out

    async def without_reporter(self, workspace_id: int, orgs: Sequence[OrgUnit]) -> list[OrgUnit]:
        """Those of ``orgs`` that no reporter in the bot belongs to (leaders do not count:
        they do not acknowledge for a unit)."""
        covered = {
            m.org_id
            for m in await self._store.members.all(workspace_id)
            if m.org_id is not None and m.role is not Role.LEADER
        }
        return [o for o in orgs if o.id not in covered]

    # -- sending -------------------------------------------------------------------------
    async def send(
        self,
        workspace_id: int,
        text: str,
        orgs: Sequence[OrgUnit],
        *,
        everyone: bool,
        actor: str,
        actor_name: str,
        now: datetime,
        source: str = "command",
        source_ref: str = "",
    ) -> tuple[Directive, int]:
        """Stores the directive and queues it; returns it and how many messages went out."""
        count = 0
        async with self._store.transaction(alone=True):  # one message a unit: long
            d = await self._store.directives.create(
                workspace_id,
                text,
                [o.id for o in orgs],
                actor,
                actor_name,
                now,
                source=source,
                source_ref=source_ref,
            )
            for t in await self.targets(workspace_id, d.org_ids):
                body = render_directive(
                    d,
                    orgs,
                    everyone=everyone,
                    tz=self._tz,
                    typed_ack=t.channel not in BUTTON_CHANNELS,
                )
                if await self._store.outbox.enqueue(
                    t.channel,
                    t.chat_id,
                    body,
                    f"dir{d.id}:{SEND}:{t.channel}:{t.chat_id}",
                    now,
                    t.mention_user_ids,
                    group=t.group,
                    choices=[(CHOICE_ACK, d.ack_data())],
                ):
                    count += 1
        log.info("directive %s (workspace %s) sent: %s messages", d.id, workspace_id, count)
        return d, count

    # -- reminders -----------------------------------------------------------------------
    async def run_due(self, now: datetime) -> int:
        """Queues the due reminders of every open directive; returns how many messages."""
        total = 0
        for d in await self._store.directives.open_all():
            slot = due_reminder(d.created_at, now, self._tz)
            if slot is None:
                continue
            total += await self._remind(d, slot, now)
        return total

    async def _remind(self, d: Directive, slot: int, now: datetime) -> int:
        acked = {a.org_id for a in await self._store.directives.acks(d.id)}
        units = await self.reporting_units(d.workspace_id)
        silent = [o for o in addressed_orgs(d, units) if o.id not in acked]
        count = 0
        async with self._store.transaction(alone=True):  # one message a silent unit
            if not await self._store.directives.mark_step(d.id, REMIND, slot, now):
                return 0
            if not silent:
                return 0
            for t in await self.targets(d.workspace_id, [o.id for o in silent]):
                named = [o for o in silent if o.id in t.org_ids]
                if await self._store.outbox.enqueue(
                    t.channel,
                    t.chat_id,
                    render_reminder(d, named, tz=self._tz),
                    f"dir{d.id}:{REMIND}:{slot}:{t.channel}:{t.chat_id}",
                    now,
                    t.mention_user_ids,
                    group=t.group,
                    choices=[(CHOICE_ACK, d.ack_data())],
                ):
                    count += 1
        log.info("directive %s reminder %s: %s messages", d.id, slot, count)
        return count

    # -- acknowledging -------------------------------------------------------------------
    async def pending_for(self, member: Member) -> list[Directive]:
        """Open directives addressed to the member's unit that it has not acknowledged."""
        if member.org_id is None:
            return []
        out = []
        for d in await self._store.directives.all(member.workspace_id):
            if member.org_id not in d.org_ids:
                continue
            if any(a.org_id == member.org_id for a in await self._store.directives.acks(d.id)):
                continue
            out.append(d)
        return out

    # -- prompts and digests -------------------------------------------------------------
    async def open_for(self, workspace_id: int, org_ids: Sequence[int]) -> list[Directive]:
        wanted = set(org_ids)
        return [
            d
            for d in await self._store.directives.all(workspace_id)
            if wanted.intersection(d.org_ids)
        ]

    async def prompt_block(self, workspace_id: int, org_ids: Sequence[int]) -> str:
        return render_prompt_block(await self.open_for(workspace_id, org_ids), tz=self._tz)

    async def progress(
        self, campaign: Campaign, period: Period, orgs: Sequence[OrgUnit]
    ) -> tuple[DirectiveProgress, ...]:
        """The directives in force during ``period`` that address any of ``orgs``, with
        the acknowledgements so far and the answers given with the period's reports."""
        t = cal.times(campaign, period)
        start = period.start_at(campaign.timezone)
        active = await self._store.directives.active_between(
            campaign.workspace_id, start, t.deadline
        )
        if not active:
            return ()
        answers = await self._store.directives.answers_for_period(campaign.id, period)
        by_directive: dict[int, dict[int, Answer]] = {}
        for a in answers:
            by_directive.setdefault(a.directive_id, {})[a.org_id] = a
        out: list[DirectiveProgress] = []
        for d in active:
            mine = addressed_orgs(d, orgs)
            if not mine:
                continue
            acked = frozenset(a.org_id for a in await self._store.directives.acks(d.id))
            got = by_directive.get(d.id, {})
            out.append(
                DirectiveProgress(
                    d,
                    tuple(mine),
                    acked,
                    tuple((o, got[o.id].text) for o in mine if o.id in got),
                    asked=d.created_at <= t.open,
                )
            )
        return tuple(out)


def named(tree: Hierarchy, orgs: Sequence[OrgUnit]) -> list[OrgUnit]:
    """``orgs`` with the short names the tree tells apart (unchanged for a single level)."""
    if not tree.has_levels:
        return list(orgs)
    return [replace(o, short_name=tree.full_name(o)) for o in orgs]
