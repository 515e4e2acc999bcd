"""Ports: what the services need from storage, as protocols.

``storage/`` implements them on SQLite; a PostgreSQL backend would implement the same. All
methods are async and return domain models. ``Store.transaction()`` groups several writes
atomically (e.g. marking a cycle step done and enqueueing its messages); repository methods
called inside it join that transaction, and outside it each write commits on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from bot.core.digest import PeriodTotals
from bot.core.directives import Ack, Answer, Directive
from bot.core.emulation import EmulationEntry, EntryKind
from bot.core.events import OutDocument
from bot.core.models import (
    AuditEntry,
    Campaign,
    ChatBinding,
    ChatPurpose,
    ConversationState,
    CycleRecord,
    CycleStep,
    FieldValue,
    Invite,
    Member,
    OrgUnit,
    OutboxItem,
    Role,
    Schedule,
    SubmissionVersion,
    TemplateRecord,
    Workspace,
)
from bot.core.periods import Period, PeriodType
from bot.core.rollup import ReportedPeriods


class DuplicateError(Exception):
    """A unique key already exists (organization code, invite code...)."""


class NotFoundError(Exception):
    """The row to change does not exist."""


class WorkspaceRepo(Protocol):
    async def create(self, name: str, now: datetime) -> Workspace: ...
    async def get(self, workspace_id: int) -> Workspace | None: ...
    async def all(self) -> list[Workspace]: ...
    async def rename(self, workspace_id: int, name: str) -> Workspace: ...


class OrgRepo(Protocol):
    async def add(
        self,
        workspace_id: int,
        code: str,
        name: str,
        short_name: str = "",
        parent_id: int | None = None,
        reports: bool = True,
        added_at: datetime | None = None,
    ) -> OrgUnit:
        """Raises DuplicateError if the code is taken in the workspace (case-insensitive)."""
        ...

    async def get(self, org_id: int) -> OrgUnit | None: ...
    async def by_code(self, workspace_id: int, code: str) -> OrgUnit | None:
        """Case-insensitive lookup."""
        ...

    async def all(self, workspace_id: int, include_inactive: bool = False) -> list[OrgUnit]:
        """Ordered by sort_order then id (the order organizations were added)."""
        ...

    async def update(self, org: OrgUnit) -> OrgUnit:
        """Saves name, short_name, parent_id, active, sort_order, reports of ``org.id``
        (``set_active`` also keeps the history of stops)."""
        ...

    async def set_active(self, org_id: int, active: bool, now: datetime) -> OrgUnit:
        """Stops (``/ngungdonvi``) or reopens (``/molaidonvi``) a unit at ``now``, keeping
        the history of its stops (``OrgUnit.stops``): the periods due while it was stopped
        do not expect it. Raises NotFoundError for an unknown unit."""
        ...


class MemberRepo(Protocol):
    async def upsert(
        self,
        workspace_id: int,
        channel: str,
        user_id: str,
        display_name: str,
        role: Role,
        org_id: int | None,
        now: datetime,
    ) -> Member:
        """One row per (workspace, channel, user): a second bind replaces role and org."""
        ...

    async def get(self, workspace_id: int, channel: str, user_id: str) -> Member | None: ...
    async def for_user(self, channel: str, user_id: str) -> list[Member]:
        """All workspaces this person is bound in on this channel."""
        ...

    async def all(self, workspace_id: int) -> list[Member]: ...
    async def by_org(self, org_id: int) -> list[Member]: ...
    async def remove(self, member_id: int) -> None: ...


class InviteRepo(Protocol):
    async def create(self, invite: Invite) -> Invite:
        """Raises DuplicateError on a code collision."""
        ...

    async def get(self, code: str) -> Invite | None:
        """Case-insensitive."""
        ...

    async def use(self, code: str) -> None: ...
    async def revoke(self, code: str) -> None: ...
    async def all(self, workspace_id: int) -> list[Invite]: ...


class ChatRepo(Protocol):
    async def bind(self, binding: ChatBinding) -> None:
        """Idempotent on (channel, chat_id, purpose); a rebinding updates workspace and title."""
        ...

    async def get(self, channel: str, chat_id: str) -> list[ChatBinding]: ...
    async def for_workspace(
        self, workspace_id: int, purpose: ChatPurpose | None = None
    ) -> list[ChatBinding]: ...
    async def unbind(self, channel: str, chat_id: str, purpose: ChatPurpose) -> None: ...
    async def rebind(self, channel: str, old_chat_id: str, new_chat_id: str) -> int:
        """The chat changed its id (a group upgraded to a supergroup): its bindings, and the
        messages still waiting for it in the outbox, move to the new id. Returns how many
        bindings moved; idempotent (a second call moves nothing). A binding the new id
        already has for the same purpose is kept and the old one dropped."""
        ...


class TemplateRepo(Protocol):
    async def save(
        self, workspace_id: int, key: str, document: str, created_by: str, now: datetime
    ) -> TemplateRecord:
        """Stores a new version (previous max + 1, starting at 1)."""
        ...

    async def latest(self, workspace_id: int, key: str) -> TemplateRecord | None: ...
    async def versions(self, workspace_id: int, key: str) -> list[TemplateRecord]: ...


class CampaignRepo(Protocol):
    async def create(
        self,
        workspace_id: int,
        name: str,
        template_key: str,
        period_type: PeriodType,
        timezone: str,
        schedule: Schedule,
        started_on: datetime,
    ) -> Campaign: ...

    async def get(self, campaign_id: int) -> Campaign | None: ...
    async def all(self, workspace_id: int, active_only: bool = False) -> list[Campaign]: ...
    async def list_active(self) -> list[Campaign]:
        """Active campaigns of every workspace (what the cycle runs)."""
        ...

    async def update(self, campaign: Campaign) -> Campaign:
        """Saves name, template_key, period_type, timezone, schedule, active, prompt flags."""
        ...


class CycleRepo(Protocol):
    async def done(self, campaign_id: int, period: Period) -> list[CycleRecord]: ...
    async def mark(
        self, campaign_id: int, period: Period, step: CycleStep, slot: int, now: datetime
    ) -> bool:
        """Records the step; False (and no change) if it was already recorded."""
        ...


class SubmissionRepo(Protocol):
    def listen(self, fn: Callable[[SubmissionVersion, int, int], None]) -> Callable[[], None]:
        """Calls ``fn(version, before, after)`` for each version stored from now on, once
        committed, in commit order, with the period's generation around its transaction
        (see ``bot.core.board``). Returns the function that stops it."""
        ...

    async def add_version(
        self,
        campaign_id: int,
        period: Period,
        org_id: int,
        channel: str,
        user_id: str,
        message_id: str,
        raw_text: str,
        values: dict[str, FieldValue],
        submitted_at: datetime,
        late: bool,
        photos: Sequence[str] = (),
    ) -> SubmissionVersion:
        """Appends a version (1, 2, ...) to the (campaign, period, org) submission."""
        ...

    async def current(self, campaign_id: int, period: Period) -> list[SubmissionVersion]:
        """The latest version of each organization's submission for the period."""
        ...

    async def current_for_org(
        self, campaign_id: int, period: Period, org_id: int
    ) -> SubmissionVersion | None: ...

    async def reported_by_org(
        self, campaign_id: int, periods: Sequence[Period]
    ) -> list[ReportedPeriods]:
        """Per organization with a report in any of ``periods`` (one type): how many of them
        it has a current report for, and which (``starts``) when not all of them. Counted
        in SQL, without reading the reports (a national year is a million of them)."""
        ...

    async def history(
        self, campaign_id: int, period: Period, org_id: int
    ) -> list[SubmissionVersion]:
        """Every version, oldest first."""
        ...

    async def current_in_range(
        self, campaign_id: int, first: Period, last: Period
    ) -> list[SubmissionVersion]:
        """Current versions of every period from ``first`` to ``last`` inclusive (same type)."""
        ...


class AuditRepo(Protocol):
    async def record(
        self, workspace_id: int, actor: str, action: str, detail: str, now: datetime
    ) -> None: ...
    async def all(self, workspace_id: int, limit: int = 50) -> list[AuditEntry]:
        """Newest first."""
        ...


class OutboxRepo(Protocol):
    async def enqueue(
        self,
        channel: str,
        chat_id: str,
        text: str,
        dedupe_key: str,
        now: datetime,
        mention_user_ids: Sequence[str] = (),
        *,
        not_before: datetime | None = None,
        group: bool = False,
        attachment: OutDocument | None = None,
        choices: Sequence[tuple[str, str]] = (),
    ) -> bool:
        """False (and nothing written) when ``dedupe_key`` already exists. ``not_before``
        holds the row back (quiet hours); ``group`` tells the sender which limits apply;
        ``attachment`` is a file sent with the text (the text becomes its caption);
        ``choices`` are (label, data) answered by button or by their words."""
        ...

    async def attachment(self, item_id: int) -> OutDocument | None:
        """The file stored with an outbox row (read only when it is sent)."""
        ...

    async def pending(
        self, channel: str | None = None, limit: int = 100, now: datetime | None = None
    ) -> list[OutboxItem]:
        """Unsent, not permanently failed, oldest first; with ``now``, only rows whose
        ``not_before`` has come."""
        ...

    async def failures(
        self, chat_ids: Sequence[str] | None = None, limit: int = 50
    ) -> list[OutboxItem]:
        """Permanently failed rows, newest first, optionally only to these chats."""
        ...

    async def mark_sent(self, item_id: int, now: datetime) -> None: ...
    async def mark_failed(
        self,
        item_id: int,
        error: str,
        now: datetime,
        permanent: bool,
        retry_at: datetime | None = None,
    ) -> None:
        """Counts the attempt; a transient failure waits until ``retry_at``."""
        ...

    async def unreachable(
        self, workspace_chats: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """Of these (channel, chat_id), those whose latest delivery failed permanently
        (the person blocked the bot...), with the error; a later success clears it."""
        ...


class CalendarRepo(Protocol):
    """Skipped periods, exemptions of organizations, and periods reopened after the lock."""

    async def skip(self, campaign_id: int, period: Period, reason: str, now: datetime) -> bool:
        """False if the period was already skipped."""
        ...

    async def unskip(self, campaign_id: int, period: Period) -> bool: ...
    async def is_skipped(self, campaign_id: int, period: Period) -> bool: ...
    async def skipped(self, campaign_id: int) -> list[tuple[Period, str]]: ...
    async def exempt(
        self, campaign_id: int, period: Period, org_id: int, reason: str, now: datetime
    ) -> bool: ...
    async def unexempt(self, campaign_id: int, period: Period, org_id: int) -> bool: ...
    async def exempt_orgs(self, campaign_id: int, period: Period) -> frozenset[int]: ...
    async def reopen(
        self, campaign_id: int, period: Period, org_id: int, until: datetime, now: datetime
    ) -> None: ...
    async def reopened_until(
        self, campaign_id: int, period: Period, org_id: int
    ) -> datetime | None: ...


class ConversationRepo(Protocol):
    async def get(self, channel: str, chat_id: str, user_id: str) -> ConversationState | None: ...
    async def put(self, state: ConversationState) -> None: ...
    async def clear(self, channel: str, chat_id: str, user_id: str) -> None: ...


class InboundLog(Protocol):
    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        """Records an inbound update key; False if it was seen before (a redelivery)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forgets keys seen before ``before``; returns how many."""
        ...


class UsageRepo(Protocol):
    """Outgoing messages counted per channel and month ("YYYY-MM")."""

    async def add(self, channel: str, month: str, count: int = 1) -> int:
        """Adds ``count``; returns the month's new total."""
        ...

    async def get(self, channel: str, month: str) -> int: ...


@dataclass(frozen=True, slots=True)
class StoredTotals:
    """A period that has reports, with its totals when they are known and current for the
    template signature asked (None: compute them from the reports, then ``put``)."""

    period: Period
    generation: int
    totals: PeriodTotals | None


class TotalsRepo(Protocol):
    """Per-period totals (``bot.core.digest.PeriodTotals``) kept beside the reports."""

    async def generation(self, campaign_id: int, period: Period) -> int:
        """The period's generation, bumped by every write to its reports (-1: it has never
        had a report)."""
        ...

    async def in_range(
        self, campaign_id: int, first: Period, last: Period, signature: str
    ) -> list[StoredTotals]:
        """Every period from ``first`` to ``last`` (same type) that has reports, in order.
        ``generation`` changes whenever a period's reports change."""
        ...

    async def put(
        self, campaign_id: int, totals: PeriodTotals, generation: int, signature: str
    ) -> bool:
        """Keeps the totals, unless the period's reports changed since ``generation`` was
        read (then nothing is kept: False)."""
        ...


class DirectiveRepo(Protocol):
    """Directives (``bot.core.directives``), their acknowledgements, answers and reminders."""

    async def create(
        self,
        workspace_id: int,
        text: str,
        org_ids: Sequence[int],
        created_by: str,
        created_by_name: str,
        now: datetime,
        source: str = "command",
        source_ref: str = "",
    ) -> Directive:
        """Numbers the directive (the workspace's last number + 1)."""
        ...

    async def get(self, directive_id: int) -> Directive | None: ...
    async def by_number(self, workspace_id: int, number: int) -> Directive | None: ...
    async def all(self, workspace_id: int, include_closed: bool = False) -> list[Directive]:
        """Open ones by number; with closed ones, newest first."""
        ...

    async def open_all(self) -> list[Directive]:
        """Open directives of every workspace (what the reminders look at)."""
        ...

    async def active_between(
        self, workspace_id: int, start: datetime, end: datetime
    ) -> list[Directive]:
        """Sent before ``end`` and not closed before ``start``, by number."""
        ...

    async def close(self, directive_id: int, by: str, now: datetime) -> bool:
        """False if it was already closed."""
        ...

    async def acknowledge(
        self,
        directive_id: int,
        org_id: int,
        channel: str,
        user_id: str,
        display_name: str,
        now: datetime,
    ) -> bool:
        """The unit's first acknowledgement is kept; False (nothing changed) for a later one."""
        ...

    async def acks(self, directive_id: int) -> list[Ack]: ...
    async def answer(
        self,
        directive_id: int,
        org_id: int,
        campaign_id: int,
        period: Period,
        text: str,
        channel: str,
        user_id: str,
        display_name: str,
        now: datetime,
    ) -> None:
        """Stores (or replaces) the unit's answer for that campaign and period."""
        ...

    async def answers(self, directive_id: int) -> list[Answer]:
        """Oldest period first."""
        ...

    async def answers_for_period(self, campaign_id: int, period: Period) -> list[Answer]: ...
    async def mark_step(self, directive_id: int, step: str, slot: int, now: datetime) -> bool:
        """Records a reminder (or other step); False if it was already recorded."""
        ...


class SettingsRepo(Protocol):
    async def all(self, workspace_id: int) -> dict[str, str]: ...
    async def put(self, workspace_id: int, key: str, value: str, now: datetime) -> None: ...
    async def delete(self, workspace_id: int, key: str) -> bool: ...


class PrivacyRepo(Protocol):
    """One person's rows and whole workspaces (Decree 13/2023/ND-CP: see
    docs/du-lieu-ca-nhan.md). Rows come as JSON-ready mappings."""

    async def versions_by_user(self, channel: str, user_id: str) -> list[dict[str, Any]]:
        """Every report version this person submitted, in any workspace, oldest first."""
        ...

    async def states_for_user(self, channel: str, user_id: str) -> list[ConversationState]:
        """The person's dialogs in progress, in every chat."""
        ...

    async def pseudonymize_versions(
        self, workspace_id: int, channel: str, user_id: str, pseudonym: str
    ) -> int:
        """The person's report versions in this workspace: user id replaced by
        ``pseudonym``, raw text cleared; figures, unit and time kept. Returns how many."""
        ...

    async def export_workspace(self, workspace_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of the workspace, table by table."""
        ...

    async def delete_workspace(self, workspace_id: int) -> dict[str, int]:
        """Deletes the workspace and everything in it; rows deleted per table."""


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """A reference value or a target as set by an admin (one row of its history).
    ``org_id`` None: the whole workspace; ``scope`` "" every period, else a period key;
    ``value`` None: the value was removed."""

    id: int
    kind: str  # "reference" | "target"
    key: str
    org_id: int | None
    scope: str
    value: Decimal | None
    actor: str
    created_at: datetime


class IndicatorValueRepo(Protocol):
    """Reference values and targets of indicators, append-only (the latest row wins)."""

    async def set(
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
        """Adds a row (``value`` None removes the current value)."""
        ...

    async def current(self, workspace_id: int, kind: str) -> list[IndicatorValue]:
        """The current value of every (key, unit, scope) of ``kind`` that has one."""
        ...

    async def history(self, workspace_id: int, kind: str, key: str) -> list[IndicatorValue]:
        """Every row for ``key``, oldest first."""
        ...


# A report item in a numbered list the bot showed: (campaign id, period key, org id, field key).
PickedItem = tuple[int, str, int, str]


class EmulationRepo(Protocol):
    """The emulation registry (``bot.core.emulation``): entries are never deleted; numbers
    are per workspace and never reused."""

    async def add(
        self,
        *,
        workspace_id: int,
        org_id: int,
        campaign_id: int,
        period_key: str,
        field_key: str,
        kind: EntryKind,
        title: str,
        text: str,
        photos: Sequence[str],
        source: str,
        marked_by: str,
        marked_by_name: str,
        now: datetime,
    ) -> EmulationEntry: ...
    async def get(self, workspace_id: int, number: int) -> EmulationEntry | None: ...
    async def for_report(
        self, campaign_id: int, period_key: str, org_id: int
    ) -> list[EmulationEntry]:
        """Every entry of one report (removed ones too), by number."""
        ...

    async def in_range(
        self, workspace_id: int, first: date | None = None, end: date | None = None
    ) -> list[EmulationEntry]:
        """Entries not removed whose period starts in [first, end), by number."""
        ...

    async def update_content(
        self, entry_id: int, text: str, photos: Sequence[str], now: datetime
    ) -> EmulationEntry: ...
    async def set_title(self, entry_id: int, title: str, now: datetime) -> EmulationEntry: ...
    async def shortlist(
        self, entry_id: int, by: str, by_name: str, note: str, now: datetime
    ) -> EmulationEntry: ...
    async def unshortlist(self, entry_id: int, now: datetime) -> EmulationEntry: ...
    async def remove(self, entry_id: int, by: str, now: datetime) -> EmulationEntry: ...
    async def save_pick(
        self, channel: str, chat_id: str, user_id: str, items: Sequence[PickedItem], now: datetime
    ) -> None:
        """Keeps the numbered list of report items last shown to a person in a chat."""
        ...

    async def pick(self, channel: str, chat_id: str, user_id: str) -> list[PickedItem] | None: ...


class Store(Protocol):
    workspaces: WorkspaceRepo
    orgs: OrgRepo
    members: MemberRepo
    invites: InviteRepo
    chats: ChatRepo
    templates: TemplateRepo
    campaigns: CampaignRepo
    cycle: CycleRepo
    submissions: SubmissionRepo
    audit: AuditRepo
    outbox: OutboxRepo
    conversations: ConversationRepo
    inbound: InboundLog
    calendar: CalendarRepo
    usage: UsageRepo
    totals: TotalsRepo
    settings: SettingsRepo
    privacy: PrivacyRepo
    directives: DirectiveRepo
    indicator_values: IndicatorValueRepo
    emulation: EmulationRepo

    def transaction(self, alone: bool = False) -> AbstractAsyncContextManager[None]:
        """Everything awaited inside commits together or not at all. ``alone``: a long
        transaction (a fan-out), which must not hold up short ones that ended before it
        (storage may commit several transactions together)."""
        ...

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Calls ``fn`` once the open transaction commits (never if it rolls back); at once
        outside a transaction."""
        ...
