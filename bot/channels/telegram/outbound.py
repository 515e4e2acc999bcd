"""Neutral outbound messages -> Bot API calls.

Everything the core says is plain text; here it becomes Telegram HTML with every piece of
user-visible text escaped (names, report lines and the like come from users). Long texts
are split at line boundaries so each part stays under Telegram's limits (4096 characters
for a message, 1024 for a caption), counted on the escaped text. Choices become an inline
keyboard whose ``callback_data`` is the ``Choice.data``; the keyboard goes on the last part.
An answer to a button press (``edit_message_id``) replaces the message that held the
buttons instead of adding a new one, so confirmations do not pile up.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest

from bot.channels.parts import pack
from bot.core.events import Choice, OutboundMessage
from bot.core.text import chat_safe

log = logging.getLogger(__name__)

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
CALLBACK_DATA_LIMIT = 64  # bytes


def escape(text: str) -> str:
    """Telegram HTML needs only <, > and & escaped; characters no chat should carry
    (controls, bidirectional overrides: ``chat_safe``) are dropped."""
    return html.escape(chat_safe(text), quote=False)


def split_escaped(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Escaped parts of ``text``, each at most ``limit`` characters, cut at line boundaries.

    A single line longer than the limit is cut at the last space that fits (or anywhere when
    it has none); an escape sequence is never cut in two, because the plain text is cut and
    each piece escaped on its own.
    """
    return pack((piece for line in text.split("\n") for piece in _fit_line(line, limit)), limit)


def _fit_line(line: str, limit: int) -> list[str]:
    """One plain line -> escaped pieces of at most ``limit`` characters each."""
    escaped = escape(line)
    if len(escaped) <= limit:
        return [escaped]
    pieces: list[str] = []
    rest = line
    while rest:
        # The longest prefix whose escaped form fits, preferably ending at a space.
        size, used = 0, 0
        for ch in rest:
            width = len(escape(ch))
            if size + width > limit:
                break
            size += width
            used += 1
        cut = rest.rfind(" ", 0, used) if used < len(rest) else used
        if cut <= 0:
            cut = used
        pieces.append(escape(rest[:cut]))
        rest = rest[cut:].lstrip(" ")
    return pieces


def keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    """Short choices (confirm / edit / cancel) share one row; longer ones get a row each."""
    if not choices:
        return None
    buttons = [InlineKeyboardButton(c.label, callback_data=_callback_data(c.data)) for c in choices]
    if len(choices) <= 3 and all(len(c.label) <= 14 for c in choices):
        return InlineKeyboardMarkup([buttons])
    return InlineKeyboardMarkup([[b] for b in buttons])


def _callback_data(data: str) -> str:
    if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data longer than {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return data


def mention_line(user_ids: Sequence[str], names: Mapping[str, str]) -> str:
    """Escaped HTML: a link per person, which notifies them in a group."""
    links = [
        f'<a href="tg://user?id={int(uid)}">{escape(names.get(uid) or uid)}</a>'
        for uid in user_ids
        if uid.lstrip("-").isdigit()
    ]
    return "👤 " + ", ".join(links) if links else ""


@dataclass(frozen=True, slots=True)
class Part:
    """One Bot API call: text (already escaped) and what goes with it."""

    text: str
    with_keyboard: bool = False
    reply_to: int | None = None


def plan(message: OutboundMessage, names: Mapping[str, str] | None = None) -> list[Part]:
    """The text parts of a message, in order; the keyboard on the last one, the reply on
    the first. Pure, so the splitting rules are tested without a bot."""
    chunks = split_escaped(chat_safe(message.text))
    mentions = mention_line(message.mention_user_ids, names or {})
    if mentions:
        if len(chunks[-1]) + 1 + len(mentions) <= TEXT_LIMIT:
            chunks[-1] = f"{chunks[-1]}\n{mentions}"
        else:
            chunks.append(mentions)
    reply_to = int(message.reply_to_message_id) if message.reply_to_message_id else None
    return [
        Part(
            text=chunk,
            with_keyboard=bool(message.choices) and i == len(chunks) - 1,
            reply_to=reply_to if i == 0 else None,
        )
        for i, chunk in enumerate(chunks)
    ]


async def deliver(
    bot: Bot,
    message: OutboundMessage,
    *,
    names: Mapping[str, str] | None = None,
    skip: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Sends (or edits) ``message``; returns how many calls Telegram accepted.

    ``skip`` calls are taken as already made: a retry after a failure part-way through a
    long digest resumes where it stopped, so no part is sent twice. ``progress`` is told the
    number of calls made so far after each one.
    """
    chat_id = int(message.chat_id)
    markup = keyboard(message.choices)
    parts = plan(message, names)
    document = message.document
    caption: Part | None = None
    if document is not None and len(parts) == 1 and len(parts[0].text) <= CAPTION_LIMIT:
        caption, parts = parts[0], []  # a short text travels as the document's caption

    done = 0
    for part in parts:
        if done >= skip:
            reply_markup = markup if part.with_keyboard else None
            edited = False
            if done == 0 and message.edit_message_id is not None:
                edited = await _edit(
                    bot, chat_id, int(message.edit_message_id), part.text, reply_markup
                )
            if not edited:
                await bot.send_message(
                    chat_id,
                    part.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=reply_markup,
                    reply_parameters=_reply(part.reply_to),
                )
        done += 1
        if progress is not None:
            progress(done)
    if document is not None and done >= skip:
        # A chart shows as a picture (Telegram's photo limit is 10 MB; beyond, a file).
        photo = document.is_photo and len(document.content) < 10_000_000
        send = bot.send_photo if photo else bot.send_document
        await send(
            chat_id,
            InputFile(document.content, filename=document.file_name),
            caption=caption.text if caption else None,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if caption else None,
            reply_parameters=_reply(caption.reply_to) if caption else None,
        )
        done += 1
        if progress is not None:
            progress(done)
    return done


def _reply(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    # The message answered may have been deleted meanwhile: send anyway.
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)


async def _edit(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    reply_markup: InlineKeyboardMarkup | None,
) -> bool:
    """Edits in place; False when the message cannot be edited (a new one is sent)."""
    try:
        await bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=reply_markup,
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True  # already shows exactly this: a double tap, nothing to do
        log.info("cannot edit message %s in %s (%s); sending a new one", message_id, chat_id, exc)
        return False
    return True
