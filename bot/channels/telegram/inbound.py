"""Telegram updates -> the core's neutral events.

Only facts are translated; what to do with them is the engine's business. In a group the
engine needs to know whether a message is addressed to the bot: ``reply_to_bot`` (a reply
to one of the bot's messages) and ``mentions_bot`` (``@botname`` or a text mention of the
bot; the mention itself is taken out of the text so the report parser does not see it).
Commands addressed to another bot (``/baocao@OtherBot``) are not for us and are dropped,
as python-telegram-bot's own CommandHandler does. With privacy mode on, Telegram only
delivers commands, replies to the bot and mentions in groups; with it off, every message
arrives and the engine ignores ordinary conversation: the same code serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import CallbackQuery, ChatMemberUpdated, Message, MessageEntity, User
from telegram import Chat as TgChat
from telegram.constants import ChatMemberStatus, ChatType

from bot.channels.telegram import CHANNEL
from bot.core.events import (
    Attachment,
    BotAddedToChat,
    BotRemovedFromChat,
    ButtonPress,
    Chat,
    ChatMigrated,
    InboundMessage,
    Sender,
)
from bot.core.models import ChatKind


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """The bot itself, from getMe."""

    id: int
    username: str


def chat_of(chat: TgChat) -> Chat | None:
    """Private chats and groups; channels are not a place where people report."""
    if chat.type == ChatType.PRIVATE:
        kind = ChatKind.PRIVATE
        title = chat.full_name or ""
    elif chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        kind = ChatKind.GROUP
        title = chat.title or ""
    else:
        return None
    return Chat(CHANNEL, str(chat.id), kind, title)


def sender_of(user: User) -> Sender:
    return Sender(CHANNEL, str(user.id), user.full_name)


def text_of(message: Message) -> str:
    return message.text or message.caption or ""


def _entities(message: Message) -> dict[MessageEntity, str]:
    if message.text is not None:
        return message.parse_entities()
    if message.caption is not None:
        return message.parse_caption_entities()
    return {}


def command_for_other_bot(message: Message, me: BotIdentity) -> bool:
    """``/lenh@OtherBot``: a command for another bot in the same group."""
    text = text_of(message)
    if not text.startswith("/"):
        return False
    for entity, value in _entities(message).items():
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, at, name = value.partition("@")
            return bool(at) and name.lower() != me.username.lower()
    return False


def mentions(message: Message, me: BotIdentity) -> bool:
    for entity, value in _entities(message).items():
        if entity.type == MessageEntity.MENTION and value.lower() == f"@{me.username.lower()}":
            return True
        if (
            entity.type == MessageEntity.TEXT_MENTION
            and entity.user is not None
            and entity.user.id == me.id
        ):
            return True
    return False


def strip_mention(text: str, me: BotIdentity) -> str:
    """ "@TenBot 1. Số buổi: 12" -> "1. Số buổi: 12" (the command's own @TenBot is kept:
    the engine reads "/baocao@TenBot" itself)."""
    pattern = re.compile(rf"(?<![/\w])@{re.escape(me.username)}\b[,:]?[ \t]*", re.IGNORECASE)
    return pattern.sub("", text).strip()


def message_event(
    message: Message,
    me: BotIdentity,
    at: datetime,
    *,
    document: Attachment | None = None,
) -> InboundMessage | None:
    """A message -> ``InboundMessage``; None when it is not for the engine at all (another
    bot's command, a channel post, a service message, a message from a bot). An edited
    message carries its edit date as ``revision``."""
    chat = chat_of(message.chat)
    user = message.from_user
    if chat is None or user is None or user.is_bot:
        return None
    if command_for_other_bot(message, me):
        return None
    raw = text_of(message)
    mentioned = chat.is_group and mentions(message, me)
    text = strip_mention(raw, me) if mentioned else raw
    reply_to_bot = False
    reply_to_sender: Sender | None = None
    reply_to_message_id = ""
    replied = message.reply_to_message
    # In a forum topic every message "replies" to the topic's first message: not a reply.
    if replied is not None and replied.forum_topic_created is None:
        reply_to_message_id = str(replied.message_id)
        author = replied.from_user
        if author is not None and author.id == me.id:
            reply_to_bot = True
        elif author is not None and not author.is_bot:
            reply_to_sender = sender_of(author)
    photos: tuple[str, ...] = ()
    if message.photo:
        # The sizes of one photo, smallest first: keep the largest.
        photos = (message.photo[-1].file_id,)
    if not text and not photos and document is None:
        return None  # stickers, joins, pins, voice...: nothing the engine reads
    return InboundMessage(
        chat=chat,
        sender=sender_of(user),
        message_id=str(message.message_id),
        text=text,
        at=at,
        reply_to_bot=reply_to_bot,
        mentions_bot=mentioned,
        reply_to_sender=reply_to_sender,
        reply_to_message_id=reply_to_message_id,
        photos=photos,
        document=document,
        revision=str(int(message.edit_date.timestamp())) if message.edit_date else "",
    )


def press_event(query: CallbackQuery, at: datetime) -> ButtonPress | None:
    """A button press -> ``ButtonPress``; None for presses on messages we cannot see."""
    message = query.message
    if query.data is None or message is None or not isinstance(message, Message):
        return None
    chat = chat_of(message.chat)
    if chat is None:
        return None
    return ButtonPress(
        chat=chat,
        sender=sender_of(query.from_user),
        message_id=str(message.message_id),
        data=query.data,
        at=at,
        press_id=query.id,
    )


def foreign_press(query: CallbackQuery) -> bool:
    """In a group the bot's buttons answer one person's message (the bot replies to it):
    a press by anyone else is not theirs to make."""
    message = query.message
    if not isinstance(message, Message):
        return False
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.forum_topic_created is not None:
        return False
    return replied.from_user.id != query.from_user.id


def migration_event(message: Message, at: datetime) -> ChatMigrated | None:
    """The service message of a group upgraded to a supergroup. Telegram sends it twice:
    in the old group (``migrate_to_chat_id``) and in the new one (``migrate_from_chat_id``)."""
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return None
    chat = Chat(CHANNEL, str(old), ChatKind.GROUP, message.chat.title or "")
    return ChatMigrated(chat=chat, new_chat_id=str(new), at=at)


_PRESENT = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}


def _present(member: object) -> bool:
    status = getattr(member, "status", None)
    if status == ChatMemberStatus.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return status in _PRESENT


def membership_event(
    change: ChatMemberUpdated, at: datetime, event_id: str
) -> BotAddedToChat | BotRemovedFromChat | None:
    """``my_chat_member``: the bot's own membership changed. Joining or leaving a group is
    reported; promotions, restrictions and private chats (blocked / unblocked) are not."""
    chat = chat_of(change.chat)
    if chat is None or not chat.is_group:
        return None
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    if was == now:
        return None
    sender = sender_of(change.from_user)
    if now:
        return BotAddedToChat(chat=chat, sender=sender, at=at, event_id=event_id)
    return BotRemovedFromChat(chat=chat, sender=sender, at=at, event_id=event_id)
