"""The Excel workbook and the CSV of a roll-up, opened with openpyxl and the csv module and
checked against figures recomputed here from the sample province's raw reports."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from bot.core.hierarchy import Hierarchy
from bot.core.models import SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.presets import TAY_NINH_TEMPLATE
from bot.core.rollup import Rollup, Span
from bot.services.exports.excel import (
    NO_DATA,
    NO_NARRATIVES,
    NO_REPORTS,
    clean_text,
    periods_text,
    rollup_csv,
    rollup_workbook,
)
from tests.reports.sample import Province, build_province

Q4 = Period(PeriodType.QUARTER, date(2026, 10, 1))
Q3 = Period(PeriodType.QUARTER, date(2026, 7, 1))
Q2 = Period(PeriodType.QUARTER, date(2026, 4, 1))
YEAR = Period(PeriodType.YEAR, date(2026, 1, 1))
WORKSPACE = "Ủy ban MTTQ Việt Nam tỉnh Tây Ninh"
SHEETS = ["Tổng hợp", "Theo kỳ", "Số liệu", "Theo đơn vị", "Nội dung", "Chuyên cần"]


# -- independent recomputation from the raw reports -------------------------------------------
def _in(p: Period, week: Period) -> bool:
    thursday = week.start + timedelta(days=3)
    return p.start <= thursday < p.end


def _versions(prov: Province, p: Period) -> list[SubmissionVersion]:
    return [v for v in prov.versions if _in(p, v.period)]


def _sum(versions: list[SubmissionVersion], key: str) -> Any:
    values = [v.values[key] for v in versions if key in v.values]
    return sum(values, Decimal(0)) if values and isinstance(values[0], Decimal) else sum(values)


@pytest.fixture(scope="module")
def province() -> Province:
    return build_province()


@pytest.fixture(scope="module")
def quarter(province: Province) -> Rollup:
    return province.rollup(Span.of(Q4))


@pytest.fixture(scope="module")
def book(quarter: Rollup) -> openpyxl.Workbook:
    data = rollup_workbook(quarter, workspace_name=WORKSPACE)
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(values_only=True))


def _find(ws: Any, text: str, column: int | None = None) -> Any:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text and (column is None or cell.column == column):
                return cell
    raise AssertionError(f"{text!r} not in {ws.title}")


def _header(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


# -- workbook -----------------------------------------------------------------------------------
def test_sheets_and_title(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    ws: Any = book["Tổng hợp"]
    assert ws["A1"].value == "TỔNG HỢP KẾT QUẢ QUÝ IV/2026"
    assert ws["A1"].font.b
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert WORKSPACE in texts
    assert any(
        t.startswith("quý IV/2026, từ 01/10/2026 đến 31/12/2026; gồm 14 tuần") for t in texts
    )
    assert any(t.startswith("Số liệu cộng dồn không so sánh với quý III/2026") for t in texts)
    # Weeks belong to the quarter of their Thursday: the days they really cover are said.
    assert any("các ngày từ 28/09/2026 đến 03/01/2027" in t for t in texts)
    assert "10h00 Thứ Sáu, 15/01/2027" in texts  # NOW (03h00 UTC) in Vietnam's time


def test_summary_totals_match_the_raw_reports(province: Province, book: openpyxl.Workbook) -> None:
    """Quarter IV (14 weeks) is summed but not compared with quarter III (13): the
    comparison line says why; quarter III against quarter II (13 each) is compared."""
    ws: Any = book["Tổng hợp"]
    now = _versions(province, Q4)
    assert _find(ws, "So sánh với:", column=2).offset(column=1).value == (
        "Số liệu cộng dồn không so sánh với quý III/2026 vì kỳ này có 14 tuần,"
        " quý III/2026 có 13 tuần."
    )
    for key in ("so_buoi_tuyen_truyen", "tien_van_dong"):
        row = _find(ws, TAY_NINH_TEMPLATE.field(key).label, column=2).row
        assert ws.cell(row, 5).value == _sum(now, key)
        assert ws.cell(row, 6).value is None and ws.cell(row, 7).value is None

    data = rollup_workbook(province.rollup(Span.of(Q3)), workspace_name=WORKSPACE)
    ws = openpyxl.load_workbook(io.BytesIO(data))["Tổng hợp"]
    now, before = _versions(province, Q3), _versions(province, Q2)
    for label, key, fmt in (
        ("Số buổi tuyên truyền, vận động", "so_buoi_tuyen_truyen", "#,##0"),
        ("Tiền vận động, ủng hộ", "tien_van_dong", "#,##0"),
        ("Số kiến nghị đã chuyển cơ quan có thẩm quyền", "kien_nghi", "#,##0"),
    ):
        row = _find(ws, label, column=2).row
        value, prev, change = (ws.cell(row, c) for c in (5, 6, 7))
        assert value.value == _sum(now, key) and isinstance(value.value, int)
        assert value.data_type == "n" and value.number_format == fmt
        assert prev.value == _sum(before, key)
        assert change.value == _sum(now, key) - _sum(before, key)
        assert ws.cell(row, 3).value in ("buổi", "đồng", "kiến nghị")
        assert ws.cell(row, 9).value == len(now)  # every report gave the field
    # A decimal field: a float with a decimal display format.
    row = _find(ws, "Nông sản hỗ trợ tiêu thụ", column=2).row
    cell = ws.cell(row, 5)
    assert isinstance(cell.value, float)
    assert cell.value == pytest.approx(float(_sum(now, "nong_san")))
    assert cell.number_format == "#,##0.0#"
    # Money gets its headline reading.
    row = _find(ws, "Tiền vận động, ủng hộ", column=2).row
    assert re.fullmatch(r"\d+,\d+ tỷ đồng", ws.cell(row, 10).value)
    # A field nobody filled in stays empty, not 0.
    row = _find(ws, "Số suất ăn hỗ trợ", column=2).row
    assert ws.cell(row, 5).value is None


def test_summary_completeness_per_level(province: Province, book: openpyxl.Workbook) -> None:
    ws: Any = book["Tổng hợp"]
    weeks = Span.of(Q4).source_periods(PeriodType.WEEK)
    now = _versions(province, Q4)
    row = _find(ws, "Tổng cộng", column=2).row
    assert ws.cell(row, 1).value is None  # the total is not numbered among its parts
    units, expected, received = (ws.cell(row, c).value for c in (3, 4, 5))
    assert (units, expected, received) == (24, 24 * len(weeks), len(now))
    on_time = sum(1 for v in now if not v.late)
    assert ws.cell(row, 6).value == on_time
    assert ws.cell(row, 9).value == pytest.approx(round(100 * len(now) / expected, 1))
    assert ws.cell(row, 9).number_format == "0.0"
    commune = province.unit("tanbien")
    ids = {o.id for o in province.orgs if o.parent_id == commune.id}
    row = _find(ws, "Xã Tân Biên", column=2).row
    assert ws.cell(row, 5).value == sum(1 for v in now if v.org_id in ids)
    # The province's own units have their line, and the numbered parts add up to the total.
    first = _find(ws, "Cấp tỉnh", column=2).row
    assert ws.cell(first, 1).value == 1
    provincial = {o.id for o in province.orgs if o.parent_id == province.unit("tinh").id}
    assert ws.cell(first, 5).value == sum(1 for v in now if v.org_id in provincial)
    total = _find(ws, "Tổng cộng", column=2).row
    parts = range(first, total)
    assert [ws.cell(r, 1).value for r in parts] == [1, 2, 3, 4]
    for col in (3, 4, 5, 6, 7, 8):
        assert sum(ws.cell(r, col).value for r in parts) == ws.cell(total, col).value


def test_data_sheet_one_row_per_report(province: Province, book: openpyxl.Workbook) -> None:
    ws: Any = book["Số liệu"]
    header = _header(ws)
    assert header[:6] == ["Đơn vị", "Thuộc", "Mã đơn vị", "Kỳ báo cáo", "Từ ngày", "Đến ngày"]
    assert "Tiền vận động, ủng hộ (đồng)" in header
    assert "Nông sản hỗ trợ tiêu thụ (tấn)" in header
    assert all(c.font.b for c in ws[1])
    rows = _rows(ws)[1:]
    now = _versions(province, Q4)
    assert len(rows) == len(now)
    money = header.index("Tiền vận động, ủng hộ (đồng)")
    assert sum(r[money] for r in rows if r[money] is not None) == _sum(now, "tien_van_dong")
    tons = header.index("Nông sản hỗ trợ tiêu thụ (tấn)")
    assert sum(r[tons] for r in rows) == pytest.approx(float(_sum(now, "nong_san")))
    # Each row is a real (unit, week) report.
    by_key = {(v.org_id, v.period.start): v for v in now}
    codes = {o.code: o for o in province.orgs}
    buoi = header.index("Số buổi tuyên truyền, vận động (buổi)")
    for r in rows[:50]:
        v = by_key[(codes[r[2]].id, r[4].date())]
        assert r[buoi] == v.values["so_buoi_tuyen_truyen"]
        assert r[3] == v.period.short_label()
        assert r[5].date() == v.period.last_day
    first = ws.cell(2, money + 1)
    assert first.data_type == "n" and first.number_format == "#,##0"
    assert ws.cell(2, 5).number_format == "dd/mm/yyyy"
    assert isinstance(ws.cell(2, 5).value, datetime)
    places = {r[1] for r in rows}
    assert places == {"Tỉnh Tây Ninh", "Xã Tân Hòa", "Xã Tân Biên", "Phường Hòa Thành"}
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows) + 1}"
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert ws.column_dimensions["A"].width >= 20  # unit names fit


def test_per_unit_and_per_period_sheets(province: Province, book: openpyxl.Workbook) -> None:
    now = _versions(province, Q4)
    ws: Any = book["Theo đơn vị"]
    header = _header(ws)
    col = header.index("Số lượt người được tuyên truyền (lượt người)")
    org = province.unit("hnd_tanhoa")
    row = next(r for r in _rows(ws) if r[2] == "hnd_tanhoa")
    mine = [v for v in now if v.org_id == org.id]
    assert row[3] == len(mine)
    assert row[col] == _sum(mine, "luot_nguoi_tuyen_truyen")
    total = _rows(ws)[-1]
    assert total[0] == "Tổng cộng"
    assert total[col] == _sum(now, "luot_nguoi_tuyen_truyen")
    assert ws.auto_filter.ref is not None and ws.freeze_panes == "B2"

    ws = book["Theo kỳ"]
    header = _header(ws)
    col = header.index("Số hộ được hỗ trợ (hộ)")
    week = Period.week(2026, 45)
    row = next(r for r in _rows(ws) if r[0] == "tuần 45/2026")
    these = [v for v in now if v.period == week]
    assert row[4] == len(these) and row[3] == 24
    assert row[col] == _sum(these, "ho_ho_tro")
    assert _rows(ws)[-1][col] == _sum(now, "ho_ho_tro")


def test_narratives_sheet(province: Province, quarter: Rollup, book: openpyxl.Workbook) -> None:
    ws: Any = book["Nội dung"]
    assert _header(ws) == ["Kỳ báo cáo", "Từ ngày", "Đơn vị", "Thuộc", "Mục", "Nội dung"]
    rows = _rows(ws)[1:]
    keys = ("mo_hinh_hay", "kho_khan", "de_xuat", "nhiem_vu_toi")
    expected = sum(1 for v in _versions(province, Q4) for k in keys if k in v.values)
    assert len(rows) == expected == len(quarter.narratives)
    assert {r[4] for r in rows} == {
        "Mô hình hay, cách làm hiệu quả",
        "Khó khăn, vướng mắc",
        "Đề xuất, kiến nghị",
        "Nhiệm vụ tuần tới",
    }
    assert ws.cell(2, 6).alignment.wrap_text
    # Excel stores the width with its cell padding (70 characters shown: 70.71 stored).
    assert ws.column_dimensions["F"].width == pytest.approx(70, abs=1)


def test_attendance_sheet_finds_the_truant(province: Province) -> None:
    r = province.rollup(Span.of(YEAR))
    wb = openpyxl.load_workbook(io.BytesIO(rollup_workbook(r, workspace_name=WORKSPACE)))
    ws: Any = wb["Chuyên cần"]
    header = _header(ws)
    assert header[:4] == ["STT", "Đơn vị", "Thuộc", "Số kỳ phải báo cáo"]
    org = province.unit("hccb_tanbien")
    row = next(x for x in _rows(ws) if x[1] == "Hội CCB (Xã Tân Biên)")
    mine = [v for v in province.versions if v.org_id == org.id]
    weeks = len(province.periods)
    get = dict(zip(header, row, strict=True))
    assert get["Số kỳ phải báo cáo"] == weeks
    assert get["Đã báo cáo"] == len(mine)
    assert get["Chưa báo cáo"] == weeks - len(mine)
    assert get["Số kỳ liên tiếp chưa báo cáo nhiều nhất"] >= 8
    missed = get["Các kỳ chưa báo cáo"]
    assert missed.startswith("tuần ") and missed.endswith("/2026")
    runs = [(int(a), int(b)) for a, b in re.findall(r"(\d+)–(\d+)", missed)]
    assert any(a <= 10 and b >= 17 for a, b in runs), missed  # weeks 10–17 missed in a row
    assert get["Tỷ lệ đã báo cáo (%)"] == pytest.approx(round(100 * len(mine) / weeks, 1))
    # The per-level block below the units.
    level = _find(ws, "TỔNG HỢP THEO CẤP").row
    assert level > len(r.attendance) + 1
    assert ws.auto_filter.ref.endswith(str(len(r.attendance) + 1))
    assert ws.cell(level + 2, 2).value == "Tỉnh Tây Ninh"
    assert ws.cell(level + 2, 3).value == 24  # units


def test_print_setup_and_widths(book: openpyxl.Workbook) -> None:
    for sheet in book:
        ws: Any = sheet
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows
        assert ws.freeze_panes
        assert ws.oddFooter.center.text == "Trang &P/&N"
    assert book["Tổng hợp"].column_dimensions["B"].width == pytest.approx(46, abs=1)


def test_number_formats_present(book: openpyxl.Workbook) -> None:
    formats = {c.number_format for ws in book for row in ws.iter_rows() for c in row}
    assert {"#,##0", "#,##0.0#", "0.0", "dd/mm/yyyy", "+#,##0;-#,##0;0"} <= formats


# -- CSV ----------------------------------------------------------------------------------------
def test_csv_matches_the_data_sheet(province: Province, quarter: Rollup) -> None:
    data = rollup_csv(quarter)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    wb = openpyxl.load_workbook(io.BytesIO(rollup_workbook(quarter, workspace_name=WORKSPACE)))
    assert header == _header(wb["Số liệu"])
    now = _versions(province, Q4)
    assert len(body) == len(now)
    number = re.compile(r"-?\d+(\.\d+)?")
    for name, key in (
        ("Số buổi tuyên truyền, vận động (buổi)", "so_buoi_tuyen_truyen"),
        ("Tiền vận động, ủng hộ (đồng)", "tien_van_dong"),
        ("Nông sản hỗ trợ tiêu thụ (tấn)", "nong_san"),
    ):
        i = header.index(name)
        cells = [r[i] for r in body if r[i]]
        assert all(number.fullmatch(c) for c in cells), cells[:5]
        assert sum(Decimal(c) for c in cells) == _sum(now, key)
    assert body[0][4] == "2026-09-28" and body[0][5] == "2026-10-04"
    assert "Hội ND (Xã Tân Hòa)" in {r[0] for r in body}


# -- empty --------------------------------------------------------------------------------------
def test_an_empty_rollup_makes_valid_files(province: Province) -> None:
    empty = dataclasses.replace(province, versions=())
    r = empty.rollup(Span.of(Q4))
    assert r.empty
    wb = openpyxl.load_workbook(io.BytesIO(rollup_workbook(r, workspace_name="")))
    assert wb.sheetnames == SHEETS
    summary = {c.value for row in wb["Tổng hợp"].iter_rows() for c in row}
    assert NO_DATA in summary
    assert wb["Số liệu"]["A2"].value == NO_REPORTS
    assert wb["Theo đơn vị"]["A2"].value is not None  # the units, without figures
    assert wb["Nội dung"]["A2"].value == NO_NARRATIVES
    att: Any = wb["Chuyên cần"]
    assert att["B2"].value == "UBMTTQ tỉnh"  # unique: no commune added
    assert att.cell(2, _header(att).index("Chưa báo cáo") + 1).value == 14
    rows = list(csv.reader(io.StringIO(rollup_csv(r).decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0][0] == "Đơn vị"


def test_a_span_without_periods(province: Province) -> None:
    r = dataclasses.replace(province, versions=(), periods=()).rollup(Span.of(Q4))
    wb = openpyxl.load_workbook(io.BytesIO(rollup_workbook(r, workspace_name=WORKSPACE)))
    assert wb.sheetnames == SHEETS


# -- hostile text -------------------------------------------------------------------------------
HOSTILE_NAME = "=cmd|' /C calc'!A0"
HOSTILE_TEXT = '=HYPERLINK("http://x.example","bấm")\x00\x07\x1b chuông\ud800'
OTHERS = ("+1+1", "-2+3", "@SUM(A1:A2)")


def _hostile(province: Province) -> Province:
    victim = province.unit("mttq")
    orgs = tuple(
        dataclasses.replace(o, short_name=HOSTILE_NAME) if o.id == victim.id else o
        for o in province.orgs
    )
    week = Period.week(2026, 46)
    versions = []
    for v in province.versions:
        if v.org_id == victim.id and v.period == week:
            values = dict(v.values)
            values["mo_hinh_hay"] = HOSTILE_TEXT
            values["kho_khan"], values["de_xuat"], values["nhiem_vu_toi"] = OTHERS
            v = dataclasses.replace(v, values=values)
        versions.append(v)
    return dataclasses.replace(
        province, orgs=orgs, hierarchy=Hierarchy(orgs), versions=tuple(versions)
    )


def test_hostile_text_is_kept_as_text(province: Province) -> None:
    r = _hostile(province).rollup(Span.of(Q4))
    assert any(n.text.startswith("=HYPERLINK") for n in r.narratives)
    data = rollup_workbook(r, workspace_name="=1+1 &amp; <b>")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws: Any = wb["Nội dung"]
    texts = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    cleaned = clean_text(HOSTILE_TEXT)
    assert cleaned == '=HYPERLINK("http://x.example","bấm") chuông'
    for value in (cleaned, *OTHERS):
        cell = texts[value]
        assert cell.data_type == "s"
        assert cell.quotePrefix
    name = HOSTILE_NAME  # a unique name is shown without its parent
    assert name in {c.value for row in wb["Số liệu"].iter_rows() for c in row}
    rows = list(csv.reader(io.StringIO(rollup_csv(r).decode("utf-8-sig"))))
    assert "'" + name in {row[0] for row in rows}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:4])


# -- details ------------------------------------------------------------------------------------
def test_periods_text() -> None:
    weeks = [Period.week(2026, n) for n in (10, 11, 12, 13, 20)] + [Period.week(2027, 1)]
    assert periods_text(weeks) == "tuần 10–13, 20/2026; tuần 1/2027"
    months = [Period(PeriodType.MONTH, date(2026, m, 1)) for m in (3, 4, 5, 9)]
    assert periods_text(months) == "tháng 3–5, 9/2026"
    assert periods_text([]) == ""


def test_heavy_libraries_load_only_when_used() -> None:
    code = (
        "import sys, bot.services.exports.excel, bot.services.exports.charts\n"
        "heavy = {'openpyxl', 'matplotlib', 'docx'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_long_name_with_emoji_still_gets_its_page_header() -> None:
    from bot.services.exports.excel import _page_header

    text = "Tỉnh 🌾 & " * 60
    header = _page_header(text)
    assert len(("&C" + header).encode("utf-16-le")) // 2 <= 255
    assert header.endswith("…") and "&&" in header and "& " not in header.replace("&&", "")
    assert _page_header("Số liệu – A & B") == "Số liệu – A && B"
