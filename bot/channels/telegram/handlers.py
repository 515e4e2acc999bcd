"""python-telegram-bot handlers: updates in, the engine's answers out, errors contained.

``TelegramChannel`` registers on an ``Application``: a message handler (text, captions,
photos, documents, commands: every message goes to the engine, which decides whether it is
addressed to the bot), one for edited messages (read again; the engine decides what an edit
means), one for a group's migration to a supergroup and one for the bot's own membership
(``my_chat_member``; both go to the chat-events service as neutral events), a
callback-query handler (button presses) and an error handler. One bad update never stops the bot: the error handler logs it with its context,
tells the user in Vietnamese that something went wrong and notifies the owners briefly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram import Message as TgMessage
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.parts import NameLookup
from bot.channels.telegram.inbound import (
    BotIdentity,
    foreign_press,
    membership_event,
    message_event,
    migration_event,
    press_event,
)
from bot.channels.telegram.outbound import deliver
from bot.channels.telegram.ratelimit import TelegramRateLimiter
from bot.core import messages as msg
from bot.core.clock import Clock
from bot.core.commands import find_command
from bot.core.events import Attachment, ChatEvent, InboundEvent, OutboundMessage

log = logging.getLogger(__name__)

Handle = Callable[[InboundEvent], Awaitable[list[OutboundMessage]]]
HandleChatEvent = Callable[[ChatEvent], Awaitable[list[OutboundMessage]]]

# Command menus (set_my_commands): what people see when they type "/". The descriptions
# are the command table's Vietnamese summaries; every command still works when typed.
PRIVATE_MENU = ("baocao", "xem", "tinhhinh", "tonghop", "mau", "huy", "thamgia", "toi", "trogiup")
GROUP_MENU = (
    "baocao", "tinhhinh", "tonghop", "chidao", "xemchidao", "mau", "huy", "trogiup",
    "khoitao", "nhombaocao", "nhomlanhdao", "napmau", "moi", "lich",
)  # fmt: skip
DOCUMENT_LIMIT = 20_000_000  # bytes: what bots may download; the engine applies its own limit
OWNER_NOTICE_EVERY = 60.0  # seconds: at most one error notice a minute to the owners
REPLY_ATTEMPTS = 3
TOAST_LIMIT = 200  # characters Telegram shows in the answer to a button press


def rate_limiter() -> TelegramRateLimiter:
    """The one limiter, burst-free (figures and reasons in ``bot.channels.telegram.ratelimit``),
    shared by replies and the outbox's fan-out."""
    return TelegramRateLimiter()


def menu(names: Sequence[str]) -> list[BotCommand]:
    commands = []
    for name in names:
        spec = find_command(name)
        assert spec is not None, name
        commands.append(BotCommand(spec.name, spec.summary[:256]))
    return commands


class TelegramChannel:
    """Translates and forwards; the engine (``handle``) is attached once services are open."""

    def __init__(
        self,
        clock: Clock,
        *,
        owner_chat_ids: Sequence[str] = (),
        photos_dir: Path | None = None,
        names: NameLookup | None = None,
        max_photo_bytes: int = 10_000_000,
    ) -> None:
        self._clock = clock
        self._owner_chats = tuple(owner_chat_ids)
        self._photos_dir = photos_dir
        self._max_photo_bytes = max_photo_bytes
        self._names = names
        self.handle: Handle | None = None
        self.handle_chat_event: HandleChatEvent | None = None
        self.me: BotIdentity | None = None
        self._last_notice = -OWNER_NOTICE_EVERY

    def names_lookup(self, names: NameLookup) -> None:
        """Where display names for mentions come from (attached by the composition root)."""
        self._names = names

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        application.add_handler(
            MessageHandler(
                (filters.TEXT | filters.CAPTION | filters.PHOTO | filters.Document.ALL)
                & ~filters.UpdateType.EDITED,
                self.on_message,
            )
        )
        # An edited message is read again (the engine decides what an edit means); only
        # text and captions: a replaced photo or file is not re-fetched.
        application.add_handler(
            MessageHandler(
                (filters.TEXT | filters.CAPTION) & filters.UpdateType.EDITED_MESSAGE,
                self.on_edit,
            )
        )
        application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        application.add_handler(
            ChatMemberHandler(self.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        application.add_handler(CallbackQueryHandler(self.on_press))
        application.add_error_handler(self.on_error)

    async def start(self, application: Application) -> None:  # type: ignore[type-arg]
        """At start-up: learn who we are and publish the command menus."""
        bot = application.bot
        me = await bot.get_me()
        self.me = BotIdentity(me.id, me.username or "")
        await bot.set_my_commands(menu(PRIVATE_MENU), scope=BotCommandScopeAllPrivateChats())
        await bot.set_my_commands(menu(GROUP_MENU), scope=BotCommandScopeAllGroupChats())

    # -- updates --------------------------------------------------------------------------
    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or self.handle is None or self.me is None:
            return
        event = message_event(message, self.me, self._clock.now())
        if message.document is not None:
            # A file is read when it may be for the bot: in private, or in a group when the
            # message is addressed to it (a command in the caption, a reply, a mention). A
            # group's shared files are none of the bot's business. A file without caption
            # yields no event until its content is attached, so the shape is probed with an
            # empty placeholder (the template file sent after "/thaymau" is such a file).
            probe = event or message_event(
                message, self.me, self._clock.now(), document=Attachment("", b"")
            )
            addressed = probe is not None and (
                not probe.chat.is_group
                or probe.text.startswith("/")
                or probe.reply_to_bot
                or probe.mentions_bot
            )
            if addressed:
                document = await self._document(message)
                event = message_event(message, self.me, self._clock.now(), document=document)
        if event is None:
            return
        await self._answer(context, await self.handle(event))
        if event.photos and self._photos_dir is not None:
            # The file id is already kept with the report; a failed copy loses nothing.
            try:
                await self._keep_photo(message)
            except Exception:
                log.warning("could not copy photo of message %s", message.message_id, exc_info=True)

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.edited_message
        if message is None or self.handle is None or self.me is None:
            return
        event = message_event(message, self.me, self._clock.now())
        if event is not None:
            await self._answer(context, await self.handle(event))

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or self.handle_chat_event is None:
            return
        event = migration_event(message, self._clock.now())
        if event is not None:
            await self._answer(context, await self.handle_chat_event(event))

    async def on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or self.handle_chat_event is None:
            return
        event = membership_event(change, self._clock.now(), str(update.update_id))
        if event is not None:
            await self._answer(context, await self.handle_chat_event(event))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or self.handle is None:
            return
        if foreign_press(query):
            await query.answer(msg.BUTTON_NOT_YOURS)
            return
        event = press_event(query, self._clock.now())
        if event is None:
            await query.answer(msg.BUTTON_STALE)
            return
        replies = await self.handle(event)
        if not replies:
            # A stale button: say so quietly and take the keyboard away.
            await query.answer(msg.BUTTON_STALE)
            if isinstance(query.message, TgMessage) and query.message.reply_markup:
                try:
                    await query.edit_message_reply_markup(None)
                except Exception:  # already gone or not editable: nothing to clean up
                    log.debug("could not remove a stale keyboard", exc_info=True)
            return
        # An answer meant for the presser alone (a directive acknowledged in a group) is
        # shown to them by Telegram and not posted in the chat.
        toast = next((r.text for r in replies if r.toast), None)
        await query.answer(toast[:TOAST_LIMIT] if toast else None)
        await self._answer(context, [r for r in replies if not r.toast])

    async def _answer(
        self, context: ContextTypes.DEFAULT_TYPE, replies: Sequence[OutboundMessage]
    ) -> None:
        for reply in replies:
            names = {}
            if reply.mention_user_ids and self._names is not None:
                names = dict(await self._names(reply.mention_user_ids))
            done = 0

            def progress(n: int) -> None:
                nonlocal done
                done = n

            # A reply lost to a passing server error (5xx, connection reset) is tried again
            # from the part that failed; a timeout is not (Telegram may have sent it) and
            # a 429 was already retried by the rate limiter.
            for attempt in range(REPLY_ATTEMPTS):
                try:
                    await deliver(context.bot, reply, names=names, skip=done, progress=progress)
                    break
                except TimedOut:
                    raise
                except NetworkError:
                    if attempt == REPLY_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(0.5 * (attempt + 1))

    async def _document(self, message: TgMessage) -> Attachment | None:
        doc = message.document
        if doc is None or (doc.file_size is not None and doc.file_size > DOCUMENT_LIMIT):
            return None  # over what bots may download; the engine answers the text alone
        file = await doc.get_file()
        content = bytes(await file.download_as_bytearray())
        return Attachment(doc.file_name or "tep", content, doc.file_id)

    async def _keep_photo(self, message: TgMessage) -> None:
        """A copy under the data directory, named by Telegram's stable unique id."""
        assert self._photos_dir is not None
        size = message.photo[-1]
        target = self._photos_dir / f"{size.file_unique_id}.jpg"
        if target.exists():
            return
        if size.file_size is not None and size.file_size > self._max_photo_bytes:
            # BOT_MAX_PHOTO_BYTES: the file id stays with the report, no copy on disk.
            log.warning("photo of message %s not copied: %d bytes", message.message_id,
                        size.file_size)  # fmt: skip
            return
        self._photos_dir.mkdir(parents=True, exist_ok=True)
        file = await size.get_file()
        await file.download_to_drive(target)

    # -- errors ---------------------------------------------------------------------------
    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        where = "một cập nhật"
        chat_id: int | None = None
        if isinstance(update, Update):
            where = f"cập nhật {update.update_id}"
            chat = update.effective_chat
            user = update.effective_user
            chat_id = chat.id if chat is not None else None
            log.error(
                "update %s (chat %s, user %s) failed",
                update.update_id,
                chat_id,
                user.id if user is not None else None,
                exc_info=context.error,
            )
        else:
            log.error("error outside an update: %r", update, exc_info=context.error)
        error = _error_words(context.error)
        if chat_id is not None:
            try:
                await context.bot.send_message(chat_id, msg.GENERIC_ERROR)
            except Exception:
                log.warning("could not tell chat %s about the error", chat_id)
        await self._notify_owners(context, where, error)

    async def _notify_owners(
        self, context: ContextTypes.DEFAULT_TYPE, where: str, error: str
    ) -> None:
        now = time.monotonic()
        if not self._owner_chats or now - self._last_notice < OWNER_NOTICE_EVERY:
            return
        self._last_notice = now
        for chat_id in self._owner_chats:
            try:
                await context.bot.send_message(int(chat_id), msg.owner_error_notice(where, error))
            except Exception:
                log.warning("could not notify owner chat %s", chat_id)


def _error_words(error: BaseException | None) -> str:
    """The kind of failure in words the operator reads (the details are in the log)."""
    if error is None:
        return "lỗi không rõ"
    if isinstance(error, NetworkError):
        return "lỗi mạng khi gọi máy chủ Telegram"
    if isinstance(error, TelegramError):
        return "máy chủ Telegram từ chối yêu cầu"
    return f"lỗi trong chương trình ({type(error).__name__})"
