"""Who may do what: reporters, leaders, admins, owners and strangers."""

from __future__ import annotations

from bot.core.periods import Period
from tests.conftest import Harness


async def test_unknown_user_is_told_how_to_join(tayninh: Harness) -> None:
    out = await tayninh.play("1099 @ dm: xin chào")
    assert "chưa tham gia" in out and "/thamgia" in out
    out = await tayninh.play("1099 @ dm: /baocao 1. 5")
    assert "chưa tham gia" in out


async def test_group_chatter_is_ignored(tayninh: Harness) -> None:
    out = await tayninh.play("1002 @ g1: Chiều nay họp lúc mấy giờ các đồng chí?")
    assert out == ""
    out = await tayninh.play("1099 @ g1: Chào cả nhóm")
    assert out == ""


async def test_unregistered_group_gets_one_explanation_for_commands_only(tayninh: Harness) -> None:
    out = await tayninh.play("@chat g9 group Nhóm khác\n1002 @ g9: chuyện phiếm")
    assert out == ""
    out = await tayninh.play("1002 @ g9: /tinhhinh")
    assert "chưa được đăng ký" in out


async def test_reporter_cannot_report_for_another_org(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00")
    out = await tayninh.play("1002 @ dm: /baocao hnd\n  1. 5")
    assert "chỉ được báo cáo cho đơn vị của mình (Tỉnh đoàn)" in out
    campaign = (await tayninh.store.campaigns.list_active())[0]
    assert await tayninh.store.submissions.current(campaign.id, Period.from_key("2026-W48")) == []


async def test_admin_may_report_on_behalf_and_it_is_audited(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00")
    out = await tayninh.play("1001 @ dm: /baocao hnd\n  1. Số buổi tuyên truyền: 5")
    assert "Hội ND tỉnh" in out and "✅" in out
    out = await tayninh.play("1001 @ dm: /nhatky")
    assert "báo cáo thay đơn vị" in out


async def test_non_admin_cannot_configure(tayninh: Harness) -> None:
    for command in (
        "/themdonvi xyz | Đơn vị X",
        "/doiten hnd | Tên khác",
        "/ngungdonvi hnd",
        "/moi hnd",
        "/gan hnd baocao 1099",
        "/lich hạn T5 17:00",
        "/thaymau key: x",
        "/napmau tayninh",
        "/thanhvien",
        "/nhatky",
    ):
        out = await tayninh.play(f"1002 @ dm: {command}")
        assert "chỉ dành cho cán bộ quản trị" in out, (command, out)
    orgs = await tayninh.store.orgs.all(1)
    assert [o.code for o in orgs] == ["mttq", "tinhdoan", "ldld", "hlhpn", "hnd", "hccb"]


async def test_reporter_cannot_read_the_digest_but_leader_can(tayninh: Harness) -> None:
    out = await tayninh.play("1002 @ dm: /tonghop")
    assert "dành cho lãnh đạo" in out
    out = await tayninh.play("1007 @ dm: /tonghop")
    assert "TỔNG HỢP KẾT QUẢ" in out


async def test_only_owner_creates_workspaces(tayninh: Harness) -> None:
    out = await tayninh.play("@chat g2 group Nhóm xã\n1002 @ g2: /khoitao Nhóm xã Ninh Thọ")
    assert "Chỉ người vận hành bot" in out
    out = await tayninh.play("1001 @ g2: /khoitao Nhóm xã Ninh Thọ")
    assert "Đã tạo không gian báo cáo “Nhóm xã Ninh Thọ”" in out
    # The second workspace is separate: its group has no organizations yet.
    out = await tayninh.play("1001 @ g2: /donvi")
    assert "Chưa có đơn vị nào" in out


async def test_invite_binds_and_expires(tayninh: Harness) -> None:
    out = await tayninh.play("1001 @ g1: /moi hlhpn")
    code = out.split("/thamgia ", 1)[1].split()[0]
    out = await tayninh.play("@user 1004 Phạm Thị Dung\n1004 @ dm: /thamgia " + code.lower())
    assert "tham gia đơn vị Hội LHPN tỉnh" in out
    out = await tayninh.play("1004 @ dm: /toi")
    assert "Hội LHPN tỉnh" in out and "báo cáo viên" in out
    out = await tayninh.play(
        "@clock 2026-12-20 08:00\n@user 1008 Ai Đó\n1008 @ dm: /thamgia " + code
    )
    assert "không đúng hoặc đã hết hiệu lực" in out
    out = await tayninh.play("1008 @ dm: /thamgia SAIMA1")
    assert "không đúng hoặc đã hết hiệu lực" in out


async def test_bind_by_replying_to_a_message(tayninh: Harness) -> None:
    await tayninh.play("@user 1010 Ngô Văn Hải\n1010 @ g1: Tôi là cán bộ Hội CCB")
    out = await tayninh.play("1001 @ g1 [reply 1010]: /gan hccb")
    assert "Đã gắn Ngô Văn Hải vào đơn vị Hội CCB tỉnh" in out
