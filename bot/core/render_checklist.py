"""Vietnamese texts of self-assessment checklists (issue 9, part 4): the short-reply hint of
the prompt, a unit's result after it reports, the rule in words, and the digest's section.

Kept beside ``bot.core.render`` so the checklist's sentences are reviewed together; the
digest renderer calls :func:`checklist_section` when the template is a checklist.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.checklist import Assessment, ChecklistDigest, SpanClasses, UnitClass
from bot.core.checklist_spec import Level
from bot.core.template import Template
from bot.core.vnformat import format_int, format_percent

__all__ = [
    "PROMPT_HINT",
    "assessment_lines",
    "checklist_section",
    "describe_rule",
    "history_class",
    "level_title",
    "prompt_hint",
    "span_lines",
    "span_prose",
]

PROMPT_HINT = (
    "Trả lời có/không cho từng tiêu chí; có thể trả lời gọn: “đạt tất cả”, "
    "“không đạt: 3, 5” (các tiêu chí còn lại là đạt) hoặc “1 có, 2 không, 3 có”."
)
NOT_ASSESSED = "Chưa đánh giá"


def _critical_numbers(template: Template, org_code: str | None) -> str:
    spec = template.checklist
    if spec is None:
        return ""
    numbers = _numbered(template, org_code, spec.critical)
    return ", ".join(str(numbers[k]) for k in spec.critical if k in numbers)


def prompt_hint(template: Template, org_code: str | None) -> str:
    """The short ways to answer, and which criteria are critical ("" for ordinary reports)."""
    if template.checklist is None:
        return ""
    critical = _critical_numbers(template, org_code)
    if critical:
        return f"{PROMPT_HINT} Tiêu chí bắt buộc phải đạt: {critical}."
    return PROMPT_HINT


def level_title(level: Level | None) -> str:
    """ "🟡 Vàng", or "Chưa đánh giá" for a unit that answered no criterion."""
    return level.title if level is not None else NOT_ASSESSED


def _numbered(template: Template, org_code: str | None, keys: Sequence[str]) -> dict[str, int]:
    numbers = {f.key: n for n, f in template.numbered_fields(org_code)}
    return {k: numbers[k] for k in keys if k in numbers}


def _score(a: Assessment, *, brackets: bool = True) -> str:
    met, counted = len(a.met), a.counted
    text = f"đạt {format_int(met)}/{format_int(counted)} tiêu chí"
    if a.percent is not None:
        pct = format_percent(a.percent)
        text += f" ({pct})" if brackets else f", {pct}"
    return text


def assessment_lines(template: Template, org_code: str | None, a: Assessment) -> list[str]:
    """A unit's result, shown when its checklist is saved and in the echo before that."""
    if a.level is None:
        return [f"Kết quả tự đánh giá: {NOT_ASSESSED} (chưa trả lời tiêu chí nào)."]
    meaning = f" – {a.level.meaning}" if a.level.meaning else ""
    lines = [f"Kết quả tự đánh giá: {a.level.title}{meaning}; {_score(a)}."]
    by_key = {f.key: f for f in a.criteria}
    numbers = _numbered(template, org_code, [f.key for f in a.criteria])
    if a.not_met:
        items = []
        for k in a.not_met:
            item = f"{numbers.get(k, '-')}. {by_key[k].label}"
            if k in a.spec.critical:
                item += " (tiêu chí bắt buộc)"
            items.append(item)
        lines.append("Chưa đạt: " + "; ".join(items) + ".")
    if a.unanswered:
        nums = ", ".join(str(numbers.get(k, "-")) for k in a.unanswered)
        lines.append(f"Chưa trả lời tiêu chí {nums} ({a.spec.unanswered.label}).")
    return lines


def describe_rule(template: Template, org_code: str | None) -> str:
    """The rule in words for ``/mau``: "🔴 Đỏ: chưa đạt bất kỳ tiêu chí bắt buộc nào; ..."."""
    spec = template.checklist
    assert spec is not None
    parts = [f"{lv.title}: {lv.describe()}" for lv in spec.levels]
    lines = ["Cách phân loại (xét lần lượt): " + "; ".join(parts) + "."]
    critical = _critical_numbers(template, org_code)
    if critical:
        lines.append(f"Tiêu chí bắt buộc phải đạt: {critical}.")
    lines.append(f"Tiêu chí bỏ trống: {spec.unanswered.label}.")
    return "\n".join(lines)


def _unit_line(template: Template, u: UnitClass) -> str:
    a = u.current
    text = f"{u.org.display_name} ({_score(a, brackets=False)}"
    numbers = _numbered(template, u.org.code, a.failed)
    critical = [str(numbers[k]) for k in a.critical_failed if k in numbers]
    others = [str(numbers[k]) for k in a.failed if k in numbers and k not in a.critical_failed]
    if critical:
        text += f"; chưa đạt tiêu chí bắt buộc {', '.join(critical)}"
    if others:
        text += f"; {'chưa đạt khác' if critical else 'chưa đạt'}: {', '.join(others)}"
    if u.changed and u.previous is not None:
        text += f"; trước: {level_title(u.previous.level)}"
    return text + ")"


def _change_line(u: UnitClass) -> str:
    assert u.previous is not None
    word = "tốt lên" if u.better else "xấu đi"
    return (
        f"{u.org.display_name}: {level_title(u.previous.level)} → "
        f"{level_title(u.current.level)} ({word})"
    )


def checklist_section(
    d: ChecklistDigest, *, previous_word: str, max_names: int | None = 100
) -> list[str]:
    """The digest's section: counts per class now and then, changes, units per class.

    Units of every class but the last (the best) are listed one a line with what they did
    not meet; the best class lists names only. Long lists stop at ``max_names``."""
    counts = ", ".join(
        f"{level_title(c.level)} {format_int(c.current)}" for c in d.counts if c.current
    )
    lines = [f" - Số đơn vị theo mức: {counts or 'chưa có'}."]
    if d.previous_reported:
        before = ", ".join(f"{level_title(c.level)} {format_int(c.previous)}" for c in d.counts)
        lines.append(f" - {previous_word.capitalize()}: {before}.")
    changes = d.changes
    if changes:
        lines.append(f" - Thay đổi so với {previous_word}:")
        moved = changes if max_names is None else changes[:max_names]
        lines.extend(f"   • {_change_line(u)}" for u in moved)
        if len(moved) < len(changes):
            lines.append(f"   … và {format_int(len(changes) - len(moved))} đơn vị khác.")
    elif d.previous_reported and d.units:
        lines.append(f" - Không có đơn vị nào đổi mức so với {previous_word}.")
    spec = d.template.checklist
    assert spec is not None
    best = spec.levels[-1]
    for lv in [*spec.levels, None]:
        units = d.of_level(lv.key if lv is not None else None)
        if not units:
            continue
        shown = list(units) if max_names is None else list(units[:max_names])
        more = len(units) - len(shown)
        if lv is not None and lv.key == best.key:
            names = ", ".join(u.org.display_name for u in shown)
            if more:
                names += f" và {format_int(more)} đơn vị khác"
            lines.append(f" - {lv.title}: {names}.")
            continue
        lines.append(f" - {level_title(lv)}:")
        if lv is None:
            lines.append(
                "   • "
                + ", ".join(u.org.display_name for u in shown)
                + " (chưa trả lời tiêu chí nào)"
            )
        else:
            lines.extend(f"   • {_unit_line(d.template, u)}" for u in shown)
        if more:
            lines.append(f"   … và {format_int(more)} đơn vị khác.")
    return lines


def span_lines(sc: SpanClasses, *, max_periods: int = 12) -> list[str]:
    """The roll-up's lines: units per class in each period of the span (latest first when
    cut), e.g. "• Tháng 12/2026: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1"."""
    lines: list[str] = []
    periods = [p for p in sc.periods if any(p.key in u.by_period for u in sc.units)]
    for p in periods[-max_periods:]:
        counts = ", ".join(f"{level_title(lv)} {format_int(n)}" for lv, n in sc.counts(p.key) if n)
        label = p.short_label()
        lines.append(f"   • {label[:1].upper()}{label[1:]}: {counts}.")
    if len(periods) > max_periods:
        lines.append(
            f"   … và {format_int(len(periods) - max_periods)} kỳ trước đó (xem tệp Excel)."
        )
    return lines


def history_class(a: Assessment) -> str:
    """A period's line of ``/lichsu``: "🟡 Vàng (đạt 7/9 tiêu chí, 77,8%)"."""
    if a.level is None:
        return f"{NOT_ASSESSED} (chưa trả lời tiêu chí nào)"
    return f"{a.level.title} ({_score(a, brackets=False)})"


def span_prose(sc: SpanClasses, *, max_names: int = 60) -> list[str]:
    """The formal report's paragraphs (no status marks): units per class in each period, the
    latest period's units by class with what they did not meet, and who changed class
    between the last two periods."""
    spec = sc.template.checklist
    assert spec is not None
    periods = [p for p in sc.periods if any(p.key in u.by_period for u in sc.units)]
    if not periods:
        return []
    out: list[str] = []
    for p in periods:
        parts = [
            f"{format_int(n)} đơn vị mức {lv.label if lv is not None else NOT_ASSESSED.lower()}"
            for lv, n in sc.counts(p.key)
            if n
        ]
        label = p.short_label()
        out.append(f"{label[:1].upper()}{label[1:]}: {', '.join(parts)}.")
    last = periods[-1]
    groups: list[str] = []
    for lv in spec.levels:
        names: list[str] = []
        for u in sc.units:
            a = u.by_period.get(last.key)
            if a is None or a.level is None or a.level.key != lv.key:
                continue
            text = u.org.display_name
            numbers = _numbered(sc.template, u.org.code, a.failed)
            critical = [str(numbers[k]) for k in a.critical_failed if k in numbers]
            others = [str(numbers[k]) for k in a.failed if k in numbers and k not in critical]
            notes = []
            if critical:
                notes.append(f"chưa đạt tiêu chí bắt buộc {', '.join(critical)}")
            if others:
                notes.append(f"chưa đạt tiêu chí {', '.join(others)}")
            if notes and lv.key != spec.levels[-1].key:
                text += f" ({'; '.join(notes)})"
            names.append(text)
        if names:
            more = len(names) - max_names
            listed = "; ".join(names[:max_names]) + (
                f" và {format_int(more)} đơn vị khác" if more > 0 else ""
            )
            groups.append(f"mức {lv.label}: {listed}")
    if groups:
        out.append(f"Kết quả {last.short_label()}: " + "; ".join(groups) + ".")
    if len(periods) > 1:
        before = periods[-2]
        moves: list[str] = []
        for u in sc.units:
            a, b = u.by_period.get(before.key), u.by_period.get(last.key)
            if a is None or b is None or a.level is None or b.level is None:
                continue
            if a.level.key != b.level.key:
                ra, rb = a.rank or 0, b.rank or 0
                word = "lên" if rb > ra else "xuống"
                moves.append(f"{u.org.display_name} từ {a.level.label} {word} {b.level.label}")
        if moves:
            out.append(f"So với {before.short_label()}: " + "; ".join(moves[:max_names]) + ".")
        else:
            out.append(f"So với {before.short_label()}, không có đơn vị nào đổi mức.")
    return out
