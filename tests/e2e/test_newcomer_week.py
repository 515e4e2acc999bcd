"""A whole week set up the way a newcomer does it, over HTTP with long polling, following
the README: the owner creates the workspace in the group (/khoitao), loads the Tây Ninh
preset (six provincial organizations), registers the leadership group, invites one
reporter per organization (/moi) who joins with the deep link (/start CODE in private).
The Monday prompt arrives in the group; five organizations answer in the ways people do
(a form replying to the prompt in the group, /baocao with a form, free text in private
confirmed by a button, a form in private, a correction confirmed by a button), one does
not; /tinhhinh in the group; the Friday digest in the leadership group."""

from __future__ import annotations

from bot.core.presets import TAY_NINH_ORGS
from tests.e2e.conftest import OWNER, Live, at
from tests.e2e.test_weekly_cycle import invite, join, no_duplicates

GROUP, LEADERS = -100100, -100200
REPORTERS = {  # organization code -> (user id, first names, last name)
    "mttq": (2001, "Phạm Văn", "Hùng"),
    "tinhdoan": (2002, "Trần Thị", "Bình"),
    "ldld": (2003, "Lê Văn", "Cường"),
    "hlhpn": (2004, "Võ Thị", "Dung"),
    "hnd": (2005, "Hoàng Văn", "Em"),
    "hccb": (2006, "Ngô Văn", "Phúc"),
}
LEADER = 2010
SHORT_NAMES = {o.code: o.short_name for o in TAY_NINH_ORGS}


def form(*lines: str) -> str:
    return "\n".join(lines)


async def test_a_newcomer_runs_a_whole_week_in_a_group(polling: Live) -> None:
    live = polling
    api = live.api
    api.user(OWNER, "Nguyễn Văn", "An")
    api.user(LEADER, "Đặng Thị", "Giang")
    for user, first, last in REPORTERS.values():
        api.user(user, first, last)
    api.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
    api.group(LEADERS, "Thường trực UBMTTQ tỉnh")

    # Set-up, Monday 07:00, in the group.
    sent = await live.say(OWNER, GROUP, "/khoitao Khối MTTQ-CTXH tỉnh Tây Ninh")
    assert sent is not None and "Khối MTTQ-CTXH tỉnh Tây Ninh" in sent.text
    sent = await live.say(OWNER, GROUP, "/napmau tayninh")
    assert sent is not None
    for name in ("UBMTTQ tỉnh", "Tỉnh đoàn", "LĐLĐ tỉnh", "Hội LHPN tỉnh", "Hội ND tỉnh"):
        assert name in sent.text, name
    assert await live.say(OWNER, LEADERS, "/nhomlanhdao") is not None

    # Invites in the group, joined by the deep link in private.
    for code, (user, _, _) in REPORTERS.items():
        joined = await join(live, user, await invite(live, GROUP, code))
        assert SHORT_NAMES[code] in joined, joined
    await join(live, LEADER, await invite(live, GROUP, "-", "lanhdao"))

    # Monday 08:00: the prompt in the group, nothing privately.
    await live.tick(at(23, 8))
    prompt = api.last(GROUP)
    assert "Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 48/2026" in prompt.text
    for user, _, _ in REPORTERS.values():
        assert f"tg://user?id={user}" in prompt.text
        assert all("Đề nghị các đơn vị" not in t for t in api.texts(user))

    # Tỉnh đoàn: the form, replying to the prompt in the group; saved at once.
    tinhdoan, ldld, mttq, hlhpn, hnd, _ = (u for u, _, _ in REPORTERS.values())
    sent = await live.say(
        tinhdoan,
        GROUP,
        form("1. Số buổi tuyên truyền, vận động: 12", "2. Số lượt người được tuyên truyền: 1.200"),
        reply_to=prompt.message_id,
    )
    assert sent is not None and "✅ Đã ghi nhận báo cáo Tuần 48/2026" in sent.text

    # LĐLĐ: free text in private, echoed with buttons, confirmed.
    live.clock.set(at(24, 9))
    echo = await live.say(
        ldld, None, "Tuần này LĐLĐ tổ chức 8 buổi tuyên truyền cho 640 lượt người"
    )
    assert echo is not None and [d for _, d in echo.buttons] == ["ok", "edit", "cancel"]
    await live.press(ldld, ldld, echo.message_id, "ok")
    assert "✅ Đã ghi nhận" in api.current_text(ldld, echo.message_id)

    # UBMTTQ: /baocao with the form in the group.
    sent = await live.say(
        mttq,
        GROUP,
        "/baocao\n1. Số buổi tuyên truyền, vận động: 20\n2. Số lượt người được tuyên truyền: 3000",
    )
    assert sent is not None and "✅ Đã ghi nhận" in sent.text

    # Hội LHPN: the form in private.
    sent = await live.say(
        hlhpn,
        None,
        form("1. Số buổi tuyên truyền, vận động: 6", "2. Số lượt người được tuyên truyền: 450"),
    )
    assert sent is not None and "✅ Đã ghi nhận" in sent.text

    # Hội ND reports, then corrects a number: the correction is echoed and confirmed.
    live.clock.set(at(26, 10))
    sent = await live.say(
        hnd,
        GROUP,
        form("1. Số buổi tuyên truyền, vận động: 3", "2. Số lượt người được tuyên truyền: 150"),
        reply_to=prompt.message_id,
    )
    assert sent is not None and "✅ Đã ghi nhận" in sent.text
    echo = await live.say(
        hnd, GROUP, "1. Số buổi tuyên truyền, vận động: 4", reply_to=prompt.message_id
    )
    assert echo is not None and [d for _, d in echo.buttons] == ["ok", "edit", "cancel"]
    assert "4" in echo.text
    await live.press(hnd, GROUP, echo.message_id, "ok")
    assert "✅ Đã ghi nhận" in api.current_text(GROUP, echo.message_id)

    # The status in the group: five of six, Hội CCB missing.
    status = await live.say(OWNER, GROUP, "/tinhhinh")
    assert status is not None
    assert "5/6" in status.text and "❌" in status.text and "Hội CCB tỉnh" in status.text

    # Friday 17:00: the digest in the leadership group, once.
    await live.tick(at(27, 17))
    digest = "\n".join(api.texts(LEADERS)[1:])
    assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in digest
    assert "5/6" in digest and "Hội CCB tỉnh" in digest
    # 12 + 8 + 20 + 6 + 4 (Hội ND's corrected figure) sessions; 1.200 + 640 + 3.000 + 450 + 150
    assert "Tuyên truyền, vận động: 50 buổi, 5.440 lượt người" in digest
    before = len(api.sent)
    await live.tick(at(27, 17, 5))
    assert len(api.sent) == before
    no_duplicates(live)
