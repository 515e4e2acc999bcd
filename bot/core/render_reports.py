"""Roll-ups, an organization's history and completeness over a range, as chat text.

The files (Word, Excel) carry everything; these messages are what a leader reads on a
phone: the headline figures with their change, who is behind, and how to get the files.
Lists are capped so a province with hundreds of units still gets a readable message.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from bot.core.hierarchy import Hierarchy
from bot.core.models import OrgUnit
from bot.core.periods import PeriodType
from bot.core.render import (
    _PREVIOUS,
    MARK_DIGEST,
    MARK_LATE,
    MARK_MISSING,
    MARK_ON_TIME,
    SKIPPED_WORD,
    _local,
    _number,
    _section_lines,
)
from bot.core.render_checklist import history_class, span_lines
from bot.core.render_indicators import indicator_lines
from bot.core.rollup import Attendance, NarrativeKind, Rollup
from bot.core.text import fold
from bot.core.vnformat import format_deadline, format_int, format_percent

__all__ = [
    "render_attendance",
    "render_history",
    "render_rollup",
    "render_tree",
    "span_unit_word",
]

_KIND_WORDS = {
    NarrativeKind.MODEL: "mô hình hay, cách làm hiệu quả",
    NarrativeKind.DIFFICULTY: "khó khăn, vướng mắc",
    NarrativeKind.PROPOSAL: "đề xuất, kiến nghị",
    NarrativeKind.NEXT_TASK: "nhiệm vụ thời gian tới",
    NarrativeKind.RESULT: "nội dung kết quả khác",
}
_UNIT_WORD = {
    PeriodType.WEEK: "tuần",
    PeriodType.MONTH: "tháng",
    PeriodType.QUARTER: "quý",
    PeriodType.HALF: "kỳ 6 tháng",
    PeriodType.YEAR: "năm",
}


def span_unit_word(r: Rollup) -> str:
    """What one source period is called: "tuần", "tháng"..."""
    return _UNIT_WORD[r.periods[0].type] if r.periods else "kỳ"


_LEVEL_WORDS = (
    ("thanh pho", "Cấp thành phố"),
    ("tinh", "Cấp tỉnh"),
    ("dac khu", "Cấp đặc khu"),
    ("huyen", "Cấp huyện"),
    ("thi xa", "Cấp thị xã"),
    ("thi tran", "Cấp thị trấn"),
    ("xa", "Cấp xã"),
    ("phuong", "Cấp phường"),
)


def direct_label(name: str) -> str:
    """The line of a province's own units beside its communes: "Cấp tỉnh" for "Tỉnh Tây
    Ninh", "Trực thuộc …" when the name says no level."""
    folded = fold(name)
    for word, label in _LEVEL_WORDS:
        if folded == word or folded.startswith(word + " "):
            return label
    return f"Trực thuộc {name}"


def comparison_caveat(r: Rollup, previous: str, this: str) -> str | None:
    """Why the summed figures carry no change against the previous span, or None.

    Shared by the chat text, the Word report and the workbook so the three say the same
    thing: a quarter of 14 weeks against one of 13 would show "tăng 7,7%" from the calendar
    alone, so sums are not compared, and the reader is told why rather than left to wonder
    where the comparison went."""
    if r.unequal_lengths is None:
        return None
    word = span_unit_word(r)
    now_n, before_n = r.unequal_lengths
    return (
        f"Số liệu cộng dồn không so sánh với {previous} vì {this} có {format_int(now_n)} {word},"
        f" {previous} có {format_int(before_n)} {word}."
    )


def _rate(part: int, whole: int, rate: Decimal | None) -> str:
    if rate is None:
        return f"{format_int(part)}/{format_int(whole)}"
    return f"{format_int(part)}/{format_int(whole)} ({format_percent(rate)})"


def _previous_words(r: Rollup) -> str:
    if r.span.period is not None:
        return _PREVIOUS[r.span.period.type]
    return "khoảng thời gian liền trước"


def _title(r: Rollup, head: str) -> list[str]:
    lines = [f"{MARK_DIGEST} {head} {r.span.label().upper()}"]
    if r.scope is not None:
        lines.append(f"Đơn vị: {r.scope.name}")
    if r.campaign_name:
        lines.append(r.campaign_name)
    return lines


def _periods_line(r: Rollup, tz: str) -> str:
    word = span_unit_word(r)
    as_of = format_deadline(_local(r.now, tz))
    if not r.periods:
        return f"Không có kỳ báo cáo nào trong khoảng thời gian này; số liệu tính đến {as_of}."
    if len(r.periods) == 1:
        span = r.periods[0].short_label()
        if r.skipped:
            span += f" ({word} {SKIPPED_WORD})"
    else:
        span = (
            f"{format_int(len(r.periods))} {word}, "
            f"từ {r.periods[0].short_label()} đến {r.periods[-1].short_label()}"
        )
        if r.skipped:
            span += f" ({skipped_words(r)})"
        # A span still running: say how many of its periods are due so far, or "5 tuần"
        # reads as five weeks of figures when one has passed.
        due = sum(1 for p in r.periods if (d := r.deadlines.get(p.key)) is not None and d <= r.now)
        if r.deadlines and due < len(r.periods):
            span += f"; đến nay đã đến hạn {format_int(due)} {word}"
    return f"Gồm {span}; số liệu tính đến {as_of}."


def skipped_words(r: Rollup, limit: int = 6) -> str:
    """ "nghỉ 2 tuần: tuần 47/2026, tuần 52/2026": the skipped periods of the span, whose
    reports count in the figures but which nobody had to report for."""
    skipped = [p for p in r.periods if p in r.skipped]
    names = ", ".join(p.short_label() for p in skipped[:limit])
    if len(skipped) > limit:
        names += " …"
    return f"{SKIPPED_WORD} {format_int(len(skipped))} {span_unit_word(r)}: {names}"


def _nothing_due(r: Rollup) -> str:
    """Status when no unit had a period to report: none due yet, or skipped ones only."""
    if not r.skipped:
        return "chưa có kỳ báo cáo nào đến hạn."
    return f"không có kỳ nào phải báo cáo ({_nothing_why(r)})."


def _nothing_why(r: Rollup) -> str:
    word = span_unit_word(r)
    if len(r.skipped) == len(r.periods):
        return f"{word} {SKIPPED_WORD}"
    return f"{word} {SKIPPED_WORD} hoặc chưa đến hạn"


def _level_lines(r: Rollup, limit: int) -> list[str]:
    levels = r.levels
    out: list[str] = []
    direct = r.direct_level()
    if direct is not None and direct.org is not None:
        out.append(
            f" - {direct_label(direct.org.display_name)}: "
            f"{_rate(direct.received, direct.expected, direct.rate)} lượt báo cáo"
        )
    for level in levels[1:][:limit]:
        assert level.org is not None
        indent = "   " * max(level.depth - 1, 0)
        out.append(
            f" {indent}- {level.org.display_name}: "
            f"{_rate(level.received, level.expected, level.rate)} lượt báo cáo"
        )
    if len(levels) - 1 > limit:
        out.append(f" … và {format_int(len(levels) - 1 - limit)} cấp khác (xem tệp Excel).")
    return out


def _behind_line(r: Rollup, a: Attendance) -> str:
    word = span_unit_word(r)
    text = f" - {r.name(a.org)}: {format_int(a.received)}/{format_int(a.expected)} {word}"
    if a.longest_missed_run > 1:
        text += f", có lúc {format_int(a.longest_missed_run)} {word} liền không báo cáo"
    return text + "."


def render_rollup(r: Rollup, *, tz: str, max_levels: int = 30, max_behind: int = 15) -> str:
    """The roll-up a leader reads in chat (see the module docstring)."""
    lines = _title(r, "TỔNG HỢP KẾT QUẢ")
    lines.append(_periods_line(r, tz))
    top = r.levels[0] if r.levels else None
    if top is None or top.expected == 0:
        status = _nothing_due(r)
    else:
        status = (
            f"{_rate(top.received, top.expected, top.rate)} lượt báo cáo đã gửi, "
            f"đúng hạn {_rate(top.on_time, top.expected, top.on_time_rate)}."
        )
    lines.append(f"1. Tình hình báo cáo: {status}")
    if top is not None and top.expected:
        lines.extend(_level_lines(r, max_levels))  # (nothing due: no "0/0" line per level)

    lines.append("2. Kết quả chủ yếu:")
    if r.empty:
        lines.append(" - Chưa có báo cáo nào trong khoảng thời gian này.")
    else:
        body = _section_lines(r.template, r.totals, (), with_change=True)
        if r.checklist is not None:
            lines.append(f" - Phân loại theo “{r.template.name}”:")
            lines.extend(span_lines(r.checklist))
        elif not body:
            body = [" - Các báo cáo chưa có số liệu."]
        lines.extend(body)
        if any(t.change is not None for t in r.totals):
            lines.append(f"(Trong ngoặc: tăng, giảm so với {_previous_words(r)}.)")
        caveat = comparison_caveat(r, _previous_words(r), "kỳ này")
        if caveat:
            lines.append(f"({caveat})")

    behind = r.behind()
    if behind:
        lines.append("3. Đơn vị báo cáo chưa đầy đủ:")
        lines.extend(_behind_line(r, a) for a in behind[:max_behind])
        if len(behind) > max_behind:
            lines.append(f" … và {format_int(len(behind) - max_behind)} đơn vị khác.")
    else:
        lines.append(
            "3. Các đơn vị đều báo cáo đầy đủ."
            if r.expected
            else "3. Chưa có kỳ báo cáo nào đến hạn để đánh giá mức đầy đủ."
            if not r.skipped
            else "3. Không có kỳ nào phải báo cáo để đánh giá mức đầy đủ."
        )

    counts = r.narrative_counts()
    if counts:
        parts = [f"{format_int(counts[k])} {_KIND_WORDS[k]}" for k in NarrativeKind if k in counts]
        lines.append(
            f"4. Nội dung các đơn vị nêu: {'; '.join(parts)} (toàn văn trong báo cáo Word)."
        )
    if r.indicators:
        lines.append(f"{5 if counts else 4}. Chỉ số, chỉ tiêu:")
        lines.extend(indicator_lines(r.indicators))
    return "\n".join(lines)


def render_history(r: Rollup, org: OrgUnit, *, tz: str, max_periods: int = 60) -> str:
    """One unit's reports period by period, with its record and its totals."""
    r.require_detail("a unit's history")
    lines = [f"📋 LỊCH SỬ BÁO CÁO — {r.name(org)} — {r.span.label()}"]
    att = next((a for a in r.attendance if a.org.id == org.id), None)
    word = span_unit_word(r)
    if att is not None and att.expected:
        text = (
            f"Đã gửi {_rate(att.received, att.expected, att.rate)} {word}: "
            f"{format_int(att.on_time)} đúng hạn, {format_int(att.late)} muộn"
        )
        if att.missed:
            text += f"; chưa gửi {format_int(att.missed)} {word}"
            if att.longest_missed_run > 1:
                text += f" (dài nhất {format_int(att.longest_missed_run)} {word} liền)"
        if att.exempt:
            text += f"; được miễn {format_int(att.exempt)} {word}"
        lines.append(text + ".")
    line = next((ln for ln in r.lines if ln.org.id == org.id), None)
    fields = [t.field for t in r.totals][:3]
    missed = {p.key for p in att.missed_periods} if att is not None else set()
    late = {p.key for p in att.late_periods} if att is not None else set()
    periods = list(r.periods)[-max_periods:]
    if len(r.periods) > max_periods:
        lines.append(f"(Chỉ hiện {format_int(max_periods)} {word} gần nhất.)")
    lines.append("Theo kỳ:")
    # A checklist: the unit's class in each period instead of the first figures.
    classes = (
        next((u.by_period for u in r.checklist.units if u.org.id == org.id), {})
        if r.checklist is not None
        else {}
    )
    for p in reversed(periods):
        values = line.by_period.get(p.key) if line is not None else None
        if values is None and p.start > r.now.date():
            continue  # a week still to come is not history
        skipped = p in r.skipped
        if values is not None:
            shown = [
                f"{f.label} {_number(f, values[f.key], 'short')}" for f in fields if f.key in values
            ]
            if p.key in classes:
                shown = [history_class(classes[p.key])]
            mark, note = (MARK_LATE, " (muộn)") if p.key in late else (MARK_ON_TIME, "")
            if skipped:
                # Sent for a skipped week: in the figures, neither on time nor late.
                mark, note = MARK_ON_TIME, f" ({word} {SKIPPED_WORD})"
            else:
                # Sent for a period it did not owe (added later, stopped then): counted in
                # the figures, not in its "n/m" above, so say why.
                unit = att.org if att is not None else org
                deadline = r.deadlines.get(p.key)
                if deadline is not None and not unit.expected_by(deadline):
                    why = (
                        "đơn vị được thêm sau hạn báo cáo"
                        if unit.added_at is not None and unit.added_at >= deadline
                        else "khi đó đơn vị đang ngừng theo dõi"
                    )
                    mark, note = MARK_ON_TIME, f" ({why}; vẫn tính vào số liệu)"
            lines.append(f" {mark} {p.short_label()}{note}: {'; '.join(shown) or 'đã gửi'}")
        elif skipped:
            lines.append(f" ▫️ {p.short_label()}: {word} {SKIPPED_WORD}")
        elif p.key in missed:
            lines.append(f" {MARK_MISSING} {p.short_label()}: chưa gửi")
        else:
            why = _not_asked(att.org if att is not None else org, r.deadlines.get(p.key))
            lines.append(f" ▫️ {p.short_label()}: {why}")
    if line is not None and line.values:
        lines.append(f"Cộng cả {r.span.label()}:")
        totals = [t for t in r.totals if t.key in line.values]
        for t in totals:
            value = line.values[t.key]
            lines.append(f" - {t.label}: {_number(t.field, value, 'short')}")
    return "\n".join(lines)


def _not_asked(org: OrgUnit, deadline: datetime | None) -> str:
    """Why a period without a report is not missed: the unit was not one yet, or was
    stopped, when it was due; otherwise it is not due yet or the unit was exempt."""
    if deadline is None or org.expected_by(deadline):
        return "chưa đến hạn hoặc được miễn"
    if org.added_at is not None and org.added_at >= deadline:
        return "không phải báo cáo (đơn vị được thêm sau hạn báo cáo)"
    return "không phải báo cáo (khi đó đơn vị đang ngừng theo dõi)"


def render_attendance(r: Rollup, *, tz: str, max_units: int = 40) -> str:
    """Completeness over the span: per level, then every unit worst first."""
    lines = _title(r, "CHUYÊN CẦN BÁO CÁO")
    lines.append(_periods_line(r, tz))
    if not r.expected:
        lines.append(
            "Chưa có kỳ báo cáo nào đến hạn trong khoảng thời gian này."
            if not r.skipped
            else f"Không có kỳ nào phải báo cáo trong khoảng thời gian này ({_nothing_why(r)})."
        )
        return "\n".join(lines)
    top = r.levels[0]
    lines.append(
        f"Chung: {_rate(top.received, top.expected, top.rate)} lượt báo cáo, "
        f"đúng hạn {_rate(top.on_time, top.expected, top.on_time_rate)}."
    )
    lines.extend(_level_lines(r, 30))
    ranked = sorted(
        (a for a in r.attendance if a.expected),
        key=lambda a: (a.rate or Decimal(0), -a.longest_missed_run, a.on_time_rate or Decimal(0)),
    )
    word = span_unit_word(r)
    lines.append("Theo đơn vị (thấp nhất trước):")
    for a in ranked[:max_units]:
        text = (
            f" - {r.name(a.org)}: {_rate(a.received, a.expected, a.rate)}, "
            f"đúng hạn {format_int(a.on_time)}"
        )
        if a.longest_missed_run > 1:
            text += f"; {format_int(a.longest_missed_run)} {word} liền không báo cáo"
        lines.append(text)
    if len(ranked) > max_units:
        lines.append(f" … và {format_int(len(ranked) - max_units)} đơn vị khác (xem tệp Excel).")
    return "\n".join(lines)


def render_tree(hierarchy: Hierarchy, members: dict[int, int], *, limit: int = 300) -> str:
    """``/donvi`` for a multi-level workspace: the tree, indented, with who reports."""
    lines = ["🏢 DANH SÁCH ĐƠN VỊ"]
    nodes = hierarchy.nodes(include_inactive=True)
    for node in nodes[:limit]:
        org = node.org
        indent = "   " * node.depth
        if not org.reports:
            lines.append(f"{indent}▸ {org.name} ({org.code}) — cấp tổng hợp")
            continue
        people = members.get(org.id, 0)
        state = "" if org.active else " — đã ngừng theo dõi"
        who = f"{format_int(people)} người" if people else "chưa có người báo cáo"
        lines.append(f"{indent}• {org.name} ({org.code}): {who}{state}")
    if len(nodes) > limit:
        lines.append(f"… và {format_int(len(nodes) - limit)} đơn vị khác.")
    return "\n".join(lines)
