"""Rendering to neutral plain text: prompts, reminders, warnings, status, echo and digest.

No markup: each channel escapes the text for its own format (Telegram HTML) and splits long
texts at line boundaries. Lines stay short enough to read on a phone. Every wording follows
shared/VOICE.md (formal register, "đồng chí", "Đề nghị…", "Nhắc việc:…", dd/mm/yyyy, 17h00,
"1.200", "42,5", "45.500.000 đồng" / "45.500.000 đ" / "45,5 triệu đồng"). Times are shown in
the campaign's time zone (``tz``, Asia/Ho_Chi_Minh by default).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.core.digest import ChoiceSummary, Completeness, Digest, FieldTotal, OrgReport, OrgRow
from bot.core.directives import digest_lines as directive_digest_lines
from bot.core.models import FieldValue, OrgUnit
from bot.core.periods import DEFAULT_TZ, Period, PeriodType
from bot.core.render_checklist import checklist_section
from bot.core.render_indicators import indicator_lines
from bot.core.template import Aggregation, FieldType, Template, TemplateField
from bot.core.vnformat import (
    format_deadline,
    format_decimal,
    format_int,
    format_money,
    format_money_short,
    format_time,
)

__all__ = [
    "GUESS_MARK",
    "format_value",
    "render_digest",
    "render_prompt",
    "render_reminder",
    "render_status",
    "render_submission_echo",
    "render_warning",
]

GUESS_MARK = "❓"
MARK_ON_TIME = "✅"
MARK_LATE = "⏰"
MARK_MISSING = "❌"
MARK_DIGEST = "📊"
# A skipped period (``/nghi``): nobody expected, the reports sent still count.
SKIPPED_WORD = "nghỉ"
SKIPPED_PERIOD = "Kỳ nghỉ: không đơn vị nào phải báo cáo."
SKIPPED_SENT = "Báo cáo đã gửi (vẫn tính vào số liệu):"

_AGG_NOTE = {
    Aggregation.AVERAGE: "bình quân",
    Aggregation.MAX: "cao nhất",
    Aggregation.LATEST: "mới nhất",
}

_PREVIOUS = {
    PeriodType.WEEK: "tuần trước",
    PeriodType.MONTH: "tháng trước",
    PeriodType.QUARTER: "quý trước",
    PeriodType.HALF: "kỳ trước",
    PeriodType.YEAR: "năm trước",
}

_PERIOD_UNIT = {
    PeriodType.WEEK: "tuần",
    PeriodType.MONTH: "tháng",
    PeriodType.QUARTER: "quý",
    PeriodType.HALF: "kỳ 6 tháng",
    PeriodType.YEAR: "năm",
}


# -- small helpers --------------------------------------------------------------------------
def _local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def _short_when(dt: datetime, tz: str) -> str:
    """ "15h20 26/11" (the year is in the heading)."""
    loc = _local(dt, tz)
    return f"{format_time(loc)} {loc:%d/%m}"


def _lower_first(label: str) -> str:
    """Lower-case the first letter of a label used mid-sentence, unless it is an acronym."""
    if len(label) >= 2 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    if len(label) == 1:
        return label.lower()
    return label


def _names(orgs: Sequence[OrgUnit], limit: int | None) -> str:
    names = [o.display_name for o in orgs]
    if limit is not None and len(names) > limit:
        rest = len(names) - limit
        return ", ".join(names[:limit]) + f" và {format_int(rest)} đơn vị khác"
    return ", ".join(names)


def _duration(td: timedelta) -> str:
    """ "2 giờ", "1 giờ 30 phút", "45 phút", "1 ngày 3 giờ" (rounded to the minute)."""
    minutes = max(0, round(td.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts: list[str] = []
    if days:
        parts.append(f"{days} ngày")
    if hours:
        parts.append(f"{hours} giờ")
    if minutes and not days:
        parts.append(f"{minutes} phút")
    return " ".join(parts) or "chưa đầy 1 phút"


def _to_int(value: int | Decimal) -> int:
    if isinstance(value, int):
        return value
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _plain_number(value: int | Decimal) -> str:
    return format_int(value) if isinstance(value, int) else format_decimal(value)


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def _number(field: TemplateField, value: int | Decimal, money: str) -> str:
    """A number of a numeric field; ``money`` is "prose", "table" or "short"."""
    t = field.type
    if t is FieldType.MONEY:
        amount = _to_int(value)
        if money == "short":
            return format_money_short(amount)
        return format_money(amount, table=money == "table")
    if t is FieldType.PERCENT:
        return _plain_number(value) + "%"
    return _with_unit(_plain_number(value), field.unit)


def _value_text(field: TemplateField, value: FieldValue, money: str) -> str:
    if isinstance(value, tuple):
        return f"{len(value)} ảnh" if value else "không có ảnh"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, str):
        return value
    if field.type.numeric:
        return _number(field, value, money)
    return _plain_number(value)


def format_value(field: TemplateField, value: FieldValue) -> str:
    """One value as shown to people: "1.200 buổi", "45.500.000 đồng", "42,5 tấn", "87,3%",
    "Có"/"Không", text as is, "3 ảnh". Counts and decimals carry the field's unit if any."""
    return _value_text(field, value, "prose")


def _change_text(field: TemplateField, change: int | Decimal) -> str:
    """ "tăng 5", "giảm 1,2 triệu đồng", "tăng 2,1 điểm %", "không đổi"."""
    if change == 0:
        return "không đổi"
    word = "tăng" if change > 0 else "giảm"
    mag: int | Decimal = -change if change < 0 else change
    t = field.type
    if t is FieldType.MONEY:
        return f"{word} {format_money_short(_to_int(mag))}"
    if t is FieldType.PERCENT:
        return f"{word} {_plain_number(mag)} điểm %"
    if t is FieldType.DECIMAL:
        return f"{word} {_with_unit(_plain_number(mag), field.unit)}"
    return f"{word} {_plain_number(mag)}"


def _unit_key(field: TemplateField) -> str:
    if field.type is FieldType.MONEY:
        return "đồng"
    if field.type is FieldType.PERCENT:
        return ""  # a bare percentage says nothing: always named
    return field.unit


def _join_items(items: Sequence[str]) -> str:
    sep = "; " if any("," in i for i in items) else ", "
    return sep.join(items)


def _numeric_items(
    entries: Sequence[tuple[TemplateField, str]], section_fields: Sequence[TemplateField]
) -> list[str]:
    """Values of one section's numeric fields. A figure stands bare ("32 buổi", "2,51 tỷ
    đồng": the section title names it) when it is the section's first field, or when no
    other numeric field of the section shares its unit; any other figure is preceded by its
    label ("hàng hóa quy đổi 1,2 tỷ đồng", "số suất ăn hỗ trợ 2.000 suất"), so meals are never
    read as gift packages. Figures without unit and percentages always carry their label."""
    numeric = [f for f in section_fields if f.type.numeric]
    counts: dict[str, int] = {}
    for f in numeric:
        counts[_unit_key(f)] = counts.get(_unit_key(f), 0) + 1
    headline = numeric[0].key if numeric else None
    out: list[str] = []
    for f, text in entries:
        u = _unit_key(f)
        if u and (f.key == headline or counts.get(u, 0) == 1):
            out.append(text)
        else:
            out.append(f"{_lower_first(f.label)} {text}")
    return out


# -- prompt, reminder, warning ------------------------------------------------------------
def render_prompt(
    *,
    period: Period,
    deadline: datetime,
    form_text: str,
    campaign_name: str = "",
    tz: str = DEFAULT_TZ,
    hint: str = "",
) -> str:
    """The request to report, followed by the form to copy and fill in (and ``hint``, the
    short ways to answer a checklist, before the form so a copied form does not carry it)."""
    head = f"{MARK_DIGEST} "
    lines: list[str] = []
    if campaign_name:
        lines.append(f"{head}{campaign_name}")
        head = ""
    lines.append(f"{head}Đề nghị các đơn vị báo cáo kết quả thực hiện {period.label()}")
    lines.append(
        f"trước {format_deadline(_local(deadline, tz))}. "
        "Đồng chí sao chép mẫu dưới đây, điền số liệu và gửi lại:"
    )
    if hint:
        lines.append(hint)
    lines.append(form_text.strip("\n"))
    return "\n".join(lines)


def render_reminder(
    *,
    period: Period,
    deadline: datetime,
    missing: Sequence[OrgUnit],
    tz: str = DEFAULT_TZ,
    now: datetime | None = None,
    campaign_name: str = "",
    max_names: int | None = None,
) -> str:
    """ "⏰ Nhắc việc: …" naming the organizations that have not reported yet."""
    what = f"báo cáo kết quả thực hiện {period.label()}"
    if campaign_name:
        what += f" ({campaign_name})"
    if not missing:
        return f"{MARK_ON_TIME} Các đơn vị đã gửi đủ {what}. Cảm ơn các đồng chí."
    if len(missing) == 1:
        who = f"{missing[0].display_name} chưa gửi {what}."
    else:
        who = f"các đơn vị chưa gửi {what}: {_names(missing, max_names)}."
    when = format_deadline(_local(deadline, tz))
    if now is not None and now >= deadline:
        ask = f"Hạn báo cáo ({when}) đã qua; đề nghị đồng chí gửi báo cáo sớm."
    else:
        ask = f"Đề nghị đồng chí gửi báo cáo trước {when}."
    return f"{MARK_LATE} Nhắc việc: {who}\n{ask}"


def render_warning(
    *,
    period: Period,
    deadline: datetime,
    now: datetime,
    missing: Sequence[OrgUnit] = (),
    tz: str = DEFAULT_TZ,
    campaign_name: str = "",
    max_names: int | None = None,
) -> str:
    """The deadline is near: "⏰ Còn 2 giờ nữa đến hạn báo cáo …"."""
    what = f"hạn báo cáo kết quả thực hiện {period.label()}"
    if campaign_name:
        what += f" ({campaign_name})"
    when = format_deadline(_local(deadline, tz))
    if now >= deadline:
        first = f"{MARK_LATE} Đã đến {what}: {when}."
    else:
        first = f"{MARK_LATE} Còn {_duration(deadline - now)} nữa đến {what}: {when}."
    lines = [first]
    if missing:
        lines.append(f"Đơn vị chưa báo cáo: {_names(missing, max_names)}.")
        lines.append("Đề nghị đồng chí khẩn trương gửi báo cáo.")
    return "\n".join(lines)


# -- status -------------------------------------------------------------------------------
def _summary(c: Completeness) -> str:
    """ "5/6 đơn vị (4 đúng hạn, 1 muộn)"."""
    text = f"{format_int(c.reported_count)}/{format_int(c.expected_count)} đơn vị"
    if c.reported:
        late = len(c.late)
        if late == 0:
            text += " (đều đúng hạn)"
        else:
            text += f" ({format_int(c.reported_count - late)} đúng hạn, {format_int(late)} muộn)"
    return text


def _report_line(r: OrgReport, tz: str) -> str:
    mark = MARK_LATE if r.late else MARK_ON_TIME
    state = "muộn" if r.late else "đúng hạn"
    return f"{mark} {r.org.display_name} – {_short_when(r.submitted_at, tz)}, {state}"


def render_status(
    c: Completeness,
    *,
    tz: str = DEFAULT_TZ,
    campaign_name: str = "",
    max_lines: int | None = None,
) -> str:
    """Status of a period: a one-line summary, then ✅/⏰/❌ per organization."""
    lines = [f"{MARK_DIGEST} Tình hình báo cáo {c.period.label()}"]
    if campaign_name:
        lines.append(campaign_name)
    when = format_deadline(_local(c.deadline, tz))
    if c.overdue:
        lines.append(f"Hạn báo cáo: {when} (đã quá hạn).")
    else:
        lines.append(f"Hạn báo cáo: {when} (còn {_duration(c.deadline - c.now)}).")
    if c.skipped:
        lines.append(SKIPPED_PERIOD)
    elif not c.expected:
        lines.append("Chưa có đơn vị nào trong danh sách phải báo cáo.")
    else:
        summary = f"Đã báo cáo {_summary(c)}"
        if c.missing:
            summary += f", chưa báo cáo {format_int(len(c.missing))} đơn vị."
        else:
            summary += "."
        lines.append(summary)

    by_org = {r.org.id: r for r in c.reported}
    entries: list[str] = []
    for org in c.expected:
        r = by_org.get(org.id)
        if r is None:
            entries.append(f"{MARK_MISSING} {org.display_name} – chưa báo cáo")
        else:
            entries.append(_report_line(r, tz))
    if max_lines is not None and len(entries) > max_lines:
        rest = len(entries) - max_lines
        entries = [*entries[:max_lines], f"… và {format_int(rest)} đơn vị khác."]
    lines.extend(entries)
    exempt_ids = {o.id for o in c.exempt}
    outside = [r for r in c.extra if c.skipped or r.org.id not in exempt_ids]
    if outside:
        lines.append(SKIPPED_SENT if c.skipped else "Báo cáo của đơn vị ngoài danh sách:")
        lines.extend(_report_line(r, tz) for r in outside)
    if c.exempt:
        lines.append(f"Miễn báo cáo kỳ này: {_names(_exempt_named(c), None)}.")
    return "\n".join(lines)


def _exempt_named(c: Completeness) -> list[OrgUnit]:
    """The exempt units, those that reported anyway marked so (their report counts in the
    figures; they are not "outside the list")."""
    sent = {r.org.id for r in c.extra}
    return [
        replace(o, short_name=f"{o.display_name} (vẫn gửi, tính vào số liệu)")
        if o.id in sent
        else o
        for o in c.exempt
    ]


# -- submission echo ----------------------------------------------------------------------
def _empty(value: FieldValue | None) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, tuple) and not value


def _number_ranges(numbers: Sequence[int]) -> str:
    """[2, 4, 6, 7, 8] -> "2, 4, 6–8": a short list a reporter can scan on a phone."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def render_submission_echo(
    template: Template,
    org: OrgUnit,
    period: Period,
    values: Mapping[str, FieldValue],
    *,
    guessed: Collection[str] = (),
    list_empty: bool = True,
) -> str:
    """What was understood, one numbered line per filled field in form order; guessed values
    are marked ❓ (with a legend line) and, unless ``list_empty`` is off (the caller lists
    what is missing itself), the empty fields are listed briefly."""
    lines = [f"Nội dung báo cáo của {org.display_name} – {period.label()}:"]
    form = template.numbered_fields(org.code)
    in_form = {f.key for _, f in form}
    empty: list[int] = []
    empty_required: list[str] = []
    any_guess = False
    for number, f in form:
        value = values.get(f.key)
        if value is None or _empty(value):
            if f.required:
                empty_required.append(f"{number}. {f.label}")
            else:
                empty.append(number)
            continue
        line = f"{number}. {f.label}: {format_value(f, value)}"
        if f.key in guessed:
            line += f" {GUESS_MARK}"
            any_guess = True
        lines.append(line)
    # Values of fields outside this organization's form (rare): shown unnumbered.
    for f in template.all_fields():
        if f.key in in_form:
            continue
        value = values.get(f.key)
        if value is None or _empty(value):
            continue
        line = f"- {f.label}: {format_value(f, value)}"
        if f.key in guessed:
            line += f" {GUESS_MARK}"
            any_guess = True
        lines.append(line)
    if len(lines) == 1:
        lines.append("(chưa có số liệu nào)")
    if empty_required and list_empty:
        lines.append("Chưa điền mục bắt buộc: " + "; ".join(empty_required) + ".")
    if empty and list_empty:
        lines.append(f"Chưa điền các mục: {_number_ranges(empty)}.")
    if any_guess:
        lines.append(
            f"Các dòng có dấu {GUESS_MARK} là số liệu được tự nhận diện từ tin nhắn, "
            "đề nghị đồng chí kiểm tra."
        )
    return "\n".join(lines)


# -- digest -------------------------------------------------------------------------------
def _total_text(t: FieldTotal, *, with_change: bool) -> str:
    assert t.value is not None
    text = _number(t.field, t.value, "short")
    notes: list[str] = []
    note = _AGG_NOTE.get(t.aggregation)
    if note:
        notes.append(note)
    if with_change and t.change is not None:
        notes.append(_change_text(t.field, t.change))
    if notes:
        text += f" ({', '.join(notes)})"
    return text


def _choice_text(s: ChoiceSummary) -> str:
    parts = [f"{answer} {format_int(n)}/{format_int(s.answered)} đơn vị" for answer, n in s.counts]
    return f"{s.field.label}: {', '.join(parts)}"


def _section_lines(
    template: Template,
    totals: Sequence[FieldTotal],
    choices: Sequence[ChoiceSummary],
    *,
    with_change: bool,
) -> list[str]:
    by_section: dict[str, list[FieldTotal]] = {}
    for t in totals:
        if t.value is not None:
            by_section.setdefault(t.section_key, []).append(t)
    choice_by_section: dict[str, list[ChoiceSummary]] = {}
    for s in choices:
        if s.answered:
            choice_by_section.setdefault(s.section_key, []).append(s)
    lines: list[str] = []
    for section in template.sections:
        ts = by_section.get(section.key, [])
        if ts:
            items = _numeric_items(
                [(t.field, _total_text(t, with_change=with_change)) for t in ts], section.fields
            )
            lines.append(f" - {section.title}: {_join_items(items)}.")
        lines.extend(f" - {_choice_text(s)}." for s in choice_by_section.get(section.key, []))
    return lines


def _row_block(
    template: Template,
    row: OrgRow,
    tz: str,
    skip: Collection[str] = (),
    *,
    listed: bool = True,
    exempt: bool = False,
) -> list[str]:
    """One unit's values; ``skip`` are a checklist's criteria, shown in its own section.
    ``listed`` False: the period expected nobody (skipped), so no unit is "outside the
    list"; ``exempt``: the unit was exempt for the period and reported anyway."""
    mark = MARK_LATE if row.late else MARK_ON_TIME
    head = f"{mark} {row.org.display_name} – {_short_when(row.submitted_at, tz)}"
    if row.late:
        head += ", muộn"
    if row.version > 1:
        head += f", gửi lần {row.version}"
    if exempt and listed:
        head += ", được miễn kỳ này"
    elif not row.expected and listed:
        head += ", ngoài danh sách báo cáo"
    has_photo_field = False
    lines = [head]
    for section in template.sections:
        numeric: list[tuple[TemplateField, str]] = []
        others: list[str] = []
        for f in section.fields:
            if f.type is FieldType.PHOTO:
                has_photo_field = True
            value = row.values.get(f.key)
            if value is None or f.key in skip:
                continue
            text = _value_text(f, value, "table")
            if f.type.numeric:
                numeric.append((f, text))
            else:
                others.append(f"{_lower_first(f.label)}: {text}")
        items = _numeric_items(numeric, section.fields) + others
        if items:
            lines.append(f" • {section.title}: {_join_items(items)}")
    if row.photos and not has_photo_field:
        lines.append(f" • Kèm {format_int(row.photos)} ảnh")
    return lines


def _periods_text(periods: Sequence[Period]) -> str:
    first = periods[0]
    return f"{len(periods)} {_PERIOD_UNIT[first.type]}, từ {first.short_label()}"


def render_digest(
    d: Digest,
    *,
    tz: str = DEFAULT_TZ,
    max_names: int | None = 100,
    max_org_blocks: int | None = 50,
    max_narratives: int | None = 30,
    max_levels: int = 40,
) -> str:
    """The leadership digest (VOICE.md). Long lists are cut at ``max_names`` names,
    ``max_org_blocks`` per-organization blocks and the narratives of ``max_narratives``
    units (fewer in a province of communes), saying how many were left out and where the
    rest is (the Excel and Word files). The digest goes to a leaders' group every week: a
    commune's handful of organizations are all shown, a workspace of hundreds of units gets
    a few messages, not dozens (600 units' narratives were ~170,000 characters, 42 Telegram
    messages a week)."""
    c = d.completeness
    if d.levels and max_names is not None:
        # A province of communes: per-level lines say who is missing; names beyond a few
        # dozen would only flood the chat (each unit is in the workbook).
        max_names = min(max_names, 20)
    lines = [f"{MARK_DIGEST} TỔNG HỢP KẾT QUẢ {d.period.label().upper()}"]
    if d.campaign_name:
        lines.append(d.campaign_name)
    lines.append(f"Số liệu tính đến {format_deadline(_local(d.now, tz))}.")
    n = 0

    def heading(title: str) -> str:
        nonlocal n
        n += 1
        return f"{n}. {title}"

    # 1. Completeness.
    if c.skipped:
        status = "kỳ nghỉ, không đơn vị nào phải báo cáo."
        if c.extra:
            names = _names([r.org for r in c.extra], max_names)
            status += f" Đã gửi (vẫn tính vào số liệu): {names}."
    elif not c.expected:
        status = "chưa có đơn vị nào trong danh sách phải báo cáo."
    elif not c.reported:
        status = f"chưa có đơn vị nào gửi báo cáo (0/{format_int(c.expected_count)} đơn vị)."
    else:
        status = _summary(c) + "."
        if c.missing:
            status += f" Chưa báo cáo: {_names(c.missing, max_names)}."
    exempt_ids = {o.id for o in c.exempt}
    outside = [r.org for r in c.extra if r.org.id not in exempt_ids]
    if outside and not c.skipped:
        status += f" Báo cáo ngoài danh sách: {_names(outside, max_names)}."
    if c.exempt:
        status += f" Miễn báo cáo kỳ này: {_names(_exempt_named(c), max_names)}."
    lines.append(heading(f"Tình hình báo cáo: {status}"))
    top = min((lv.depth for lv in d.levels), default=0)
    for lv in d.levels[:max_levels]:
        indent = "   " * (lv.depth - top)
        lines.append(
            f" {indent}- {lv.org.display_name}: "
            f"{format_int(lv.reported)}/{format_int(lv.expected)} đơn vị"
        )
    if len(d.levels) > max_levels:
        lines.append(f" … và {format_int(len(d.levels) - max_levels)} cấp khác.")

    has_numeric = any(f.type.numeric for f in d.template.all_fields())
    has_text = any(f.type is FieldType.TEXT for f in d.template.all_fields())

    if d.empty:
        lines.append("Kỳ này chưa có số liệu để tổng hợp.")
        if d.indicators:
            lines.append(heading("Chỉ số, chỉ tiêu:"))
            lines.extend(indicator_lines(d.indicators))
    else:
        # A checklist: each unit's class and its change come before the per-criterion counts.
        if d.checklist is not None:
            lines.append(heading(f"Phân loại theo “{d.template.name}”:"))
            lines.extend(
                checklist_section(
                    d.checklist, previous_word=_PREVIOUS[d.period.type], max_names=max_names
                )
            )
        # 2. Main results.
        lines.append(heading("Kết quả chủ yếu:"))
        body = _section_lines(d.template, d.totals, d.choices, with_change=True)
        lines.extend(body or [" - Các báo cáo chưa có số liệu."])
        if any(t.change is not None and t.value is not None for t in d.totals):
            lines.append(f"(Trong ngoặc: tăng, giảm so với {_PREVIOUS[d.period.type]}.)")

        # Indicators, targets and the units behind (only for templates that define them).
        if d.indicators:
            lines.append(heading("Chỉ số, chỉ tiêu:"))
            lines.extend(indicator_lines(d.indicators))

        # 3. Per organization.
        lines.append(heading("Theo đơn vị:"))
        rows: Sequence[OrgRow] = d.rows
        # A province of communes has hundreds of units: their levels above say who
        # reported, and each unit's figures are in the workbook rather than the chat.
        limit = max_org_blocks if not d.levels else min(max_org_blocks or 30, 30)
        if limit is not None and len(rows) > limit:
            rows = d.rows[:limit]
        criteria = {f.key for f in d.template.criteria()}
        for row in rows:
            lines.extend(
                _row_block(
                    d.template,
                    row,
                    tz,
                    skip=criteria,
                    listed=not c.skipped,
                    exempt=row.org.id in exempt_ids,
                )
            )
        if len(rows) < len(d.rows):
            lines.append(
                f"… và {format_int(len(d.rows) - len(rows))} đơn vị khác"
                f" (số liệu từng đơn vị: /xuat excel {d.period.short_label()})."
            )

        # 4. Narratives.
        if has_text:
            lines.append(heading("Mô hình hay; khó khăn, vướng mắc; đề xuất, kiến nghị:"))
            if not d.narratives:
                lines.append(" - Các đơn vị chưa nêu nội dung.")
            cap = max_narratives if not d.levels else min(max_narratives or 20, 20)
            shown = d.narratives if cap is None else d.narratives[:cap]
            for nar in shown:
                lines.append(f"• {nar.org.display_name}:")
                lines.extend(f" - {item.field.label}: {item.text}" for item in nar.items)
            if len(shown) < len(d.narratives):
                lines.append(
                    f"… và {format_int(len(d.narratives) - len(shown))} đơn vị khác"
                    f" (toàn văn: /xuat word {d.period.short_label()})."
                )

    # Directives: what each unit reported doing about them (issue 9).
    if d.directives:
        lines.append(heading("Thực hiện chỉ đạo:"))
        lines.extend(directive_digest_lines(d.directives))

    # 5. Cumulative.
    if has_numeric and d.cumulative_periods and any(t.value is not None for t in d.cumulative):
        lines.append(heading(f"Lũy kế từ đầu đợt ({_periods_text(d.cumulative_periods)}):"))
        lines.extend(_section_lines(d.template, d.cumulative, (), with_change=False))

    return "\n".join(lines)
