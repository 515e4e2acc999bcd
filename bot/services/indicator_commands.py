"""Chat commands for indicators: ``/chiso`` (definitions, targets and progress),
``/solieu`` (reference values by unit, with history), ``/datsolieu`` and ``/bosolieu``
(reference values such as a unit's target population), ``/datchitieu`` and ``/bochitieu``
(targets of an indicator, general or per unit, for every period or a named one).

A mixin of the dialog engine, like ``bot.services.report_commands``. Setting commands take
one item per line in a fixed order — code, unit, value, then the period it applies to — so
"năm 2026" after the value can never be mistaken for the value. Lines are checked before
anything is stored: a bad line stores nothing and says which line and why. Every change is
audited and kept in the history (migration 0007).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core import messages_indicators as imsg
from bot.core.events import OutboundMessage
from bot.core.indicator_spec import Indicator, Reference
from bot.core.models import Campaign, OrgUnit
from bot.core.numbers import NumberError, parse_decimal
from bot.core.periodref import parse_period_ref
from bot.core.periods import Period, PeriodError
from bot.core.render_indicators import format_indicator, indicator_lines
from bot.core.template import Template
from bot.core.text import fold
from bot.core.vnformat import format_datetime, format_decimal
from bot.services.indicators import REFERENCE, TARGET, IndicatorService
from bot.services.templates import TemplateMissingError

if TYPE_CHECKING:
    from bot.core.events import InboundMessage
    from bot.services.dialog import Ctx
    from bot.services.digests import DigestService
    from bot.services.ports import IndicatorValue, Store
    from bot.services.templates import TemplateService

_EVERY = ("", "moi ky", "tat ca cac ky", "luon")
_LIMIT = Decimal("1e15")


def scope_label(scope: str) -> str:
    """ "mọi kỳ", "năm 2026", "quý IV/2026", "Tuần 48/2026"."""
    if not scope:
        return "mọi kỳ"
    try:
        return Period.from_key(scope).short_label()
    except PeriodError:
        return scope


@dataclass(frozen=True, slots=True)
class _Item:
    key: str
    org: OrgUnit | None
    value: Decimal | None
    scope: str


class IndicatorCommandsMixin:
    if TYPE_CHECKING:
        _store: Store
        _templates: TemplateService
        _digests: DigestService

        async def _campaigns(self, ctx: Ctx) -> list[Campaign]: ...
        async def _campaign_period(
            self, ctx: Ctx, args: str
        ) -> tuple[Campaign, Period] | list[OutboundMessage]: ...
        async def _org_by_code(self, ctx: Ctx, code: str) -> OrgUnit | None: ...
        async def _audit(self, ctx: Ctx, action: str, detail: str) -> None: ...

    @property
    def _indicator_service(self) -> IndicatorService:
        return IndicatorService(self._store)

    async def _indicator_templates(self, ctx: Ctx) -> list[tuple[Campaign, Template]]:
        out: list[tuple[Campaign, Template]] = []
        seen: set[str] = set()
        for c in await self._campaigns(ctx):
            if c.template_key in seen:
                continue
            seen.add(c.template_key)
            try:
                out.append((c, await self._templates.get(c.workspace_id, c.template_key)))
            except TemplateMissingError:
                continue
        return out

    async def _named(
        self, ctx: Ctx, kind: str
    ) -> dict[str, tuple[Campaign, Reference | Indicator]]:
        """Every reference (or indicator) of the active campaigns' templates by key."""
        found: dict[str, tuple[Campaign, Reference | Indicator]] = {}
        for c, t in await self._indicator_templates(ctx):
            items: tuple[Reference | Indicator, ...] = (
                t.references if kind == REFERENCE else t.indicators
            )
            for item in items:
                found.setdefault(item.key, (c, item))
        return found

    async def _read_items(
        self, ctx: Ctx, args: str, kind: str, *, with_value: bool
    ) -> tuple[list[_Item], list[OutboundMessage]]:
        """The lines of a setting command, or (no items and) the reply saying what is wrong."""
        named = await self._named(ctx, kind)
        usage = {
            (REFERENCE, True): imsg.SET_REFERENCE_USAGE,
            (REFERENCE, False): imsg.UNSET_REFERENCE_USAGE,
            (TARGET, True): imsg.SET_TARGET_USAGE,
            (TARGET, False): imsg.UNSET_TARGET_USAGE,
        }[(kind, with_value)]
        if not named:
            return [], ctx.reply(imsg.NO_REFERENCES if kind == REFERENCE else imsg.NO_INDICATORS)
        lines = [ln.strip() for ln in args.split("\n") if ln.strip()]
        if not lines:
            return [], ctx.reply(usage)
        items: list[_Item] = []
        key: str | None = None
        for n, line in enumerate(lines, start=1):
            words = line.split()
            if words[0].lower() in named:
                key = words.pop(0).lower()
            elif n == 1 or key is None:
                unknown = imsg.unknown_reference if kind == REFERENCE else imsg.unknown_indicator
                return [], ctx.reply(unknown(words[0], sorted(named)))
            campaign, _ = named[key]
            org: OrgUnit | None = None
            if words and not _numeric(words[0]):
                org = await self._org_by_code(ctx, words[0])
                if org is None:
                    return [], ctx.reply(imsg.unknown_unit(n, words[0]))
                words.pop(0)
            if kind == REFERENCE and org is None:
                return [], ctx.reply(imsg.bad_line(n, "thiếu mã đơn vị", usage))
            value: Decimal | None = None
            if with_value:
                if not words:
                    return [], ctx.reply(imsg.bad_line(n, "thiếu giá trị (một con số)", usage))
                if not _numeric(words[0]):
                    why = f"“{words[0][:40]}” chưa phải là con số"
                    return [], ctx.reply(imsg.bad_line(n, why, usage))
                # The value and its money words ("1,5 triệu", "1 tỷ 200 triệu"), before the
                # period it applies to.
                taken = _value_words(words)
                raw = " ".join(words[:taken])
                del words[:taken]
                try:
                    value = parse_decimal(raw.rstrip("%"))
                except NumberError as exc:
                    return [], ctx.reply(
                        imsg.bad_line(n, f"chưa đọc được số “{raw}”: {exc}", usage)
                    )
                if value > _LIMIT:
                    return [], ctx.reply(imsg.bad_line(n, f"số “{raw}” lớn quá mức", usage))
            # Each line names its own period: none means every period (not the line above's).
            rest = " ".join(words)
            try:
                scope = _scope(rest, campaign, ctx)
            except PeriodError as exc:
                return [], ctx.reply(imsg.bad_line(n, str(exc).rstrip("."), usage))
            items.append(_Item(key, org, value, scope))
        return items, []

    async def _store_items(
        self, ctx: Ctx, kind: str, items: list[_Item]
    ) -> tuple[list[str], list[str]]:
        """Stores the items; returns the lines describing what changed and what was not set."""
        assert ctx.workspace is not None
        service = self._indicator_service
        named = await self._named(ctx, kind)
        current = {
            (v.key, v.org_id, v.scope): v for v in await service.current(ctx.workspace.id, kind)
        }
        done: list[str] = []
        absent: list[str] = []
        for it in items:
            _, spec = named[it.key]
            org_id = it.org.id if it.org else None
            where = it.org.display_name if it.org else "chung"
            what = f"{spec.label} – {where} – {scope_label(it.scope)}"
            if it.value is None and (it.key, org_id, it.scope) not in current:
                absent.append(what)
                continue
            await service.set_value(
                ctx.workspace.id, kind, it.key, org_id, it.scope, it.value, ctx.actor, ctx.now
            )
            shown = "bỏ" if it.value is None else _value_text(spec, it.value)
            old = current.get((it.key, org_id, it.scope))
            before = f" (trước đây: {_value_text(spec, old.value)})" if old and old.value else ""
            done.append(f"{what}: {shown}{before}")
            code = it.org.code if it.org else "chung"
            await self._audit(
                ctx,
                f"{kind}_{'set' if it.value is not None else 'unset'}",
                f"{it.key} {code} {it.scope or 'mọi kỳ'}: {shown}",
            )
        return done, absent

    async def _set_command(
        self, ctx: Ctx, args: str, kind: str, *, with_value: bool
    ) -> list[OutboundMessage]:
        items, error = await self._read_items(ctx, args, kind, with_value=with_value)
        if error:
            return error
        done, absent = await self._store_items(ctx, kind, items)
        word = "số liệu tham chiếu" if kind == REFERENCE else "chỉ tiêu"
        if with_value:
            text = (imsg.reference_set if kind == REFERENCE else imsg.target_set)(done)
        elif done:
            text = imsg.removed(f"{word}:\n" + "\n".join(f" - {d}" for d in done))
        else:
            return ctx.reply(imsg.nothing_to_remove(f"{word} " + "; ".join(absent)))
        if absent:
            text += "\n" + imsg.nothing_to_remove(f"{word} " + "; ".join(absent))
        return ctx.reply(text)

    # -- the commands -------------------------------------------------------------------
    async def _cmd_datsolieu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        return await self._set_command(ctx, args, REFERENCE, with_value=True)

    async def _cmd_bosolieu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        return await self._set_command(ctx, args, REFERENCE, with_value=False)

    async def _cmd_datchitieu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        return await self._set_command(ctx, args, TARGET, with_value=True)

    async def _cmd_bochitieu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        return await self._set_command(ctx, args, TARGET, with_value=False)

    async def _cmd_solieu(
        self, ctx: Ctx, args: str, event: InboundMessage
    ) -> list[OutboundMessage]:
        """Reference values by unit (who still lacks one); with a code, also its history."""
        assert ctx.workspace is not None
        named = await self._named(ctx, REFERENCE)
        if not named:
            return ctx.reply(imsg.NO_REFERENCES)
        wanted = fold(args).strip().split()
        if wanted and wanted[0] not in named:
            return ctx.reply(imsg.unknown_reference(args.strip(), sorted(named)))
        keys = [wanted[0]] if wanted else list(named)
        service = self._indicator_service
        values = await service.current(ctx.workspace.id, REFERENCE)
        orgs = [o for o in await self._store.orgs.all(ctx.workspace.id) if o.reports]
        names = {o.id: o.display_name for o in await self._store.orgs.all(ctx.workspace.id, True)}
        lines = ["Số liệu tham chiếu theo đơn vị:"]
        for key in keys:
            _, spec = named[key]
            unit = f", {spec.unit}" if spec.unit else ""
            lines.append(f"• {spec.label} ({key}{unit}):")
            mine = [v for v in values if v.key == key]
            for v in mine:
                who = names.get(v.org_id, "chung") if v.org_id is not None else "chung"
                value = _value_text(spec, v.value) if v.value is not None else ""
                lines.append(f" - {who}: {value} ({scope_label(v.scope)})")
            have = {v.org_id for v in mine}
            lacking = [o.display_name for o in orgs if o.id not in have]
            if not mine:
                lines.append(" - Chưa đặt cho đơn vị nào.")
            if lacking and mine:
                shown = ", ".join(lacking[:30])
                more = f" và {len(lacking) - 30} đơn vị khác" if len(lacking) > 30 else ""
                lines.append(f" Chưa đặt: {shown}{more}.")
        if wanted:
            history = await service.history(ctx.workspace.id, REFERENCE, keys[0])
            if history:
                campaign, spec = named[keys[0]]
                lines.append("Lịch sử thay đổi (gần nhất trước):")
                for v in reversed(history[-20:]):
                    lines.append(" - " + _history_line(spec, v, names, campaign.timezone))
        lines.append("Đặt hoặc sửa: /datsolieu <mã số liệu> <mã đơn vị> <giá trị> [kỳ áp dụng].")
        return ctx.reply("\n".join(lines))

    async def _cmd_chiso(self, ctx: Ctx, args: str, event: InboundMessage) -> list[OutboundMessage]:
        """The indicators of the template: formula, basis, targets set, and progress for a
        period (the current one by default), as the digest shows it."""
        assert ctx.workspace is not None
        found = await self._campaign_period(ctx, args)
        if isinstance(found, list):
            return found
        campaign, period = found
        try:
            template = await self._templates.get(campaign.workspace_id, campaign.template_key)
        except TemplateMissingError:
            return ctx.reply(msg.NO_CAMPAIGN)
        if not template.indicators:
            return ctx.reply(imsg.NO_INDICATORS)
        service = self._indicator_service
        targets = await service.current(ctx.workspace.id, TARGET)
        names = {o.id: o.display_name for o in await self._store.orgs.all(ctx.workspace.id, True)}
        lines = [f"📈 Chỉ số của mẫu “{template.name}”:"]
        for n, ind in enumerate(template.indicators, start=1):
            lines.append(f"{n}. {ind.label} ({ind.key}), {ind.basis.label}.")
            lines.append(f"   Công thức: {ind.formula}")
            mine = [t for t in targets if t.key == ind.key and t.value is not None]
            general = [t for t in mine if t.org_id is None]
            own = [t for t in mine if t.org_id is not None]
            parts: list[str] = []
            if ind.target is not None:
                parts.append(f"theo mẫu {format_indicator(ind, ind.target)}")
            parts.extend(
                f"chung {_value_text(ind, t.value)} ({scope_label(t.scope)})"
                for t in general
                if t.value is not None
            )
            parts.extend(
                f"{names.get(t.org_id, '?')} {_value_text(ind, t.value)} ({scope_label(t.scope)})"
                for t in own[:20]
                if t.org_id is not None and t.value is not None
            )
            if len(own) > 20:
                parts.append(f"và {len(own) - 20} chỉ tiêu riêng khác")
            lines.append(f"   Chỉ tiêu: {'; '.join(parts) if parts else 'chưa đặt'}.")
        digest = await self._digests.digest(campaign, period, ctx.now)
        lines.append(f"Tiến độ {period.label()}:")
        lines.extend(indicator_lines(digest.indicators))
        lines.append("Đặt chỉ tiêu: /datchitieu <mã chỉ số> [mã đơn vị] <chỉ tiêu> [kỳ áp dụng].")
        return ctx.reply("\n".join(lines))


def _numeric(word: str) -> bool:
    """Whether ``word`` starts a number (a sign included: a negative value is then refused
    as negative, not as a missing one)."""
    w = word.lstrip("+-−")
    return bool(w) and (w[0].isdigit() or (w[0] in ",." and w[1:2].isdigit()))


# Words that belong to a value after its first word: money multipliers, "rưỡi", units.
_VALUE_WORDS = frozenset(
    {"ty", "ti", "trieu", "tr", "nghin", "ngan", "k", "ruoi", "dong", "d", "%"}
)


def _value_words(words: list[str]) -> int:
    """How many of ``words`` make the value: the first, then money words and the figures
    between or after them ("1 tỷ 200 triệu", "15 triệu rưỡi", "1 tỷ 2")."""
    taken = 1
    while taken < len(words):
        w = fold(words[taken])
        if w in _VALUE_WORDS:
            taken += 1
            continue
        after_unit = fold(words[taken - 1]) in _VALUE_WORDS
        last = taken + 1 == len(words)
        if after_unit and w.isdigit() and (last or fold(words[taken + 1]) in _VALUE_WORDS):
            taken += 1
            continue
        break
    return taken


def _scope(text: str, campaign: Campaign, ctx: Ctx) -> str:
    if fold(text).strip() in _EVERY:
        return ""
    today = ctx.now.astimezone(ZoneInfo(campaign.timezone)).date()
    return parse_period_ref(text, campaign.period_type, today).key


def _value_text(spec: Reference | Indicator, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if isinstance(spec, Indicator):
        return format_indicator(spec, value)
    text = format_decimal(value)
    return f"{text} {spec.unit}" if spec.unit else text


def _history_line(
    spec: Reference | Indicator, v: IndicatorValue, names: dict[int, str], tz: str
) -> str:
    who = names.get(v.org_id, "?") if v.org_id is not None else "chung"
    what = "bỏ" if v.value is None else _value_text(spec, v.value)
    actor = v.actor.partition("(")[2].rstrip(")") or v.actor
    when = format_datetime(v.created_at.astimezone(ZoneInfo(tz)))
    return f"{when} – {who}: {what} ({scope_label(v.scope)}) – {actor}"
