"""The emulation registry's files for the review conference ("hội nghị tổng kết"): a Word
list laid out like the roll-up report (the same letterhead, motto, place-date line,
signature block and fonts, from ``bot.services.exports.word``) and an Excel workbook in the
roll-up workbook's style and plumbing (``bot.services.exports.excel``).

Word: the title "DANH SÁCH" with the subject under it, a short paragraph of counts, then one
part per kind (I. good models, II. exemplary collectives, III. exemplary persons), each a
table: No., unit, name and content, period, commendation proposed. Excel: the sheet
"Danh sách" (one row per entry with every stored detail: number, kind, unit, period and its
dates, name, content, photos, who marked it and when, the proposal, its reason, who proposed
and when), and "Theo đơn vị" (counts per unit and kind). Photos are referred to by count:
the reports keep them as the chat platform's file references, which are not pictures a
document can hold.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.core.emulation import EmulationEntry, Registry
from bot.core.letterhead import Letterhead
from bot.core.vnformat import format_int
from bot.services.exports.excel import (
    FMT_DATE,
    FMT_INT,
    _Cell,
    _estimate_lines,
    _Sheet,
    _Styles,
    _write,
    clean_text,
)
from bot.services.exports.word import (
    BODY_PT,
    MAX_NAME,
    TEXT_W,
    _base_styles,
    _clean,
    _finish,
    _fmt,
    _Grid,
    _grid,
    _header,
    _lower_first,
    _page,
    _page_numbers,
    _Para,
    _paragraph,
    _place,
    _Row,
    _rule,
    _run,
)

__all__ = ["registry_document", "registry_workbook"]

DOC_TYPE = "DANH SÁCH"
_ROMAN = ("I", "II", "III")
MAX_ENTRY_TEXT = 1500
PROPOSED = "Đề nghị khen thưởng"
NONE_OF_KIND = "Chưa có {what}."
NO_ENTRIES = "Chưa có mục nào trong sổ điển hình {span}."
CLOSING = "Trên đây là danh sách {subject}./."
WORD_WIDTHS = (12.0, 30.0, 78.0, 22.0, 23.0)  # mm: sums to the text width, 165 mm


def _when(moment: datetime | None, tz: str) -> date | None:
    return None if moment is None else moment.astimezone(ZoneInfo(tz)).date()


def _entry_cell(e: EmulationEntry) -> str:
    parts = []
    if e.title:
        parts.append(f"{_clean(e.title, MAX_NAME)}: ")
    parts.append(_clean(e.text, MAX_ENTRY_TEXT))
    if e.photos:
        parts.append(f" ({format_int(len(e.photos))} ảnh kèm báo cáo)")
    parts.append(f" [số {e.number}]")
    note = _clean(e.shortlist_note, 300) if e.shortlisted else ""
    if note:
        parts.append(f"\nLý do đề nghị: {note}")
    return "".join(parts)


def _counts(reg: Registry) -> str:
    total = len(reg.entries)
    if not total:
        return NO_ENTRIES.format(span=reg.title_span).replace("  ", " ").replace(" .", ".")
    per_kind = [
        f"{format_int(len(entries))} {kind.short}" for kind, entries in reg.by_kind() if entries
    ]
    units = len({e.org_id for e in reg.entries})
    text = (
        f"Tổng hợp từ báo cáo của {format_int(units)} đơn vị, gồm {format_int(total)} mục: "
        f"{', '.join(per_kind)}"
    )
    if not reg.shortlisted_only:
        text += f"; trong đó {format_int(reg.shortlisted)} mục được đề nghị khen thưởng"
    return text + "."


def registry_document(
    reg: Registry,
    letterhead: Letterhead,
    *,
    issued_on: date,
    workspace_name: str,
    tz: str = "Asia/Ho_Chi_Minh",
) -> bytes:
    """The list as a Word document to print, sign and bring to the review conference."""
    import docx

    lh = letterhead.with_defaults(_clean(workspace_name, MAX_NAME))
    doc = docx.Document()
    _page(doc)
    _base_styles(doc)
    _page_numbers(doc)
    _header(doc, lh, _place(lh, workspace_name), issued_on)
    subject = reg.subject()
    p = doc.add_paragraph()
    _fmt(p, align="center", before=18, after=0)
    _run(p, DOC_TYPE, BODY_PT, bold=True)
    p = doc.add_paragraph()
    _fmt(p, align="center", after=0)
    _run(p, _clean(subject, 400), BODY_PT, bold=True)
    _rule(doc, TEXT_W / 3, TEXT_W, before=4, after=12)

    _paragraph(doc, _Para(_counts(reg)))
    for i, (kind, entries) in enumerate(reg.by_kind()):
        _paragraph(doc, _Para(f"{_ROMAN[i]}. {kind.label.upper()}", "h1"))
        if not entries:
            _paragraph(doc, _Para(NONE_OF_KIND.format(what=kind.short)))
            continue
        rows = tuple(
            _Row(
                (
                    str(n),
                    _clean(reg.unit(e), MAX_NAME),
                    _entry_cell(e),
                    reg.when(e),
                    "Có" if e.shortlisted else "",
                )
            )
            for n, e in enumerate(entries, 1)
        )
        _grid(
            doc,
            _Grid(
                headers=("STT", "Đơn vị", "Tên, nội dung", "Kỳ báo cáo", PROPOSED),
                rows=rows,
                widths=WORD_WIDTHS,
                align="clllc",
            ),
        )
    return _finish(
        doc,
        lh,
        subject,
        _clean(subject, 400),
        workspace_name=workspace_name,
        issued_on=issued_on,
        doc_type=DOC_TYPE,
        closing=CLOSING,
    )


# -- Excel ------------------------------------------------------------------------------------
CONTENT_WIDTH = 60  # characters: the "Nội dung" column
TITLE_WIDTH = 40
NOTE_WIDTH = 30
LIST_HEADERS = (
    "STT", "Số trong sổ", "Loại", "Đơn vị", "Kỳ báo cáo", "Từ ngày", "Đến ngày",
    "Tên mô hình, tập thể, cá nhân", "Nội dung", "Số ảnh", "Người đánh dấu", "Ngày đánh dấu",
    PROPOSED, "Lý do đề nghị", "Người đề nghị", "Ngày đề nghị",
)  # fmt: skip


def _list_sheet(reg: Registry, workspace_name: str, tz: str) -> _Sheet:
    sheet = _Sheet("Danh sách")
    sheet.add([_Cell(f"DANH SÁCH {reg.subject().upper()}", "title")], height=22)
    sheet.skip_width_rows.add(sheet.next_row - 1)
    sheet.add([_Cell(workspace_name, "plain")])
    sheet.skip_width_rows.add(sheet.next_row - 1)
    sheet.add([_Cell(_counts(reg), "note")])
    sheet.skip_width_rows.add(sheet.next_row - 1)
    sheet.blank()
    head = sheet.add([_Cell(h, "header") for h in LIST_HEADERS], height=32)
    sheet.freeze = f"A{head + 1}"
    sheet.print_rows = f"{head}:{head}"
    n = 0
    for kind, entries in reg.by_kind():
        for e in entries:
            n += 1
            # Rows as tall as their wrapped text (Excel does not grow a row it opens).
            lines = max(
                _estimate_lines(clean_text(e.text), CONTENT_WIDTH),
                _estimate_lines(clean_text(e.title), TITLE_WIDTH),
                _estimate_lines(clean_text(e.shortlist_note), NOTE_WIDTH),
            )
            sheet.add(
                [
                    _Cell(n, "center"),
                    _Cell(e.number, "center"),
                    _Cell(kind.label, "text"),
                    _Cell(reg.unit(e), "text"),
                    _Cell(reg.when(e), "text"),
                    _Cell(reg.first_day(e), "date", FMT_DATE),
                    _Cell(reg.last_day(e), "date", FMT_DATE),
                    _Cell(e.title, "text"),
                    _Cell(e.text, "wrap"),
                    _Cell(len(e.photos), "num", FMT_INT),
                    _Cell(reg.marked_names.get(e.number, e.marked_by), "text"),
                    _Cell(_when(e.marked_at, tz), "date", FMT_DATE),
                    _Cell("Có" if e.shortlisted else "", "center"),
                    _Cell(e.shortlist_note, "wrap"),
                    _Cell(e.shortlisted_by_name or (e.shortlisted_by or ""), "text"),
                    _Cell(_when(e.shortlisted_at, tz), "date", FMT_DATE),
                ],
                height=15.75 * min(lines, 60) if lines > 1 else None,
            )
    last = sheet.next_row - 1
    sheet.filter_ref = f"A{head}:P{max(last, head)}"
    sheet.widths.update({9: float(CONTENT_WIDTH), 14: float(NOTE_WIDTH)})
    sheet.max_width.update({4: 40, 8: TITLE_WIDTH})
    return sheet


def _units_sheet(reg: Registry) -> _Sheet:
    sheet = _Sheet("Theo đơn vị")
    sheet.add([_Cell("SỐ MỤC THEO ĐƠN VỊ", "title")], height=22)
    sheet.skip_width_rows.add(1)
    sheet.blank()
    kinds = [k for k, _ in reg.by_kind()]
    headers = ["STT", "Đơn vị", *(k.label for k in kinds), "Tổng số", PROPOSED]
    head = sheet.add([_Cell(h, "header") for h in headers], height=32)
    sheet.freeze = f"A{head + 1}"
    units: dict[int, list[EmulationEntry]] = {}
    for e in reg.entries:
        units.setdefault(e.org_id, []).append(e)
    position = {org_id: i for i, org_id in enumerate(reg.unit_order)}
    ordered = sorted(units, key=lambda oid: (position.get(oid, len(position)), oid))
    for n, org_id in enumerate(ordered, 1):
        entries = units[org_id]
        row = [_Cell(n, "center"), _Cell(reg.unit(entries[0]), "text")]
        row.extend(_Cell(sum(1 for e in entries if e.kind is k), "num", FMT_INT) for k in kinds)
        row.append(_Cell(len(entries), "num", FMT_INT))
        row.append(_Cell(sum(1 for e in entries if e.shortlisted), "num", FMT_INT))
        sheet.add(row)
    total = [_Cell("", "total"), _Cell("Tổng cộng", "total")]
    total.extend(
        _Cell(sum(1 for e in reg.entries if e.kind is k), "total_num", FMT_INT) for k in kinds
    )
    total.append(_Cell(len(reg.entries), "total_num", FMT_INT))
    total.append(_Cell(reg.shortlisted, "total_num", FMT_INT))
    sheet.add(total)
    return sheet


def registry_workbook(reg: Registry, *, workspace_name: str, tz: str = "Asia/Ho_Chi_Minh") -> bytes:
    """The list as an .xlsx workbook (see the module docstring), written like the roll-up
    workbook (XlsxWriter, strings never turned into formulas or links). Pure: dates are
    shown in ``tz``; the workbook's own date is the list's latest change, so the same list
    gives the same file."""
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
    footer = " – ".join(p for p in (reg.title_span, workspace_name) if p) or "Sổ điển hình"
    for sheet in (_list_sheet(reg, workspace_name, tz), _units_sheet(reg)):
        _write(wb, sheet, st, footer)
    latest = max((e.updated_at for e in reg.entries), default=datetime(2000, 1, 1, tzinfo=UTC))
    wb.set_properties(
        {
            "title": clean_text(f"Danh sách {_lower_first(reg.subject())}"),
            "author": clean_text(workspace_name) or "Bot báo cáo",
            "created": latest.astimezone(UTC).replace(tzinfo=None),
        }
    )
    wb.set_custom_property("Language", "vi-VN")
    wb.close()
    return out.getvalue()
