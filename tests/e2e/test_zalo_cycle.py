"""A whole week on Zalo over HTTP, in private chats: set-up by typed commands, invites by
code, one prompt per organization on Monday, reports typed as forms, free text confirmed by
typing a number, guided questions, a reminder to non-reporters only, the digest on Friday,
the monthly count. Once with long polling and once with a webhook; webhook calls without
the right secret are refused."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import at
from tests.e2e.zalo_support import OWNER, SECRET, ZLive, live_zalo
from tests.fakes.zalo_api import BOT_ID

BINH, CUONG, EM, GIANG = "u1002", "u1003", "u1005", "u1007"
REPORTERS = {BINH: "tinhdoan", CUONG: "ldld", EM: "hnd"}


def people(live: ZLive) -> None:
    live.api.user(OWNER, "Nguyễn Văn An")
    live.api.user(BINH, "Trần Thị Bình")
    live.api.user(CUONG, "Lê Văn Cường")
    live.api.user(EM, "Hoàng Văn Em")
    live.api.user(GIANG, "Đặng Thị Giang")


async def set_up(live: ZLive) -> None:
    people(live)
    sent = await live.say(OWNER, "/khoitao Khối MTTQ-CTXH tỉnh Tây Ninh")
    assert sent is not None and "Khối MTTQ-CTXH tỉnh Tây Ninh" in "\n".join(live.api.texts(OWNER))
    # The bot cannot join groups (getMe): the admin is told plainly, in Vietnamese.
    assert "từng người" in sent.text
    sent = await live.say(OWNER, "/nhombaocao")
    assert sent is not None and "không tham gia được nhóm" in sent.text
    assert await live.say(OWNER, "/napmau tayninh") is not None
    for user, org in REPORTERS.items():
        invite = await live.say(OWNER, f"/moi {org}")
        assert invite is not None and "/thamgia " in invite.text
        code = invite.text.split("/thamgia ")[1].split()[0]
        joined = await live.say(user, f"/thamgia {code}")
        assert joined is not None and "Đã ghi nhận đồng chí tham gia" in joined.text
    invite = await live.say(OWNER, "/moi - lanhdao")
    assert invite is not None
    code = invite.text.split("/thamgia ")[1].split()[0]
    assert await live.say(GIANG, f"/thamgia {code}") is not None


async def play_week(live: ZLive) -> None:
    await set_up(live)

    # Monday 08:00: one prompt per organization, privately, with its own form.
    before = {u: len(live.api.texts(u)) for u in (*REPORTERS, GIANG)}
    await live.tick(at(23, 8))
    for user in REPORTERS:
        new = live.api.texts(user)[before[user] :]
        assert len(new) == 1 and "Đề nghị" in new[0], (user, new)
        assert "1. Số buổi tuyên truyền, vận động" in new[0]
        assert all(len(t) < 2000 for t in new)
    assert len(live.api.texts(GIANG)) == before[GIANG]  # leaders are not prompted

    # Tỉnh đoàn: the filled-in form, saved at once.
    sent = await live.say(
        BINH,
        "1. Số buổi tuyên truyền, vận động: 12\n2. Số lượt người được tuyên truyền: 1.200\n"
        "3. Tiền vận động, ủng hộ: 45,5 triệu",
    )
    assert sent is not None and "✅ Đã ghi nhận báo cáo Tuần 48/2026" in sent.text

    # LĐLĐ: free text, echoed with numbered choices, confirmed by typing "1".
    live.clock.set(at(24, 16, 40))
    echo = await live.say(CUONG, "Tuần này LĐLĐ tổ chức 8 buổi tuyên truyền cho 640 lượt người")
    assert echo is not None and "1. Xác nhận" in echo.text and "3. Hủy" in echo.text
    sent = await live.say(CUONG, "1")
    assert sent is not None and "✅ Đã ghi nhận" in sent.text

    # A message Zalo delivers twice is handled and answered once.
    before_em = len(live.api.texts(EM))
    live.api.message(EM, None, "/tinhhinh", copies=2)
    probe = await live.say(EM, "/toi")
    assert probe is not None and "Mã người dùng" in probe.text
    assert len(live.api.texts(EM)) == before_em + 2  # one status, one answer to /toi

    # The bot's own messages and stickers are not answered.
    count = len(live.api.sent)
    live.api.from_bot(EM, "tin của chính bot")
    live.api.sticker(EM)
    live.api.unsupported(EM)
    probe = await live.say(EM, "/toi")
    assert probe is not None and len(live.api.sent) == count + 1

    # Thursday 08:00: reminders only to who has not reported.
    marks = {u: len(live.api.texts(u)) for u in REPORTERS}
    await live.tick(at(26, 8))
    assert len(live.api.texts(BINH)) == marks[BINH]
    assert len(live.api.texts(CUONG)) == marks[CUONG]
    reminder = live.api.texts(EM)[marks[EM] :]
    assert len(reminder) == 1 and reminder[0].startswith("⏰ Nhắc việc")

    # Hội ND answers the guided questions: typed values, words for the choices.
    live.clock.set(at(27, 10))
    question = await live.say(EM, "/baocao hoi")
    assert question is not None and "Câu 1/" in question.text
    assert "Hoặc gõ: “Bỏ qua” / “Hủy”" in question.text  # a number here is data
    answer = await live.say(EM, "3")
    assert answer is not None and "Câu 2/" in answer.text
    for _ in range(20):
        assert answer is not None
        if "1. Xác nhận" in answer.text:
            break
        answer = await live.say(EM, "bỏ qua")
    assert answer is not None and "1. Xác nhận" in answer.text  # the echo: a decision
    answer = await live.say(EM, "1")
    assert answer is not None and "✅ Đã ghi nhận" in answer.text

    # Friday 17:00: the digest to the admin (no leadership chat registered).
    await live.tick(at(27, 17))
    digest = "\n".join(t for t in live.api.texts(OWNER) if "TỔNG HỢP" in t)
    assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in digest
    assert "3/6" in digest
    count = len(live.api.sent)
    await live.tick(at(27, 17, 5))
    assert len(live.api.sent) == count  # nothing twice
    live.no_duplicates()

    # The admin sees the month's count: every message Zalo accepted so far.
    before_quota = len(live.api.sent)
    usage = await live.say(OWNER, "/hanmuc")
    assert usage is not None
    assert f"Zalo: đã gửi {before_quota}/3.000 tin" in usage.text.replace(".", "", 0)
    # Nothing over the length limit ever left the bot.
    assert all(0 < len(s.text) < 2000 for s in live.api.sent)
    assert BOT_ID not in {s.chat_id for s in live.api.sent}


async def test_week_in_private_chats_with_long_polling(tmp_path: Path) -> None:
    async with live_zalo(tmp_path) as live:
        await play_week(live)
        assert not live.api.webhook_url


async def test_week_in_private_chats_with_a_webhook(tmp_path: Path) -> None:
    async with live_zalo(tmp_path, webhook=True) as live:
        assert live.api.webhook_url.endswith("/zalo-hook") and live.api.webhook_secret == SECRET
        await play_week(live)
        # Events were delivered bare and wrapped in {ok, result}; all accepted.
        assert live.server.webhook_statuses and set(live.server.webhook_statuses) == {200}
        # Without the secret, or with a wrong one, nothing is read.
        people(live)
        count = len(live.api.sent)
        event = {
            "event_name": "message.text.received",
            "message": {
                "message_id": "forged1",
                "from": {"id": OWNER, "display_name": "Kẻ giả mạo"},
                "chat": {"id": OWNER, "chat_type": "PRIVATE"},
                "text": "/tonghop",
            },
        }
        assert await live.server.post(event, None) == 403
        assert await live.server.post(event, "sai-bi-mat-123") == 403
        assert await live.server.post(event, SECRET[:-1]) == 403
        assert await live.server.post(None, SECRET, raw=b"{not json") == 400
        assert len(live.api.sent) == count
        # The right secret is accepted, bare or wrapped; a second delivery of the same
        # message is not answered again.
        mark = len(live.api.texts(OWNER))
        assert await live.server.post(event, SECRET) == 200
        assert await live.server.post({"ok": True, "result": event}, SECRET) == 200
        probe = await live.say(OWNER, "/toi")
        assert probe is not None and "Người vận hành bot" in probe.text
        new = live.api.texts(OWNER)[mark:]
        assert sum("TỔNG HỢP" in t for t in new) == 1, new
