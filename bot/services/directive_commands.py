"""Chat side of directives (chỉ đạo): ``/chidao``, ``/xemchidao``, ``/dongchidao``,
``/danhan``, ``/thuchien``, a leader's reply to a digest, the "Đã nhận" button and the
typed "đã nhận", and the "CĐ 3: …" answer lines inside a report.

A mixin of the dialog engine (as ``report_commands``), so the engine's module only gains a
few hooks. Sending is ``bot.services.directives``; texts are ``bot.core.messages_directives``.

Decided here:

- A leader's message in the leadership chat that answers the bot (a reply to the digest;
  in a private leadership chat any plain text from a leader without a reporting unit,
  since Zalo does not say what a message replies to) is offered as a directive and sent
  only after "Gửi chỉ đạo": a word of thanks must not reach six hundred units. The
  command ``/chidao`` sends at once: typing the command is the decision.
- A leader bound to a commune directs that commune's units only.
- A unit acknowledges once: the first person's tap (or typed word) is kept with the time;
  later taps are told who acknowledged and when.
- An answer line in a report is stored at once for the report's period (it is narrative,
  nothing is guessed), apart from the confirmation of the figures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core import messages_directives as dmsg
from bot.core.directives import (
    ACK_PREFIX,
    Directive,
    DirectiveError,
    addressed_orgs,
    parse_request,
    render_directive,
    render_list,
    render_sent,
    render_status,
    split_answers,
)
from bot.core.events import Choice, OutboundMessage
from bot.core.hierarchy import Hierarchy
from bot.core.models import Campaign, ChatPurpose, ConversationState, OrgUnit, Role
from bot.core.periods import Period
from bot.core.text import fold
from bot.core.vnformat import format_datetime
from bot.services import periods as cal
from bot.services.directives import BUTTON_CHANNELS, DirectiveService, named

if TYPE_CHECKING:
    from bot.core.events import InboundMessage
    from bot.services.dialog import Ctx, EngineConfig
    from bot.services.ports import Store

DIRECTIVE = "directive"  # dialog state: a reply offered as a directive, awaiting "Gửi"
SEND = "directive:send"
CANCEL = "cancel"


class DirectiveCommandsMixin:
    if TYPE_CHECKING:
        _store: Store
        _config: EngineConfig

        async def _campaigns(self, ctx: Ctx) -> list[Campaign]: ...
        async def _org_by_code(self, ctx: Ctx, code: str) -> OrgUnit | None: ...
        async def _audit(self, ctx: Ctx, action: str, detail: str) -> None: ...
        async def _leader_unit(self, ctx: Ctx) -> OrgUnit | None: ...
        async def _save_state(self, ctx: Ctx, kind: str, data: dict[str, Any]) -> None: ...
        async def _clear_state(self, ctx: Ctx) -> None: ...
        async def _looks_like_form(self, ctx: Ctx, text: str) -> bool: ...

    @property
    def _directives(self) -> DirectiveService:
        return DirectiveService(self._store, self._config.timezone)

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self._config.timezone)

    # -- addressing ----------------------------------------------------------------------
    async def _directive_units(
        self, ctx: Ctx, codes: tuple[str, ...]
    ) -> tuple[list[OrgUnit], bool] | list[OutboundMessage]:
        """The reporting units a request names (a commune's code stands for its units),
        and whether that is every unit the sender may direct."""
        assert ctx.workspace is not None
        everyone = await self._store.orgs.all(ctx.workspace.id, include_inactive=True)
        tree = Hierarchy(everyone)
        own = await self._leader_unit(ctx)
        allowed = named(tree, tree.reporting(own.id if own is not None else None))
        if not allowed:
            return ctx.reply(dmsg.NO_UNITS)
        if not codes:
            return allowed, True
        allowed_ids = {o.id for o in allowed}
        chosen: dict[int, OrgUnit] = {}
        unknown: list[str] = []
        outside: list[str] = []
        for code in codes:
            org = await self._org_by_code(ctx, code)
            if org is None:
                unknown.append(code)
                continue
            units = tree.reporting(org.id) if not org.reports else [org]
            if own is not None and not all(u.id in allowed_ids for u in units):
                outside.append(code)
                continue
            for u in units:
                if u.id in allowed_ids:
                    chosen[u.id] = u
        if unknown:
            return ctx.reply(dmsg.UNKNOWN_CODES.format(codes=", ".join(unknown)[:200]))
        if outside:
            assert own is not None
            return ctx.reply(dmsg.OUTSIDE_OWN.format(name=own.name, codes=", ".join(outside)))
        if not chosen:
            return ctx.reply(dmsg.NO_UNITS)
        ordered = [o for o in allowed if o.id in chosen]
        return ordered, len(ordered) == len(allowed)

    async def _send_directive(
        self,
        ctx: Ctx,
        text: str,
        orgs: list[OrgUnit],
        everyone: bool,
        source: str,
        ref: str,
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        name = ctx.member.display_name if ctx.member is not None else ctx.sender.display_name
        d, count = await self._directives.send(
            ctx.workspace.id,
            text,
            orgs,
            everyone=everyone,
            actor=ctx.actor,
            actor_name=name or ctx.sender.display_name,
            now=ctx.now,
            source=source,
            source_ref=ref,
        )
        to = dmsg.TO_ALL if everyone else ", ".join(o.code for o in orgs)
        await self._audit(ctx, "directive", f"số {d.number} → {to}")
        unreached = await self._directives.without_reporter(ctx.workspace.id, orgs)
        return ctx.reply(render_sent(d, orgs, everyone, count, unreached))

    async def _named_org(self, org_id: int) -> OrgUnit | None:
        """The unit, named as the tree tells it apart ("Hội ND (Xã Tân Hòa)")."""
        org = await self._store.orgs.get(org_id)
        if org is None:
            return None
        tree = Hierarchy(await self._store.orgs.all(org.workspace_id, include_inactive=True))
        return named(tree, [org])[0]

    # -- /chidao -------------------------------------------------------------------------
    async def _cmd_chidao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        if not args.strip():
            return ctx.reply(dmsg.USAGE)
        try:
            request = parse_request(args)
        except DirectiveError as exc:
            return ctx.reply(str(exc))
        found = await self._directive_units(ctx, request.codes)
        if not isinstance(found, tuple):
            return found
        orgs, everyone = found
        return await self._send_directive(ctx, request.text, orgs, everyone, "command", "")

    # -- a reply to the digest in the leadership chat -----------------------------------
    async def _directive_from_reply(
        self, ctx: Ctx, event: InboundMessage, text: str
    ) -> list[OutboundMessage] | None:
        """None when the message is not a leader's answer in a leadership chat."""
        if ctx.workspace is None or ctx.member is None or not text:
            return None
        if ctx.member.role not in (Role.LEADER, Role.ADMIN) and not ctx.is_owner:
            return None
        bindings = await self._store.chats.get(ctx.chat.channel, ctx.chat.chat_id)
        if not any(
            b.purpose is ChatPurpose.LEADERSHIP and b.workspace_id == ctx.workspace.id
            for b in bindings
        ):
            return None
        own = await self._store.orgs.get(ctx.member.org_id) if ctx.member.org_id else None
        reporter = own is not None and own.reports
        if ctx.chat.is_group:
            if not (event.reply_to_bot or event.mentions_bot):
                return None
        elif not event.reply_to_bot and reporter:
            return None  # a reporter who also leads: plain text is their report
        if reporter and await self._looks_like_form(ctx, text):
            return None  # a filled-in form is a report, wherever it is sent
        try:
            request = parse_request(text)
        except DirectiveError as exc:
            return ctx.reply(str(exc))
        found = await self._directive_units(ctx, request.codes)
        if not isinstance(found, tuple):
            return found
        orgs, everyone = found
        choices = [Choice(dmsg.CHOICE_SEND, SEND), Choice(dmsg.CHOICE_CANCEL, CANCEL)]
        await self._save_state(
            ctx,
            DIRECTIVE,
            {
                "text": request.text,
                "org_ids": [o.id for o in orgs],
                "everyone": everyone,
                "ref": event.reply_to_message_id or "",
                "choices": [[c.label, c.data] for c in choices],
            },
        )
        to = dmsg.TO_ALL if everyone else ", ".join(o.display_name for o in orgs)
        excerpt = " ".join(request.text.split())
        if len(excerpt) > 300:
            excerpt = excerpt[:299] + "…"
        return ctx.reply(dmsg.CONFIRM_REPLY.format(to=to, excerpt=excerpt), choices)

    async def _directive_choice(
        self, ctx: Ctx, state: ConversationState, data: str
    ) -> list[OutboundMessage]:
        await self._clear_state(ctx)
        if data != SEND or ctx.workspace is None:
            return ctx.reply(dmsg.NOT_SENT)
        raw = state.data.get("org_ids")
        wanted = {int(x) for x in raw} if isinstance(raw, list) else set()
        units = await self._directives.reporting_units(ctx.workspace.id)
        orgs = [o for o in units if o.id in wanted]
        if not orgs:
            return ctx.reply(dmsg.NO_UNITS)
        return await self._send_directive(
            ctx,
            str(state.data.get("text", "")),
            orgs,
            bool(state.data.get("everyone")),
            "reply",
            str(state.data.get("ref", "")),
        )

    def _directive_pending(self) -> list[Choice]:
        return [Choice(dmsg.CHOICE_SEND, SEND), Choice(dmsg.CHOICE_CANCEL, CANCEL)]

    # -- /xemchidao, /dongchidao ---------------------------------------------------------
    async def _cmd_xemchidao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        word = fold(args).strip()
        if word.isdigit():
            d = await self._store.directives.by_number(ctx.workspace.id, int(word))
            if d is None:
                return ctx.reply(dmsg.NOT_FOUND.format(n=word[:10]))
            return ctx.reply(await self._status_text(d))
        if word and word not in ("tatca", "tat ca", "all", "het", "lich su"):
            return ctx.reply(dmsg.NUMBER_USAGE.format(cmd="xemchidao"))
        include_closed = bool(word)
        directives = await self._store.directives.all(ctx.workspace.id, include_closed)
        rows = []
        for d in directives[:50]:
            acks = {a.org_id for a in await self._store.directives.acks(d.id)}
            answered = {a.org_id for a in await self._store.directives.answers(d.id)}
            total = len(d.org_ids)
            rows.append((d, total, len(acks & set(d.org_ids)), len(answered & set(d.org_ids))))
        text = render_list(rows, tz=self._config.timezone, closed=include_closed)
        if len(directives) > len(rows):
            text += "\n" + dmsg.MORE.format(n=len(directives) - len(rows))
        return ctx.reply(text)

    async def _status_text(self, d: Directive) -> str:
        everyone = await self._store.orgs.all(d.workspace_id, include_inactive=True)
        tree = Hierarchy(everyone)
        addressed = named(tree, [o for o in everyone if o.id in set(d.org_ids)])
        by_id = {o.id: o for o in addressed}
        acks = {a.org_id: a for a in await self._store.directives.acks(d.id)}
        answers = [
            (by_id[a.org_id], a)
            for a in await self._store.directives.answers(d.id)
            if a.org_id in by_id
        ]
        return render_status(d, addressed, acks, answers, tz=self._config.timezone)

    async def _cmd_dongchidao(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        word = args.strip().split()[0] if args.strip() else ""
        if not word.isdigit():
            return ctx.reply(dmsg.CLOSE_USAGE)
        d = await self._store.directives.by_number(ctx.workspace.id, int(word))
        if d is None:
            return ctx.reply(dmsg.NOT_FOUND.format(n=word[:10]))
        if not await self._store.directives.close(d.id, ctx.actor, ctx.now):
            return ctx.reply(dmsg.ALREADY_CLOSED.format(n=d.number))
        await self._audit(ctx, "close_directive", f"số {d.number}")
        return ctx.reply(dmsg.CLOSED.format(n=d.number))

    # -- acknowledging -------------------------------------------------------------------
    async def _cmd_danhan(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        word = fold(args).replace("so", "").strip()
        if word and not word.isdigit():
            return ctx.reply(dmsg.ACK_USAGE)
        return await self._acknowledge(ctx, int(word) if word else 0)

    async def _acknowledge(self, ctx: Ctx, number: int) -> list[OutboundMessage]:
        member = ctx.member
        if ctx.workspace is None or member is None or member.org_id is None:
            return ctx.reply(dmsg.ACK_NEEDS_ORG)
        org = await self._named_org(member.org_id)
        assert org is not None
        if number == 0:
            pending = await self._directives.pending_for(member)
            if not pending:
                return ctx.reply(dmsg.NOTHING_TO_ACK)
            lines = []
            for d in pending:
                lines.append(await self._ack_one(ctx, d, org))
            return ctx.reply("\n".join(lines))
        found = await self._store.directives.by_number(ctx.workspace.id, number)
        if found is None:
            return ctx.reply(dmsg.NOT_FOUND.format(n=number))
        return ctx.reply(await self._ack_one(ctx, found, org))

    async def _ack_one(self, ctx: Ctx, d: Directive, org: OrgUnit) -> str:
        """Records the unit's acknowledgement; the line to say about it."""
        what = f"chỉ đạo số {d.number}"
        if org.id not in d.org_ids:
            return dmsg.NOT_ADDRESSED.format(what=what.capitalize())
        if not d.is_open:
            return dmsg.CLOSED_ALREADY.format(what=what.capitalize())
        zone = self._zone()
        if await self._store.directives.acknowledge(
            d.id, org.id, ctx.sender.channel, ctx.sender.user_id, ctx.sender.display_name, ctx.now
        ):
            return dmsg.ACKED.format(
                org=org.display_name,
                what=what,
                who=ctx.sender.display_name,
                when=format_datetime(ctx.now.astimezone(zone)),
            )
        first = next(a for a in await self._store.directives.acks(d.id) if a.org_id == org.id)
        return dmsg.ALREADY_ACKED.format(
            org=org.display_name,
            what=what,
            who=first.display_name or first.user_id,
            when=format_datetime(first.at.astimezone(zone)),
        )

    async def _directive_press(self, ctx: Ctx, data: str) -> list[OutboundMessage] | None:
        """The "Đã nhận" button; None when ``data`` is not one."""
        if not data.startswith(ACK_PREFIX):
            return None
        raw = data[len(ACK_PREFIX) :]
        d = await self._store.directives.get(int(raw)) if raw.isdigit() else None
        member = ctx.member
        if d is None or ctx.workspace is None or d.workspace_id != ctx.workspace.id:
            return []
        if member is None or member.org_id is None:
            return self._quiet(ctx, dmsg.ACK_NEEDS_ORG)
        org = await self._named_org(member.org_id)
        assert org is not None
        line = await self._ack_one(ctx, d, org)
        if ctx.chat.is_group or not line.startswith("✅"):
            # The directive and its button stay for the other units; the presser alone is
            # told (Telegram shows it over the chat), so a province's hundreds of taps do
            # not flood the group. The leader reads them in /xemchidao.
            return self._quiet(ctx, line)
        # In a private chat the directive is shown again with the acknowledgement, and
        # without its button: the tap is answered where it was made.
        units = await self._directives.reporting_units(d.workspace_id)
        orgs = addressed_orgs(d, units)
        body = render_directive(
            d,
            orgs,
            everyone=len(orgs) == len(units),
            tz=self._config.timezone,
            typed_ack=ctx.chat.channel not in BUTTON_CHANNELS,
        )
        return ctx.reply(f"{body}\n\n{line}")

    def _quiet(self, ctx: Ctx, text: str) -> list[OutboundMessage]:
        ctx.edit_message_id = None
        return [replace(m, toast=True) for m in ctx.reply(text)]

    async def _directive_typed_ack(
        self, ctx: Ctx, number: int, addressed: bool
    ) -> list[OutboundMessage] | None:
        """ "đã nhận" typed by a reporter; None to let the message go its usual way."""
        member = ctx.member
        if ctx.workspace is None or member is None or member.org_id is None:
            return None
        if ctx.chat.is_group and not ctx.registered_group:
            return None
        if number == 0 and not await self._directives.pending_for(member):
            return ctx.reply(dmsg.NOTHING_TO_ACK) if addressed else None
        return await self._acknowledge(ctx, number)

    # -- answers -------------------------------------------------------------------------
    async def _cmd_thuchien(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        member = ctx.member
        if ctx.workspace is None or member is None or member.org_id is None:
            return ctx.reply(dmsg.ANSWER_NEEDS_ORG)
        head, _, rest = args.strip().partition(" ")
        head = head.strip(":.,")
        if fold(head) in ("so", "cd", "chidao"):
            head, _, rest = rest.strip().partition(" ")
        number = head.strip(":.,")
        text = rest.strip().lstrip(":.-– ").strip()
        if not number.isdigit() or not text:
            return ctx.reply(dmsg.ANSWER_USAGE)
        org = await self._named_org(member.org_id)
        campaigns = await self._campaigns(ctx)
        if org is None or not campaigns:
            return ctx.reply(dmsg.NO_CAMPAIGN)
        campaign = campaigns[0]
        period = cal.reporting_period(campaign, ctx.now)
        notes = await self._store_answers(ctx, campaign, org, period, [(int(number), text)])
        return ctx.reply("\n".join(notes))

    async def _directive_answers(
        self, ctx: Ctx, campaign: Campaign, org: OrgUnit, period: Period, text: str
    ) -> tuple[str, list[str]]:
        """Takes the "CĐ 3: …" lines out of a report and stores them; returns the rest of
        the report and what to say about the answers."""
        rest, answers = split_answers(text)
        if not answers or ctx.workspace is None:
            return text, []
        return rest, await self._store_answers(ctx, campaign, org, period, answers)

    async def _store_answers(
        self,
        ctx: Ctx,
        campaign: Campaign,
        org: OrgUnit,
        period: Period,
        answers: list[tuple[int, str]],
    ) -> list[str]:
        assert ctx.workspace is not None
        saved: list[int] = []
        problems: list[str] = []
        for number, answer in answers:
            d = await self._store.directives.by_number(ctx.workspace.id, number)
            if d is None or not d.is_open or org.id not in d.org_ids:
                problems.append(dmsg.answer_problem_unknown(number))
                continue
            await self._store.directives.answer(
                d.id,
                org.id,
                campaign.id,
                period,
                answer,
                ctx.sender.channel,
                ctx.sender.user_id,
                ctx.sender.display_name,
                ctx.now,
            )
            # A result reported proves the directive was received: it counts as the unit's
            # acknowledgement when none was given (no more reminders, not listed as silent).
            await self._store.directives.acknowledge(
                d.id, org.id, ctx.sender.channel, ctx.sender.user_id, ctx.sender.display_name,
                ctx.now,
            )  # fmt: skip
            saved.append(number)
        notes = []
        if saved:
            notes.append(dmsg.answers_saved(saved, org.display_name, period.label()))
        return notes + problems
