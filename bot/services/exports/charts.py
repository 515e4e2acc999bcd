"""Charts (PNG) for the weekly digest and for roll-ups, drawn with matplotlib, headless.

Made for a phone: 1080 px wide (5.4 in at 200 dpi), one column of panels, large type,
Vietnamese labels, numbers written the Vietnamese way ("1.200", "45,5"), money in "triệu
đồng".

Rules decided here:

* **Headline fields** ("chỉ tiêu chính"): the template's required numeric fields, then the
  first numeric field of each section (the figure the text digest states bare, the one the
  section's title names), then the other numeric fields, in template order; fields kept to
  some organizations (``applies_to`` on the field or its section) come only when nothing
  else is left, and fields nobody filled in are skipped. Both charts draw the first two
  (``HEADLINES``); for the Tây Ninh template: "Số buổi tuyên truyền, vận động" (required)
  and "Tiền vận động, ủng hộ" (the support section's first figure).
* **Digest chart**: a header (the week, who reported), then for each headline field a
  horizontal bar per organization for the digest's week (units that have not reported are
  listed with "chưa báo cáo", so the chart also shows who is missing), then the trend of
  the same fields over the last 8 weeks (``trend.by_period``, the digest's week in red).
  With more than 12 units the bars are grouped: the units directly under the top level
  (the provincial organizations) stay on their own and every other unit counts in the
  group it belongs to at the next level (its commune), using ``trend``'s levels for the
  tree; each group's figure is the field's aggregation rule over its units' reports. If
  that is still more than 12 bars (or there is no tree), the 11 largest are shown and the
  rest summed as "Các đơn vị khác" (its figure written, no bar: it would dwarf the others).
  A note under the title says which of these the bars are.
* **Roll-up chart**: for each headline field its figure per period over the span (bars,
  or a line when there are more than 16 periods), the span's figure and change against the
  previous span in the panel title (money as "5,78 tỷ đồng"); then completeness by level as
  100 % bars (on time, late, missing), or by unit when the scope has no levels below it (a
  commune). More than 12 lines: the whole scope and the 11 lowest rates.
* **Font**: DejaVu Sans, which ships with matplotlib and has every Vietnamese letter (a
  test checks each character drawn against the font's character map and that matplotlib
  reports no missing glyph). Text is NFC-normalized (decomposed accents would be drawn as
  separate marks), control characters are removed, "$" is escaped so that a name is never
  read as a formula, and long names are shortened with "…".

Only ``matplotlib.figure.Figure`` and the Agg canvas are used (no pyplot, no global state),
so charts can be drawn from worker threads; matplotlib is imported inside the functions.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from bot.core.digest import Digest, Number
from bot.core.periods import Period, PeriodType
from bot.core.rollup import LevelAttendance, Rollup
from bot.core.template import Aggregation, FieldType, Template, TemplateField
from bot.core.vnformat import format_decimal, format_int, format_money_short

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from bot.core.models import OrgUnit

__all__ = ["digest_chart", "headline_fields", "rollup_chart"]

FONT = "DejaVu Sans"
DPI = 200
WIDTH_IN = 5.4  # 1080 px at 200 dpi
MAX_BARS = 12
TREND_PERIODS = 8
MAX_LEVELS = 12
LINE_AFTER = 16
MIN_SLOTS = 6  # a trend with fewer periods keeps the width of this many bars  # more periods than this: a line instead of bars
MAX_LABEL = 30
HEADLINES = 2  # headline fields drawn

BLUE = "#1f5fa8"
TEAL = "#0f8b8d"
GOLD = "#c98a00"
RED = "#c62828"
GREEN = "#2e7d32"
AMBER = "#f2a900"
GREY = "#b0b7c3"
INK = "#1a1a1a"
MUTED = "#5f6b7a"
FIELD_COLOURS = (BLUE, GOLD, TEAL)

SIZE_TITLE = 15
SIZE_SUB = 10.5
SIZE_PANEL = 11
SIZE_TICK = 10
SIZE_VALUE = 9.5

_PERIOD_WORD = {
    PeriodType.WEEK: "Tuần",
    PeriodType.MONTH: "Tháng",
    PeriodType.QUARTER: "Quý",
    PeriodType.HALF: "Kỳ",
    PeriodType.YEAR: "Năm",
}
_PREVIOUS = {
    PeriodType.WEEK: "tuần trước",
    PeriodType.MONTH: "tháng trước",
    PeriodType.QUARTER: "quý trước",
    PeriodType.HALF: "kỳ trước",
    PeriodType.YEAR: "năm trước",
}
_ROMAN = ("", "I", "II", "III", "IV")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


# -- text ---------------------------------------------------------------------------------
def label_text(text: str, limit: int | None = MAX_LABEL) -> str:
    """Text safe to draw: NFC, no control characters, "$" escaped, at most ``limit``."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.replace("$", r"\$")


def _wrap(text: str, width: int) -> str:
    """Wrapped at ``width`` characters, keeping the line breaks already in ``text``."""
    return "\n".join("\n".join(textwrap.wrap(part, width)) or part for part in text.split("\n"))


def _number_text(value: float, places: int = 1) -> str:
    """1200 -> "1.200"; 45.54 -> "45,5"; whole numbers without decimals."""
    if abs(value - round(value)) < 1e-9:
        return format_int(round(value))
    d = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_decimal(d)


# -- fields -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Measure:
    """How a field is drawn: its title with the unit shown and the scale to that unit."""

    field: TemplateField
    title: str
    unit: str
    scale: float

    def value(self, n: Number | None) -> float | None:
        return None if n is None else float(n) / self.scale

    def text(self, v: float) -> str:
        if self.field.type is FieldType.PERCENT:
            return _number_text(v) + "%"
        places = 1 if self.scale > 1 or self.field.type is not FieldType.COUNT else 0
        return _number_text(v, places)


def _measure(f: TemplateField) -> _Measure:
    if f.type is FieldType.MONEY:
        unit = "triệu đồng"
        return _Measure(f, f"{label_text(f.label, 60)} ({unit})", unit, 1_000_000)
    unit = "%" if f.type is FieldType.PERCENT else f.unit
    title = f"{label_text(f.label, 60)} ({label_text(unit, 20)})" if unit else label_text(f.label)
    return _Measure(f, title, unit, 1)


def _restricted(template: Template) -> set[str]:
    out: set[str] = set()
    for section in template.sections:
        for f in section.fields:
            if section.applies_to or f.applies_to:
                out.add(f.key)
    return out


def headline_fields(
    template: Template, limit: int, has_value: Callable[[TemplateField], bool] | None = None
) -> list[TemplateField]:
    """The headline fields (see the module docstring), at most ``limit``."""
    required = [f for f in template.all_fields() if f.type.numeric and f.required]
    firsts: list[TemplateField] = []
    for section in template.sections:
        first = next((f for f in section.fields if f.type.numeric), None)
        if first is not None:
            firsts.append(first)
    rest = [f for f in template.all_fields() if f.type.numeric]
    ordered: list[TemplateField] = []
    seen: set[str] = set()
    for f in [*required, *firsts, *rest]:
        if f.key not in seen:
            seen.add(f.key)
            ordered.append(f)
    if has_value is not None:
        ordered = [f for f in ordered if has_value(f)]
    restricted = _restricted(template)
    open_ = [f for f in ordered if f.key not in restricted]
    # The other fields of the sections come only after every section's headline.
    main = [f for f in open_ if f in required or f in firsts]
    extra = [f for f in open_ if f not in main]
    picked = (main + extra)[:limit]
    if len(picked) < limit:
        picked += [f for f in ordered if f.key in restricted][: limit - len(picked)]
    return picked


def _combine(f: TemplateField, values: Sequence[Number]) -> Number | None:
    """A group's figure from its units' figures (in report order), by the field's rule."""
    if not values:
        return None
    agg = f.aggregation
    if agg is Aggregation.SUM:
        return sum(values, Decimal(0)) if f.type is FieldType.DECIMAL else _sum(values)
    if agg is Aggregation.MAX:
        return max(values)
    if agg is Aggregation.LATEST:
        return values[-1]
    return Decimal(sum(Decimal(v) for v in values)) / len(values)


def _sum(values: Sequence[Number]) -> Number:
    total: Number = 0
    for v in values:
        total = total + v
    return total


# -- figure plumbing ----------------------------------------------------------------------
def _bands(heights: Sequence[float]) -> tuple[Figure, list[SubFigure]]:
    """A figure cut into horizontal bands (``heights`` in inches), each band laid out by
    matplotlib on its own (tick labels and titles never clipped, columns of one band not
    tied to another's)."""
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    fig = Figure(figsize=(WIDTH_IN, sum(heights)), dpi=DPI, facecolor="white")
    fig.set_layout_engine(ConstrainedLayoutEngine(h_pad=0.06, w_pad=0.08, hspace=0.0, wspace=0.05))
    subs = fig.subfigures(len(heights), 1, height_ratios=list(heights), hspace=0.0)
    bands = list(subs.flat) if hasattr(subs, "flat") else [subs]
    return fig, bands


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # attaches itself: drawn by Agg, no pyplot, no global backend
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _style_axes(ax: Axes, *, grid_axis: Literal["x", "y"] = "x") -> None:
    ax.tick_params(labelsize=SIZE_TICK, labelfontfamily=FONT, colors=INK, length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GREY)
    ax.grid(axis=grid_axis, color="#e3e7ee", linewidth=0.8)
    ax.set_axisbelow(True)


def _vn_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: _number_text(float(x)))


HEADER_TITLE_IN = 0.42
HEADER_LINE_IN = 0.25


def _header_height(lines: int) -> float:
    return 0.12 + HEADER_TITLE_IN + HEADER_LINE_IN * lines + 0.08


def _header(band: SubFigure, height: float, title: str, lines: Sequence[str]) -> None:
    """Title and sub-lines (in grey) in the top band, ``height`` inches tall."""
    y = 1 - 0.12 / height
    band.text(
        0.035,
        y,
        label_text(title, None),
        fontsize=SIZE_TITLE,
        fontweight="bold",
        family=FONT,
        color=INK,
        va="top",
    )
    y -= HEADER_TITLE_IN / height
    for line in lines:
        band.text(
            0.035, y, label_text(line, None), fontsize=SIZE_SUB, family=FONT, color=MUTED, va="top"
        )
        y -= HEADER_LINE_IN / height


def _header_lines(lines: list[str], width: int = 56) -> list[str]:
    """Header lines wrapped to the figure's width (a long campaign name must not run off
    the right edge of a phone screen)."""
    out: list[str] = []
    for line in lines:
        out.extend(textwrap.wrap(line, width) or [line])
    return out


def _band_title(band: SubFigure, text: str) -> None:
    band.suptitle(
        label_text(text, None),
        x=0.035,
        ha="left",
        fontsize=SIZE_PANEL + 1,
        fontweight="bold",
        family=FONT,
        color=RED,
    )


def _panel_title(ax: Axes, text: str, *, width: int = 52) -> None:
    ax.set_title(
        _wrap(text, width),
        loc="left",
        fontsize=SIZE_PANEL,
        fontweight="bold",
        family=FONT,
        color=INK,
        pad=6,
    )


def _no_data(ax: Axes, text: str) -> None:
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        label_text(text, None),
        ha="center",
        va="center",
        fontsize=SIZE_PANEL,
        family=FONT,
        color=MUTED,
        transform=ax.transAxes,
    )


@dataclass(frozen=True, slots=True)
class _Bar:
    label: str
    values: dict[str, Number | None]  # field key -> figure (None: no report)
    note: str = ""  # shown instead of a value ("chưa báo cáo")
    org: OrgUnit | None = None  # the unit, when the bar is one unit
    rest: bool = False  # "Các đơn vị khác": the figure is written, no bar drawn


def _distinct(bars: list[_Bar], names: Mapping[int, str]) -> list[_Bar]:
    """Bars of units whose short names collide ("UBMTTQ" of two communes) get their full
    name (with the commune) when known, else their code."""
    labels = [b.label for b in bars]
    out: list[_Bar] = []
    for b in bars:
        if b.org is not None and labels.count(b.label) > 1:
            b = replace(b, label=names.get(b.org.id) or f"{b.label} ({b.org.code})")
        out.append(b)
    return out


def _hbars(
    ax: Axes,
    m: _Measure,
    bars: Sequence[_Bar],
    colour: str,
    title: str,
    *,
    names: bool = True,
    title_width: int = 52,
) -> None:
    _style_axes(ax)
    _panel_title(ax, title, width=title_width)
    ys = list(range(len(bars)))
    values = [m.value(b.values.get(m.field.key)) for b in bars]
    # "The rest" gets its figure written but no bar: hundreds of units summed would
    # dwarf the bars the chart is about.
    widths = [v if v is not None and not b.rest else 0.0 for v, b in zip(values, bars, strict=True)]
    ax.barh(ys, widths, color=colour, height=0.68)
    if names:
        ax.set_yticks(ys, labels=[label_text(b.label) for b in bars])
    else:
        ax.tick_params(labelleft=False)
    ax.set_ylim(len(bars) - 0.5, -0.5)  # first bar on top
    ax.xaxis.set_major_formatter(_vn_formatter())
    ax.xaxis.set_major_locator(_locator(3))
    top = max(widths, default=0.0)
    room = 1.4 if title_width < 40 else 1.2  # space for the value after the longest bar
    ax.set_xlim(0, top * room if top > 0 else 1)
    pad = (top if top > 0 else 1) * 0.02
    for y, v, w, b in zip(ys, values, widths, bars, strict=True):
        text = b.note if v is None else m.text(v)
        if not text:
            continue
        if b.rest and v is not None:
            text = f"cộng {text}"
        plain = v is not None and not b.rest
        ax.text(
            w + pad,
            y,
            label_text(text, None),
            va="center",
            fontsize=SIZE_VALUE if plain else SIZE_VALUE - 1,
            family=FONT,
            color=INK if plain else MUTED,
            style="normal" if plain else "italic",
        )


def _locator(n: int) -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=n, min_n_ticks=2)


def _tick(p: Period) -> str:
    if p.type is PeriodType.WEEK:
        return str(p.start.isocalendar().week)
    if p.type is PeriodType.MONTH:
        return str(p.start.month)
    if p.type is PeriodType.QUARTER:
        return _ROMAN[(p.start.month - 1) // 3 + 1]
    if p.type is PeriodType.HALF:
        return "I" if p.start.month == 1 else "II"
    return str(p.start.year)


def _periods_axis_label(periods: Sequence[Period]) -> str:
    first, last = periods[0], periods[-1]
    word = _PERIOD_WORD.get(first.type, "Kỳ")
    y1 = first.start.isocalendar().year if first.type is PeriodType.WEEK else first.start.year
    y2 = last.start.isocalendar().year if last.type is PeriodType.WEEK else last.start.year
    if first.type is PeriodType.YEAR:
        return word
    return f"{word} (năm {y1})" if y1 == y2 else f"{word} (năm {y1} – {y2})"


def _trend(
    ax: Axes,
    m: _Measure,
    periods: Sequence[Period],
    values: Sequence[Number | None],
    colour: str,
    title: str,
    *,
    highlight: Period | None = None,
    title_width: int = 52,
) -> None:
    """A field's figure per period: bars (the ``highlight`` period in red, its value
    written; every value written when there are few bars and room), or a line when the
    periods are many."""
    _style_axes(ax, grid_axis="y")
    _panel_title(ax, title, width=title_width)
    xs = list(range(len(periods)))
    ys = [m.value(v) for v in values]
    heights = [y if y is not None else 0.0 for y in ys]
    ax.yaxis.set_major_formatter(_vn_formatter())
    ax.yaxis.set_major_locator(_locator(4))
    ticks = [_tick(p) for p in periods]
    wide = title_width >= 40
    if len(periods) > LINE_AFTER:
        ax.plot(xs, heights, color=colour, linewidth=2.2, marker="o", markersize=3)
        ax.fill_between(xs, heights, color=colour, alpha=0.12)
        step = max(1, math.ceil(len(xs) / 13))
        shown = xs[::step]
        ax.set_xticks(shown, labels=[ticks[i] for i in shown])
        ax.set_xlim(-0.6, len(xs) - 0.4)
    else:
        colours = [RED if highlight is not None and p == highlight else colour for p in periods]
        ax.bar(xs, heights, color=colours, width=0.72)
        step = 1 if wide or len(xs) <= 8 else 2
        ax.set_xticks(xs[::step], labels=ticks[::step])
        spare = max(0, MIN_SLOTS - len(xs)) / 2  # a bar or two stay bars, not blocks
        ax.set_xlim(-0.6 - spare, len(xs) - 0.4 + spare)
        label_all = highlight is None and wide and len(xs) <= 14
        for x, y, p in zip(xs, ys, periods, strict=True):
            if y is None or not (label_all or p == highlight):
                continue
            ax.text(
                x,
                y,
                m.text(y),
                ha="center",
                va="bottom",
                fontsize=SIZE_VALUE - (2 if label_all else 0),
                family=FONT,
                color=RED if p == highlight else INK,
                fontweight="bold" if p == highlight else "normal",
            )
    top = max(heights, default=0.0)
    ax.set_ylim(0, top * 1.2 if top > 0 else 1)
    ax.set_xlabel(_periods_axis_label(periods), fontsize=SIZE_TICK - 0.5, family=FONT, color=MUTED)


# -- the digest chart ---------------------------------------------------------------------
class _Tree:
    """Parents and groups from what a roll-up knows (units, levels, scope)."""

    def __init__(self, trend: Rollup | None, extra: Sequence[OrgUnit]) -> None:
        known: dict[int, OrgUnit] = {o.id: o for o in extra}
        self.groups: dict[int, OrgUnit] = {}
        self.names: dict[int, str] = {}
        if trend is not None:
            for o in trend.orgs:
                known[o.id] = o
            for line in trend.lines:
                known.setdefault(line.org.id, line.org)
            if trend.scope is not None:
                known[trend.scope.id] = trend.scope
            for lv in trend.levels:
                if lv.org is not None:
                    known[lv.org.id] = lv.org
                    if lv.depth == 1:
                        self.groups[lv.org.id] = lv.org
            self.names = dict(trend.names)
        self.known = known

    def group_of(self, org: OrgUnit) -> OrgUnit | None:
        """The group at the level below the top holding ``org`` (None: ``org`` is not
        under any such group, e.g. a provincial organization)."""
        seen: set[int] = set()
        cur: OrgUnit | None = org
        while cur is not None and cur.id not in seen:
            if cur.id in self.groups:
                return cur
            seen.add(cur.id)
            cur = self.known.get(cur.parent_id) if cur.parent_id is not None else None
        return None


GROUPED_NOTE = "Xã, phường: cộng các đơn vị; trong ngoặc: số đã báo cáo/phải báo cáo."
TOP_NOTE = "Các đơn vị có số lớn nhất; các đơn vị còn lại cộng chung."


def _unit_bars(d: Digest, fields: Sequence[TemplateField], tree: _Tree) -> tuple[list[_Bar], str]:
    """One bar per unit (few units), per group, or the largest and the rest; and the note
    that explains the bars ("" when each bar is a unit)."""
    c = d.completeness
    rows = {r.org.id: r for r in d.rows}
    units: list[OrgUnit] = [*c.expected, *(r.org for r in c.extra)]
    reported_ids = set(rows)

    def figure(org: OrgUnit, f: TemplateField) -> Number | None:
        row = rows.get(org.id)
        if row is None:
            return None
        v = row.values.get(f.key)
        return v if isinstance(v, int | Decimal) and not isinstance(v, bool) else None

    def one(o: OrgUnit) -> _Bar:
        note = "" if o.id in reported_ids else "chưa báo cáo"
        return _Bar(o.display_name, {f.key: figure(o, f) for f in fields}, note, o)

    if len(units) <= MAX_BARS:
        return _distinct([one(o) for o in units], tree.names), ""

    # Group by the level below the top.
    order: list[int] = []
    members: dict[int, list[OrgUnit]] = {}
    heads: dict[int, OrgUnit] = {}
    for o in units:
        g = tree.group_of(o) if tree.groups else None
        head = g or o
        if head.id not in members:
            order.append(head.id)
            members[head.id] = []
            heads[head.id] = head
        members[head.id].append(o)

    def grouped(orgs: Sequence[OrgUnit]) -> dict[str, Number | None]:
        reps = sorted((rows[o.id] for o in orgs if o.id in rows), key=lambda r: r.submitted_at)
        out: dict[str, Number | None] = {}
        for f in fields:
            vals = [
                v
                for r in reps
                if isinstance(v := r.values.get(f.key), int | Decimal) and not isinstance(v, bool)
            ]
            out[f.key] = _combine(f, vals)
        return out

    expected_ids = {o.id for o in c.expected}
    bars = []
    grouped_any = False
    for gid in order:
        orgs = members[gid]
        head = heads[gid]
        if len(orgs) == 1 and orgs[0].id == gid:
            bars.append(one(head))
            continue
        exp = [o for o in orgs if o.id in expected_ids]
        got = sum(1 for o in exp if o.id in reported_ids)
        label = f"{head.display_name} ({got}/{len(exp)})"
        grouped_any = True
        vals = grouped(orgs)
        note = "chưa báo cáo" if all(v is None for v in vals.values()) else ""
        bars.append(_Bar(label, vals, note))
    bars = _distinct(bars, tree.names)
    if len(bars) <= MAX_BARS:
        return bars, GROUPED_NOTE if grouped_any else ""

    # Still too many: the largest by the main field, then the rest together.
    main = fields[0] if fields else None
    if main is None:
        return bars[:MAX_BARS], ""
    keep = MAX_BARS - 1

    def size(b: _Bar) -> float:
        v = b.values.get(main.key)
        return float(v) if v is not None else -1.0

    ranked = sorted(bars, key=size, reverse=True)
    top, rest = ranked[:keep], ranked[keep:]
    rest_values: dict[str, Number | None] = {}
    for f in fields:
        nums = [v for b in rest if (v := b.values.get(f.key)) is not None]
        rest_values[f.key] = _combine(f, nums)
    top.append(_Bar(f"Các đơn vị khác ({format_int(len(rest))})", rest_values, rest=True))
    return top, TOP_NOTE


def _completeness_line(d: Digest) -> str:
    c = d.completeness
    if not c.expected:
        return "Chưa có đơn vị nào trong danh sách phải báo cáo."
    text = f"Đã báo cáo {format_int(c.reported_count)}/{format_int(c.expected_count)} đơn vị"
    if c.reported:
        late = len(c.late)
        text += (
            f" ({format_int(c.reported_count - late)} đúng hạn, {format_int(late)} muộn)"
            if late
            else " (đều đúng hạn)"
        )
    return text + "."


def _digest_figure(d: Digest, trend: Rollup | None) -> Figure:
    def in_digest(f: TemplateField) -> bool:
        t = next((t for t in d.totals if t.key == f.key), None)
        return t is not None and t.value is not None

    fields = headline_fields(d.template, HEADLINES, in_digest if not d.empty else None)
    measures = [_measure(f) for f in fields]
    tree = _Tree(trend, [*d.completeness.expected, *(r.org for r in d.completeness.extra)])
    bars, note = _unit_bars(d, fields, tree) if fields else ([], "")
    recent = []
    if trend is not None and fields:
        recent = [pt for pt in trend.by_period if pt.period.start <= d.period.start]
        recent = recent[-TREND_PERIODS:]

    lines = []
    if d.campaign_name:
        lines.append(d.campaign_name)
    lines.append(_completeness_line(d))
    if note and not d.empty:
        lines.append(note)
    lines = _header_lines(lines)
    heights = [_header_height(len(lines))]
    show_bars = bool(fields) and not d.empty
    heights.append(0.95 + 0.27 * len(bars) + 0.35 if show_bars else 1.3)
    if recent:
        heights.append(2.45)
    fig, bands = _bands(heights)
    _header(bands[0], heights[0], f"Kết quả {d.period.short_label()}", lines)

    unit_band = bands[1]
    if not fields:
        _no_data(unit_band.subplots(), "Mẫu báo cáo không có chỉ tiêu số.")
    elif d.empty:
        _no_data(unit_band.subplots(), "Kỳ này chưa có số liệu để tổng hợp.")
    else:
        _band_title(unit_band, f"1. Theo đơn vị, {d.period.short_label()}")
        axes = unit_band.subplots(1, len(measures), sharey=True, squeeze=False)[0]
        for i, (ax, m) in enumerate(zip(axes, measures, strict=True)):
            _hbars(
                ax,
                m,
                bars,
                FIELD_COLOURS[i % len(FIELD_COLOURS)],
                m.title,
                names=i == 0,
                title_width=17 if len(measures) > 1 else 52,
            )
    if recent:
        band = bands[2]
        word = _PERIOD_WORD.get(d.period.type, "Kỳ").lower()
        _band_title(band, f"2. Diễn biến {len(recent)} {word} gần nhất")
        axes = band.subplots(1, len(measures), squeeze=False)[0]
        periods = [pt.period for pt in recent]
        for i, (ax, m) in enumerate(zip(axes, measures, strict=True)):
            _trend(
                ax,
                m,
                periods,
                [pt.values.get(m.field.key) for pt in recent],
                FIELD_COLOURS[i % len(FIELD_COLOURS)],
                m.title,
                highlight=d.period,
                title_width=19 if len(measures) > 1 else 52,
            )
    return fig


def digest_chart(digest: Digest, trend: Rollup | None) -> bytes:
    """The PNG sent with the weekly digest (see the module docstring). ``trend`` is a
    roll-up of the recent weeks up to the digest's (8 are shown); it also gives the tree
    used to group many units by commune. None: the chart has no trend panel."""
    return _png(_digest_figure(digest, trend))


# -- the roll-up chart --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Attendance:
    """A line of the completeness panel: a level (commune, province) or a unit."""

    name: str
    depth: int
    expected: int
    received: int
    on_time: int

    @property
    def rate(self) -> float:
        return 100 * self.received / self.expected


def _attendance_rows(r: Rollup) -> tuple[list[_Attendance], str]:
    """The levels of the scope with their completeness; when the scope has no levels
    below it (one commune, a single-level workspace), its units instead. Too many: the
    scope and the lowest rates. Also the panel's title."""
    levels = [lv for lv in r.levels if lv.expected > 0]
    title = "Số báo cáo đã nhận / phải gửi"
    rows = [
        _Attendance(_level_name(lv), lv.depth, lv.expected, lv.received, lv.on_time)
        for lv in levels
    ]
    if len(rows) <= 1:
        counted = [a for a in r.attendance if a.expected > 0]
        short = [a.org.display_name for a in counted]
        units = [
            _Attendance(
                r.name(a.org) if short.count(name) > 1 else name,
                1,
                a.expected,
                a.received,
                a.on_time,
            )
            for a, name in zip(counted, short, strict=True)
        ]
        if not units:
            return rows, title
        if not rows:
            rows = [_Attendance("Toàn bộ", 0, r.expected, r.received, r.on_time)]
        rows += units
    if len(rows) > MAX_LEVELS:
        first, rest = rows[0], rows[1:]
        rest.sort(key=lambda a: (a.rate, -a.expected))
        rows = [first, *rest[: MAX_LEVELS - 1]]
        title += f" ({format_int(MAX_LEVELS - 1)} nơi có tỷ lệ thấp nhất)"
    return rows, title


def _level_name(lv: LevelAttendance) -> str:
    return lv.org.display_name if lv.org is not None else "Toàn bộ"


def _completeness_bars(band: SubFigure, ax: Axes, rows: Sequence[_Attendance], title: str) -> None:
    _style_axes(ax)
    _panel_title(ax, title, width=34)
    ys = list(range(len(rows)))
    on_time = [100 * a.on_time / a.expected for a in rows]
    late = [100 * (a.received - a.on_time) / a.expected for a in rows]
    missing = [100 - x - y for x, y in zip(on_time, late, strict=True)]
    ax.barh(ys, on_time, color=GREEN, height=0.62, label="Đúng hạn")
    ax.barh(ys, late, left=on_time, color=AMBER, height=0.62, label="Muộn")
    lefts = [x + y for x, y in zip(on_time, late, strict=True)]
    ax.barh(ys, missing, left=lefts, color=GREY, height=0.62, label="Chưa báo cáo")
    ax.set_yticks(ys, labels=[label_text(a.name) for a in rows])
    for lab, a in zip(ax.get_yticklabels(), rows, strict=True):
        if a.depth == 0:
            lab.set_fontweight("bold")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 118)
    ax.set_xticks([0, 25, 50, 75, 100], labels=["0", "25", "50", "75", "100%"])
    for y, a in zip(ys, rows, strict=True):
        ax.text(
            101.5,
            y,
            _number_text(a.rate) + "%",
            va="center",
            fontsize=SIZE_VALUE,
            family=FONT,
            color=INK,
            fontweight="bold" if a.depth == 0 else "normal",
        )
    band.legend(
        loc="outside lower center",
        ncols=3,
        frameon=False,
        prop={"family": FONT, "size": SIZE_TICK},
    )


def _total_title(r: Rollup, m: _Measure) -> str:
    t = next((t for t in r.totals if t.key == m.field.key), None)
    if t is None or t.value is None:
        return m.title
    v = m.value(t.value)
    assert v is not None
    unit = m.unit if m.field.type is not FieldType.PERCENT else ""

    def amount(n: Number, scaled: float) -> str:
        if m.field.type is FieldType.MONEY:
            return format_money_short(int(n))  # "5,78 tỷ đồng", "16 triệu đồng"
        return f"{m.text(scaled)}{(' ' + unit) if unit else ''}"

    text = f"{m.title}\nCả kỳ: {amount(t.value, v)}"
    if t.aggregation is Aggregation.AVERAGE:
        text += " (bình quân)"
    if t.change is not None and t.previous is not None:
        ch = m.value(t.change)
        assert ch is not None
        if ch == 0:
            text += ", không đổi"
        else:
            word = "tăng" if ch > 0 else "giảm"
            if m.field.type is FieldType.PERCENT:
                text += f", {word} {_number_text(abs(ch))} điểm %"
            else:
                magnitude: Number = -t.change if t.change < 0 else t.change
                text += f", {word} {amount(magnitude, abs(ch))}"
        prev = r.span.previous()
        if r.span.period is not None:
            text += f" so với {_PREVIOUS.get(r.span.period.type, 'kỳ trước')}"
        else:
            text += f" so với {prev.label()}"
    return text


def _rollup_figure(r: Rollup) -> Figure:
    def has_value(f: TemplateField) -> bool:
        return any(pt.values.get(f.key) is not None for pt in r.by_period)

    fields = headline_fields(r.template, HEADLINES, has_value if not r.empty else None)
    levels, levels_title = _attendance_rows(r)
    lines = []
    if r.campaign_name:
        lines.append(r.campaign_name)
    if r.expected:
        rate = r.rate
        lines.append(
            f"Đã nhận {format_int(r.received)}/{format_int(r.expected)} báo cáo"
            + (f" ({_number_text(float(rate))}%)" if rate is not None else "")
            + f", đúng hạn {format_int(r.on_time)}."
        )
    else:
        lines.append("Chưa có kỳ báo cáo nào đến hạn.")
    lines = _header_lines(lines)
    heights = [_header_height(len(lines))]
    show_trend = bool(fields) and not r.empty and bool(r.by_period)
    if show_trend:
        heights += [2.35] * len(fields)
    else:
        heights.append(1.3)
    if levels:
        heights.append(0.9 + 0.3 * len(levels) + 0.45)
    fig, bands = _bands(heights)
    _header(bands[0], heights[0], f"Tổng hợp kết quả {r.span.label()}", lines)
    row = 1
    if show_trend:
        periods = [pt.period for pt in r.by_period]
        word = _PERIOD_WORD.get(periods[0].type, "Kỳ").lower()
        for i, f in enumerate(fields):
            m = _measure(f)
            band = bands[row]
            if i == 0:
                _band_title(band, f"Kết quả theo {word}")
            _trend(
                band.subplots(),
                m,
                periods,
                [pt.values.get(f.key) for pt in r.by_period],
                FIELD_COLOURS[i % len(FIELD_COLOURS)],
                _total_title(r, m),
                title_width=50,
            )
            row += 1
    else:
        text = (
            "Kỳ này chưa có số liệu để tổng hợp."
            if fields or r.empty
            else "Mẫu báo cáo không có chỉ tiêu số."
        )
        _no_data(bands[row].subplots(), text)
        row += 1
    if levels:
        word = "theo cấp" if len([lv for lv in r.levels if lv.expected > 0]) > 1 else "theo đơn vị"
        _band_title(bands[row], f"Tình hình báo cáo {word}")
        _completeness_bars(bands[row], bands[row].subplots(), levels, levels_title)
    return fig


def rollup_chart(r: Rollup) -> bytes:
    """The PNG of a roll-up: each headline field per period over the span, and
    completeness by level (see the module docstring)."""
    return _png(_rollup_figure(r))
