"""Vietnamese texts of the operations features: the backup command, kept beside the main
catalogue (``bot.core.messages``) so every user-facing sentence stays in the core.

The command line's texts (``python -m bot check``, ``backup``, ``restore``) are read by the
IT officer on the server console; they are in ``bot.ops``."""

from __future__ import annotations

from datetime import datetime

from bot.core.vnformat import format_datetime, format_decimal, format_int

NEED_OWNER = "Chỉ người vận hành bot (khai báo trong cấu hình BOT_OWNERS) mới dùng được lệnh này."
COMMAND_UNAVAILABLE = "Lệnh này chưa dùng được trên bot này. Đồng chí liên hệ người vận hành bot."

BACKUP_PRIVATE_ONLY = (
    "Bản sao lưu chứa toàn bộ dữ liệu của bot (báo cáo, người tham gia). Đồng chí gửi lệnh "
    "/saoluu trong trò chuyện riêng với bot, không gửi trong nhóm."
)
BACKUP_FAILED = (
    "Chưa sao lưu được cơ sở dữ liệu. Đồng chí xem nhật ký của bot trên máy chủ, hoặc chạy "
    "“python -m bot check” để kiểm tra thư mục dữ liệu."
)
BACKUP_KEEP_SECRET = (
    "Đề nghị giữ kín tệp này: trong đó có toàn bộ báo cáo và thông tin người tham gia."
)


def file_size(size: int) -> str:
    """ "850 KB", "12,4 MB" (decimal comma)."""
    if size < 1_000_000:
        return f"{format_int(max(1, round(size / 1000)))} KB"
    return f"{format_decimal(round(size / 1_000_000, 1))} MB"


def backup_done(
    name: str,
    taken_at: datetime,
    size: int,
    kept: int,
    location: str,
    *,
    attached: bool,
    too_big: bool = False,
) -> str:
    lines = [
        f"✅ Đã sao lưu cơ sở dữ liệu lúc {format_datetime(taken_at)}: tệp {name} "
        f"({file_size(size)}), đã kiểm tra toàn vẹn.",
        f"Trên máy chủ đang giữ {format_int(kept)} bản sao lưu ({location}).",
    ]
    if attached:
        lines.append(f"Tệp nén gửi kèm. {BACKUP_KEEP_SECRET}")
    elif too_big:
        lines.append("Tệp quá lớn để gửi qua tin nhắn; đồng chí lấy tệp trên máy chủ.")
    else:
        lines.append("Kênh này không gửi được tệp; đồng chí lấy tệp trên máy chủ.")
    return "\n".join(lines)
