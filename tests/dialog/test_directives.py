"""Directives (issue 9, part 1) as chat transcripts: a leader sends a directive by command
or by replying to the digest, units acknowledge it (typed word, command, button), the
leader follows who has and has not, reminders go once, the next prompt asks what was done,
the answer comes with the report and shows in the next digest, and the leader closes it.

People (tests/conftest.py): 1001 admin bound to UBMTTQ tỉnh, 1002 Tỉnh đoàn, 1003 LĐLĐ
tỉnh, 1005 Hội ND tỉnh, 1007 a leader; g1 the reporting group, ld the leadership group.
"""

from __future__ import annotations

from bot.core.events import ButtonPress, Chat, Sender
from bot.core.models import ChatKind
from bot.core.periods import Period
from tests.conftest import Harness


async def _send_one(h: Harness) -> str:
    await h.play("@clock 2026-11-23 09:00")
    return await h.play(
        "1007 @ ld: /chidao Đề nghị các đơn vị tăng cường tuyên truyền phòng, chống bão số 5."
    )


async def test_a_leader_sends_a_directive_to_every_unit(tayninh: Harness) -> None:
    out = await _send_one(tayninh)
    assert "✅ Đã gửi chỉ đạo số 1 tới các đơn vị (6 đơn vị). Theo dõi: /xemchidao 1." in out
    # Two units have nobody in the bot: the sender is told which.
    assert (
        "Lưu ý: 2 đơn vị chưa có cán bộ báo cáo tham gia nên không ai được gắn tên, nhắn riêng"
        " hay xác nhận thay cho đơn vị: Hội LHPN tỉnh, Hội CCB tỉnh." in out
    )
    # The reporting group gets it once, naming the reporters, with the word to type.
    assert "bot -> g1:\n  📌 CHỈ ĐẠO SỐ 1 (Đặng Thị Giang, 23/11/2026)\n  Gửi: các đơn vị." in out
    assert "[Đã nhận]" in out and "(gắn tên: Nguyễn Văn An, Trần Thị Bình" in out
    assert "“CĐ 1: kết quả…”" in out
    entries = await tayninh.store.audit.all((await tayninh.campaign()).workspace_id, 5)
    assert entries[0].action == "directive" and entries[0].detail == "số 1 → các đơn vị"


async def test_a_directive_to_chosen_units_and_bad_codes(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 09:00")
    out = await h.play("1007 @ ld: /chidao hnd, tinhdoan | Báo cáo số hộ bị thiệt hại")
    assert "tới Hội ND tỉnh, Tỉnh đoàn (2 đơn vị)" not in out  # order is the units' order
    assert "tới Tỉnh đoàn, Hội ND tỉnh (2 đơn vị)" in out
    assert "Lưu ý" not in out  # both have a reporter
    assert "(gắn tên: Trần Thị Bình, Hoàng Văn Em)" in out
    out = await h.play("1007 @ ld: /chidao hnd, xyz | Nội dung")
    assert "Không tìm thấy đơn vị có mã: xyz. Xem mã các đơn vị bằng lệnh /donvi." in out
    out = await h.play("1007 @ ld: /chidao")
    assert "Đề nghị ghi nội dung chỉ đạo" in out
    out = await h.play("1007 @ ld: /chidao hnd |")
    assert "Đề nghị ghi nội dung chỉ đạo" in out
    # Nothing half-made: only the first directive exists.
    ws = (await h.campaign()).workspace_id
    assert [d.number for d in await h.store.directives.all(ws)] == [1]


async def test_only_leaders_send_directives(tayninh: Harness) -> None:
    out = await tayninh.play("1002 @ dm: /chidao Nội dung")
    assert "Lệnh này dành cho lãnh đạo" in out or "lãnh đạo" in out
    ws = (await tayninh.campaign()).workspace_id
    assert await tayninh.store.directives.all(ws) == []


async def test_units_acknowledge_by_word_and_command_once(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    # As officials write it: with their courtesy words.
    out = await h.play("1002 @ dm: Dạ, đã nhận ạ")
    assert (
        "✅ Đã ghi nhận: Tỉnh đoàn đã nhận chỉ đạo số 1 (Trần Thị Bình, 09h00 23/11/2026)." in out
    )
    out = await h.play("1003 @ dm: /danhan 1")
    assert "✅ Đã ghi nhận: LĐLĐ tỉnh đã nhận chỉ đạo số 1" in out
    out = await h.play("1003 @ dm: da nhan 1")
    assert (
        "LĐLĐ tỉnh đã xác nhận nhận chỉ đạo số 1 trước đó (Lê Văn Cường, 09h00 23/11/2026)." in out
    )
    out = await h.play("1003 @ dm: đã nhận")
    assert "Đơn vị của đồng chí không có chỉ đạo nào đang chờ xác nhận." in out
    out = await h.play("1003 @ dm: /danhan 9")
    assert "Không có chỉ đạo số 9." in out
    out = await h.play("1007 @ ld: /xemchidao 1")
    assert "Đã nhận: 2/6 đơn vị." in out
    assert " ✅ Tỉnh đoàn – Trần Thị Bình, 09h00 23/11/2026" in out
    assert " ❌ Chưa xác nhận: UBMTTQ tỉnh, Hội LHPN tỉnh, Hội ND tỉnh, Hội CCB tỉnh." in out


async def test_acknowledging_in_the_group_and_a_unit_not_addressed(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 09:00")
    await h.play("1007 @ ld: /chidao hnd | Báo cáo số hộ bị thiệt hại")
    out = await h.play("1005 @ g1 [reply]: Đã nhận ạ")
    assert "✅ Đã ghi nhận: Hội ND tỉnh đã nhận chỉ đạo số 1" in out
    out = await h.play("1002 @ g1 [reply]: đã nhận 1")
    assert "Chỉ đạo số 1 không gửi tới đơn vị của đồng chí." in out
    # Ordinary chatter in the group stays chatter.
    assert await h.play("1002 @ g1: đã nhận") == ""


async def test_the_button_acknowledges_and_a_second_tap_says_who(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    ws = (await h.campaign()).workspace_id
    d = (await h.store.directives.all(ws))[0]
    group = Chat("sandbox", "g1", ChatKind.GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")

    async def press(user: str, name: str, press_id: str) -> str:
        replies = await h.services.engine.handle(
            ButtonPress(
                group, Sender("sandbox", user, name), "m50", d.ack_data(), h.clock.now(), press_id
            )
        )
        # Never an edit of the shared message; told to the presser alone (a toast).
        assert replies and all(r.edit_message_id is None and r.toast for r in replies)
        return "\n".join(r.text for r in replies)

    assert "✅ Đã ghi nhận: Hội ND tỉnh đã nhận chỉ đạo số 1 (Hoàng Văn Em" in await press(
        "1005", "Hoàng Văn Em", "p1"
    )
    assert "Hội ND tỉnh đã xác nhận nhận chỉ đạo số 1 trước đó" in await press(
        "1005", "Hoàng Văn Em", "p2"
    )
    # The same press delivered twice changes nothing and says nothing.
    assert (
        await h.services.engine.handle(
            ButtonPress(
                group,
                Sender("sandbox", "1005", "Hoàng Văn Em"),
                "m50",
                d.ack_data(),
                h.clock.now(),
                "p1",
            )
        )
        == []
    )
    acks = await h.store.directives.acks(d.id)
    assert [(a.user_id, a.display_name) for a in acks] == [("1005", "Hoàng Văn Em")]


async def test_in_a_private_chat_the_button_message_is_replaced(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    d = (await h.store.directives.all((await h.campaign()).workspace_id))[0]
    dm = Chat("sandbox", "1002", ChatKind.PRIVATE, "Trần Thị Bình")
    replies = await h.services.engine.handle(
        ButtonPress(
            dm, Sender("sandbox", "1002", "Trần Thị Bình"), "m60", d.ack_data(), h.clock.now(), "p9"
        )
    )
    assert len(replies) == 1 and replies[0].edit_message_id == "m60" and not replies[0].choices
    assert replies[0].text.startswith("📌 CHỈ ĐẠO SỐ 1")
    assert replies[0].text.endswith(
        "✅ Đã ghi nhận: Tỉnh đoàn đã nhận chỉ đạo số 1 (Trần Thị Bình, 09h00 23/11/2026)."
    )


async def test_a_reply_to_the_digest_is_offered_as_a_directive(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-27 17:00")  # the digest reaches ld
    out = await h.play("1007 @ ld [reply]: Cảm ơn các đồng chí")
    assert "Đồng chí muốn gửi nội dung trên thành chỉ đạo tới các đơn vị?" in out
    assert "[1] Gửi chỉ đạo  [2] Hủy" in out
    out = await h.play("1007 @ ld: 2")
    assert "Đã hủy" in out and "📌" not in out
    out = await h.play("1007 @ ld [reply]: hnd, ldld | Đề nghị báo cáo rõ nguồn tiền vận động")
    assert "tới LĐLĐ tỉnh, Hội ND tỉnh?" in out
    out = await h.play("1007 @ ld [reply]: gì vậy")  # an answer that is no choice asks again
    assert "Đồng chí chọn “Gửi chỉ đạo” hoặc “Hủy”." in out
    out = await h.play("1007 @ ld: gửi chỉ đạo")
    assert "✅ Đã gửi chỉ đạo số 1 tới LĐLĐ tỉnh, Hội ND tỉnh (2 đơn vị)." in out
    assert "bot -> g1:\n  📌 CHỈ ĐẠO SỐ 1" in out
    d = (await h.store.directives.all((await h.campaign()).workspace_id))[0]
    assert d.source == "reply"
    # Chatter in the leadership group that does not answer the bot is left alone.
    assert await h.play("1007 @ ld: Các đồng chí lưu ý") == ""
    # The admin (who reports for UBMTTQ tỉnh) replying with a filled-in form: a report.
    out = await h.play(
        """
        1001 @ ld [reply]: 1. Số buổi tuyên truyền, vận động: 6
          2. Số lượt người được tuyên truyền: 850
        """
    )
    assert "chỉ đạo" not in out and "UBMTTQ tỉnh" in out
    # A reporter replying to the bot in the leadership group is not offered anything.
    assert "chỉ đạo" not in await h.play("1002 @ ld [reply]: Cảm ơn")


async def test_a_private_leadership_chat(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 09:00\n1001 @ dm: /nhomlanhdao")
    # The admin reports for UBMTTQ tỉnh: plain text in private stays a report...
    out = await h.play("1001 @ dm: Tuần này tổ chức 6 buổi tuyên truyền")
    assert "chỉ đạo" not in out
    await h.play("1001 @ dm: /huy")
    # ...and a reply to the bot's message is offered as a directive.
    out = await h.play("1001 @ dm [reply]: Đề nghị các đơn vị rà soát hộ khó khăn")
    assert "thành chỉ đạo tới các đơn vị?" in out
    out = await h.play("1001 @ dm: 1")
    assert "✅ Đã gửi chỉ đạo số 1 tới các đơn vị" in out


async def test_reminders_go_once_to_units_that_have_not_acknowledged(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    await h.play("1002 @ dm: đã nhận\n1003 @ dm: đã nhận")
    out = await h.play("@clock 2026-11-24 08:00")
    assert (
        "⏰ Nhắc việc: Chỉ đạo số 1 (23/11/2026) chưa được xác nhận đã nhận: UBMTTQ tỉnh, Hội LHPN tỉnh, Hội ND tỉnh, Hội CCB tỉnh."
        in out
    )
    assert "(gắn tên: Nguyễn Văn An, Hoàng Văn Em)" in out
    assert await h.play("@tick\n@clock 2026-11-24 12:00") == ""
    await h.play("1005 @ dm: đã nhận\n1001 @ dm: đã nhận")
    out = await h.play("@clock 2026-11-26 08:00")
    assert (
        "Nhắc việc: Chỉ đạo số 1" in out
        and "UBMTTQ tỉnh" not in out.split("Nhắc việc")[1].split("\n")[0]
    )
    assert "Nhắc việc: Chỉ đạo" not in await h.play("@clock 2026-11-29 08:00")  # two, no more


async def test_the_prompt_asks_and_the_answer_reaches_the_digest(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    out = await h.play("@clock 2026-11-30 08:00")
    prompt = out.split("Tuần 49/2026")[1]
    assert "📌 Chỉ đạo đang thực hiện, đề nghị báo cáo kết quả:" in prompt
    assert " - Số 1 (23/11/2026): Đề nghị các đơn vị tăng cường tuyên truyền" in prompt
    # The week the directive was sent in does not chase results it never asked for.
    week48 = out.split("TỔNG HỢP KẾT QUẢ TUẦN 48/2026")[1].split("Đề nghị các đơn vị báo cáo")[0]
    assert "Thực hiện chỉ đạo:" in week48 and "Chưa báo cáo kết quả" not in week48

    out = await h.play(
        """
        1005 @ dm: 1. Số buổi tuyên truyền, vận động: 4
          2. Số lượt người được tuyên truyền: 300
          CĐ 1: Đã tổ chức 4 buổi tuyên truyền tại các ấp ven sông
        """
    )
    assert "✅ Đã ghi nhận kết quả thực hiện chỉ đạo số 1 của Hội ND tỉnh (Tuần 49/2026" in out
    assert "✅ Đã ghi nhận báo cáo Tuần 49/2026" in out
    campaign = await h.campaign()
    hnd = await h.org("hnd")
    week = Period.from_key("2026-W49")
    report = await h.store.submissions.current_for_org(campaign.id, week, hnd.id)
    assert report is not None and report.values == {
        "so_buoi_tuyen_truyen": 4,
        "luot_nguoi_tuyen_truyen": 300,
    }
    out = await h.play("1002 @ dm: /thuchien 1 Đã phát 2.000 tờ rơi")
    assert "✅ Đã ghi nhận kết quả thực hiện chỉ đạo số 1 của Tỉnh đoàn" in out
    out = await h.play("1003 @ dm: CĐ 7: không có")
    assert "không có chỉ đạo số 7 đang thực hiện" in out

    out = await h.play("@clock 2026-12-04 17:00")
    section = out.split("Thực hiện chỉ đạo:")[1]
    assert " - Tỉnh đoàn: Đã phát 2.000 tờ rơi" in section
    assert " - Hội ND tỉnh: Đã tổ chức 4 buổi tuyên truyền tại các ấp ven sông" in section
    assert (
        " - Chưa báo cáo kết quả: UBMTTQ tỉnh, LĐLĐ tỉnh, Hội LHPN tỉnh, Hội CCB tỉnh." in section
    )
    out = await h.play("1007 @ ld: /xemchidao 1")
    assert " • Hội ND tỉnh (tuần 49/2026): Đã tổ chức 4 buổi" in out
    # Reporting a result counts as having received the directive.
    assert " ✅ Hội ND tỉnh – Hoàng Văn Em" in out
    silent = out.split("❌ Chưa xác nhận:")[1].split("\n")[0]
    assert "Hội ND tỉnh" not in silent and "Tỉnh đoàn" not in silent


async def test_closing_keeps_history_and_stops_reminders(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    out = await h.play("1007 @ ld: /dongchidao 1")
    assert "✅ Đã kết thúc chỉ đạo số 1" in out
    assert "Chỉ đạo số 1 đã kết thúc trước đó." in await h.play("1007 @ ld: /dongchidao 1")
    assert "Không có chỉ đạo số 4." in await h.play("1007 @ ld: /dongchidao 4")
    assert await h.play("@clock 2026-11-24 08:00") == ""  # no reminder for a closed one
    out = await h.play("1002 @ dm: /danhan 1")
    assert "Chỉ đạo số 1 đã kết thúc, không cần xác nhận nữa." in out
    out = await h.play("1007 @ ld: /xemchidao")
    assert "Không có chỉ đạo nào đang thực hiện." in out
    out = await h.play("1007 @ ld: /xemchidao tatca")
    assert "1. (23/11/2026) Đề nghị các đơn vị tăng cường" in out and "– đã kết thúc" in out
    out = await h.play("1007 @ ld: /xemchidao 1")
    assert "đã kết thúc lúc 09h00 23/11/2026" in out
    out = await h.play("1001 @ g1: /nhatky")
    assert "kết thúc chỉ đạo số 1" in out and "gửi chỉ đạo số 1 → các đơn vị" in out


async def test_a_restart_sends_no_reminder_twice(tayninh: Harness) -> None:
    h = tayninh
    await _send_one(h)
    await h.play("@clock 2026-11-24 08:00")
    before = await h.store.outbox.pending(limit=1000)
    # What a second process would do on the same saved state: nothing new.
    from bot.services.directives import DirectiveService

    assert await DirectiveService(h.store).run_due(h.clock.now()) == 0
    assert await h.store.outbox.pending(limit=1000) == before


async def test_a_commune_leader_directs_the_commune_and_a_commune_code_means_its_units(
    harness: Harness,
) -> None:
    from tests.dialog.test_hierarchy import province

    h = harness
    await province(h)
    # 1004 leads Xã Tân Hòa: "all" is the commune's units, and nothing outside it.
    out = await h.play("1004 @ dm: /chidao Rà soát hộ khó khăn trên địa bàn xã")
    assert "✅ Đã gửi chỉ đạo số 1 tới các đơn vị (2 đơn vị)." in out
    out = await h.play("1004 @ dm: /chidao hnd_tb | Nội dung")
    assert "Đồng chí chỉ gửi chỉ đạo tới các đơn vị thuộc Xã Tân Hòa: hnd_tb." in out
    # The province's leader names a commune: its units.
    out = await h.play("1007 @ ld: /chidao xa_tanbien | Báo cáo thiệt hại do mưa")
    assert "tới UBMTTQ (Xã Tân Biên), Hội ND (Xã Tân Biên) (2 đơn vị)" in out
    assert "Gửi: UBMTTQ (Xã Tân Biên), Hội ND (Xã Tân Biên)." in out
    ws = (await h.campaign()).workspace_id
    d1, d2 = await h.store.directives.all(ws)
    th = {(await h.org(c)).id for c in ("mttq_th", "hnd_th")}
    tb = {(await h.org(c)).id for c in ("mttq_tb", "hnd_tb")}
    assert set(d1.org_ids) == th and set(d2.org_ids) == tb
    out = await h.play("1003 @ dm: đã nhận")
    assert "✅ Đã ghi nhận: Hội ND (Xã Tân Biên) đã nhận chỉ đạo số 2" in out


async def test_a_directive_to_one_unit_without_a_reporter(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 09:00")
    out = await h.play("1007 @ ld: /chidao hccb | Báo cáo số hội viên")
    # The group gets it, but nobody there can be named or acknowledge for the unit.
    assert (
        "Lưu ý: 1 đơn vị chưa có cán bộ báo cáo tham gia nên không ai được gắn tên, nhắn riêng"
        " hay xác nhận thay cho đơn vị: Hội CCB tỉnh." in out
    )
