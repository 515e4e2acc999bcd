"""Vietnamese texts of the personal-data commands (/dulieucuatoi, /roikhoi, /xuatdulieu,
/xoakhonggian) and of flood control, kept beside the main catalogue (``bot.core.messages``)."""

from __future__ import annotations

from collections.abc import Sequence

FLOOD_NOTICE = (
    "Đồng chí gửi nhiều tin nhắn liên tiếp trong thời gian ngắn. Bot tạm thời không trả lời"
    " và không thực hiện lệnh cho đến khi tin nhắn thưa lại (khoảng một phút); báo cáo gửi"
    " trong lúc này vẫn được ghi nhận."
)


def too_many_photos(have: int, limit: int) -> str:
    kept = f"Báo cáo đã có {have} ảnh. " if have else ""
    return (
        f"{kept}Mỗi báo cáo giữ tối đa {limit} ảnh, nên bot chưa nhận thêm các ảnh này; báo"
        " cáo và các ảnh đã gửi vẫn giữ nguyên. Đồng chí chọn lại những ảnh cần thiết nhất."
    )


PRIVATE_ONLY = (
    "Tệp dữ liệu có thông tin cá nhân. Đồng chí gửi lệnh /{cmd} trong trò chuyện riêng với"
    " bot, không gửi trong nhóm."
)
NO_FILES_ZALO = (
    "Zalo chưa cho bot gửi tệp, nên bot không gửi được tệp dữ liệu (JSON) trên Zalo."
    " Đồng chí dùng lệnh /{cmd} trên Telegram, hoặc đề nghị người vận hành bot trích xuất."
)

MY_DATA_FILE_CAPTION = "Dữ liệu bot lưu về đồng chí (tệp JSON, mở được bằng trình soạn thảo)."
EXPORT_SAVED = (
    "Zalo chưa cho bot gửi tệp, nên bot đã lưu toàn bộ dữ liệu của không gian báo cáo “{name}”"
    " (tệp JSON) trên máy chủ: {path}\nĐề nghị người vận hành bot lấy tệp này và chuyển cho"
    " đồng chí theo đường an toàn. Tệp có báo cáo và thông tin người tham gia: giữ kín, dùng"
    " xong thì xóa. Bot chỉ giữ bản xuất mới nhất của mỗi không gian."
)
EXPORT_CAPTION = (
    "Toàn bộ dữ liệu của không gian báo cáo “{name}” (tệp JSON). Đề nghị giữ kín tệp này:"
    " trong đó có báo cáo và thông tin người tham gia."
)


def my_data(
    name: str,
    channel: str,
    user_id: str,
    memberships: Sequence[str],
    reports: str,
    pending: str,
    raw_days: int,
) -> str:
    lines = [
        f"Dữ liệu bot đang lưu về đồng chí {name} ({channel}, mã người dùng {user_id}):",
        "1. Tham gia:",
        *[f" - {m}" for m in memberships],
        f"2. Báo cáo đã gửi: {reports}",
        f"3. Thao tác đang làm dở: {pending}",
        "4. Nội dung gốc của tin nhắn báo cáo: "
        + (
            f"giữ {raw_days} ngày rồi tự xóa (số liệu, người gửi, thời gian vẫn giữ)."
            if raw_days > 0
            else "giữ cùng báo cáo (đơn vị vận hành chưa đặt thời hạn tự xóa)."
        ),
        "Bot không lưu số điện thoại, địa chỉ, ngày sinh hay vị trí của đồng chí. Rời một không"
        " gian báo cáo: /roikhoi.",
    ]
    return "\n".join(lines)


def reports_summary(count: int, periods: int, first: str, last: str) -> str:
    if count == 0:
        return "chưa gửi báo cáo nào."
    if count == 1:
        return f"1 lần gửi, lúc {first}."
    return f"{count} lần gửi ({periods} kỳ), lần đầu {first}, lần gần nhất {last}."


PENDING_NONE = "không có."
PENDING_KINDS = {
    "report": "báo cáo chờ xác nhận",
    "guided": "báo cáo đang trả lời từng mục",
    "await_template": "chờ tệp mẫu báo cáo",
    "choose_campaign": "chờ chọn đợt báo cáo",
    "leave": "chờ xác nhận rời không gian báo cáo",
    "delete_workspace": "chờ xác nhận xóa không gian báo cáo",
}

LEAVE_CONFIRM = (
    "Đồng chí sắp rời không gian báo cáo “{name}” ({where}). Sau khi rời, bot không gửi đề nghị,"
    " nhắc việc cho đồng chí nữa và đồng chí không gửi báo cáo cho đơn vị được nữa. Các báo cáo"
    " đồng chí đã gửi vẫn được giữ vì là hồ sơ của đơn vị, nhưng bỏ tên tài khoản của đồng chí"
    " và nội dung gốc tin nhắn. Đồng chí xác nhận?"
)


def left(name: str, kept: int) -> str:
    reports = (
        f" {kept} lần gửi báo cáo của đồng chí vẫn được giữ là hồ sơ của đơn vị (số liệu, đơn"
        " vị, thời gian) nhưng không còn gắn với tài khoản của đồng chí; nội dung gốc tin nhắn"
        " đã xóa."
        if kept
        else ""
    )
    return (
        f"Đã ghi nhận: đồng chí đã rời không gian báo cáo “{name}”.{reports} Muốn tham gia"
        " lại, đồng chí xin mã mời của cán bộ quản trị."
    )


LAST_ADMIN = (
    "Đồng chí là quản trị viên duy nhất của “{name}”, nên chưa rời được. Đề nghị gắn thêm một"
    " quản trị viên (/gan - quantri MÃ NGƯỜI DÙNG) rồi rời."
)
ALREADY_LEFT = "Đồng chí không còn thuộc không gian báo cáo này."

DELETE_CHOOSE = (
    "Đồng chí chưa thuộc không gian báo cáo nào ở đây. Ghi số của không gian cần xóa, ví dụ"
    " /xoakhonggian 2. Các không gian hiện có:\n{items}"
)
DELETE_NO_WORKSPACES = "Chưa có không gian báo cáo nào."
DELETE_NOT_FOUND = "Không có không gian báo cáo số {number}."
DELETE_NOT_YOURS = "Không có không gian báo cáo số {number} do đồng chí quản trị."
DELETE_CONFIRM = (
    "⚠️ Xóa không gian báo cáo “{name}” sẽ xóa vĩnh viễn toàn bộ dữ liệu của nó: {orgs} đơn vị,"
    " {members} người tham gia, {reports} lần gửi báo cáo, mẫu, lịch, nhật ký thao tác; các"
    " nhóm đã đăng ký sẽ không còn gắn với bot. Không khôi phục được trong bot.{backup}\n"
    "Nên xuất dữ liệu trước (/xuatdulieu). Để xác nhận, đồng chí gõ lại đúng tên không gian:"
    " {name}"
)
DELETE_BACKUP_NOTE = (
    " Trước khi xóa, bot sao lưu cơ sở dữ liệu; bản sao lưu được giữ theo thời hạn sao lưu"
    " thông thường rồi tự xóa."
)
DELETE_BACKUP_FAILED = (
    "Bot chưa sao lưu được cơ sở dữ liệu nên chưa xóa không gian báo cáo “{name}”; dữ liệu"
    " vẫn nguyên. Đề nghị báo người vận hành bot kiểm tra chỗ lưu bản sao lưu."
)
DELETED_BACKUP = (
    "Bản sao lưu ngay trước khi xóa: {file} (người vận hành bot giữ, tự xóa khi hết hạn giữ)."
)
DELETE_WRONG_NAME = (
    "Tên gõ lại không khớp với “{name}”, nên chưa xóa gì. Muốn xóa, đồng chí gửi lại lệnh"
    " /xoakhonggian."
)
DELETED = (
    "Đã xóa không gian báo cáo “{name}” và toàn bộ dữ liệu ({reports} lần gửi báo cáo,"
    " {members} người tham gia); {chats} cuộc trò chuyện không còn gắn với bot. Việc xóa được"
    " ghi vào nhật ký chạy của bot trên máy chủ."
)
DELETE_GONE = "Không gian báo cáo này đã không còn."
