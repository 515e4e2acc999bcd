"""Chat commands of the emulation registry ("sổ điển hình", issue 9): ``/danhdau``,
``/bodanhdau``, ``/denghikhen``, ``/bodenghikhen`` and ``/dienhinh``. A mixin of the dialog
engine, like ``bot.services.report_commands``; the rules are in ``bot.core.emulation``.

Who may do what:

* a reporter marks items of their own unit's reports (right after reporting: ``/danhdau
  tập thể`` takes the report's only item, or shows the list) and takes back their unit's
  entries while no leader has put them forward for commendation;
* leaders and admins mark items of any unit within their reach (a commune's leader: the
  commune), and put entries forward for commendation (``/denghikhen``) or take them back;
* everyone bound to the workspace reads the registry (``/dienhinh``); the Word and Excel
  lists are for leaders and admins, like ``/xuat``.

Every change is written to the audit log (``/nhatky``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core import messages_emulation as emsg
from bot.core.commands import Access
from bot.core.emulation import EmulationEntry, EntryFilter, EntryKind, ReportItem, take_kind
from bot.core.events import OutboundMessage
from bot.core.models import Campaign, OrgUnit, Role
from bot.core.periodref import parse_span_ref
from bot.core.periods import Period, PeriodError, PeriodType
from bot.core.rollup import Span
from bot.core.text import fold
from bot.services import periods as cal
from bot.services.emulation import RegistryFile
from bot.services.reports import NO_FILE_CHANNELS

if TYPE_CHECKING:
    from bot.core.events import InboundMessage
    from bot.services.dialog import Ctx
    from bot.services.emulation import EmulationService
    from bot.services.ports import Store
    from bot.services.reports import ReportService

MAX_TITLE = 200
MAX_NOTE = 500
_FILE_WORDS = {
    "word": RegistryFile.WORD,
    "docx": RegistryFile.WORD,
    "excel": RegistryFile.EXCEL,
    "xlsx": RegistryFile.EXCEL,
}
_SHORTLIST_WORDS = frozenset({"dexuat", "khenthuong", "denghikhen"})
_ALL_WORDS = frozenset({"tatca", "all"})
# Phrases typed in words, read as the one word above (folded: no diacritics).
_PHRASES = (
    ("de nghi khen thuong", "denghikhen"),
    ("de nghi khen", "denghikhen"),
    ("de xuat", "dexuat"),
    ("khen thuong", "khenthuong"),
    ("tat ca", "tatca"),
)
_NUMBER = re.compile(r"^(\d{1,6})$")


class EmulationCommandsMixin:
    if TYPE_CHECKING:
        _store: Store
        _reports: ReportService
        _emulation: EmulationService

        async def _campaigns(self, ctx: Ctx) -> list[Campaign]: ...
        async def _org_by_code(self, ctx: Ctx, code: str) -> OrgUnit | None: ...
        async def _audit(self, ctx: Ctx, action: str, detail: str) -> None: ...
        async def _leader_unit(self, ctx: Ctx) -> OrgUnit | None: ...

    # -- who reaches what ---------------------------------------------------------------
    async def _emulation_reach(self, ctx: Ctx) -> tuple[frozenset[int] | None, OrgUnit | None]:
        """The units whose items and entries the sender may change (None: all) and the
        unit that names that reach (a reporter's unit, a commune leader's commune)."""
        member = ctx.member
        if ctx.is_owner or member is None or member.role is Role.ADMIN:
            return None, None
        if member.role is Role.LEADER:
            level = await self._leader_unit(ctx)
            if level is None:
                return None, None
            return await self._subtree(level), level
        own = await self._store.orgs.get(member.org_id) if member.org_id else None
        if own is None:
            return frozenset(), None
        return frozenset({own.id}), own

    async def _subtree(self, org: OrgUnit) -> frozenset[int]:
        tree = await self._reports.hierarchy(org.workspace_id)
        every = await self._store.orgs.all(org.workspace_id, include_inactive=True)
        return frozenset(o.id for o in every if tree.covers(org.id, o.id))

    async def _entry_arg(
        self, ctx: Ctx, numbers: list[int], cmd: str
    ) -> tuple[list[EmulationEntry], list[OutboundMessage] | None]:
        """The entries numbered, each within the sender's reach; or the reply saying why not."""
        assert ctx.workspace is not None
        if not numbers:
            return [], ctx.reply(emsg.NUMBER_USAGE.format(cmd=cmd))
        reach, _ = await self._emulation_reach(ctx)
        out: list[EmulationEntry] = []
        for n in numbers:
            e = await self._store.emulation.get(ctx.workspace.id, n)
            if e is None or not e.active:
                return [], ctx.reply(emsg.ENTRY_NOT_FOUND.format(n=n))
            if reach is not None and e.org_id not in reach:
                return [], ctx.reply(emsg.ENTRY_OUTSIDE.format(n=n))
            out.append(e)
        return out, None

    # -- /danhdau -----------------------------------------------------------------------
    async def _cmd_danhdau(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        head, _, title = args.partition("|")
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            return ctx.reply(emsg.TITLE_TOO_LONG.format(limit=MAX_TITLE))
        words = head.split()
        if words and fold(words[0]) == "so" and len(words) > 1:
            words = words[1:]  # "/danhdau số 3"
        number = _NUMBER.match(words[0].rstrip(".,;:)")) if words else None
        if number is not None:
            kind, rest = take_kind(words[1:])
            if rest:
                return ctx.reply(emsg.KIND_UNKNOWN.format(word=" ".join(rest)[:40]))
            return await self._mark_picked(
                ctx, int(number.group(1)), kind or EntryKind.MODEL, title, event.photos
            )
        kind, rest = take_kind(words)
        listing = await self._items_listing(ctx, " ".join(rest))
        if isinstance(listing, list):
            return listing
        items, label, where = listing
        if not items:
            return ctx.reply(emsg.NO_ITEMS.format(period=_capital(label), where=where))
        _, own = await self._emulation_reach(ctx)
        if kind is not None and len(items) == 1 and own is not None and own.reports:
            # Right after reporting: "/danhdau tập thể" and the report has one item.
            return await self._mark_item(ctx, items[0], kind, title, event.photos)
        await self._emulation.remember(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id, items, ctx.now
        )
        marked = await self._emulation.entries_by_item(items)
        tree = await self._reports.hierarchy(ctx.workspace.id)
        names = {i.org.id: tree.full_name(i.org) for i in items}
        return ctx.reply(emsg.pick_list(label, items, marked, names))

    async def _items_listing(
        self, ctx: Ctx, text: str
    ) -> tuple[list[ReportItem], str, str] | list[OutboundMessage]:
        """The items a ``/danhdau`` list shows: of the period named (else the period being
        reported, or the one before when that has none yet), of the unit named (within the
        sender's reach), with the period's label and a few words on the unit."""
        campaigns = await self._campaigns(ctx)
        if not campaigns:
            return ctx.reply(msg.NO_CAMPAIGN)
        reach, own = await self._emulation_reach(ctx)
        scope = reach
        where = f" của {own.display_name}" if own is not None else ""
        rest: list[str] = []
        for w in text.split():
            org = await self._org_by_code(ctx, w) if any(c.isalpha() for c in w) else None
            if org is not None and not _is_period_word(w):
                sub = await self._subtree(org)
                if reach is not None and org.id not in reach:
                    return ctx.reply(emsg.NOT_YOUR_ITEM.format(name=own.name if own else "-"))
                scope = sub if reach is None else sub & reach
                where = f" của {org.display_name}"
                continue
            rest.append(w)
        period_text = " ".join(rest)
        if period_text:
            default = campaigns[0]
            today = ctx.now.astimezone(ZoneInfo(default.timezone)).date()
            try:
                # As for reading commands: "tuần 49" asked in January is last December's.
                named = parse_span_ref(period_text, default.period_type, today)
            except PeriodError as exc:
                return ctx.reply(f"{exc}\n{emsg.MARK_USAGE}")
            if not isinstance(named, Period):
                return ctx.reply(emsg.MARK_USAGE)
            period = named
            campaign = next((c for c in campaigns if c.period_type is period.type), None)
            if campaign is None:
                return ctx.reply(msg.no_campaign_for(period.type.label))
            items = await self._emulation.items(campaign, period, scope)
            return items, period.label(), where
        found: list[ReportItem] = []
        labels: list[str] = []
        for campaign in campaigns:
            period = cal.reporting_period(campaign, ctx.now)
            items = await self._emulation.items(campaign, period, scope)
            if not items and period.prev() >= cal.first_period(campaign):
                period = period.prev()
                items = await self._emulation.items(campaign, period, scope)
            if items or not labels:
                labels.append(period.label())
            found.extend(items)
        return found, ", ".join(dict.fromkeys(labels)), where

    async def _mark_picked(
        self, ctx: Ctx, number: int, kind: EntryKind, title: str, photos: tuple[str, ...]
    ) -> list[OutboundMessage]:
        item, size = await self._emulation.picked(
            ctx.chat.channel, ctx.chat.chat_id, ctx.sender.user_id, number
        )
        if size is None:
            return ctx.reply(emsg.NO_PICK_LIST)
        if item is None:
            if not 1 <= number <= size:
                return ctx.reply(emsg.PICK_OUT_OF_RANGE.format(n=size))
            return ctx.reply(emsg.ITEM_GONE.format(n=number))
        return await self._mark_item(ctx, item, kind, title, photos)

    async def _mark_item(
        self,
        ctx: Ctx,
        item: ReportItem,
        kind: EntryKind,
        title: str,
        photos: tuple[str, ...],
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        reach, own = await self._emulation_reach(ctx)
        if reach is not None and item.org.id not in reach:
            return ctx.reply(emsg.NOT_YOUR_ITEM.format(name=own.display_name if own else "-"))
        entry, again = await self._emulation.mark(
            ctx.workspace.id,
            item,
            kind,
            title=title,
            photos=photos,
            actor=ctx.actor,
            actor_name=ctx.sender.display_name,
            now=ctx.now,
        )
        if not again or title or photos:
            await self._audit(
                ctx,
                "emulation_mark",
                f"số {entry.number}: {kind.short}, {item.org.code}, "
                f"{item.period.short_label()}, {item.field.key}" + (f" – {title}" if title else ""),
            )
        tree = await self._reports.hierarchy(ctx.workspace.id)
        return ctx.reply(
            emsg.marked(entry, tree.full_name(item.org), item.period.label(), again=again)
        )

    # -- /bodanhdau ---------------------------------------------------------------------
    async def _cmd_bodanhdau(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        entries, refused = await self._entry_arg(ctx, _numbers(args), "bodanhdau")
        if refused is not None:
            return refused
        leader = ctx.is_owner or (
            ctx.member is not None and ctx.member.role in (Role.LEADER, Role.ADMIN)
        )
        replies: list[str] = []
        for e in entries:
            if e.shortlisted and not leader:
                return ctx.reply(emsg.UNMARK_SHORTLISTED.format(n=e.number))
        for e in entries:
            removed = await self._store.emulation.remove(e.id, ctx.actor, ctx.now)
            await self._audit(ctx, "emulation_unmark", f"số {e.number} ({e.kind.short})")
            replies.append(emsg.unmarked(removed))
        return ctx.reply("\n".join(replies))

    # -- /denghikhen, /bodenghikhen -------------------------------------------------------
    async def _cmd_denghikhen(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        head, _, note = args.partition("|")
        note = " ".join(note.split())
        if len(note) > MAX_NOTE:
            return ctx.reply(emsg.NOTE_TOO_LONG.format(limit=MAX_NOTE))
        found, refused = await self._entry_arg(ctx, _numbers(head), "denghikhen")
        if refused is not None:
            return refused
        done: list[EmulationEntry] = []
        already: list[int] = []
        for e in found:
            if e.shortlisted and (not note or note == e.shortlist_note):
                already.append(e.number)
                continue
            done.append(
                await self._store.emulation.shortlist(
                    e.id, ctx.actor, ctx.sender.display_name, note, ctx.now
                )
            )
            await self._audit(
                ctx, "emulation_shortlist", f"số {e.number}" + (f" – {note[:200]}" if note else "")
            )
        return ctx.reply(emsg.shortlisted(done, already))

    async def _cmd_bodenghikhen(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        found, refused = await self._entry_arg(ctx, _numbers(args), "bodenghikhen")
        if refused is not None:
            return refused
        done: list[EmulationEntry] = []
        absent: list[int] = []
        for e in found:
            if not e.shortlisted:
                absent.append(e.number)
                continue
            done.append(await self._store.emulation.unshortlist(e.id, ctx.now))
            await self._audit(ctx, "emulation_unshortlist", f"số {e.number}")
        return ctx.reply(emsg.unshortlisted(done, absent))

    # -- /dienhinh ----------------------------------------------------------------------
    async def _cmd_dienhinh(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        workspace = ctx.workspace
        folded = f" {fold(args)} "
        for phrase, word in _PHRASES:
            folded = folded.replace(f" {phrase} ", f" {word} ")
        file: RegistryFile | None = None
        shortlisted_only = False
        every_period = False
        scope: OrgUnit | None = None
        rest: list[str] = []
        kind, words = take_kind(folded.split())
        for w in words:
            if file is None and w in _FILE_WORDS:
                file = _FILE_WORDS[w]
            elif w in _SHORTLIST_WORDS:
                shortlisted_only = True
            elif w in _ALL_WORDS:
                every_period = True
            elif scope is None and not _is_period_word(w) and any(c.isalpha() for c in w):
                org = await self._org_by_code(ctx, w)
                if org is None:
                    rest.append(w)
                else:
                    scope = org
            else:
                rest.append(w)
        text = " ".join(rest)
        campaigns = await self._campaigns(ctx)
        tz = campaigns[0].timezone if campaigns else "Asia/Ho_Chi_Minh"
        today = ctx.now.astimezone(ZoneInfo(tz)).date()
        span: Span | None = None
        if not every_period:
            try:
                if text:
                    named = parse_span_ref(text, PeriodType.YEAR, today)
                    span = Span.of(named) if isinstance(named, Period) else Span.between(*named)
                else:
                    span = Span.of(_default_year(campaigns, ctx))
            except PeriodError as exc:
                return ctx.reply(f"{exc}\n{emsg.LIST_USAGE}")
        own = await self._leader_unit(ctx)
        if own is not None:
            if scope is None:
                scope = own
            else:
                tree = await self._reports.hierarchy(workspace.id)
                if not tree.covers(own.id, scope.id):
                    return ctx.reply(msg.OUTSIDE_OWN_LEVEL.format(name=own.name))
        flt = EntryFilter(
            span=span,
            scope_ids=await self._subtree(scope) if scope is not None else None,
            kind=kind,
            shortlisted_only=shortlisted_only,
        )
        reg = await self._emulation.registry(
            workspace.id, flt, scope_name=scope.name if scope else None
        )
        ref = " ".join(
            p
            for p in (
                span.label() if span is not None else "tất cả",
                kind.word if kind else "",
                "đề xuất" if shortlisted_only else "",
                scope.code if scope else "",
            )
            if p
        )
        listing = emsg.registry_text(reg, ref)
        if file is None or not reg.entries:
            # An empty list is said in chat; an empty document would only be printed blank.
            return ctx.reply(listing)
        from bot.services.dialog import allowed

        if not allowed(ctx.access, Access.LEADER):
            return ctx.reply(f"{emsg.FILES_NEED_LEADER}\n\n{listing}")
        if ctx.chat.channel in NO_FILE_CHANNELS:
            return ctx.reply(f"{emsg.NO_FILES_ZALO}\n\n{listing}")
        await self._audit(ctx, "emulation_export", f"{file.value} {ref}")
        # A commune's list carries the commune's own letterhead, as its roll-ups do.
        level = await self._reports.letterhead_level(workspace, scope)
        letterhead = await self._reports.letterhead(workspace, level)
        kind_file = file

        async def make() -> list[OutboundMessage]:
            document = await self._emulation.file(
                kind_file,
                reg,
                workspace,
                letterhead,
                issued_on=today,
                tz=tz,
            )
            caption = emsg.export_caption(kind_file.label, reg)
            return [
                OutboundMessage(
                    channel=ctx.chat.channel,
                    chat_id=ctx.chat.chat_id,
                    text=caption,
                    document=replace(document, caption=caption),
                    reply_to_message_id=ctx.message_id if ctx.chat.is_group else None,
                )
            ]

        ctx.after.append(make)
        return []


def _numbers(text: str) -> list[int]:
    """ "12", "số 12", "12, 15 và 18" -> [12, 15, 18] (each once, in order)."""
    found = [int(n) for n in re.findall(r"\d{1,6}", text)]
    return list(dict.fromkeys(found))


def _is_period_word(word: str) -> bool:
    from bot.services.report_commands import _period_word

    return _period_word(word)


def _default_year(campaigns: list[Campaign], ctx: Ctx) -> Period:
    """The year of the last period whose reports are in (in January: last year, the one
    the review conference is about)."""
    if not campaigns:
        return Period.at(PeriodType.YEAR, ctx.now)
    from bot.services.report_commands import _default_span

    return _default_span(campaigns[0], ctx.now, PeriodType.YEAR)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
