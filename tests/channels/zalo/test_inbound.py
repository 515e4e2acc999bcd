"""Zalo events -> neutral messages: wrapped and bare bodies, unknown events and fields,
the bot's own messages, images, groups and mentions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.channels.zalo.client import BotInfo
from bot.channels.zalo.inbound import TEXT, events_of, iter_messages, message_event, photos_of
from bot.core.models import ChatKind

ME = BotInfo("bot1", "BaoCaoTuan", can_join_groups=True)
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def event(name: str = "message.text.received", **message: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message_id": "m1",
        "from": {"id": "u1", "display_name": "Nguyễn Văn An", "is_bot": False},
        "chat": {"id": "u1", "chat_type": "PRIVATE"},
        "date": 1764000000000,
        "text": "xin chào",
    }
    base.update(message)
    return {"event_name": name, "message": base}


def test_bare_wrapped_and_listed_bodies_give_the_same_events() -> None:
    e = event()
    assert events_of(e) == [e]
    assert events_of({"ok": True, "result": e}) == [e]
    assert events_of({"ok": True, "result": [e, e]}) == [e, e]
    assert events_of([e]) == [e]
    assert events_of({"ok": True, "result": None}) == []
    assert events_of("garbage") == [] and events_of(None) == []


def test_a_private_text_message() -> None:
    m = message_event(event(extra_field={"x": 1}), ME, NOW)
    assert m is not None
    assert (m.chat.channel, m.chat.chat_id, m.chat.kind) == ("zalo", "u1", ChatKind.PRIVATE)
    assert (m.sender.user_id, m.sender.display_name) == ("u1", "Nguyễn Văn An")
    assert (m.message_id, m.text, m.at, m.mentions_bot) == ("m1", "xin chào", NOW, False)


def test_unknown_and_unreadable_events_are_dropped() -> None:
    for name in (
        "message.sticker.received",
        "message.voice.received",
        "message.unsupported.received",
        "user.follow",
        "something.new",
    ):
        assert message_event(event(name), ME, NOW) is None
    assert message_event({"event_name": "message.text.received"}, ME, NOW) is None
    assert message_event(event("message.text.received", **{"from": None}), ME, NOW) is None
    assert message_event(event(message_id=None), ME, NOW) is None


def test_the_bots_own_messages_are_dropped() -> None:
    assert message_event(event(TEXT, **{"from": {"id": "x", "is_bot": True}}), ME, NOW) is None
    assert message_event(event(TEXT, **{"from": {"id": "bot1"}}), ME, NOW) is None


def test_images_from_photo_photo_url_or_url() -> None:
    assert photos_of({"photo": "https://a/1.jpg"}) == ("https://a/1.jpg",)
    assert photos_of({"photo_url": "https://a/2.jpg", "url": "https://a/2.jpg"}) == (
        "https://a/2.jpg",
    )
    assert photos_of({"url": "https://a/3.jpg"}) == ("https://a/3.jpg",)
    assert photos_of({"photo": [{"url": "https://a/4.jpg"}]}) == ("https://a/4.jpg",)
    m = message_event(
        event("message.image.received", text=None, photo_url="https://a/5.jpg", caption="Ảnh"),
        ME,
        NOW,
    )
    assert m is not None and m.photos == ("https://a/5.jpg",) and m.text == "Ảnh"
    assert message_event(event("message.image.received", text=None), ME, NOW) is None


def test_group_messages_are_mentions_and_the_mention_is_taken_out() -> None:
    group = {"id": "g1", "chat_type": "GROUP"}
    m = message_event(event(chat=group, text="@BaoCaoTuan /tinhhinh"), ME, NOW)
    assert m is not None and m.chat.kind is ChatKind.GROUP and m.mentions_bot
    assert m.text == "/tinhhinh"
    # Mentions listed without the bot: someone else was addressed.
    other = message_event(event(chat=group, text="@Lan họp nhé", mentions=["u9"]), ME, NOW)
    assert other is not None and not other.mentions_bot
    listed = message_event(event(chat=group, text="12 buổi", mentions=[{"id": "bot1"}]), ME, NOW)
    assert listed is not None and listed.mentions_bot


def test_iter_messages_skips_what_is_not_for_the_engine() -> None:
    body = {"ok": True, "result": [event(), event("message.sticker.received")]}
    assert [m.message_id for m in iter_messages(body, ME, NOW)] == ["m1"]


def test_a_quoted_message_is_read_when_the_event_carries_one() -> None:
    m = message_event(event(reply_to_message={"message_id": "b7", "from": {"id": "bot1"}}), ME, NOW)
    assert m is not None and m.reply_to_bot and m.reply_to_message_id == "b7"
    m = message_event(event(quote={"message_id": "u9", "from": {"id": "u2"}}), ME, NOW)
    assert m is not None and not m.reply_to_bot and m.reply_to_message_id == "u9"
    m = message_event(event(), ME, NOW)
    assert m is not None and not m.reply_to_bot and m.reply_to_message_id == ""
