"""A whole week on Telegram over HTTP: set-up by chat commands, invites by deep link, the
Monday prompt, reports in the group and in private (typed forms, free text confirmed by
button), the Thursday reminder, the Friday digest. Once in a group with long polling,
once in private chats only with a webhook."""

from __future__ import annotations

from collections import Counter

from tests.e2e.conftest import OWNER, Live, at
from tests.fakes.telegram_api import BOT_USERNAME

GROUP, LEADERS = -100100, -100200
BINH, CUONG, EM, GIANG = 1002, 1003, 1005, 1007


def people(live: Live) -> None:
    live.api.user(OWNER, "Nguyễn Văn", "An")
    live.api.user(BINH, "Trần Thị", "Bình")
    live.api.user(CUONG, "Lê Văn", "Cường")
    live.api.user(EM, "Hoàng Văn", "Em")
    live.api.user(GIANG, "Đặng Thị", "Giang")


async def invite(live: Live, chat: int | None, org: str, role: str = "") -> str:
    sent = await live.say(OWNER, chat, f"/moi {org} {role}".strip())
    assert sent is not None and f"https://t.me/{BOT_USERNAME}?start=" in sent.text
    return sent.text.split("?start=")[1].split()[0]


async def join(live: Live, user: int, code: str) -> str:
    sent = await live.say(user, None, f"/start {code}")
    assert sent is not None
    return sent.text


def no_duplicates(live: Live) -> None:
    """No message was delivered twice (same chat, same text, as new messages)."""
    counts = Counter(
        (s.chat_id, s.text) for s in live.api.sent if s.method in ("sendMessage", "sendDocument")
    )
    repeated = {k: v for k, v in counts.items() if v > 1 and "/trogiup" not in k[1]}
    assert not [k for k in repeated if "Đề nghị" in k[1] or "TỔNG HỢP" in k[1]], repeated


async def test_week_in_a_group_with_long_polling(polling: Live) -> None:
    live = polling
    people(live)
    live.api.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
    live.api.group(LEADERS, "Thường trực UBMTTQ tỉnh")

    # Monday 07:00: the IT officer sets everything up by chat commands.
    sent = await live.say(OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh")
    assert sent is not None and "Nhóm MTT-CTXH tỉnh Tây Ninh" in sent.text
    sent = await live.say(OWNER, GROUP, "/napmau tayninh")
    assert sent is not None and "Tỉnh đoàn" in sent.text
    assert await live.say(OWNER, LEADERS, "/nhomlanhdao") is not None

    # Invites: one tap on the deep link binds each person to their organization.
    assert "Tỉnh đoàn" in await join(live, BINH, await invite(live, GROUP, "tinhdoan"))
    assert "LĐLĐ" in await join(live, CUONG, await invite(live, GROUP, "ldld"))
    assert "Hội ND" in await join(live, EM, await invite(live, GROUP, "hnd"))
    await join(live, GIANG, await invite(live, GROUP, "-", "lanhdao"))

    # Monday 08:00: one prompt in the group, mentioning the reporters; none in private.
    await live.tick(at(23, 8))
    prompt = live.api.last(GROUP)
    assert "Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 48/2026" in prompt.text
    assert "1. Số buổi tuyên truyền, vận động" in prompt.text
    assert "Trần Thị Bình" in prompt.text and "tg://user?id=1002" in prompt.text
    assert all("Đề nghị" not in t for u in (BINH, CUONG, EM) for t in live.api.texts(u)[1:])

    # Ordinary conversation in the group is not a report.
    assert await live.silent(CUONG, GROUP, "Chiều nay 14h họp giao ban nhé các đồng chí")

    # Tỉnh đoàn replies to the prompt with the filled-in form: saved at once.
    sent = await live.say(
        BINH,
        GROUP,
        "1. Số buổi tuyên truyền, vận động: 12\n2. Số lượt người được tuyên truyền: 1.200\n"
        "3. Tiền vận động, ủng hộ: 45,5 triệu",
        reply_to=prompt.message_id,
    )
    assert sent is not None and "✅ Đã ghi nhận báo cáo Tuần 48/2026" in sent.text
    assert "Tỉnh đoàn" in sent.text

    # LĐLĐ writes freely in private: echoed, confirmed by a button, edited in place.
    live.clock.set(at(24, 16, 40))
    echo = await live.say(
        CUONG, None, "Tuần này LĐLĐ tổ chức 8 buổi tuyên truyền cho 640 lượt người"
    )
    assert echo is not None and [d for _, d in echo.buttons] == ["ok", "edit", "cancel"]
    await live.press(CUONG, CUONG, echo.message_id, "ok")
    assert "✅ Đã ghi nhận" in live.api.current_text(CUONG, echo.message_id)
    assert live.api.last(CUONG).method == "editMessageText"

    # Thursday 08:00: the reminder names and mentions only who has not reported.
    await live.tick(at(26, 8))
    reminder = live.api.last(GROUP)
    assert reminder.text.startswith("⏰ Nhắc việc")
    assert "Hội ND tỉnh" in reminder.text and "tg://user?id=1005" in reminder.text
    assert "tg://user?id=1002" not in reminder.text

    # Hội ND reports with the command in the group (privacy mode delivers commands).
    live.clock.set(at(27, 10))
    sent = await live.say(
        EM,
        GROUP,
        "/baocao\n1. Số buổi tuyên truyền, vận động: 3\n2. Số lượt người được tuyên truyền: 150",
    )
    assert sent is not None and "✅ Đã ghi nhận" in sent.text

    # Friday 17:00: the digest goes to the leadership group.
    await live.tick(at(27, 17))
    digest = "\n".join(live.api.texts(LEADERS)[1:])
    assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in digest
    assert "3/6" in digest
    # A second tick (or a restart) sends nothing again.
    sent_before = len(live.api.sent)
    await live.tick(at(27, 17, 5))
    assert len(live.api.sent) == sent_before
    no_duplicates(live)

    # The leader reads the status in private.
    status = await live.say(GIANG, None, "/tinhhinh")
    assert status is not None and "❌" in status.text


async def test_week_in_private_chats_with_a_webhook(webhook: Live) -> None:
    live = webhook
    people(live)
    # A workspace set up in the admin's private chat: no reporting group, so every
    # reporter is prompted privately with their own organization's form.
    assert await live.say(OWNER, None, "/khoitao Khối MTTQ-CTXH xã Tân Ninh") is not None
    assert await live.say(OWNER, None, "/napmau tayninh") is not None
    for user, org in ((BINH, "tinhdoan"), (CUONG, "ldld"), (EM, "hnd")):
        await join(live, user, await invite(live, None, org))

    await live.tick(at(23, 8))
    for user in (BINH, CUONG, EM):
        prompt = live.api.last(user)
        assert "Đề nghị" in prompt.text, (user, prompt.text)

    sent = await live.say(
        BINH, None, "1. Số buổi tuyên truyền, vận động: 4\n2. Số lượt người được tuyên truyền: 90"
    )
    assert sent is not None and "✅ Đã ghi nhận" in sent.text
    sent = await live.say(CUONG, None, "/baocao hoi")
    assert sent is not None and sent.buttons  # guided: one question at a time
    sent = await live.say(CUONG, None, "5")
    assert sent is not None

    await live.tick(at(27, 17))
    digest = "\n".join(t for t in live.api.texts(OWNER) if "TỔNG HỢP" in t)
    assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in digest
    no_duplicates(live)
    # Every webhook call carried the secret and was accepted.
    assert live.server.webhook_statuses and set(live.server.webhook_statuses) <= {200, 0}
