"""A directive end to end on Telegram over HTTP: the leader sends it from the leadership
group, the outbox delivers it to the reporting group with an inline "Đã nhận" button, a
reporter taps it (told quietly, nothing posted in the group), the leader sees the acknowledgement, the next morning's tick reminds only
the unit still silent (once, however often the tick runs)."""

from __future__ import annotations

from tests.e2e.conftest import OWNER, Live, at

GROUP, LEADERS = -100100, -100200
BINH, EM, GIANG = 1002, 1005, 1007


async def test_directive_acknowledged_by_button(polling: Live) -> None:
    live = polling
    live.api.user(OWNER, "Nguyễn Văn", "An")
    live.api.user(BINH, "Trần Thị", "Bình")
    live.api.user(EM, "Hoàng Văn", "Em")
    live.api.user(GIANG, "Đặng Thị", "Giang")
    live.api.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
    live.api.group(LEADERS, "Thường trực UBMTTQ tỉnh")
    assert await live.say(OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh") is not None
    assert await live.say(OWNER, GROUP, "/napmau tayninh") is not None
    assert await live.say(OWNER, GROUP, f"/gan tinhdoan baocao {BINH}") is not None
    assert await live.say(OWNER, GROUP, f"/gan hnd baocao {EM}") is not None
    assert await live.say(OWNER, GROUP, f"/gan - lanhdao {GIANG}") is not None
    assert await live.say(OWNER, LEADERS, "/nhomlanhdao") is not None

    await live.tick(at(23, 8))  # the week's prompt
    live.clock.set(at(24, 9))
    sent = await live.say(
        GIANG, LEADERS, "/chidao tinhdoan, hnd | Báo cáo số hộ bị thiệt hại do mưa lớn"
    )
    assert sent is not None and "✅ Đã gửi chỉ đạo số 1 tới Tỉnh đoàn, Hội ND tỉnh" in sent.text
    before = len(live.api.texts(GROUP))
    await live.tick(at(24, 9, 1))  # the outbox drains
    [directive] = [
        t for t in (await live.api.wait_sent(GROUP, before + 1))[before:] if "CHỈ ĐẠO" in t.text
    ]
    assert directive.text.startswith("📌 CHỈ ĐẠO SỐ 1")
    assert directive.buttons == [("Đã nhận", "ack:1")]

    # The tap is answered to the presser alone; nothing is posted in the group.
    assert await live.press(BINH, GROUP, directive.message_id, "ack:1") is None
    assert "✅ Đã ghi nhận: Tỉnh đoàn đã nhận chỉ đạo số 1" in live.api.answers[-1]["text"]
    status = await live.say(GIANG, LEADERS, "/xemchidao 1")
    assert status is not None and "Đã nhận: 1/2 đơn vị." in status.text
    assert "❌ Chưa xác nhận: Hội ND tỉnh." in status.text

    before = len(live.api.texts(GROUP))
    await live.tick(at(25, 8))
    await live.tick(at(25, 8, 5))
    reminders = [
        t
        for t in (await live.api.wait_sent(GROUP, before + 1))[before:]
        if "Nhắc việc: Chỉ đạo" in t.text
    ]
    assert len(reminders) == 1 and "chưa được xác nhận đã nhận: Hội ND tỉnh." in reminders[0].text
    assert reminders[0].buttons == [("Đã nhận", "ack:1")]
    await live.press(EM, GROUP, reminders[0].message_id, "ack:1")
    assert "Hội ND tỉnh đã nhận chỉ đạo số 1" in live.api.answers[-1]["text"]
