"""The emulation registry's Word and Excel lists (bot.services.exports.emulation) opened with
python-docx and openpyxl: every entry's stored details are there, an empty list is still a
proper document, text typed by people stays text (no formulas, no broken XML), and a list
made in a child process (as the running bot makes files) is the same."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
from docx import Document

from bot.core.emulation import EmulationEntry, EntryFilter, EntryKind, Registry
from bot.core.letterhead import Letterhead
from bot.core.periods import Period, PeriodType
from bot.core.rollup import Span
from bot.services.exports.emulation import registry_document, registry_workbook
from bot.services.exports.offload import ChildProcess, in_thread

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
YEAR = Span.of(Period(PeriodType.YEAR, date(2026, 1, 1)))


def _entry(number: int, org: int, kind: EntryKind, text: str, **kw: object) -> EmulationEntry:
    data: dict[str, object] = {
        "id": number, "workspace_id": 1, "number": number, "org_id": org, "campaign_id": 1,
        "period": Period.week(2026, 40 + number), "field_key": "mo_hinh_hay", "kind": kind,
        "title": "", "text": text, "photos": (), "source": "report", "marked_by": "telegram:9",
        "marked_by_name": "Trần Thị Bình", "marked_at": AT, "updated_at": AT,
    }  # fmt: skip
    data.update(kw)
    return EmulationEntry(**data)  # type: ignore[arg-type]


ENTRIES = [
    _entry(1, 1, EntryKind.MODEL, "Mô hình “Bếp ăn 0 đồng”", photos=("a", "b")),
    _entry(2, 2, EntryKind.COLLECTIVE, '=HYPERLINK("http://x")\x07 tổ tự quản', title="Tổ 3"),
    _entry(
        3,
        1,
        EntryKind.PERSON,
        "Đoàn viên trực 30 ngày " * 200,
        title="Nguyễn Văn Tâm",
        shortlisted_at=AT,
        shortlisted_by="telegram:7",
        shortlisted_by_name="Đặng Thị Giang",
        shortlist_note="Tận tụy",
    ),
]


def _registry(entries: list[EmulationEntry], **flt: Any) -> Registry:
    return Registry.build(
        entries,
        EntryFilter(span=YEAR, **flt),
        order=[1, 2],
        unit_names={1: "Tỉnh đoàn", 2: "Hội ND tỉnh"},
    )


def _word_text(content: bytes) -> str:
    d = Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    parts.extend(c.text for t in d.tables for row in t.rows for c in row.cells)
    return "\n".join(parts)


def test_word_list_holds_each_entry() -> None:
    reg = _registry(ENTRIES)
    data = registry_document(
        reg, Letterhead(), issued_on=date(2027, 1, 5), workspace_name="Tỉnh Tây Ninh"
    )
    text = _word_text(data)
    assert "DANH SÁCH" in text and "Tây Ninh, ngày 05 tháng 01 năm 2027" in text
    assert "I. MÔ HÌNH HAY, ĐIỂN HÌNH “DÂN VẬN KHÉO”" in text
    assert "Mô hình “Bếp ăn 0 đồng” (2 ảnh kèm báo cáo) [số 1]" in text
    assert 'Tổ 3: =HYPERLINK("http://x") tổ tự quản [số 2]' in text  # control char dropped
    assert "Nguyễn Văn Tâm: Đoàn viên" in text and "…" in text  # a long text is cut
    assert "Lý do đề nghị: Tận tụy" in text
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.title.startswith("DANH SÁCH Mô hình hay")
    # One table per kind: STT, unit, name and content, period, proposal.
    assert [len(t.rows) for t in doc.tables[1:4]] == [2, 2, 2]
    assert doc.tables[3].rows[1].cells[4].text == "Có"


def test_excel_list_and_counts_per_unit() -> None:
    reg = _registry(ENTRIES)
    wb = openpyxl.load_workbook(io.BytesIO(registry_workbook(reg, workspace_name="Tỉnh")))
    sheet: Any = wb["Danh sách"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[1], int)]
    assert [r[1] for r in rows] == [1, 2, 3]
    hostile = rows[1]
    assert hostile[8].startswith("=HYPERLINK") and hostile[7] == "Tổ 3"
    cell = next(c for c in sheet["I"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # kept as text, never a formula
    assert rows[2][12] == "Có" and rows[2][13] == "Tận tụy" and rows[2][14] == "Đặng Thị Giang"
    assert rows[0][9] == 2 and rows[0][10] == "Trần Thị Bình"
    units: Any = wb["Theo đơn vị"]
    lines = [r for r in units.iter_rows(values_only=True) if r and r[1]]
    assert lines[1][:6] == (1, "Tỉnh đoàn", 1, 0, 1, 2)
    assert lines[2][:6] == (2, "Hội ND tỉnh", 0, 1, 0, 1)
    assert lines[-1][1:] == ("Tổng cộng", 1, 1, 1, 3, 1)


def test_empty_lists_are_proper_documents() -> None:
    reg = _registry([], shortlisted_only=True)
    text = _word_text(
        registry_document(reg, Letterhead(), issued_on=date(2027, 1, 5), workspace_name="Xã A")
    )
    assert "Chưa có mục nào trong sổ điển hình năm 2026." in text
    assert "Chưa có mô hình hay." in text and "Chưa có cá nhân tiêu biểu." in text
    wb = openpyxl.load_workbook(io.BytesIO(registry_workbook(reg, workspace_name="Xã A")))
    assert wb.sheetnames == ["Danh sách", "Theo đơn vị"]
    first: Any = wb["Danh sách"]
    assert "ĐƯỢC ĐỀ NGHỊ KHEN THƯỞNG" in str(first["A1"].value)


async def test_lists_made_in_a_child_process_match_the_thread() -> None:
    """The running bot makes files in a child process: the registry crosses by pickling and
    the files are the same as those made in a thread."""
    reg = _registry(ENTRIES)
    child = ChildProcess(timeout=120)
    there = await child(registry_workbook, reg, workspace_name="Tỉnh")
    here = await in_thread(registry_workbook, reg, workspace_name="Tỉnh")
    assert there == here
    word = await child(
        registry_document, reg, Letterhead(), issued_on=date(2027, 1, 5), workspace_name="Tỉnh"
    )
    assert "Nguyễn Văn Tâm" in _word_text(word)
