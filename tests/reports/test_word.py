"""The formal Word report: layout of Decree 30/2020/ND-CP, figures against the roll-up and
against sums recomputed from the sample's raw reports, hostile text, and one conversion to
PDF and PNG pages with LibreOffice and poppler (installed by ``make test``)."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.core.hierarchy import Hierarchy
from bot.core.letterhead import Letterhead
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.presets import TAY_NINH_TEMPLATE
from bot.core.rollup import NarrativeKind, PeriodInfo, Rollup, Span, compute_rollup
from bot.core.template import Aggregation
from bot.core.vnformat import format_int
from bot.services.exports.word import document_date_line, rollup_document
from tests.reports.make_samples import (
    SAMPLE_ISSUED_ON,
    SAMPLE_LETTERHEAD,
    docx_to_pdf,
    missing_office_tools,
    pdf_to_pngs,
    word_quarter_bytes,
)
from tests.reports.sample import NOW, Province, build_province

Q4 = Span.of(Period(PeriodType.QUARTER, date(2026, 10, 1)))
# Quarter III has 13 weeks like quarter II, so its sums are compared; quarter IV has 14 and
# is not (see comparison_caveat).
Q3 = Span.of(Period(PeriodType.QUARTER, date(2026, 7, 1)))
Q2_LABEL = "quý II/2026"
YEAR = Span.of(Period(PeriodType.YEAR, date(2026, 1, 1)))
TNR = "Times New Roman"


# -- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def province() -> Province:
    return build_province()


@pytest.fixture(scope="module")
def quarter(province: Province) -> Rollup:
    return province.rollup(Q4)


def make(r: Rollup, lh: Letterhead = SAMPLE_LETTERHEAD, **kw: object) -> bytes:
    kw.setdefault("issued_on", SAMPLE_ISSUED_ON)
    kw.setdefault("workspace_name", "Tỉnh Tây Ninh")
    return rollup_document(r, lh, **kw)  # type: ignore[arg-type]


def open_doc(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def quarter_bytes(quarter: Rollup) -> bytes:
    return make(quarter)


@pytest.fixture(scope="module")
def doc(quarter_bytes: bytes) -> DocxDocument:
    return open_doc(quarter_bytes)


@pytest.fixture(scope="module")
def q3(province: Province) -> Rollup:
    return province.rollup(Q3)


@pytest.fixture(scope="module")
def q3doc(q3: Rollup) -> DocxDocument:
    return open_doc(make(q3))


def body_texts(d: DocxDocument) -> list[str]:
    return [p.text for p in d.paragraphs]


def all_paragraphs(d: DocxDocument) -> Iterator[Paragraph]:
    yield from d.paragraphs
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def all_text(d: DocxDocument) -> str:
    return "\n".join(p.text for p in all_paragraphs(d))


def cell_lines(t: Table, r: int, c: int) -> list[str]:
    return [p.text for p in t.cell(r, c).paragraphs if p.text]


def para(d: DocxDocument, text: str) -> Paragraph:
    return next(p for p in d.paragraphs if p.text == text)


def para_starting(d: DocxDocument, start: str) -> Paragraph:
    return next(p for p in d.paragraphs if p.text.startswith(start))


def table_with_header(d: DocxDocument, header: str) -> Table:
    return next(t for t in d.tables if header in [c.text for c in t.rows[0].cells])


def rows_by_label(t: Table) -> dict[str, list[str]]:
    return {row.cells[1].text: [c.text for c in row.cells] for row in t.rows[1:]}


def tiny_png(w: int = 400, h: int = 200) -> bytes:
    """A valid PNG (a grey gradient) without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes((x * 255 // w) for x in range(w)) for _ in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def q4_versions(province: Province, span: Span = Q4) -> list[SubmissionVersion]:
    """The sample's reports whose week's Thursday falls in the span, recomputed here
    without the roll-up code."""
    return [
        v for v in province.versions if span.start <= v.period.start + timedelta(days=3) < span.end
    ]


def raw_sum(versions: list[SubmissionVersion], key: str) -> int:
    total = 0
    for v in versions:
        value = v.values[key]
        assert isinstance(value, int)
        total += value
    return total


# -- page and fonts -----------------------------------------------------------------------------
def test_page_is_a4_portrait_with_decree_margins(doc: DocxDocument) -> None:
    s = doc.sections[0]
    assert s.page_width is not None and s.page_height is not None
    assert abs(s.page_width - Mm(210)) < Mm(0.5)
    assert abs(s.page_height - Mm(297)) < Mm(0.5)
    for margin, low, high in (
        (s.top_margin, 20, 25),
        (s.bottom_margin, 20, 25),
        (s.left_margin, 30, 35),
        (s.right_margin, 15, 20),
    ):
        assert margin is not None
        assert Mm(low) - Mm(0.1) <= margin <= Mm(high) + Mm(0.1)


def test_times_new_roman_everywhere_including_east_asian(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    assert normal.font.name == TNR
    assert normal.font.size == Pt(14)
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == TNR
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    drf = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert drf.get(qn("w:ascii")) == TNR and drf.get(qn("w:eastAsia")) == TNR
    assert drf.get(qn("w:asciiTheme")) is None
    runs = [r for p in all_paragraphs(doc) for r in p.runs if r.text.strip()]
    assert len(runs) > 100
    for r in runs:
        assert r.font.name == TNR, r.text
        rpr = r._r.rPr
        assert rpr is not None and rpr.rFonts is not None
        assert rpr.rFonts.get(qn("w:eastAsia")) == TNR, r.text
        assert r.font.size is not None and Pt(11) <= r.font.size <= Pt(14), r.text
    body_sizes = {r.font.size for p in doc.paragraphs for r in p.runs if r.text.strip()}
    assert body_sizes == {Pt(14)}


def test_body_paragraphs_justified_indented_spaced(doc: DocxDocument) -> None:
    p = para_starting(doc, "Trên cơ sở báo cáo hằng tuần")
    f = p.paragraph_format
    assert f.alignment is not None and f.alignment.name == "JUSTIFY"
    assert f.first_line_indent is not None
    assert Mm(10) - Mm(0.1) <= f.first_line_indent <= Mm(12.7) + Mm(0.1)
    assert f.space_after == Pt(6)
    assert isinstance(f.line_spacing, float) and 1.0 <= f.line_spacing <= 1.5


# -- header -------------------------------------------------------------------------------------
def test_header_table_body_motto_number_place_date(doc: DocxDocument) -> None:
    t = doc.tables[0]
    body = doc.element.body
    assert body.index(t._tbl) == 0  # the header comes first
    assert len(t.rows) == 2 and len(t.columns) == 2
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}

    agency = [p for p in t.cell(0, 0).paragraphs if p.text]
    assert [p.text for p in agency] == ["ỦY BAN MTTQ VIỆT NAM", "TỈNH TÂY NINH"]
    assert not agency[0].runs[0].bold and agency[1].runs[0].bold
    # the short rule under the issuing body: a bordered empty paragraph
    rules = [p for p in t.cell(0, 0).paragraphs if p._p.find(f".//{qn('w:pBdr')}") is not None]
    assert len(rules) == 1 and rules[0].text == ""

    nation = [p for p in t.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in nation] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert all(r.bold for p in nation for r in p.runs)
    assert nation[0].runs[0].font.size in (Pt(12), Pt(13))
    assert nation[1].runs[0].font.size in (Pt(13), Pt(14))
    rules = [p for p in t.cell(0, 1).paragraphs if p._p.find(f".//{qn('w:pBdr')}") is not None]
    assert len(rules) == 1

    number = cell_lines(t, 1, 0)
    assert len(number) == 1 and number[0].startswith("Số:") and number[0].endswith("/BC-MTTQ-BTT")
    when = t.cell(1, 1).paragraphs[0]
    assert when.text == "Tây Ninh, ngày 05 tháng 01 năm 2027"
    assert all(r.italic for r in when.runs)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 1, 5), "Tây Ninh, ngày 05 tháng 01 năm 2027"),
        (date(2027, 2, 1), "Tây Ninh, ngày 01 tháng 02 năm 2027"),
        (date(2026, 3, 9), "Tây Ninh, ngày 09 tháng 3 năm 2026"),
        (date(2026, 11, 27), "Tây Ninh, ngày 27 tháng 11 năm 2026"),
        (date(2026, 12, 10), "Tây Ninh, ngày 10 tháng 12 năm 2026"),
    ],
)
def test_place_date_line_leading_zeros_per_decree(day: date, expected: str) -> None:
    assert document_date_line("Tây Ninh", day) == expected


def test_place_falls_back_to_workspace_name_and_issuing_body(quarter: Rollup) -> None:
    d = open_doc(make(quarter, Letterhead(), workspace_name="Tỉnh Tây Ninh"))
    t = d.tables[0]
    assert cell_lines(t, 0, 0) == ["ỦY BAN MTTQ VIỆT NAM", "TỈNH TÂY NINH"]
    assert t.cell(1, 1).paragraphs[0].text == "Tây Ninh, ngày 05 tháng 01 năm 2027"
    assert cell_lines(t, 1, 0)[0].endswith("/BC-MTTQ")


@pytest.mark.parametrize(
    ("parent", "issuing", "motto"),
    [
        ("BCH ĐOÀN TNCS HỒ CHÍ MINH", "TỈNH TÂY NINH", ["ĐOÀN TNCS HỒ CHÍ MINH"]),
        ("TỈNH ĐOÀN TÂY NINH", "BAN THƯỜNG VỤ", ["ĐOÀN TNCS HỒ CHÍ MINH"]),
        ("TỈNH ỦY TÂY NINH", "BAN DÂN VẬN", ["ĐẢNG CỘNG SẢN VIỆT NAM"]),
        (
            "ỦY BAN MTTQ VIỆT NAM",
            "XÃ TÂN HÒA",
            ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
        ),
    ],
)
def test_motto_follows_the_issuing_body(
    quarter: Rollup, parent: str, issuing: str, motto: list[str]
) -> None:
    lh = Letterhead(parent_body=parent, issuing_body=issuing, place="Tây Ninh")
    d = open_doc(make(quarter, lh))
    assert cell_lines(d.tables[0], 0, 1) == motto


# -- title and parts ------------------------------------------------------------------------------
def test_title_subject_and_parts_in_order(doc: DocxDocument) -> None:
    texts = body_texts(doc)
    title = para(doc, "BÁO CÁO")
    assert title.runs[0].bold and title.alignment is not None
    assert title.alignment.name == "CENTER"
    subject = texts[texts.index("BÁO CÁO") + 1]
    assert subject == ("Kết quả phối hợp của MTTQ và các tổ chức chính trị - xã hội quý IV/2026")
    assert para(doc, subject).runs[0].bold
    parts = [
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Tình hình báo cáo",
        "2. Tuyên truyền, vận động",
        "3. Vận động, hỗ trợ lực lượng tuyến đầu và người dân gặp khó khăn",
        "4. Hỗ trợ tiêu thụ nông sản",
        "5. Giám sát, phản biện xã hội",
        "6. Mô hình hay, cách làm hiệu quả",
        "7. Biểu tổng hợp số liệu",
        "II. ĐÁNH GIÁ",
        "1. Ưu điểm",
        "2. Hạn chế",
        "III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ",
        "1. Khó khăn, vướng mắc",
        "2. Đề xuất, kiến nghị",
        "IV. NHIỆM VỤ TRỌNG TÂM QUÝ I/2027",
    ]
    positions = [texts.index(h) for h in parts]
    assert positions == sorted(positions)
    for h in parts:
        assert all(r.bold for r in para(doc, h).runs), h
    closing = texts[-2] if texts[-1] == "" else texts[-1]
    assert closing == (
        "Trên đây là báo cáo kết quả phối hợp của MTTQ và các tổ chức chính trị - xã hội"
        " quý IV/2026./."
    )


def test_page_numbers_from_page_two(doc: DocxDocument) -> None:
    s = doc.sections[0]
    assert s.different_first_page_header_footer
    instr = [el.text for el in s.header._element.iter(qn("w:instrText"))]
    assert [i.strip() for i in instr] == ["PAGE"]
    assert s.header.paragraphs[0].alignment is not None
    assert s.header.paragraphs[0].alignment.name == "CENTER"
    assert not list(s.first_page_header._element.iter(qn("w:instrText")))


def test_recipients_and_signature_block(doc: DocxDocument) -> None:
    t = doc.tables[-1]
    borders = t._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left = [p for p in t.cell(0, 0).paragraphs if p.text]
    head = left[0]
    assert head.text == "Nơi nhận:"
    assert head.runs[0].bold and head.runs[0].italic and head.runs[0].font.size == Pt(12)
    lines = [p.text for p in left[1:]]
    assert lines == [
        "- Thường trực Tỉnh ủy (để báo cáo);",
        "- Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam (để báo cáo);",
        "- Các tổ chức chính trị - xã hội tỉnh;",
        "- Lưu: VT.",
    ]
    assert {r.font.size for p in left[1:] for r in p.runs} == {Pt(11)}
    right = [p for p in t.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in right] == ["TM. BAN THƯỜNG TRỰC", "CHỦ TỊCH", "Nguyễn Văn An"]
    assert all(r.bold for p in right for r in p.runs)
    name = right[-1]
    assert name.paragraph_format.space_before is not None
    assert name.paragraph_format.space_before >= Pt(48)  # room to sign and seal


# -- figures --------------------------------------------------------------------------------------
def test_figures_table_matches_rollup_and_raw_sums(
    q3doc: DocxDocument, q3: Rollup, province: Province
) -> None:
    t = table_with_header(q3doc, "Nội dung")
    header = [c.text for c in t.rows[0].cells]
    assert header == [
        "TT",
        "Nội dung",
        "Đơn vị tính",
        "Quý III/2026",
        "Quý II/2026",
        "Tăng (+), giảm (-)",
    ]
    rows = rows_by_label(t)
    assert sum(1 for total in q3.totals if total.change is not None) >= 5
    for total in q3.totals:
        if total.value is None:
            assert total.label not in rows
            continue
        cells = rows[total.label]
        assert cells[3] == format_int(int(total.value)) if isinstance(total.value, int) else True
        assert Decimal(cells[3].replace(".", "").replace(",", ".")) == Decimal(str(total.value))
        assert Decimal(cells[4].replace(".", "").replace(",", ".")) == Decimal(str(total.previous))
        sign = "+" if total.change is not None and total.change > 0 else "-"
        if total.change:
            assert cells[5].startswith(sign)

    # Independently: sums of the raw weekly reports of the quarter and of the one before.
    q2 = Span.of(Period(PeriodType.QUARTER, date(2026, 4, 1)))
    for key, label in (
        ("so_buoi_tuyen_truyen", "Số buổi tuyên truyền, vận động"),
        ("tien_van_dong", "Tiền vận động, ủng hộ"),
    ):
        now = raw_sum(q4_versions(province, Q3), key)
        before = raw_sum(q4_versions(province, q2), key)
        cells = rows[label]
        assert cells[3] == format_int(now)
        assert cells[4] == format_int(before)
        assert cells[5] == ("+" if now >= before else "-") + format_int(abs(now - before))
    assert rows["Tiền vận động, ủng hộ"][2] == "đồng"

    sessions = raw_sum(q4_versions(province, Q3), "so_buoi_tuyen_truyen")
    line = para_starting(q3doc, "- Số buổi tuyên truyền, vận động:").text
    assert line.startswith(f"- Số buổi tuyên truyền, vận động: {format_int(sessions)} buổi, ")
    assert line.endswith(f" so với {Q2_LABEL}.")
    assert not any("không so sánh" in p for p in body_texts(q3doc))


def test_sums_of_unequal_spans_are_not_compared_and_the_report_says_why(
    doc: DocxDocument, quarter: Rollup, province: Province
) -> None:
    """Quarter IV/2026 has 14 ISO weeks, quarter III 13: summed figures carry no change,
    averages and latest values still do, and the report explains the missing comparison."""
    assert quarter.unequal_lengths == (14, 13)
    for total in quarter.totals:
        if total.field.aggregation is Aggregation.SUM:
            assert total.change is None
    t = table_with_header(doc, "Nội dung")
    header = [c.text for c in t.rows[0].cells]
    assert header[:4] == ["TT", "Nội dung", "Đơn vị tính", "Quý IV/2026"]
    sessions = raw_sum(q4_versions(province), "so_buoi_tuyen_truyen")
    line = para_starting(doc, "- Số buổi tuyên truyền, vận động:").text
    assert line == f"- Số buổi tuyên truyền, vận động: {format_int(sessions)} buổi."
    assert (
        "Số liệu cộng dồn không so sánh với quý III/2026 vì quý IV/2026 có 14 tuần,"
        " quý III/2026 có 13 tuần."
    ) in body_texts(doc)


def test_attendance_matches_rollup_and_raw_counts(
    doc: DocxDocument, quarter: Rollup, province: Province
) -> None:
    reports = q4_versions(province)
    units = [o for o in province.orgs if o.reports]
    weeks = Q4.source_periods(PeriodType.WEEK)
    expected = len(units) * len(weeks)  # every deadline of 2026 had passed at NOW
    on_time = sum(1 for v in reports if not v.late)
    assert (quarter.expected, quarter.received, quarter.on_time) == (
        expected,
        len(reports),
        on_time,
    )

    t = table_with_header(doc, "Cấp, địa bàn")
    rows = rows_by_label(t)
    assert list(rows) == ["Cấp tỉnh", "Xã Tân Hòa", "Xã Tân Biên", "Phường Hòa Thành", "Tổng cộng"]
    total = rows["Tổng cộng"]
    assert total[2:6] == [
        format_int(len(units)),
        format_int(expected),
        format_int(len(reports)),
        format_int(on_time),
    ]
    commune = next(o for o in province.orgs if o.code == "tanbien")
    in_commune = {o.id for o in province.orgs if o.parent_id == commune.id}
    got = [v for v in reports if v.org_id in in_commune]
    assert rows["Xã Tân Biên"][4] == format_int(len(got))
    provincial = {o.id for o in units if o.parent_id == province.unit("tinh").id}
    assert rows["Cấp tỉnh"][4] == format_int(sum(1 for v in reports if v.org_id in provincial))

    text = para_starting(doc, "Trong quý IV/2026, có 24 đơn vị").text
    assert f"{format_int(expected)} lượt báo cáo đến hạn" in text
    assert f"đã nhận {format_int(len(reports))} lượt" in text
    assert f"trong đó {format_int(on_time)} lượt đúng hạn" in text


def test_assessment_is_derived_from_the_figures(
    doc: DocxDocument, quarter: Rollup, q3doc: DocxDocument, q3: Rollup
) -> None:
    texts = body_texts(q3doc)
    strengths = texts[texts.index("1. Ưu điểm") + 1 : texts.index("2. Hạn chế")]
    limits = texts[
        texts.index("2. Hạn chế") + 1 : texts.index(next(t for t in texts if t.startswith("III.")))
    ]
    up = next(t for t in strengths if t.startswith(f"So với {Q2_LABEL}"))
    down = next(t for t in limits if "chỉ tiêu giảm" in t)
    for total in q3.totals:
        label = total.label[0].lower() + total.label[1:]
        if total.change is not None and total.change > 0:
            assert f"{label} (" in up and f"{label} (" not in down
        elif total.change is not None and total.change < 0:
            assert f"{label} (" in down and f"{label} (" not in up

    texts = body_texts(doc)
    strengths = texts[texts.index("1. Ưu điểm") + 1 : texts.index("2. Hạn chế")]
    limits = texts[
        texts.index("2. Hạn chế") + 1 : texts.index(next(t for t in texts if t.startswith("III.")))
    ]
    rate = "88,4%"
    assert quarter.rate == Decimal("88.4")
    assert any(rate in t for t in strengths)
    worst = quarter.behind()[0]
    behind = next(t for t in limits if "chưa báo cáo đầy đủ các kỳ" in t)
    assert f"Có {len(quarter.behind())} đơn vị" in behind
    assert quarter.name(worst.org) in behind
    late = quarter.received - quarter.on_time
    assert f"Còn {late} lượt báo cáo gửi muộn" in " ".join(limits)


def test_year_report_names_the_longest_truancy_and_has_no_comparison(
    province: Province,
) -> None:
    r = province.rollup(YEAR)
    d = open_doc(make(r))
    text = all_text(d)
    # The longest run of weeks without a report, recomputed from the raw reports.
    veterans = province.unit("hccb_tanbien")
    weeks = YEAR.source_periods(PeriodType.WEEK)
    reported = {v.period for v in province.versions if v.org_id == veterans.id}
    best: list[Period] = []
    run: list[Period] = []
    for w in weeks:
        run = [*run, w] if w not in reported else []
        if len(run) > len(best):
            best = run
    assert len(best) >= 8  # the sample's spring truancy, weeks 10-17 at least
    first, last = best[0].short_label(), best[-1].short_label()
    lead = "Đơn vị không báo cáo nhiều tuần liên tiếp: "
    line = next(t for t in body_texts(d) if t.startswith(lead))
    assert line.startswith(f"{lead}{r.name(veterans)} {len(best)} tuần (từ {first} đến {last})")
    # No data for 2025: the figures table has no previous-year column and nothing compares.
    t = table_with_header(d, "Nội dung")
    assert [c.text for c in t.rows[0].cells] == ["TT", "Nội dung", "Đơn vị tính", "Năm 2026"]
    assert "so với năm 2025" not in text
    assert "IV. NHIỆM VỤ TRỌNG TÂM NĂM 2027" in body_texts(d)


def test_narratives_deduplicated_with_their_units(doc: DocxDocument, quarter: Rollup) -> None:
    texts = body_texts(doc)

    def part(start: str, end: str | None) -> list[str]:
        i = texts.index(start)
        j = texts.index(end) if end else len(texts)
        return texts[i + 1 : j]

    sections = {
        NarrativeKind.MODEL: part("6. Mô hình hay, cách làm hiệu quả", "7. Biểu tổng hợp số liệu"),
        NarrativeKind.DIFFICULTY: part("1. Khó khăn, vướng mắc", "2. Đề xuất, kiến nghị"),
        NarrativeKind.PROPOSAL: part("2. Đề xuất, kiến nghị", "IV. NHIỆM VỤ TRỌNG TÂM QUÝ I/2027"),
        NarrativeKind.NEXT_TASK: part("IV. NHIỆM VỤ TRỌNG TÂM QUÝ I/2027", None),
    }
    for kind, lines in sections.items():
        entries = quarter.narratives_of(kind)
        distinct = {e.text for e in entries}
        assert distinct
        for text in distinct:
            found = [ln for ln in lines if ln.startswith(f"- {text} (")]
            assert len(found) == 1, (kind, text)
            first_unit = quarter.name(next(e.org for e in entries if e.text == text))
            assert first_unit in found[0]
        bullets = [ln for ln in lines if ln.startswith("- ")]
        assert len(bullets) == len(distinct)


def test_scope_unit_is_named_and_listed_per_unit(province: Province) -> None:
    r = province.rollup(Q4, "tanhoa")
    d = open_doc(make(r))
    texts = body_texts(d)
    assert texts[texts.index("BÁO CÁO") + 1].endswith("quý IV/2026 trên địa bàn xã Tân Hòa")
    t = table_with_header(d, "Đơn vị")
    rows = rows_by_label(t)
    assert len(rows) == 7 and "Tổng cộng" in rows
    assert rows["Tổng cộng"][2] == format_int(r.expected)
    assert rows["Tổng cộng"][3] == format_int(r.received)


def test_date_range_report(province: Province) -> None:
    span = Span.between(date(2026, 10, 1), date(2026, 11, 15))
    r = province.rollup(span)
    d = open_doc(make(r))
    texts = body_texts(d)
    assert texts[texts.index("BÁO CÁO") + 1].endswith("từ 01/10/2026 đến 15/11/2026")
    assert "IV. NHIỆM VỤ TRỌNG TÂM KỲ TỚI" in texts
    assert any(
        t.startswith("Trong thời gian từ 01/10/2026 đến 15/11/2026, có 24 đơn vị") for t in texts
    )
    # 7 weeks against the 6 of the 46 days before: the sums are not compared, and it says so.
    assert any(
        t.startswith("Số liệu cộng dồn không so sánh với kỳ trước (từ 16/08/2026 đến 30/09/2026)")
        and t.endswith("có 7 tuần, kỳ trước (từ 16/08/2026 đến 30/09/2026) có 6 tuần.")
        for t in texts
    )
    # A range of whole weeks (6 against 6) is compared.
    r = province.rollup(Span.between(date(2026, 10, 5), date(2026, 11, 15)))
    texts = body_texts(open_doc(make(r)))
    assert any("so với kỳ trước (từ 24/08/2026 đến 04/10/2026)" in t for t in texts)


@pytest.mark.parametrize(
    ("campaign", "subject"),
    [
        ("Báo cáo tuần MTTQ", "Kết quả phối hợp của MTTQ và các tổ chức chính trị - xã hội"),
        ("Kết quả vận động Quỹ Vì người nghèo", "Kết quả vận động Quỹ Vì người nghèo"),
        ("BCH Đoàn: báo cáo", "Kết quả phối hợp của MTTQ và các tổ chức chính trị - xã hội"),
    ],
)
def test_subject_from_campaign_or_template(province: Province, campaign: str, subject: str) -> None:
    from dataclasses import replace

    r = replace(province.rollup(Q4, previous=False), campaign_name=campaign)
    texts = body_texts(open_doc(make(r)))
    assert texts[texts.index("BÁO CÁO") + 1] == f"{subject} quý IV/2026"


def test_subject_without_result_words_says_ket_qua_thuc_hien(province: Province) -> None:
    from dataclasses import replace

    base = province.rollup(Q4, previous=False)
    template = base.template.model_copy(update={"name": "Vận động Tết vì người nghèo"})
    r = replace(base, campaign_name="", template=template)
    texts = body_texts(open_doc(make(r)))
    assert texts[texts.index("BÁO CÁO") + 1] == (
        "Kết quả thực hiện vận động Tết vì người nghèo quý IV/2026"
    )


def test_empty_rollups_still_make_a_report(province: Province) -> None:
    # Nothing due and nothing received (a quarter after the sample's year).
    span = Span.of(Period(PeriodType.QUARTER, date(2028, 1, 1)))
    empty = province.rollup(span)
    assert empty.empty and empty.expected == 0
    text = all_text(open_doc(make(empty)))
    assert "Chưa có đơn vị nào gửi báo cáo quý I/2028." in text
    assert "IV. NHIỆM VỤ TRỌNG TÂM QUÝ II/2028" in text

    # Periods due but no report at all.
    periods = [p for p in province.periods if Q4.includes(p.period)]
    none = compute_rollup(
        template=TAY_NINH_TEMPLATE,
        hierarchy=province.hierarchy,
        span=Q4,
        periods=periods,
        versions=[],
        now=NOW,
    )
    d = open_doc(make(none))
    text = all_text(d)
    assert "đã nhận 0 lượt, đạt 0%" in text
    assert "Chưa có đơn vị nào gửi báo cáo quý IV/2026." in text
    assert "Chưa có số liệu kết quả" in text
    assert "Các đơn vị chưa phản ánh khó khăn, vướng mắc." in text
    assert "Nơi nhận:" in text


# -- hostile input --------------------------------------------------------------------------------
HOSTILE = "Hội\x00 <w:p>LHPN</w:p> &amp; \x1b[31m\u202eđỏ\ud800 \ufffe\x0b\x0c\x7f \"quote\" 'x'"


def _hostile_rollup() -> Rollup:
    week = Period.week(2026, 48)
    orgs = [
        OrgUnit(1, 1, "a", HOSTILE, HOSTILE),
        OrgUnit(2, 1, "b", "X" * 5000, ""),
    ]
    long_text = "Khó khăn " + "rất dài " * 3000
    values: dict[str, FieldValue] = {
        "so_buoi_tuyen_truyen": 3,
        "kho_khan": long_text,
        "de_xuat": HOSTILE,
        "mo_hinh_hay": "<script>alert(1)</script>\r\n\tmô hình\x01",
        "nhiem_vu_toi": "]]><!-- -->",
    }
    versions = [
        SubmissionVersion(
            id=i,
            submission_id=i,
            version=1,
            campaign_id=1,
            period=week,
            org_id=i,
            channel="zalo",
            user_id=str(i),
            message_id=str(i),
            raw_text="",
            values=values,
            submitted_at=datetime(2026, 11, 26, tzinfo=UTC),
            late=False,
        )
        for i in (1, 2)
    ]
    return compute_rollup(
        template=TAY_NINH_TEMPLATE,
        hierarchy=Hierarchy(orgs),
        span=Span.of(week),
        periods=[PeriodInfo(week, datetime(2026, 11, 27, 10, tzinfo=UTC))],
        versions=versions,
        now=datetime(2026, 12, 1, tzinfo=UTC),
        campaign_name=HOSTILE,
    )


def test_hostile_text_does_not_break_the_file() -> None:
    r = _hostile_rollup()
    lh = Letterhead(
        parent_body=HOSTILE,
        issuing_body="\x00" * 10,
        code="BC\x01<&>",
        place="Tây\x02 Ninh",
        signer_name=HOSTILE,
        recipients=(HOSTILE, "\x00", "- Lưu: VT;"),
    )
    data = make(r, lh, workspace_name="\x03Xã\x00 Tân Hòa", chart_png=b"not a png")
    d = open_doc(data)
    text = all_text(d)
    for bad in ("\x00", "\x01", "\x0b", "\x1b", "\u202e", "\ufffe", "\x7f"):
        assert bad not in text
    assert "<w:p>LHPN</w:p> &amp;" in text  # markup stays literal text
    assert "<script>alert(1)</script> mô hình" in text
    assert "]]><!-- -->" in text
    longest = max(len(p.text) for p in all_paragraphs(d))
    assert longest < 2500
    assert "Tây Ninh, ngày 05 tháng 01 năm 2027" in text
    assert not d.inline_shapes  # the unusable chart was left out
    t = d.tables[-1]
    assert cell_lines(t, 0, 0)[-1] == "- Lưu: VT."


def test_chart_fits_the_text_column(quarter: Rollup) -> None:
    d = open_doc(make(quarter, chart_png=tiny_png()))
    assert len(d.inline_shapes) == 1
    shape = d.inline_shapes[0]
    assert shape.width is not None and shape.width <= Mm(165) + Mm(0.5)
    assert shape.width >= Mm(150)
    tall = open_doc(make(quarter, chart_png=tiny_png(100, 1000)))
    assert tall.inline_shapes[0].height is not None
    assert tall.inline_shapes[0].height <= Mm(250)


# Children order of the property elements, from the WordprocessingML schema (ECMA-376 part 1):
# Word refuses to open a file whose properties are out of order; LibreOffice does not mind,
# so the conversion test cannot catch it.
SCHEMA_ORDER = {
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint"
    " noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect"
    " bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr"
    " suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct"
    " topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind"
    " contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment"
    " textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW"
    " jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption"
    " tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection"
    " tcFitText vAlign hideMark",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar"
    " paperSrc pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg"
    " textDirection bidi rtlGutter docGrid printerSettings sectPrChange",
}


def test_property_elements_in_schema_order(quarter: Rollup) -> None:
    data = make(quarter, chart_png=tiny_png())
    d = open_doc(data)
    parts = [d.element, d.styles.element, d.sections[0].header._element]
    orders = {qn(f"w:{k}"): [qn(f"w:{n}") for n in v.split()] for k, v in SCHEMA_ORDER.items()}
    checked = 0
    for part in parts:
        for el in part.iter(*orders):
            order = orders[el.tag]
            # rPr inside pPr (paragraph mark) or a style is ordered the same way
            positions = [order.index(c.tag) for c in el if c.tag in order]
            assert positions == sorted(positions), (el.tag, [c.tag for c in el])
            assert all(c.tag in order for c in el), (el.tag, [c.tag for c in el])
            checked += 1
    assert checked > 500


# -- LibreOffice: the one slow test -------------------------------------------------------------
def test_converts_to_pdf_and_png_pages(quarter_bytes: bytes, tmp_path: Path) -> None:
    missing = missing_office_tools()
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not installed: `make test` installs libreoffice-writer-nogui"
            " and poppler-utils when run as root (apt-get install -y --no-install-recommends"
            " libreoffice-writer-nogui poppler-utils fonts-liberation fonts-dejavu-core)"
        )
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(quarter_bytes)
    pdf = docx_to_pdf(source, tmp_path / "pdf")
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = int(next(ln for ln in info.splitlines() if ln.startswith("Pages:")).split()[1])
    assert pages >= 2
    assert "A4" in next(ln for ln in info.splitlines() if ln.startswith("Page size:"))
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO"):
        assert words in first
    pngs = pdf_to_pngs(pdf, tmp_path / "png", dpi=60)
    assert len(pngs) == pages
    from PIL import Image

    with Image.open(pngs[0]) as img:
        assert img.width > 400 and img.height > 600
        dark = sum(img.convert("L").histogram()[:128])
        assert dark > 0.01 * img.width * img.height  # text, not a blank page
    assert pngs[0].stat().st_size > 10_000


def test_sample_in_docs_is_current() -> None:
    """docs/mau holds the quarterly sample (with its chart, as the bot sends it):
    regenerate it (`python -m tests.reports.make_samples word`) when the report changes."""
    sample = Path(__file__).resolve().parents[2] / "docs" / "mau" / "bao-cao-quy-IV-2026.docx"
    fresh = open_doc(word_quarter_bytes())
    assert all_text(open_doc(sample.read_bytes())) == all_text(fresh)
    assert sample.with_suffix(".pdf").stat().st_size > 10_000
