"""The dialog engine: a neutral inbound event in, neutral outbound messages out.

Every channel (Telegram, Zalo, the sandbox) hands its updates here after translating them,
and sends back what this returns. The engine owns the conversation rules:

- who the sender is (workspace, organization, role; bot owners from the settings) and what
  they may do (the command table in ``bot.core.commands``);
- commands, by Vietnamese name or English alias, ``/lenh@tenbot`` tolerated;
- reports: fill-in form, free text or guided questions; echo and confirmation when anything
  was guessed; corrections merge into the pending or stored report; every saved change is
  a new version;
- multi-step dialogs persisted in storage (``ConversationState``) so a restart resumes them;
- choices answered by button or by typing their number or label (Zalo has no buttons);
- in groups the bot speaks only when addressed: a command, a mention, a reply to it, a
  filled-in form from a bound reporter, or the continuation of a dialog it started.

Each inbound event is handled in one storage transaction together with the record of its
message id, so a redelivered update changes nothing and is not answered twice, and a
failure leaves nothing half-written.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core import messages_directives as dmsg
from bot.core import messages_emulation as emulation_msg
from bot.core import messages_indicators as imsg
from bot.core import messages_ops as ops_msg
from bot.core import messages_privacy as privacy_msg
from bot.core import render
from bot.core.checklist import assess
from bot.core.clock import Clock
from bot.core.codec import decode_values, encode_values
from bot.core.commands import COMMANDS, Access, find_command
from bot.core.directives import parse_ack
from bot.core.events import (
    ButtonPress,
    Chat,
    Choice,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    OutDocument,
    Sender,
)
from bot.core.hierarchy import Hierarchy
from bot.core.models import (
    Campaign,
    ChatBinding,
    ChatPurpose,
    ConversationState,
    CycleStep,
    FieldValue,
    Invite,
    Member,
    OrgUnit,
    Role,
    Schedule,
    Workspace,
)
from bot.core.parsing import Problem, ProblemKind, parse_report, parse_value, render_form
from bot.core.periodref import parse_period_ref, parse_recent_period_ref
from bot.core.periods import Period, PeriodError, PeriodType
from bot.core.presets import PRESETS
from bot.core.render_checklist import assessment_lines, describe_rule, prompt_hint
from bot.core.render_reports import render_tree
from bot.core.schedule import ScheduleError, describe_schedule, parse_schedule
from bot.core.template import (
    FieldType,
    Template,
    TemplateError,
    TemplateField,
    parse_template_document,
)
from bot.core.text import closest, fold, strip_courtesy
from bot.core.vnformat import format_deadline
from bot.services import periods as cal
from bot.services.cycle import LOOKBACK_PERIODS
from bot.services.digests import DigestService
from bot.services.directive_commands import DIRECTIVE, DirectiveCommandsMixin
from bot.services.emulation import EmulationService
from bot.services.emulation_commands import EmulationCommandsMixin
from bot.services.flood import Flood, FloodGuard, FloodLimits
from bot.services.indicator_commands import IndicatorCommandsMixin
from bot.services.ports import DuplicateError, Store
from bot.services.privacy_commands import PRIVACY_KINDS, PrivacyCommandsMixin
from bot.services.report_commands import ReportCommandsMixin
from bot.services.reports import ReportService
from bot.services.templates import TemplateMissingError, TemplateService
from bot.services.usage import ChannelQuota, month_key, month_label

log = logging.getLogger(__name__)

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
ORG_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
BLOCKING = frozenset({ProblemKind.AMBIGUOUS, ProblemKind.UNPARSEABLE, ProblemKind.OUT_OF_RANGE})

# Dialog state kinds.
REPORT = "report"
GUIDED = "guided"
AWAIT_TEMPLATE = "await_template"
CHOOSE = "choose_campaign"
_PERIOD_WORDS = {
    "tuan": PeriodType.WEEK,
    "thang": PeriodType.MONTH,
    "quy": PeriodType.QUARTER,
    "nam": PeriodType.YEAR,
}
_CONFIRM_WORDS = frozenset({"1", "ok", "xac nhan", "dong y", "luu", "co"})

# Choice data.
OK, EDIT, CANCEL, ASK, SKIP = "ok", "edit", "cancel", "guided", "skip"


def default_schedule(period_type: PeriodType) -> Schedule:
    """Weekly: open Monday 08:00, remind Thursday and Friday 08:00, due Friday 17:00, warn
    2 hours before, lock a week after the week ends. Longer periods: open on the 1st,
    remind on the 20th, due on the 25th at 17:00 of the period's first month."""
    if period_type is PeriodType.WEEK:
        return Schedule(
            open_offset=timedelta(hours=8),
            deadline_offset=timedelta(days=4, hours=17),
            reminder_offsets=(timedelta(days=3, hours=8), timedelta(days=4, hours=8)),
            warning_before=timedelta(hours=2),
            lock_after=timedelta(days=7),
        )
    return Schedule(
        open_offset=timedelta(hours=8),
        deadline_offset=timedelta(days=24, hours=17),
        reminder_offsets=(timedelta(days=19, hours=8),),
        warning_before=timedelta(hours=4),
        lock_after=timedelta(days=10),
    )


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(6))


@dataclass(frozen=True, slots=True)
class EngineConfig:
    owners: AbstractSet[tuple[str, str]] = frozenset()
    max_text: int = 20_000
    max_template_text: int = 200_000
    # Photos kept with one report (each further one is refused, the report is kept).
    max_photos: int = 20
    invite_days: int = 14
    invite_uses: int = 10
    timezone: str = "Asia/Ho_Chi_Minh"
    # Channel -> invite link pattern with "{code}", e.g. "https://t.me/TenBot?start={code}":
    # one tap binds the person. A mapping the channel fills once it knows its own name
    # (Telegram learns it from getMe at start-up), so it is read at each use.
    invite_links: Mapping[str, str] = field(default_factory=dict)
    # Monthly quotas of outgoing messages by channel (Zalo's free plan), for /hanmuc.
    quotas: Mapping[str, ChannelQuota] = field(default_factory=dict)
    # Channels whose bot cannot join groups (Zalo, when getMe says so): filled in by the
    # channel at start-up, so read at each use; group set-up there is explained plainly.
    private_only_channels: AbstractSet[str] = frozenset()
    # Commands served outside the engine (command name -> handler), e.g. /saoluu by
    # bot.services.backups; a command of the table with no handler is answered plainly.
    extra_commands: Mapping[str, CommandHandler] = field(default_factory=dict)
    # BOT_RAW_TEXT_DAYS (0: raw report text kept with the report), told by /dulieucuatoi.
    raw_text_days: int = 0
    # Per-user flood control (bot.services.flood); None turns it off (transcripts and tests
    # on a manual clock, where every message arrives at the same instant).
    flood: FloodLimits | None = None
    # Takes a backup before /xoakhonggian deletes a workspace and returns its file name
    # (bot.services.backups); None: the deletion goes ahead without one (tests, sandbox).
    backup_before_delete: Callable[[datetime], Awaitable[str]] | None = None
    # Writes /xuatdulieu's file on the server where the channel cannot send files (Zalo)
    # and returns its path (bot.app); None: there the file is simply not available.
    save_export: Callable[[str, bytes], Awaitable[str]] | None = None
    # Sends the running period's prompt to reopened units' reporters when it already went
    # out (bot.services.cycle.CycleService.prompt_reopened); returns the periods prompted.
    prompt_reopened: Callable[[Sequence[OrgUnit], datetime], Awaitable[list[Period]]] | None = None


@dataclass(slots=True)
class Ctx:
    """What the engine knows about one inbound event while handling it."""

    chat: Chat
    sender: Sender
    now: datetime
    message_id: str
    workspace: Workspace | None = None
    member: Member | None = None
    is_owner: bool = False
    registered_group: bool = False
    outbox: list[OutboundMessage] = field(default_factory=list)
    edit_message_id: str | None = None
    # Work to do once the event's transaction has committed (see DialogEngine.handle).
    after: list[Callable[[], Awaitable[list[OutboundMessage]]]] = field(default_factory=list)
    # The dialog a command ended (a command leaves any dialog in progress): "/baocao" takes
    # up the figures of a report still waiting for confirmation (``_draft_or_start``).
    ended: ConversationState | None = None

    @property
    def actor(self) -> str:
        return f"{self.sender.channel}:{self.sender.user_id} ({self.sender.display_name})"

    @property
    def access(self) -> Access:
        if self.is_owner:
            return Access.OWNER
        if self.member is None:
            return Access.ANYONE
        return {
            Role.ADMIN: Access.ADMIN,
            Role.LEADER: Access.LEADER,
            Role.REPORTER: Access.MEMBER,
        }[self.member.role]

    def reply(self, text: str, choices: Sequence[Choice] = ()) -> list[OutboundMessage]:
        return [
            OutboundMessage(
                channel=self.chat.channel,
                chat_id=self.chat.chat_id,
                text=text,
                choices=tuple(choices),
                numbered_choices=_decides([c.data for c in choices]),
                reply_to_message_id=self.message_id if self.chat.is_group else None,
                edit_message_id=self.edit_message_id,
            )
        ]


CommandHandler = Callable[[Ctx, str, InboundMessage], Awaitable[list[OutboundMessage]]]

_ORDER = [Access.ANYONE, Access.MEMBER, Access.LEADER, Access.ADMIN, Access.OWNER]


# Commands answered in a group the bot was not set up for (registering it, and help).
_FOREIGN_GROUP_OK = frozenset({"khoitao", "nhombaocao", "nhomlanhdao", "trogiup"})
# Commands above ANYONE that do not act on one workspace (or find it themselves): set-up,
# the owner's backup, the bot's monthly message count (per channel, not per workspace), a
# person's own data (across workspaces), and deleting a workspace (the owner picks one).
_NO_WORKSPACE_OK = frozenset(
    {"khoitao", "nhombaocao", "nhomlanhdao", "saoluu", "hanmuc", "dulieucuatoi", "xoakhonggian"}
)


def allowed(have: Access, need: Access) -> bool:
    return _ORDER.index(have) >= _ORDER.index(need)


def split_command(text: str) -> tuple[str, str]:
    """ "/baocao@TenBot  args" -> ("baocao", "args"); keeps newlines in the arguments."""
    head, _, rest = text[1:].partition("\n")
    word, _, inline = head.strip().partition(" ")
    name = word.split("@", 1)[0].lower()
    args = inline.strip()
    if rest.strip():
        args = f"{args}\n{rest}" if args else rest
    return name, args.strip("\n ")


class DialogEngine(
    ReportCommandsMixin,
    DirectiveCommandsMixin,
    IndicatorCommandsMixin,
    PrivacyCommandsMixin,
    EmulationCommandsMixin,
):
    def __init__(
        self,
        store: Store,
        clock: Clock,
        templates: TemplateService,
        digests: DigestService,
        config: EngineConfig,
        new_code: Callable[[], str] = new_invite_code,
        reports: ReportService | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._templates = templates
        self._digests = digests
        self._config = config
        self._new_code = new_code
        self._reports = reports or ReportService(store, templates)
        self._flood = FloodGuard(config.flood) if config.flood is not None else None
        self._emulation = EmulationService(store, templates, offload=self._reports.offload)

    # -- entry point ----------------------------------------------------------------------
    async def handle(self, event: InboundEvent) -> list[OutboundMessage]:
        key = f"{event.chat.chat_id}:{event.message_id}"
        if isinstance(event, InboundMessage) and event.revision:
            key = f"{key}:edit:{event.revision}"
        if isinstance(event, ButtonPress):
            key = f"press:{event.chat.chat_id}:{event.press_id or event.message_id + ':' + event.data}"
        try:
            async with self._store.transaction():
                if not await self._store.inbound.first_time(event.chat.channel, key, event.at):
                    return []
                ctx = await self._context(event)
                flood = self._flood_check(ctx, event)
                if flood is not Flood.OK and _is_command(event):
                    return self._flood_reply(ctx, flood)  # recorded as seen, not run
                if isinstance(event, ButtonPress):
                    ctx.edit_message_id = event.message_id
                    replies = await self._on_press(ctx, event.data)
                else:
                    replies = await self._on_message(ctx, event)
                if flood is not Flood.OK:
                    # Processed (a report is never lost), but the replies are withheld.
                    return self._flood_reply(ctx, flood)
            # Heavy read-only work (a year's roll-up, a Word report) runs after the commit,
            # so it never holds the database while other people's replies wait.
            for job in ctx.after:
                replies.extend(await job())
            return replies
        except Exception:
            log.exception("failed to handle %s event %s", event.chat.channel, key)
            return [
                OutboundMessage(
                    channel=event.chat.channel, chat_id=event.chat.chat_id, text=msg.GENERIC_ERROR
                )
            ]

    def _flood_check(self, ctx: Ctx, event: InboundEvent) -> Flood:
        """Counts only what is addressed to the bot: group chatter it never answers is no
        burst (bot.services.flood)."""
        if self._flood is None:
            return Flood.OK
        if (
            isinstance(event, InboundMessage)
            and ctx.chat.is_group
            and not (_is_command(event) or event.reply_to_bot or event.mentions_bot)
        ):
            return Flood.OK
        return self._flood.check(ctx.sender.channel, ctx.sender.user_id, ctx.now)

    def _flood_reply(self, ctx: Ctx, flood: Flood) -> list[OutboundMessage]:
        ctx.edit_message_id = None
        return ctx.reply(privacy_msg.FLOOD_NOTICE) if flood is Flood.NOTICE else []

    async def _context(self, event: InboundEvent) -> Ctx:
        chat, sender = event.chat, event.sender
        ctx = Ctx(
            chat=chat,
            sender=sender,
            now=self._clock.now(),
            message_id=event.message_id,
            is_owner=(sender.channel, sender.user_id) in self._config.owners,
        )
        workspace_id: int | None = None
        if chat.is_group:
            bindings = await self._store.chats.get(chat.channel, chat.chat_id)
            if bindings:
                workspace_id = bindings[0].workspace_id
                ctx.registered_group = True
        if workspace_id is None:
            mine = await self._store.members.for_user(sender.channel, sender.user_id)
            if mine:
                # Several workspaces: the most recent binding wins (documented in the guide).
                ctx.member = max(mine, key=lambda m: m.id)
                workspace_id = ctx.member.workspace_id
        elif ctx.member is None:
            ctx.member = await self._store.members.get(workspace_id, sender.channel, sender.user_id)
        m = ctx.member
        if m is not None and sender.display_name and m.display_name != sender.display_name:
            # Bound by user id before they ever wrote: learn the name they go by.
            ctx.member = await self._store.members.upsert(
                m.workspace_id, m.channel, m.user_id, sender.display_name, m.role, m.org_id, ctx.now
            )
        if workspace_id is not None:
            ctx.workspace = await self._store.workspaces.get(workspace_id)
        return ctx

    # -- messages -------------------------------------------------------------------------
    async def _on_message(self, ctx: Ctx, event: InboundMessage) -> list[OutboundMessage]:
        text = event.text.strip()
        is_command = text.startswith("/")
        limit = self._config.max_text
        if is_command and split_command(text)[0] in ("thaymau", "settemplate"):
            limit = self._config.max_template_text
        if len(event.text) > limit:
            if ctx.chat.is_group and not (is_command or event.reply_to_bot or event.mentions_bot):
                return []
            return ctx.reply(
                msg.TOO_LONG.format(
                    size=f"{len(event.text):,}".replace(",", "."),
                    limit=f"{limit:,}".replace(",", "."),
                )
            )
        if is_command:
            return await self._on_command(ctx, event, text)
        polite = strip_courtesy(text)
        if polite != text:
            # "Dạ, đã nhận ạ": the answer without its courtesy words, for every path below.
            text = polite
            event = replace(event, text=polite)

        addressed = not ctx.chat.is_group or event.reply_to_bot or event.mentions_bot
        ack = parse_ack(text) if text else None
        if ack is not None:
            # "đã nhận": a unit acknowledging a directive (before any dialog in progress).
            acked = await self._directive_typed_ack(ctx, ack, addressed)
            if acked is not None:
                return acked
        state = await self._store.conversations.get(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id
        )
        if state is not None:
            # In a group, a dialog continues only with an answer to its choices, a message
            # addressed to the bot, or a filled-in form; other chatter stays chatter.
            if (
                addressed
                or self._typed_choice(state, text) is not None
                or (text and await self._looks_like_form(ctx, text))
            ):
                return await self._continue(ctx, state, event)
            return []

        member = ctx.member if ctx.workspace is not None else None
        if ctx.chat.is_group and not ctx.registered_group:
            return []
        if text and fold(text) not in _CONFIRM_WORDS:
            # A leader answering the digest in the leadership chat: offered as a directive.
            offered = await self._directive_from_reply(ctx, event, text)
            if offered is not None:
                return offered
        if member is None or member.org_id is None:
            if not addressed:
                return []
            if member is None:
                return ctx.reply(msg.UNKNOWN_USER)
            if any(ch.isdigit() for ch in text):
                return ctx.reply(msg.NO_ORG)
            return ctx.reply(
                msg.help_text(msg.visible_commands(ctx.access), intro=msg.HELP_INTRO_MEMBER)
            )
        if not text and event.photos:
            if not addressed:
                return []  # a photo shared in the group is not a report unless sent to the bot
            return await self._report_entry(ctx, None, None, None, "", event.photos, "photos")
        if not text:
            return ctx.reply(msg.EMPTY_MESSAGE) if addressed else []
        if not addressed and not await self._looks_like_form(ctx, text):
            return []
        if fold(text) in _CONFIRM_WORDS:
            return ctx.reply(msg.NOTHING_PENDING)
        return await self._report_entry(ctx, None, None, None, text, event.photos, "text")

    async def _looks_like_form(self, ctx: Ctx, text: str) -> bool:
        """In a group, a message from a bound reporter counts as a report only when it is a
        filled-in form (several numbered or labelled lines read), never ordinary chat."""
        campaign = await self._campaign(ctx)
        if campaign is None or ctx.member is None or ctx.member.org_id is None:
            return False
        org = await self._store.orgs.get(ctx.member.org_id)
        # Any active campaign's form counts (a weekly report and a checklist side by side).
        for c in [campaign, *[c for c in await self._campaigns(ctx) if c.id != campaign.id]]:
            template = await self._templates.get(c.workspace_id, c.template_key)
            result = parse_report(text, template, org.code if org else None)
            if result.mode == "form" and len(result.values) >= 2:
                return True
        return False

    async def _on_command(
        self, ctx: Ctx, event: InboundMessage, text: str
    ) -> list[OutboundMessage]:
        name, args = split_command(text)
        spec = find_command(name)
        if spec is None:
            spec = find_command(fold(name))  # "/trogiúp", "/báocáo": accents typed by habit
        if spec is None:
            return ctx.reply(_unknown_command(name))
        if name == "start" and args:
            spec = find_command("thamgia")
            assert spec is not None
        if event.revision and spec.name != "baocao":
            # An edited command is not run again (a second invite, a second set-up...);
            # an edited /baocao is a report like any other, read as a correction.
            return ctx.reply(msg.EDITED_COMMAND)
        # In a group nobody registered the bot only explains itself and lets it be registered;
        # nothing personal (who someone is, an invite) is answered there.
        if ctx.chat.is_group and not ctx.registered_group and spec.name not in _FOREIGN_GROUP_OK:
            return ctx.reply(msg.GROUP_NOT_REGISTERED)
        if not allowed(ctx.access, spec.access):
            if spec.access is Access.MEMBER and ctx.member is None:
                return ctx.reply(msg.UNKNOWN_USER)
            denial = {
                Access.OWNER: msg.NEED_OWNER if spec.name == "khoitao" else ops_msg.NEED_OWNER,
                Access.ADMIN: msg.NEED_ADMIN,
                Access.LEADER: msg.NEED_LEADER,
            }.get(spec.access, msg.UNKNOWN_USER)
            return ctx.reply(denial)
        if (
            ctx.workspace is None
            and spec.access is not Access.ANYONE
            and spec.name not in _NO_WORKSPACE_OK
        ):
            # Only a bot owner gets here without a workspace (members always have one): the
            # owner's rights apply in the workspaces' groups, or once bound in one.
            return ctx.reply(msg.NO_WORKSPACE)
        if spec.name != "huy":
            ctx.ended = await self._store.conversations.get(
                ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id
            )
            await self._clear_state(ctx)
        handler = self._config.extra_commands.get(spec.name) or getattr(
            self, f"_cmd_{spec.name}", None
        )
        if handler is None:
            return ctx.reply(ops_msg.COMMAND_UNAVAILABLE)
        result: list[OutboundMessage] = await handler(ctx, args, event)
        dropped = _dropped_report(ctx.ended) if spec.name not in ("baocao", "huy") else None
        if dropped is not None:
            # Figures read but not confirmed are gone: said, not dropped silently.
            result = [*ctx.reply(msg.draft_dropped(dropped)), *result]
        return result

    # -- dialog state ---------------------------------------------------------------------
    async def _save_state(self, ctx: Ctx, kind: str, data: dict[str, Any]) -> None:
        await self._store.conversations.put(
            ConversationState(
                channel=ctx.chat.channel,
                chat_id=ctx.chat.chat_id,
                user_id=ctx.sender.user_id,
                kind=kind,
                data=data,
                updated_at=ctx.now,
            )
        )

    async def _clear_state(self, ctx: Ctx) -> None:
        await self._store.conversations.clear(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id
        )

    def _typed_choice(self, state: ConversationState, text: str) -> str | None:
        """A typed answer to offered choices: its number ("1") or its label ("xac nhan")."""
        choices = state.data.get("choices")
        if not isinstance(choices, list) or not choices:
            return None
        t = fold(text).strip(" .)")
        # A bare number picks a choice only where the bot asked for a decision (confirm or
        # not); in guided questions and while corrections are awaited a number is data, so
        # there choices are taken by their words ("bỏ qua", "hủy") or by button only.
        if _decides([str(c[1]) for c in choices]) and t.isdigit() and 1 <= int(t) <= len(choices):
            return str(choices[int(t) - 1][1])
        for label, data in choices:
            if t == fold(str(label)):
                return str(data)
        synonyms = {
            OK: ("ok", "dong y", "co", "luu", "yes"),
            CANCEL: ("huy", "thoi", "huy bo"),
            SKIP: ("bo qua", "khong co", "-", "qua"),
        }
        datas = [str(d) for _, d in choices]
        for data, words in synonyms.items():
            if data in datas and t in words:
                return data
        return None

    async def _continue(
        self, ctx: Ctx, state: ConversationState, event: InboundMessage
    ) -> list[OutboundMessage]:
        text = event.text.strip()
        chosen = self._typed_choice(state, text) if text else None
        if chosen is not None:
            return await self._on_choice(ctx, state, chosen)
        if state.kind == AWAIT_TEMPLATE:
            return await self._replace_template(ctx, text, event)
        if state.kind in PRIVACY_KINDS:
            return await self._privacy_text(ctx, state, text)
        if state.kind == DIRECTIVE:
            return ctx.reply(dmsg.PENDING_CHOOSE, self._directive_pending())
        if state.kind == CHOOSE:
            raw = state.data.get("choices")
            offered = [Choice(str(c[0]), str(c[1])) for c in raw] if isinstance(raw, list) else []
            return ctx.reply(msg.choose_number(len(offered)), offered)
        if state.kind == GUIDED:
            return await self._guided_answer(ctx, state, text)
        if state.kind == REPORT:
            if not text and event.photos:
                return await self._add_pending_photos(ctx, state, event.photos)
            if not text:
                return ctx.reply(msg.EMPTY_MESSAGE)
            stale = await self._stale_draft(ctx, state)
            if stale is not None:
                # A draft left unconfirmed before the next period opened: a new report now
                # is for the new period, not a correction of last month's draft.
                await self._clear_state(ctx)
                out = await self._report_entry(ctx, None, None, None, text, event.photos, "text")
                return [*ctx.reply(msg.STALE_DRAFT_DROPPED.format(period=stale)), *out]
            return await self._correct_pending(ctx, state, text, event.photos)
        await self._clear_state(ctx)
        return ctx.reply(msg.PENDING_EXPIRED)

    async def _on_press(self, ctx: Ctx, data: str) -> list[OutboundMessage]:
        directive = await self._directive_press(ctx, data)
        if directive is not None:
            return directive
        state = await self._store.conversations.get(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id
        )
        choices = state.data.get("choices") if state is not None else None
        if state is None or not isinstance(choices, list) or data not in [c[1] for c in choices]:
            # A stale button (already answered, a double tap, another person's): nothing to
            # say in the chat; the channel tells the presser quietly (Telegram: a toast), and
            # the message keeps what it shows (e.g. "Đã ghi nhận").
            return []
        return await self._on_choice(ctx, state, data)

    async def _on_choice(
        self, ctx: Ctx, state: ConversationState, data: str
    ) -> list[OutboundMessage]:
        if data == CANCEL:
            await self._clear_state(ctx)
            return ctx.reply(msg.NOT_SAVED if state.kind in (REPORT, GUIDED) else msg.CANCELLED)
        if state.kind == DIRECTIVE:
            return await self._directive_choice(ctx, state, data)
        if state.kind == REPORT:
            if data == OK:
                return await self._save_pending(ctx, state)
            if data == EDIT:
                await self._save_state(
                    ctx, REPORT, {**state.data, "choices": [[msg.CHOICE_CANCEL, CANCEL]]}
                )
                return ctx.reply(msg.FIX_QUESTION, [Choice(msg.CHOICE_CANCEL, CANCEL)])
            if data == ASK:
                return await self._start_guided(ctx, state)
        if state.kind == CHOOSE and data.startswith("campaign:"):
            await self._clear_state(ctx)
            campaign = await self._store.campaigns.get(int(data.split(":", 1)[1]))
            if campaign is None or not campaign.active:
                return ctx.reply(msg.PENDING_EXPIRED)
            org_code = state.data.get("org_code")
            return await self._report_entry(
                ctx,
                campaign,
                str(org_code) if org_code else None,
                None,
                str(state.data.get("text", "")),
                _strings(state.data.get("photos")),
                str(state.data.get("mode", "text")),
            )
        if state.kind == GUIDED and data == SKIP:
            return await self._guided_next(ctx, state.data, skip=True)
        if state.kind in PRIVACY_KINDS:
            return await self._privacy_choice(ctx, state, data)
        return ctx.reply(msg.PENDING_EXPIRED)

    # -- helpers: workspace objects -------------------------------------------------------
    async def _campaign(self, ctx: Ctx, period_type: PeriodType | None = None) -> Campaign | None:
        if ctx.workspace is None:
            return None
        campaigns = await self._store.campaigns.all(ctx.workspace.id, active_only=True)
        if period_type is not None:
            typed = [c for c in campaigns if c.period_type is period_type]
            campaigns = typed or campaigns
        return campaigns[0] if campaigns else None

    async def _org_by_code(self, ctx: Ctx, code: str) -> OrgUnit | None:
        if ctx.workspace is None:
            return None
        return await self._store.orgs.by_code(ctx.workspace.id, code.strip().lower())

    async def _unit_name(self, ctx: Ctx, org: OrgUnit) -> str:
        """A unit's name as confirmations show it: with its commune where communes repeat
        names ("Hội CCB (Phường Bình Minh)"), as listings and roll-ups do."""
        if ctx.workspace is None:
            return org.display_name
        tree = Hierarchy(await self._store.orgs.all(ctx.workspace.id, include_inactive=True))
        return tree.full_name(org)

    async def _audit(self, ctx: Ctx, action: str, detail: str) -> None:
        assert ctx.workspace is not None
        await self._store.audit.record(ctx.workspace.id, ctx.actor, action, detail, ctx.now)

    # -- general commands -----------------------------------------------------------------
    async def _cmd_trogiup(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        if args:
            word = args.strip().lstrip("/").split()[0]
            spec = find_command(word) or find_command(fold(word))
            if spec is not None:
                return ctx.reply(msg.command_help(spec))
            visible = msg.visible_commands(ctx.access)
            group = msg.find_help_group(args.strip(), visible)
            if group is not None:
                return ctx.reply(msg.help_group_text(group, visible))
            return ctx.reply(_unknown_command(word))
        intro = msg.HELP_INTRO_MEMBER if ctx.member is not None else msg.HELP_INTRO_UNBOUND
        return ctx.reply(msg.help_text(msg.visible_commands(ctx.access), intro=intro))

    async def _cmd_toi(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        lines: list[str] = []
        for m in await self._store.members.for_user(ctx.sender.channel, ctx.sender.user_id):
            ws = await self._store.workspaces.get(m.workspace_id)
            org = await self._store.orgs.get(m.org_id) if m.org_id else None
            where = f"{org.display_name} – " if org else ""
            lines.append(
                f"{ws.name if ws else m.workspace_id}: {where}{msg.ROLE_LABELS[m.role.value]}"
            )
        if ctx.is_owner:
            lines.append("Người vận hành bot (BOT_OWNERS)")
        lines.append(f"Mã người dùng: {ctx.sender.user_id}")
        return ctx.reply(
            msg.whoami(lines)
            if len(lines) > 1 or ctx.is_owner
            else msg.UNKNOWN_USER + f"\nMã người dùng của đồng chí: {ctx.sender.user_id}"
        )

    async def _cmd_huy(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        state = await self._store.conversations.get(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id
        )
        if state is None:
            return ctx.reply(msg.NOTHING_TO_CANCEL)
        await self._clear_state(ctx)
        return ctx.reply(msg.NOT_SAVED if state.kind in (REPORT, GUIDED) else msg.CANCELLED)

    async def _cmd_thamgia(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        code = args.strip().split()[0].upper() if args.strip() else ""
        if not code:
            return ctx.reply(msg.JOIN_USAGE)
        invite = await self._store.invites.get(code)
        if invite is None or not invite.usable_at(ctx.now):
            return ctx.reply(msg.INVITE_INVALID.format(code=code[:20]))
        ws = await self._store.workspaces.get(invite.workspace_id)
        assert ws is not None
        await self._store.members.upsert(
            ws.id, ctx.sender.channel, ctx.sender.user_id, ctx.sender.display_name,
            invite.role, invite.org_id, ctx.now,
        )  # fmt: skip
        await self._store.invites.use(code)
        org = await self._store.orgs.get(invite.org_id) if invite.org_id else None
        ctx.workspace = ws
        await self._audit(
            ctx,
            "join",
            f"{code} → {org.code if org else '-'} ({msg.ROLE_LABELS[invite.role.value]})",
        )
        return ctx.reply(msg.joined(org.display_name if org else None, invite.role.value, ws.name))

    # -- set-up commands ------------------------------------------------------------------
    async def _cmd_khoitao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        name = " ".join(args.split())[:200]
        if not name:
            return ctx.reply(msg.SETUP_USAGE)
        if ctx.registered_group and ctx.workspace is not None:
            return ctx.reply(msg.ALREADY_REGISTERED.format(name=ctx.workspace.name))
        ws = await self._store.workspaces.create(name, ctx.now)
        ctx.workspace = ws
        if ctx.chat.is_group:
            await self._bind_chat(ctx, ChatPurpose.REPORTING)
        await self._store.members.upsert(
            ws.id, ctx.sender.channel, ctx.sender.user_id, ctx.sender.display_name,
            Role.ADMIN, None, ctx.now,
        )  # fmt: skip
        await self._audit(ctx, "setup", name)
        text = msg.setup_done(name, ctx.chat.is_group)
        if not ctx.chat.is_group and ctx.chat.channel in self._config.private_only_channels:
            text += "\n" + msg.PRIVATE_ONLY
        return ctx.reply(text)

    async def _bind_chat(self, ctx: Ctx, purpose: ChatPurpose) -> None:
        assert ctx.workspace is not None
        title = ctx.chat.title or ctx.sender.display_name
        await self._store.chats.bind(
            ChatBinding(
                ctx.workspace.id, ctx.chat.channel, ctx.chat.chat_id, ctx.chat.kind, purpose, title
            )
        )

    async def _require_admin_here(self, ctx: Ctx) -> list[OutboundMessage] | None:
        """For set-up commands run in a group not yet registered: the sender's own workspace
        is the one being configured, and they must be its admin."""
        if ctx.workspace is None:
            return ctx.reply(msg.NO_WORKSPACE)
        if not (ctx.is_owner or (ctx.member is not None and ctx.member.role is Role.ADMIN)):
            return ctx.reply(msg.NEED_ADMIN)
        return None

    async def _cmd_nhombaocao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        if not ctx.chat.is_group:
            if ctx.chat.channel in self._config.private_only_channels:
                return ctx.reply(msg.PRIVATE_ONLY)
            return ctx.reply(msg.NEEDS_GROUP)
        denied = await self._require_admin_here(ctx)
        if denied:
            return denied
        assert ctx.workspace is not None
        await self._bind_chat(ctx, ChatPurpose.REPORTING)
        await self._audit(ctx, "set_reporting_chat", f"{ctx.chat.channel}:{ctx.chat.chat_id}")
        return ctx.reply(
            msg.GROUP_REGISTERED.format(
                title=ctx.chat.title or ctx.chat.chat_id, name=ctx.workspace.name
            )
        )

    async def _cmd_nhomlanhdao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        denied = await self._require_admin_here(ctx)
        if denied:
            return denied
        assert ctx.workspace is not None
        await self._bind_chat(ctx, ChatPurpose.LEADERSHIP)
        await self._audit(ctx, "set_leadership_chat", f"{ctx.chat.channel}:{ctx.chat.chat_id}")
        title = (
            ctx.chat.title
            if ctx.chat.is_group
            else f"cuộc trò chuyện với {ctx.sender.display_name}"
        )
        return ctx.reply(msg.LEADERSHIP_REGISTERED.format(title=title, name=ctx.workspace.name))

    async def _cmd_napmau(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        key = fold(args).strip()
        if not key:
            return ctx.reply(
                msg.preset_list([(p.key, p.title, p.description) for p in PRESETS.values()])
            )
        preset = PRESETS.get(key)
        if preset is None:
            return ctx.reply(msg.UNKNOWN_PRESET.format(key=args.strip()[:40]))
        assert ctx.workspace is not None
        ws_id = ctx.workspace.id
        added: list[str] = []
        kept: list[str] = []
        for org in preset.orgs:
            if await self._store.orgs.by_code(ws_id, org.code) is None:
                await self._store.orgs.add(ws_id, org.code, org.name, org.short_name)
                added.append(org.short_name or org.name)
            else:
                kept.append(org.short_name or org.name)
        template = preset.template
        await self._templates.save(ws_id, template, ctx.actor, ctx.now)
        campaigns = await self._store.campaigns.all(ws_id, active_only=True)
        campaign = next((c for c in campaigns if c.template_key == template.key), None)
        if campaign is None:
            campaign = await self._store.campaigns.create(
                ws_id, template.name, template.key, template.period_type,
                self._config.timezone,
                default_schedule(template.period_type), ctx.now,
            )  # fmt: skip
        await self._audit(ctx, "preset", preset.key)
        return ctx.reply(msg.preset_applied(preset.title, added, kept, campaign.name))

    # -- organizations --------------------------------------------------------------------
    async def _cmd_donvi(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        orgs = await self._store.orgs.all(ctx.workspace.id, include_inactive=True)
        if not orgs:
            return ctx.reply(msg.NO_ORGS)
        members = await self._store.members.all(ctx.workspace.id)
        counts: dict[int, int] = {}
        for m in members:
            if m.org_id is not None:
                counts[m.org_id] = counts.get(m.org_id, 0) + 1
        tree = Hierarchy(orgs)
        if tree.has_levels or any(not o.reports for o in orgs):
            return ctx.reply(render_tree(tree, counts))
        rows = [(o.code, o.name, o.active, counts.get(o.id, 0)) for o in orgs]
        return ctx.reply(msg.org_list(rows))

    async def _cmd_themdonvi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        """One unit per line, so a commune's six organizations go in one message."""
        lines = [ln for ln in args.split("\n") if ln.strip()]
        if not lines:
            return ctx.reply(msg.ADDORG_USAGE)
        done: list[str] = []
        failed: list[str] = []
        for number, line in enumerate(lines, 1):
            parts = [p.strip() for p in line.split("|")]
            error: str | None
            if len(parts) < 2 or not parts[0] or not parts[1]:
                error = msg.ADDORG_USAGE
            else:
                error = await self._add_unit(
                    ctx, parts[0], parts[1], _part(parts, 2), _part(parts, 3), True
                )
            if error is not None:
                if len(lines) == 1:
                    return ctx.reply(error)
                # Every good line is kept; each bad one is named by its number so the
                # officer resends only those.
                failed.append(msg.ADDORG_LINE_FAILED.format(n=number, line=line.strip()[:80]))
                failed.append(error)
                continue
            done.append(" ".join((_part(parts, 2) or parts[1]).split()))
        if len(lines) == 1:
            code = lines[0].split("|")[0].strip().lower()
            return ctx.reply(msg.ORG_ADDED.format(name=done[0], code=code))
        text = msg.units_added(done, grouping=False) if done else msg.ADDORG_NONE_ADDED
        if failed:
            text += "\n" + "\n".join(failed) + "\n" + msg.ADDORG_RESEND_FAILED
        return ctx.reply(text)

    async def _cmd_doiten(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        parts = [p.strip() for p in args.split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            return ctx.reply(msg.RENAME_USAGE)
        org = await self._org_by_code(ctx, parts[0])
        if org is None:
            return ctx.reply(msg.ORG_NOT_FOUND.format(code=parts[0][:40]))
        name = " ".join(parts[1].split())[:200]
        short = " ".join(parts[2].split())[:80] if len(parts) > 2 and parts[2] else org.short_name
        updated = await self._store.orgs.update(replace(org, name=name, short_name=short))
        await self._audit(ctx, "rename_org", f"{org.code}: {org.name} → {name}")
        return ctx.reply(
            msg.ORG_RENAMED.format(code=org.code, name=updated.name, short=updated.display_name)
        )

    async def _set_active(
        self, ctx: Ctx, args: str, active: bool, cmd: str
    ) -> list[OutboundMessage]:
        if not args.strip():
            return ctx.reply(msg.CODE_USAGE.format(cmd=cmd))
        org = await self._org_by_code(ctx, args.split()[0])
        if org is None:
            return ctx.reply(msg.ORG_NOT_FOUND.format(code=args.split()[0][:40]))
        if org.active == active:
            already = msg.ORG_ALREADY_ACTIVE if active else msg.ORG_ALREADY_INACTIVE
            return ctx.reply(already.format(name=org.display_name, code=org.code))
        assert ctx.workspace is not None
        tree = Hierarchy(await self._store.orgs.all(ctx.workspace.id, include_inactive=True))
        # The reporting units beneath that follow it (not those stopped on their own); a
        # stopped commune's units are not "active" in the tree, hence include_inactive.
        under = [
            n.org
            for n in tree.nodes(org.id, include_inactive=True)
            if n.org.reports and n.org.active and n.org.id != org.id
        ]
        # The stop is kept with its time: the periods due while a unit was stopped are not
        # its to report once reopened.
        await self._store.orgs.set_active(org.id, active, ctx.now)
        await self._audit(ctx, "activate_org" if active else "deactivate_org", org.code)
        template = msg.ORG_ACTIVATED if active else msg.ORG_DEACTIVATED
        text = template.format(name=tree.full_name(org), code=org.code)
        if under:
            # A commune carries its units with it: say how many, and what it does to figures.
            text += " " + msg.LEVEL_UNITS_FOLLOW.format(n=len(under))
        effect = await self._stop_effect(ctx, active)
        if effect:
            text += "\n" + effect
        if active and self._config.prompt_reopened is not None:
            units = [*([org] if org.reports else []), *under]
            prompted = await self._config.prompt_reopened(units, ctx.now)
            if prompted:
                text += "\n" + msg.reopened_prompted(
                    sorted({p.short_label() for p in prompted}), len(units)
                )
        return ctx.reply(text)

    async def _stop_effect(self, ctx: Ctx, active: bool) -> str:
        """From which period a stop or a reopening counts, for each running campaign: the
        first whose deadline is still ahead (``OrgUnit.expected_by``). Periods already due
        keep what they expected, so the admin sees the rule applied, not just "done"."""
        assert ctx.workspace is not None
        campaigns = await self._store.campaigns.all(ctx.workspace.id, active_only=True)
        lines: list[str] = []
        for campaign in campaigns:
            period = cal.current_period(campaign, ctx.now)
            deadline = cal.times(campaign, period).deadline
            if ctx.now >= deadline:
                period = period.next()
                deadline = cal.times(campaign, period).deadline
            lines.append(
                msg.stop_effect(
                    period.short_label(),
                    format_deadline(deadline.astimezone(ZoneInfo(campaign.timezone))),
                    active,
                    campaign.name if len(campaigns) > 1 else None,
                )
            )
        return "\n".join(lines)

    async def _cmd_ngungdonvi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        return await self._set_active(ctx, args, False, "ngungdonvi")

    async def _cmd_molaidonvi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        return await self._set_active(ctx, args, True, "molaidonvi")

    # -- invites and members --------------------------------------------------------------
    def _role_word(self, word: str) -> Role | None:
        value = msg.ROLE_WORDS.get(fold(word))
        return Role(value) if value else None

    async def _org_arg(
        self, ctx: Ctx, word: str
    ) -> tuple[OrgUnit | None, list[OutboundMessage] | None]:
        """An organization code argument; "-" means "no organization" (leaders, admins)."""
        if word == "-":
            return None, None
        org = await self._org_by_code(ctx, word)
        if org is None:
            return None, ctx.reply(msg.ORG_NOT_FOUND.format(code=word[:40]))
        return org, None

    async def _cmd_moi(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        words = args.split()
        if not words:
            return ctx.reply(msg.INVITE_USAGE)
        org, missing = await self._org_arg(ctx, words[0])
        if missing:
            return missing
        role = Role.REPORTER
        if len(words) > 1:
            found = self._role_word(" ".join(words[1:]))
            if found is None:
                return ctx.reply(msg.BAD_ROLE.format(role=" ".join(words[1:])[:30]))
            role = found
        cfg = self._config
        for _ in range(20):
            code = self._new_code()
            try:
                await self._store.invites.create(
                    Invite(
                        code=code, workspace_id=ctx.workspace.id,
                        org_id=org.id if org else None, role=role, created_by=ctx.actor,
                        created_at=ctx.now, expires_at=ctx.now + timedelta(days=cfg.invite_days),
                        max_uses=cfg.invite_uses,
                    )
                )  # fmt: skip
                break
            except DuplicateError:
                continue
        else:
            return ctx.reply(msg.GENERIC_ERROR)
        await self._audit(
            ctx, "invite", f"{code} → {org.code if org else '-'} ({msg.ROLE_LABELS[role.value]})"
        )
        text = msg.invite_created(
            code, org.display_name if org else None, role.value, cfg.invite_days, cfg.invite_uses
        )
        link = cfg.invite_links.get(ctx.chat.channel)
        if link:
            text += "\n" + msg.invite_link(link.format(code=code))
        return ctx.reply(text)

    async def _cmd_gan(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        words = args.split()
        if not words:
            return ctx.reply(msg.BIND_USAGE)
        org, missing = await self._org_arg(ctx, words[0])
        if missing:
            return missing
        rest = words[1:]
        role = Role.REPORTER
        # The role may be one word or two ("lãnh đạo", "quản trị"); the user id comes last.
        for width in (2, 1):
            found = self._role_word(" ".join(rest[:width])) if len(rest) >= width else None
            if found is not None:
                role, rest = found, rest[width:]
                break
        target = event.reply_to_sender
        if (target is not None and rest) or len(rest) > 1:
            return ctx.reply(msg.BAD_ROLE.format(role=" ".join(rest if target else rest[:-1])[:30]))
        if target is None:
            if not rest:
                return ctx.reply(msg.BIND_USAGE)
            user_id = rest[0]
            existing = await self._store.members.get(ctx.workspace.id, ctx.sender.channel, user_id)
            target = Sender(
                ctx.sender.channel, user_id, existing.display_name if existing else user_id
            )
        await self._store.members.upsert(
            ctx.workspace.id, target.channel, target.user_id, target.display_name, role,
            org.id if org else None, ctx.now,
        )  # fmt: skip
        await self._audit(
            ctx,
            "bind",
            f"{target.channel}:{target.user_id} → {org.code if org else 'không thuộc đơn vị'} "
            f"({msg.ROLE_LABELS[role.value]})",
        )
        return ctx.reply(
            msg.bound(
                target.display_name,
                await self._unit_name(ctx, org) if org else None,
                role.value,
            )
        )

    async def _cmd_bogan(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        target_id = (
            args.split()[0]
            if args.split()
            else (event.reply_to_sender.user_id if event.reply_to_sender else "")
        )
        if not target_id:
            return ctx.reply(msg.UNBIND_USAGE)
        member = await self._store.members.get(ctx.workspace.id, ctx.sender.channel, target_id)
        if member is None:
            return ctx.reply(msg.MEMBER_NOT_FOUND.format(user=target_id[:40]))
        if member.role is Role.ADMIN:
            admins = [
                m for m in await self._store.members.all(ctx.workspace.id) if m.role is Role.ADMIN
            ]
            if len(admins) <= 1:
                return ctx.reply(msg.CANNOT_UNBIND_SELF)
        await self._store.members.remove(member.id)
        await self._audit(ctx, "unbind", f"{member.channel}:{member.user_id}")
        return ctx.reply(msg.UNBOUND.format(name=member.display_name))

    async def _cmd_thanhvien(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        orgs = {
            o.id: o for o in await self._store.orgs.all(ctx.workspace.id, include_inactive=True)
        }
        groups: dict[str, list[str]] = {}
        members = await self._store.members.all(ctx.workspace.id)
        # People the bot could not reach in private (blocked it): the outbox recorded it.
        unreachable = await self._store.outbox.unreachable(
            [(m.channel, m.user_id) for m in members]
        )
        for m in members:
            title = orgs[m.org_id].display_name if m.org_id in orgs else "Không thuộc đơn vị"
            line = (
                f"{m.display_name} ({msg.ROLE_LABELS[m.role.value]}, {m.channel}, mã {m.user_id})"
            )
            if (m.channel, m.user_id) in unreachable:
                line += f" – {msg.UNREACHABLE}"
            groups.setdefault(title, []).append(line)
        return ctx.reply(msg.member_list(list(groups.items())))

    async def _cmd_nhatky(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        entries = await self._store.audit.all(ctx.workspace.id, 30)
        if not entries:
            return ctx.reply(msg.AUDIT_EMPTY)
        zone = _zone(self._config.timezone)
        lines = [
            f"{e.at.astimezone(zone):%d/%m/%Y %Hh%M} – {e.actor}: "
            f"{msg.AUDIT_ACTIONS.get(e.action, e.action)} {e.detail}"
            for e in entries
        ]
        return ctx.reply(msg.audit_list(lines))

    # -- template and schedule ------------------------------------------------------------
    async def _campaign_by_word(self, ctx: Ctx, args: str) -> tuple[Campaign | None, str]:
        """ "/lich tháng hạn ngày 25 17:00": a leading period word picks that campaign."""
        campaigns = await self._campaigns(ctx)
        word, _, rest = args.strip().partition(" ")
        wanted = _PERIOD_WORDS.get(fold(word))
        if wanted is not None:
            chosen = next((c for c in campaigns if c.period_type is wanted), None)
            return chosen, rest.strip()
        return (campaigns[0] if campaigns else None), args

    async def _cmd_mau(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        campaign, args = await self._campaign_by_word(ctx, args)
        if campaign is None:
            return ctx.reply(msg.NO_CAMPAIGN)
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        version = await self._templates.version(campaign.workspace_id, campaign.template_key)
        if fold(args).strip() in ("tep", "file", "yaml"):
            doc = OutDocument(
                f"{template.key}.yaml",
                template.to_yaml().encode("utf-8"),
                f"Mẫu báo cáo “{template.name}” (phiên bản {version})",
            )
            return [replace(ctx.reply(doc.caption)[0], document=doc)]
        org_code = None
        if ctx.member is not None and ctx.member.org_id is not None:
            org = await self._store.orgs.get(ctx.member.org_id)
            org_code = org.code if org else None
        head = (
            f"Mẫu báo cáo “{template.name}” (phiên bản {version}, kỳ {template.period_type.label}):"
        )
        names = None
        if org_code is None:  # the whole form: which parts are only some units'
            units = await self._store.orgs.all(campaign.workspace_id)
            names = {o.code: o.display_name for o in units}
        text = f"{head}\n{render_form(template, org_code, names)}"
        if template.checklist is not None:
            text += "\n" + describe_rule(template, org_code)
        if template.indicators:
            text += "\n" + imsg.indicator_list(
                [f" - {i.label}: {i.formula}" for i in template.indicators]
            )
        return ctx.reply(text)

    async def _cmd_thaymau(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        if not args.strip() and event.document is None:
            assert ctx.workspace is not None
            await self._save_state(ctx, AWAIT_TEMPLATE, {"choices": [[msg.CHOICE_CANCEL, CANCEL]]})
            return ctx.reply(msg.TEMPLATE_SEND_DOCUMENT, [Choice(msg.CHOICE_CANCEL, CANCEL)])
        return await self._replace_template(ctx, args, event)

    async def _replace_template(
        self, ctx: Ctx, text: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        if not (ctx.is_owner or (ctx.member is not None and ctx.member.role is Role.ADMIN)):
            await self._clear_state(ctx)
            return ctx.reply(msg.NEED_ADMIN)
        document = text
        if event.document is not None:
            if len(event.document.content) > self._config.max_template_text:
                return ctx.reply(
                    msg.TOO_LONG.format(
                        size=len(event.document.content), limit=self._config.max_template_text
                    )
                )
            document = event.document.content.decode("utf-8", errors="replace")
        try:
            template = parse_template_document(document)
        except TemplateError as exc:
            return ctx.reply(msg.template_errors(exc.problems))
        await self._clear_state(ctx)
        # The campaign using this template key, else the one reporting by the same period
        # type (its template is replaced), else a new campaign with the default schedule.
        campaigns = await self._campaigns(ctx)
        campaign = next((c for c in campaigns if c.template_key == template.key), None)
        if campaign is None:
            # A checklist never takes over an ordinary report's campaign, nor the reverse:
            # both run side by side (a weekly report and a monthly self-assessment).
            for c in campaigns:
                if c.period_type is not template.period_type:
                    continue
                try:
                    other = await self._templates.get(ctx.workspace.id, c.template_key)
                except TemplateMissingError:
                    other = None
                if other is None or (other.checklist is None) == (template.checklist is None):
                    campaign = c
                    break
        notes = ""
        if campaign is not None:
            # Fields the new template drops no longer show in digests: say so, once.
            try:
                old = await self._templates.get(ctx.workspace.id, campaign.template_key)
            except TemplateMissingError:
                old = None
            if old is not None:
                kept = {f.key for f in template.all_fields()}
                dropped = [f.label for f in old.all_fields() if f.key not in kept]
                if dropped:
                    notes += "\n" + msg.fields_dropped(dropped)
        version = await self._templates.save(ctx.workspace.id, template, ctx.actor, ctx.now)
        if campaign is None:
            await self._store.campaigns.create(
                ctx.workspace.id, template.name, template.key, template.period_type,
                self._config.timezone, default_schedule(template.period_type), ctx.now,
            )  # fmt: skip
            notes += "\n" + msg.NEW_CAMPAIGN.format(name=template.name)
        else:
            schedule = campaign.schedule
            if campaign.period_type is not template.period_type:
                schedule = default_schedule(template.period_type)
                notes += "\n" + msg.TEMPLATE_PERIOD_CHANGED.format(
                    old=campaign.period_type.label, new=template.period_type.label
                )
            await self._store.campaigns.update(
                replace(campaign, name=template.name, template_key=template.key,
                        period_type=template.period_type, schedule=schedule)
            )  # fmt: skip
        await self._audit(ctx, "template", f"{template.key}, phiên bản {version}")
        if template.indicators:
            refs = [r.key for r in template.references]
            notes += "\n" + imsg.template_indicators(len(template.indicators), refs)
        unknown = await self._unknown_codes(ctx, template)
        if unknown:
            # Saved anyway (a unit may be added later), but a typo must not pass unseen.
            notes += "\n" + msg.TEMPLATE_UNKNOWN_CODES.format(codes=", ".join(unknown))
        count = len(list(template.all_fields()))
        return ctx.reply(msg.template_replaced(template.name, version, count) + notes)

    async def _unknown_codes(self, ctx: Ctx, template: Template) -> list[str]:
        """Unit codes the template's ``applies_to`` names that the workspace does not have."""
        assert ctx.workspace is not None
        named: list[str] = []
        for section in template.sections:
            named.extend(section.applies_to)
            for f in section.fields:
                named.extend(f.applies_to)
        for ind in template.indicators:
            named.extend(ind.applies_to)
        known = {
            o.code for o in await self._store.orgs.all(ctx.workspace.id, include_inactive=True)
        }
        return [c for c in dict.fromkeys(named) if c not in known]

    async def _cmd_lich(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        if not args.strip():
            campaigns = await self._campaigns(ctx)
            if not campaigns:
                return ctx.reply(msg.NO_CAMPAIGN)
            return ctx.reply("\n\n".join([self._schedule_text(c, ctx.now) for c in campaigns]))
        campaign, args = await self._campaign_by_word(ctx, args)
        if campaign is None:
            return ctx.reply(msg.NO_CAMPAIGN)
        prefix = ""
        if args.strip():
            try:
                schedule = parse_schedule(args, campaign.schedule, campaign.period_type)
            except ScheduleError as exc:
                return ctx.reply(str(exc))
            campaign = await self._store.campaigns.update(replace(campaign, schedule=schedule))
            await self._audit(ctx, "schedule", args.strip()[:300])
            prefix = msg.SCHEDULE_SAVED
        return ctx.reply(prefix + self._schedule_text(campaign, ctx.now))

    def _schedule_text(self, campaign: Campaign, now: datetime) -> str:
        period = cal.current_period(campaign, now)
        t = cal.times(campaign, period)
        if now >= t.open:
            period = period.next()
            t = cal.times(campaign, period)
        zone = _zone(campaign.timezone)
        return msg.schedule_text(
            campaign.name,
            describe_schedule(campaign.schedule, campaign.period_type),
            format_deadline(t.open.astimezone(zone)),
            format_deadline(t.deadline.astimezone(zone)),
            weekly=campaign.period_type is PeriodType.WEEK,
        )

    # -- reporting ------------------------------------------------------------------------
    async def _cmd_baocao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        campaigns = await self._campaigns(ctx)
        if not campaigns:
            return ctx.reply(msg.NO_CAMPAIGN)
        default = campaigns[0]
        org_code: str | None = None
        period: Period | None = None
        lines = args.split("\n", 1)
        first = lines[0].strip()
        rest = lines[1] if len(lines) > 1 else ""
        # An organization code and/or a period may lead the first line: "/baocao hnd tuần 47".
        words = first.split()
        if words and ORG_CODE.match(words[0].lower()) and await self._org_by_code(ctx, words[0]):
            org_code = words[0].lower()
            words = words[1:]
        guided = bool(words) and fold(words[-1]) in ("hoi", "guided")
        if guided:
            words = words[:-1]
        if words:
            try:
                today = ctx.now.astimezone(_zone(default.timezone)).date()
                # Not "recent": a week ahead named without its year is a slip to point out,
                # not last year's week to file a report under.
                period = parse_period_ref(" ".join(words), default.period_type, today)
                words = []
            except PeriodError:
                period = None
        campaign: Campaign | None = None
        if period is not None:
            campaign = next((c for c in campaigns if c.period_type is period.type), None)
            if campaign is None:
                return ctx.reply(msg.no_campaign_for(period.type.label))
        body = (" ".join(words) + ("\n" + rest if rest else "")).strip() if words else rest.strip()
        mode = "guided" if guided else ("text" if body or event.photos else "form")
        return await self._report_entry(ctx, campaign, org_code, period, body, event.photos, mode)

    async def _campaigns(self, ctx: Ctx) -> list[Campaign]:
        if ctx.workspace is None:
            return []
        return await self._store.campaigns.all(ctx.workspace.id, active_only=True)

    async def _report_entry(
        self,
        ctx: Ctx,
        campaign: Campaign | None,
        org_code: str | None,
        period: Period | None,
        text: str,
        photos: Sequence[str],
        mode: str,
    ) -> list[OutboundMessage]:
        """Every way into a report meets here, once the campaign is known (or asked for)."""
        if campaign is None:
            org, denied = await self._resolve_target(ctx, org_code)
            if denied:
                return denied
            assert org is not None
            campaigns = await self._campaigns(ctx)
            if not campaigns:
                return ctx.reply(msg.NO_CAMPAIGN)
            campaign = await self._pick_campaign(ctx, org, campaigns, text)
            if campaign is None:
                choices = [Choice(c.name, f"campaign:{c.id}") for c in campaigns]
                choices.append(Choice(msg.CHOICE_CANCEL, CANCEL))
                data: dict[str, Any] = {
                    "text": text[-20_000:],
                    "photos": list(photos),
                    "org_code": org_code,
                    "mode": mode,
                    "choices": [[c.label, c.data] for c in choices],
                }
                await self._save_state(ctx, CHOOSE, data)
                return ctx.reply(msg.CHOOSE_CAMPAIGN, choices)
        period = period or cal.reporting_period(campaign, ctx.now)
        refused = self._refuse_period(ctx, campaign, period)
        if refused:
            return refused
        if mode == "guided":
            return await self._guided_from_command(ctx, campaign, org_code, period)
        if mode == "form":
            return await self._offer_form(ctx, campaign, org_code, period)
        if mode == "photos":
            return await self._on_photos(ctx, campaign, period, photos)
        return await self._report_text(
            ctx, campaign, text, photos, org_code=org_code, period=period
        )

    def _refuse_period(
        self, ctx: Ctx, campaign: Campaign, period: Period
    ) -> list[OutboundMessage] | None:
        """Reports are taken for periods that have begun, from the campaign's first period
        on (admins may back-fill earlier ones); a future period is a slip, not a report."""
        zone = _zone(campaign.timezone)
        next_period = cal.current_period(campaign, ctx.now).next()
        early = campaign.schedule.allow_early and period == next_period
        if period.start_at(campaign.timezone) > ctx.now and not early:
            opens = cal.times(campaign, period).open.astimezone(zone)
            return ctx.reply(msg.period_not_open(period.label(), format_deadline(opens)))
        first = cal.first_period(campaign)
        if period < first and not self._is_admin(ctx):
            return ctx.reply(msg.period_before_campaign(period.label(), first.label()))
        return None

    async def _pick_campaign(
        self, ctx: Ctx, org: OrgUnit, campaigns: Sequence[Campaign], text: str = ""
    ) -> Campaign | None:
        """With several campaigns, the one still waiting for this organization's report;
        among several waiting, the only one whose form reads the message cleanly (a
        checklist's "đạt tất cả" is no weekly report); None when that is not clear (the
        reporter is asked, never guessed for)."""
        if len(campaigns) == 1:
            return campaigns[0]
        waiting = []
        for c in campaigns:
            period = cal.reporting_period(c, ctx.now)
            if period < cal.first_period(c) or cal.is_locked(c, period, ctx.now):
                continue
            if await self._store.submissions.current_for_org(c.id, period, org.id) is None:
                waiting.append(c)
        if len(waiting) == 1:
            return waiting[0]
        if len(waiting) > 1 and text.strip():
            reads = []
            for c in waiting:
                template = await self._templates.get(c.workspace_id, c.template_key)
                result = parse_report(text, template, org.code)
                if result.values and result.ok and not result.guessed:
                    reads.append(c)
            if len(reads) == 1:
                return reads[0]
        running = [c for c in campaigns if cal.reporting_period(c, ctx.now) >= cal.first_period(c)]
        return running[0] if not waiting and len(running) == 1 else None

    async def _resolve_target(
        self, ctx: Ctx, org_code: str | None
    ) -> tuple[OrgUnit | None, list[OutboundMessage] | None]:
        member = ctx.member
        if member is None:
            return None, ctx.reply(msg.UNKNOWN_USER)
        own = await self._store.orgs.get(member.org_id) if member.org_id else None
        if org_code is None or (own is not None and own.code == org_code):
            if own is None:
                return None, ctx.reply(msg.NO_ORG)
            target: OrgUnit | None = own
        else:
            if member.role is not Role.ADMIN and not ctx.is_owner:
                name = own.display_name if own else "chưa gắn đơn vị"
                return None, ctx.reply(msg.not_your_org(name))
            target = await self._org_by_code(ctx, org_code)
            if target is None:
                return None, ctx.reply(msg.ORG_NOT_FOUND.format(code=org_code))
        assert target is not None
        if not target.reports:
            # A commune or the province as a whole: its figures are its units' reports.
            return None, ctx.reply(
                msg.LEVEL_DOES_NOT_REPORT.format(name=target.name, code=target.code)
            )
        return target, None

    async def _offer_form(
        self, ctx: Ctx, campaign: Campaign, org_code: str | None, period: Period | None
    ) -> list[OutboundMessage]:
        org, denied = await self._resolve_target(ctx, org_code)
        if denied:
            return denied
        assert org is not None
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        period = period or cal.reporting_period(campaign, ctx.now)
        data, kept = await self._draft_or_start(ctx, campaign, period, org)
        data["choices"] = [[msg.CHOICE_GUIDED, ASK], [msg.CHOICE_CANCEL, CANCEL]]
        await self._save_state(ctx, REPORT, data)
        deadline = cal.times(campaign, period).deadline.astimezone(_zone(campaign.timezone))
        text = (
            f"Báo cáo {period.label()} của {org.display_name} (hạn {format_deadline(deadline)}).\n"
            f"{msg.REPORT_START}\n{render_form(template, org.code)}"
        )
        if template.checklist is not None:
            text = text.replace(msg.REPORT_START, prompt_hint(template, org.code))
        if kept:
            text += "\n" + msg.draft_kept(kept)
        return ctx.reply(text, [Choice(msg.CHOICE_GUIDED, ASK), Choice(msg.CHOICE_CANCEL, CANCEL)])

    async def _draft_or_start(
        self, ctx: Ctx, campaign: Campaign, period: Period, org: OrgUnit
    ) -> tuple[dict[str, Any], int]:
        """The report this person was writing for the unit and period, when figures of an
        earlier message waited for confirmation (they are kept: "/baocao" after a free-text
        reply must not drop what was read), with how many; else a new one (``_start_data``)."""
        data = _waiting_report(ctx.ended)
        if (
            data is not None
            and data.get("campaign_id") == campaign.id
            and data.get("period") == period.key
            and data.get("org_id") == org.id
        ):
            draft = {k: v for k, v in data.items() if k not in ("keys", "index")}
            return draft, len(data["values"])
        return await self._start_data(campaign, period, org), 0

    async def _start_data(self, campaign: Campaign, period: Period, org: OrgUnit) -> dict[str, Any]:
        """A pending report that starts from the stored one, if any: a later message or the
        guided questions then change only what they mention, and nothing stored is lost."""
        current = await self._store.submissions.current_for_org(campaign.id, period, org.id)
        values = dict(current.values) if current else {}
        photos = list(current.photos) if current else []
        data = self._pending_data(campaign, period, org, values, [], "", photos)
        data["existing"] = current is not None
        return data

    def _pending_data(
        self,
        campaign: Campaign,
        period: Period,
        org: OrgUnit,
        values: dict[str, FieldValue],
        guessed: Sequence[str],
        raw: str,
        photos: Sequence[str],
    ) -> dict[str, Any]:
        return {
            "campaign_id": campaign.id,
            "period": period.key,
            "org_id": org.id,
            "values": encode_values(values),
            "guessed": sorted(set(guessed)),
            "raw": raw[-20_000:],
            "photos": list(photos),
        }

    async def _report_text(
        self,
        ctx: Ctx,
        campaign: Campaign,
        text: str,
        photos: Sequence[str],
        *,
        org_code: str | None,
        period: Period | None,
    ) -> list[OutboundMessage]:
        org, denied = await self._resolve_target(ctx, org_code)
        if denied:
            return denied
        assert org is not None
        period = period or cal.reporting_period(campaign, ctx.now)
        if await self._locked(ctx, campaign, period, org):
            return ctx.reply(msg.period_locked(period.label()))
        # "CĐ 3: …" lines answer directives: stored now, and kept out of the figures.
        text, answered = await self._directive_answers(ctx, campaign, org, period, text)
        if answered and not text.strip() and not photos:
            return ctx.reply("\n".join(answered))
        replies = await self._report_text_read(ctx, campaign, org, period, text, photos)
        return [*ctx.reply("\n".join(answered)), *replies] if answered else replies

    async def _report_text_read(
        self,
        ctx: Ctx,
        campaign: Campaign,
        org: OrgUnit,
        period: Period,
        text: str,
        photos: Sequence[str],
    ) -> list[OutboundMessage]:
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        result = parse_report(text, template, org.code) if text else None
        if (
            result is not None
            and not result.values
            and not photos
            and not any(p.kind in BLOCKING for p in result.problems)
        ):
            # Words without a single figure are a question or a greeting, not a report.
            if not any(ch.isdigit() for ch in text):
                return ctx.reply(msg.NOT_A_REPORT)
            return ctx.reply(_nothing_read(template, org.code))
        # A new message for a period already reported corrects that report: start from it.
        current = await self._store.submissions.current_for_org(campaign.id, period, org.id)
        values: dict[str, FieldValue] = dict(current.values) if current else {}
        guessed: set[str] = set()
        problems: tuple[Problem, ...] = ()
        if result is not None:
            values.update(result.values)
            guessed = set(result.guessed)
            problems = result.problems
        all_photos = [*(current.photos if current else ()), *photos]
        if photos and len(all_photos) > self._config.max_photos:
            return self._too_many_photos(ctx, len(all_photos) - len(photos))
        data = self._pending_data(campaign, period, org, values, sorted(guessed), text, all_photos)
        # Changing a stored report is shown in full and confirmed, never saved silently.
        return await self._review(
            ctx, campaign, template, org, period, data, problems, always_confirm=current is not None
        )

    async def _locked(self, ctx: Ctx, campaign: Campaign, period: Period, org: OrgUnit) -> bool:
        """Closed to this sender: past the lock, not reopened for this organization (admins
        may always write, and it is audited)."""
        if not cal.is_locked(campaign, period, ctx.now) or self._is_admin(ctx):
            return False
        until = await self._store.calendar.reopened_until(campaign.id, period, org.id)
        return until is None or until <= ctx.now

    def _is_admin(self, ctx: Ctx) -> bool:
        return ctx.is_owner or (ctx.member is not None and ctx.member.role is Role.ADMIN)

    async def _review(
        self,
        ctx: Ctx,
        campaign: Campaign,
        template: Template,
        org: OrgUnit,
        period: Period,
        data: dict[str, Any],
        problems: Sequence[Problem],
        *,
        always_confirm: bool = False,
    ) -> list[OutboundMessage]:
        values = decode_values(data["values"])
        guessed = _strings(data.get("guessed"))
        # Blocking problems of earlier messages that a correction has not resolved yet.
        kept = _blocking(data)
        new = [[p.field_key, p.message] for p in problems if p.kind in BLOCKING]
        blocking = [str(b[1]) for b in [*kept, *new]]
        data = {**data, "blocking": [*kept, *new]}
        missing = _missing_required(template, org, values)
        notes = [
            p
            for p in problems
            if p.kind not in BLOCKING and p.kind is not ProblemKind.MISSING_REQUIRED
        ]
        # A checklist with criteria left blank is confirmed first: they count against the
        # unit's class, which the reporter should see before it is saved.
        preview = assess(template, org.code, values)
        unanswered = preview is not None and bool(preview.unanswered)
        if (
            not blocking
            and not missing
            and not guessed
            and not notes
            and not always_confirm
            and not unanswered
        ):
            return await self._store_report(ctx, campaign, org, period, data)
        echo = render.render_submission_echo(
            template, org, period, values, guessed=guessed, list_empty=not missing
        )
        parts = [echo]
        if preview is not None:
            parts.extend(assessment_lines(template, org.code, preview))
        photos = _strings(data.get("photos"))
        if photos:
            parts.append(msg.with_photos(len(photos)))
        if blocking or missing:
            parts.append(msg.BLOCKING_PROBLEMS)
            parts.extend(f" - {b}" for b in blocking)
            if missing:
                numbered = [f"{n}. {f.label}" for n, f in missing]
                parts.append(" - Chưa có số liệu bắt buộc: " + "; ".join(numbered) + ".")
            if notes:
                parts.append(msg.OTHER_NOTES)
                parts.extend(f" - {p.message}" for p in notes[:5])
            parts.append(msg.FIX_QUESTION)
            choices = [Choice(msg.CHOICE_CANCEL, CANCEL)]
        else:
            if notes:
                parts.append(msg.OTHER_NOTES)
                parts.extend(f" - {p.message}" for p in notes[:5])
            parts.append(msg.CONFIRM_QUESTION)
            choices = [
                Choice(msg.CHOICE_CONFIRM, OK),
                Choice(msg.CHOICE_EDIT, EDIT),
                Choice(msg.CHOICE_CANCEL, CANCEL),
            ]
        data = {**data, "choices": [[c.label, c.data] for c in choices]}
        await self._save_state(ctx, REPORT, data)
        return ctx.reply("\n".join(parts), choices)

    async def _pending_objects(
        self, ctx: Ctx, state_data: dict[str, Any]
    ) -> tuple[Campaign, OrgUnit, Period, Template] | None:
        campaign = await self._store.campaigns.get(int(state_data["campaign_id"]))
        org = await self._store.orgs.get(int(state_data["org_id"]))
        if campaign is None or org is None:
            return None
        period = Period.from_key(str(state_data["period"]))
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        return campaign, org, period, template

    async def _stale_draft(self, ctx: Ctx, state: ConversationState) -> str | None:
        """The label of a pending report's period when it was left before its campaign's
        next period opened (so it is no longer the report being written); else None."""
        objs = await self._pending_objects(ctx, state.data)
        if objs is None:
            return None
        campaign, _, period, _ = objs
        current = cal.current_period(campaign, ctx.now)
        if period >= current:
            return None
        opened = cal.times(campaign, current).open
        if state.updated_at >= opened or ctx.now < opened:
            return None
        return period.label()

    async def _correct_pending(
        self, ctx: Ctx, state: ConversationState, text: str, photos: Sequence[str]
    ) -> list[OutboundMessage]:
        objs = await self._pending_objects(ctx, state.data)
        if objs is None:
            await self._clear_state(ctx)
            return ctx.reply(msg.PENDING_EXPIRED)
        campaign, org, period, template = objs
        text, answered = await self._directive_answers(ctx, campaign, org, period, text)
        if answered and not text.strip() and not photos:
            return ctx.reply("\n".join(answered))
        result = parse_report(text, template, org.code)
        if not result.values and not photos:
            specific = [p.message for p in result.problems if p.kind in BLOCKING]
            return ctx.reply("\n".join([*answered, *specific[:5], msg.FIX_QUESTION]))
        values = decode_values(state.data["values"])
        # A correction of something (a stored report, values or photos received earlier, a
        # question the bot asked) is confirmed; the first filled-in form after "/baocao" is
        # treated like any first report.
        confirm = bool(
            values
            or state.data.get("existing")
            or state.data.get("photos")
            or state.data.get("blocking")
        )
        values.update(result.values)
        unresolved = [
            b
            for b in _blocking(state.data)
            if b[0] and b[0] not in result.values  # problems without a field go with new text
        ]
        guessed = (set(_strings(state.data.get("guessed"))) - set(result.values)) | set(
            result.guessed
        )
        if photos and len(_strings(state.data.get("photos"))) + len(photos) > (
            self._config.max_photos
        ):
            return self._too_many_photos(ctx, len(_strings(state.data.get("photos"))))
        data = {
            **state.data,
            "values": encode_values(values),
            "guessed": sorted(guessed),
            "raw": (str(state.data.get("raw", "")) + "\n" + text)[-20_000:],
            "photos": [*_strings(state.data.get("photos")), *photos],
            "blocking": unresolved,
        }
        # After a correction the reporter sees the whole report once more before it is saved.
        replies = await self._review(
            ctx, campaign, template, org, period, data, result.problems, always_confirm=confirm
        )
        return [*ctx.reply("\n".join(answered)), *replies] if answered else replies

    async def _save_pending(self, ctx: Ctx, state: ConversationState) -> list[OutboundMessage]:
        objs = await self._pending_objects(ctx, state.data)
        if objs is None:
            await self._clear_state(ctx)
            return ctx.reply(msg.PENDING_EXPIRED)
        campaign, org, period, template = objs
        values = decode_values(state.data["values"])
        missing = _missing_required(template, org, values)
        if not values or missing or state.data.get("blocking"):
            return await self._review(ctx, campaign, template, org, period, dict(state.data), ())
        return await self._store_report(ctx, campaign, org, period, dict(state.data))

    async def _store_report(
        self, ctx: Ctx, campaign: Campaign, org: OrgUnit, period: Period, data: dict[str, Any]
    ) -> list[OutboundMessage]:
        if await self._locked(ctx, campaign, period, org):
            await self._clear_state(ctx)
            return ctx.reply(msg.period_locked(period.label()))
        # On time or late is settled by the first report of the period: correcting an
        # on-time report after the deadline does not make the organization late.
        previous = await self._store.submissions.current_for_org(campaign.id, period, org.id)
        late = cal.is_late(campaign, period, ctx.now) and (previous is None or previous.late)
        version = await self._store.submissions.add_version(
            campaign_id=campaign.id,
            period=period,
            org_id=org.id,
            channel=ctx.sender.channel,
            user_id=ctx.sender.user_id,
            message_id=ctx.message_id,
            raw_text=str(data.get("raw", "")),
            values=decode_values(data["values"]),
            submitted_at=ctx.now,
            late=late,
            photos=[str(p) for p in data.get("photos", [])],
        )
        await self._clear_state(ctx)
        if ctx.member is not None and ctx.member.org_id != org.id:
            await self._audit(
                ctx,
                "report_on_behalf",
                f"{org.code}, {period.short_label()}, lần {version.version}",
            )
        text = msg.saved(org.display_name, period.label(), version.version, late)
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        result = assess(template, org.code, version.values)
        if result is not None:
            text += "\n" + "\n".join(assessment_lines(template, org.code, result))
        # The report's field of good models enters the emulation registry (issue 9).
        models = await self._emulation.on_report_saved(
            campaign, version, org, actor=ctx.actor, actor_name=ctx.sender.display_name, now=ctx.now
        )
        if models:
            text += "\n" + emulation_msg.auto_marked(models)
        return ctx.reply(text)

    async def _on_photos(
        self, ctx: Ctx, campaign: Campaign, period: Period, photos: Sequence[str]
    ) -> list[OutboundMessage]:
        org, denied = await self._resolve_target(ctx, None)
        if denied:
            return denied
        assert org is not None
        current = await self._store.submissions.current_for_org(campaign.id, period, org.id)
        have = len(current.photos) if current else 0
        if have + len(photos) > self._config.max_photos:
            return self._too_many_photos(ctx, have)
        if current is None:
            data = self._pending_data(campaign, period, org, {}, [], "", photos)
            data["choices"] = [[msg.CHOICE_CANCEL, CANCEL]]
            await self._save_state(ctx, REPORT, data)
            return ctx.reply(msg.PHOTO_NO_REPORT)
        if await self._locked(ctx, campaign, period, org):
            return ctx.reply(msg.period_locked(period.label()))
        version = await self._store.submissions.add_version(
            campaign_id=campaign.id, period=period, org_id=org.id, channel=ctx.sender.channel,
            user_id=ctx.sender.user_id, message_id=ctx.message_id, raw_text=current.raw_text,
            values=dict(current.values), submitted_at=current.submitted_at, late=current.late,
            photos=[*current.photos, *photos],
        )  # fmt: skip
        # The registry's entries of this report show its photos too.
        await self._emulation.on_report_saved(
            campaign, version, org, actor=ctx.actor, actor_name=ctx.sender.display_name, now=ctx.now
        )
        return ctx.reply(msg.photos_saved(len(photos), org.display_name, period.label()))

    async def _add_pending_photos(
        self, ctx: Ctx, state: ConversationState, photos: Sequence[str]
    ) -> list[OutboundMessage]:
        have = _strings(state.data.get("photos"))
        if len(have) + len(photos) > self._config.max_photos:
            return self._too_many_photos(ctx, len(have))
        data = {**state.data, "photos": [*have, *photos]}
        await self._save_state(ctx, REPORT, data)
        return ctx.reply(f"Đã nhận {len(photos)} ảnh, sẽ lưu cùng báo cáo.")

    def _too_many_photos(self, ctx: Ctx, have: int) -> list[OutboundMessage]:
        """BOT_MAX_PHOTOS_PER_REPORT: each version copies the report's photo list, so an
        unbounded list would grow the database quadratically. Nothing stored changes."""
        return ctx.reply(privacy_msg.too_many_photos(have, self._config.max_photos))

    # -- guided ---------------------------------------------------------------------------
    async def _guided_from_command(
        self, ctx: Ctx, campaign: Campaign, org_code: str | None, period: Period | None
    ) -> list[OutboundMessage]:
        org, denied = await self._resolve_target(ctx, org_code)
        if denied:
            return denied
        assert org is not None
        period = period or cal.reporting_period(campaign, ctx.now)
        data, _ = await self._draft_or_start(ctx, campaign, period, org)
        state = ConversationState(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id, REPORT, data, ctx.now
        )
        return await self._start_guided(ctx, state)

    async def _start_guided(self, ctx: Ctx, state: ConversationState) -> list[OutboundMessage]:
        objs = await self._pending_objects(ctx, state.data)
        if objs is None:
            await self._clear_state(ctx)
            return ctx.reply(msg.PENDING_EXPIRED)
        campaign, org, period, template = objs
        if await self._locked(ctx, campaign, period, org):
            await self._clear_state(ctx)
            return ctx.reply(msg.period_locked(period.label()))
        keys = [f.key for _, f in template.numbered_fields(org.code)]
        data = {**state.data, "keys": keys, "index": -1}
        return await self._guided_next(ctx, data, skip=False, intro=msg.GUIDED_HINT)

    async def _guided_next(
        self, ctx: Ctx, data: dict[str, Any], *, skip: bool, intro: str = ""
    ) -> list[OutboundMessage]:
        objs = await self._pending_objects(ctx, data)
        if objs is None:
            await self._clear_state(ctx)
            return ctx.reply(msg.PENDING_EXPIRED)
        campaign, org, period, template = objs
        keys = [str(k) for k in data["keys"]]
        index = int(data["index"]) + 1
        if index >= len(keys):
            final = {k: v for k, v in data.items() if k not in ("keys", "index", "choices")}
            return await self._review(
                ctx, campaign, template, org, period, final, (), always_confirm=True
            )
        f = template.field(keys[index])
        hint = f.unit or (", ".join(f.choices) if f.choices else f.type.label)
        choices = [Choice(msg.CHOICE_SKIP, SKIP), Choice(msg.CHOICE_CANCEL, CANCEL)]
        new = {**data, "index": index, "choices": [[c.label, c.data] for c in choices]}
        await self._save_state(ctx, GUIDED, new)
        number = dict((fld.key, n) for n, fld in template.numbered_fields(org.code))[f.key]
        question = msg.guided_question(index + 1, len(keys), number, f.label, hint)
        return ctx.reply(f"{intro}\n{question}".strip(), choices)

    async def _guided_answer(
        self, ctx: Ctx, state: ConversationState, text: str
    ) -> list[OutboundMessage]:
        objs = await self._pending_objects(ctx, state.data)
        if objs is None:
            await self._clear_state(ctx)
            return ctx.reply(msg.PENDING_EXPIRED)
        template = objs[3]
        keys = _strings(state.data.get("keys"))
        f = template.field(keys[int(str(state.data["index"]))])
        try:
            value = parse_value(f, text)
        except ValueError as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            choices = [Choice(msg.CHOICE_SKIP, SKIP), Choice(msg.CHOICE_CANCEL, CANCEL)]
            return ctx.reply(msg.guided_bad(reason), choices)
        values = decode_values(state.data["values"])
        values[f.key] = value
        data = {
            **state.data,
            "values": encode_values(values),
            "raw": (str(state.data.get("raw", "")) + f"\n{f.label}: {text}").strip(),
        }
        return await self._guided_next(ctx, data, skip=False)

    # -- calendar rules -------------------------------------------------------------------
    async def _periods_arg(
        self, ctx: Ctx, text: str, cmd: str
    ) -> tuple[Campaign, list[Period], str] | list[OutboundMessage]:
        """ "tuần 6/2027 đến tuần 7/2027 | Nghỉ Tết" -> the campaign of that period type, the
        periods of the range, and the reason."""
        body, _, reason = text.partition("|")
        parts = re.split(r"\s+(?:đến|den|tới|toi|->)\s+", body.strip(), flags=re.IGNORECASE)
        if not body.strip() or len(parts) > 2:
            return ctx.reply(msg.PERIOD_RANGE_USAGE.format(cmd=cmd))
        campaigns = await self._campaigns(ctx)
        if not campaigns:
            return ctx.reply(msg.NO_CAMPAIGN)
        default = campaigns[0]
        today = ctx.now.astimezone(_zone(default.timezone)).date()
        try:
            ends = [parse_period_ref(p, default.period_type, today) for p in parts]
        except PeriodError as exc:
            return ctx.reply(str(exc))
        first, last = ends[0], ends[-1]
        if first.type is not last.type:
            return ctx.reply(msg.PERIOD_RANGE_USAGE.format(cmd=cmd))
        campaign = next((c for c in campaigns if c.period_type is first.type), None)
        if campaign is None:
            return ctx.reply(msg.no_campaign_for(first.type.label))
        if last < first:
            return ctx.reply(msg.RANGE_REVERSED)
        periods = [first]
        while periods[-1] < last:
            if len(periods) >= 60:
                return ctx.reply(msg.RANGE_TOO_LONG)
            periods.append(periods[-1].next())
        return campaign, periods, " ".join(reason.split())[:200]

    async def _cmd_tamdung(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        campaign, _ = await self._campaign_by_word(ctx, args)
        if campaign is None:
            return ctx.reply(msg.NO_CAMPAIGN)
        if campaign.paused:
            return ctx.reply(msg.ALREADY_PAUSED.format(name=campaign.name))
        await self._store.campaigns.update(replace(campaign, paused=True))
        await self._audit(ctx, "pause", campaign.name)
        return ctx.reply(msg.PAUSED.format(name=campaign.name))

    async def _cmd_tieptuc(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        campaign, _ = await self._campaign_by_word(ctx, args)
        if campaign is None:
            return ctx.reply(msg.NO_CAMPAIGN)
        if not campaign.paused:
            return ctx.reply(msg.NOT_PAUSED.format(name=campaign.name))
        # Periods whose deadline passed while paused are recorded as skipped, so resuming
        # does not send a burst of stale digests; the current period goes on normally.
        current = cal.current_period(campaign, ctx.now)
        stale: list[str] = []
        for back in range(LOOKBACK_PERIODS, -1, -1):
            period = current.shift(-back)
            if (
                period < cal.first_period(campaign)
                or cal.times(campaign, period).deadline > ctx.now
            ):
                continue
            done = {r.step for r in await self._store.cycle.done(campaign.id, period)}
            if CycleStep.CLOSE not in done and await self._store.calendar.skip(
                campaign.id, period, "tạm dừng", ctx.now
            ):
                stale.append(period.short_label())
        await self._store.campaigns.update(replace(campaign, paused=False))
        await self._audit(ctx, "resume", campaign.name)
        text = msg.RESUMED.format(
            name=campaign.name, period=cal.reporting_period(campaign, ctx.now).label()
        )
        if stale:
            text += msg.RESUMED_SKIPPED.format(periods=", ".join(stale))
        return ctx.reply(text)

    async def _cmd_nghi(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        if not args.strip():
            campaign, _ = await self._campaign_by_word(ctx, "")
            if campaign is None:
                return ctx.reply(msg.NO_CAMPAIGN)
            items = await self._store.calendar.skipped(campaign.id)
            if not items:
                return ctx.reply(msg.NO_SKIPS.format(name=campaign.name))
            return ctx.reply(msg.skip_list(campaign.name, [(p.label(), r) for p, r in items]))
        found = await self._periods_arg(ctx, args, "nghi")
        if isinstance(found, list):
            return found
        campaign, periods, reason = found
        for period in periods:
            await self._store.calendar.skip(campaign.id, period, reason, ctx.now)
        labels = [p.short_label() for p in periods]
        await self._audit(ctx, "skip", f"{', '.join(labels)} {reason}".strip())
        return ctx.reply(msg.skipped(labels, reason))

    async def _cmd_bonghi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        found = await self._periods_arg(ctx, args, "bonghi")
        if isinstance(found, list):
            return found
        campaign, periods, _ = found
        for period in periods:
            await self._store.calendar.unskip(campaign.id, period)
        labels = [p.short_label() for p in periods]
        await self._audit(ctx, "unskip", ", ".join(labels))
        return ctx.reply(msg.unskipped(labels))

    async def _org_and_periods(
        self, ctx: Ctx, args: str, cmd: str
    ) -> tuple[OrgUnit, Campaign, list[Period], str] | list[OutboundMessage]:
        code, _, rest = args.strip().partition(" ")
        if not code or not rest.strip():
            return ctx.reply(msg.EXEMPT_USAGE.format(cmd=cmd))
        org = await self._org_by_code(ctx, code)
        if org is None:
            return ctx.reply(msg.ORG_NOT_FOUND.format(code=code[:40]))
        found = await self._periods_arg(ctx, rest, cmd)
        if isinstance(found, list):
            return found
        return (org, *found)

    async def _cmd_mien(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        found = await self._org_and_periods(ctx, args, "mien")
        if isinstance(found, list):
            return found
        org, campaign, periods, reason = found
        for period in periods:
            await self._store.calendar.exempt(campaign.id, period, org.id, reason, ctx.now)
        labels = [p.short_label() for p in periods]
        await self._audit(ctx, "exempt", f"{org.code}: {', '.join(labels)} {reason}".strip())
        return ctx.reply(msg.exempted(await self._unit_name(ctx, org), labels, reason))

    async def _cmd_bomien(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        found = await self._org_and_periods(ctx, args, "bomien")
        if isinstance(found, list):
            return found
        org, campaign, periods, _ = found
        for period in periods:
            await self._store.calendar.unexempt(campaign.id, period, org.id)
        labels = [p.short_label() for p in periods]
        await self._audit(ctx, "unexempt", f"{org.code}: {', '.join(labels)}")
        return ctx.reply(msg.unexempted(org.display_name, labels))

    async def _cmd_molai(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        days = 3
        m = re.search(r"\s(\d{1,2})\s*ngay\s*$", fold(args))
        if m:
            days = max(1, int(m.group(1)))
            args = args[: m.start()]
        found = await self._org_and_periods(ctx, args, "molai")
        if isinstance(found, list):
            return ctx.reply(msg.REOPEN_USAGE)
        org, campaign, periods, _ = found
        if len(periods) != 1:
            return ctx.reply(msg.REOPEN_USAGE)
        period = periods[0]
        if not cal.is_locked(campaign, period, ctx.now):
            return ctx.reply(msg.NOT_LOCKED.format(period=period.label(), org=org.display_name))
        until = ctx.now + timedelta(days=days)
        await self._store.calendar.reopen(campaign.id, period, org.id, until, ctx.now)
        await self._audit(ctx, "reopen", f"{org.code}: {period.short_label()}, {days} ngày")
        shown = format_deadline(until.astimezone(_zone(campaign.timezone)))
        return ctx.reply(msg.reopened(org.display_name, period.label(), shown))

    async def _cmd_loigui(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        members = await self._store.members.all(ctx.workspace.id)
        chats = await self._store.chats.for_workspace(ctx.workspace.id)
        names = {m.user_id: m.display_name for m in members}
        names.update({c.chat_id: c.title for c in chats})
        failures = await self._store.outbox.failures(chat_ids=list(names), limit=20)
        if not failures:
            return ctx.reply(msg.NO_FAILURES)
        zone = _zone(self._config.timezone)
        lines = []
        for f in failures:
            when = f.created_at.astimezone(zone)
            first_line = f.text.split("\n", 1)[0][:60]
            lines.append(
                f"{when:%d/%m/%Y %Hh%M} – {names.get(f.chat_id, f.chat_id)} ({f.channel}): "
                f"{_delivery_reason(f.last_error or '')}. Tin: “{first_line}”"
            )
        return ctx.reply(msg.failure_list(lines))

    async def _cmd_hanmuc(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        month = month_key(ctx.now, self._config.timezone)
        lines = []
        for channel, quota in sorted(self._config.quotas.items()):
            used = await self._store.usage.get(channel, month)
            lines.append(msg.usage_line(channel, used, quota.monthly))
        return ctx.reply(msg.usage_report(month_label(month), lines))

    # -- reading --------------------------------------------------------------------------
    async def _campaign_period(
        self, ctx: Ctx, args: str
    ) -> tuple[Campaign, Period] | list[OutboundMessage]:
        """The campaign and period a reading command is about. A period of another type
        ("tháng 11") picks the campaign reporting by that type; no period means the one
        replies are going to now (``reporting_period``)."""
        campaigns = await self._campaigns(ctx)
        if not campaigns:
            return ctx.reply(msg.NO_CAMPAIGN)
        campaign = campaigns[0]
        if not args.strip():
            return campaign, cal.reporting_period(campaign, ctx.now)
        today = ctx.now.astimezone(_zone(campaign.timezone)).date()
        try:
            period = parse_recent_period_ref(args, campaign.period_type, today)
        except PeriodError as exc:
            return ctx.reply(str(exc))
        if period.type is not campaign.period_type:
            other = next((c for c in campaigns if c.period_type is period.type), None)
            if other is None:
                return ctx.reply(msg.no_campaign_for(period.type.label))
            campaign = other
        return campaign, period

    async def _cmd_xem(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        org, denied = await self._resolve_target(ctx, None)
        if denied:
            return denied
        assert org is not None
        found = await self._campaign_period(ctx, args)
        if isinstance(found, list):
            return found
        campaign, period = found
        current = await self._store.submissions.current_for_org(campaign.id, period, org.id)
        if current is None:
            return ctx.reply(msg.NO_SUBMISSION.format(org=org.display_name, period=period.label()))
        template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        echo = render.render_submission_echo(template, org, period, current.values)
        result = assess(template, org.code, current.values)
        if result is not None:
            echo += "\n" + "\n".join(assessment_lines(template, org.code, result))
        at = current.submitted_at.astimezone(_zone(campaign.timezone))
        status = "muộn" if current.late else "đúng hạn"
        tail = f"Lần gửi thứ {current.version}, lúc {format_deadline(at)} ({status})."
        if current.photos:
            tail += f" Kèm {len(current.photos)} ảnh."
        return ctx.reply(f"{echo}\n{tail}")

    async def _cmd_tinhhinh(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        found = await self._campaign_period(ctx, args)
        if isinstance(found, list):
            return found
        campaign, period = found
        completeness = await self._digests.completeness(campaign, period, ctx.now)
        return ctx.reply(render.render_status(completeness, tz=campaign.timezone))

    async def _cmd_tonghop(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        if args.strip() or await self._leader_unit(ctx) is not None:
            # A longer period than the campaign's, a range of days or a unit: a roll-up.
            target = await self._report_target(ctx, args, None)
            if isinstance(target, list):
                return target
            campaign, span, scope = target
            native = span.period is not None and span.period.type is campaign.period_type
            if scope is not None or not native:
                return await self._rollup_reply(ctx, campaign, span, scope)
        found = await self._campaign_period(ctx, args)
        if isinstance(found, list):
            return found
        campaign, period = found
        try:
            digest = await self._digests.digest(campaign, period, ctx.now)
        except TemplateMissingError:
            return ctx.reply(msg.NO_CAMPAIGN)
        return ctx.reply(render.render_digest(digest, tz=campaign.timezone))


def _is_command(event: InboundEvent) -> bool:
    return isinstance(event, InboundMessage) and event.text.lstrip().startswith("/")


def _waiting_report(state: ConversationState | None) -> dict[str, Any] | None:
    """The data of a report with figures waiting for confirmation in ``state`` (a dialog
    a command ended), else None."""
    if state is None or state.kind != REPORT or not state.data.get("values"):
        return None
    return state.data


def _dropped_report(state: ConversationState | None) -> str | None:
    """The period's label of the report ``_waiting_report`` finds, else None."""
    data = _waiting_report(state)
    if data is None:
        return None
    try:
        return Period.from_key(str(data["period"])).label()
    except (KeyError, ValueError):
        return None


def _missing_required(
    template: Template, org: OrgUnit, values: dict[str, FieldValue]
) -> list[tuple[int, TemplateField]]:
    return [
        (n, f) for n, f in template.numbered_fields(org.code) if f.required and f.key not in values
    ]


def _part(parts: Sequence[str], i: int) -> str:
    return parts[i] if len(parts) > i else ""


def _unknown_command(name: str) -> str:
    """Unknown command, with the nearest real one suggested when it is a likely typo."""
    names = [n for spec in COMMANDS for n in (spec.name, *spec.aliases)]
    near = closest(fold(name), names)
    text = msg.UNKNOWN_COMMAND.format(name=name[:40])
    if near is not None:
        spec = find_command(near[0])
        if spec is not None:
            text += " " + msg.DID_YOU_MEAN.format(name=spec.name)
    return text


def _delivery_reason(error: str) -> str:
    """A platform's error in words an admin can act on."""
    e = error.lower()
    if "block" in e or "403" in e or "forbidden" in e:
        return "người nhận đã chặn bot hoặc rời nhóm"
    if "not found" in e or "400" in e:
        return "không tìm thấy cuộc trò chuyện"
    return "lỗi nền tảng"


def _decides(datas: Sequence[str]) -> bool:
    """Whether a bare typed number picks one of these choices: only where the bot asked for
    a decision (confirm, which campaign). In guided questions and while corrections are
    awaited a number is data, so those choices are answered by their words or buttons."""
    return any(
        d in (OK, ASK) or d.startswith("campaign:") or d.startswith("directive:") for d in datas
    )


def _blocking(data: dict[str, Any]) -> list[list[str | None]]:
    """The unresolved blocking problems kept in a pending report: [field key, message]."""
    raw = data.get("blocking")
    if not isinstance(raw, list):
        return []
    return [[b[0], str(b[1])] for b in raw if isinstance(b, list) and len(b) == 2]


def _strings(raw: object) -> list[str]:
    """Dialog state comes back from JSON: read a list of strings defensively."""
    return [str(x) for x in raw] if isinstance(raw, list) else []


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _nothing_read(template: Template, org_code: str | None) -> str:
    """ "Nothing read", with an example line of this unit's own form (or the short answers
    of a checklist), never another template's."""
    if template.checklist is not None:
        return msg.REPORT_NOTHING_READ_CHECKLIST
    fields = template.numbered_fields(org_code)
    if not fields:
        return msg.REPORT_NOTHING_READ.format(example="1. …")
    n, f = next(((n, f) for n, f in fields if f.type.numeric), fields[0])
    value = "12" if f.type.numeric else "có" if f.type is FieldType.YESNO else "…"
    return msg.REPORT_NOTHING_READ.format(example=f"{n}. {f.label}: {value}")
