"""The formal report (Word): a roll-up written as a Vietnamese administrative document.

Layout of Decree 30/2020/ND-CP, Appendix I (the Front and the organizations use the same
layout in their own guidance):

* A4, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman (set for
  Latin and East Asian text, so Word never falls back to another font), body 14 pt,
  justified, first line indented 1,27 cm, 6 pt between paragraphs, line spacing 1,15.
* A borderless header table of two rows: left the parent body (upper case), the issuing
  body (upper case, bold), a short rule, "Số:     /BC-MTTQ" (the number is written in by the
  office that registers the document); right the national motto ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA
  VIỆT NAM" 12 pt bold, "Độc lập - Tự do - Hạnh phúc" 13 pt bold, a rule as long as the
  line), then the place and date in italics, on the same level as "Số:". A Youth Union
  body carries "ĐOÀN TNCS HỒ CHÍ MINH" and a Party body "ĐẢNG CỘNG SẢN VIỆT NAM" instead of
  the national motto (recognised from the bodies' names).
* "BÁO CÁO" bold, the subject below it bold ("Kết quả … quý IV/2026", naming the scope
  unit when the roll-up is one unit's), a short rule.
* I. KẾT QUẢ THỰC HIỆN: 1. completeness (a sentence and a compact table per level or per
  unit), then one item per template section with its figures and the change against the
  previous span, the good models, a table of all figures (value, previous span, change),
  the chart if given. II. ĐÁNH GIÁ: strengths and limitations derived from the figures
  only (see ``_assessment``). III. difficulties and proposals, IV. next tasks: the units'
  own words, deduplicated, each with the units that wrote it.
* The closing sentence ending in "./.", then a borderless table: "Nơi nhận:" (bold italic
  12 pt) with "- …;" lines (11 pt, the last ending in "."), and the signature block
  (authority and title bold upper case, space to sign and seal, the name bold).
* Page numbers centred in the top margin from page 2 (a PAGE field; the first page has
  its own, empty, header).

Everything from users (unit names, narratives, letterhead settings) passes ``_clean``:
characters XML cannot hold are dropped (python-docx would raise), bidirectional overrides
too, whitespace collapses, very long texts are cut. python-docx is imported inside the
functions that need it (see the package docstring).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from bot.core.indicators import outcome_words
from bot.core.letterhead import Letterhead
from bot.core.periods import PeriodType
from bot.core.render_checklist import span_prose
from bot.core.render_indicators import format_indicator, unit_status
from bot.core.render_reports import comparison_caveat, direct_label, skipped_words
from bot.core.rollup import (
    Attendance,
    LevelAttendance,
    NarrativeEntry,
    NarrativeKind,
    Rollup,
    narrative_kind,
)
from bot.core.template import Aggregation, FieldType, TemplateField
from bot.core.text import fold
from bot.core.vnformat import (
    format_decimal,
    format_int,
    format_money_short,
    format_percent,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    from bot.core.digest import FieldTotal, Number

__all__ = ["document_date_line", "rollup_document"]

log = logging.getLogger(__name__)

# -- the words of the document (one place, so they can be reviewed together) ---------------
FONT = "Times New Roman"
NATIONAL_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
YOUTH_MOTTO = ("ĐOÀN TNCS HỒ CHÍ MINH",)
PARTY_MOTTO = ("ĐẢNG CỘNG SẢN VIỆT NAM",)
DOC_TYPE = "BÁO CÁO"
H_RESULTS = "I. KẾT QUẢ THỰC HIỆN"
H_ATTENDANCE = "Tình hình báo cáo"
H_MODELS = "Mô hình hay, cách làm hiệu quả"
H_FIGURES = "Biểu tổng hợp số liệu"
H_INDICATORS = "Thực hiện các chỉ tiêu"
H_ASSESSMENT = "II. ĐÁNH GIÁ"
H_STRENGTHS = "1. Ưu điểm"
H_LIMITS = "2. Hạn chế"
H_ISSUES = "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ"
H_DIFFICULTIES = "1. Khó khăn, vướng mắc"
H_PROPOSALS = "2. Đề xuất, kiến nghị"
H_NEXT = "IV. NHIỆM VỤ TRỌNG TÂM {next}"
NEXT_UNKNOWN = "KỲ TỚI"
RECIPIENTS = "Nơi nhận:"
NO_REPORT = "Chưa có đơn vị nào gửi báo cáo {span}."
NO_FIGURES = "Chưa có số liệu kết quả do chưa có đơn vị nào báo cáo {span}."
NO_DIFFICULTIES = "Các đơn vị chưa phản ánh khó khăn, vướng mắc."
NO_PROPOSALS = "Các đơn vị chưa có đề xuất, kiến nghị."
NO_TASKS = "Các đơn vị chưa báo cáo nhiệm vụ trọng tâm cho kỳ tới."
NO_STRENGTHS = "Chưa đủ số liệu để đánh giá ưu điểm."
NO_LIMITS = "Qua số liệu báo cáo, chưa ghi nhận hạn chế."
MORE_ITEMS = "Ngoài ra, còn {n} nội dung khác của các đơn vị."
CLOSING = "Trên đây là báo cáo {subject}./."

_RHYTHM = {
    PeriodType.WEEK: "hằng tuần",
    PeriodType.MONTH: "hằng tháng",
    PeriodType.QUARTER: "hằng quý",
    PeriodType.HALF: "6 tháng",
    PeriodType.YEAR: "hằng năm",
}
_PERIOD_WORD = {
    PeriodType.WEEK: "tuần",
    PeriodType.MONTH: "tháng",
    PeriodType.QUARTER: "quý",
    PeriodType.HALF: "kỳ 6 tháng",
    PeriodType.YEAR: "năm",
}
_AGG_NOTE = {
    Aggregation.AVERAGE: "bình quân",
    Aggregation.MAX: "cao nhất",
    Aggregation.LATEST: "số liệu mới nhất",
}
# The administrative word a grouping unit's name starts with -> its level's name.
_YOUTH = re.compile(
    r"\b(doan tncs|tinh doan|thanh doan|huyen doan|doan thanh nien|bch doan|"
    r"ban chap hanh doan|doan xa|doan phuong)\b"
)
_PARTY = re.compile(r"\b(dang cong san|tinh uy|thanh uy|huyen uy|quan uy|dang uy|dang bo|chi bo)\b")

# -- sizes (points, millimetres) ------------------------------------------------------------
BODY_PT = 14
TABLE_PT = 12
AGENCY_PT = 13
NATION_PT = 12
MOTTO_PT = 13
NUMBER_PT = 13
RECIPIENTS_HEAD_PT = 12
RECIPIENTS_PT = 11
PAGE_W, PAGE_H = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm
HEADER_COLS = (62.0, 103.0)
CLOSING_COLS = (75.0, 90.0)
_CELL_PAD = 3.8  # a table cell's default left and right margins (1,9 mm each)
FIRST_LINE_CM = 1.27
LINE_SPACING = 1.15
MAX_TEXT = 1500  # characters of one narrative
MAX_NAME = 200  # characters of one unit's name
MAX_ITEMS = 30  # narrative items per part
MAX_UNITS_NAMED = 6

# -- text hygiene -----------------------------------------------------------------------------
# XML 1.0 forbids C0 controls but tab/LF/CR, lone surrogates and U+FFFE/U+FFFF; bidirectional
# overrides would reorder what a reader sees.
_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\u200e\u200f]"
)


def _clean(text: object, limit: int = MAX_TEXT) -> str:
    """One line of user text fit for the document (see the module docstring)."""
    s = _ILLEGAL.sub("", str(text))
    s = unicodedata.normalize("NFC", s)
    s = " ".join(s.split())
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def _upper_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def _lower_first(s: str) -> str:
    """Lower-case the first letter of a label used mid-sentence, unless it is an acronym."""
    if len(s) >= 2 and s[0].isupper() and s[1].islower():
        return s[0].lower() + s[1:]
    return s


def document_date_line(place: str, day: date) -> str:
    """ "Tây Ninh, ngày 05 tháng 01 năm 2027": Decree 30 writes days below 10 and the
    months 1 and 2 with a leading zero, other months without ("tháng 3")."""
    dd = f"{day.day:02d}"
    mm = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    when = f"ngày {dd} tháng {mm} năm {day.year}"
    return f"{place}, {when}" if place else f"……, {when}"


def _place(letterhead: Letterhead, workspace_name: str) -> str:
    """The letterhead's place, else the workspace's name without its administrative word
    ("Tỉnh Tây Ninh" -> "Tây Ninh")."""
    place = _clean(letterhead.place, MAX_NAME)
    if place:
        return place
    name = _clean(workspace_name, MAX_NAME)
    m = re.match(
        r"(?i)^(tỉnh|thành phố|tp\.?|xã|phường|đặc khu|huyện|thị xã|thị trấn)\s+(.+)$", name
    )
    return m.group(2) if m else ""


def _motto(letterhead: Letterhead) -> tuple[str, ...]:
    words = fold(f"{letterhead.parent_body} {letterhead.issuing_body}")
    if _YOUTH.search(words):
        return YOUTH_MOTTO
    if _PARTY.search(words):
        return PARTY_MOTTO
    return NATIONAL_MOTTO


# -- numbers ----------------------------------------------------------------------------------
def _plain(value: Number) -> str:
    if isinstance(value, int):
        return format_int(value)
    if value == value.to_integral_value():
        return format_int(int(value))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_decimal(value)


def _to_int(value: Number) -> int:
    return value if isinstance(value, int) else int(value.to_integral_value(ROUND_HALF_UP))


def _unit(f: TemplateField) -> str:
    if f.type is FieldType.MONEY:
        return "đồng"
    if f.type is FieldType.PERCENT:
        return "%"
    return _clean(f.unit, 40)


def _prose(f: TemplateField, value: Number) -> str:
    """A figure in a sentence: "3.010 buổi", "5,78 tỷ đồng", "87,3%"."""
    if f.type is FieldType.MONEY:
        return format_money_short(_to_int(value))
    if f.type is FieldType.PERCENT:
        return f"{_plain(value)}%"
    unit = _unit(f)
    return f"{_plain(value)} {unit}" if unit else _plain(value)


def _cell(f: TemplateField, value: Number | None) -> str:
    """A figure in a table (the unit is in its own column): exact, "5.776.000.000"."""
    if value is None:
        return "-"
    if f.type is FieldType.MONEY:
        return format_int(_to_int(value))
    return _plain(value)


def _signed(f: TemplateField, change: Number | None) -> str:
    if change is None:
        return "-"
    if change == 0:
        return "0"
    return ("+" if change > 0 else "-") + _cell(f, -change if change < 0 else change)


def _pct_change(t: FieldTotal) -> Decimal | None:
    if t.change is None or t.previous is None or t.previous <= 0:
        return None
    mag: Number = -t.change if t.change < 0 else t.change
    return (Decimal(mag) * 100 / Decimal(t.previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _change_words(t: FieldTotal) -> str:
    """ "tăng 186 buổi (6,6%)", "giảm 16 triệu đồng (0,3%)", "không đổi"."""
    assert t.change is not None
    if t.change == 0:
        return "không đổi"
    word = "tăng" if t.change > 0 else "giảm"
    mag: Number = -t.change if t.change < 0 else t.change
    f = t.field
    if f.type is FieldType.PERCENT:
        text = f"{word} {_plain(mag)} điểm %"
    else:
        text = f"{word} {_prose(f, mag)}"
    pct = _pct_change(t)
    if pct is not None and f.type is not FieldType.PERCENT:
        text += f" ({format_percent(pct)})"
    return text


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _moved(t: FieldTotal) -> str:
    """ "số buổi tuyên truyền, vận động (6,6%)": by how much a figure moved (the size of
    the change when the previous figure was nought)."""
    pct = _pct_change(t)
    if pct is not None:
        by = format_percent(pct)
    else:
        assert t.change is not None
        mag: Number = -t.change if t.change < 0 else t.change
        by = f"{_plain(mag)} điểm %" if t.field.type is FieldType.PERCENT else _prose(t.field, mag)
    return f"{_lower_first(_clean(t.label, 200))} ({by})"


def _rate(value: Decimal | None) -> str:
    return format_percent(value) if value is not None else "-"


# -- the content, independent of Word ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Para:
    text: str
    kind: str = "body"  # body | h1 (I., II.) | h2 (1., 2.)


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[str, ...]
    bold: bool = False
    indent: int = 0  # levels of indentation of the second cell
    merge: bool = False  # the second cell spans to the last column (a group's title)


@dataclass(frozen=True, slots=True)
class _Grid:
    headers: tuple[str, ...]
    rows: tuple[_Row, ...]
    widths: tuple[float, ...]  # mm
    align: str  # one letter per column: l(eft), c(entre), r(ight)


@dataclass(frozen=True, slots=True)
class _Image:
    png: bytes


_Block = _Para | _Grid | _Image


@dataclass(slots=True)
class _Numbering:
    n: int = 0

    def next(self, title: str) -> _Para:
        self.n += 1
        return _Para(f"{self.n}. {title}", "h2")


@dataclass(slots=True)
class _Item:
    """A narrative said by one or more units (deduplicated by its folded words)."""

    text: str
    units: list[str] = field(default_factory=list)
    first: int = 0


def _subject(r: Rollup) -> str:
    """ "Kết quả phối hợp của MTTQ … quý IV/2026 trên địa bàn xã Tân Hòa"."""
    candidates = [_clean(r.campaign_name, 300), _clean(r.template.name, 300)]
    prefix = re.compile(
        r"(?i)^(?:báo cáo|bc)\b\s*(?:định kỳ\s*)?(?:hằng\s+|hàng\s+)?"
        r"(?:(?:tuần|tháng|quý|6 tháng|sáu tháng|năm)\b)?\s*[:\-–]?\s*"
    )
    topics = [prefix.sub("", c).strip() for c in candidates if c]
    topic = next((t for t in topics if fold(t).startswith("ket qua")), "")
    if topic:
        text = _upper_first(topic)
    else:
        rest = next((t for t in topics if t), "")
        text = f"Kết quả thực hiện {_lower_first(rest)}".strip()
    text = f"{text} {r.span.label()}"
    if r.scope is not None:
        name = _clean(r.name(r.scope), MAX_NAME)
        if r.scope.reports:
            text += f" của {name}"
        else:
            text += f" trên địa bàn {_lower_first(name)}"
    return text


def _periods_range(r: Rollup) -> str:
    if not r.periods:
        return ""
    first, last = r.periods[0].short_label(), r.periods[-1].short_label()
    return first if first == last else f"từ {first} đến {last}"


def _unit_list(names: Sequence[str]) -> str:
    if len(names) > MAX_UNITS_NAMED:
        rest = len(names) - MAX_UNITS_NAMED
        return ", ".join(names[:MAX_UNITS_NAMED]) + f" và {format_int(rest)} đơn vị khác"
    return ", ".join(names)


def _items(r: Rollup, entries: Sequence[NarrativeEntry]) -> list[_Para]:
    """Narratives as "- text (units)." lines: one per distinct text, the most widely said
    first, then in the order first said."""
    merged: dict[str, _Item] = {}
    for i, e in enumerate(entries):
        text = _clean(e.text).rstrip(" .;,")
        if not text:
            continue
        key = fold(text)
        item = merged.get(key)
        if item is None:
            item = merged[key] = _Item(text, first=i)
        name = _clean(r.name(e.org), MAX_NAME)
        if name and name not in item.units:
            item.units.append(name)
    ordered = sorted(merged.values(), key=lambda it: (-len(it.units), it.first))
    out: list[_Para] = []
    for it in ordered[:MAX_ITEMS]:
        who = f" ({_unit_list(it.units)})" if it.units else ""
        out.append(_Para(f"- {_upper_first(it.text)}{who}."))
    if len(ordered) > MAX_ITEMS:
        out.append(_Para(MORE_ITEMS.format(n=format_int(len(ordered) - MAX_ITEMS))))
    return out


def _level_name(r: Rollup, lv: LevelAttendance, workspace_name: str) -> str:
    if lv.org is None:
        return _clean(workspace_name, MAX_NAME) or "Toàn bộ"
    return _clean(r.name(lv.org), MAX_NAME)


def _attendance_grid(r: Rollup, workspace_name: str) -> _Grid | None:
    if r.expected <= 0:
        return None
    head_levels = (
        "TT",
        "Cấp, địa bàn",
        "Số đơn vị",
        "Lượt phải báo cáo",
        "Đã báo cáo",
        "Đúng hạn",
        "Tỷ lệ báo cáo",
    )
    if len(r.levels) > 1:
        rows: list[_Row] = []
        top = r.levels[0]
        direct = r.direct_level()
        if direct is not None:
            rows.append(
                _Row(
                    (
                        "",
                        direct_label(_level_name(r, top, workspace_name)),
                        format_int(direct.units),
                        format_int(direct.expected),
                        format_int(direct.received),
                        format_int(direct.on_time),
                        _rate(direct.rate),
                    )
                )
            )
        for lv in r.levels[1:]:
            rows.append(
                _Row(
                    (
                        "",
                        _level_name(r, lv, workspace_name),
                        format_int(lv.units),
                        format_int(lv.expected),
                        format_int(lv.received),
                        format_int(lv.on_time),
                        _rate(lv.rate),
                    ),
                    indent=max(0, lv.depth - 1),
                )
            )
        numbered = [
            _Row((str(i + 1), *row.cells[1:]), row.bold, row.indent) for i, row in enumerate(rows)
        ]
        numbered.append(
            _Row(
                (
                    "",
                    "Tổng cộng",
                    format_int(top.units),
                    format_int(top.expected),
                    format_int(top.received),
                    format_int(top.on_time),
                    _rate(top.rate),
                ),
                bold=True,
            )
        )
        return _Grid(head_levels, tuple(numbered), (10, 53, 18, 24, 20, 20, 20), "clrrrrr")
    units = [a for a in r.attendance if a.expected > 0]
    unit_rows = [
        _Row(
            (
                str(i + 1),
                _clean(r.name(a.org), MAX_NAME),
                format_int(a.expected),
                format_int(a.received),
                format_int(a.on_time),
                format_int(a.late),
                _rate(a.rate),
            )
        )
        for i, a in enumerate(units)
    ]
    unit_rows.append(
        _Row(
            (
                "",
                "Tổng cộng",
                format_int(r.expected),
                format_int(r.received),
                format_int(r.on_time),
                format_int(r.received - r.on_time),
                _rate(r.rate),
            ),
            bold=True,
        )
    )
    return _Grid(
        ("TT", "Đơn vị", "Lượt phải báo cáo", "Đã báo cáo", "Đúng hạn", "Muộn", "Tỷ lệ báo cáo"),
        tuple(unit_rows),
        (10, 54, 24, 20, 20, 17, 20),
        "clrrrrr",
    )


def _attendance_text(r: Rollup, span: str) -> list[_Para]:
    out: list[_Para] = []
    during = f"Trong {span}" if r.span.period is not None else f"Trong thời gian {span}"
    n_units = len(r.orgs)
    if r.expected > 0:
        late = r.received - r.on_time
        missed = r.expected - r.received
        out.append(
            _Para(
                f"{during}, có {format_int(n_units)} đơn vị thuộc diện báo cáo với"
                f" {format_int(r.expected)} lượt báo cáo đến hạn; đã nhận"
                f" {format_int(r.received)} lượt, đạt {_rate(r.rate)}, trong đó"
                f" {format_int(r.on_time)} lượt đúng hạn ({_rate(_percent(r.on_time, r.expected))}) và"
                f" {format_int(late)} lượt muộn; {format_int(missed)} lượt chưa báo cáo."
            )
        )
    elif not r.skipped:
        out.append(
            _Para(
                f"{during}, có {format_int(n_units)} đơn vị thuộc diện báo cáo;"
                " chưa có kỳ báo cáo nào đến hạn."
            )
        )
    else:
        out.append(
            _Para(
                f"{during}, có {format_int(n_units)} đơn vị thuộc diện báo cáo;"
                " không có kỳ nào các đơn vị phải báo cáo."
            )
        )
    if r.skipped:
        # Skipped weeks expect nobody, but what was sent for them is in the figures.
        out.append(
            _Para(
                f"{skipped_words(r).capitalize()}, không tính lượt phải báo cáo; số liệu các"
                " đơn vị đã gửi vẫn được tổng hợp."
            )
        )
    if r.empty:
        out.append(_Para(NO_REPORT.format(span=span)))
    return out


def _section_figures(r: Rollup, prev_label: str) -> list[tuple[str, list[_Para]]]:
    """(section title, its lines) for each template section with something to say."""
    totals = {t.key: t for t in r.totals}
    choices = {c.field.key: c for c in r.choices}
    results = [n for n in r.narratives if narrative_kind(n.field) is NarrativeKind.RESULT]
    lines_by_org = r.lines
    out: list[tuple[str, list[_Para]]] = []
    for section in r.template.sections:
        paras: list[_Para] = []
        headline: FieldTotal | None = None
        for f in section.fields:
            t = totals.get(f.key)
            if t is not None and t.value is not None:
                headline = headline or t
                label = _clean(f.label, 200)
                note = _AGG_NOTE.get(f.aggregation)
                text = f"- {label}: {_prose(f, t.value)}"
                if note:
                    text += f" ({note})"
                if t.change is not None:
                    text += f", {_change_words(t)} so với {prev_label}"
                paras.append(_Para(text + "."))
            c = choices.get(f.key)
            if c is not None and c.answered:
                parts = [
                    f"“{_clean(answer, 100)}” {format_int(n)}/{format_int(c.answered)}"
                    for answer, n in c.counts
                ]
                paras.append(_Para(f"- {_clean(f.label, 200)}: {', '.join(parts)} lượt báo cáo."))
        if headline is not None and headline.aggregation is Aggregation.SUM:
            f = headline.field
            ranked = sorted(
                (ln for ln in lines_by_org if ln.values.get(f.key, 0) > 0),
                key=lambda ln: -ln.values[f.key],
            )
            if len(ranked) > 3:
                top = "; ".join(
                    f"{_clean(r.name(ln.org), MAX_NAME)} {_prose(f, ln.values[f.key])}"
                    for ln in ranked[:3]
                )
                label = _lower_first(_clean(f.label, 200))
                paras.append(_Para(f"Các đơn vị có {label} cao nhất: {top}."))
        keys = {f.key for f in section.fields}
        paras.extend(_items(r, [n for n in results if n.field.key in keys]))
        if paras:
            out.append((_clean(section.title, 200), paras))
    return out


def _figures_grid(r: Rollup, span: str, prev: str, with_prev: bool) -> _Grid | None:
    rows: list[_Row] = []
    by_section: dict[str, list[FieldTotal]] = {}
    for t in r.totals:
        if t.value is not None or t.previous is not None:
            by_section.setdefault(t.section_key, []).append(t)
    roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
    g = 0
    for section in r.template.sections:
        ts = by_section.get(section.key)
        if not ts:
            continue
        mark = roman[g] if g < len(roman) else str(g + 1)
        g += 1
        cells: tuple[str, ...] = (mark, _clean(section.title, 200), "", "")
        rows.append(_Row((*cells, "", "") if with_prev else cells, bold=True, merge=True))
        for i, t in enumerate(ts, 1):
            f = t.field
            label = _clean(f.label, 200)
            note = _AGG_NOTE.get(f.aggregation)
            if note:
                label += f" ({note})"
            base = (str(i), label, _unit(f), _cell(f, t.value))
            if with_prev:
                rows.append(_Row((*base, _cell(f, t.previous), _signed(f, t.change))))
            else:
                rows.append(_Row(base))
    if not rows:
        return None
    if with_prev:
        return _Grid(
            (
                "TT",
                "Nội dung",
                "Đơn vị tính",
                _upper_first(span),
                _upper_first(prev),
                "Tăng (+), giảm (-)",
            ),
            tuple(rows),
            (10, 50, 17, 30, 30, 28),
            "clcrrr",
        )
    return _Grid(
        ("TT", "Nội dung", "Đơn vị tính", _upper_first(span)),
        tuple(rows),
        (10, 90, 30, 35),
        "clcr",
    )


def _indicator_blocks(r: Rollup, max_units: int = 30) -> list[_Block]:
    """A table of each indicator's value, target and progress for the whole, then one
    paragraph per indicator naming the units behind target (and those not computable)."""
    rows: list[_Row] = []
    paras: list[_Block] = []
    for i, s in enumerate(r.indicators, 1):
        ind = s.indicator
        value = (
            format_indicator(ind, s.outcome.value)
            if s.outcome.value is not None
            else _upper_first(outcome_words(s.outcome, s.labels))
        )
        target = format_indicator(ind, s.target) if s.target is not None else "—"
        progress = "—"
        if s.progress is not None:
            progress = f"{format_decimal(s.progress, 1).removesuffix(',0')}%"
        elif s.reached is not None:
            progress = "Đạt" if s.reached else "Chưa đạt"
        label = _clean(f"{ind.label} ({ind.basis.label})", 200)
        rows.append(_Row((str(i), label, value, target, progress)))
        behind = s.behind
        if behind:
            names = ", ".join(
                f"{_clean(r.name(u.org), 120)} {unit_status(s, u)}" for u in behind[:max_units]
            )
            more = len(behind) - max_units
            tail = f" và {more} đơn vị khác" if more > 0 else ""
            paras.append(
                _Para(
                    f"{_clean(ind.label, 200)}: chưa đạt chỉ tiêu {len(behind)} đơn vị ({names}{tail})."
                )
            )
        failed = [u for u in s.not_computed if u.reported]
        if failed:
            names = "; ".join(
                f"{_clean(r.name(u.org), 120)} ({unit_status(s, u)})" for u in failed[:max_units]
            )
            paras.append(_Para(f"{_clean(ind.label, 200)}: chưa tính được ở {names}."))
    grid = _Grid(
        ("TT", "Chỉ số", "Kết quả", "Chỉ tiêu", "Đạt (% chỉ tiêu)"),
        tuple(rows),
        (10, 70, 30, 25, 30),
        "clrrr",
    )
    return [grid, *paras]


def _runs(r: Rollup) -> list[tuple[Attendance, str]]:
    """Units that missed two or more periods in a row, longest first, with the run's
    periods when they can be told from the span's periods."""
    # Skipped periods are no one's to miss: a run goes over them.
    counted = [p for p in r.periods if p not in r.skipped]
    order = {p.key: i for i, p in enumerate(counted)}
    out: list[tuple[Attendance, str]] = []
    for a in sorted(r.attendance, key=lambda a: -a.longest_missed_run):
        if a.longest_missed_run < 2:
            break
        best: tuple[int, int] | None = None
        start = prev = -2
        for p in a.missed_periods:
            i = order.get(p.key, -10)
            if i != prev + 1:
                start = i
            prev = i
            if i - start + 1 == a.longest_missed_run and best is None:
                best = (start, i)
        where = ""
        if best is not None:
            first, last = counted[best[0]], counted[best[1]]
            where = f" (từ {first.short_label()} đến {last.short_label()})"
        out.append((a, where))
    return out


def _assessment(r: Rollup, prev_label: str) -> tuple[list[_Para], list[_Para]]:
    """Strengths and limitations, from the figures only (nothing is invented):

    * completeness: the rate, on time; 95% or more reads "nền nếp", 80% or more "phần lớn
      các đơn vị", below 80% it is a limitation; units that reported every period;
    * figures that grew against the previous span are strengths, those that fell are
      limitations (with the change and the percentage);
    * late reports, the units behind (``Rollup.behind``, worst first), and the longest runs
      of periods missed in a row are limitations.
    """
    rhythm = _RHYTHM.get(r.template.period_type, "định kỳ")
    word = _PERIOD_WORD.get(r.template.period_type, "kỳ")
    good: list[str] = []
    bad: list[str] = []
    rate = r.rate
    if rate is not None:
        facts = (
            f"tỷ lệ báo cáo đạt {_rate(rate)} ({format_int(r.received)}/"
            f"{format_int(r.expected)} lượt), đúng hạn {_rate(_percent(r.on_time, r.expected))}"
        )
        if rate >= 95:
            good.append(f"Chế độ báo cáo {rhythm} được các đơn vị thực hiện nền nếp: {facts}.")
        elif rate >= 80:
            good.append(f"Phần lớn các đơn vị thực hiện chế độ báo cáo {rhythm}: {facts}.")
        else:
            bad.append(f"Chế độ báo cáo {rhythm} chưa được thực hiện đầy đủ: {facts}.")
        full = [a for a in r.attendance if a.expected > 0 and a.received == a.expected]
        if full:
            good.append(
                f"Có {format_int(len(full))}/{format_int(len([a for a in r.attendance if a.expected]))}"
                f" đơn vị báo cáo đầy đủ tất cả các kỳ."
            )
    up = [t for t in r.totals if t.change is not None and t.change > 0]
    down = [t for t in r.totals if t.change is not None and t.change < 0]
    if up:
        items = "; ".join(_moved(t) for t in up)
        good.append(f"So với {prev_label}, có {format_int(len(up))} chỉ tiêu tăng: {items}.")
    late = r.received - r.on_time
    if late > 0:
        bad.append(f"Còn {format_int(late)} lượt báo cáo gửi muộn so với thời hạn.")
    behind = r.behind()
    if behind:
        shown = "; ".join(
            f"{_clean(r.name(a.org), MAX_NAME)}: đạt {_rate(a.rate)},"
            f" chưa báo cáo {format_int(a.missed)} {word}"
            for a in behind[:5]
        )
        lead = f"Có {format_int(len(behind))} đơn vị chưa báo cáo đầy đủ các kỳ"
        lead += ", thấp nhất là: " if len(behind) > 5 else ": "
        bad.append(lead + shown + ".")
    runs = _runs(r)
    if runs:
        shown = "; ".join(
            f"{_clean(r.name(a.org), MAX_NAME)} {format_int(a.longest_missed_run)} {word}{where}"
            for a, where in runs[:3]
        )
        bad.append(f"Đơn vị không báo cáo nhiều {word} liên tiếp: {shown}.")
    if down:
        items = "; ".join(_moved(t) for t in down)
        bad.append(f"Có {format_int(len(down))} chỉ tiêu giảm so với {prev_label}: {items}.")
    strengths = [_Para(t) for t in good] or [_Para(NO_STRENGTHS)]
    limits = [_Para(t) for t in bad] or [_Para(NO_LIMITS)]
    return strengths, limits


def _content(r: Rollup, workspace_name: str, chart_png: bytes | None) -> list[_Block]:
    span = r.span.label()
    if r.span.period is not None:
        prev_label = r.span.previous().label()
        next_label = r.span.period.next().short_label().upper()
    else:
        prev = r.span.previous()
        prev_label = f"kỳ trước ({prev.label()})"
        next_label = NEXT_UNKNOWN
    blocks: list[_Block] = []
    rhythm = _RHYTHM.get(r.template.period_type, "định kỳ")
    lead = f"Trên cơ sở báo cáo {rhythm} của các đơn vị"
    rng = _periods_range(r)
    if rng and not (r.span.period is not None and r.periods == (r.span.period,)):
        lead += f" ({rng})"
    blocks.append(_Para(f"{lead}, kết quả thực hiện {span} như sau:"))

    # I. Results
    blocks.append(_Para(H_RESULTS, "h1"))
    num = _Numbering()
    blocks.append(num.next(H_ATTENDANCE))
    blocks.extend(_attendance_text(r, span))
    grid = _attendance_grid(r, workspace_name)
    if grid is not None:
        blocks.append(grid)
    if r.empty:
        blocks.append(_Para(NO_FIGURES.format(span=span)))
    else:
        for title, paras in _section_figures(r, prev_label):
            blocks.append(num.next(title))
            blocks.extend(paras)
        caveat = comparison_caveat(r, prev_label, span)
        if caveat:
            blocks.append(_Para(caveat))
        if r.checklist is not None:
            checklist = span_prose(r.checklist)
            if checklist:
                blocks.append(num.next(f"Kết quả tự đánh giá theo {r.template.name}"))
                blocks.extend(_Para(text) for text in checklist)
        models = _items(r, r.narratives_of(NarrativeKind.MODEL))
        if models:
            blocks.append(num.next(H_MODELS))
            blocks.extend(models)
        with_prev = any(t.previous is not None for t in r.totals)
        figures = _figures_grid(r, span, r.span.previous().label(), with_prev)
        if figures is not None:
            blocks.append(num.next(H_FIGURES))
            blocks.append(figures)
        if r.indicators:
            blocks.append(num.next(H_INDICATORS))
            blocks.extend(_indicator_blocks(r))
    if chart_png:
        blocks.append(_Image(chart_png))

    # II. Assessment
    strengths, limits = _assessment(r, prev_label)
    blocks.append(_Para(H_ASSESSMENT, "h1"))
    blocks.append(_Para(H_STRENGTHS, "h2"))
    blocks.extend(strengths)
    blocks.append(_Para(H_LIMITS, "h2"))
    blocks.extend(limits)

    # III. Difficulties and proposals
    blocks.append(_Para(H_ISSUES, "h1"))
    blocks.append(_Para(H_DIFFICULTIES, "h2"))
    blocks.extend(_items(r, r.narratives_of(NarrativeKind.DIFFICULTY)) or [_Para(NO_DIFFICULTIES)])
    blocks.append(_Para(H_PROPOSALS, "h2"))
    blocks.extend(_items(r, r.narratives_of(NarrativeKind.PROPOSAL)) or [_Para(NO_PROPOSALS)])

    # IV. Next tasks
    blocks.append(_Para(H_NEXT.format(next=next_label), "h1"))
    blocks.extend(_items(r, r.narratives_of(NarrativeKind.NEXT_TASK)) or [_Para(NO_TASKS)])
    return blocks


# -- Word ---------------------------------------------------------------------------------------
def _text_width_mm(text: str, size: float, *, bold: bool) -> float:
    """A rough width of ``text`` in Times New Roman (for the rules under header lines)."""
    em = 0.0
    for ch in text:
        if ch == " ":
            em += 0.25
        elif ch.isupper():
            em += 0.72 if bold else 0.68
        elif ch.isdigit() or ch.islower():
            em += 0.5 if bold else 0.46
        else:
            em += 0.33
    return em * size * 25.4 / 72


# Child order of the property elements we add children to (ECMA-376 part 1, §17.3.1.26,
# §17.3.2.28, §17.4.60): Word refuses a file whose children are out of order.
_RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
)  # fmt: skip
_PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
    "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)  # fmt: skip
_TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription", "tblPrChange",
)  # fmt: skip


def _put(parent: BaseOxmlElement, child: BaseOxmlElement, order: Sequence[str]) -> None:
    """Insert ``child`` where the schema's ``order`` wants it among ``parent``'s children."""
    from docx.oxml.ns import qn

    tags = [qn(f"w:{n}") for n in order]
    later = set(tags[tags.index(child.tag) + 1 :])
    for existing in parent:
        if existing.tag in later:
            existing.addprevious(child)
            return
    parent.append(child)


def _set_fonts(rpr: BaseOxmlElement, size: float | None = None) -> None:
    """Times New Roman for every script and Vietnamese as the language, on an rPr."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        _put(rpr, rfonts, _RPR_ORDER)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                _put(rpr, el, _RPR_ORDER)
            el.set(qn("w:val"), str(int(size * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        _put(rpr, lang, _RPR_ORDER)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")


def _run(p: Paragraph, text: str, size: float, *, bold: bool = False, italic: bool = False) -> Run:
    from docx.shared import Pt

    run = p.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    _set_fonts(run._r.get_or_add_rPr())
    return run


def _mark_size(p: Paragraph, size: float) -> None:
    """The size of the paragraph mark (an empty paragraph is as tall as its mark)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        _put(ppr, rpr, _PPR_ORDER)
    _set_fonts(rpr, size)


def _fmt(
    p: Paragraph,
    *,
    align: str = "justify",
    indent: bool = False,
    before: float = 0,
    after: float = 0,
    spacing: float = 1.0,
    keep_next: bool = False,
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    pf = p.paragraph_format
    pf.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    pf.first_line_indent = Cm(FIRST_LINE_CM) if indent else Cm(0)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing = spacing
    if keep_next:
        pf.keep_with_next = True
    pf.widow_control = True


def _rule(
    container: _Cell | DocxDocument, width_mm: float, room_mm: float, *, before: float, after: float
) -> None:
    """A centred horizontal rule ``width_mm`` long in a space ``room_mm`` wide: an empty
    paragraph with a top border, indented to the width (the same in Word and LibreOffice)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    p = container.add_paragraph()
    _fmt(p, align="center", before=before, after=after)
    side = max(0.0, (room_mm - min(width_mm, room_mm)) / 2)
    p.paragraph_format.left_indent = Mm(side)
    p.paragraph_format.right_indent = Mm(side)
    p.paragraph_format.line_spacing = Pt(2)
    _mark_size(p, 2)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "6")
    top.set(qn("w:space"), "1")
    top.set(qn("w:color"), "000000")
    bdr.append(top)
    _put(ppr, bdr, _PPR_ORDER)


def _no_borders(table: Table) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _put(tblpr, borders, _TBLPR_ORDER)


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False
    tblpr = table._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        _put(tblpr, tblw, _TBLPR_ORDER)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(sum(widths_mm) / 25.4 * 1440)))
    for i, w in enumerate(widths_mm):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)


def _cell_par(cell: _Cell, first: bool) -> Paragraph:
    par: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    return par


def _header(doc: DocxDocument, lh: Letterhead, place: str, issued_on: date) -> None:
    left_w, right_w = HEADER_COLS
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    _widths(table, HEADER_COLS)
    body, nation = table.cell(0, 0), table.cell(0, 1)
    number, when = table.cell(1, 0), table.cell(1, 1)

    first = True
    parent = _clean(lh.parent_body, MAX_NAME).upper()
    if parent:
        p = _cell_par(body, first)
        first = False
        _fmt(p, align="center")
        _run(p, parent, AGENCY_PT)
    issuing = _clean(lh.issuing_body, MAX_NAME).upper()
    if issuing:
        p = _cell_par(body, first)
        first = False
        _fmt(p, align="center")
        _run(p, issuing, AGENCY_PT, bold=True)
    width = _text_width_mm(issuing or parent or "BAN THƯỜNG TRỰC", AGENCY_PT, bold=True)
    _rule(body, min(max(width * 0.4, 18.0), 30.0), left_w - _CELL_PAD, before=4, after=0)

    motto = _motto(lh)
    for i, line in enumerate(motto):
        p = _cell_par(nation, i == 0)
        _fmt(p, align="center")
        is_nation_line = line.isupper()
        _run(p, line, NATION_PT if is_nation_line and len(motto) > 1 else MOTTO_PT, bold=True)
    last = motto[-1]
    size = MOTTO_PT if len(motto) > 1 or not last.isupper() else NATION_PT
    _rule(nation, _text_width_mm(last, size, bold=True) + 1, right_w - _CELL_PAD, before=4, after=0)

    code = _clean(lh.code, 60)
    p = _cell_par(number, True)
    _fmt(p, align="center", before=6)
    _run(p, f"Số:       /{code}" if code else "Số:", NUMBER_PT)

    p = _cell_par(when, True)
    _fmt(p, align="center", before=6)
    _run(p, document_date_line(place, issued_on), BODY_PT, italic=True)


def _title(doc: DocxDocument, subject: str) -> None:
    p = doc.add_paragraph()
    _fmt(p, align="center", before=18, after=0)
    _run(p, DOC_TYPE, BODY_PT, bold=True)
    p = doc.add_paragraph()
    _fmt(p, align="center", after=0)
    _run(p, subject, BODY_PT, bold=True)
    # The rule under the subject: a third of a line, centred.
    _rule(doc, TEXT_W / 3, TEXT_W, before=4, after=12)


def _outline(p: Paragraph, level: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    el = OxmlElement("w:outlineLvl")
    el.set(qn("w:val"), str(level))
    _put(ppr, el, _PPR_ORDER)


def _paragraph(doc: DocxDocument, block: _Para) -> None:
    p = doc.add_paragraph()
    if block.kind == "h1":
        _fmt(p, indent=True, before=6, after=6, spacing=LINE_SPACING, keep_next=True)
        _run(p, block.text, BODY_PT, bold=True)
        _outline(p, 0)
    elif block.kind == "h2":
        _fmt(p, indent=True, after=6, spacing=LINE_SPACING, keep_next=True)
        _run(p, block.text, BODY_PT, bold=True)
        _outline(p, 1)
    else:
        _fmt(p, indent=True, after=6, spacing=LINE_SPACING)
        _run(p, block.text, BODY_PT)


def _grid(doc: DocxDocument, g: _Grid) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    table = doc.add_table(rows=1 + len(g.rows), cols=len(g.headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, g.widths)
    aligns = {"l": "left", "c": "center", "r": "right"}
    head = table.rows[0]
    trpr = head._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        trpr.append(OxmlElement(tag))
    for i, text in enumerate(g.headers):
        cell = head.cells[i]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        _fmt(p, align="center", before=2, after=2)
        _run(p, text, TABLE_PT, bold=True)
    for r_i, row in enumerate(g.rows, 1):
        tr = table.rows[r_i]
        tr._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = list(row.cells)
        if row.merge and len(cells) > 2:
            tr.cells[1].merge(tr.cells[len(cells) - 1])
            cells = cells[:2]
        for c_i, text in enumerate(cells):
            cell = tr.cells[c_i]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            _fmt(p, align=aligns[g.align[c_i]], before=2, after=2)
            if c_i == 1 and row.indent:
                p.paragraph_format.left_indent = Mm(4 * row.indent)
            _run(p, text, TABLE_PT, bold=row.bold)
    # A little air after the table.
    p = doc.add_paragraph()
    _fmt(p, after=0)
    _mark_size(p, 6)


def _image(doc: DocxDocument, png: bytes) -> None:
    from docx.image.exceptions import UnrecognizedImageError
    from docx.image.image import Image as DocxImage
    from docx.shared import Mm

    try:
        img = DocxImage.from_blob(png)
    except (UnrecognizedImageError, ValueError, OSError) as exc:
        log.warning("chart image not usable in the Word report: %s", exc)
        return
    width = Mm(TEXT_W)
    max_h = Mm(170)
    height = int(width * img.px_height / img.px_width) if img.px_width else max_h
    p = doc.add_paragraph()
    _fmt(p, align="center", before=6, after=6)
    run = p.add_run()
    if height > max_h:
        run.add_picture(io.BytesIO(png), height=max_h)
    else:
        run.add_picture(io.BytesIO(png), width=width)


def _closing(doc: DocxDocument, lh: Letterhead) -> None:
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, CLOSING_COLS)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.cell(0, 0), table.cell(0, 1)

    p = left.paragraphs[0]
    _fmt(p, align="left", before=6)
    _run(p, RECIPIENTS, RECIPIENTS_HEAD_PT, bold=True, italic=True)
    recipients = [_clean(x, MAX_NAME).rstrip(" ;.,") for x in lh.recipients]
    recipients = [x.lstrip("-–• ").strip() for x in recipients]
    recipients = [x for x in recipients if x]
    for i, name in enumerate(recipients):
        p = left.add_paragraph()
        _fmt(p, align="left")
        end = "." if i == len(recipients) - 1 else ";"
        _run(p, f"- {name}{end}", RECIPIENTS_PT)

    first = True
    for line in (lh.signer_authority, lh.signer_title):
        text = _clean(line, MAX_NAME).upper()
        if not text:
            continue
        p = _cell_par(right, first)
        _fmt(p, align="center", before=6 if first else 0)
        first = False
        _run(p, text, BODY_PT, bold=True)
    p = _cell_par(right, first)
    _fmt(p, align="center", before=0)
    p.paragraph_format.space_before = Pt(80)  # room to sign and seal
    name = _clean(lh.signer_name, MAX_NAME)
    if name:
        _run(p, name, BODY_PT, bold=True)
    else:
        _mark_size(p, BODY_PT)


def _page_numbers(doc: DocxDocument) -> None:
    """PAGE centred in the top margin, none on the first page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    _fmt(p, align="center")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2")):
        run = _run(p, "", BODY_PT)
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    run = _run(p, "", BODY_PT)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)
    first = section.first_page_header
    first.is_linked_to_previous = False
    _fmt(first.paragraphs[0], align="center")


def _base_styles(doc: DocxDocument) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, BODY_PT)
        spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
        if spacing is not None:
            spacing.set(qn("w:after"), "0")
            spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_PT)
    normal.paragraph_format.space_after = Pt(0)


def _page(doc: DocxDocument) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width = Mm(PAGE_W)
    s.page_height = Mm(PAGE_H)
    s.top_margin = Mm(MARGIN_TOP)
    s.bottom_margin = Mm(MARGIN_BOTTOM)
    s.left_margin = Mm(MARGIN_LEFT)
    s.right_margin = Mm(MARGIN_RIGHT)
    s.header_distance = Mm(10)
    s.footer_distance = Mm(10)


def rollup_document(
    r: Rollup,
    letterhead: Letterhead,
    *,
    issued_on: date,
    workspace_name: str,
    chart_png: bytes | None = None,
) -> bytes:
    """The roll-up as a Word report ready to print, sign and send (see the module
    docstring for the layout). ``issued_on`` is the date on the place-date line;
    ``chart_png`` (optional) is placed at the end of part I, as wide as the text."""
    import docx

    lh = letterhead.with_defaults(_clean(workspace_name, MAX_NAME))
    doc = docx.Document()
    _page(doc)
    _base_styles(doc)
    _page_numbers(doc)
    # The template's body starts with no paragraph; the header table goes first.
    _header(doc, lh, _place(lh, workspace_name), issued_on)
    subject = _subject(r)
    _title(doc, subject)
    for block in _content(r, workspace_name, chart_png):
        if isinstance(block, _Para):
            _paragraph(doc, block)
        elif isinstance(block, _Grid):
            _grid(doc, block)
        else:
            _image(doc, block.png)
    return _finish(doc, lh, subject, subject, workspace_name=workspace_name, issued_on=issued_on)


def _finish(
    doc: DocxDocument,
    lh: Letterhead,
    subject: str,
    closing_subject: str,
    *,
    workspace_name: str,
    issued_on: date,
    doc_type: str = DOC_TYPE,
    closing: str = CLOSING,
) -> bytes:
    """The end every document of ours shares: the closing sentence on ``closing_subject``,
    recipients and signature, the document's properties (dated ``issued_on``, so the same
    report gives the same file), and the bytes."""
    p = doc.add_paragraph()
    _fmt(p, indent=True, before=6, after=6, spacing=LINE_SPACING, keep_next=True)
    _run(p, closing.format(subject=_lower_first(closing_subject)), BODY_PT)
    _closing(doc, lh)
    _mark_size(doc.add_paragraph(), 2)  # a document ends with a paragraph, not a table

    props = doc.core_properties
    props.title = _clean(f"{doc_type} {subject}", 250)
    props.subject = _clean(subject, 250)
    props.author = _clean(lh.issuing_body or workspace_name, 250)
    props.last_modified_by = props.author
    props.language = "vi-VN"
    props.comments = ""
    stamp = datetime.combine(issued_on, time(0, 0), tzinfo=UTC)
    props.created = stamp
    props.modified = stamp
    props.revision = 1

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
