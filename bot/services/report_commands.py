"""Chat commands for reports and the unit tree: ``/xuat``, ``/lichsu``, ``/chuyencan``,
``/vanban``, ``/baocaodinhky``, ``/themcap``, ``/chuyendonvi``, and the roll-up side of
``/tonghop``. A mixin of the dialog engine, kept apart so the engine's module stays about
reporting itself; the engine dispatches here exactly as to its own commands.

What a reading command is about is typed after it, in any order people find natural:
a kind of file (for ``/xuat``), a period or a range of days, and a unit code
(``/xuat word quý IV xa_tanbien``). Without a period: the current month for ``/xuat``
and ``/tonghop``, the current year so far for ``/lichsu`` and ``/chuyencan``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core.events import OutboundMessage
from bot.core.letterhead import (
    LETTERHEAD_KEYS,
    Letterhead,
    LetterheadError,
    letterhead_item,
    letterhead_value,
    level_prefix,
)
from bot.core.models import Campaign, OrgUnit, Role
from bot.core.periodref import KIND_WORDS, parse_span_ref
from bot.core.periods import Period, PeriodError, PeriodType
from bot.core.render_reports import render_attendance, render_history, render_rollup
from bot.core.rollup import Span
from bot.core.text import fold
from bot.services import periods as cal
from bot.services.reports import (
    NO_FILE_CHANNELS,
    ROLLUP_TYPES,
    ROLLUPS_SETTING,
    file_kind,
)
from bot.services.templates import TemplateMissingError

if TYPE_CHECKING:
    from bot.core.events import InboundMessage
    from bot.services.dialog import Ctx, EngineConfig
    from bot.services.ports import Store
    from bot.services.reports import ReportService

_ORDER = [PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF, PeriodType.YEAR]


class ReportCommandsMixin:
    if TYPE_CHECKING:
        _store: Store
        _reports: ReportService
        _config: EngineConfig

        async def _campaigns(self, ctx: Ctx) -> list[Campaign]: ...
        async def _org_by_code(self, ctx: Ctx, code: str) -> OrgUnit | None: ...
        async def _audit(self, ctx: Ctx, action: str, detail: str) -> None: ...

    # -- reading what the command is about ----------------------------------------------
    async def _report_target(
        self, ctx: Ctx, args: str, default: PeriodType | None
    ) -> tuple[Campaign, Span, OrgUnit | None] | list[OutboundMessage]:
        """The campaign, span and unit a report command names (see the module docstring).

        A unit code may stand anywhere among the words; the rest is the period. The campaign
        is the one reporting by the named period's type when there is one (a monthly
        campaign for "tháng 11"), otherwise the first whose periods are shorter (weeks roll
        up into the month)."""
        campaigns = await self._campaigns(ctx)
        if not campaigns:
            return ctx.reply(msg.NO_CAMPAIGN)
        words = args.split()
        scope: OrgUnit | None = None
        rest: list[str] = []
        for w in words:
            if scope is None and not _period_word(w):
                found = await self._org_by_code(ctx, w)
                if found is not None:
                    scope = found
                    continue
            rest.append(w)
        campaign = campaigns[0]
        today = ctx.now.astimezone(ZoneInfo(campaign.timezone)).date()
        text = " ".join(rest)
        bare = KIND_WORDS.get(fold(text).strip())
        ref: tuple[date, date] | Period
        try:
            if bare is not None:
                # "/tonghop năm", "/xuat excel quý": the year (quarter…) of the last period
                # whose reports are in, as without a period.
                ref = _default_span(campaign, ctx.now, bare)
            else:
                ref = (
                    parse_span_ref(text, campaign.period_type, today)
                    if text
                    else _default_span(campaign, ctx.now, default)
                )
        except PeriodError as exc:
            # "/xuat tanhao quy 4": a mistyped unit code is the likelier fault than the
            # period when the other words make a period on their own.
            unknown = [w for w in rest if not _period_word(w)]
            if unknown and scope is None:
                others = " ".join(w for w in rest if w not in unknown)
                try:
                    if others:
                        parse_span_ref(others, campaign.period_type, today)
                except PeriodError:
                    pass
                else:
                    return ctx.reply(msg.ORG_NOT_FOUND.format(code=unknown[0]))
            return ctx.reply(str(exc))
        if isinstance(ref, Period):
            span = Span.of(ref)
            native = next((c for c in campaigns if c.period_type is ref.type), None)
            shorter = [c for c in campaigns if _ORDER.index(c.period_type) < _ORDER.index(ref.type)]
            chosen = native or (shorter[0] if shorter else None)
            if chosen is None:
                return ctx.reply(msg.no_campaign_for(ref.type.label))
            campaign = chosen
        else:
            span = Span.between(*ref)
            if span.end <= span.start:
                return ctx.reply(msg.SPAN_EMPTY)
        if span.start > today:
            return ctx.reply(msg.SPAN_IN_FUTURE.format(span=_capital(span.label())))
        own = await self._leader_unit(ctx)
        if own is not None:
            # A commune's leader reads the commune: by default, and only within it.
            if scope is None:
                scope = own
            else:
                tree = await self._reports.hierarchy(own.workspace_id)
                if not tree.covers(own.id, scope.id):
                    return ctx.reply(msg.OUTSIDE_OWN_LEVEL.format(name=own.name))
        return campaign, span, scope

    async def _leader_unit(self, ctx: Ctx) -> OrgUnit | None:
        """The grouping unit (a commune) a leader is bound to; None for leaders of the whole
        workspace, admins and owners."""
        member = ctx.member
        if member is None or ctx.is_owner or member.role is not Role.LEADER:
            return None
        if member.org_id is None:
            return None
        org = await self._store.orgs.get(member.org_id)
        return org if org is not None and not org.reports else None

    # -- /tonghop for a longer period, a range or a unit ---------------------------------
    async def _rollup_reply(
        self, ctx: Ctx, campaign: Campaign, span: Span, scope: OrgUnit | None
    ) -> list[OutboundMessage]:
        async def make() -> list[OutboundMessage]:
            # Only the text is shown: a summary when it gives the same text (the whole
            # workspace: a national year in well under a second); files ask again (/xuat).
            r = await self._reports.rollup(
                campaign, span, ctx.now, scope_id=scope.id if scope else None, detail=False
            )
            text = render_rollup(r, tz=campaign.timezone)
            label = span.label()
            if scope is not None:
                label += f" {scope.code}"
            return ctx.reply(f"{text}\n{msg.rollup_files_hint(label)}")

        return _later(ctx, make)

    # -- /xuat --------------------------------------------------------------------------
    async def _cmd_xuat(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        first, _, rest = args.strip().partition(" ")
        kind = file_kind(first) if first else None
        if kind is None:
            # "/xuat bieu do quy 4": two-word kinds.
            two = " ".join(args.split()[:2])
            kind = file_kind(two)
            rest = " ".join(args.split()[2:]) if kind is not None else rest
        if kind is None:
            return ctx.reply(msg.EXPORT_USAGE)
        if ctx.chat.channel in NO_FILE_CHANNELS:
            return ctx.reply(msg.NO_FILES_HERE)
        found = await self._report_target(ctx, rest, PeriodType.MONTH)
        if isinstance(found, list):
            return found
        campaign, span, scope = found
        workspace = ctx.workspace
        await self._audit(ctx, "export", f"{kind.value} {span.key()}")

        async def make() -> list[OutboundMessage]:
            self._reports.prepare_file(kind)
            r = await self._reports.rollup(
                campaign, span, ctx.now, scope_id=scope.id if scope else None
            )
            today = _today(ctx.now, campaign.timezone)
            document = await self._reports.file(
                kind, r, workspace, issued_on=today, tz=campaign.timezone
            )
            caption = msg.export_caption(kind.label, span.label(), scope.name if scope else None)
            if r.empty:
                caption += "\n" + msg.EXPORT_EMPTY
            return [
                OutboundMessage(
                    channel=ctx.chat.channel,
                    chat_id=ctx.chat.chat_id,
                    text=caption,
                    document=replace(document, caption=caption),
                    reply_to_message_id=ctx.message_id if ctx.chat.is_group else None,
                )
            ]

        return _later(ctx, make)

    # -- /lichsu ------------------------------------------------------------------------
    async def _cmd_lichsu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        member = ctx.member  # None for a bot owner who is not bound in this workspace
        found = await self._report_target(ctx, args, PeriodType.YEAR)
        if isinstance(found, list):
            return found
        campaign, span, org = found
        if org is None:
            if member is None or member.org_id is None:
                return ctx.reply(msg.HISTORY_USAGE)
            org = await self._store.orgs.get(member.org_id)
            if org is None:
                return ctx.reply(msg.HISTORY_USAGE)
        elif (
            member is not None
            and member.role is Role.REPORTER
            and member.org_id != org.id
            and not ctx.is_owner
        ):
            return ctx.reply(msg.HISTORY_OWN_ONLY)
        if not org.reports:
            return await self._rollup_reply(ctx, campaign, span, org)
        unit = org

        async def make() -> list[OutboundMessage]:
            r = await self._reports.rollup(campaign, span, ctx.now, scope_id=unit.id)
            return ctx.reply(render_history(r, unit, tz=campaign.timezone))

        return _later(ctx, make)

    # -- /chuyencan ---------------------------------------------------------------------
    async def _cmd_chuyencan(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        found = await self._report_target(ctx, args, PeriodType.YEAR)
        if isinstance(found, list):
            return found
        campaign, span, scope = found

        async def make() -> list[OutboundMessage]:
            # The chat text only: a summary where one gives it (the whole workspace).
            r = await self._reports.rollup(
                campaign,
                span,
                ctx.now,
                scope_id=scope.id if scope else None,
                previous=False,
                detail=False,
            )
            return ctx.reply(render_attendance(r, tz=campaign.timezone))

        return _later(ctx, make)

    # -- /vanban ------------------------------------------------------------------------
    async def _cmd_vanban(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        text = args.strip()
        # "/vanban xa_tanhoa …": a commune's own letterhead (its reports carry it).
        level: OrgUnit | None = None
        first, _, rest = text.partition(" ")
        if first and not any(sep in first for sep in "|:="):
            found = await self._org_by_code(ctx, first)
            if found is not None:
                if found.reports:
                    return ctx.reply(msg.LETTERHEAD_NOT_A_LEVEL.format(name=found.display_name))
                level = await self._reports.letterhead_level(ctx.workspace, found)
                text = rest.strip()
        prefix = level_prefix(level.id) if level is not None else "letterhead"
        where = f" ({level.display_name})" if level is not None else ""
        if not text:
            lh = await self._reports.letterhead(ctx.workspace, level)
            view = msg.letterhead_view(_letterhead_rows(lh))
            if level is not None:
                view = msg.LETTERHEAD_LEVEL_HEAD.format(name=level.display_name) + "\n" + view
            return ctx.reply(view)
        if fold(text) in ("mac dinh", "default"):
            # No confirmation asked: the answer lists what was cleared as the commands that
            # put it back, one copy and send away.
            saved = await self._store.settings.all(ctx.workspace.id)
            restore: list[str] = []
            code = f"{level.code} " if level is not None else ""
            for attr, name, _ in LETTERHEAD_KEYS:
                key = f"{prefix}.{attr}"
                if key in saved:
                    await self._store.settings.delete(ctx.workspace.id, key)
                    value = saved[key].replace("\n", "; ")
                    restore.append(f"/vanban {code}{name} | {value}")
            if not restore:
                return ctx.reply(msg.LETTERHEAD_ALREADY_DEFAULT.format(where=where))
            await self._audit(ctx, "letterhead", f"mặc định{where}")
            return ctx.reply(msg.letterhead_reset(where, restore))
        sep = next((s for s in ("|", ":", "=") if s in text), None)
        if sep is None:
            return ctx.reply(msg.LETTERHEAD_USAGE)
        item, _, value = text.partition(sep)
        try:
            attr, name = letterhead_item(item)
            clean = letterhead_value(attr, value)
        except LetterheadError as exc:
            return ctx.reply(f"{exc}\n{msg.LETTERHEAD_USAGE}")
        await self._store.settings.put(ctx.workspace.id, f"{prefix}.{attr}", clean, ctx.now)
        await self._audit(ctx, "letterhead", f"{attr}{where}: {clean[:200]}")
        shown = clean.replace("\n", "; ")
        return ctx.reply(msg.LETTERHEAD_SET.format(name=name + where, value=shown or "(để trống)"))

    # -- /baocaodinhky -------------------------------------------------------------------
    async def _cmd_baocaodinhky(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        t = fold(args).strip()
        if not t:
            kinds = await self._reports.scheduled_kinds(ctx.workspace.id)
            return ctx.reply(msg.scheduled_rollups_view(_kind_names(kinds)))
        chosen: set[PeriodType] = set()
        if t not in ("tat", "khong", "off"):
            for word in t.replace(",", " ").split():
                kind = {"thang": PeriodType.MONTH, "quy": PeriodType.QUARTER}.get(word)
                if kind is None and word not in ("va", "bat", "on"):
                    return ctx.reply(msg.SCHEDULED_ROLLUPS_USAGE)
                if kind is not None:
                    chosen.add(kind)
            if not chosen:
                chosen = set(ROLLUP_TYPES)
        value = ",".join(k.value for k in ROLLUP_TYPES if k in chosen)
        await self._store.settings.put(ctx.workspace.id, ROLLUPS_SETTING, value, ctx.now)
        await self._audit(ctx, "scheduled_rollups", value or "tắt")
        return ctx.reply(msg.scheduled_rollups_view(_kind_names(chosen), changed=True))

    # -- the unit tree ------------------------------------------------------------------
    async def _cmd_themcap(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        """A grouping unit (a commune, a district): reports nothing itself."""
        assert ctx.workspace is not None
        lines = [ln for ln in args.split("\n") if ln.strip()]
        if not lines:
            return ctx.reply(msg.ADDLEVEL_USAGE)
        done: list[str] = []
        for line in lines:
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                return ctx.reply(_partial(done, msg.ADDLEVEL_USAGE))
            error = await self._add_unit(ctx, parts[0], parts[1], "", _at(parts, 2), False)
            if error is not None:
                return ctx.reply(_partial(done, error))
            done.append(parts[1])
        return ctx.reply(msg.units_added(done, grouping=True))

    async def _add_unit(
        self,
        ctx: Ctx,
        code_text: str,
        name_text: str,
        short_text: str,
        parent_code: str,
        reports: bool,
    ) -> str | None:
        """Adds one unit; a Vietnamese error, or None when it was added."""
        from bot.services.dialog import ORG_CODE
        from bot.services.ports import DuplicateError

        assert ctx.workspace is not None
        code = code_text.lower()
        if not ORG_CODE.match(code):
            return msg.BAD_ORG_CODE.format(code=code_text[:40])
        parent_id = None
        if parent_code:
            parent = await self._org_by_code(ctx, parent_code)
            if parent is None:
                return msg.ORG_NOT_FOUND.format(code=parent_code[:40])
            if not reports and parent.reports:
                return msg.LEVEL_UNDER_REPORTING.format(name=parent.name)
            parent_id = parent.id
        name = " ".join(name_text.split())[:200]
        short = " ".join(short_text.split())[:80]
        # A unit is expected for the periods due after it was added (one added in November
        # is not missing January to October).
        try:
            await self._store.orgs.add(
                ctx.workspace.id,
                code,
                name,
                short,
                parent_id,
                reports,
                added_at=ctx.now if reports else None,
            )
        except DuplicateError:
            return msg.ORG_EXISTS.format(code=code)
        await self._audit(ctx, "add_level" if not reports else "add_org", f"{code}: {name}")
        return None

    async def _cmd_chuyendonvi(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        assert ctx.workspace is not None
        parts = [p.strip() for p in args.split("|")]
        if len(parts) != 2 or not parts[0] or not parts[1]:
            return ctx.reply(msg.MOVEORG_USAGE)
        org = await self._org_by_code(ctx, parts[0])
        if org is None:
            return ctx.reply(msg.ORG_NOT_FOUND.format(code=parts[0][:40]))
        if fold(parts[1]) in ("goc", "khong", "-"):
            parent = None
        else:
            parent = await self._org_by_code(ctx, parts[1])
            if parent is None:
                return ctx.reply(msg.ORG_NOT_FOUND.format(code=parts[1][:40]))
            tree = await self._reports.hierarchy(ctx.workspace.id)
            if tree.covers(org.id, parent.id):
                return ctx.reply(msg.MOVE_INTO_ITSELF.format(name=org.name, parent=parent.name))
            if not org.reports and parent.reports:
                return ctx.reply(msg.LEVEL_UNDER_REPORTING.format(name=parent.name))
        await self._store.orgs.update(replace(org, parent_id=parent.id if parent else None))
        where = parent.name if parent else "cấp cao nhất"
        # Figures follow the unit: its past reports now count for its new parent.
        await self._audit(ctx, "move_org", f"{org.code} -> {parent.code if parent else '-'}")
        return ctx.reply(msg.ORG_MOVED.format(name=org.name, parent=where))


_PERIOD_WORDS = frozenset(
    {
        "tuan",
        "thang",
        "quy",
        "nam",
        "nay",
        "truoc",
        "sau",
        "toi",
        "dau",
        "cuoi",
        "tu",
        "den",
        "ky",
        "ngoai",
        "ngay",
        "hien",
        "tai",
    }
)


def _period_word(word: str) -> bool:
    """Words that belong to a period ("quý", "IV", "11/2026"), never taken for a unit code."""
    w = fold(word)
    return w in _PERIOD_WORDS or w in ("i", "ii", "iii", "iv") or not any(c.isalpha() for c in w)


def _later(ctx: Ctx, make: Callable[[], Awaitable[list[OutboundMessage]]]) -> list[OutboundMessage]:
    """Run ``make`` once the event's transaction has committed (a roll-up reads much and
    may render a file: it must not hold the database meanwhile). A template that went
    missing in between is said plainly."""

    async def guarded() -> list[OutboundMessage]:
        try:
            return await make()
        except TemplateMissingError:
            return ctx.reply(msg.NO_CAMPAIGN)

    ctx.after.append(guarded)
    return []


def _default_span(campaign: Campaign, now: datetime, kind: PeriodType | None) -> Period:
    """Without a period: the month (year) of the last period whose reports are in, so the
    first days of January give last year's record rather than an empty one; ``None`` means
    the period replies are going to now (the digest's own default)."""
    current = cal.reporting_period(campaign, now)
    if kind is None:
        return current
    last = max(current.prev(), cal.first_period(campaign))
    anchor = last.start + timedelta(days=3) if last.type is PeriodType.WEEK else last.start
    return Period.containing(kind, anchor)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def _at(parts: Sequence[str], i: int) -> str:
    return parts[i] if len(parts) > i else ""


def _partial(done: Sequence[str], error: str) -> str:
    if not done:
        return error
    return f"{msg.units_added(done, grouping=True)}\n{error}"


def _kind_names(kinds: set[PeriodType]) -> list[str]:
    names = {PeriodType.MONTH: "hằng tháng", PeriodType.QUARTER: "hằng quý"}
    return [names[k] for k in ROLLUP_TYPES if k in kinds]


def _letterhead_rows(lh: Letterhead) -> list[tuple[str, str]]:
    values = lh.to_settings()
    return [(name, values[attr].replace("\n", "; ")) for attr, name, _ in LETTERHEAD_KEYS]
