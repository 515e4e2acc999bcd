"""Every sentence the dialog says, in one place (VOICE.md): formal, brief, Vietnamese.

Structured documents (prompt, digest, status, echo) are rendered in ``render.py``; this module
holds the conversational replies and errors. Functions take plain values, never models from
a platform, so the same text serves Telegram, Zalo and the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.commands import COMMANDS, Access, CommandSpec
from bot.core.text import fold

ROLE_LABELS = {"admin": "quản trị", "leader": "lãnh đạo", "reporter": "báo cáo viên"}
ROLE_WORDS = {
    "quantri": "admin",
    "quan tri": "admin",
    "admin": "admin",
    "lanhdao": "leader",
    "lanh dao": "leader",
    "ld": "leader",
    "leader": "leader",
    "baocao": "reporter",
    "bao cao": "reporter",
    "baocaovien": "reporter",
    "reporter": "reporter",
}

CHOICE_CONFIRM = "Xác nhận"
CHOICE_EDIT = "Sửa lại"
CHOICE_CANCEL = "Hủy"
CHOICE_GUIDED = "Hỏi từng mục"
CHOICE_SKIP = "Bỏ qua"

# -- joining and identity -------------------------------------------------------------------
UNKNOWN_USER = (
    "Đồng chí chưa tham gia hệ thống báo cáo. Đề nghị đồng chí liên hệ cán bộ quản trị để "
    "nhận mã mời, sau đó gửi: /thamgia MÃ_MỜI (ví dụ: /thamgia K7QF2M)."
)
GROUP_NOT_REGISTERED = (
    "Nhóm này chưa được đăng ký với bot báo cáo. Cán bộ quản trị dùng lệnh /khoitao (tạo mới) "
    "hoặc /nhombaocao (thêm nhóm vào không gian đã có)."
)
JOIN_USAGE = "Đề nghị đồng chí gửi kèm mã mời, ví dụ: /thamgia K7QF2M"
INVITE_INVALID = (
    "Mã mời “{code}” không đúng hoặc đã hết hiệu lực. Đồng chí vui lòng kiểm tra lại hoặc "
    "xin mã mới từ cán bộ quản trị."
)


def joined(org_name: str | None, role: str, workspace: str) -> str:
    where = f"đơn vị {org_name}" if org_name else f"không gian {workspace}"
    return (
        f"✅ Đã ghi nhận đồng chí tham gia {where} với vai trò {ROLE_LABELS[role]}. "
        "Gửi /trogiup để xem các lệnh."
    )


def whoami(lines: Sequence[str]) -> str:
    if not lines:
        return UNKNOWN_USER
    return "Thông tin của đồng chí:\n" + "\n".join(f" - {line}" for line in lines)


# -- permissions -----------------------------------------------------------------------------
NEED_ADMIN = "Lệnh này chỉ dành cho cán bộ quản trị. Đồng chí liên hệ quản trị nếu cần hỗ trợ."
NEED_LEADER = "Lệnh này dành cho lãnh đạo và cán bộ quản trị."
NEED_OWNER = (
    "Chỉ người vận hành bot (khai báo trong cấu hình BOT_OWNERS) mới tạo được không gian mới."
)
NO_ORG = (
    "Đồng chí chưa được gắn với đơn vị nào nên chưa gửi báo cáo được. Đề nghị liên hệ cán bộ "
    "quản trị."
)


def not_your_org(own: str) -> str:
    return f"Đồng chí chỉ được báo cáo cho đơn vị của mình ({own})."


# -- commands and help -----------------------------------------------------------------------
UNKNOWN_COMMAND = "Chưa có lệnh “/{name}”. Gửi /trogiup để xem các lệnh."
DID_YOU_MEAN = "Có phải đồng chí muốn dùng /{name}?"
FILES_ELSEWHERE = (
    "📎 Zalo chưa cho bot gửi tệp: bản Word, Excel của kỳ này có trên Telegram, hoặc đồng chí"
    " nhờ quản trị dùng lệnh /xuat để nhận tệp."
)
GENERIC_ERROR = "Đã có lỗi khi xử lý yêu cầu. Đồng chí vui lòng thử lại sau ít phút."
CANCELLED = "Đã hủy thao tác đang làm dở."
NOTHING_TO_CANCEL = "Không có thao tác nào đang làm dở."
TOO_LONG = (
    "Tin nhắn quá dài ({size} ký tự, tối đa {limit}). Đồng chí vui lòng chia nhỏ hoặc rút gọn."
)
EMPTY_MESSAGE = "Tin nhắn trống. Đồng chí vui lòng gửi lại nội dung."


HELP_GROUP_TITLES = {
    "chung": "Chung",
    "báo cáo": "Báo cáo",
    "tổng hợp": "Tổng hợp",
    "chỉ đạo": "Chỉ đạo",
    "chỉ số": "Chỉ số, chỉ tiêu",
    "thi đua": "Thi đua",
    "quản trị": "Quản trị",
    "lịch": "Lịch, nghỉ, miễn báo cáo",
    "dữ liệu cá nhân": "Dữ liệu cá nhân",
}
# One chat message holds 4,096 characters on Telegram (2,000 on Zalo, where the outbox
# splits): past this, /trogiup lists the commands by group and details one group on request.
HELP_FULL_LIMIT = 3_500
HELP_FOOTER = "Xem cách dùng một lệnh: /trogiup TÊN_LỆNH (ví dụ: /trogiup lich)."


def _help_groups(specs: Iterable[CommandSpec]) -> list[tuple[str, list[CommandSpec]]]:
    groups: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group, []).append(spec)
    order = list(HELP_GROUP_TITLES)
    # A group missing from the titles is still listed (after the others), never dropped.
    keys = [k for k in order if k in groups] + [k for k in groups if k not in order]
    return [(k, groups[k]) for k in keys]


def help_group_title(key: str) -> str:
    return HELP_GROUP_TITLES.get(key, key.capitalize())


def help_text(specs: Iterable[CommandSpec], *, intro: str) -> str:
    """Every command the reader may use with its summary, by group; when that is longer
    than one message (an owner sees some seventy commands), the names by group instead,
    each group detailed by ``/trogiup NHÓM``."""
    groups = _help_groups(specs)
    lines = [intro]
    for key, items in groups:
        lines.append("")
        lines.append(f"{help_group_title(key)}:")
        lines.extend(f"/{spec.name} – {spec.summary}" for spec in items)
    lines.append("")
    lines.append(HELP_FOOTER)
    full = "\n".join(lines)
    if len(full) <= HELP_FULL_LIMIT:
        return full
    lines = [intro, ""]
    for key, items in groups:
        names = ", ".join(f"/{spec.name}" for spec in items)
        lines.append(f"• {help_group_title(key)}: {names}")
    lines.append("")
    keys = [k for k, _ in groups]
    example = "quản trị" if "quản trị" in keys else (keys[0] if keys else "báo cáo")
    lines.append(f"Xem từng nhóm kèm giải thích: /trogiup TÊN_NHÓM (ví dụ: /trogiup {example}).")
    lines.append(HELP_FOOTER)
    return "\n".join(lines)


def help_group_text(key: str, specs: Iterable[CommandSpec]) -> str:
    """One group's commands with their summaries (``/trogiup quản trị``)."""
    items = [s for s in specs if s.group == key]
    lines = [f"{help_group_title(key)}:"]
    lines.extend(f"/{spec.name} – {spec.summary}" for spec in items)
    lines.append("")
    lines.append(HELP_FOOTER)
    return "\n".join(lines)


def find_help_group(text: str, specs: Iterable[CommandSpec]) -> str | None:
    """The group a reader names: its key or title, accents optional ("quan tri", "Chỉ số")."""
    want = " ".join(fold(text).replace(",", " ").split())
    keys = {s.group for s in specs}
    for key in keys:
        title = " ".join(fold(help_group_title(key)).replace(",", " ").split())
        if want in (fold(key), title) or (len(want) >= 4 and title.startswith(want)):
            return key
    return None


def command_help(spec: CommandSpec) -> str:
    lines = [f"/{spec.name} – {spec.summary}"]
    if spec.aliases:
        lines.append("Tên khác: " + ", ".join(f"/{a}" for a in spec.aliases))
    if spec.usage:
        lines.append("Ví dụ:")
        lines.extend(f"  {u}" for u in spec.usage)
    return "\n".join(lines)


HELP_INTRO_UNBOUND = (
    "Bot báo cáo kết quả hằng tuần của Mặt trận và các tổ chức chính trị - xã hội.\n"
    "Đồng chí chưa tham gia: đề nghị nhận mã mời từ cán bộ quản trị rồi gửi /thamgia MÃ_MỜI."
)
HELP_INTRO_MEMBER = (
    "Bot báo cáo kết quả hằng tuần của Mặt trận và các tổ chức chính trị - xã hội.\n"
    "Gửi báo cáo: sao chép mẫu trong tin nhắn đề nghị báo cáo, điền số liệu và gửi lại; "
    "hoặc viết tự do; hoặc gửi /baocao hoi để bot hỏi từng mục."
)


def visible_commands(level: Access) -> list[CommandSpec]:
    order = [Access.ANYONE, Access.MEMBER, Access.LEADER, Access.ADMIN, Access.OWNER]
    allowed = set(order[: order.index(level) + 1])
    return [c for c in COMMANDS if c.access in allowed]


# -- workspace set-up ------------------------------------------------------------------------
SETUP_USAGE = "Đề nghị ghi tên không gian báo cáo, ví dụ: /khoitao Nhóm MTT-CTXH tỉnh Tây Ninh"


def setup_done(name: str, in_group: bool) -> str:
    where = "Nhóm này đã được đăng ký làm nhóm báo cáo. " if in_group else ""
    return (
        f"✅ Đã tạo không gian báo cáo “{name}”. {where}Đồng chí là cán bộ quản trị.\n"
        "Bước tiếp theo: /napmau tayninh để nạp sẵn 6 đơn vị cấp tỉnh, mẫu báo cáo tuần và lịch; "
        "hoặc /themdonvi để tự thêm đơn vị."
    )


ALREADY_REGISTERED = "Nhóm này đã thuộc không gian báo cáo “{name}”."
GROUP_REGISTERED = "✅ Đã đăng ký nhóm “{title}” làm nhóm báo cáo của “{name}”."
LEADERSHIP_REGISTERED = (
    "✅ Đã đăng ký “{title}” nhận bản tổng hợp của “{name}” sau mỗi hạn báo cáo."
)
NEEDS_GROUP = "Lệnh này dùng trong nhóm cần đăng ký."
NO_WORKSPACE = (
    "Chưa xác định được không gian báo cáo. Đồng chí dùng lệnh này trong nhóm báo cáo, hoặc "
    "tham gia bằng mã mời trước."
)
NO_CAMPAIGN = (
    "Chưa có đợt báo cáo nào. Cán bộ quản trị dùng /napmau tayninh để nạp mẫu báo cáo tuần."
)


def preset_list(items: Sequence[tuple[str, str, str]]) -> str:
    lines = ["Các bộ mẫu có sẵn (gửi /napmau MÃ để nạp):"]
    for key, title, description in items:
        lines.append(f" - {key}: {title}. {description}".rstrip())
    return "\n".join(lines)


def preset_applied(title: str, added: Sequence[str], kept: Sequence[str], campaign: str) -> str:
    lines = [f"✅ Đã nạp bộ mẫu “{title}”."]
    if added:
        lines.append("Đơn vị đã thêm: " + ", ".join(added) + ".")
    if kept:
        lines.append("Đơn vị đã có, giữ nguyên: " + ", ".join(kept) + ".")
    lines.append(f"Đợt báo cáo: {campaign}.")
    if added:
        lines.append(
            "Bước tiếp theo: /moi MÃ_ĐƠN_VỊ để tạo mã mời cho từng đơn vị; /lich để xem lịch."
        )
    else:
        lines.append("Xem lịch của đợt bằng /lich, mẫu báo cáo bằng /mau.")
    return "\n".join(lines)


UNKNOWN_PRESET = "Chưa có bộ mẫu “{key}”. Gửi /napmau để xem danh sách."

# -- organizations ---------------------------------------------------------------------------
ADDORG_USAGE = (
    "Cách dùng: /themdonvi mã | tên đầy đủ | tên ngắn (không bắt buộc) | mã đơn vị cấp trên "
    "(không bắt buộc). Ví dụ: /themdonvi hnd | Hội Nông dân tỉnh | Hội ND tỉnh"
)
BAD_ORG_CODE = (
    "Mã đơn vị “{code}” không hợp lệ: chỉ dùng chữ không dấu, số, dấu gạch dưới hoặc gạch "
    "ngang, tối đa 30 ký tự."
)
ORG_EXISTS = "Mã đơn vị “{code}” đã có. Đồng chí chọn mã khác hoặc dùng /doiten để đổi tên."
ADDORG_LINE_FAILED = "⚠️ Dòng {n} chưa thêm được: “{line}”"
ADDORG_NONE_ADDED = "Chưa thêm được đơn vị nào."
ADDORG_RESEND_FAILED = "Đồng chí sửa các dòng trên rồi gửi lại riêng các dòng đó."
ORG_NOT_FOUND = "Không có đơn vị mã “{code}”. Gửi /donvi để xem danh sách mã."
ORG_ADDED = "✅ Đã thêm đơn vị {name} (mã {code})."
ORG_RENAMED = "✅ Đã đổi tên đơn vị mã {code} thành {name} (tên ngắn: {short})."
ORG_DEACTIVATED = (
    "✅ Đã ngừng theo dõi báo cáo của {name}. Dùng /molaidonvi {code} để theo dõi lại."
)
ORG_ACTIVATED = "✅ Đã theo dõi lại báo cáo của {name}."


def reopened_prompted(periods: list[str], units: int) -> str:
    """After ``/molaidonvi``: the running period's prompt, already sent to the others, went
    to the reopened unit's reporters too."""
    who = "đơn vị" if units == 1 else "các đơn vị"
    return f"Đã gửi lời mời báo cáo {', '.join(periods)} cho người báo cáo của {who} này."


def stop_effect(period: str, deadline: str, active: bool, campaign: str | None) -> str:
    """When ``/ngungdonvi`` or ``/molaidonvi`` takes effect: from the first period whose
    deadline is still ahead; the periods already due keep what they expected."""
    where = f"{campaign}: " if campaign else ""
    if active:
        return f"{where}Đơn vị phải báo cáo lại từ {period} (hạn {deadline})."
    return (
        f"{where}Từ {period} (hạn {deadline}) đơn vị không phải báo cáo; các kỳ đã đến hạn"
        " trước đó vẫn tính như cũ."
    )


LEVEL_UNITS_FOLLOW = "Thay đổi này áp dụng cho cả {n} đơn vị bên dưới (số liệu đã báo cáo vẫn giữ)."
ORG_ALREADY_ACTIVE = "{name} (mã {code}) đang được theo dõi báo cáo, không cần mở lại."
ORG_ALREADY_INACTIVE = "{name} (mã {code}) đã ngừng theo dõi từ trước."
RENAME_USAGE = "Cách dùng: /doiten mã | tên mới | tên ngắn mới (không bắt buộc)"
CODE_USAGE = "Đề nghị ghi mã đơn vị, ví dụ: /{cmd} hccb"
NO_ORGS = "Chưa có đơn vị nào. Dùng /napmau tayninh hoặc /themdonvi để thêm."


def org_list(rows: Sequence[tuple[str, str, bool, int]]) -> str:
    lines = ["Danh sách đơn vị (mã – tên – số người tham gia):"]
    for code, name, active, members in rows:
        status = "" if active else " (ngừng theo dõi)"
        lines.append(f" - {code} – {name}{status} – {members} người")
    return "\n".join(lines)


# -- invites and binding ---------------------------------------------------------------------
INVITE_USAGE = "Cách dùng: /moi MÃ_ĐƠN_VỊ [baocao|lanhdao|quantri], ví dụ: /moi tinhdoan"
BAD_ROLE = "Vai trò “{role}” không hợp lệ. Chọn một trong: baocao, lanhdao, quantri."


def invite_created(code: str, org: str | None, role: str, days: int, uses: int) -> str:
    who = f"đơn vị {org}" if org else "không gian báo cáo"
    return (
        f"✅ Mã mời cho {who}, vai trò {ROLE_LABELS[role]}: {code}\n"
        f"Người được mời gửi cho bot: /thamgia {code}\n"
        f"Mã dùng được {uses} lần trong {days} ngày."
    )


BIND_USAGE = (
    "Cách dùng: trả lời tin nhắn của người cần gắn bằng /gan MÃ_ĐƠN_VỊ [vai trò], hoặc "
    "/gan MÃ_ĐƠN_VỊ [vai trò] MÃ_NGƯỜI_DÙNG."
)


def bound(name: str, org: str | None, role: str) -> str:
    where = f" vào đơn vị {org}" if org else ""
    return f"✅ Đã gắn {name}{where} với vai trò {ROLE_LABELS[role]}."


UNBIND_USAGE = "Cách dùng: /bogan MÃ_NGƯỜI_DÙNG (xem mã bằng /thanhvien)."
MEMBER_NOT_FOUND = "Không tìm thấy người dùng “{user}” trong không gian này."
UNBOUND = "✅ Đã bỏ gắn {name} khỏi không gian báo cáo."
CANNOT_UNBIND_SELF = "Đồng chí không tự bỏ gắn mình được khi là quản trị duy nhất."


def member_list(groups: Sequence[tuple[str, Sequence[str]]]) -> str:
    if not groups:
        return "Chưa có ai tham gia."
    lines = ["Người đã tham gia:"]
    for title, people in groups:
        lines.append(f"{title}:")
        lines.extend(f" - {p}" for p in people)
    return "\n".join(lines)


# -- templates and schedule ------------------------------------------------------------------
TEMPLATE_SEND_DOCUMENT = (
    "Đề nghị đồng chí gửi tài liệu mẫu báo cáo (YAML hoặc JSON) ngay sau lệnh, hoặc gửi tệp "
    "trong tin nhắn tiếp theo. Gửi /mau tep để nhận mẫu hiện hành làm bản gốc. Gửi /huy để thôi."
)


def fields_dropped(labels: Sequence[str]) -> str:
    shown = ", ".join(labels[:8]) + (f" và {len(labels) - 8} mục khác" if len(labels) > 8 else "")
    return (
        f"Lưu ý: mẫu mới không còn các mục: {shown}. Số liệu đã gửi của các mục này vẫn được lưu "
        "nhưng không còn hiện trong bản tổng hợp."
    )


def template_replaced(name: str, version: int, fields: int) -> str:
    return f"✅ Đã thay mẫu báo cáo “{name}” (phiên bản {version}, {fields} mục)."


def template_errors(problems: Sequence[str]) -> str:
    shown = list(problems[:10])
    more = len(problems) - len(shown)
    lines = ["Mẫu báo cáo chưa hợp lệ, chưa thay đổi gì:"]
    lines.extend(f" - {p}" for p in shown)
    if more > 0:
        lines.append(f" - … và {more} lỗi khác.")
    lines.append("Đồng chí sửa các mục trên rồi gửi lại.")
    return "\n".join(lines)


TEMPLATE_PERIOD_CHANGED = (
    "Mẫu mới có loại kỳ khác với đợt báo cáo hiện hành ({old} → {new}); đợt báo cáo sẽ theo kỳ mới."
)


def schedule_text(
    name: str, lines: Sequence[str], next_open: str, next_deadline: str, *, weekly: bool
) -> str:
    body = "\n".join(f" - {line}" for line in lines)
    example = (
        "/lich mở T2 08:00; hạn T6 17:00; nhắc T5 08:00; cảnh báo 2 giờ"
        if weekly
        else "/lich tháng mở ngày 1 08:00; hạn ngày 25 17:00; nhắc ngày 20 08:00"
    )
    return (
        f"Lịch của đợt “{name}”:\n{body}\n"
        f"Kỳ tới: mở lúc {next_open}, hạn {next_deadline}.\n"
        f"Đổi lịch, ví dụ: {example}"
    )


SCHEDULE_SAVED = "✅ Đã cập nhật lịch. "

# -- reporting -------------------------------------------------------------------------------
REPORT_START = (
    "Đồng chí sao chép mẫu dưới đây, điền số liệu và gửi lại (có thể chỉ gửi các dòng có số "
    "liệu); hoặc viết tự do; hoặc chọn “Hỏi từng mục”."
)


def draft_dropped(period_label: str) -> str:
    """A command (other than "/baocao" and "/huy") ended a report waiting for confirmation."""
    return (
        f"ℹ️ Báo cáo {period_label} đang chờ đồng chí xác nhận chưa được lưu; bot đã bỏ bản đó"
        " để làm theo lệnh mới. Khi cần, đồng chí gửi lại số liệu."
    )


def draft_kept(count: int) -> str:
    """``/baocao`` while the figures of an earlier message wait for confirmation."""
    return (
        f"Bot vẫn giữ số liệu {count} mục đọc được từ tin nhắn trước của đồng chí (chưa lưu);"
        " đồng chí chỉ cần gửi thêm các dòng còn thiếu hoặc cần sửa."
    )


TEMPLATE_UNKNOWN_CODES = (
    "⚠️ Mẫu ghi mã đơn vị chưa có trong danh sách: {codes}. Đồng chí kiểm tra lại chính tả (xem"
    " /donvi); các mục, chỉ số dành cho mã đó sẽ không áp dụng cho đơn vị nào."
)
STALE_DRAFT_DROPPED = (
    "ℹ️ Bản báo cáo {period} đồng chí gửi trước đây chưa được xác nhận nên chưa lưu; bot bỏ bản"
    " đó và tính tin nhắn này cho kỳ mới."
)
REPORT_NOTHING_READ = (
    "Chưa đọc được số liệu nào trong tin nhắn. Đồng chí vui lòng điền vào mẫu (gửi /baocao để "
    "nhận mẫu), ví dụ: {example}"
)
REPORT_NOTHING_READ_CHECKLIST = (
    "Chưa đọc được câu trả lời nào trong tin nhắn. Đồng chí trả lời gọn, ví dụ: “đạt tất cả”,"
    " “không đạt: 3, 5” hoặc “1 có, 2 không”; hoặc điền vào mẫu (gửi /baocao để nhận mẫu)."
)
NOT_A_REPORT = (
    "Đồng chí cần gửi báo cáo? Gửi /baocao để nhận mẫu báo cáo, /tinhhinh để xem tình hình "
    "báo cáo, /trogiup để xem các lệnh."
)
CONFIRM_QUESTION = "Đồng chí xác nhận lưu báo cáo này?"
FIX_QUESTION = (
    "Đồng chí gửi lại các dòng cần sửa hoặc bổ sung (ví dụ: 3. 45,5 triệu); bot sẽ giữ các số "
    "liệu đã đọc được."
)
BLOCKING_PROBLEMS = "Cần sửa trước khi lưu:"
OTHER_NOTES = "Lưu ý:"
NOT_SAVED = "Đã hủy, báo cáo chưa được lưu."
PENDING_EXPIRED = "Phiên báo cáo đã hết hạn hoặc đã được xử lý. Đồng chí gửi /baocao để làm lại."


def saved(org: str, period: str, version: int, late: bool) -> str:
    what = "báo cáo" if version == 1 else f"báo cáo cập nhật (lần {version})"
    tail = " Báo cáo được ghi nhận là gửi muộn." if late else ""
    return f"✅ Đã ghi nhận {what} {period} của {org}. Cảm ơn đồng chí.{tail}"


def photos_saved(count: int, org: str, period: str) -> str:
    return f"✅ Đã lưu {count} ảnh vào báo cáo {period} của {org}."


PHOTO_NO_REPORT = (
    "Đã nhận ảnh. Để gắn ảnh vào báo cáo, đồng chí gửi ảnh kèm nội dung báo cáo hoặc sau khi "
    "đã gửi báo cáo kỳ này."
)


def period_not_open(period: str, opens: str) -> str:
    return (
        f"{period[:1].upper()}{period[1:]} chưa bắt đầu, chưa nhận báo cáo (mở báo cáo lúc {opens}). "
        "Đồng chí kiểm tra lại kỳ báo cáo."
    )


def period_before_campaign(period: str, first: str) -> str:
    return (
        f"Đợt báo cáo bắt đầu từ {first}, không nhận báo cáo cho {period}. Đề nghị đồng chí "
        "liên hệ cán bộ quản trị nếu cần bổ sung số liệu kỳ trước."
    )


def period_locked(period: str) -> str:
    return (
        f"Kỳ {period} đã khóa sổ, không nhận thêm hoặc sửa báo cáo. Đề nghị đồng chí liên hệ "
        "cán bộ quản trị nếu cần mở lại."
    )


def guided_question(index: int, total: int, number: int, label: str, hint: str) -> str:
    """ "Câu 9/14 – mục 10. Số cuộc giám sát (cuộc)?": the form's own number is shown too."""
    tail = f" ({hint})" if hint else ""
    return f"Câu {index}/{total} – mục {number}. {label}{tail}?"


GUIDED_HINT = "Trả lời bằng số liệu hoặc nội dung; gửi “bỏ qua” nếu không có, “hủy” để thôi."


def guided_bad(reason: str) -> str:
    reason = reason.strip().rstrip(".")
    reason = reason[:1].upper() + reason[1:]
    return f"{reason}. Đồng chí vui lòng trả lời lại mục này."


NO_SUBMISSION = "Đơn vị {org} chưa gửi báo cáo {period}."


def with_photos(count: int) -> str:
    return f"Kèm {count} ảnh."


def choose_number(count: int) -> str:
    return f"Đồng chí trả lời bằng số thứ tự (1–{count}) hoặc gửi /huy để thôi."


CHOOSE_CAMPAIGN = "Đơn vị đang có nhiều đợt báo cáo. Đồng chí báo cáo cho đợt nào?"
NOTHING_PENDING = (
    "Không có báo cáo nào đang chờ xác nhận. Gửi /xem để xem báo cáo đã lưu, hoặc /baocao để "
    "gửi báo cáo."
)
NEW_CAMPAIGN = "Đã tạo đợt báo cáo mới “{name}” với lịch mặc định; xem và sửa lịch bằng /lich."


def no_campaign_for(period_label: str) -> str:
    return (
        f"Không có đợt báo cáo nào theo {period_label}; bản tổng hợp hiện làm theo kỳ của từng "
        "đợt báo cáo (ví dụ: /tonghop tuần 47, /tonghop tuần trước)."
    )


# -- digest and status -----------------------------------------------------------------------
DIGEST_NO_LEADERSHIP = "(Chưa đăng ký nhóm lãnh đạo: bản tổng hợp gửi cho cán bộ quản trị.)"
AUDIT_EMPTY = "Chưa có thao tác quản trị nào."
AUDIT_ACTIONS = {
    "join": "tham gia bằng mã mời",
    "setup": "tạo không gian báo cáo",
    "set_reporting_chat": "đăng ký nhóm báo cáo",
    "set_leadership_chat": "đăng ký nơi nhận tổng hợp",
    "preset": "nạp bộ mẫu",
    "add_org": "thêm đơn vị",
    "rename_org": "đổi tên đơn vị",
    "activate_org": "theo dõi lại đơn vị",
    "deactivate_org": "ngừng theo dõi đơn vị",
    "invite": "tạo mã mời",
    "bind": "gắn người dùng",
    "unbind": "bỏ gắn người dùng",
    "leave": "tự rời không gian báo cáo",
    "export_data": "xuất toàn bộ dữ liệu",
    "template": "thay mẫu báo cáo",
    "schedule": "đổi lịch",
    "report_on_behalf": "báo cáo thay đơn vị",
    "pause": "tạm dừng đợt báo cáo",
    "resume": "cho đợt báo cáo chạy lại",
    "skip": "nghỉ kỳ",
    "unskip": "bỏ nghỉ kỳ",
    "exempt": "miễn báo cáo",
    "unexempt": "bỏ miễn báo cáo",
    "reopen": "mở lại kỳ đã khóa sổ",
    "chat_migrated": "nhóm chuyển thành siêu nhóm, đổi mã",
    "bot_added": "thêm lại bot vào nhóm",
    "bot_removed": "xóa bot khỏi nhóm",
    "add_level": "thêm cấp tổng hợp",
    "move_org": "chuyển đơn vị sang cấp khác",
    "export": "nhận tệp báo cáo",
    "letterhead": "sửa phần đầu, phần ký báo cáo Word",
    "scheduled_rollups": "đổi báo cáo định kỳ",
    "directive": "gửi chỉ đạo",
    "close_directive": "kết thúc chỉ đạo",
    "emulation_mark": "ghi vào sổ điển hình",
    "emulation_unmark": "bỏ khỏi sổ điển hình",
    "emulation_shortlist": "đề nghị khen thưởng",
    "emulation_unshortlist": "rút đề nghị khen thưởng",
    "emulation_export": "nhận danh sách điển hình",
}

# -- calendar rules --------------------------------------------------------------------------
PAUSED = (
    "✅ Đã tạm dừng đợt “{name}”: bot không gửi đề nghị báo cáo, nhắc việc và bản tổng hợp cho "
    "đến khi có lệnh /tieptuc. Các đơn vị vẫn gửi báo cáo được."
)
ALREADY_PAUSED = "Đợt “{name}” đang tạm dừng. Gửi /tieptuc để chạy lại."
RESUMED = "✅ Đợt “{name}” chạy lại từ {period}."
RESUMED_SKIPPED = " Các kỳ đã quá hạn trong thời gian tạm dừng được ghi là nghỉ: {periods}."
NOT_PAUSED = "Đợt “{name}” đang chạy bình thường."
PERIOD_RANGE_USAGE = (
    "Đề nghị ghi kỳ, ví dụ: /{cmd} tuần 6/2027, hoặc một khoảng: /{cmd} tuần 6/2027 đến tuần "
    "7/2027; lý do ghi sau dấu |."
)
RANGE_TOO_LONG = "Khoảng kỳ quá dài (tối đa 60 kỳ). Đồng chí chia nhỏ khoảng kỳ."
RANGE_REVERSED = "Kỳ bắt đầu phải trước kỳ kết thúc."
NO_SKIPS = "Đợt “{name}” không có kỳ nghỉ nào. Ví dụ: /nghi tuần 6/2027 | Nghỉ Tết."
EXEMPT_USAGE = "Cách dùng: /{cmd} MÃ_ĐƠN_VỊ kỳ [đến kỳ] [| lý do], ví dụ: /{cmd} hccb tuần 48"
REOPEN_USAGE = "Cách dùng: /molai MÃ_ĐƠN_VỊ kỳ [số ngày], ví dụ: /molai hnd tuần 45 3 ngày"
NOT_LOCKED = "{period} chưa khóa sổ, {org} vẫn gửi và sửa báo cáo được."
NO_FAILURES = "Không có tin nhắn nào bị lỗi gửi."


def skip_list(name: str, items: Sequence[tuple[str, str]]) -> str:
    lines = [f"Các kỳ nghỉ của đợt “{name}”:"]
    lines.extend(f" - {label}{' – ' + reason if reason else ''}" for label, reason in items)
    return "\n".join(lines)


def skipped(labels: Sequence[str], reason: str) -> str:
    tail = f" ({reason})" if reason else ""
    return f"✅ Đã ghi nghỉ{tail}: {', '.join(labels)}. Bot không gửi đề nghị, nhắc việc và tổng hợp cho các kỳ này."


def unskipped(labels: Sequence[str]) -> str:
    return f"✅ Đã bỏ nghỉ: {', '.join(labels)}."


def exempted(org: str, labels: Sequence[str], reason: str) -> str:
    tail = f" ({reason})" if reason else ""
    return f"✅ {org} được miễn báo cáo{tail}: {', '.join(labels)}. Đơn vị không bị tính là chưa báo cáo."


def unexempted(org: str, labels: Sequence[str]) -> str:
    return f"✅ Đã bỏ miễn báo cáo của {org}: {', '.join(labels)}."


def reopened(org: str, period: str, until: str) -> str:
    return (
        f"✅ Đã mở lại {period} cho {org} đến {until}. Đơn vị gửi hoặc sửa báo cáo như thường lệ."
    )


def failure_list(lines: Sequence[str]) -> str:
    return "Tin nhắn không gửi được (mới nhất trước):\n" + "\n".join(f" - {line}" for line in lines)


def audit_list(lines: Sequence[str]) -> str:
    return "Nhật ký quản trị gần đây:\n" + "\n".join(f" - {line}" for line in lines)


# -- channel notices (Telegram) --------------------------------------------------------------
BUTTON_NOT_YOURS = "Nút này dành cho người đã gửi tin nhắn được trả lời."
BUTTON_STALE = "Lựa chọn này đã hết hiệu lực. Đồng chí gửi /baocao nếu cần làm lại."
UNREACHABLE = "⚠️ không nhận được tin nhắn của bot (đã chặn bot hoặc chưa nhắn cho bot)"


def invite_link(link: str) -> str:
    return f"Hoặc gửi đường dẫn này, người được mời chỉ cần bấm vào là tham gia: {link}"


def owner_error_notice(where: str, error: str) -> str:
    return f"⚠️ Bot gặp lỗi khi xử lý {where}: {error}. Chi tiết trong nhật ký máy chủ."


# -- the life of a group (the bot added, removed; a group upgraded) ----------------------------
BOT_ADDED_NOT_REGISTERED = (
    "Nhóm này chưa được đăng ký với bot báo cáo. Cán bộ quản trị gửi /khoitao kèm tên (tạo "
    "không gian báo cáo mới cho nhóm) hoặc /nhombaocao (thêm nhóm vào không gian đã có)."
)


def bot_removed_notice(title: str, workspace: str, who: str, when: str) -> str:
    return (
        f"⚠️ Bot đã bị xóa khỏi nhóm “{title}” (không gian “{workspace}”) lúc {when}, do "
        f"{who} thực hiện. Bot không gửi được đề nghị báo cáo, nhắc việc vào nhóm này cho đến "
        "khi được thêm lại. Nếu nhóm vẫn dùng để báo cáo, đề nghị đồng chí thêm lại bot vào nhóm."
    )


# -- edited messages ---------------------------------------------------------------------------
EDITED_COMMAND = (
    "Bot không thực hiện lại lệnh trong tin đã sửa. Đề nghị đồng chí gửi lệnh bằng tin nhắn mới."
)


# -- Zalo: groups and the monthly quota ------------------------------------------------------
CHANNEL_LABELS = {"zalo": "Zalo", "telegram": "Telegram", "sandbox": "thử nghiệm"}
PRIVATE_ONLY = (
    "Bot Zalo này không tham gia được nhóm, nên làm việc với từng người qua trò chuyện riêng: "
    "mỗi cán bộ báo cáo nhận đề nghị báo cáo, nhắc việc và gửi báo cáo ngay trong trò chuyện "
    "riêng với bot. Đồng chí mời từng đơn vị bằng /moi <mã đơn vị> và gửi mã mời cho cán bộ "
    "báo cáo; nơi nhận bản tổng hợp đăng ký bằng /nhomlanhdao trong trò chuyện riêng."
)


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def usage_line(channel: str, used: int, quota: int) -> str:
    label = CHANNEL_LABELS.get(channel, channel)
    if quota <= 0:
        return f"{label}: đã gửi {_n(used)} tin"
    share = f"{used * 100 / quota:.1f}".replace(".", ",")
    return f"{label}: đã gửi {_n(used)}/{_n(quota)} tin ({share}%)"


def usage_report(month_label: str, lines: Sequence[str]) -> str:
    body = "\n".join(f" - {line}" for line in lines) if lines else " - Chưa gửi tin nào."
    return (
        f"📊 Số tin bot đã gửi trong {month_label}:\n{body}\n"
        "Bot gửi mỗi đơn vị một đề nghị, chỉ nhắc đơn vị chưa báo cáo và gửi một bản tổng hợp "
        "mỗi kỳ để tiết kiệm hạn mức."
    )


def quota_warning(channel: str, used: int, quota: int, month_label: str) -> str:
    label = CHANNEL_LABELS.get(channel, channel)
    share = f"{used * 100 / quota:.0f}" if quota > 0 else "?"
    return (
        f"⏰ Nhắc việc: bot đã gửi {_n(used)}/{_n(quota)} tin {label} trong {month_label} "
        f"({share}% hạn mức hằng tháng). Khi hết hạn mức, {label} có thể ngừng chuyển tin của "
        "bot đến hết tháng. Đề nghị đồng chí hạn chế lệnh không cần thiết; xem số tin bằng /hanmuc."
    )


# -- roll-ups and report files ---------------------------------------------------------------
SPAN_EMPTY = "Khoảng thời gian không hợp lệ: ngày bắt đầu phải trước ngày kết thúc."
SPAN_IN_FUTURE = "{span} chưa bắt đầu nên chưa có số liệu."
EXPORT_USAGE = (
    "Cách dùng: /xuat LOẠI [KỲ] [MÃ ĐƠN VỊ]. LOẠI là word (báo cáo để ký), excel (bảng tính),"
    " csv hoặc bieudo (biểu đồ). KỲ: tuần 47, tháng 11, quý IV, 6 tháng đầu năm, năm 2026,"
    " hoặc từ 01/10/2026 đến 15/11/2026; để trống là tháng này.\n"
    "Ví dụ: /xuat word quý IV · /xuat excel năm 2026 · /xuat word tháng 11 xa_tanbien"
)
NO_FILES_HERE = (
    "Zalo chưa cho bot gửi tệp (Word, Excel, ảnh biểu đồ). Đồng chí dùng lệnh /xuat trên"
    " Telegram; trên Zalo, /tonghop quý IV cho xem bản tổng hợp dạng tin nhắn."
)
EXPORT_EMPTY = "Lưu ý: trong khoảng thời gian này chưa có đơn vị nào gửi báo cáo."
HISTORY_USAGE = (
    "Cách dùng: /lichsu [MÃ ĐƠN VỊ] [KỲ], ví dụ: /lichsu hnd năm 2026. Đồng chí chưa được gắn"
    " với đơn vị nào nên cần ghi mã đơn vị."
)
HISTORY_OWN_ONLY = (
    "Đồng chí chỉ xem được lịch sử báo cáo của đơn vị mình. Lãnh đạo và quản trị xem được"
    " mọi đơn vị."
)
LETTERHEAD_USAGE = (
    "Cách dùng: /vanban MỤC | NỘI DUNG, ví dụ:\n"
    "/vanban cơ quan ban hành | Ban Thường trực\n"
    "/vanban địa danh | Tây Ninh\n"
    "/vanban người ký | Nguyễn Văn A\n"
    "/vanban nơi nhận | Thường trực Tỉnh ủy (để báo cáo); Các tổ chức CT-XH tỉnh; Lưu: VT\n"
    "/vanban mặc định — trả về mặc định.\n"
    "Phần đầu riêng của một cấp (xã, phường): thêm mã cấp ở đầu, ví dụ"
    " /vanban xa_tanhoa người ký | Nguyễn Văn A."
)
LETTERHEAD_ALREADY_DEFAULT = (
    "Phần đầu và phần ký của báo cáo Word{where} đang là mặc định, không có gì thay đổi."
)
LETTERHEAD_LEVEL_HEAD = (
    "Báo cáo Word của {name} (khi xuất cho cấp này) dùng phần đầu, phần ký riêng dưới đây."
)
LETTERHEAD_NOT_A_LEVEL = (
    "{name} là đơn vị báo cáo, không có phần đầu riêng. Phần đầu riêng chỉ đặt cho một cấp"
    " (tỉnh, xã, phường…), ví dụ: /vanban xa_tanhoa người ký | Nguyễn Văn A."
)
LETTERHEAD_SET = "✅ Đã lưu {name}: {value}"
SCHEDULED_ROLLUPS_USAGE = (
    "Cách dùng: /baocaodinhky tháng quý (gửi cả hai), /baocaodinhky quý (chỉ hằng quý),"
    " /baocaodinhky tắt."
)
ADDLEVEL_USAGE = (
    "Cách dùng: /themcap MÃ | TÊN | MÃ CẤP TRÊN, ví dụ: /themcap xa_tanhoa | Xã Tân Hòa | tinh\n"
    "Cấp tổng hợp (tỉnh, xã, phường) không tự báo cáo; bản tổng hợp của cấp gồm mọi đơn vị"
    " bên dưới. Có thể thêm nhiều cấp, mỗi dòng một cấp."
)
MOVEORG_USAGE = (
    "Cách dùng: /chuyendonvi MÃ ĐƠN VỊ | MÃ CẤP TRÊN MỚI (ghi “gốc” để đưa lên cấp cao nhất),"
    " ví dụ: /chuyendonvi hnd_tanhoa | xa_tanhoa"
)
LEVEL_DOES_NOT_REPORT = (
    "{name} là cấp tổng hợp, không tự gửi báo cáo: số liệu của cấp là báo cáo của các đơn vị"
    " bên dưới. Xem tổng hợp: /tonghop {code}"
)
OUTSIDE_OWN_LEVEL = (
    "Đồng chí xem được số liệu của {name} và các đơn vị bên dưới; đơn vị này thuộc nơi khác."
)
LEVEL_UNDER_REPORTING = (
    "Cấp tổng hợp chỉ đặt được dưới một cấp tổng hợp khác (tỉnh, xã), không đặt dưới đơn vị"
    " báo cáo “{name}”."
)
MOVE_INTO_ITSELF = "Không thể đưa {name} vào bên dưới {parent}: {parent} đang nằm trong {name}."
ORG_MOVED = (
    "✅ Đã chuyển {name} về {parent}. Các báo cáo đã gửi của đơn vị được tính cho cấp mới,"
    " kể cả trong bản tổng hợp các kỳ trước."
)


def rollup_files_hint(span: str) -> str:
    return f"📎 Nhận tệp: /xuat word {span} · /xuat excel {span}"


def export_caption(kind: str, span: str, scope: str | None) -> str:
    where = f" — {scope}" if scope else ""
    return f"📎 {kind[0].upper()}{kind[1:]} {span}{where}"


def letterhead_reset(where: str, restore: Sequence[str]) -> str:
    """After ``/vanban mặc định``: what was cleared, as the commands that put it back."""
    lines = [
        f"✅ Đã trả phần đầu và phần ký của báo cáo Word{where} về mặc định.",
        "Các mục vừa bỏ (muốn đặt lại mục nào, gửi lại đúng dòng đó):",
    ]
    lines.extend(restore)
    return "\n".join(lines)


def letterhead_view(rows: Sequence[tuple[str, str]]) -> str:
    lines = ["Phần đầu và phần ký của báo cáo Word:"]
    lines.extend(f" - {name[0].upper()}{name[1:]}: {value or '(để trống)'}" for name, value in rows)
    lines.append("Sửa một mục: /vanban MỤC | NỘI DUNG (ví dụ: /vanban người ký | Nguyễn Văn A).")
    return "\n".join(lines)


def scheduled_rollups_view(kinds: Sequence[str], *, changed: bool = False) -> str:
    head = "✅ Đã lưu. " if changed else ""
    if not kinds:
        return head + "Bot không tự gửi bản tổng hợp định kỳ. Bật lại: /baocaodinhky tháng quý"
    return (
        f"{head}Bot tự gửi bản tổng hợp {' và '.join(kinds)} cho nhóm lãnh đạo, hai ngày sau"
        " hạn báo cáo của kỳ cuối tháng (quý), kèm bảng tính Excel (và báo cáo Word hằng quý)."
    )


def units_added(names: Sequence[str], *, grouping: bool) -> str:
    what = "cấp tổng hợp" if grouping else "đơn vị"
    if len(names) == 1:
        return f"✅ Đã thêm {what}: {names[0]}."
    return f"✅ Đã thêm {len(names)} {what}: {', '.join(names)}."
