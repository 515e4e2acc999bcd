"""What the bot says about directives (chỉ đạo), kept together for review (VOICE.md)."""

from __future__ import annotations

from collections.abc import Sequence

CHOICE_ACK = "Đã nhận"
CHOICE_SEND = "Gửi chỉ đạo"
CHOICE_CANCEL = "Hủy"

USAGE = (
    "Đề nghị ghi nội dung chỉ đạo, ví dụ: /chidao Đề nghị các đơn vị tăng cường tuyên truyền"
    " phòng, chống bão số 5. Gửi cho một số đơn vị: ghi mã đơn vị trước dấu |, ví dụ:"
    " /chidao hnd, tinhdoan | Nội dung chỉ đạo."
)
TOO_LONG = "Nội dung chỉ đạo quá dài (tối đa {limit} ký tự). Đồng chí vui lòng rút gọn."
UNKNOWN_CODES = "Không tìm thấy đơn vị có mã: {codes}. Xem mã các đơn vị bằng lệnh /donvi."
NO_UNITS = "Chưa có đơn vị báo cáo nào để nhận chỉ đạo. Thêm đơn vị bằng lệnh /themdonvi."
OUTSIDE_OWN = "Đồng chí chỉ gửi chỉ đạo tới các đơn vị thuộc {name}: {codes}."
TO_ALL = "các đơn vị"

ACK_HINT = "Đề nghị đồng chí bấm “Đã nhận” để xác nhận đã nhận chỉ đạo."
ACK_HINT_TYPED = "Đề nghị đồng chí gõ “đã nhận” (hoặc “đã nhận {n}”) để xác nhận đã nhận chỉ đạo."
ANSWER_HINT = (
    "Kết quả thực hiện báo cáo cùng báo cáo kỳ tới, mỗi chỉ đạo một dòng: “CĐ {n}: kết quả…”"
    " (hoặc gửi /thuchien {n} kết quả…)."
)
REMIND_ASK = "Đề nghị đồng chí xác nhận: bấm “Đã nhận” hoặc gõ “đã nhận {n}”."

SENT = "✅ Đã gửi chỉ đạo số {n} tới {to} ({count} đơn vị). Theo dõi: /xemchidao {n}."
SENT_NOWHERE = (
    "\nLưu ý: {which} chưa có cán bộ báo cáo tham gia nên chưa ai nhận được tin; chỉ đạo vẫn"
    " được lưu và hiện trong đề nghị báo cáo kỳ tới."
)
SENT_UNREACHED = (
    "\nLưu ý: {k} đơn vị chưa có cán bộ báo cáo tham gia nên không ai được gắn tên, nhắn riêng"
    " hay xác nhận thay cho đơn vị: {names}. Chỉ đạo vẫn được lưu; khi đơn vị có cán bộ tham"
    " gia, chỉ đạo sẽ hiện trong đề nghị báo cáo kỳ tới."
)
CONFIRM_REPLY = (
    "Đồng chí muốn gửi nội dung trên thành chỉ đạo tới {to}?\n“{excerpt}”\n"
    "(Gửi cho một số đơn vị: ghi mã đơn vị trước dấu |, ví dụ: hnd, tinhdoan | Nội dung.)"
)
PENDING_CHOOSE = "Đồng chí chọn “Gửi chỉ đạo” hoặc “Hủy”."
NOT_SENT = "Đã hủy, chỉ đạo chưa được gửi."

ACKED = "✅ Đã ghi nhận: {org} đã nhận {what} ({who}, {when})."
ALREADY_ACKED = "{org} đã xác nhận nhận {what} trước đó ({who}, {when})."
NOT_ADDRESSED = "{what} không gửi tới đơn vị của đồng chí."
NOTHING_TO_ACK = "Đơn vị của đồng chí không có chỉ đạo nào đang chờ xác nhận."
ACK_NEEDS_ORG = "Chỉ cán bộ báo cáo của đơn vị nhận chỉ đạo mới xác nhận được."
ACK_USAGE = "Đề nghị ghi số chỉ đạo, ví dụ: /danhan 3 (hoặc /danhan để nhận mọi chỉ đạo đang chờ)."
CLOSED_ALREADY = "{what} đã kết thúc, không cần xác nhận nữa."

NOT_FOUND = "Không có chỉ đạo số {n}. Xem danh sách: /xemchidao."
NUMBER_USAGE = "Đề nghị ghi số chỉ đạo, ví dụ: /{cmd} 3."
CLOSE_USAGE = "Đề nghị ghi số chỉ đạo cần kết thúc, ví dụ: /dongchidao 3."
CLOSED = "✅ Đã kết thúc chỉ đạo số {n}: bot thôi nhắc và thôi hỏi kết quả; lịch sử vẫn được lưu (/xemchidao {n})."
ALREADY_CLOSED = "Chỉ đạo số {n} đã kết thúc trước đó."

NONE_OPEN = "Không có chỉ đạo nào đang thực hiện. Gửi chỉ đạo: /chidao nội dung."
NONE_CLOSED = "Chưa có chỉ đạo nào."
LIST_OPEN = "📌 Các chỉ đạo đang thực hiện:"
LIST_ALL = "📌 Các chỉ đạo (cả đã kết thúc), mới nhất trước:"
MORE = "… và {n} chỉ đạo cũ hơn (xem từng chỉ đạo: /xemchidao SỐ)."
LIST_HINT = (
    "Xem chi tiết: /xemchidao SỐ; kết thúc: /dongchidao SỐ; cả đã kết thúc: /xemchidao tatca."
)

PROMPT_HEAD = "📌 Chỉ đạo đang thực hiện, đề nghị báo cáo kết quả:"
PROMPT_HOW = (
    "Ghi kết quả vào báo cáo, mỗi chỉ đạo một dòng, ví dụ: “CĐ {n}: kết quả…”"
    " (hoặc gửi /thuchien {n} kết quả…)."
)

ANSWER_USAGE = (
    "Đề nghị ghi số chỉ đạo và kết quả, ví dụ: /thuchien 3 Đã tổ chức 5 buổi tuyên truyền."
)
ANSWER_NEEDS_ORG = "Chỉ cán bộ báo cáo của đơn vị nhận chỉ đạo mới báo cáo kết quả được."
NO_CAMPAIGN = "Chưa có đợt báo cáo nào để ghi kết quả thực hiện chỉ đạo."


def answers_saved(numbers: Sequence[int], org: str, period: str) -> str:
    listed = ", ".join(str(n) for n in numbers)
    return f"✅ Đã ghi nhận kết quả thực hiện chỉ đạo số {listed} của {org} ({period})."


def answers_refused(problems: Sequence[str]) -> str:
    return "\n".join(problems)


def answer_problem_unknown(n: int) -> str:
    return f"Dòng “CĐ {n}”: không có chỉ đạo số {n} đang thực hiện gửi tới đơn vị, chưa ghi."
