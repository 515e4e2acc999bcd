"""Directives over the fake Telegram Bot API: the directive leaves through the outbox with
an inline "Đã nhận" button; a tap in the group acknowledges for the presser's unit and
leaves the button for the others; a tap in a private chat replaces the message with the
acknowledgement; a leader's reply to the bot's message in the leadership group carries
its id and is offered as a directive."""

from __future__ import annotations

from datetime import datetime

from bot.channels.telegram.sender import TelegramSender
from tests.channels.telegram.test_handlers import BINH, GROUP, OWNER, TZ, Bot, bot

__all__ = ["bot"]  # the fixture, shared with the handler tests

HOA = 1003
LEADERS = -100777


async def _deliver(bot: Bot) -> None:
    await bot.services.dispatcher({"telegram": TelegramSender(bot.app.bot)}).drain()


async def _setup(bot: Bot) -> None:
    bot.api.user(HOA, "Lê Thị", "Hoa")
    bot.api.group(LEADERS, "Thường trực UBMTTQ tỉnh")
    await bot.say(OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh")
    await bot.say(OWNER, GROUP, "/napmau tayninh")
    await bot.say(OWNER, GROUP, f"/gan tinhdoan baocao {BINH}")
    await bot.say(OWNER, GROUP, f"/gan hnd baocao {HOA}")
    await bot.say(OWNER, LEADERS, "/nhomlanhdao")
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))


async def test_the_button_acknowledges_in_the_group_and_stays_for_others(bot: Bot) -> None:
    await _setup(bot)
    await bot.say(OWNER, LEADERS, "/chidao Đề nghị tăng cường tuyên truyền phòng, chống bão")
    assert "Đã gửi chỉ đạo số 1" in bot.api.last(LEADERS).text
    await _deliver(bot)
    directive = bot.api.last(GROUP)
    assert directive.text.startswith("📌 CHỈ ĐẠO SỐ 1")
    assert "bấm “Đã nhận”" in directive.text
    assert directive.buttons == [("Đã nhận", "ack:1")]
    posted = len(bot.api.texts(GROUP))
    await bot.press(BINH, GROUP, directive.message_id, "ack:1")
    # The presser is told quietly (the answer to the tap); nothing is posted in the group.
    toast = bot.api.answers[-1]["text"]
    assert toast.startswith("✅ Đã ghi nhận: Tỉnh đoàn đã nhận chỉ đạo số 1 (Trần Thị Bình")
    assert len(bot.api.texts(GROUP)) == posted
    # The directive keeps its button for the other units.
    assert bot.api.current_text(GROUP, directive.message_id).startswith("📌 CHỈ ĐẠO SỐ 1")
    assert not [s for s in bot.api.sent if s.method == "editMessageReplyMarkup"]
    await bot.press(HOA, GROUP, directive.message_id, "ack:1")
    assert "Hội ND tỉnh đã nhận chỉ đạo số 1 (Lê Thị Hoa" in bot.api.answers[-1]["text"]
    await bot.press(HOA, GROUP, directive.message_id, "ack:1")
    assert "đã xác nhận nhận chỉ đạo số 1 trước đó" in bot.api.answers[-1]["text"]
    assert len(bot.api.texts(GROUP)) == posted
    d = await bot.services.store.directives.by_number(1, 1)
    assert d is not None
    acks = await bot.services.store.directives.acks(d.id)
    assert sorted(a.user_id for a in acks) == [str(BINH), str(HOA)]


async def test_a_private_tap_replaces_the_message(bot: Bot) -> None:
    # A workspace without a reporting group: directives reach reporters privately.
    await bot.say(OWNER, None, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh")
    await bot.say(OWNER, None, "/napmau tayninh")
    await bot.say(OWNER, None, f"/gan tinhdoan baocao {BINH}")
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    await bot.say(OWNER, None, "/chidao tinhdoan | Báo cáo số hộ bị thiệt hại")
    await _deliver(bot)
    message = bot.api.last(BINH)
    assert "Gửi: Tỉnh đoàn." in message.text and message.buttons == [("Đã nhận", "ack:1")]
    await bot.press(BINH, BINH, message.message_id, "ack:1")
    edit = bot.api.last(BINH)
    assert edit.method == "editMessageText" and edit.message_id == message.message_id
    assert edit.text.startswith("📌 CHỈ ĐẠO SỐ 1") and "✅ Đã ghi nhận: Tỉnh đoàn" in edit.text
    assert edit.buttons == []
    # A second tap (an old copy of the button): told quietly, nothing new is sent.
    sends = len([s for s in bot.api.sent if s.chat_id == BINH])
    await bot.press(BINH, BINH, message.message_id, "ack:1")
    assert "đã xác nhận nhận chỉ đạo số 1 trước đó" in bot.api.answers[-1]["text"]
    assert len([s for s in bot.api.sent if s.chat_id == BINH]) == sends


async def test_a_reply_to_the_digest_carries_its_id_and_is_offered(bot: Bot) -> None:
    await _setup(bot)
    bot.clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=TZ))
    await bot.services.cycle.run_due(bot.clock.now())
    await _deliver(bot)
    digest = bot.api.last(LEADERS)
    assert "TỔNG HỢP KẾT QUẢ" in digest.text or "Biểu đồ" in digest.text
    await bot.say(OWNER, LEADERS, "Đề nghị các đơn vị báo cáo bổ sung", reply_to=digest.message_id)
    offer = bot.api.last(LEADERS)
    assert "thành chỉ đạo tới các đơn vị?" in offer.text
    assert [d for _, d in offer.buttons] == ["directive:send", "cancel"]
    await bot.press(OWNER, LEADERS, offer.message_id, "directive:send")
    assert "✅ Đã gửi chỉ đạo số 1" in bot.api.current_text(LEADERS, offer.message_id)
    d = await bot.services.store.directives.by_number(1, 1)
    assert d is not None and d.source == "reply" and d.source_ref == str(digest.message_id)
