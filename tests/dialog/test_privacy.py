"""Personal data (Decree 13/2023/ND-CP): /dulieucuatoi, /roikhoi, /xuatdulieu, /xoakhonggian,
and per-user flood control (transcripts over a real SQLite file)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import build_services, make_sandbox, seeded_codes
from bot.core.clock import ManualClock
from bot.core.events import Chat, InboundMessage, OutDocument, Sender
from bot.core.models import ChatKind
from bot.core.periods import Period
from bot.services.flood import Flood, FloodGuard, FloodLimits
from tests.conftest import SETUP, TZ, Harness

REPORTS = """
@clock 2026-11-23 08:00
1002 @ dm: 1. 12
  2. 450
@clock 2026-11-24 09:00
1002 @ dm: 1. 14
1002 @ dm: 1
1005 @ dm: 1. 3
"""


def last_json(h: Harness, prefix: str) -> dict[str, object]:
    files: list[OutDocument] = [f for f in h.sandbox.files if f.file_name.startswith(prefix)]
    assert files, f"no {prefix} file sent"
    data = json.loads(files[-1].content.decode("utf-8"))
    assert isinstance(data, dict)
    return data


async def test_my_data_shows_and_sends_only_my_own_rows(tayninh: Harness) -> None:
    h = tayninh
    await h.play(REPORTS)
    out = await h.play("1002 @ dm: /dulieucuatoi")
    assert "Dữ liệu bot đang lưu về đồng chí Trần Thị Bình" in out
    assert "Nhóm MTT-CTXH tỉnh Tây Ninh: Tỉnh đoàn – báo cáo viên (từ 23/11/2026)" in out
    assert "2 lần gửi (1 kỳ), lần đầu 08h00 23/11/2026, lần gần nhất 09h00 24/11/2026" in out
    assert "Thao tác đang làm dở: không có." in out
    assert "giữ cùng báo cáo" in out
    data = last_json(h, "du-lieu-cua-toi-")
    sent = data["báo_cáo_đã_gửi"]
    assert isinstance(sent, list) and len(sent) == 2
    assert {r["mã_đơn_vị"] for r in sent} == {"tinhdoan"}  # not Hội ND's report (1005)
    assert sent[0]["kỳ"].startswith("Tuần 48/2026") and sent[1]["lần_gửi"] == 2
    assert data["tham_gia"][0]["vai_trò"] == "báo cáo viên"  # type: ignore[index]
    # The alias works; someone without reports is told so.
    out = await h.play("1003 @ dm: /mydata")
    assert "chưa gửi báo cáo nào" in out


async def test_my_data_refusals_and_pending_state(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1099 @ dm: /dulieucuatoi")
    assert "Dữ liệu bot đang lưu" not in out  # an unknown person is not bound
    out = await h.play("1002 @ g1: /dulieucuatoi")
    assert "trong trò chuyện riêng" in out and not h.sandbox.files
    await h.play("@clock 2026-11-23 08:00\n1002 @ g1: /baocao")
    out = await h.play("1002 @ dm: /dulieucuatoi")
    # A command ends the pending dialog of its own chat only: the group's is listed.
    assert "Thao tác đang làm dở: báo cáo chờ xác nhận." in out


async def test_my_data_tells_the_retention_setting(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=TZ))
    out = io.StringIO()
    async with build_services(
        tmp_path / "bot.db", clock=clock, new_code=seeded_codes(7), raw_text_days=90
    ) as services:
        sandbox = make_sandbox(services, out, "Asia/Ho_Chi_Minh")
        h = Harness(services, sandbox, out, clock)
        await h.play(SETUP)
        text = await h.play("1002 @ dm: /dulieucuatoi")
        assert "giữ 90 ngày rồi tự xóa" in text


async def test_zalo_cannot_receive_files(tayninh: Harness, tmp_path: Path) -> None:
    h = tayninh
    engine = h.services.engine
    h.services.owners.add(("zalo", "z1"))
    await engine.handle(_msg("zalo", "z1", "/khoitao Không gian Zalo", message_id="m2"))
    replies = await engine.handle(_msg("zalo", "z1", "/dulieucuatoi", message_id="m3"))
    text = "\n".join(r.text for r in replies)
    assert "Zalo chưa cho bot gửi tệp" in text and all(r.document is None for r in replies)
    assert "Dữ liệu bot đang lưu" in text
    # The workspace's export stays on the server, its path told; only the newest is kept.
    replies = await engine.handle(_msg("zalo", "z1", "/xuatdulieu", message_id="m4"))
    text = replies[0].text
    assert "bot đã lưu toàn bộ dữ liệu của không gian báo cáo “Không gian Zalo”" in text
    assert replies[0].document is None
    path = Path(text.split("trên máy chủ: ")[1].split("\n")[0])
    assert path.parent == tmp_path / "exports"
    mode, data, files = _saved(path)
    assert mode == 0o600 and data["không_gian_báo_cáo"] == "Không gian Zalo" and files == 1
    h.clock.advance(timedelta(minutes=5))
    replies = await engine.handle(_msg("zalo", "z1", "/xuatdulieu", message_id="m5"))
    newer = Path(replies[0].text.split("trên máy chủ: ")[1].split("\n")[0])
    assert newer != path and _saved(newer)[2] == 1  # the older export was removed
    await h.play("1001 @ dm: /xuatdulieu")
    assert _saved(newer)[2] == 1  # on Telegram the file is sent, not written


def _saved(path: Path) -> tuple[int, dict[str, object], int]:
    """The export's mode, content and how many exports its folder holds."""
    data = json.loads(path.read_text("utf-8"))
    return path.stat().st_mode & 0o777, data, len(list(path.parent.iterdir()))


def _msg(channel: str, user: str, text: str, *, message_id: str) -> InboundMessage:
    return InboundMessage(
        chat=Chat(channel, user, ChatKind.PRIVATE),
        sender=Sender(channel, user, "Người Zalo"),
        message_id=message_id,
        text=text,
        at=datetime(2026, 11, 23, 8, 0, tzinfo=TZ),
    )


async def test_leave_after_confirmation_keeps_the_reports(tayninh: Harness) -> None:
    h = tayninh
    await h.play(REPORTS)
    out = await h.play("1002 @ dm: /roikhoi")
    assert "Đồng chí sắp rời không gian báo cáo “Nhóm MTT-CTXH tỉnh Tây Ninh”" in out
    assert "Tỉnh đoàn" in out and "vẫn được giữ" in out
    assert "[1] Xác nhận  [2] Hủy" in out
    out = await h.play("1002 @ dm: 2")
    assert "Đã hủy" in out
    ws = (await h.campaign()).workspace_id
    assert await h.store.members.get(ws, "sandbox", "1002") is not None
    await h.play("1002 @ dm: /leave")
    out = await h.play("1002 @ dm: 1")
    assert "đồng chí đã rời không gian báo cáo" in out
    assert "2 lần gửi báo cáo của đồng chí vẫn được giữ" in out
    assert await h.store.members.get(ws, "sandbox", "1002") is None
    # The unit's report stays, figures and time intact, without the person's identity.
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    stored = await h.store.submissions.current_for_org(campaign.id, _week48(), org.id)
    assert stored is not None and stored.values and stored.version == 2
    assert stored.user_id.startswith("da-roi-") and stored.raw_text == ""
    assert await h.store.privacy.versions_by_user("sandbox", "1002") == []
    others = await h.store.privacy.versions_by_user("sandbox", "1005")
    assert len(others) == 1 and others[0]["raw_text"]  # other people's reports untouched
    out = await h.play("1001 @ g1: /nhatky")
    assert "tự rời không gian báo cáo sandbox:1002" in out
    # Gone: the next message is from an unknown person.
    out = await h.play("1002 @ dm: /roikhoi")
    assert "Sắp rời" not in out and "rời không gian" not in out


def _week48() -> Period:
    return Period.from_key("2026-W48")


async def test_the_only_admin_cannot_leave(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1001 @ dm: /roikhoi")
    assert "quản trị viên duy nhất" in out


async def test_export_data_for_admins_of_this_workspace_only(tayninh: Harness) -> None:
    h = tayninh
    await h.play(REPORTS)
    out = await h.play("1001 @ dm: /xuatdulieu")
    assert "Toàn bộ dữ liệu của không gian báo cáo “Nhóm MTT-CTXH tỉnh Tây Ninh”" in out
    data = last_json(h, "du-lieu-khong-gian-")
    tables = data["bảng"]
    assert isinstance(tables, dict)
    assert len(tables["submission_versions"]) == 3
    assert {m["user_id"] for m in tables["members"]} >= {"1001", "1002", "1005", "1007"}
    assert len(tables["org_units"]) == 6 and tables["audit_log"]
    # Refusals: a reporter, a leader, a group, an admin of another workspace.
    n = len(h.sandbox.files)
    assert "quản trị" in await h.play("1002 @ dm: /xuatdulieu")
    assert "quản trị" in await h.play("1007 @ dm: /exportdata")
    assert "trò chuyện riêng" in await h.play("1001 @ g1: /xuatdulieu")
    await h.play(
        """
        @user 1200 Phạm Văn Khác
        @chat g2 group Nhóm xã Tân Hòa
        1001 @ g2: /khoitao Nhóm xã Tân Hòa
        1001 @ g2: /gan - quantri 1200
        """
    )
    out = await h.play("1200 @ g1: /xuatdulieu")  # the province's group: not his workspace
    assert "Toàn bộ dữ liệu" not in out
    out = await h.play("1200 @ dm: /xuatdulieu")  # his own: the commune's, nothing else
    assert "“Nhóm xã Tân Hòa”" in out
    data = last_json(h, "du-lieu-khong-gian-")
    assert data["bảng"]["submission_versions"] == []  # type: ignore[index]
    assert len(h.sandbox.files) == n + 1


OTHER_WORKSPACE = """
@user 1200 Phạm Văn Khác
@owner 1200
@chat g2 group Nhóm xã Tân Hòa
1200 @ g2: /khoitao Nhóm xã Tân Hòa
1200 @ g2: /gan - quantri 1200
"""


async def test_delete_workspace_by_its_admin_with_its_name_typed(
    tayninh: Harness, tmp_path: Path
) -> None:
    h = tayninh
    await h.play(REPORTS)
    ws = (await h.campaign()).workspace_id
    await h.play(OTHER_WORKSPACE)
    h.services.owners.discard(("sandbox", "1200"))  # from now on only that one's admin
    (other,) = [w.id for w in await h.store.workspaces.all() if w.id != ws]
    # Refusals: a reporter, a leader, in the group too; an admin of another workspace, by
    # number or from this workspace's group.
    assert "chỉ dành cho cán bộ quản trị" in await h.play("1002 @ dm: /xoakhonggian")
    assert "chỉ dành cho cán bộ quản trị" in await h.play("1007 @ dm: /deleteworkspace")
    assert "chỉ dành cho cán bộ quản trị" in await h.play("1002 @ g1: /xoakhonggian")
    out = await h.play(f"1200 @ dm: /xoakhonggian {ws}")
    assert f"Không có không gian báo cáo số {ws} do đồng chí quản trị" in out
    out = await h.play("1200 @ g1: /xoakhonggian")
    assert "Xóa không gian" not in out
    # A workspace admin who is not a bot owner may, for their own workspace.
    await h.play("1001 @ g1: /gan - quantri 1003")
    out = await h.play("1003 @ dm: /xoakhonggian")
    assert "gõ lại đúng tên không gian: Nhóm MTT-CTXH tỉnh Tây Ninh" in out
    assert "6 đơn vị" in out and "3 lần gửi báo cáo" in out and "bot sao lưu" in out
    # A wrong name deletes nothing.
    out = await h.play("1003 @ dm: Nhóm MTT-CTXH tỉnh")
    assert "không khớp" in out
    assert await h.store.workspaces.get(ws) is not None
    # Cancel.
    await h.play("1003 @ dm: /xoakhonggian")
    assert "Đã hủy" in await h.play("1003 @ dm: Hủy")
    # Demoted between the question and the answer: refused.
    await h.play("1003 @ dm: /xoakhonggian")
    await h.play("1001 @ g1: /gan ldld baocao 1003")
    out = await h.play("1003 @ dm: Nhóm MTT-CTXH tỉnh Tây Ninh")
    assert "chỉ dành cho cán bộ quản trị" in out and "Đã xóa" not in out
    # The right name (accents and case as typed by habit are forgiven).
    await h.play("1001 @ dm: /xoakhonggian")
    out = await h.play("1001 @ dm: nhóm mtt-ctxh tỉnh tây ninh")
    assert "Đã xóa không gian báo cáo “Nhóm MTT-CTXH tỉnh Tây Ninh”" in out
    assert "3 lần gửi báo cáo" in out and "2 cuộc trò chuyện" in out
    # A backup was taken first, and named.
    backups = sorted((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and backups[0].name in out
    assert await h.store.workspaces.get(ws) is None
    assert await h.store.chats.get("sandbox", "g1") == []
    assert await h.store.members.for_user("sandbox", "1002") == []
    # The other workspace is untouched.
    assert await h.store.workspaces.get(other) is not None
    assert [m.workspace_id for m in await h.store.members.for_user("sandbox", "1200")] == [other]
    assert "Tình hình" not in await h.play("1200 @ g2: /trogiup")
    # The group is no longer registered; nothing of it is left to send.
    out = await h.play("1002 @ g1: /tinhhinh")
    assert "chưa đăng ký" in out or "chưa được đăng ký" in out
    await h.play("@clock 2026-11-30 08:00")
    assert [m for m in await h.store.outbox.pending() if m.chat_id in {"g1", "ld"}] == []


async def test_no_deletion_without_its_backup(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=TZ))
    out = io.StringIO()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backups would go")
    async with build_services(
        tmp_path / "bot.db", clock=clock, new_code=seeded_codes(7), backup_dir=blocked
    ) as services:
        h = Harness(services, make_sandbox(services, out, "Asia/Ho_Chi_Minh"), out, clock)
        await h.play(SETUP)
        ws = (await h.campaign()).workspace_id
        await h.play("1001 @ dm: /xoakhonggian")
        text = await h.play("1001 @ dm: Nhóm MTT-CTXH tỉnh Tây Ninh")
        assert "chưa sao lưu được cơ sở dữ liệu nên chưa xóa" in text
        assert await h.store.workspaces.get(ws) is not None
        assert len(await h.store.members.all(ws)) == 5


async def test_delete_from_the_group_and_by_number(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("1001 @ dm: /xoakhonggian 99")
    assert "Không có không gian báo cáo số 99." in out
    await h.play("@user 1300 Chủ bot\n@owner 1300")
    out = await h.play("1300 @ dm: /xoakhonggian")
    assert "1. Nhóm MTT-CTXH tỉnh Tây Ninh" in out
    await h.play("1300 @ dm: /xoakhonggian 1")
    out = await h.play("1300 @ dm: Nhóm MTT-CTXH tỉnh Tây Ninh")
    assert "Đã xóa" in out


# -- flood control ---------------------------------------------------------------------------
def test_flood_guard_limits_and_calm() -> None:
    guard = FloodGuard(FloodLimits())
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)
    verdicts = [
        guard.check("telegram", "1", t0 + timedelta(milliseconds=100 * i)) for i in range(8)
    ]
    assert verdicts[:5] == [Flood.OK] * 5
    assert verdicts[5] is Flood.NOTICE and verdicts[6:] == [Flood.QUIET] * 2
    # Another person is not affected.
    assert guard.check("telegram", "2", t0) is Flood.OK
    # Calm again after the short window: replies resume.
    assert guard.check("telegram", "1", t0 + timedelta(seconds=5)) is Flood.OK
    # Sustained: one message every 2 s is fine for 20, not for the 21st within a minute.
    guard = FloodGuard(FloodLimits())
    out = [guard.check("zalo", "9", t0 + timedelta(seconds=2 * i)) for i in range(22)]
    assert out[:20] == [Flood.OK] * 20 and out[20] is Flood.NOTICE and out[21] is Flood.QUIET


def test_flood_guard_memory_is_bounded() -> None:
    guard = FloodGuard(FloodLimits(max_people=100))
    t0 = datetime(2026, 11, 23, 8, 0, tzinfo=TZ)
    for i in range(1000):
        guard.check("telegram", str(i), t0)
    assert len(guard) == 100
    guard.check("telegram", "x", t0 + timedelta(minutes=2))
    assert len(guard) == 1  # the silent ones are forgotten


async def test_a_burst_gets_one_notice_then_silence_and_reports_still_count(
    tmp_path: Path,
) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=TZ))
    out = io.StringIO()
    async with build_services(
        tmp_path / "bot.db", clock=clock, new_code=seeded_codes(7), flood=FloodLimits()
    ) as services:
        h = Harness(services, make_sandbox(services, out, "Asia/Ho_Chi_Minh"), out, clock)
        # The set-up, one message a few seconds apart.
        for line in SETUP.strip().splitlines():
            if not line.startswith("@"):
                clock.advance(timedelta(seconds=4))
            await h.play(line)
        await h.play("@clock 2026-11-23 08:00")
        text = await h.play("\n".join(["1002 @ dm: /trogiup"] * 5))
        assert text.count("Xem cách dùng một lệnh") == 5
        text = await h.play("1002 @ dm: /tinhhinh")
        assert text.count("gửi nhiều tin nhắn liên tiếp") == 1 and "Tình hình" not in text
        text = await h.play("1002 @ dm: /trogiup\n1002 @ dm: /tinhhinh")
        assert "bot ->" not in text  # silence
        # A report sent in the burst is stored, silently.
        text = await h.play("1002 @ dm: 1. 12\n  2. 450")
        assert "bot ->" not in text
        campaign = await h.campaign()
        org = await h.org("tinhdoan")
        period = _week48()
        stored = await h.store.submissions.current_for_org(campaign.id, period, org.id)
        assert stored is not None and stored.user_id == "1002"
        # Other people are answered meanwhile; in a minute it has calmed.
        assert "Xem cách dùng một lệnh" in await h.play("1003 @ dm: /trogiup")
        clock.advance(timedelta(seconds=61))
        assert "Xem cách dùng một lệnh" in await h.play("1002 @ dm: /trogiup")
        # Group chatter not addressed to the bot never counts as a burst.
        text = await h.play("\n".join(["1005 @ g1: chào các đồng chí"] * 10))
        assert "bot ->" not in text
        assert "Xem cách dùng một lệnh" in await h.play("1005 @ g1: /trogiup")


async def test_leave_refusals_and_the_group_s_workspace(tayninh: Harness) -> None:
    h = tayninh
    await h.play(OTHER_WORKSPACE)
    # In the group of a workspace one does not belong to, there is nothing to leave.
    out = await h.play("1002 @ g2: /roikhoi")
    assert "sắp rời" not in out
    assert await h.store.members.for_user("sandbox", "1002") != []
    # From the province's group: that workspace is the one named; cancelled, nothing changes.
    out = await h.play("1002 @ g1: /roikhoi")
    assert "Đồng chí sắp rời không gian báo cáo “Nhóm MTT-CTXH tỉnh Tây Ninh”" in out
    assert "Đã hủy" in await h.play("1002 @ g1 [reply]: 2")
    assert len(await h.store.members.for_user("sandbox", "1002")) == 1
    # The other workspace's admin leaving theirs is the only admin there: refused.
    assert "quản trị viên duy nhất" in await h.play("1200 @ g2: /roikhoi")
