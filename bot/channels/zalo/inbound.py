"""Zalo events -> the core's neutral ``InboundMessage``.

An event is ``{"event_name": "message.text.received", "message": {...}}``. It arrives as
the ``result`` of getUpdates or as a webhook body, either wrapped in ``{ok, result}`` or
bare: ``events_of`` accepts both, and a list of them. The message carries ``message_id``,
``from {id, display_name, is_bot}``, ``chat {id, chat_type: PRIVATE|GROUP}``, ``date`` (ms),
``text``, and for images ``photo`` / ``photo_url`` / ``url`` with an optional ``caption``.

Tolerance (decided): unknown event names and unknown fields are ignored; a message without
a chat or a sender is dropped; stickers, voice and unsupported content carry nothing the
engine can read and are dropped too (answering them would spend the monthly quota). The
bot's own messages (``from.is_bot`` or the bot's id) are dropped.

Groups are mention-only on Zalo (DESIGN.md §4): a group message is addressed to the bot.
When the event lists mentions (``mentions``: ids or ``{id}``/``{user_id}`` objects) and the
bot is not among them, it is not; ``@BotName`` is taken out of the text either way, so the
report parser does not read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from bot.channels.zalo import CHANNEL
from bot.channels.zalo.client import BotInfo
from bot.core.events import Chat, InboundMessage, Sender
from bot.core.models import ChatKind

TEXT = "message.text.received"
IMAGE = "message.image.received"
READABLE = frozenset({TEXT, IMAGE})


def events_of(body: Any) -> list[dict[str, Any]]:
    """The events in a getUpdates result or a webhook body, wrapped or bare."""
    out: list[dict[str, Any]] = []

    def walk(node: Any, depth: int = 0) -> None:
        if depth > 3:
            return
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
        elif isinstance(node, dict):
            if "event_name" in node or "message" in node:
                out.append(node)
            elif "result" in node:
                walk(node["result"], depth + 1)

    walk(body)
    return out


def message_id_of(event: dict[str, Any]) -> str | None:
    message = event.get("message")
    if isinstance(message, dict) and message.get("message_id") not in (None, ""):
        return str(message["message_id"])
    return None


def photos_of(message: dict[str, Any]) -> tuple[str, ...]:
    """Image URLs from ``photo``, ``photo_url`` or ``url`` (a string, a list, or objects
    with ``url``)."""
    found: list[str] = []

    def take(value: Any) -> None:
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
        elif isinstance(value, dict):
            for key in ("url", "photo_url", "file_url"):
                take(value.get(key))
        elif isinstance(value, list):
            for item in value:
                take(item)

    for key in ("photo", "photo_url", "url"):
        take(message.get(key))
    return tuple(dict.fromkeys(found))


def _mentions(message: dict[str, Any]) -> list[str] | None:
    raw = message.get("mentions")
    if not isinstance(raw, list):
        return None
    ids = []
    for item in raw:
        if isinstance(item, dict):
            value = item.get("id") or item.get("user_id")
            if value is not None:
                ids.append(str(value))
        elif item is not None:
            ids.append(str(item))
    return ids


def _strip_mention(text: str, name: str) -> str:
    if not name:
        return text
    return re.sub(rf"(^|\s)@{re.escape(name)}\b[,:]?\s*", r"\1", text, flags=re.IGNORECASE).strip()


def replied_to(message: dict[str, Any], me: BotInfo) -> tuple[str, bool]:
    """The quoted message, when the event carries one: its id, and whether it is the bot's.

    The Bot API's documented events do not include a quote; a ``reply_to_message`` (or
    ``quote``) object with ``message_id`` and ``from.id``, the shape the API otherwise
    borrows from Telegram's, is read when present, and its absence changes nothing (a
    leader's directive then comes from ``/chidao`` or from a private leadership chat)."""
    for key in ("reply_to_message", "quote", "quoted_message"):
        quoted = message.get(key)
        if not isinstance(quoted, dict):
            continue
        qid = quoted.get("message_id") or quoted.get("msg_id") or ""
        author = quoted.get("from")
        author_id = str(author.get("id") or "") if isinstance(author, dict) else ""
        return str(qid), bool(me.id) and author_id == me.id
    return "", False


def message_event(event: dict[str, Any], me: BotInfo, now: datetime) -> InboundMessage | None:
    """The neutral message, or None when there is nothing for the engine."""
    name = str(event.get("event_name") or "")
    message = event.get("message")
    if name and name not in READABLE:
        return None
    if not isinstance(message, dict):
        return None
    sender_raw = message.get("from")
    chat_raw = message.get("chat")
    if not isinstance(sender_raw, dict) or sender_raw.get("id") in (None, ""):
        return None
    user_id = str(sender_raw["id"])
    if sender_raw.get("is_bot") is True or (me.id and user_id == me.id):
        return None  # the bot's own messages
    message_id = message_id_of(event)
    if message_id is None:
        return None
    chat_raw = chat_raw if isinstance(chat_raw, dict) else {}
    chat_id = str(chat_raw.get("id") or user_id)
    is_group = str(chat_raw.get("chat_type") or "PRIVATE").upper() == "GROUP"
    display = str(
        sender_raw.get("display_name") or sender_raw.get("name") or sender_raw.get("username") or ""
    )
    text = message.get("text")
    if not isinstance(text, str):
        text = ""
    caption = message.get("caption")
    if not text and isinstance(caption, str):
        text = caption
    photos = photos_of(message)
    if name == IMAGE and not photos:
        return None
    if not name and not text and not photos:
        return None
    mentions_bot = False
    if is_group:
        listed = _mentions(message)
        mentions_bot = listed is None or (bool(me.id) and me.id in listed)
        if me.name and f"@{me.name}".lower() in text.lower():
            mentions_bot = True
        text = _strip_mention(text, me.name)
    chat = Chat(
        CHANNEL,
        chat_id,
        ChatKind.GROUP if is_group else ChatKind.PRIVATE,
        str(chat_raw.get("title") or chat_raw.get("name") or ("" if is_group else display)),
    )
    quoted_id, to_bot = replied_to(message, me)
    return InboundMessage(
        chat=chat,
        sender=Sender(CHANNEL, user_id, display),
        message_id=message_id,
        text=text,
        at=now,
        reply_to_bot=to_bot,
        mentions_bot=mentions_bot,
        reply_to_message_id=quoted_id,
        photos=photos,
    )


def iter_messages(body: Any, me: BotInfo, now: datetime) -> Iterator[InboundMessage]:
    for event in events_of(body):
        translated = message_event(event, me, now)
        if translated is not None:
            yield translated
