"""The command table: names, aliases, who may use them, and their Vietnamese help.

One table serves the dialog engine (dispatch and permission checks), the help text, the
admin guide and, later, each platform's command menu. Names are Vietnamese without
diacritics so they can be typed on any keyboard; English aliases help the IT staff.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Access(enum.StrEnum):
    ANYONE = "anyone"  # even people not yet bound (help, join)
    MEMBER = "member"  # anyone bound in the workspace
    LEADER = "leader"  # leaders and admins
    ADMIN = "admin"  # workspace admins (and bot owners)
    OWNER = "owner"  # bot owners from the settings


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    aliases: tuple[str, ...]
    access: Access
    summary: str
    usage: tuple[str, ...] = ()
    group: str = "chung"


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("trogiup", ("help", "huongdan", "start"), Access.ANYONE,
                "Xem hướng dẫn và danh sách lệnh", ("/trogiup", "/trogiup baocao")),
    CommandSpec("thamgia", ("join",), Access.ANYONE,
                "Tham gia đơn vị bằng mã mời", ("/thamgia K7QF2M",)),
    CommandSpec("toi", ("me", "whoami"), Access.ANYONE,
                "Xem đồng chí đang thuộc đơn vị nào, vai trò gì", ("/toi",)),
    CommandSpec("baocao", ("report",), Access.MEMBER,
                "Gửi báo cáo kỳ này của đơn vị (theo mẫu, viết tự do, hoặc hỏi từng mục)",
                ("/baocao", "/baocao 1. Số buổi tuyên truyền: 12", "/baocao hoi"),
                "báo cáo"),
    CommandSpec("xem", ("mine", "myreport"), Access.MEMBER,
                "Xem báo cáo đơn vị mình đã gửi trong kỳ", ("/xem", "/xem tuần trước"),
                "báo cáo"),
    CommandSpec("huy", ("cancel",), Access.ANYONE,
                "Hủy thao tác đang làm dở", ("/huy",), "báo cáo"),
    CommandSpec("tinhhinh", ("status",), Access.MEMBER,
                "Xem đơn vị nào đã báo cáo, đơn vị nào chưa", ("/tinhhinh", "/tinhhinh tuần trước"),
                "báo cáo"),
    CommandSpec("tonghop", ("digest", "summary"), Access.LEADER,
                "Xem bản tổng hợp của một kỳ", ("/tonghop", "/tonghop tuần 47", "/tonghop tháng 11/2026"),
                "tổng hợp"),
    CommandSpec("xuat", ("export", "file"), Access.LEADER,
                "Nhận tệp báo cáo: word (để ký), excel, csv, bieudo — cho một kỳ, khoảng ngày, đơn vị",
                ("/xuat word quý IV", "/xuat excel năm 2026", "/xuat word tháng 11 xa_tanbien",
                 "/xuat excel từ 01/10/2026 đến 15/11/2026"),
                "tổng hợp"),
    CommandSpec("lichsu", ("history",), Access.MEMBER,
                "Xem lịch sử báo cáo của đơn vị theo từng kỳ", ("/lichsu", "/lichsu hnd năm 2026"),
                "tổng hợp"),
    CommandSpec("chuyencan", ("completeness", "attendance"), Access.LEADER,
                "Xem đơn vị nào báo cáo đều, đơn vị nào hay bỏ kỳ (theo tháng, quý, năm)",
                ("/chuyencan", "/chuyencan quý IV", "/chuyencan năm 2026 xa_tanbien"),
                "tổng hợp"),
    CommandSpec("chidao", ("directive",), Access.LEADER,
                "Gửi chỉ đạo tới các đơn vị (tất cả, hoặc các mã đơn vị ghi trước dấu |)",
                ("/chidao Đề nghị các đơn vị tăng cường tuyên truyền phòng, chống bão số 5",
                 "/chidao hnd, tinhdoan | Báo cáo số hộ bị thiệt hại trước 17h00 Thứ Sáu"),
                "chỉ đạo"),
    CommandSpec("xemchidao", ("directives",), Access.LEADER,
                "Xem các chỉ đạo đang thực hiện; một chỉ đạo: đơn vị nào đã nhận, đã báo cáo kết quả",
                ("/xemchidao", "/xemchidao 3", "/xemchidao tatca"), "chỉ đạo"),
    CommandSpec("dongchidao", ("closedirective",), Access.LEADER,
                "Kết thúc một chỉ đạo: thôi nhắc, thôi hỏi kết quả (lịch sử vẫn lưu)",
                ("/dongchidao 3",), "chỉ đạo"),
    CommandSpec("danhan", ("ack",), Access.MEMBER,
                "Xác nhận đơn vị đã nhận chỉ đạo (hoặc gõ “đã nhận”, bấm nút “Đã nhận”)",
                ("/danhan", "/danhan 3"), "chỉ đạo"),
    CommandSpec("thuchien", ("directivereport",), Access.MEMBER,
                "Báo cáo kết quả thực hiện một chỉ đạo (hoặc dòng “CĐ 3: …” trong báo cáo)",
                ("/thuchien 3 Đã tổ chức 5 buổi tuyên truyền tại các ấp",), "chỉ đạo"),
    CommandSpec("danhdau", ("mark",), Access.MEMBER,
                "Ghi nội dung báo cáo vào sổ điển hình",
                ("/danhdau", "/danhdau tuần trước hnd", "/danhdau 2 tập thể | Chi hội Phụ nữ ấp 3",
                 "/danhdau 1 cá nhân | Nguyễn Thị Hoa"),
                "thi đua"),
    CommandSpec("bodanhdau", ("unmark",), Access.MEMBER,
                "Bỏ mục khỏi sổ điển hình", ("/bodanhdau 12",),
                "thi đua"),
    CommandSpec("dienhinh", ("sodienhinh", "emulation", "models"), Access.MEMBER,
                "Xem sổ điển hình, nhận danh sách Word, Excel",
                ("/dienhinh", "/dienhinh năm 2026 tập thể", "/dienhinh đề xuất xa_tanbien",
                 "/dienhinh word năm 2026", "/dienhinh excel năm 2026 đề xuất"),
                "thi đua"),
    CommandSpec("denghikhen", ("shortlist", "khenthuong"), Access.LEADER,
                "Đề nghị khen thưởng một mục",
                ("/denghikhen 12", "/denghikhen 12 15 | Có nhiều đóng góp trong phòng, chống dịch"),
                "thi đua"),
    CommandSpec("bodenghikhen", ("unshortlist",), Access.LEADER,
                "Rút đề nghị khen thưởng",
                ("/bodenghikhen 12",), "thi đua"),
    CommandSpec("khoitao", ("setup",), Access.OWNER,
                "Tạo không gian báo cáo mới và đăng ký nhóm này làm nhóm báo cáo",
                ("/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh",), "quản trị"),
    CommandSpec("nhombaocao", ("setgroup",), Access.ADMIN,
                "Đăng ký nhóm này làm nhóm báo cáo", ("/nhombaocao",), "quản trị"),
    CommandSpec("nhomlanhdao", ("setleaders",), Access.ADMIN,
                "Đăng ký nhóm (hoặc cuộc trò chuyện) này để nhận bản tổng hợp",
                ("/nhomlanhdao",), "quản trị"),
    CommandSpec("napmau", ("preset",), Access.ADMIN,
                "Xem hoặc nạp bộ mẫu có sẵn (đơn vị, mẫu báo cáo, lịch)",
                ("/napmau", "/napmau tayninh"), "quản trị"),
    CommandSpec("donvi", ("orgs",), Access.MEMBER,
                "Danh sách đơn vị", ("/donvi",)),
    CommandSpec("themdonvi", ("addorg",), Access.ADMIN,
                "Thêm đơn vị báo cáo: mã | tên đầy đủ | tên ngắn | mã cấp trên (mỗi dòng một đơn vị)",
                ("/themdonvi hnd | Hội Nông dân tỉnh | Hội ND tỉnh",
                 "/themdonvi hnd_tanhoa | Hội Nông dân xã Tân Hòa | Hội ND | xa_tanhoa"),
                "quản trị"),
    CommandSpec("themcap", ("addlevel",), Access.ADMIN,
                "Thêm cấp tổng hợp (tỉnh, xã, phường) chứa các đơn vị: mã | tên | mã cấp trên",
                ("/themcap xa_tanhoa | Xã Tân Hòa | tinh",), "quản trị"),
    CommandSpec("chuyendonvi", ("moveorg",), Access.ADMIN,
                "Chuyển một đơn vị sang cấp trên khác: mã | mã cấp trên mới",
                ("/chuyendonvi hnd_tanhoa | xa_tanhoa",), "quản trị"),
    CommandSpec("doiten", ("renameorg",), Access.ADMIN,
                "Đổi tên đơn vị: mã | tên mới | tên ngắn mới",
                ("/doiten hnd | Hội Nông dân tỉnh Tây Ninh | Hội ND tỉnh",), "quản trị"),
    CommandSpec("ngungdonvi", ("deactivate",), Access.ADMIN,
                "Ngừng theo dõi báo cáo của một đơn vị", ("/ngungdonvi hccb",), "quản trị"),
    CommandSpec("molaidonvi", ("activate",), Access.ADMIN,
                "Theo dõi lại báo cáo của một đơn vị", ("/molaidonvi hccb",), "quản trị"),
    CommandSpec("moi", ("invite",), Access.ADMIN,
                "Tạo mã mời cho một đơn vị (vai trò: baocao, lanhdao, quantri)",
                ("/moi tinhdoan", "/moi mttq lanhdao"), "quản trị"),
    CommandSpec("gan", ("bind",), Access.ADMIN,
                "Gắn một người vào đơn vị (trả lời tin nhắn của người đó, hoặc ghi mã người dùng)",
                ("/gan tinhdoan", "/gan tinhdoan baocao 1002"), "quản trị"),
    CommandSpec("bogan", ("unbind",), Access.ADMIN,
                "Bỏ gắn một người khỏi không gian báo cáo", ("/bogan 1002",), "quản trị"),
    CommandSpec("thanhvien", ("members",), Access.ADMIN,
                "Danh sách người đã tham gia theo đơn vị", ("/thanhvien",), "quản trị"),
    CommandSpec("mau", ("template",), Access.MEMBER,
                "Xem mẫu báo cáo hiện hành (ghi “tep” để nhận tệp YAML)",
                ("/mau", "/mau tep"), "báo cáo"),
    CommandSpec("thaymau", ("settemplate",), Access.ADMIN,
                "Thay mẫu báo cáo bằng tài liệu YAML hoặc JSON", ("/thaymau",), "quản trị"),
    CommandSpec("lich", ("schedule",), Access.ADMIN,
                "Xem hoặc đặt lịch: mở, hạn, nhắc, cảnh báo, khóa",
                ("/lich", "/lich mở T2 08:00; hạn T6 17:00; nhắc T5 08:00, T6 08:00; cảnh báo 2 giờ"),
                "quản trị"),
    CommandSpec("tamdung", ("pause",), Access.ADMIN,
                "Tạm dừng đợt báo cáo: không gửi đề nghị, nhắc việc, tổng hợp (vẫn nhận báo cáo)",
                ("/tamdung", "/tamdung tháng"), "lịch"),
    CommandSpec("tieptuc", ("resume",), Access.ADMIN,
                "Cho đợt báo cáo chạy lại sau khi tạm dừng", ("/tieptuc",), "lịch"),
    CommandSpec("nghi", ("skip",), Access.ADMIN,
                "Nghỉ một kỳ hoặc nhiều kỳ (lễ, Tết): không đề nghị, không nhắc, không tổng hợp",
                ("/nghi", "/nghi tuần 6/2027 đến tuần 7/2027 | Nghỉ Tết Nguyên đán"), "lịch"),
    CommandSpec("bonghi", ("unskip",), Access.ADMIN,
                "Bỏ lịch nghỉ của một kỳ", ("/bonghi tuần 6/2027",), "lịch"),
    CommandSpec("mien", ("exempt",), Access.ADMIN,
                "Miễn báo cáo cho một đơn vị trong một hoặc nhiều kỳ (không tính là chưa báo cáo)",
                ("/mien hccb tuần 48 | Đi công tác", "/mien hnd tuần 48 đến tuần 50"), "lịch"),
    CommandSpec("bomien", ("unexempt",), Access.ADMIN,
                "Bỏ miễn báo cáo", ("/bomien hccb tuần 48",), "lịch"),
    CommandSpec("molai", ("reopen",), Access.ADMIN,
                "Mở lại kỳ đã khóa sổ cho một đơn vị (mặc định 3 ngày)",
                ("/molai hnd tuần 45", "/molai hnd tuần 45 7 ngày"), "lịch"),
    CommandSpec("vanban", ("letterhead",), Access.ADMIN,
                "Xem hoặc sửa phần đầu, nơi nhận, người ký của báo cáo Word",
                ("/vanban", "/vanban người ký | Nguyễn Văn A", "/vanban địa danh | Tây Ninh"),
                "quản trị"),
    CommandSpec("baocaodinhky", ("scheduledreports",), Access.ADMIN,
                "Bật, tắt bản tổng hợp hằng tháng, hằng quý tự gửi cho lãnh đạo",
                ("/baocaodinhky", "/baocaodinhky tháng quý", "/baocaodinhky tắt"), "quản trị"),
    CommandSpec("loigui", ("failures",), Access.ADMIN,
                "Xem các tin nhắn không gửi được (người dùng chặn bot, nhóm không còn…)",
                ("/loigui",), "quản trị"),
    CommandSpec("hanmuc", ("quota", "usage"), Access.ADMIN,
                "Xem số tin bot đã gửi trong tháng so với hạn mức (Zalo)", ("/hanmuc",),
                "quản trị"),
    CommandSpec("nhatky", ("audit",), Access.ADMIN,
                "Xem nhật ký thao tác quản trị gần đây", ("/nhatky",), "quản trị"),
    CommandSpec("dulieucuatoi", ("mydata",), Access.MEMBER,
                "Xem bot lưu gì về đồng chí và nhận tệp dữ liệu của mình (trong trò chuyện riêng)",
                ("/dulieucuatoi",), "dữ liệu cá nhân"),
    CommandSpec("roikhoi", ("leave",), Access.MEMBER,
                "Tự rời không gian báo cáo (báo cáo đã gửi vẫn được giữ)", ("/roikhoi",),
                "dữ liệu cá nhân"),
    CommandSpec("xuatdulieu", ("exportdata",), Access.ADMIN,
                "Nhận toàn bộ dữ liệu của không gian báo cáo (tệp JSON, trong trò chuyện riêng)",
                ("/xuatdulieu",), "dữ liệu cá nhân"),
    CommandSpec("xoakhonggian", ("deleteworkspace",), Access.ADMIN,
                "Xóa vĩnh viễn không gian báo cáo và toàn bộ dữ liệu (sao lưu trước, gõ lại tên"
                " để xác nhận)",
                ("/xoakhonggian", "/xoakhonggian 2"), "dữ liệu cá nhân"),
    CommandSpec("saoluu", ("backup",), Access.OWNER,
                "Sao lưu cơ sở dữ liệu ngay và nhận tệp sao lưu (trong trò chuyện riêng)",
                ("/saoluu",), "quản trị"),
)  # fmt: skip


def find_command(word: str) -> CommandSpec | None:
    w = word.lower()
    for spec in COMMANDS:
        if w == spec.name or w in spec.aliases:
            return spec
    return None
