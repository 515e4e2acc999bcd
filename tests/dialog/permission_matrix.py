"""The permission matrix: one table of who may do what where, and a driver that tries a cell.

The table (``EXPECTED``) is the single source of truth for three things:

- ``tests/dialog/test_permission_matrix.py`` tries every cell through the dialog engine on
  every channel's identity and chat model (sandbox, Telegram, Zalo) and compares;
- the same test checks that the table in ``docs/phan-quyen.md`` is exactly ``render_markdown()``
  (regenerate it with ``python -m tests.dialog.permission_matrix``);
- the end-to-end tests (``tests/e2e/test_permission_matrix_http.py``) try a cross-section of
  the cells over real HTTP against the fake Telegram and Zalo servers.

Rows are every command of ``bot.core.commands.COMMANDS`` (by canonical name; aliases reach
the same spec) and three inputs that are not commands: a report sent as a reply, a photo, a
button press. Columns are role × place. Each cell is ``OK`` (the bot does it), a refusal
code (the bot answers with that message and changes nothing), or ``SILENT``.

Each cell runs on its own copy of a prepared database, so no cell sees another's effects.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import Services, build_services, seeded_codes
from bot.core import messages as msg
from bot.core import messages_ops as ops_msg
from bot.core import messages_privacy as privacy_msg
from bot.core.clock import ManualClock
from bot.core.commands import COMMANDS
from bot.core.events import (
    ButtonPress,
    Chat,
    InboundEvent,
    InboundMessage,
    OutboundMessage,
    Sender,
)
from bot.core.models import ChatKind

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SETUP_AT = datetime(2026, 11, 23, 7, 30, tzinfo=TZ)
CELL_AT = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # week 48 is open for reports

# -- the axes ---------------------------------------------------------------------------------
ROLES: tuple[tuple[str, str], ...] = (
    ("owner", "Người vận hành bot"),
    ("admin", "Quản trị không gian"),
    ("leader", "Lãnh đạo"),
    ("reporter", "Báo cáo viên"),
    ("stranger", "Người lạ"),
)
PLACES: tuple[tuple[str, str], ...] = (
    ("dm", "riêng"),
    ("group", "nhóm báo cáo"),
    ("foreign", "nhóm lạ"),
)
REPORT_ROW, PHOTO_ROW, PRESS_ROW = "~baocao", "~anh", "~nut"
INPUT_ROWS: tuple[tuple[str, str], ...] = (
    (REPORT_ROW, "Gửi báo cáo (mẫu đã điền; trong nhóm: trả lời tin của bot)"),
    (PHOTO_ROW, "Gửi ảnh (trong nhóm: trả lời tin của bot)"),
    (PRESS_ROW, "Bấm nút Xác nhận trên tin hỏi lại của báo cáo viên"),
)
ROWS: tuple[str, ...] = tuple(c.name for c in COMMANDS) + tuple(r for r, _ in INPUT_ROWS)

# -- outcomes ---------------------------------------------------------------------------------
OK = "ok"
SILENT = "silent"
# Refusal code -> (short mark in the doc, the message the bot sends, a Vietnamese gloss).
REFUSALS: dict[str, tuple[str, str, str]] = {
    "unknown": ("CTG", msg.UNKNOWN_USER, "chưa tham gia: hướng dẫn xin mã mời"),
    "admin": ("QT", msg.NEED_ADMIN, "chỉ dành cho cán bộ quản trị"),
    "leader": ("LĐ", msg.NEED_LEADER, "dành cho lãnh đạo và cán bộ quản trị"),
    "owner": ("VH", msg.NEED_OWNER, "chỉ người vận hành bot tạo không gian báo cáo"),
    "owner_ops": ("VH2", ops_msg.NEED_OWNER, "chỉ người vận hành bot"),
    "not_registered": ("NL", msg.GROUP_NOT_REGISTERED, "nhóm chưa được đăng ký"),
    "no_workspace": ("KG", msg.NO_WORKSPACE, "đồng chí chưa thuộc không gian báo cáo nào"),
    "no_org": ("ĐV", msg.NO_ORG, "đồng chí chưa được gắn với đơn vị nào để báo cáo"),
    "registered": ("ĐĐK", msg.ALREADY_REGISTERED, "nhóm này đã thuộc một không gian báo cáo"),
    "needs_group": ("CN", msg.NEEDS_GROUP, "lệnh này dùng trong nhóm cần đăng ký"),
    "private": ("R", ops_msg.BACKUP_PRIVATE_ONLY, "chỉ gửi trong trò chuyện riêng"),
    "private_data": ("R2", privacy_msg.PRIVATE_ONLY,
                     "tệp có thông tin cá nhân: chỉ gửi trong trò chuyện riêng"),
    "no_files": ("TỆP", msg.NO_FILES_HERE, "kênh Zalo không gửi được tệp: bot nói cách nhận tệp"),
    "help": ("HD", msg.HELP_INTRO_MEMBER + "{commands}",
             "tin không phải lệnh của người chưa gắn đơn vị: bot gửi hướng dẫn sử dụng"),
}  # fmt: skip
MARKS = {OK: "✅", SILENT: "—"} | {code: mark for code, (mark, _, _) in REFUSALS.items()}


# -- the expected table -----------------------------------------------------------------------
def _row(
    dm: Sequence[str], group: Sequence[str], foreign: Sequence[str]
) -> dict[tuple[str, str], str]:
    """Five outcomes per place, in the order of ROLES."""
    out: dict[tuple[str, str], str] = {}
    for place, cells in (("dm", dm), ("group", group), ("foreign", foreign)):
        assert len(cells) == len(ROLES), cells
        for (role, _), cell in zip(ROLES, cells, strict=True):
            out[(role, place)] = cell
    return out


# Marks used to write the table compactly (see REFUSALS for the messages).
Y, S = OK, SILENT
CTG, QT, LD, VH, VH2 = "unknown", "admin", "leader", "owner", "owner_ops"
NL, KG, DV, DDK, CN, R, R2, HD = ("not_registered", "no_workspace", "no_org", "registered",
                                  "needs_group", "private", "private_data", "help")  # fmt: skip
FOREIGN_NOTE = [NL] * 5
ADMIN_ONLY = _row([KG, Y, QT, QT, QT], [Y, Y, QT, QT, QT], FOREIGN_NOTE)
LEADERS = _row([KG, Y, Y, LD, LD], [Y, Y, Y, LD, LD], FOREIGN_NOTE)
MEMBERS = _row([KG, Y, Y, Y, CTG], [Y, Y, Y, Y, CTG], FOREIGN_NOTE)
REPORTING = _row([KG, Y, DV, Y, CTG], [CTG, Y, DV, Y, CTG], FOREIGN_NOTE)

EXPECTED: dict[str, dict[tuple[str, str], str]] = {
    "trogiup": _row([Y] * 5, [Y] * 5, [Y] * 5),
    "thamgia": _row([Y] * 5, [Y] * 5, FOREIGN_NOTE),
    "toi": _row([Y] * 5, [Y] * 5, FOREIGN_NOTE),
    "baocao": REPORTING,
    "xem": REPORTING,
    "huy": _row([Y] * 5, [Y] * 5, FOREIGN_NOTE),
    "tinhhinh": MEMBERS,
    "tonghop": LEADERS,
    "xuat": LEADERS,
    "lichsu": MEMBERS,
    "chuyencan": LEADERS,
    "chidao": LEADERS,
    "xemchidao": LEADERS,
    "dongchidao": LEADERS,
    "danhan": MEMBERS,
    "thuchien": MEMBERS,
    "chiso": LEADERS,
    "solieu": LEADERS,
    "datsolieu": ADMIN_ONLY,
    "bosolieu": ADMIN_ONLY,
    "datchitieu": ADMIN_ONLY,
    "bochitieu": ADMIN_ONLY,
    "danhdau": MEMBERS,
    "bodanhdau": MEMBERS,
    "dienhinh": MEMBERS,
    "denghikhen": LEADERS,
    "bodenghikhen": LEADERS,
    "khoitao": _row([Y, VH, VH, VH, VH], [DDK, VH, VH, VH, VH], [Y, VH, VH, VH, VH]),
    "nhombaocao": _row([CN, CN, QT, QT, QT], [Y, Y, QT, QT, QT], [KG, Y, QT, QT, QT]),
    "nhomlanhdao": _row([KG, Y, QT, QT, QT], [Y, Y, QT, QT, QT], [KG, Y, QT, QT, QT]),
    "napmau": ADMIN_ONLY,
    "donvi": MEMBERS,
    "themdonvi": ADMIN_ONLY,
    "themcap": ADMIN_ONLY,
    "chuyendonvi": ADMIN_ONLY,
    "doiten": ADMIN_ONLY,
    "ngungdonvi": ADMIN_ONLY,
    "molaidonvi": ADMIN_ONLY,
    "moi": ADMIN_ONLY,
    "gan": ADMIN_ONLY,
    "bogan": ADMIN_ONLY,
    "thanhvien": ADMIN_ONLY,
    "mau": MEMBERS,
    "thaymau": ADMIN_ONLY,
    "lich": ADMIN_ONLY,
    "tamdung": ADMIN_ONLY,
    "tieptuc": ADMIN_ONLY,
    "nghi": ADMIN_ONLY,
    "bonghi": ADMIN_ONLY,
    "mien": ADMIN_ONLY,
    "bomien": ADMIN_ONLY,
    "molai": ADMIN_ONLY,
    "vanban": ADMIN_ONLY,
    "baocaodinhky": ADMIN_ONLY,
    "loigui": ADMIN_ONLY,
    # The month's message count is the bot's (per channel), not a workspace's.
    "hanmuc": _row([Y, Y, QT, QT, QT], [Y, Y, QT, QT, QT], FOREIGN_NOTE),
    "nhatky": ADMIN_ONLY,
    # A person's own data (in private: the file holds personal data); leaving (an owner
    # who is no member has nothing to leave); a workspace's data and its deletion (an owner
    # outside any workspace is shown the list to choose from).
    "dulieucuatoi": _row([Y, Y, Y, Y, CTG], [R2, R2, R2, R2, CTG], FOREIGN_NOTE),
    "roikhoi": _row([KG, Y, Y, Y, CTG], [CTG, Y, Y, Y, CTG], FOREIGN_NOTE),
    "xuatdulieu": _row([KG, Y, QT, QT, QT], [R2, R2, QT, QT, QT], FOREIGN_NOTE),
    "xoakhonggian": _row([Y, Y, QT, QT, QT], [Y, Y, QT, QT, QT], FOREIGN_NOTE),
    "saoluu": _row([Y, VH2, VH2, VH2, VH2], [R, VH2, VH2, VH2, VH2], FOREIGN_NOTE),
    REPORT_ROW: _row([CTG, Y, DV, Y, CTG], [CTG, Y, DV, Y, CTG], [S] * 5),
    PHOTO_ROW: _row([CTG, Y, HD, Y, CTG], [CTG, Y, HD, Y, CTG], [S] * 5),
    PRESS_ROW: _row([S, S, S, Y, S], [S, S, S, Y, S], [S] * 5),
}
# Where a channel differs: Zalo cannot carry files, so /xuat says so where it would send one.
CHANNEL_EXCEPTIONS: dict[str, dict[tuple[str, str, str], str]] = {
    "zalo": {("xuat", role, place): "no_files" for (role, place), cell in LEADERS.items()
             if cell == OK},
}  # fmt: skip


def expected(channel: str, row: str, role: str, place: str) -> str:
    return CHANNEL_EXCEPTIONS.get(channel, {}).get((row, role, place), EXPECTED[row][(role, place)])


@dataclass(frozen=True)
class ChannelModel:
    """How a channel names people and chats, and how a group message reaches the bot."""

    channel: str
    user_prefix: str
    group_id: str
    leaders_id: str
    foreign_id: str
    # Zalo delivers group messages only when they mention the bot.
    group_mentions: bool = False
    private_only: frozenset[str] = field(default_factory=frozenset)

    def user(self, n: int) -> str:
        return f"{self.user_prefix}{n}"


CHANNELS: dict[str, ChannelModel] = {
    "sandbox": ChannelModel("sandbox", "", "g1", "ld", "g9"),
    "telegram": ChannelModel("telegram", "", "-1001000000001", "-1001000000002", "-1001000000099"),
    "zalo": ChannelModel("zalo", "u", "zg1", "zg2", "zg99", group_mentions=True),
}

# Who plays each role (numbers; the channel adds its prefix).
OWNER, ADMIN, LEADER, REPORTER, STRANGER = 1000, 1001, 1007, 1002, 1099
# The owner founds the workspace (and so becomes its admin); the admin then unbinds them.
FOUNDER = OWNER
ACTORS = {"owner": OWNER, "admin": ADMIN, "leader": LEADER, "reporter": REPORTER,
          "stranger": STRANGER}  # fmt: skip
NAMES = {
    OWNER: "Vũ Văn Vận",
    ADMIN: "Nguyễn Văn An",
    REPORTER: "Trần Thị Bình",
    1005: "Hoàng Văn Em",
    LEADER: "Đặng Thị Giang",
    STRANGER: "Người Lạ",
}

FORM = "1. Số buổi tuyên truyền, vận động: 5\n2. Số lượt người được tuyên truyền: 80"
# The arguments each command is tried with: what its user would type to make it act.
ARGS: dict[str, str] = {
    "trogiup": "",
    "thamgia": "INVITE",  # replaced by a live invite code
    "toi": "",
    "baocao": FORM,
    "xem": "",
    "huy": "",
    "tinhhinh": "",
    "tonghop": "",
    "xuat": "csv tuần này",
    "lichsu": "",
    "chuyencan": "",
    "chidao": "Đề nghị các đơn vị tăng cường tuyên truyền phòng, chống bão",
    "xemchidao": "",
    "dongchidao": "1",
    "danhan": "",
    "thuchien": "1 Đã tổ chức 5 buổi tuyên truyền",
    "chiso": "",
    "solieu": "",
    "datsolieu": "dan_so_muc_tieu hnd 12.500",
    "bosolieu": "dan_so_muc_tieu hnd",
    "datchitieu": "ty_le_mui_3 90 năm 2026",
    "bochitieu": "ty_le_mui_3",
    "danhdau": "",
    "bodanhdau": "1",
    "dienhinh": "",
    "denghikhen": "1",
    "bodenghikhen": "1",
    "khoitao": "Nhóm MTT-CTXH xã Ninh Thọ",
    "nhombaocao": "",
    "nhomlanhdao": "",
    "napmau": "tayninh",
    "donvi": "",
    "themdonvi": "xyz | Đơn vị X | ĐV X",
    "themcap": "xa_ninhtho | Xã Ninh Thọ",
    "chuyendonvi": "hnd | -",
    "doiten": "hnd | Hội Nông dân tỉnh Tây Ninh | Hội ND",
    "ngungdonvi": "hccb",
    "molaidonvi": "hccb",
    "moi": "hlhpn",
    "gan": "hlhpn baocao USER1055",
    "bogan": "USER1005",
    "thanhvien": "",
    "mau": "",
    "thaymau": "",
    "lich": "hạn T6 16:00",
    "tamdung": "",
    "tieptuc": "",
    "nghi": "tuần 6/2027 | Nghỉ Tết",
    "bonghi": "tuần 6/2027",
    "mien": "hccb tuần 48 | Đi công tác",
    "bomien": "hccb tuần 48",
    "molai": "hnd tuần 45",
    "vanban": "người ký | Nguyễn Văn A",
    "baocaodinhky": "tháng",
    "loigui": "",
    "hanmuc": "",
    "nhatky": "",
    "dulieucuatoi": "",
    "roikhoi": "",
    "xuatdulieu": "",
    "xoakhonggian": "",
    "saoluu": "",
}


def setup_lines(model: ChannelModel) -> list[tuple[int, str, str]]:
    """(who, place, text) that build the workspace every cell starts from.

    The founder (a bot owner) creates it in the group and hands it to the admin; the owner
    who plays the matrix is then no member of it, so "owner" is the owner's rights alone."""
    u = model.user
    return [
        (FOUNDER, "group", "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh"),
        (FOUNDER, "group", "/napmau tayninh"),
        (FOUNDER, "group", f"/gan mttq quantri {u(ADMIN)}"),
        (FOUNDER, "group", f"/gan tinhdoan baocao {u(REPORTER)}"),
        (FOUNDER, "group", f"/gan hnd baocao {u(1005)}"),
        (FOUNDER, "group", f"/gan - lanhdao {u(LEADER)}"),
        (FOUNDER, "leaders", "/nhomlanhdao"),
        (ADMIN, "group", f"/bogan {u(FOUNDER)}"),
        # People bound by user id before they wrote: their first message teaches the bot
        # their name (a change of state no cell should be charged with).
        (LEADER, "dm", "/toi"),
        (REPORTER, "dm", "/toi"),
        (1005, "dm", "/toi"),
    ]


def command_row(name: str) -> bool:
    return not name.startswith("~")


# -- running a cell ---------------------------------------------------------------------------
@dataclass
class Cell:
    """One prepared database per channel; each cell runs on a fresh copy of it."""

    model: ChannelModel
    template_db: Path
    invite_code: str


class Driver:
    """Speaks to the engine as a channel would, with that channel's ids and chat model."""

    def __init__(self, services: Services, model: ChannelModel, prefix: str) -> None:
        self.services = services
        self.model = model
        self._prefix = prefix  # message ids are unique per chat across drivers
        self._n = 0

    def chat(self, who: int, place: str) -> Chat:
        m = self.model
        if place == "dm":
            return Chat(m.channel, m.user(who), ChatKind.PRIVATE, NAMES.get(who, str(who)))
        chat_id = {"group": m.group_id, "leaders": m.leaders_id, "foreign": m.foreign_id}[place]
        title = {"group": "Nhóm MTT-CTXH tỉnh Tây Ninh", "leaders": "Thường trực",
                 "foreign": "Nhóm bạn bè"}[place]  # fmt: skip
        return Chat(m.channel, chat_id, ChatKind.GROUP, title)

    def sender(self, who: int) -> Sender:
        return Sender(self.model.channel, self.model.user(who), NAMES.get(who, str(who)))

    def _id(self) -> str:
        self._n += 1
        return f"{self._prefix}{self._n}"

    async def send(self, event: InboundEvent) -> list[OutboundMessage]:
        return await self.services.engine.handle(event)

    def message(
        self, who: int, place: str, text: str, *, reply: bool = False, photos: int = 0
    ) -> InboundMessage:
        chat = self.chat(who, place)
        mention = self.model.group_mentions and chat.is_group
        return InboundMessage(
            chat=chat,
            sender=self.sender(who),
            message_id=self._id(),
            text=text,
            at=self.services.clock.now(),
            reply_to_bot=reply and chat.is_group,
            mentions_bot=mention,
            photos=tuple(f"{self.model.channel}-photo-{self._n}-{i}" for i in range(photos)),
        )

    def press(self, who: int, place: str, message_id: str, data: str) -> ButtonPress:
        return ButtonPress(
            chat=self.chat(who, place),
            sender=self.sender(who),
            message_id=message_id,
            data=data,
            at=self.services.clock.now(),
            press_id=self._id(),
        )

    async def say(self, who: int, place: str, text: str, **kw: object) -> str:
        out = await self.send(self.message(who, place, text, **kw))  # type: ignore[arg-type]
        return "\n".join(o.text for o in out)


def owners_for(model: ChannelModel) -> set[tuple[str, str]]:
    return {(model.channel, model.user(OWNER))}


async def prepare(model: ChannelModel, path: Path) -> Cell:
    """Builds the starting database for a channel and returns how to run cells on it."""
    clock = ManualClock(SETUP_AT)
    async with build_services(
        path,
        clock=clock,
        owners=owners_for(model),
        new_code=seeded_codes(3),
        private_only_channels=model.private_only,
    ) as services:
        d = Driver(services, model, "setup-")
        for who, place, text in setup_lines(model):
            out = await d.say(who, place, text)
            assert "✅" in out or "Mã người dùng" in out, (text, out)
        invite = await d.say(ADMIN, "dm", "/moi hlhpn")
        code = invite.split("/thamgia ", 1)[1].split()[0]
    return Cell(model, path, code)


def cell_text(cell: Cell, row: str) -> str:
    args = ARGS[row].replace("INVITE", cell.invite_code)
    args = args.replace("USER", cell.model.user_prefix)
    return f"/{row} {args}".rstrip() if "\n" not in args else f"/{row}\n{args}"


@dataclass
class Outcome:
    replies: list[str]
    changed: list[str]  # state tables the cell changed
    audited: bool  # the audit log grew

    def classify(self, row: str) -> str:
        """The cell's outcome as the table writes it."""
        text = "\n".join(self.replies).strip()
        if not text:
            return SILENT
        for code, (_, message, _) in REFUSALS.items():
            if code == "help" and command_row(row):
                continue  # /trogiup's answer is the help itself
            fixed = message.split("{", 1)[0].strip()  # the text before any placeholder
            if text == message.strip() or ("{" in message and text.startswith(fixed)):
                return code
        return OK


async def run_cell(cell: Cell, row: str, role: str, place: str, work: Path) -> Outcome:
    """Tries one cell on a fresh copy of the channel's prepared database."""
    db = work / f"{cell.model.channel}-{row.strip('~')}-{role}-{place}.db"
    shutil.copyfile(cell.template_db, db)
    clock = ManualClock(CELL_AT)
    async with build_services(
        db,
        clock=clock,
        owners=owners_for(cell.model),
        new_code=seeded_codes(5),
        private_only_channels=cell.model.private_only,
        backup_dir=work / "backups",
    ) as services:
        d = Driver(services, cell.model, "cell-")
        who = ACTORS[role]
        target = "none"
        if row == PRESS_ROW:
            # The reporter's report needs confirming (it edits what was stored); whoever
            # presses "Xác nhận" on that question in the same place.
            await d.say(REPORTER, place, FORM, reply=True)
            pending = d.message(REPORTER, place, "1. Số buổi tuyên truyền, vận động: 6", reply=True)
            if await d.send(pending):
                target = pending.message_id
        before = await footprint(services)
        if command_row(row):
            replies = await d.send(d.message(who, place, cell_text(cell, row)))
        elif row == REPORT_ROW:
            replies = await d.send(d.message(who, place, FORM, reply=True))
        elif row == PHOTO_ROW:
            replies = await d.send(d.message(who, place, "", reply=True, photos=1))
        else:
            replies = await d.send(d.press(who, place, target, "ok"))
        after = await footprint(services)
        changed = sorted(t for t in STATE_TABLES if before[t] != after[t])
        audited = after["audit_log"] > before["audit_log"]
        return Outcome([o.text for o in replies], changed, audited)


# Tables that hold what people set up or sent (not the inbound log, outbox or dialogs).
# Set-up: every change leaves an audit entry.
CONFIG_TABLES = ("workspaces", "org_units", "members", "invites", "chat_bindings", "templates",
                 "campaigns", "campaign_skips", "exemptions", "reopenings", "workspace_settings",
                 "indicator_values", "org_unit_stops")  # fmt: skip
# What people send: reports (versions), directives and their acknowledgements and answers,
# the registry of good models; records of their own, not audit entries.
CONTENT_TABLES = ("submission_versions", "directives", "directive_orgs", "directive_acks",
                  "directive_answers", "emulation_entries", "emulation_picks")  # fmt: skip
STATE_TABLES = CONFIG_TABLES + CONTENT_TABLES


async def footprint(services: Services) -> dict[str, int]:
    """A fingerprint of each state table and the number of audit entries."""
    db = services.store.db
    out: dict[str, int] = {}
    for table in STATE_TABLES:
        rows = await db.fetchall(f"SELECT * FROM {table}")
        out[table] = hash(tuple(sorted(repr(tuple(r)) for r in rows)))
    row = await db.fetchone("SELECT count(*) FROM audit_log")
    out["audit_log"] = int(row[0]) if row else 0
    return out


def render_markdown() -> str:
    """The tables and legend as they stand in docs/phan-quyen.md, one table per place."""
    labels = dict(INPUT_ROWS)
    parts: list[str] = []
    for place, place_label in PLACES:
        title = {"dm": "Trò chuyện riêng với bot", "group": "Nhóm báo cáo của không gian",
                 "foreign": "Nhóm lạ (bot chưa được đăng ký ở đó)"}[place]  # fmt: skip
        parts.append(f"### {title} ({place_label})\n")
        parts.append("| Lệnh / thao tác | " + " | ".join(label for _, label in ROLES) + " |")
        parts.append("|---|" + "---|" * len(ROLES))
        for row in ROWS:
            name = f"`/{row}`" if command_row(row) else labels[row]
            cells = []
            for role, _ in ROLES:
                mark = MARKS[EXPECTED[row][(role, place)]]
                zalo = CHANNEL_EXCEPTIONS["zalo"].get((row, role, place))
                if zalo is not None:
                    mark += f" (Zalo: {MARKS[zalo]})"
                cells.append(mark)
            parts.append(f"| {name} | " + " | ".join(cells) + " |")
        parts.append("")
    parts.append("Ký hiệu:\n")
    parts.append("| Ký hiệu | Nghĩa | Tin bot gửi |")
    parts.append("|---|---|---|")
    parts.append(f"| {MARKS[OK]} | được dùng: bot làm việc được yêu cầu | (kết quả của lệnh) |")
    parts.append(f"| {MARKS[SILENT]} | im lặng: bot không trả lời, không thay đổi gì | |")
    for mark, message, gloss in REFUSALS.values():
        shown = " ".join(message.split("{", 1)[0].split())
        parts.append(f"| {mark} | từ chối: {gloss} | “{shown}” |")
    return "\n".join(parts) + "\n"


BEGIN = "<!-- bang-phan-quyen: bat dau (sinh tu tests/dialog/permission_matrix.py) -->"
END = "<!-- bang-phan-quyen: ket thuc -->"


def write_doc(path: Path) -> None:
    """Replaces the table between the markers in docs/phan-quyen.md."""
    text = path.read_text("utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{render_markdown()}{END}{tail}", "utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintenance tool
    if "--write" in sys.argv:
        write_doc(Path(__file__).resolve().parents[2] / "docs" / "phan-quyen.md")
    else:
        sys.stdout.write(render_markdown())
