"""Directives (chỉ đạo): what the leadership sends back to the organizations, pure parts.

The plan this bot automates has the leadership follow the weekly reports "để biết, có chỉ
đạo, hướng dẫn kịp thời". A directive is a numbered text (numbered per workspace, since
people say "chỉ đạo số 3") addressed to some or all reporting units; each unit
acknowledges it once (who and when is kept), reports what it did with its next reports,
and the leadership reads both. This module holds the values, the readers of what people
type (the request, an acknowledgement, the answer lines inside a report) and the texts;
storage and sending live in the directive service.

Typed forms (all accent- and case-insensitive):

- the request: ``/chidao nội dung`` (all units) or ``/chidao hnd, tinhdoan | nội dung``;
- an acknowledgement: ``đã nhận`` (every directive the unit has not acknowledged yet) or
  ``đã nhận 3`` / ``đã nhận chỉ đạo số 3`` (that one);
- an answer inside a report: a line ``CĐ 3: kết quả…`` (or ``chỉ đạo số 3: …``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import messages_directives as dmsg
from bot.core.models import OrgUnit
from bot.core.periods import Period
from bot.core.text import fold
from bot.core.vnformat import format_date, format_datetime, format_int

MARK = "📌"
ACK_PREFIX = "ack:"
# Reminders to units that have not acknowledged: 08h00 local time, one day and three days
# after the directive went out (a morning message, never at night); then the leader's
# /xemchidao shows who is still silent.
REMINDER_DAYS = (1, 3)
REMINDER_AT = time(8, 0)
MAX_TEXT = 3000


class DirectiveError(ValueError):
    """What was typed cannot be a directive request; the message says why, in Vietnamese."""


@dataclass(frozen=True, slots=True)
class Directive:
    id: int
    workspace_id: int
    number: int
    text: str
    created_by: str
    created_by_name: str
    created_at: datetime
    org_ids: tuple[int, ...]
    source: str = "command"  # "command" | "reply" (a reply to a digest)
    source_ref: str = ""
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def title(self) -> str:
        return f"Chỉ đạo số {self.number}"

    def ack_data(self) -> str:
        """The button's data (Telegram allows 64 bytes; the id keeps it short)."""
        return f"{ACK_PREFIX}{self.id}"


@dataclass(frozen=True, slots=True)
class Ack:
    directive_id: int
    org_id: int
    channel: str
    user_id: str
    display_name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Answer:
    """What a unit reports it did about a directive, with the report of one period."""

    directive_id: int
    org_id: int
    campaign_id: int
    period: Period
    text: str
    channel: str
    user_id: str
    display_name: str
    first_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DirectiveRequest:
    codes: tuple[str, ...]  # empty: every reporting unit
    text: str


@dataclass(frozen=True, slots=True)
class DirectiveProgress:
    """One directive as a period's digest shows it: who acknowledged, what was done."""

    directive: Directive
    orgs: tuple[OrgUnit, ...]
    acked: frozenset[int]
    answers: tuple[tuple[OrgUnit, str], ...]
    # Whether the period's prompt asked for results (the directive is older than the
    # period's opening); a directive sent during the period is only shown, not chased.
    asked: bool = True

    @property
    def silent(self) -> tuple[OrgUnit, ...]:
        done = {o.id for o, _ in self.answers}
        return tuple(o for o in self.orgs if o.id not in done)


# -- reading what people type -----------------------------------------------------------
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")


def parse_request(args: str) -> DirectiveRequest:
    """ "hnd, tinhdoan | Nội dung" -> those codes and the text; without "|" every unit.

    The codes are checked against the workspace by the caller; here only their shape."""
    body = args.strip()
    codes: tuple[str, ...] = ()
    head, bar, rest = body.partition("|")
    if bar and "\n" not in head:
        words = [w for w in re.split(r"[,;\s]+", head.strip().lower()) if w]
        if words and all(_CODE.match(w) for w in words):
            codes = tuple(dict.fromkeys(words))
            body = rest.strip()
        elif not words:
            # "| Nội dung": no codes before the bar means every unit, not a text with a bar.
            body = rest.strip()
    if not body:
        raise DirectiveError(dmsg.USAGE)
    if len(body) > MAX_TEXT:
        raise DirectiveError(dmsg.TOO_LONG.format(limit=format_int(MAX_TEXT)))
    return DirectiveRequest(codes, body)


_ACK = re.compile(
    r"^(?:da\s+)?nhan(?:\s+duoc)?(?:\s+(?:chi\s*dao|cd))?(?:\s+(?:so\s*)?(\d{1,6}))?$"
)


def parse_ack(text: str) -> int | None:
    """A typed acknowledgement: 0 for "đã nhận" (all pending), N for "đã nhận 3"; None for
    anything else. "nhận" alone is too common a word to count: "đã" is required then."""
    t = fold(text).strip(" .!,;")
    m = _ACK.match(t)
    if m is None or not t.startswith("da "):
        return None
    return int(m.group(1)) if m.group(1) else 0


_ANSWER = re.compile(
    r"^\s*(?:c[đd]|ch[iỉ]\s*[đd][aạ]o)\s*(?:s[oố]\s*)?(\d{1,6})\s*[:.)\-–]\s*(\S.*?)\s*$",
    re.IGNORECASE,
)


def split_answers(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The report without its answer lines, and the answers: ``[(number, text)]``.

    A line "CĐ 3: Đã tổ chức 5 buổi…" is an answer to directive 3, not report data (its
    figures must not be read into the template's fields); a number answered twice in one
    message keeps its last line."""
    kept: list[str] = []
    found: dict[int, str] = {}
    for line in text.split("\n"):
        m = _ANSWER.match(line)
        if m is None:
            kept.append(line)
            continue
        found[int(m.group(1))] = m.group(2)[:MAX_TEXT]
    return "\n".join(kept).strip("\n"), list(found.items())


# -- timing -----------------------------------------------------------------------------
def reminder_times(created_at: datetime, tz: str) -> list[datetime]:
    """When the reminders to units that have not acknowledged are due (aware datetimes)."""
    zone = ZoneInfo(tz)
    day = created_at.astimezone(zone).date()
    return [
        datetime.combine(day + timedelta(days=n), REMINDER_AT, tzinfo=zone) for n in REMINDER_DAYS
    ]


def due_reminder(created_at: datetime, now: datetime, tz: str) -> int | None:
    """The latest reminder slot whose time has come (earlier missed ones are not worth
    sending: one reminder says the same), or None before the first."""
    due = [i for i, at in enumerate(reminder_times(created_at, tz)) if now >= at]
    return due[-1] if due else None


# -- texts ------------------------------------------------------------------------------
def _names(orgs: Sequence[OrgUnit], limit: int = 40) -> str:
    names = [o.display_name for o in orgs[:limit]]
    if len(orgs) > limit:
        names.append(f"và {format_int(len(orgs) - limit)} đơn vị khác")
    return ", ".join(names)


def _local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def addressees(d: Directive, orgs: Sequence[OrgUnit], everyone: bool) -> str:
    return dmsg.TO_ALL if everyone else _names(orgs)


def render_directive(
    d: Directive, orgs: Sequence[OrgUnit], *, everyone: bool, tz: str, typed_ack: bool
) -> str:
    """The message each unit receives."""
    sender = f"{d.created_by_name}, " if d.created_by_name else ""
    lines = [
        f"{MARK} {d.title.upper()} ({sender}{format_date(_local(d.created_at, tz))})",
        f"Gửi: {addressees(d, orgs, everyone)}.",
        d.text,
        "",
        dmsg.ACK_HINT_TYPED.format(n=d.number) if typed_ack else dmsg.ACK_HINT,
        dmsg.ANSWER_HINT.format(n=d.number),
    ]
    return "\n".join(lines)


def render_reminder(d: Directive, silent: Sequence[OrgUnit], *, tz: str) -> str:
    lines = [
        f"⏰ Nhắc việc: {d.title} ({format_date(_local(d.created_at, tz))}) chưa được xác nhận"
        f" đã nhận: {_names(silent)}.",
        f"Nội dung: {_excerpt(d.text)}",
        dmsg.REMIND_ASK.format(n=d.number),
    ]
    return "\n".join(lines)


def _excerpt(text: str, limit: int = 300) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


def render_sent(
    d: Directive,
    orgs: Sequence[OrgUnit],
    everyone: bool,
    messages: int,
    unreached: Sequence[OrgUnit] = (),
    *,
    max_named: int = 10,
) -> str:
    """The sender's confirmation; ``unreached`` are addressed units without any reporter
    in the bot (nobody can be named in the group, written to or acknowledge for them)."""
    text = dmsg.SENT.format(
        n=d.number, to=addressees(d, orgs, everyone), count=format_int(len(orgs))
    )
    if messages == 0:
        which = "đơn vị này" if len(orgs) == 1 else "các đơn vị này"
        return text + dmsg.SENT_NOWHERE.format(which=which)
    if unreached:
        names = ", ".join(o.display_name for o in unreached[:max_named])
        if len(unreached) > max_named:
            names += f" và {format_int(len(unreached) - max_named)} đơn vị khác"
        text += dmsg.SENT_UNREACHED.format(k=format_int(len(unreached)), names=names)
    return text


def render_status(
    d: Directive,
    orgs: Sequence[OrgUnit],
    acks: Mapping[int, Ack],
    answers: Sequence[tuple[OrgUnit, Answer]],
    *,
    tz: str,
) -> str:
    """The leader's view of one directive: who acknowledged (by whom, when), who has not,
    and what each unit reported it did."""
    state = "đang thực hiện"
    if d.closed_at is not None:
        state = f"đã kết thúc lúc {format_datetime(_local(d.closed_at, tz))}"
    head = (
        f"{MARK} {d.title} ({format_datetime(_local(d.created_at, tz))}"
        f"{', ' + d.created_by_name if d.created_by_name else ''}) – {state}"
    )
    lines = [head, _excerpt(d.text, 600)]
    acked = [o for o in orgs if o.id in acks]
    silent = [o for o in orgs if o.id not in acks]
    lines.append(f"Đã nhận: {format_int(len(acked))}/{format_int(len(orgs))} đơn vị.")
    for o in acked:
        a = acks[o.id]
        lines.append(
            f" ✅ {o.display_name} – {a.display_name or a.user_id},"
            f" {format_datetime(_local(a.at, tz))}"
        )
    if silent:
        lines.append(f" ❌ Chưa xác nhận: {_names(silent)}.")
    if answers:
        lines.append("Kết quả thực hiện:")
        for o, ans in answers:
            lines.append(f" • {o.display_name} ({ans.period.short_label()}): {ans.text}")
    else:
        lines.append("Chưa đơn vị nào báo cáo kết quả thực hiện.")
    return "\n".join(lines)


def render_list(
    items: Sequence[tuple[Directive, int, int, int]], *, tz: str, closed: bool = False
) -> str:
    """``(directive, addressed, acknowledged, answered)`` per line."""
    if not items:
        return dmsg.NONE_CLOSED if closed else dmsg.NONE_OPEN
    title = dmsg.LIST_ALL if closed else dmsg.LIST_OPEN
    lines = [title]
    for d, total, acked, answered in items:
        state = "" if d.is_open else " – đã kết thúc"
        lines.append(
            f"{d.number}. ({format_date(_local(d.created_at, tz))}) {_excerpt(d.text, 120)}"
            f" – đã nhận {format_int(acked)}/{format_int(total)},"
            f" báo cáo kết quả {format_int(answered)}/{format_int(total)}{state}"
        )
    lines.append(dmsg.LIST_HINT)
    return "\n".join(lines)


def render_prompt_block(directives: Sequence[Directive], *, tz: str) -> str:
    """Appended to a period's prompt: the open directives for the unit(s), and how to say
    what was done."""
    if not directives:
        return ""
    lines = ["", dmsg.PROMPT_HEAD]
    for d in directives:
        lines.append(
            f" - Số {d.number} ({format_date(_local(d.created_at, tz))}): {_excerpt(d.text, 200)}"
        )
    example = directives[0].number
    lines.append(dmsg.PROMPT_HOW.format(n=example))
    return "\n".join(lines)


def digest_lines(items: Sequence[DirectiveProgress], *, max_answers: int = 40) -> list[str]:
    """The digest's section on directives: per directive, acknowledgements and results."""
    lines: list[str] = []
    for p in items:
        d = p.directive
        acked = sum(1 for o in p.orgs if o.id in p.acked)
        lines.append(
            f"• {d.title}: {_excerpt(d.text, 160)} (đã nhận {format_int(acked)}/"
            f"{format_int(len(p.orgs))} đơn vị)"
        )
        for org, text in p.answers[:max_answers]:
            lines.append(f" - {org.display_name}: {text}")
        if len(p.answers) > max_answers:
            lines.append(f" … và {format_int(len(p.answers) - max_answers)} đơn vị khác.")
        if p.silent and p.asked:
            lines.append(f" - Chưa báo cáo kết quả: {_names(p.silent, 20)}.")
    return lines


def addressed_orgs(d: Directive, orgs: Collection[OrgUnit]) -> list[OrgUnit]:
    """The addressed units among ``orgs`` (in their order)."""
    wanted = set(d.org_ids)
    return [o for o in orgs if o.id in wanted]
