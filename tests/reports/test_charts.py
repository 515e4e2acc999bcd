"""Charts: the PNGs decode, have the phone size, are not blank, change with the data; every
character drawn exists in the font used and matplotlib reports no missing glyph; the bars
follow the documented rules (headline fields, grouping by commune, the largest and the rest)."""

from __future__ import annotations

import dataclasses
import io
import warnings
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

from bot.core.digest import compute_digest
from bot.core.hierarchy import Hierarchy
from bot.core.models import OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.presets import TAY_NINH_TEMPLATE
from bot.core.rollup import PeriodInfo, Span, compute_rollup
from bot.core.template import template_from_data
from bot.services.exports import charts
from bot.services.exports.charts import (
    GROUPED_NOTE,
    MAX_BARS,
    TOP_NOTE,
    digest_chart,
    headline_fields,
    label_text,
    rollup_chart,
)
from tests.reports.sample import NOW, Province, build_province

WEEK = Period.week(2026, 48)
Q4 = Period(PeriodType.QUARTER, date(2026, 10, 1))


@pytest.fixture(scope="module")
def province() -> Province:
    return build_province()


@pytest.fixture(autouse=True)
def _warnings_are_errors() -> Iterator[None]:
    """A missing glyph is a warning in matplotlib: here it fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    img.load()
    return img.convert("RGB")


def _check_picture(data: bytes) -> Image.Image:
    img = _image(data)
    w, h = img.size
    assert w == 1080
    assert 700 <= h <= 2600, h  # a phone screen or two, not a scroll of 600 bars
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 100  # text, bars, antialiasing
    white = sum(n for n, c in colours if c == (255, 255, 255))
    assert 0.05 < 1 - white / (w * h) < 0.8  # drawn, not blank, not a solid block
    return img


def _has_colour(img: Image.Image, hex_colour: str, min_pixels: int = 500) -> bool:
    rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    colours = img.getcolors(maxcolors=1 << 20) or []
    return sum(n for n, c in colours if c == rgb) >= min_pixels


# -- pictures -------------------------------------------------------------------------------
def test_digest_chart(province: Province) -> None:
    data = digest_chart(province.digest(WEEK), province.trend(WEEK))
    img = _check_picture(data)
    assert _has_colour(img, charts.BLUE) and _has_colour(img, charts.GOLD)
    assert _has_colour(img, charts.RED)  # the digest's week in the trend
    other = Period.week(2026, 14)
    assert digest_chart(province.digest(other), province.trend(other)) != data
    # Without a trend: the by-unit panel only, shorter.
    alone = _image(digest_chart(province.digest(WEEK), None))
    assert alone.size[0] == 1080 and alone.size[1] < img.size[1]


def test_rollup_chart(province: Province) -> None:
    q4 = _check_picture(rollup_chart(province.rollup(Span.of(Q4))))
    assert _has_colour(q4, charts.GREEN) and _has_colour(q4, charts.AMBER)
    year = rollup_chart(province.rollup(Span.of(Period(PeriodType.YEAR, date(2026, 1, 1)))))
    _check_picture(year)
    month = Span.of(Period(PeriodType.MONTH, date(2026, 3, 1)))
    commune = rollup_chart(province.rollup(month, "tanbien"))
    _check_picture(commune)
    assert len({year, commune, rollup_chart(province.rollup(Span.of(Q4)))}) == 3


def test_empty_data_still_makes_a_chart(province: Province) -> None:
    empty = dataclasses.replace(province, versions=())
    d = empty.digest(WEEK)
    assert d.empty
    fig = charts._digest_figure(d, empty.trend(WEEK))
    assert "Kỳ này chưa có số liệu để tổng hợp." in _texts(fig)
    _image(digest_chart(d, empty.trend(WEEK)))
    r = empty.rollup(Span.of(Q4))
    fig = charts._rollup_figure(r)
    assert "Kỳ này chưa có số liệu để tổng hợp." in _texts(fig)
    _image(rollup_chart(r))
    none = dataclasses.replace(province, versions=(), periods=())
    _image(rollup_chart(none.rollup(Span.of(Q4))))


# -- glyphs -----------------------------------------------------------------------------------
def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def _drawn(fig: Figure) -> Iterator[tuple[str, str]]:
    """(text, font file) of every text drawn, tick labels included (drawn first)."""
    charts._png(fig)
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text():
            yield t.get_text(), font_manager.findfont(t.get_fontproperties())


def _check_glyphs(fig: Figure) -> set[str]:
    seen: set[str] = set()
    cmaps: dict[str, Any] = {}
    for text, path in _drawn(fig):
        assert "DejaVuSans" in path, path
        cmap = cmaps.setdefault(path, FT2Font(path).get_charmap())
        missing = [ch for ch in text.replace("\n", "") if ord(ch) not in cmap]
        assert not missing, (text, missing, path)
        seen.update(text)
    return seen


def test_every_character_drawn_is_in_the_font(province: Province) -> None:
    seen = _check_glyphs(charts._digest_figure(province.digest(WEEK), province.trend(WEEK)))
    seen |= _check_glyphs(charts._rollup_figure(province.rollup(Span.of(Q4))))
    month = Span.of(Period(PeriodType.MONTH, date(2026, 3, 1)))
    seen |= _check_glyphs(charts._rollup_figure(province.rollup(month, "tanbien")))
    # Vietnamese letters were really drawn (the check above is not vacuous).
    assert set("ảếậộủưđĐỉờợ") <= seen, set("ảếậộủưđĐỉờợ") - seen


def test_the_glyph_checks_would_catch_a_missing_glyph() -> None:
    path = font_manager.findfont("DejaVu Sans")
    assert ord("📊") not in FT2Font(path).get_charmap()
    fig = Figure()
    fig.text(0.5, 0.5, "📊 báo cáo", family="DejaVu Sans")
    with pytest.raises(UserWarning, match="missing from font"):
        charts._png(fig)


def test_hostile_names_are_drawn_as_text(province: Province) -> None:
    victim = province.unit("mttq")
    name = "$\\frac{1}{0}$ \x07UBMTTQ\u0301 tỉnh có tên rất rất dài không thể nào vừa"
    orgs = tuple(
        dataclasses.replace(o, short_name=name) if o.id == victim.id else o for o in province.orgs
    )
    p = dataclasses.replace(province, orgs=orgs, hierarchy=Hierarchy(orgs))
    fig = charts._digest_figure(p.digest(WEEK), p.trend(WEEK))
    _check_glyphs(fig)
    label = label_text(name)
    assert label in _texts(fig)
    assert label.startswith(r"\$\frac{1}{0}\$ UBMTTQ") and label.endswith("…")
    assert len(label.replace("\\$", "$")) == charts.MAX_LABEL


# -- rules ------------------------------------------------------------------------------------
def test_headline_fields_rule() -> None:
    keys = [f.key for f in headline_fields(TAY_NINH_TEMPLATE, 3)]
    # Required first, then each section's first figure; "nông sản" (only the Farmers'
    # and Veterans' unions report it) comes after the fields every unit reports.
    assert keys == ["so_buoi_tuyen_truyen", "tien_van_dong", "cuoc_giam_sat"]
    no_giam_sat = [
        f.key for f in headline_fields(TAY_NINH_TEMPLATE, 3, lambda f: f.key != "cuoc_giam_sat")
    ]
    assert no_giam_sat == ["so_buoi_tuyen_truyen", "tien_van_dong", "luot_nguoi_tuyen_truyen"]
    t = template_from_data(
        {
            "key": "t",
            "name": "Mẫu",
            "sections": [
                {
                    "key": "a",
                    "title": "A",
                    "applies_to": ["hnd"],
                    "fields": [{"key": "x", "label": "X", "type": "decimal", "unit": "tấn"}],
                },
                {"key": "b", "title": "B", "fields": [{"key": "y", "label": "Y", "type": "text"}]},
            ],
        }
    )
    assert [f.key for f in headline_fields(t, 2)] == ["x"]


def test_many_units_are_grouped_by_commune(province: Province) -> None:
    d, trend = province.digest(WEEK), province.trend(WEEK)
    fields = headline_fields(TAY_NINH_TEMPLATE, 2)
    bars, note = charts._unit_bars(d, fields, charts._Tree(trend, d.completeness.expected))
    assert note == GROUPED_NOTE
    assert len(bars) == 9  # the six provincial organizations and three communes
    assert [b.label for b in bars[:6]] == [
        "UBMTTQ tỉnh",
        "Tỉnh đoàn",
        "LĐLĐ tỉnh",
        "Hội LHPN tỉnh",
        "Hội ND tỉnh",
        "Hội CCB tỉnh",
    ]
    commune = province.unit("tanhoa")
    ids = {o.id for o in province.orgs if o.parent_id == commune.id}
    week = [v for v in province.versions if v.period == WEEK and v.org_id in ids]
    bar = next(b for b in bars if b.label.startswith("Xã Tân Hòa"))
    assert bar.label == f"Xã Tân Hòa ({len(week)}/6)"
    for key in ("so_buoi_tuyen_truyen", "tien_van_dong"):
        assert bar.values[key] == sum(int(str(v.values[key])) for v in week)


def _flat_province(units: int) -> tuple[Any, Any]:
    """``units`` communes of one Front each under a province, one week of reports."""
    orgs = [OrgUnit(1, 1, "tinh", "Tỉnh", "Tỉnh", reports=False)]
    for i in range(units):
        orgs.append(OrgUnit(2 + 2 * i, 1, f"xa{i}", f"Xã số {i}", f"Xã số {i}", 1, reports=False))
        orgs.append(OrgUnit(3 + 2 * i, 1, f"mt{i}", "UBMTTQ", "UBMTTQ", 2 + 2 * i))
    tree = Hierarchy(orgs)
    deadline = WEEK.moment(timedelta(days=4, hours=10)).astimezone(UTC)
    versions = [
        SubmissionVersion(
            id=i,
            submission_id=i,
            version=1,
            campaign_id=1,
            period=WEEK,
            org_id=o.id,
            channel="telegram",
            user_id="1",
            message_id=str(i),
            raw_text="",
            values={"so_buoi_tuyen_truyen": i + 1, "tien_van_dong": 1_000_000 * (i + 1)},
            submitted_at=deadline - timedelta(hours=1),
            late=False,
        )
        for i, o in enumerate(tree.reporting())
    ]
    d = compute_digest(
        template=TAY_NINH_TEMPLATE,
        orgs=tree.reporting(),
        period=WEEK,
        deadline=deadline,
        current=versions,
        previous=[],
        cumulative=versions,
        now=NOW,
    )
    trend = compute_rollup(
        template=TAY_NINH_TEMPLATE,
        hierarchy=tree,
        span=Span.between(WEEK.start, WEEK.last_day),
        periods=[PeriodInfo(WEEK, deadline)],
        versions=versions,
        now=NOW,
    )
    return d, trend


def test_hundreds_of_units_show_the_largest_and_the_rest() -> None:
    d, trend = _flat_province(600)
    fields = headline_fields(TAY_NINH_TEMPLATE, 2)
    bars, note = charts._unit_bars(d, fields, charts._Tree(trend, d.completeness.expected))
    assert note == TOP_NOTE
    assert len(bars) == MAX_BARS
    assert bars[0].label == "Xã số 599 (1/1)"
    assert bars[-1].label == "Các đơn vị khác (589)"
    assert bars[-1].values["so_buoi_tuyen_truyen"] == sum(range(1, 590))
    img = _check_picture(digest_chart(d, trend))
    assert img.size[1] < 2000


def test_units_with_the_same_short_name_are_told_apart() -> None:
    d, trend = _flat_province(5)
    fields = headline_fields(TAY_NINH_TEMPLATE, 2)
    bars, note = charts._unit_bars(d, fields, charts._Tree(trend, d.completeness.expected))
    assert note == ""
    assert [b.label for b in bars] == [f"UBMTTQ (Xã số {i})" for i in range(5)]
    bars, _ = charts._unit_bars(d, fields, charts._Tree(None, d.completeness.expected))
    assert [b.label for b in bars] == [f"UBMTTQ (mt{i})" for i in range(5)]


def test_money_is_drawn_in_millions(province: Province) -> None:
    fig = charts._digest_figure(province.digest(WEEK), province.trend(WEEK))
    texts = _texts(fig)
    assert any("(triệu đồng)" in t for t in texts)
    r = province.rollup(Span.of(Q4))
    texts = _texts(charts._rollup_figure(r))
    total = next(t for t in r.totals if t.key == "tien_van_dong").value
    assert isinstance(total, int)
    short = f"{Decimal(total) / 10**9:.2f}".replace(".", ",")
    assert any(f"Cả kỳ: {short} tỷ đồng" in t for t in texts), texts


def test_a_week_label_is_in_the_title(province: Province) -> None:
    fig = charts._digest_figure(province.digest(WEEK), province.trend(WEEK))
    # The short label: the dates made the title run off a phone's screen.
    assert "Kết quả tuần 48/2026" in _texts(fig)
