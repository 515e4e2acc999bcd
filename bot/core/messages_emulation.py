"""Vietnamese texts of the emulation registry (``/danhdau``, ``/dienhinh``, ``/denghikhen``,
``/bodenghikhen``, ``/bodanhdau``), kept beside the main catalogue (``bot.core.messages``)
so every sentence a user sees stays in the core and can be reviewed together.

Lists in chat are short on purpose (a few lines per entry, at most ``CHAT_LIMIT`` entries):
the full year-end list is the Word or Excel file, which Telegram sends and Zalo cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.emulation import EmulationEntry, Registry, ReportItem
from bot.core.vnformat import format_int

CHAT_LIMIT = 40  # entries listed in one chat reply
ITEM_CHARS = 220  # characters of an item's text shown in a chat list

# -- /danhdau -------------------------------------------------------------------------------
MARK_USAGE = (
    "Cách đánh dấu mô hình hay, tập thể, cá nhân tiêu biểu từ nội dung báo cáo:\n"
    " - /danhdau: xem các nội dung báo cáo có số thứ tự (thêm kỳ, mã đơn vị nếu cần, ví dụ"
    " /danhdau tuần 47 hnd);\n"
    " - /danhdau 2 tập thể | Chi hội Phụ nữ ấp Bàu Sen: ghi nội dung số 2 vào sổ là tập thể"
    " tiêu biểu, kèm tên (loại: mô hình, tập thể, cá nhân; không ghi loại là mô hình hay).\n"
    "Ảnh gửi kèm lệnh được lưu cùng mục."
)
NO_PICK_LIST = (
    "Đồng chí chưa xem danh sách nội dung báo cáo trong cuộc trò chuyện này. Đề nghị gửi"
    " /danhdau để xem danh sách có số thứ tự, rồi gửi /danhdau SỐ LOẠI."
)
NO_ITEMS = (
    "{period}: chưa có nội dung báo cáo nào (mô hình hay, kết quả khác…) để đánh dấu{where}."
    " Đồng chí có thể chọn kỳ khác, ví dụ: /danhdau tuần trước."
)
PICK_OUT_OF_RANGE = "Danh sách vừa xem chỉ có {n} nội dung. Đồng chí chọn số từ 1 đến {n}."
ITEM_GONE = (
    "Nội dung số {n} không còn trong báo cáo (báo cáo đã được sửa). Đồng chí gửi /danhdau để"
    " xem lại danh sách."
)
NOT_YOUR_ITEM = "Đồng chí chỉ đánh dấu được nội dung báo cáo của {name}."
KIND_UNKNOWN = (
    "Chưa hiểu loại “{word}”. Đồng chí ghi một trong: mô hình, tập thể, cá nhân. Ví dụ:"
    " /danhdau 2 cá nhân | Nguyễn Thị Hoa."
)
TITLE_TOO_LONG = "Tên quá dài (tối đa {limit} ký tự). Đồng chí ghi ngắn gọn hơn."


def pick_list(
    period_label: str,
    items: Sequence[ReportItem],
    marked: dict[tuple[int, str, int, str], list[EmulationEntry]],
    names: dict[int, str],
) -> str:
    lines = [f"🏅 Nội dung báo cáo {period_label} có thể ghi vào sổ điển hình:"]
    for i, item in enumerate(items, 1):
        text = _short(item.text)
        photos = f" ({format_int(len(item.photos))} ảnh)" if item.photos else ""
        lines.append(
            f"{i}. {names.get(item.org.id, item.org.display_name)} – {item.field.label}: {text}{photos}"
        )
        for e in marked.get(item.key, []):
            lines.append(f"   ⭐ đã ghi số {e.number} ({e.kind.short})")
    lines.append(
        "Đánh dấu: /danhdau SỐ LOẠI | tên (loại: mô hình, tập thể, cá nhân), ví dụ:"
        " /danhdau 1 tập thể | Chi hội Phụ nữ ấp 3."
    )
    return "\n".join(lines)


def marked(e: EmulationEntry, unit: str, period_label: str, *, again: bool = False) -> str:
    head = (
        f"Nội dung này đã có trong sổ điển hình: số {e.number}"
        if again
        else f"✅ Đã ghi vào sổ điển hình: số {e.number}"
    )
    title = f" “{e.title}”" if e.title else ""
    photos = f", {format_int(len(e.photos))} ảnh" if e.photos else ""
    return (
        f"{head} – {e.kind.short}{title} của {unit}, {period_label}{photos}.\n"
        f"Lãnh đạo đề nghị khen thưởng: /denghikhen {e.number}. Xem sổ: /dienhinh."
    )


def auto_marked(entries: Sequence[EmulationEntry]) -> str:
    """The line added under "Đã ghi nhận báo cáo" when the report's good-model field was
    filled in (or changed)."""
    numbers = ", ".join(str(e.number) for e in entries)
    return (
        f"🏅 Đã ghi mô hình hay của báo cáo vào sổ điển hình (số {numbers}). Nếu đây là tập thể"
        " hoặc cá nhân tiêu biểu, đồng chí gửi thêm: /danhdau tập thể | tên (hoặc /danhdau cá"
        " nhân | tên)."
    )


# -- /bodanhdau, /denghikhen, /bodenghikhen -----------------------------------------------------
NUMBER_USAGE = "Đề nghị ghi số của mục trong sổ điển hình, ví dụ: /{cmd} 12. Xem số: /dienhinh."
ENTRY_NOT_FOUND = "Sổ điển hình không có mục số {n}. Gửi /dienhinh để xem các mục và số."
ENTRY_OUTSIDE = "Mục số {n} thuộc đơn vị ngoài phạm vi của đồng chí."
UNMARK_SHORTLISTED = (
    "Mục số {n} đã được lãnh đạo đề nghị khen thưởng; chỉ lãnh đạo bỏ được mục này"
    " (/bodenghikhen {n} trước)."
)
NOTE_TOO_LONG = "Lý do đề nghị quá dài (tối đa {limit} ký tự)."


def unmarked(e: EmulationEntry) -> str:
    return (
        f"Đã bỏ mục số {e.number} ({e.kind.short}) khỏi sổ điển hình. Báo cáo gốc vẫn giữ nguyên."
    )


def shortlisted(entries: Sequence[EmulationEntry], already: Sequence[int]) -> str:
    parts = []
    if entries:
        numbers = ", ".join(str(e.number) for e in entries)
        parts.append(f"✅ Đã đưa vào danh sách đề nghị khen thưởng: số {numbers}.")
    if already:
        parts.append(f"Đã có trong danh sách từ trước: số {', '.join(map(str, already))}.")
    parts.append("Danh sách đề nghị: /dienhinh đề xuất; tệp cho hội nghị: /dienhinh word đề xuất.")
    return "\n".join(parts)


def unshortlisted(entries: Sequence[EmulationEntry], absent: Sequence[int]) -> str:
    parts = []
    if entries:
        numbers = ", ".join(str(e.number) for e in entries)
        parts.append(f"Đã rút khỏi danh sách đề nghị khen thưởng: số {numbers} (vẫn còn trong sổ).")
    if absent:
        parts.append(f"Không có trong danh sách đề nghị: số {', '.join(map(str, absent))}.")
    return "\n".join(parts)


# -- /dienhinh ---------------------------------------------------------------------------------
LIST_USAGE = (
    "Cách xem sổ điển hình: /dienhinh (năm nay), /dienhinh năm 2026, /dienhinh quý IV,"
    " /dienhinh tất cả; thêm loại (mô hình, tập thể, cá nhân), mã đơn vị, “đề xuất” (chỉ các"
    " mục được đề nghị khen thưởng); thêm word hoặc excel để nhận tệp, ví dụ:"
    " /dienhinh word năm 2026 đề xuất."
)
LIST_FILES_HINT = "Tệp cho hội nghị tổng kết: /dienhinh word {ref} hoặc /dienhinh excel {ref}."
NO_FILES_ZALO = (
    "📎 Zalo chưa cho bot gửi tệp: bản Word, Excel của danh sách này có trên Telegram"
    " (/dienhinh word, /dienhinh excel); dưới đây là danh sách dạng tin nhắn."
)
FILES_NEED_LEADER = (
    "Tệp danh sách dành cho lãnh đạo và cán bộ quản trị; đồng chí xem danh sách: /dienhinh."
)


def registry_text(reg: Registry, ref: str) -> str:
    """The list in chat: a heading, then each kind's entries with numbers."""
    head = f"🏅 SỔ ĐIỂN HÌNH – {reg.subject().upper()}"
    if not reg.entries:
        return (
            f"{head}\nChưa có mục nào. Mô hình hay trong báo cáo được ghi tự động; đánh dấu"
            " thêm từ nội dung báo cáo bằng /danhdau."
        )
    total = f"Tổng số: {format_int(len(reg.entries))} mục"
    if not reg.shortlisted_only and reg.shortlisted:
        total += f", trong đó {format_int(reg.shortlisted)} mục được đề nghị khen thưởng (⭐)"
    elif not reg.shortlisted_only:
        total += ", chưa có mục nào được đề nghị khen thưởng"
    lines = [head, total + "."]
    shown = 0
    parts = [(kind, entries) for kind, entries in reg.by_kind() if entries]
    for roman, (kind, entries) in zip(("I", "II", "III"), parts, strict=False):
        lines.append("")
        lines.append(f"{roman}. {kind.label.upper()} ({format_int(len(entries))})")
        for e in entries:
            if shown >= CHAT_LIMIT:
                break
            shown += 1
            lines.append(entry_line(e, reg.unit(e), reg.when(e)))
    if shown < len(reg.entries):
        lines.append("")
        lines.append(
            f"… và {format_int(len(reg.entries) - shown)} mục khác: xem đủ trong tệp Word, Excel."
        )
    lines.append("")
    lines.append(LIST_FILES_HINT.format(ref=ref).replace("  ", " "))
    return "\n".join(lines)


def entry_line(e: EmulationEntry, unit: str, when: str | None = None) -> str:
    star = "⭐ " if e.shortlisted else ""
    title = f"{e.title}: " if e.title else ""
    photos = f" ({format_int(len(e.photos))} ảnh)" if e.photos else ""
    return f"{star}Số {e.number}. {unit}, {when or e.period.short_label()} – {title}{_short(e.text)}{photos}"


def export_caption(kind_label: str, reg: Registry) -> str:
    return f"📎 {kind_label}: danh sách {_lower_first(reg.subject())}, {format_int(len(reg.entries))} mục."


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:1].isupper() and not s[1:2].isupper() else s


def _short(text: str, limit: int = ITEM_CHARS) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"
