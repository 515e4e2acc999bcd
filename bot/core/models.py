"""Domain models: plain frozen dataclasses, free of any platform or database type.

Storage returns these; services pass them around; channels never see most of them. They are
immutable so a value read once can be shared safely between tasks; changes go through
repositories, which return new values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeAlias

from bot.core.periods import Period, PeriodType

# A parsed value of one field. Counts and money are ``int`` (money in đồng), decimal and
# percent are ``Decimal``, yes/no is ``bool``, choice and text are ``str``, photos are a
# tuple of file references. Kept as a small closed union so digests can aggregate safely.
FieldValue: TypeAlias = int | Decimal | bool | str | tuple[str, ...]


class Role(enum.StrEnum):
    """What a member may do. Admin configures; leader reads digests; reporter reports."""

    ADMIN = "admin"
    LEADER = "leader"
    REPORTER = "reporter"


class ChatKind(enum.StrEnum):
    PRIVATE = "private"
    GROUP = "group"


class ChatPurpose(enum.StrEnum):
    """Why a chat is registered with a workspace."""

    REPORTING = "reporting"
    LEADERSHIP = "leadership"


class CycleStep(enum.StrEnum):
    """The steps of one period's cycle, each done exactly once (DESIGN.md §2)."""

    OPEN = "open"
    REMINDER = "reminder"
    WARNING = "warning"
    CLOSE = "close"
    # A scheduled roll-up (month, quarter) that this period completes; slot = its kind.
    ROLLUP = "rollup"


@dataclass(frozen=True, slots=True)
class Workspace:
    """One reporting group: its organizations, members, campaigns and chats."""

    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrgUnit:
    id: int
    workspace_id: int
    code: str
    name: str
    short_name: str
    parent_id: int | None = None
    active: bool = True
    sort_order: int = 0
    # False for a unit that only groups others (a province, a commune): it is never
    # prompted nor counted missing; its digests and roll-ups cover its descendants.
    reports: bool = True
    # When it was added (None: before this was recorded). It is expected to report for
    # the periods whose deadline comes after that, and only those.
    added_at: datetime | None = None
    # When it was stopped (``/ngungdonvi``) and reopened (``/molaidonvi``; None: still
    # stopped), in order: its own and, once in a ``Hierarchy``, those of the levels above it
    # (a stopped commune stops its units). Periods due while stopped are not its to report.
    stops: tuple[tuple[datetime, datetime | None], ...] = ()

    def expected_by(self, deadline: datetime) -> bool:
        """Whether a period due at ``deadline`` expects a report of this unit (its present
        state aside: active, exempt): it existed before the deadline and was not stopped
        when the deadline came (stopped before it, reopened at or after it)."""
        if self.added_at is not None and self.added_at >= deadline:
            return False
        if not self.stops:
            return True  # the common case, asked for 20,000 units a digest at national scale
        return not any(
            stopped < deadline and (reopened is None or deadline <= reopened)
            for stopped, reopened in self.stops
        )

    @property
    def expected_always(self) -> bool:
        """Whether every period expects it (no date added, never stopped): the common case,
        which needs no look at deadlines."""
        return self.added_at is None and not self.stops

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True, slots=True)
class Member:
    """A person on one channel, bound to a workspace (and usually to one organization)."""

    id: int
    workspace_id: int
    channel: str
    user_id: str
    display_name: str
    role: Role
    org_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    workspace_id: int
    org_id: int | None
    role: Role
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    max_uses: int
    uses: int = 0
    revoked: bool = False

    def usable_at(self, now: datetime) -> bool:
        if self.revoked or self.uses >= self.max_uses:
            return False
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class ChatBinding:
    """A chat registered with a workspace for a purpose (reporting group, leadership chat)."""

    workspace_id: int
    channel: str
    chat_id: str
    kind: ChatKind
    purpose: ChatPurpose
    title: str


@dataclass(frozen=True, slots=True)
class TemplateRecord:
    """A stored version of a template: the JSON document plus bookkeeping."""

    id: int
    workspace_id: int
    key: str
    version: int
    document: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the steps happen, as offsets from the start of the period (local time).

    Offsets rather than cron strings: a period is a value, so "Friday 17:00 of this week" is
    ``period.start + 4 days 17 hours`` for any week, and the cycle can compute every due time
    of any period (including ones missed while the bot was down) without a scheduler.
    """

    open_offset: timedelta = timedelta(hours=8)
    deadline_offset: timedelta = timedelta(days=4, hours=17)
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=3, hours=8),)
    warning_before: timedelta | None = timedelta(hours=2)
    lock_after: timedelta = timedelta(days=7)
    # No prompts or reminders between these local times of day (they wait for the end);
    # None switches quiet hours off. The default keeps officials' nights free.
    quiet_start: timedelta | None = timedelta(hours=21, minutes=30)
    quiet_end: timedelta | None = timedelta(hours=7)
    # Reminders in a group @-mention the reporters of late organizations.
    mention_missing: bool = True
    # Reports for the next period are accepted before it begins.
    allow_early: bool = False


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    workspace_id: int
    name: str
    template_key: str
    period_type: PeriodType
    timezone: str
    schedule: Schedule
    active: bool
    started_on: datetime
    # Prompts and reminders go to the reporting groups (prompt_group) and privately to
    # reporters whose channel has no reporting group (prompt_private).
    prompt_private: bool = True
    prompt_group: bool = True
    # A paused campaign sends nothing (prompts, reminders, digests) but still takes reports.
    paused: bool = False


@dataclass(frozen=True, slots=True)
class CycleRecord:
    """That a step of a period was done (and when): the saved state the cycle decides from."""

    campaign_id: int
    period: Period
    step: CycleStep
    slot: int
    done_at: datetime


@dataclass(frozen=True, slots=True)
class SubmissionVersion:
    """One version of one organization's report for one period; the latest is current."""

    id: int
    submission_id: int
    version: int
    campaign_id: int
    period: Period
    org_id: int
    channel: str
    user_id: str
    message_id: str
    raw_text: str
    values: dict[str, FieldValue]
    submitted_at: datetime
    late: bool
    photos: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    workspace_id: int
    actor: str
    action: str
    detail: str
    at: datetime


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message the bot must deliver; written in the transaction that decided to send it."""

    id: int
    channel: str
    chat_id: str
    text: str
    dedupe_key: str
    created_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    mention_user_ids: tuple[str, ...] = ()
    not_before: datetime | None = None
    is_group: bool = False
    failed_permanently: bool = False
    # The name of the file stored with the row (its content is read only when sending).
    attachment_name: str | None = None
    # Choices sent with the message, as (label, data): a button on Telegram, the words to
    # type elsewhere (a directive's "Đã nhận").
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Where a person is in a multi-step dialog, persisted so a restart resumes it."""

    channel: str
    chat_id: str
    user_id: str
    kind: str
    data: dict[str, object]
    updated_at: datetime
