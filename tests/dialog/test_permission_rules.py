"""Rules around the permission matrix: foreign groups, owners outside a workspace, two
workspaces side by side, and the audit of set-up changes. Regression tests for what the
matrix found."""

from __future__ import annotations

from datetime import datetime

from bot.core import messages as msg
from bot.core.events import BotAddedToChat, Chat, Sender
from bot.core.models import ChatKind
from tests.conftest import TZ, Harness

SECOND = """
@owner 1000
@user 1000 Vũ Văn Vận
@user 1011 Lý Thị Hoa
@user 1012 Mai Văn Hùng
@chat g2 group Nhóm MTT-CTXH xã Ninh Thọ
1000 @ g2: /khoitao Nhóm xã Ninh Thọ
1000 @ g2: /themdonvi hnd_nt | Hội Nông dân xã Ninh Thọ | Hội ND xã
1000 @ g2: /gan - quantri 1011
1000 @ g2: /gan hnd_nt baocao 1012
@user 1008 Phan Văn Quản
1001 @ g1: /gan mttq quantri 1008
"""


async def test_owner_outside_any_workspace_is_told_so_not_an_error(tayninh: Harness) -> None:
    # Regression: these commands asserted a workspace and answered "Đã có lỗi…".
    await tayninh.play("@owner 1000\n@user 1000 Vũ Văn Vận")
    for command in ("/donvi", "/thanhvien", "/napmau tayninh", "/xuat csv", "/nhatky", "/baocao"):
        out = await tayninh.play(f"1000 @ dm: {command}")
        assert msg.NO_WORKSPACE in out, (command, out)
    out = await tayninh.play("1000 @ g1: /lichsu")  # regression: asserted a membership
    assert msg.GENERIC_ERROR not in out and "Cách dùng: /lichsu" in out
    out = await tayninh.play("1000 @ g1: /lichsu hnd")
    assert msg.GENERIC_ERROR not in out and "Hội ND tỉnh" in out


async def test_foreign_group_only_explains_itself(tayninh: Harness) -> None:
    await tayninh.play("@chat g9 group Nhóm bạn bè")
    invite = await tayninh.play("1001 @ dm: /moi hlhpn")
    code = invite.split("/thamgia ", 1)[1].split()[0]
    # Nothing personal is answered there: who someone is, or an invite (regression).
    for text in ("/toi", f"/thamgia {code}", "/tinhhinh", "/baocao 1. 5", "/gan hnd baocao 1099"):
        out = await tayninh.play(f"1002 @ g9: {text}")
        assert out.strip().endswith(msg.GROUP_NOT_REGISTERED.strip()), (text, out)
    out = await tayninh.play("1099 @ g9 [reply]: 1. Số buổi tuyên truyền, vận động: 5")
    assert out == ""
    assert await tayninh.store.members.get(1, "sandbox", "1099") is None


async def test_bot_added_to_foreign_group_says_so_once(tayninh: Harness) -> None:
    chat = Chat("sandbox", "g9", ChatKind.GROUP, "Nhóm bạn bè")
    added = BotAddedToChat(
        chat, Sender("sandbox", "1099", "Người Lạ"), datetime(2026, 11, 23, 9, tzinfo=TZ), "e1"
    )
    first = await tayninh.services.chat_events.handle(added)
    assert [m.text for m in first] == [msg.BOT_ADDED_NOT_REGISTERED]
    assert first[0].chat_id == "g9"
    assert await tayninh.services.chat_events.handle(added) == []  # redelivered: once
    assert await tayninh.store.chats.get("sandbox", "g9") == []
    audit = await tayninh.store.audit.all(1, 100)
    assert not [e for e in audit if "g9" in e.detail or "bạn bè" in e.detail]


async def test_admins_of_one_workspace_cannot_touch_another(tayninh: Harness) -> None:
    await tayninh.play(SECOND)
    ws2 = (await tayninh.store.chats.get("sandbox", "g2"))[0].workspace_id
    before2 = await tayninh.store.audit.all(ws2, 100)
    # Tây Ninh's admin (1008, not a bot owner) in the commune's group: a stranger there.
    for command in ("/gan hnd_nt baocao 1001", "/doiten hnd_nt | Tên khác", "/lich hạn T6 16:00",
                    "/thaymau", "/bogan 1012", "/nhatky", "/napmau tayninh", "/tamdung"):  # fmt: skip
        out = await tayninh.play(f"1008 @ g2: {command}")
        assert msg.NEED_ADMIN in out, (command, out)
    # In Tây Ninh's own places the commune's codes and people do not exist.
    out = await tayninh.play("1008 @ dm: /doiten hnd_nt | Tên khác")
    assert "Không có đơn vị mã “hnd_nt”" in out
    out = await tayninh.play("1008 @ dm: /bogan 1012")
    assert "Không tìm thấy người dùng “1012”" in out
    # The commune's admin cannot reach Tây Ninh either, in its group or from private.
    out = await tayninh.play("1011 @ g1: /ngungdonvi hnd")
    assert msg.NEED_ADMIN in out
    out = await tayninh.play("1011 @ dm: /ngungdonvi hnd")
    assert "Không có đơn vị mã “hnd”" in out
    assert (await tayninh.org("hnd")).active
    # Nor the newer set-up and data commands: figures, targets, directives, the data export,
    # deleting the workspace (by its number, from private: the same answer as for a number
    # that does not exist).
    for command in ("/datsolieu dan_so_muc_tieu hnd_nt 100", "/datchitieu ty_le 90",
                    "/xuatdulieu", "/xoakhonggian"):  # fmt: skip
        out = await tayninh.play(f"1008 @ g2: {command}")
        assert msg.NEED_ADMIN in out, (command, out)
    out = await tayninh.play("1008 @ g2: /chidao Đề nghị báo cáo ngay")
    assert msg.NEED_LEADER in out
    out = await tayninh.play(f"1008 @ dm: /xoakhonggian {ws2}")
    assert "Nhóm xã Ninh Thọ" not in out and msg.GENERIC_ERROR not in out
    out = await tayninh.play("1008 @ dm: Nhóm xã Ninh Thọ")
    assert await tayninh.store.workspaces.get(ws2) is not None
    # Registering Tây Ninh's group again for the commune is refused: it already belongs.
    out = await tayninh.play("1011 @ g1: /nhombaocao")
    assert msg.NEED_ADMIN in out
    assert {b.workspace_id for b in await tayninh.store.chats.get("sandbox", "g1")} == {1}
    assert await tayninh.store.audit.all(ws2, 100) == before2


async def test_changes_of_roles_schedules_templates_are_audited(tayninh: Harness) -> None:
    template = (
        "key: tuan_moi\nname: Báo cáo tuần mới\nperiod_type: week\nsections:\n"
        "  - key: chung\n    title: Chung\n    fields:\n"
        "      - key: buoi\n        label: Số buổi\n        type: count\n"
    )
    steps = {
        "bind": "1001 @ dm: /gan hnd lanhdao 1005",
        "unbind": "1001 @ dm: /bogan 1003",
        "schedule": "1001 @ dm: /lich hạn T6 16:00",
        "template": "1001 @ dm: /thaymau\n  " + template.replace("\n", "\n  "),
        "preset": "1001 @ dm: /napmau tayninh",
        "pause": "1001 @ dm: /tamdung",
        "resume": "1001 @ dm: /tieptuc",
    }
    for action, line in steps.items():
        before = len(await tayninh.store.audit.all(1, 1000))
        out = await tayninh.play(line)
        assert "✅" in out or "Đã" in out, (action, out)
        entries = await tayninh.store.audit.all(1, 1000)
        assert len(entries) == before + 1, (action, out)
        newest = max(entries, key=lambda e: (e.at, e.id))
        assert newest.action == action and "sandbox:1001" in newest.actor
        assert action in msg.AUDIT_ACTIONS
