"""The reporting cycle: open, remind, warn, close; each step exactly once per period.

``run_due(now)`` is the single entry point. It decides from saved state (the cycle_steps
rows), never from "a timer fired": a tick that runs twice, late, or after a restart does the
right thing. For each active campaign it looks at the current period and the two before it
(so a deadline or a catch-up digest missed during a few days of downtime is still handled)
and, for each step whose time has come and which has no saved record:

- OPEN: the prompt with the fill-in form goes to the reporting groups and to reporters who
  have no reporting group on their channel (or to every reporter when the campaign says so).
  If the deadline has already passed when the step is first seen (the bot was down for the
  whole window) the step is recorded without a message: a prompt after the deadline is noise.
- REMINDER (one slot per reminder time): only organizations that have not reported; if the
  bot missed several reminder times, only the latest is sent; a reminder first seen after the
  deadline is stale and skipped; none follows a prompt sent in the same tick.
- WARNING: a last reminder shortly before the deadline, same rules.
- CLOSE: at the deadline, the digest to the leadership chats (to the admins privately when
  none is registered), followed by its chart where the channel can show pictures. Caught
  up once after downtime.
- ROLLUP (one slot per kind: month, quarter): when the period is the last one of a month
  (or quarter), ``ROLLUP_DELAY`` after its deadline (so the late reports of the last week
  are in), the month's (quarter's) roll-up to the same chats: the text, then the Excel
  workbook (and the Word report for a quarter) where the channel can take files.

Marking a step and enqueueing its messages happen in one transaction, so a crash never
records a step without its messages nor enqueues them twice; the outbox's dedupe keys make
even a replayed transaction harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core import render
from bot.core.events import OutDocument
from bot.core.hierarchy import Hierarchy
from bot.core.models import Campaign, ChatKind, ChatPurpose, CycleStep, Member, OrgUnit, Role
from bot.core.parsing import render_form
from bot.core.periods import Period, PeriodType
from bot.core.render_checklist import prompt_hint
from bot.core.render_reports import render_rollup
from bot.core.rollup import Span
from bot.core.schedule import quiet_until
from bot.services import periods as cal
from bot.services.digests import DigestService
from bot.services.directives import DirectiveService
from bot.services.ports import Store
from bot.services.reports import NO_FILE_CHANNELS, FileKind, ReportService, scheduled_rollups
from bot.services.templates import TemplateMissingError, TemplateService

log = logging.getLogger(__name__)

LOOKBACK_PERIODS = 2
INBOUND_KEEP = timedelta(days=7)
ROLLUP_DELAY = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class StepOutcome:
    campaign_id: int
    period: Period
    step: CycleStep
    slot: int
    messages: int
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message of a step: ``part`` tells apart several messages to one chat."""

    target: Target
    text: str
    attachment: OutDocument | None = None
    part: str = ""


@dataclass(frozen=True, slots=True)
class Target:
    channel: str
    chat_id: str
    org: OrgUnit | None  # for a private prompt: whose form to show
    mention_user_ids: tuple[str, ...] = ()
    group: bool = False


class CycleService:
    def __init__(
        self,
        store: Store,
        templates: TemplateService,
        digests: DigestService,
        reports: ReportService | None = None,
    ) -> None:
        self._store = store
        self._templates = templates
        self._digests = digests
        self._reports = reports or ReportService(store, templates)

    async def run_due(self, now: datetime) -> list[StepOutcome]:
        # Housekeeping rides on the tick: redelivered updates arrive within hours, so the
        # ids of inbound messages are kept a week, then forgotten.
        await self._store.inbound.prune(now - INBOUND_KEEP)
        # Reminders about directives not yet acknowledged (saved-state, like the steps); a
        # failure there must not hold up the reporting cycle.
        try:
            await DirectiveService(self._store).run_due(now)
        except Exception:
            log.exception("directive reminders failed; the cycle goes on")
        outcomes: list[StepOutcome] = []
        for campaign in await self._store.campaigns.list_active():
            if campaign.paused:
                continue
            try:
                outcomes.extend(await self._run_campaign(campaign, now))
            except TemplateMissingError:
                log.warning("campaign %s has no template %r", campaign.id, campaign.template_key)
        return outcomes

    async def _run_campaign(self, campaign: Campaign, now: datetime) -> list[StepOutcome]:
        current = cal.current_period(campaign, now)
        first = cal.first_period(campaign)
        outcomes: list[StepOutcome] = []
        for back in range(LOOKBACK_PERIODS, -1, -1):
            period = current.shift(-back)
            if period < first or await self._store.calendar.is_skipped(campaign.id, period):
                continue
            outcomes.extend(await self._run_period(campaign, period, now))
        return outcomes

    async def _run_period(
        self, campaign: Campaign, period: Period, now: datetime
    ) -> list[StepOutcome]:
        t = cal.times(campaign, period)
        done = {(r.step, r.slot) for r in await self._store.cycle.done(campaign.id, period)}
        out: list[StepOutcome] = []
        before_deadline = now < t.deadline

        # A prompt sent in this very tick (a campaign started after its reminder time, or a
        # bot back from downtime) is not followed at once by a reminder or warning: the
        # prompt already gives the deadline; those steps are recorded without a message.
        prompted_now = False
        if now >= t.open and (CycleStep.OPEN, 0) not in done:
            send = before_deadline
            out.append(await self._step(campaign, period, CycleStep.OPEN, 0, now, send))
            done.add((CycleStep.OPEN, 0))
            prompted_now = send

        due_slots = [i for i, at in enumerate(t.reminders) if now >= at]
        pending = [i for i in due_slots if (CycleStep.REMINDER, i) not in done]
        for i in pending:
            # Only the latest due reminder is worth sending; earlier missed ones are recorded.
            send = before_deadline and i == due_slots[-1] and not prompted_now
            out.append(await self._step(campaign, period, CycleStep.REMINDER, i, now, send))

        if t.warning is not None and now >= t.warning and (CycleStep.WARNING, 0) not in done:
            send = before_deadline and not prompted_now
            out.append(await self._step(campaign, period, CycleStep.WARNING, 0, now, send))

        if now >= t.deadline and (CycleStep.CLOSE, 0) not in done:
            out.append(await self._step(campaign, period, CycleStep.CLOSE, 0, now, True))

        if now >= t.deadline + ROLLUP_DELAY:
            kinds = None
            for slot, container in scheduled_rollups(period):
                if (CycleStep.ROLLUP, slot) in done:
                    continue
                if kinds is None:
                    kinds = await self._reports.scheduled_kinds(campaign.workspace_id)
                # A month the campaign did not run from its start is not rolled up: a
                # "November" made of its last week alone would mislead.
                sources = Span.of(container).source_periods(campaign.period_type)
                whole = bool(sources) and sources[0] >= cal.first_period(campaign)
                send = container.type in kinds and whole
                out.append(
                    await self._step(
                        campaign, period, CycleStep.ROLLUP, slot, now, send, rollup=container
                    )
                )
        return out

    async def _step(
        self,
        campaign: Campaign,
        period: Period,
        step: CycleStep,
        slot: int,
        now: datetime,
        send: bool,
        *,
        rollup: Period | None = None,
    ) -> StepOutcome:
        if rollup is not None:
            messages = await self._compose_rollup(campaign, rollup, now) if send else []
        else:
            messages = await self._compose(campaign, period, step, now) if send else []
        # Quiet hours hold prompts and reminders until morning; a reminder or warning that
        # would then arrive after the deadline is dropped, it would only confuse.
        hold = quiet_until(now, campaign.schedule, campaign.timezone)
        late_hold = hold is not None and hold >= cal.times(campaign, period).deadline
        if late_hold and step in (CycleStep.REMINDER, CycleStep.WARNING):
            messages = []
        count = 0
        async with self._store.transaction(alone=True):  # a fan-out: thousands of rows
            if not await self._store.cycle.mark(campaign.id, period, step, slot, now):
                return StepOutcome(campaign.id, period, step, slot, 0, skipped=True)
            for m in messages:
                target = m.target
                key = f"c{campaign.id}:{period.key}:{step.value}:{slot}:{target.channel}:{target.chat_id}"
                if m.part:
                    key += f":{m.part}"
                if await self._store.outbox.enqueue(
                    target.channel,
                    target.chat_id,
                    m.text,
                    key,
                    now,
                    target.mention_user_ids,
                    not_before=hold,
                    group=target.group,
                    attachment=m.attachment,
                ):
                    count += 1
        log.info(
            "cycle campaign=%s period=%s step=%s slot=%s messages=%s",
            campaign.id,
            period.key,
            step.value,
            slot,
            count,
        )
        return StepOutcome(campaign.id, period, step, slot, count, skipped=not send)

    # -- composing ------------------------------------------------------------------------
    async def _compose(
        self, campaign: Campaign, period: Period, step: CycleStep, now: datetime
    ) -> list[Outgoing]:
        return [
            m if isinstance(m, Outgoing) else Outgoing(m[0], m[1])
            for m in await self._compose_step(campaign, period, step, now)
        ]

    async def _compose_close(
        self, campaign: Campaign, period: Period, now: datetime
    ) -> list[Outgoing]:
        digest = await self._digests.digest(campaign, period, now)
        text = render.render_digest(digest, tz=campaign.timezone)
        targets = await self._leadership_targets(campaign)
        out = [Outgoing(target, text) for target in targets]
        if any(t.channel not in NO_FILE_CHANNELS for t in targets):
            try:
                chart = await self._reports.digest_chart(campaign, digest, now)
            except Exception:  # a chart must never cost the leadership its digest
                log.exception("digest chart for campaign %s %s failed", campaign.id, period.key)
                chart = None
            if chart is not None:
                caption = f"Biểu đồ kết quả {period.short_label()}"
                out.extend(
                    Outgoing(t, caption, chart, "chart")
                    for t in targets
                    if t.channel not in NO_FILE_CHANNELS
                )
        return out

    async def _compose_rollup(
        self, campaign: Campaign, container: Period, now: datetime
    ) -> list[Outgoing]:
        workspace = await self._store.workspaces.get(campaign.workspace_id)
        if workspace is None:
            return []
        span = Span.of(container)
        r = await self._reports.rollup(campaign, span, now)
        text = render_rollup(r, tz=campaign.timezone)
        targets = await self._leadership_targets(campaign)
        kinds = [FileKind.EXCEL]
        if container.type is not PeriodType.MONTH:
            kinds.insert(0, FileKind.WORD)
        files: list[tuple[str, OutDocument]] = []
        if not r.empty and any(t.channel not in NO_FILE_CHANNELS for t in targets):
            today = now.astimezone(ZoneInfo(campaign.timezone)).date()
            for kind in kinds:
                try:
                    made = await self._reports.file(
                        kind, r, workspace, issued_on=today, tz=campaign.timezone
                    )
                except Exception:  # the text still goes; the file can be asked for (/xuat)
                    log.exception("roll-up %s %s failed", kind.value, container.key)
                    continue
                files.append((msg.export_caption(kind.label, span.label(), None), made))
        out: list[Outgoing] = []
        for target in targets:
            if target.channel in NO_FILE_CHANNELS:
                out.append(Outgoing(target, f"{text}\n{msg.FILES_ELSEWHERE}"))
                continue
            out.append(Outgoing(target, text))
            out.extend(
                Outgoing(target, caption, f, f"file{i}") for i, (caption, f) in enumerate(files)
            )
        return out

    async def _compose_step(
        self, campaign: Campaign, period: Period, step: CycleStep, now: datetime
    ) -> list[Outgoing | tuple[Target, str]]:
        t = cal.times(campaign, period)
        tz = campaign.timezone
        if step is CycleStep.CLOSE:
            return list(await self._compose_close(campaign, period, now))

        if step is CycleStep.OPEN:
            orgs = await self._digests.expected_orgs(campaign, period)
            targets = await self._reporting_targets(campaign, orgs)
            return list(await self._prompts(campaign, period, orgs, targets))

        completeness = await self._digests.completeness(campaign, period, now)
        missing = list(completeness.missing)
        if not missing:
            return []
        targets = await self._reporting_targets(campaign, missing)
        out: list[Outgoing | tuple[Target, str]] = []
        for target in targets:
            named = [target.org] if target.org is not None else missing
            if step is CycleStep.REMINDER:
                text = render.render_reminder(
                    period=period, deadline=t.deadline, missing=named, tz=tz
                )
            else:
                text = render.render_warning(
                    period=period, deadline=t.deadline, missing=named, now=now, tz=tz
                )
            out.append((target, text))
        return out

    async def _prompts(
        self,
        campaign: Campaign,
        period: Period,
        orgs: Sequence[OrgUnit],
        targets: Sequence[Target],
    ) -> list[tuple[Target, str]]:
        """The period's prompt for each target: the form (a unit's own fields), the
        deadline, and the open directives for the unit (for a group: for any of ``orgs``)."""
        t = cal.times(campaign, period)
        tz = campaign.timezone
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        directives = DirectiveService(self._store, tz)
        names: dict[str, str] | None = None
        if any(target.org is None for target in targets):
            # A group's form says which parts are only some units' (by their short names).
            units = await self._store.orgs.all(campaign.workspace_id)
            names = {o.code: o.display_name for o in units}
        prompts: list[tuple[Target, str]] = []
        for target in targets:
            code = target.org.code if target.org is not None else None
            text = render.render_prompt(
                period=period,
                deadline=t.deadline,
                form_text=render_form(template, code, names),
                campaign_name=campaign.name,
                tz=tz,
                hint=prompt_hint(template, code),
            )
            scope = [target.org.id] if target.org is not None else [o.id for o in orgs]
            text += await directives.prompt_block(campaign.workspace_id, scope)
            prompts.append((target, text))
        return prompts

    async def prompt_reopened(self, units: Sequence[OrgUnit], now: datetime) -> list[Period]:
        """Units reopened (``/molaidonvi``: a unit, or a commune's units) after a period's
        prompt went out, before its deadline: the period expects them again, so their
        reporters get the prompt in private now rather than only the reminders. Only units
        that did not have it (stopped when it went out) and have not reported since; in a
        reporting group the prompt was already read (and the reminders mention them).
        Returns the periods prompted."""
        if not units:
            return []
        workspace_id = units[0].workspace_id
        prompted: list[Period] = []
        for campaign in await self._store.campaigns.all(workspace_id, active_only=True):
            if campaign.paused:
                continue
            period = cal.current_period(campaign, now)
            t = cal.times(campaign, period)
            if not t.open <= now < t.deadline or period < cal.first_period(campaign):
                continue
            opened = next(
                (
                    r.done_at
                    for r in await self._store.cycle.done(campaign.id, period)
                    if (r.step, r.slot) == (CycleStep.OPEN, 0)
                ),
                None,
            )
            if opened is None or await self._store.calendar.is_skipped(campaign.id, period):
                continue  # not prompted yet (the prompt will reach them), or nobody owes it
            # The tree merges a commune's stops into its units': followed when the prompt
            # went out (stopped after it), a unit had it already.
            tree = Hierarchy(await self._store.orgs.all(workspace_id, include_inactive=True))
            exempt = await self._store.calendar.exempt_orgs(campaign.id, period)
            expected = {o.id for o in await self._digests.expected_orgs(campaign, period)}
            owed = [
                u
                for u in units
                if u.id in expected
                and u.id not in exempt
                and not (tree.get(u.id) or u).expected_by(opened)
                and await self._store.submissions.current_for_org(campaign.id, period, u.id) is None
            ]
            targets = [x for x in await self._reporting_targets(campaign, owed) if not x.group]
            if not targets:
                continue
            hold = quiet_until(now, campaign.schedule, campaign.timezone)
            sent = 0
            async with self._store.transaction(alone=True):
                for target, text in await self._prompts(campaign, period, owed, targets):
                    assert target.org is not None  # a private target is a unit's reporter
                    # Once a period for a unit: reopened twice, it is not asked twice.
                    key = (
                        f"c{campaign.id}:{period.key}:reopened:{target.org.id}"
                        f":{target.channel}:{target.chat_id}"
                    )
                    sent += await self._store.outbox.enqueue(
                        target.channel, target.chat_id, text, key, now, not_before=hold
                    )
            if sent:
                prompted.append(period)
        return prompted

    async def _reporting_targets(self, campaign: Campaign, orgs: Sequence[OrgUnit]) -> list[Target]:
        """Groups get one message; reporters without a group on their channel get their own
        (``prompt_group`` / ``prompt_private`` switch either off), so nobody gets it twice.

        In a group, the reporters of the organizations concerned are mentioned, so a
        reminder reaches exactly the people who still owe a report.
        """
        org_ids = {o.id for o in orgs}
        by_id = {o.id: o for o in orgs}
        groups = await self._store.chats.for_workspace(campaign.workspace_id, ChatPurpose.REPORTING)
        members = [
            m
            for m in await self._store.members.all(campaign.workspace_id)
            if m.org_id in org_ids and m.role is not Role.LEADER
        ]
        group_channels = {g.channel for g in groups}
        targets: list[Target] = []
        if campaign.prompt_group:
            for g in groups:
                mentions = tuple(
                    m.user_id
                    for m in members
                    if m.channel == g.channel and campaign.schedule.mention_missing
                )
                targets.append(Target(g.channel, g.chat_id, None, mentions, group=True))
        else:
            group_channels = set()
        for m in members:
            if campaign.prompt_private and m.channel not in group_channels:
                assert m.org_id is not None
                targets.append(Target(m.channel, private_chat_id(m), by_id[m.org_id]))
        return targets

    async def _leadership_targets(self, campaign: Campaign) -> list[Target]:
        chats = await self._store.chats.for_workspace(campaign.workspace_id, ChatPurpose.LEADERSHIP)
        if chats:
            return [
                Target(c.channel, c.chat_id, None, group=c.kind is ChatKind.GROUP) for c in chats
            ]
        admins = [
            m for m in await self._store.members.all(campaign.workspace_id) if m.role is Role.ADMIN
        ]
        return [Target(m.channel, private_chat_id(m), None) for m in admins]


def private_chat_id(member: Member) -> str:
    """A person's private chat with the bot has their user id as chat id, on every channel
    we support (Telegram, Zalo, the sandbox), so it can be derived rather than stored."""
    return member.user_id
