"""Channel-neutral events in and messages out.

Channels translate platform updates into these and these into platform calls; the dialog
engine and the cycle only ever see these, so the same flow runs on Telegram, Zalo and the
sandbox. Text is plain (no markup): each channel escapes it for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.models import ChatKind


@dataclass(frozen=True, slots=True)
class Sender:
    channel: str
    user_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Chat:
    channel: str
    chat_id: str
    kind: ChatKind
    title: str = ""

    @property
    def is_group(self) -> bool:
        return self.kind is ChatKind.GROUP


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document sent to the bot (e.g. a template file), already downloaded by the channel."""

    file_name: str
    content: bytes
    file_ref: str = ""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    chat: Chat
    sender: Sender
    message_id: str
    text: str
    at: datetime
    reply_to_bot: bool = False
    mentions_bot: bool = False
    reply_to_sender: Sender | None = None
    # The platform id of the message this one replies to ("" when it replies to none, or
    # the platform does not say): a leader's reply to a digest names the digest.
    reply_to_message_id: str = ""
    photos: tuple[str, ...] = ()
    document: Attachment | None = None
    # Non-empty for an edited message: names this edit (Telegram: its edit date), so the
    # same edit delivered twice is recognised while a later edit is new.
    revision: str = ""


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """A tap on a choice the bot offered; ``data`` is the Choice's data."""

    chat: Chat
    sender: Sender
    message_id: str
    data: str
    at: datetime
    press_id: str = ""


InboundEvent = InboundMessage | ButtonPress


# -- the life of a chat (not messages: the bot's membership and the chat's identity) -------
@dataclass(frozen=True, slots=True)
class ChatMigrated:
    """A group got a new id (Telegram: a group upgraded to a supergroup); ``chat`` carries
    the old id. Platforms may report it twice (from the old and from the new chat)."""

    chat: Chat
    new_chat_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class BotAddedToChat:
    """The bot became a member of a group; ``sender`` is who added it."""

    chat: Chat
    sender: Sender
    at: datetime
    event_id: str = ""


@dataclass(frozen=True, slots=True)
class BotRemovedFromChat:
    """The bot was removed from a group (or left it); ``sender`` is who removed it."""

    chat: Chat
    sender: Sender
    at: datetime
    event_id: str = ""


ChatEvent = ChatMigrated | BotAddedToChat | BotRemovedFromChat


@dataclass(frozen=True, slots=True)
class Choice:
    """An option: a button where the channel has them, a numbered line where it does not."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class OutDocument:
    """A file the bot sends. ``kind`` "photo" shows it as a picture (a chart) where the
    channel can; "document" sends it as a file to open (Excel, Word, YAML)."""

    file_name: str
    content: bytes
    caption: str = ""
    kind: str = "document"

    @property
    def is_photo(self) -> bool:
        return self.kind == "photo"


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    channel: str
    chat_id: str
    text: str
    choices: tuple[Choice, ...] = ()
    # Whether a typed number answers the choices (channels without buttons show "[1] …");
    # otherwise they are answered by their words, shown without numbers.
    numbered_choices: bool = True
    reply_to_message_id: str | None = None
    # When answering a button press, the message holding the buttons: channels that can edit
    # messages replace it instead of sending a new one, so confirmations do not pile up.
    edit_message_id: str | None = None
    document: OutDocument | None = None
    mention_user_ids: tuple[str, ...] = field(default_factory=tuple)
    # A short answer to a button press meant for the presser alone: where the channel can
    # (Telegram's answer to a callback query, at most 200 characters) it is shown to them
    # quietly instead of being posted in the chat; elsewhere it is an ordinary message.
    toast: bool = False
