"""The roll-up as an Excel workbook (.xlsx, XlsxWriter) and as CSV.

Workbook sheets (every sheet has its header frozen, bold headers, widths fitted to the
content, landscape A4 printing fitted to the page width with the header rows repeated):

* **Tổng hợp**: title, workspace, span, the time the figures stand at, completeness overall
  and per level (``Rollup.levels``), each numeric field's figure with its unit, how it is
  rolled up, the previous span's figure and the change; the yes/no and choice summaries.
* **Theo kỳ**: one row per period (units expected and reporting, each field's figure).
* **Số liệu**: one row per (unit, period) with a report: unit, the grouping units above it
  ("Thuộc", e.g. the commune), unit code, period and its first and last day, then one column
  per numeric field. Autofilter on the header: filter by commune, unit or week.
* **Theo đơn vị**: each unit's figures over the whole span, and the workspace's totals.
* **Nội dung**: narrative items (period, unit, field, text), text wrapped.
* **Chỉ số** (only for a template with indicators): for each indicator the whole's value,
  target, progress (% of target) and verdict, then every unit's; a value that cannot be
  computed is left empty with the reason in words ("thiếu số liệu: …", "chia cho 0").
* **Chuyên cần**: completeness per unit (expected, received, on time, late, exempt, missed,
  rates, longest run missed in a row, the missed periods), then per level.

Conventions:

* **Numbers are numbers**: counts and money are stored as ``int``, decimals and rates as
  ``float``; only the display is Vietnamese. Excel number formats are written in the file's
  neutral notation, where "," means "group thousands" and "." means "decimal point", and
  Excel shows them with the separators of the reader's regional settings: with Vietnamese
  settings (vi-VN: "." between thousands, "," before decimals) ``#,##0`` shows 1.200 and
  ``#,##0.0#`` shows 42,5; with English settings the same cells show 1,200 and 42.5. A
  format cannot force the separators without turning numbers into text, so we rely on the
  reader's settings (every office computer in Vietnam has them).
* **Money** is in đồng (``#,##0``, the unit in the header "(đồng)"); the summary adds the
  headline reading ("5,78 tỷ đồng") in a note column. **Rates** are percentages stored as
  numbers (87.3, format ``0.0``, the header says "(%)"). Dates are dates (``dd/mm/yyyy``).
* **Hostile text** (names, narratives): control characters, lone surrogates and characters
  XML cannot carry are removed, text is cut at Excel's 32,767 characters, and text that
  starts with ``=``, ``+``, ``-`` or ``@`` is stored as an explicit string with Excel's
  "quote prefix" (shown as typed, never evaluated as a formula, stays text when edited).
* **CSV** (``rollup_csv``): the same columns as "Số liệu", UTF-8 with a byte order mark (so
  Excel opens Vietnamese text correctly), comma separated, CRLF line ends (RFC 4180).
  It is for machines and further processing, so numbers are plain: no thousands separator,
  "." before decimals (``3882.7``), money in whole đồng; dates ISO 8601 (``2026-09-28``),
  which every spreadsheet reads as a date whatever its regional settings. Text that starts
  with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe (CSV has no types, so this is
  the only way to keep a spreadsheet from evaluating it). A roll-up without reports gives
  the header row alone.

XlsxWriter is imported inside the function (the bot loads it only when a file is made) and
writes in its constant-memory mode: each row goes to the file when the next begins, each cell
look is one ``Format`` made once. It replaced openpyxl (which the tests still use to read the
files back) because openpyxl's cost per cell, 15-40 µs, made a province's year (600 units,
about 600,000 cells) take 15-20 s against the 5 s target; XlsxWriter writes the same cells
about five times faster (``bench/exports.py``, figures in docs/performance.md).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.indicators import outcome_words
from bot.core.periods import Period, PeriodType
from bot.core.render_checklist import level_title
from bot.core.render_reports import comparison_caveat, direct_label, skipped_words
from bot.core.rollup import LevelAttendance, Rollup
from bot.core.template import Aggregation, FieldType, TemplateField
from bot.core.vnformat import format_deadline, format_int, format_money_short

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook as XlsxWorkbook
    from xlsxwriter.worksheet import Worksheet

    from bot.core.models import OrgUnit

__all__ = ["rollup_csv", "rollup_workbook"]

# -- text ---------------------------------------------------------------------------------
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
# Controls, characters XML cannot carry, and (as in the Word report) bidirectional controls:
# an RTL override in a unit's name would show the rest of its cell reversed.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\u200e\u200f]"
)
FORMULA_START = ("=", "+", "-", "@")


def clean_text(text: str) -> str:
    """Text a cell (or a CSV field) can hold as is: NFC, ``\\n`` line ends, tabs as spaces,
    no control characters nor characters XML cannot carry, at most Excel's cell size."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _UNSAFE.sub("", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


# -- number formats -----------------------------------------------------------------------
FMT_INT = "#,##0"  # 1.200 with Vietnamese settings (see the module docstring)
FMT_DECIMAL = "#,##0.0#"  # 42,5
FMT_RATE = "0.0"  # 87,3 (a percentage stored as a number; the header says "(%)")
FMT_CHANGE = "+#,##0;-#,##0;0"
FMT_CHANGE_DECIMAL = "+#,##0.0#;-#,##0.0#;0"
FMT_CHANGE_RATE = "+0.0;-0.0;0.0"
FMT_DATE = "dd/mm/yyyy"

_AGG_WORD = {
    Aggregation.SUM: "cộng dồn",
    Aggregation.AVERAGE: "bình quân",
    Aggregation.MAX: "cao nhất",
    Aggregation.LATEST: "mới nhất",
}

_PERIOD_UNIT = {
    PeriodType.WEEK: "tuần",
    PeriodType.MONTH: "tháng",
    PeriodType.QUARTER: "quý",
    PeriodType.HALF: "kỳ 6 tháng",
    PeriodType.YEAR: "năm",
}

NO_DATA = "Kỳ này chưa có số liệu để tổng hợp."
NO_REPORTS = "Chưa có báo cáo nào trong kỳ."
NO_NARRATIVES = "Các đơn vị chưa nêu nội dung nào trong kỳ."


def field_unit(f: TemplateField) -> str:
    if f.type is FieldType.MONEY:
        return "đồng"
    if f.type is FieldType.PERCENT:
        return "%"
    return f.unit


def field_header(f: TemplateField) -> str:
    """ "Số buổi tuyên truyền, vận động (buổi)", "Tiền vận động, ủng hộ (đồng)"."""
    unit = field_unit(f)
    return f"{f.label} ({unit})" if unit else f.label


def _field_format(f: TemplateField) -> str:
    if f.type in (FieldType.COUNT, FieldType.MONEY):
        return FMT_INT
    if f.type is FieldType.PERCENT:
        return FMT_RATE
    return FMT_DECIMAL


def _change_format(f: TemplateField) -> str:
    if f.type in (FieldType.COUNT, FieldType.MONEY):
        return FMT_CHANGE
    return FMT_CHANGE_DECIMAL


def _num(value: int | Decimal | None) -> int | float | None:
    """A figure as Excel stores it: ``int`` stays, ``Decimal`` becomes ``float``."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return float(value)


def _csv_num(value: int | Decimal | None) -> str:
    """Plain: "3010", "3882.7" (no grouping, "." before decimals, no exponent)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = f"{value.normalize():f}" if value != 0 else "0"
    return text


# -- periods ------------------------------------------------------------------------------
def _ranges(numbers: Sequence[int]) -> str:
    """[10, 11, 12, 20] -> "10–12, 20"."""
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


def periods_text(periods: Sequence[Period]) -> str:
    """A compact list: "tuần 10–17, 20/2026", "tháng 3–5/2026; tháng 1/2027"."""
    if not periods:
        return ""
    kind = periods[0].type
    if kind not in (PeriodType.WEEK, PeriodType.MONTH) or any(p.type is not kind for p in periods):
        return ", ".join(p.short_label() for p in periods)
    by_year: dict[int, list[int]] = {}
    for p in periods:
        if kind is PeriodType.WEEK:
            iso = p.start.isocalendar()
            by_year.setdefault(iso.year, []).append(iso.week)
        else:
            by_year.setdefault(p.start.year, []).append(p.start.month)
    word = "tuần" if kind is PeriodType.WEEK else "tháng"
    return "; ".join(f"{word} {_ranges(sorted(ns))}/{y}" for y, ns in sorted(by_year.items()))


def span_description(r: Rollup) -> str:
    """ "quý IV/2026, từ 01/10/2026 đến 31/12/2026; gồm 14 tuần (tuần 40/2026 – tuần 53/2026)"."""
    span = r.span
    text = span.label()
    if span.period is not None:
        text += f", từ {span.start:%d/%m/%Y} đến {span.last_day:%d/%m/%Y}"
    if r.periods:
        first, last = r.periods[0], r.periods[-1]
        unit = _PERIOD_UNIT.get(first.type, "kỳ")
        text += f"; gồm {format_int(len(r.periods))} {unit}"
        if len(r.periods) > 1:
            text += f" ({first.short_label()} – {last.short_label()}"
        else:
            text += f" ({first.short_label()}"
        covered_start, covered_end = first.start, last.end - timedelta(days=1)
        if (covered_start, covered_end) != (span.start, span.last_day):
            # Weeks belong to the month of their Thursday: say which days they really cover.
            text += f", các ngày từ {covered_start:%d/%m/%Y} đến {covered_end:%d/%m/%Y}"
        text += ")"
        if r.skipped:
            text += f"; {skipped_words(r)} (số liệu đã gửi vẫn được tính)"
    return text


def _period_label(r: Rollup, p: Period) -> str:
    """A period's name in a table, "tuần 47/2026 (nghỉ)" for a skipped one."""
    return f"{p.short_label()} (nghỉ)" if p in r.skipped else p.short_label()


# -- places in the tree -------------------------------------------------------------------
class _Places:
    """The grouping units above each unit, from what the roll-up knows (its units and its
    levels): "Xã Tân Hòa" for a commune's unit, the province for the provincial ones. The
    ancestors every unit shares are left out unless nothing else is left."""

    def __init__(self, r: Rollup) -> None:
        known: dict[int, OrgUnit] = {}
        for lv in r.levels:
            if lv.org is not None:
                known[lv.org.id] = lv.org
        if r.scope is not None:
            known[r.scope.id] = r.scope
        for o in r.orgs:
            known[o.id] = o
        for line in r.lines:
            known.setdefault(line.org.id, line.org)
        self._known = known
        units = [line.org for line in r.lines] or list(r.orgs)
        chains = [self._chain(o) for o in units]
        common: set[int] = (
            set.intersection(*({a.id for a in c} for c in chains)) if chains else set()
        )
        self._common = common
        self.any = any(self._chain(o) for o in units)

    def _chain(self, org: OrgUnit) -> list[OrgUnit]:
        out: list[OrgUnit] = []
        seen = {org.id}
        cur = self._known.get(org.parent_id) if org.parent_id is not None else None
        while cur is not None and cur.id not in seen:
            out.append(cur)
            seen.add(cur.id)
            cur = self._known.get(cur.parent_id) if cur.parent_id is not None else None
        return out[::-1]

    def of(self, org: OrgUnit) -> str:
        chain = self._chain(org)
        trimmed = [a for a in chain if a.id not in self._common]
        if not trimmed and chain:
            trimmed = [chain[-1]]
        return " – ".join(a.display_name for a in trimmed)


# -- the "Số liệu" table (shared by the workbook and the CSV) ---------------------------------
@dataclass(frozen=True, slots=True)
class _Col:
    header: str
    kind: str  # "text", "date", "int", "field"
    field: TemplateField | None = None
    width: float | None = None


def _data_columns(r: Rollup, places: _Places) -> list[_Col]:
    cols = [_Col("Đơn vị", "text")]
    if places.any:
        cols.append(_Col("Thuộc", "text"))
    cols += [
        _Col("Mã đơn vị", "text"),
        _Col("Kỳ báo cáo", "text"),
        _Col("Từ ngày", "date", width=12),
        _Col("Đến ngày", "date", width=12),
    ]
    cols += [_Col(field_header(f), "field", f) for f in r.numeric_fields]
    return cols


def _data_rows(r: Rollup, places: _Places) -> Iterable[list[object]]:
    """One row per (unit, period) with a report, units in display order, periods in order."""
    for line in r.lines:
        if not line.by_period:
            continue
        name = r.name(line.org)
        place = places.of(line.org)
        for p in r.periods:
            values = line.by_period.get(p.key)
            if values is None:
                continue
            row: list[object] = [name]
            if places.any:
                row.append(place)
            row += [line.org.code, _period_label(r, p), p.start, p.last_day]
            row += [values.get(f.key) for f in r.numeric_fields]
            yield row


def rollup_csv(r: Rollup) -> bytes:
    """The "Số liệu" table as CSV: one row per (unit, period); see the module docstring for
    the conventions (UTF-8 with BOM, plain numbers, ISO dates, formula-safe text)."""
    places = _Places(r)
    cols = _data_columns(r, places)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(c.header) for c in cols])
    for row in _data_rows(r, places):
        cells: list[str] = []
        for col, value in zip(cols, row, strict=True):
            if value is None:
                cells.append("")
            elif col.kind == "date":
                assert isinstance(value, date)
                cells.append(value.isoformat())
            elif col.kind == "field":
                assert isinstance(value, int | Decimal)
                cells.append(_csv_num(value))
            else:
                cells.append(_csv_text(str(value)))
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_text(text: str) -> str:
    text = clean_text(text)
    return "'" + text if looks_like_formula(text) else text


# -- workbook plumbing --------------------------------------------------------------------
@dataclass(slots=True)
class _Cell:
    value: object
    style: str = "text"
    fmt: str | None = None
    indent: int = 0


@dataclass(frozen=True, slots=True)
class _Look:
    """A table column's cell look (style and number format, no indent)."""

    style: str
    fmt: str | None


@dataclass(slots=True)
class _Raw:
    """A table row kept as plain values: a year's "Số liệu" holds ~600,000 of them, and a
    ``_Cell`` object per value (then a generic per-cell dispatch) cost more than XlsxWriter's
    own work. ``looks`` is the table's, one per column, shared by all its rows."""

    values: list[object]
    looks: tuple[_Look, ...]


_FONT = {"font_name": "Times New Roman", "font_size": 12}
_BORDER = {"border": 1, "border_color": "#9BA7B4"}
_TOP = {"valign": "top"}
_WRAP = {"valign": "top", "text_wrap": True}
_CENTER = {"align": "center", "valign": "top"}
_LOOKS: dict[str, dict[str, object]] = {
    "title": {"font_size": 15, "bold": True, "font_color": "#1F3864"},
    "heading": {"font_size": 13, "bold": True, "font_color": "#1F3864"},
    "label": {"bold": True, **_TOP},
    "plain": {**_TOP},
    "note": {"italic": True, **_TOP},
    "header": {
        "bold": True,
        "bg_color": "#DDEBF7",
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
        **_BORDER,
    },
    "text": {**_WRAP, **_BORDER},
    "wrap": {**_WRAP, **_BORDER},
    "num": {**_TOP, **_BORDER},
    "center": {**_CENTER, **_BORDER},
    "date": {**_TOP, **_BORDER, "num_format": "dd/mm/yyyy"},
    "total": {"bold": True, "bg_color": "#F2F2F2", **_WRAP, **_BORDER},
    "total_num": {"bold": True, "bg_color": "#F2F2F2", **_TOP, **_BORDER},
    "total_center": {"bold": True, "bg_color": "#F2F2F2", **_CENTER, **_BORDER},
    "section": {"bold": True, "bg_color": "#FFF2CC", **_TOP, **_BORDER},
    "section_center": {"bold": True, "bg_color": "#FFF2CC", **_CENTER, **_BORDER},
}


class _Styles:
    """The few cell looks used, each made into an XlsxWriter ``Format`` once per workbook.

    A look is (font, fill, alignment, bordered); a cell's ``indent`` shifts its text, its
    ``fmt`` is the number format; text that looks like a formula gets the quote prefix."""

    def __init__(self, wb: XlsxWorkbook) -> None:
        self._wb = wb
        self._formats: dict[tuple[str, int, str | None, bool], Format] = {}
        self._clean: dict[str, str] = {}

    def clean(self, text: str) -> str:
        """``clean_text`` once per distinct text (a unit's name repeats on every row)."""
        found = self._clean.get(text)
        if found is None:
            found = self._clean[text] = clean_text(text)
        return found

    def format(self, style: str, indent: int, fmt: str | None, quote: bool) -> Format:
        key = (style, indent, fmt, quote)
        found = self._formats.get(key)
        if found is None:
            props: dict[str, object] = {**_FONT, **_LOOKS[style]}
            if indent:
                props["indent"] = indent
            if fmt is not None:
                props["num_format"] = fmt
            if quote:
                props["quote_prefix"] = True
            found = self._wb.add_format(props)
            self._formats[key] = found
        return found


def _write_cell(ws: Worksheet, row: int, col: int, c: _Cell, st: _Styles) -> None:
    """One cell through XlsxWriter's typed writers: strings stay strings (never turned
    into formulas, numbers or links), numbers numbers, dates dates."""
    value = c.value
    kind = type(value)
    if kind is int or kind is float:  # the common case first: most cells are figures
        number = float(value)  # type: ignore[arg-type]
        fmt = st.format(c.style, c.indent, c.fmt, False)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, str):
        text = st.clean(value)
        quote = looks_like_formula(text)
        fmt = st.format(c.style, c.indent, c.fmt, quote)
        if text:
            ws.write_string(row, col, text, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
        return
    fmt = st.format(c.style, c.indent, c.fmt, False)
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
        if math.isfinite(number):
            ws.write_number(row, col, number, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, col, value, fmt)
    else:
        ws.write_string(row, col, clean_text(str(value)), fmt)


def _text_width(value: object, fmt: str | None) -> float:
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(line) for line in value.split("\n")), default=0)
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float | Decimal):
        n = abs(float(value))
        digits = len(f"{n:.0f}")
        width = digits + (digits - 1) // 3 + (1 if float(value) < 0 else 0)
        if fmt is not None and "." in fmt:
            width += 3
        if fmt is not None and fmt.startswith("+"):
            width += 1
        return width
    return len(str(value))


class _Sheet:
    """Rows collected first (so widths are known before streaming), then written."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[list[_Cell | None] | _Raw] = []
        self.tables: list[list[_Raw]] = []  # each table's raw rows
        self.heights: dict[int, float] = {}
        self.merges: list[str] = []
        self.widths: dict[int, float] = {}  # fixed widths (1-based column)
        self.max_width: dict[int, float] = {}
        self.wrap_cols: set[int] = set()
        self.freeze: str | None = None
        self.filter_ref: str | None = None
        self.print_rows: str | None = None
        self.header_text = ""
        self.skip_width_rows: set[int] = set()

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1

    def add(self, cells: Sequence[_Cell | None], height: float | None = None) -> int:
        self.rows.append(list(cells))
        if height is not None:
            self.heights[len(self.rows)] = height
        return len(self.rows)

    def blank(self) -> None:
        self.rows.append([])

    def add_table(self, looks: tuple[_Look, ...], rows: Iterable[list[object]]) -> int:
        """Table rows as plain values (see ``_Raw``); how many were added."""
        raws = [_Raw(values, looks) for values in rows]
        for raw in raws:
            if len(raw.values) != len(looks):
                raise ValueError(f"{self.title}: {len(raw.values)} values for {len(looks)} columns")
        self.rows.extend(raws)
        self.tables.append(raws)
        return len(raws)

    def column_widths(self) -> dict[int, float]:
        best: dict[int, float] = {}
        # A year's data sheet holds ~600,000 cells: each distinct text is measured once, and a
        # column's numbers by their largest magnitude (the widest of one format).
        seen: set[tuple[int, str, int]] = set()
        widest: dict[tuple[int, str | None, int], tuple[float, bool]] = {}
        for i, row in enumerate(self.rows, 1):
            if i in self.skip_width_rows or isinstance(row, _Raw):
                continue
            for j, c in enumerate(row, 1):
                if c is None:
                    continue
                value = c.value
                if c.style == "header":
                    # Headers wrap: their longest word, or a third of the text.
                    text = str(value)
                    w = max(max((len(t) for t in text.split()), default=0), len(text) / 3)
                elif isinstance(value, str):
                    key = (j, value, c.indent)
                    if key in seen:
                        continue
                    seen.add(key)
                    w = _text_width(value, c.fmt)
                elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                    n = abs(float(value))
                    k = (j, c.fmt, c.indent)
                    big, neg = widest.get(k, (0.0, False))
                    widest[k] = (max(big, n), neg or float(value) < 0)
                    continue
                else:
                    w = _text_width(value, c.fmt)
                w += 2 * c.indent
                best[j] = max(best.get(j, 0), w)
        for raws in self.tables:
            if not raws:
                continue
            for j, look in enumerate(raws[0].looks, 1):
                column = [raw.values[j - 1] for raw in raws]
                texts = {v for v in column if type(v) is str}
                for text in texts:
                    best[j] = max(best.get(j, 0), _text_width(text, look.fmt))
                numbers = [float(v) for v in column if type(v) in (int, float, Decimal)]  # type: ignore[arg-type]
                if numbers:
                    k = (j, look.fmt, 0)
                    big, neg = widest.get(k, (0.0, False))
                    low, high = min(numbers), max(numbers)
                    widest[k] = (max(big, abs(low), abs(high)), neg or low < 0)
                rest = [
                    v for v in column if v is not None and type(v) not in (str, int, float, Decimal)
                ]
                for v in rest:
                    best[j] = max(best.get(j, 0), _text_width(v, look.fmt))
        for (j, fmt, indent), (n, neg) in widest.items():
            w = _text_width(-n if neg else n, fmt) + 2 * indent
            best[j] = max(best.get(j, 0), w)
        out: dict[int, float] = {}
        for j, w in best.items():
            cap = self.max_width.get(j, 60)
            out[j] = min(max(w * 1.15 + 2, 8), cap)  # Times New Roman 12 is wider than Excel's unit
        out.update(self.widths)
        return out


def _col_name(n: int) -> str:
    """Column letters of the 1-based column ``n`` (1 -> A, 27 -> AA)."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cells(ref: str) -> tuple[int, int, int, int]:
    """ "B3:K3" -> zero-based (first row, first column, last row, last column)."""

    def one(a1: str) -> tuple[int, int]:
        m = re.fullmatch(r"([A-Z]+)(\d+)", a1)
        assert m is not None, a1
        col = 0
        for ch in m.group(1):
            col = col * 26 + ord(ch) - 64
        return int(m.group(2)) - 1, col - 1

    first, _, last = ref.partition(":")
    r1, c1 = one(first)
    r2, c2 = one(last or first)
    return r1, c1, r2, c2


def _page_header(text: str, limit: int = 250) -> str:
    """The printed page header: "&" doubled (a lone one starts a code), cut to Excel's
    limit of 255 UTF-16 units with the "&C" before it (an emoji counts two; XlsxWriter drops
    a longer header altogether)."""
    text = clean_text(text)

    def size(t: str) -> int:
        return len(t.replace("&", "&&").encode("utf-16-le")) // 2

    if size(text) > limit:
        while text and size(text + "…") > limit:
            text = text[:-1]
        text += "…"
    return text.replace("&", "&&")


def _write(wb: XlsxWorkbook, sheet: _Sheet, st: _Styles, footer_title: str) -> None:
    """Stream one sheet in row order (XlsxWriter's constant-memory mode writes each row
    out when the next begins, so merges and row heights are set as their row comes)."""
    ws = wb.add_worksheet(sheet.title)
    for j, w in sheet.column_widths().items():
        ws.set_column(j - 1, j - 1, round(w, 1))
    if sheet.freeze:
        ws.freeze_panes(sheet.freeze)
    # Printing: A4 landscape, fitted to the page width, header rows on every page.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.center_horizontally()
    if sheet.print_rows:
        first, _, last = sheet.print_rows.partition(":")
        ws.repeat_rows(int(first) - 1, int(last or first) - 1)
    ws.set_header(f"&C{_page_header(f'{sheet.title} – {footer_title}')}", {"margin": 0.3})
    ws.set_footer("&CTrang &P/&N", {"margin": 0.3})
    if sheet.filter_ref:
        ws.autofilter(sheet.filter_ref)
    merges: dict[int, list[tuple[int, int, int]]] = {}
    for ref in sheet.merges:
        r1, c1, r2, c2 = _cells(ref)
        merges.setdefault(r1, []).append((c1, r2, c2))
    table_formats: dict[int, _TableFormats] = {}  # by id of a table's looks
    for i, row in enumerate(sheet.rows):
        height = sheet.heights.get(i + 1)
        if height is not None:
            ws.set_row(i, height)
        if isinstance(row, _Raw):
            formats = table_formats.get(id(row.looks))
            if formats is None:
                formats = table_formats[id(row.looks)] = (
                    [st.format(look.style, 0, look.fmt, False) for look in row.looks],
                    [st.format(look.style, 0, look.fmt, True) for look in row.looks],
                )
            _write_raw(ws, i, row, formats, st)
            continue
        merged: dict[int, tuple[int, int]] = {c1: (r2, c2) for c1, r2, c2 in merges.get(i, [])}
        for j, c in enumerate(row):
            if c is None:
                continue
            span = merged.get(j)
            if span is not None:
                value = clean_text(c.value) if isinstance(c.value, str) else c.value
                quote = isinstance(value, str) and looks_like_formula(value)
                fmt = st.format(c.style, c.indent, c.fmt, quote)
                ws.merge_range(i, j, span[0], span[1], "", fmt)
            _write_cell(ws, i, j, c, st)


_TableFormats = tuple[list["Format"], list["Format"]]  # per column: plain, quote-prefixed
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 is 1 March 1900 (Excel counts a 29 February 1900)


def _cell_writers(ws: Worksheet) -> tuple[Any, Any, Any]:
    """XlsxWriter's number, string and blank writers for cells given by row and column.

    The public ``write_number`` & co. go through a decorator that accepts "A1" notation
    and then call these same methods; over the 600,000 cells of a province's year that
    detour is 0.3 s of 4 (7 %), so the table rows call them directly. They are private
    (XlsxWriter is pinned below 4 in pyproject.toml); were they ever renamed, the public
    ones are used, and the tests read every workbook back."""
    try:
        return ws._write_number, ws._write_string, ws._write_blank
    except AttributeError:  # another XlsxWriter
        return ws.write_number, ws.write_string, ws.write_blank


def _write_raw(ws: Worksheet, i: int, row: _Raw, formats: _TableFormats, st: _Styles) -> None:
    """A table row: the same cells ``_write_cell`` would write for ``_Cell(value, style,
    fmt)``, with the column's formats looked up once per table and the common types first."""
    plain, quoted = formats
    number, string, blank = _cell_writers(ws)
    for j, value in enumerate(row.values):
        kind = type(value)
        if kind is int:
            number(i, j, value, plain[j])
        elif kind is str:
            text = st.clean(value)  # type: ignore[arg-type]
            fmt = quoted[j] if text.startswith(FORMULA_START) else plain[j]
            if text:
                string(i, j, text, fmt)
            else:
                blank(i, j, None, fmt)
        elif value is None:
            blank(i, j, None, plain[j])
        elif kind is date:
            # A date is its serial number under the column's date format, as
            # ``write_datetime`` would write it (dates here are all after 1900).
            number(i, j, (value - _EXCEL_EPOCH).days, plain[j])  # type: ignore[operator]
        else:
            look = row.looks[j]
            _write_cell(ws, i, j, _Cell(value, look.style, look.fmt), st)


def _estimate_lines(text: str, width: float) -> int:
    per_line = max(int(width * 1.1), 10)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


# -- the sheets ---------------------------------------------------------------------------
def _summary_sheet(r: Rollup, workspace_name: str, tz: str) -> _Sheet:
    s = _Sheet("Tổng hợp")
    ncols = 10
    last = "J"
    title = f"TỔNG HỢP KẾT QUẢ {r.span.label().upper()}"
    s.add([_Cell(title, "title")], height=24)
    s.merges.append(f"A1:{last}1")
    subtitle = r.campaign_name or r.template.name
    s.add([_Cell(subtitle, "note")])
    s.merges.append(f"A2:{last}2")
    s.blank()
    s.freeze = "A3"
    s.print_rows = "1:2"
    s.skip_width_rows.update({1, 2})

    where = workspace_name
    if r.scope is not None and r.scope.display_name not in where:
        where = f"{where} – {r.scope.display_name}" if where else r.scope.display_name
    now_local = r.now.astimezone(ZoneInfo(tz))
    info = [
        ("Đơn vị:", where),
        ("Kỳ tổng hợp:", span_description(r)),
        (
            "So sánh với:",
            comparison_caveat(r, r.span.previous().label(), "kỳ này") or r.span.previous().label(),
        ),
        ("Số liệu tính đến:", format_deadline(now_local)),
        ("Mẫu báo cáo:", r.template.name),
    ]
    for label, value in info:
        row = s.add([None, _Cell(label, "label"), _Cell(value, "plain")])
        s.merges.append(f"C{row}:{last}{row}")
        s.skip_width_rows.add(row)
    s.blank()

    # I. Completeness.
    s.skip_width_rows.add(s.add([_Cell("I. TÌNH HÌNH BÁO CÁO", "heading")]))
    headers = [
        "STT",
        "Cấp, đơn vị",
        "Số đơn vị",
        "Số báo cáo phải gửi",
        "Đã gửi",
        "Đúng hạn",
        "Muộn",
        "Chưa gửi",
        "Tỷ lệ đã gửi (%)",
        "Tỷ lệ đúng hạn (%)",
    ]
    s.add([_Cell(h, "header") for h in headers], height=36)
    levels = r.levels
    if not levels:
        s.add([None, _Cell("Chưa có đơn vị nào trong danh sách phải báo cáo.", "note")])
    # The parts (the province's own units, then each commune) are numbered and add up to
    # the "Tổng cộng" line below them, as in the Word report: a total listed among its own
    # parts would be counted twice by anyone summing the column.
    rows: list[tuple[str, LevelAttendance, bool]] = []
    direct = r.direct_level()
    if direct is not None and direct.org is not None:
        rows.append((direct_label(direct.org.display_name), direct, False))
    for lv in levels[1:]:
        assert lv.org is not None
        rows.append((lv.org.display_name, lv, False))
    if levels:
        top = levels[0]
        if len(levels) > 1:
            top_name = "Tổng cộng"
        elif top.org is not None:
            top_name = top.org.display_name
        else:
            top_name = workspace_name or "Toàn bộ"
        rows.append((top_name, top, True))
    number = 0
    for name, lv, is_total in rows:
        style, num = ("total", "total_num") if is_total else ("text", "num")
        if not is_total:
            number += 1
        depth = 0 if is_total else max(lv.depth - 1, 0)
        s.add(
            [
                _Cell(None if is_total else number, "total_center" if is_total else "center"),
                _Cell(name, style, indent=depth),
                _Cell(lv.units, num, FMT_INT),
                _Cell(lv.expected, num, FMT_INT),
                _Cell(lv.received, num, FMT_INT),
                _Cell(lv.on_time, num, FMT_INT),
                _Cell(lv.received - lv.on_time, num, FMT_INT),
                _Cell(lv.expected - lv.received, num, FMT_INT),
                _Cell(_num(lv.rate), num, FMT_RATE),
                _Cell(_num(lv.on_time_rate), num, FMT_RATE),
            ]
        )
    s.skip_width_rows.add(
        s.add([None, _Cell("Chi tiết từng đơn vị: xem trang “Chuyên cần”.", "note")])
    )
    s.blank()

    # II. Results.
    s.skip_width_rows.add(s.add([_Cell("II. KẾT QUẢ CHỦ YẾU", "heading")]))
    prev_label = r.span.previous().label()
    headers = [
        "STT",
        "Nội dung",
        "Đơn vị tính",
        "Cách tổng hợp",
        f"Kỳ này ({r.span.label()})",
        f"Kỳ trước ({prev_label})",
        "Tăng (+), giảm (-)",
        "Tăng, giảm (%)",
        "Số báo cáo có số liệu",
        "Ghi chú",
    ]
    s.add([_Cell(h, "header") for h in headers], height=48)
    if r.empty or not r.totals:
        s.add([None, _Cell(NO_DATA if r.empty else "Mẫu báo cáo không có chỉ tiêu số.", "note")])
    else:
        by_section: dict[str, list[Any]] = {}
        for t in r.totals:
            by_section.setdefault(t.section_key, []).append(t)
        n_section = 0
        for section in r.template.sections:
            ts = by_section.get(section.key)
            if not ts:
                continue
            n_section += 1
            row = s.add(
                [_Cell(_roman(n_section), "section_center"), _Cell(section.title, "section")]
                + [_Cell(None, "section") for _ in range(ncols - 2)]
            )
            s.merges.append(f"B{row}:{last}{row}")
            s.skip_width_rows.add(row)
            for k, t in enumerate(ts, 1):
                rate: float | None = None
                if t.change is not None and t.previous:
                    rate = round(float(Decimal(t.change) / Decimal(t.previous) * 100), 1)
                note = ""
                if t.type is FieldType.MONEY and t.value is not None and abs(t.value) >= 10**6:
                    note = format_money_short(int(t.value))
                fmt = _field_format(t.field)
                s.add(
                    [
                        _Cell(f"{n_section}.{k}", "center"),
                        _Cell(t.label, "text", indent=1),
                        _Cell(field_unit(t.field), "text"),
                        _Cell(_AGG_WORD[t.aggregation], "text"),
                        _Cell(_num(t.value), "num", fmt),
                        _Cell(_num(t.previous), "num", fmt),
                        _Cell(_num(t.change), "num", _change_format(t.field)),
                        _Cell(rate, "num", FMT_CHANGE_RATE),
                        _Cell(t.contributors, "num", FMT_INT),
                        _Cell(note, "text"),
                    ]
                )
    choices = [c for c in r.choices if c.answered]
    if choices:
        s.blank()
        s.skip_width_rows.add(s.add([_Cell("III. CÁC NỘI DUNG CÓ/KHÔNG, LỰA CHỌN", "heading")]))
        s.add(
            [
                _Cell("STT", "header"),
                _Cell("Nội dung", "header"),
                _Cell("Trả lời", "header"),
                _Cell("Số báo cáo", "header"),
                _Cell("Tỷ lệ (%)", "header"),
            ],
            height=36,
        )
        for i, c in enumerate(choices, 1):
            for j, (answer, n) in enumerate(c.counts):
                s.add(
                    [
                        _Cell(i if j == 0 else None, "center"),
                        _Cell(c.field.label if j == 0 else "", "text"),
                        _Cell(answer, "text"),
                        _Cell(n, "num", FMT_INT),
                        _Cell(round(100 * n / c.answered, 1), "num", FMT_RATE),
                    ]
                )
    s.blank()
    notes = [
        "Ghi chú: số tiền tính bằng đồng; tỷ lệ tính bằng %.",
        "Cách tổng hợp: “cộng dồn” cộng mọi báo cáo trong kỳ; “bình quân” là trung bình các "
        "báo cáo có số liệu; “cao nhất” là số lớn nhất; “mới nhất” là số của kỳ gần nhất.",
    ]
    for text in notes:
        row = s.add([None, _Cell(text, "note")])
        s.merges.append(f"B{row}:{last}{row}")
        s.skip_width_rows.add(row)
    s.widths.update({1: 7, 2: 46})
    return s


_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _roman(n: int) -> str:
    return _ROMAN[n] if n < len(_ROMAN) else str(n)


def _table_sheet(
    title: str, cols: Sequence[_Col], rows: Iterable[list[object]], empty: str
) -> _Sheet:
    s = _Sheet(title)
    s.add([_Cell(c.header, "header") for c in cols], height=_header_height(cols))
    looks = tuple(_Look(*_column_look(col)) for col in cols)  # once per column, not per cell
    n = s.add_table(looks, rows)
    last = _col_name(len(cols))
    s.filter_ref = f"A1:{last}{max(n + 1, 2)}"
    if n == 0:
        s.add([_Cell(empty, "note")])
        s.skip_width_rows.add(2)
    s.freeze = "B2"
    s.print_rows = "1:1"
    for j, c in enumerate(cols, 1):
        if c.width is not None:
            s.widths[j] = c.width
    return s


def _column_look(col: _Col) -> tuple[str, str | None]:
    """The style and number format of a table column's cells."""
    if col.kind == "date":
        return "date", None
    if col.kind == "field":
        assert col.field is not None
        return "num", _field_format(col.field)
    return {
        "int": ("num", FMT_INT),
        "index": ("center", None),
        "rate": ("num", FMT_RATE),
        "num": ("num", FMT_DECIMAL),
        "wrap": ("wrap", None),
    }.get(col.kind, ("text", None))


def _header_height(cols: Sequence[_Col]) -> float:
    longest = max((len(c.header) for c in cols), default=0)
    return 15.0 * min(max(2, math.ceil(longest / 14)), 6)


def _per_period_sheet(r: Rollup) -> _Sheet:
    cols = [
        _Col("Kỳ báo cáo", "text"),
        _Col("Từ ngày", "date", width=12),
        _Col("Đến ngày", "date", width=12),
        _Col("Số đơn vị phải báo cáo", "int"),
        _Col("Số đơn vị đã báo cáo", "int"),
    ]
    cols += [_Col(field_header(f), "field", f) for f in r.numeric_fields]
    rows: list[list[object]] = [
        [
            _period_label(r, pt.period),
            pt.period.start,
            pt.period.last_day,
            pt.expected,
            pt.received,
            *(pt.values.get(f.key) for f in r.numeric_fields),
        ]
        for pt in r.by_period
    ]
    s = _table_sheet("Theo kỳ", cols, rows, NO_REPORTS)
    if rows:
        s.add(
            [
                _Cell(f"Cả kỳ ({r.span.label()})", "total"),
                _Cell(None, "total"),
                _Cell(None, "total"),
            ]
            + [_Cell(r.expected, "total_num", FMT_INT), _Cell(r.received, "total_num", FMT_INT)]
            + [_Cell(t.value, "total_num", _field_format(t.field)) for t in r.totals]
        )
    return s


def _per_unit_sheet(r: Rollup, places: _Places) -> _Sheet:
    cols = [_Col("Đơn vị", "text")]
    if places.any:
        cols.append(_Col("Thuộc", "text"))
    cols += [_Col("Mã đơn vị", "text"), _Col("Số báo cáo", "int")]
    cols += [_Col(field_header(f), "field", f) for f in r.numeric_fields]
    rows: list[list[object]] = []
    for line in r.lines:
        row: list[object] = [r.name(line.org)]
        if places.any:
            row.append(places.of(line.org))
        row += [line.org.code, line.reports]
        row += [line.values.get(f.key) for f in r.numeric_fields]
        rows.append(row)
    s = _table_sheet("Theo đơn vị", cols, rows, NO_REPORTS)
    if rows:
        pad = len(cols) - len(r.totals) - 2
        s.add(
            [_Cell("Tổng cộng", "total")]
            + [_Cell(None, "total") for _ in range(pad)]
            + [_Cell(r.reports, "total_num", FMT_INT)]
            + [_Cell(t.value, "total_num", _field_format(t.field)) for t in r.totals]
        )
    return s


def _checklist_sheet(r: Rollup, places: _Places) -> _Sheet:
    """A checklist's classes: one row per unit with its class in each period and its latest
    share of criteria met and criteria not met, then the units per class in each period."""
    sc = r.checklist
    assert sc is not None
    numbers = {f.key: n for n, f in r.template.numbered_fields(None)}
    cols = [_Col("Đơn vị", "text")]
    if places.any:
        cols.append(_Col("Thuộc", "text"))
    cols += [_Col(f"Mức {p.short_label()}", "text") for p in r.periods]
    cols += [
        _Col("Mức gần nhất", "text"),
        _Col("Tỷ lệ tiêu chí đạt gần nhất (%)", "rate"),
        _Col("Tiêu chí chưa đạt gần nhất", "wrap", width=30),
    ]
    rows: list[list[object]] = []
    for u in sc.units:
        row: list[object] = [r.name(u.org)]
        if places.any:
            row.append(places.of(u.org))
        for p in r.periods:
            a = u.by_period.get(p.key)
            row.append(None if a is None else level_title(a.level))
        last = u.latest
        failed = "" if last is None else ", ".join(str(numbers.get(k, k)) for k in last.failed)
        row += [
            None if last is None else level_title(last.level),
            None if last is None or last.percent is None else float(last.percent),
            failed or None,
        ]
        rows.append(row)
    s = _table_sheet("Phân loại", cols, rows, NO_REPORTS)
    s.blank()
    pad = 1 + int(places.any)
    s.add(
        [_Cell("Số đơn vị theo mức", "header")]
        + [None] * (pad - 1)
        + [_Cell(p.short_label(), "header") for p in r.periods]
    )
    spec = r.template.checklist
    assert spec is not None
    labels: list[tuple[str | None, str]] = [(lv.key, lv.title) for lv in spec.levels]
    if any(a.level is None for u in sc.units for a in u.by_period.values()):
        labels.append((None, level_title(None)))
    for key, title in labels:
        cells: list[_Cell | None] = [_Cell(title, "total")] + [None] * (pad - 1)
        for p in r.periods:
            n = sum(
                count
                for lv, count in sc.counts(p.key)
                if (lv.key if lv is not None else None) == key
            )
            cells.append(_Cell(n, "total_num", FMT_INT))
        s.add(cells)
    return s


def _narrative_sheet(r: Rollup, places: _Places) -> _Sheet:
    cols = [_Col("Kỳ báo cáo", "text"), _Col("Từ ngày", "date", width=12), _Col("Đơn vị", "text")]
    if places.any:
        cols.append(_Col("Thuộc", "text"))
    cols += [_Col("Mục", "text"), _Col("Nội dung", "wrap", width=70)]
    rows: list[list[object]] = []
    for n in r.narratives:
        row: list[object] = [n.period.short_label(), n.period.start, r.name(n.org)]
        if places.any:
            row.append(places.of(n.org))
        row += [n.field.label, n.text]
        rows.append(row)
    s = _table_sheet("Nội dung", cols, rows, NO_NARRATIVES)
    s.max_width[len(cols) - 1] = 36  # the field label wraps
    for i, row in enumerate(rows, 2):
        lines = _estimate_lines(clean_text(str(row[-1])), 70)
        if lines > 1:
            s.heights[i] = 15.75 * min(lines, 60)
    return s


def _indicator_verdict(reached: bool | None, target: Decimal | None, why: str) -> str:
    if why:
        return why
    if target is None:
        return "Chưa đặt chỉ tiêu"
    return "Đạt" if reached else "Chưa đạt"


def _indicator_sheet(r: Rollup, places: _Places) -> _Sheet:
    """Each indicator: the whole first, then every unit (value, target, progress, verdict)."""
    cols = [_Col("Chỉ số", "text"), _Col("Đơn vị", "text")]
    if places.any:
        cols.append(_Col("Thuộc", "text"))
    cols += [
        _Col("Mã đơn vị", "text"),
        _Col("Giá trị", "num"),
        _Col("Chỉ tiêu", "num"),
        _Col("Tiến độ (% chỉ tiêu)", "rate"),
        _Col("Đánh giá", "text"),
    ]
    rows: list[list[object]] = []
    whole = r.scope.display_name if r.scope is not None else "Toàn bộ"
    for summary in r.indicators:
        ind = summary.indicator
        unit = f" ({ind.unit})" if ind.unit else ""
        label = f"{ind.label}{unit}, {ind.basis.label}"
        entries = [
            (None, summary.outcome, summary.target, summary.reached, summary.progress, True)
        ] + [(u.org, u.outcome, u.target, u.reached, u.progress, u.reported) for u in summary.units]
        for org, outcome, target, reached, progress, reported in entries:
            why = outcome_words(outcome, summary.labels)
            if why and not reported:
                why = "Chưa báo cáo"
            why = why[:1].upper() + why[1:]
            row: list[object] = [label, whole if org is None else r.name(org)]
            if places.any:
                row.append("" if org is None else places.of(org))
            row += [
                "" if org is None else org.code,
                _num(outcome.value),
                _num(target),
                _num(progress),
                _indicator_verdict(reached, target, why),
            ]
            rows.append(row)
    s = _table_sheet("Chỉ số", cols, rows, NO_REPORTS)
    s.max_width[1] = 48
    return s


def _attendance_sheet(r: Rollup, places: _Places, workspace_name: str) -> _Sheet:
    cols = [_Col("STT", "index", width=6), _Col("Đơn vị", "text")]
    if places.any:
        cols.append(_Col("Thuộc", "text"))
    cols += [
        _Col("Số kỳ phải báo cáo", "int"),
        _Col("Đã báo cáo", "int"),
        _Col("Đúng hạn", "int"),
        _Col("Muộn", "int"),
        _Col("Được miễn", "int"),
        _Col("Chưa báo cáo", "int"),
        _Col("Tỷ lệ đã báo cáo (%)", "rate"),
        _Col("Tỷ lệ đúng hạn (%)", "rate"),
        _Col("Số kỳ liên tiếp chưa báo cáo nhiều nhất", "int"),
        _Col("Các kỳ chưa báo cáo", "wrap", width=40),
    ]
    rows: list[list[object]] = []
    for i, a in enumerate(r.attendance, 1):
        row: list[object] = [i, r.name(a.org)]
        if places.any:
            row.append(places.of(a.org))
        row += [
            a.expected,
            a.received,
            a.on_time,
            a.late,
            a.exempt,
            a.missed,
            _num(a.rate),
            _num(a.on_time_rate),
            a.longest_missed_run,
            periods_text(a.missed_periods),
        ]
        rows.append(row)
    s = _table_sheet("Chuyên cần", cols, rows, "Chưa có đơn vị nào trong danh sách phải báo cáo.")
    for i, row in enumerate(rows, 2):
        lines = _estimate_lines(str(row[-1]), 40)
        if lines > 1:
            s.heights[i] = 15.75 * min(lines, 20)

    # Per level, below the units (outside the autofilter).
    if r.levels:
        s.blank()
        s.skip_width_rows.add(s.add([_Cell("TỔNG HỢP THEO CẤP", "heading")]))
        # Same columns as the units above; "Số đơn vị" takes the place of "Thuộc" (or of
        # "Được miễn", which a level does not have, in a single-level workspace).
        head: list[_Cell | None] = [_Cell("STT", "header"), _Cell("Cấp, đơn vị", "header")]
        if places.any:
            head.append(_Cell("Số đơn vị", "header"))
        head += [
            _Cell("Số kỳ phải báo cáo", "header"),
            _Cell("Đã báo cáo", "header"),
            _Cell("Đúng hạn", "header"),
            _Cell("Muộn", "header"),
            _Cell("" if places.any else "Số đơn vị", "header"),
            _Cell("Chưa báo cáo", "header"),
            _Cell("Tỷ lệ đã báo cáo (%)", "header"),
            _Cell("Tỷ lệ đúng hạn (%)", "header"),
        ]
        s.add(head, height=_header_height(cols))
        for i, lv in enumerate(r.levels, 1):
            name = lv.org.display_name if lv.org is not None else (workspace_name or "Toàn bộ")
            style, num = ("total", "total_num") if lv.depth == 0 else ("text", "num")
            units = _Cell(lv.units, num, FMT_INT)
            row_cells: list[_Cell | None] = [
                _Cell(i, "total_center" if lv.depth == 0 else "center"),
                _Cell(name, style, indent=lv.depth),
            ]
            if places.any:
                row_cells.append(units)
            row_cells += [
                _Cell(lv.expected, num, FMT_INT),
                _Cell(lv.received, num, FMT_INT),
                _Cell(lv.on_time, num, FMT_INT),
                _Cell(lv.received - lv.on_time, num, FMT_INT),
                _Cell(None, num) if places.any else units,
                _Cell(lv.expected - lv.received, num, FMT_INT),
                _Cell(_num(lv.rate), num, FMT_RATE),
                _Cell(_num(lv.on_time_rate), num, FMT_RATE),
            ]
            s.add(row_cells)
    return s


def rollup_workbook(r: Rollup, *, workspace_name: str, tz: str = "Asia/Ho_Chi_Minh") -> bytes:
    """The roll-up as an .xlsx workbook (see the module docstring for the sheets and the
    conventions). Pure: the time shown is the roll-up's ``now`` in ``tz``."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": FMT_DATE,
        },
    )
    st = _Styles(wb)
    places = _Places(r)
    footer_title = f"{r.span.label()} – {workspace_name}" if workspace_name else r.span.label()

    sheets = [
        _summary_sheet(r, workspace_name, tz),
        _per_period_sheet(r),
        _table_sheet("Số liệu", _data_columns(r, places), _data_rows(r, places), NO_REPORTS),
        _per_unit_sheet(r, places),
        *([_checklist_sheet(r, places)] if r.checklist is not None else []),
        _narrative_sheet(r, places),
        *([_indicator_sheet(r, places)] if r.indicators else []),
        _attendance_sheet(r, places, workspace_name),
    ]
    for sheet in sheets:
        _write(wb, sheet, st, footer_title)

    stamp = r.now.astimezone(UTC).replace(tzinfo=None)
    wb.set_properties(
        {
            "title": clean_text(f"Tổng hợp kết quả {r.span.label()}"),
            "subject": clean_text(r.campaign_name or r.template.name),
            "author": clean_text(workspace_name) or "Bot báo cáo",
            "created": stamp,
        }
    )
    wb.set_custom_property("Language", "vi-VN")
    wb.close()
    return out.getvalue()
