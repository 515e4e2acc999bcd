"""The life of a chat: what the bot does when a group changes its id, or when the bot is
added to or removed from a group. The channel only reports the facts (``ChatEvent``).

- **A group got a new id** (Telegram upgrades a group to a supergroup when it grows or an
  admin changes certain settings; the old id stops working): the chat's bindings and the
  messages still waiting for it move to the new id, so prompts keep reaching the group.
  Audited. Nothing is said in the group. Reported twice by Telegram (from the old and the
  new chat): the second changes nothing.
- **Bot added to a group that is not registered**: one short note saying how to register it
  (/khoitao or /nhombaocao), and nothing else. Added back to a registered group: audited,
  nothing said (the group simply works again).
- **Bot removed from a registered group**: the binding is kept (an accidental removal is
  undone by adding the bot back), the removal is audited (``/nhatky``), logged, and every
  admin of the workspace gets a private notice through the outbox (a 403 there is recorded
  like any other, never raised at the channel). Prompts to the group fail meanwhile and show
  in ``/loigui``. Removed from a group nobody registered: logged only.

Each event is handled once: a redelivered update finds its key in the inbound log.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.core import messages as msg
from bot.core.events import (
    BotAddedToChat,
    BotRemovedFromChat,
    ChatEvent,
    ChatMigrated,
    OutboundMessage,
)
from bot.core.models import Role
from bot.core.vnformat import format_datetime
from bot.services.ports import Store

log = logging.getLogger(__name__)


class ChatEventService:
    def __init__(self, store: Store, timezone: str) -> None:
        self._store = store
        self._zone = ZoneInfo(timezone)

    async def handle(self, event: ChatEvent) -> list[OutboundMessage]:
        """Answers to post in the chat itself (only the note for an unregistered group)."""
        chat = event.chat
        if not chat.is_group:
            return []
        if isinstance(event, ChatMigrated):
            key = f"migrate:{chat.chat_id}:{event.new_chat_id}"
        else:
            kind = "added" if isinstance(event, BotAddedToChat) else "removed"
            key = f"{kind}:{chat.chat_id}:{event.event_id or event.at.isoformat()}"
        async with self._store.transaction():
            if not await self._store.inbound.first_time(chat.channel, key, event.at):
                return []
            if isinstance(event, ChatMigrated):
                await self._migrated(event)
                return []
            if isinstance(event, BotAddedToChat):
                return await self._added(event)
            await self._removed(event)
            return []

    async def _migrated(self, event: ChatMigrated) -> None:
        chat = event.chat
        bindings = await self._store.chats.get(chat.channel, chat.chat_id)
        moved = await self._store.chats.rebind(chat.channel, chat.chat_id, event.new_chat_id)
        if not moved:
            return
        log.info("chat %s:%s is now %s", chat.channel, chat.chat_id, event.new_chat_id)
        for workspace_id in sorted({b.workspace_id for b in bindings}):
            await self._store.audit.record(
                workspace_id,
                f"{chat.channel}:{chat.chat_id} ({chat.title or bindings[0].title})",
                "chat_migrated",
                f"{chat.chat_id} → {event.new_chat_id}",
                event.at,
            )

    async def _added(self, event: BotAddedToChat) -> list[OutboundMessage]:
        chat = event.chat
        bindings = await self._store.chats.get(chat.channel, chat.chat_id)
        if not bindings:
            return [OutboundMessage(chat.channel, chat.chat_id, msg.BOT_ADDED_NOT_REGISTERED)]
        for workspace_id in sorted({b.workspace_id for b in bindings}):
            await self._store.audit.record(
                workspace_id, _actor(event), "bot_added", chat.title or chat.chat_id, event.at
            )
        return []

    async def _removed(self, event: BotRemovedFromChat) -> None:
        chat = event.chat
        bindings = await self._store.chats.get(chat.channel, chat.chat_id)
        if not bindings:
            log.info("removed from unregistered chat %s:%s", chat.channel, chat.chat_id)
            return
        log.warning(
            "removed from registered chat %s:%s (%s) by %s",
            chat.channel,
            chat.chat_id,
            chat.title,
            event.sender.user_id,
        )
        when = format_datetime(event.at.astimezone(self._zone))
        for workspace_id in sorted({b.workspace_id for b in bindings}):
            title = chat.title or next(b.title for b in bindings if b.workspace_id == workspace_id)
            await self._store.audit.record(
                workspace_id, _actor(event), "bot_removed", title, event.at
            )
            workspace = await self._store.workspaces.get(workspace_id)
            name = workspace.name if workspace is not None else ""
            text = msg.bot_removed_notice(title, name, event.sender.display_name, when)
            for member in await self._store.members.all(workspace_id):
                if member.role is not Role.ADMIN or member.channel != chat.channel:
                    continue
                await self._store.outbox.enqueue(
                    member.channel,
                    member.user_id,  # a person's private chat id is their user id
                    text,
                    f"removed:{chat.channel}:{chat.chat_id}:{member.user_id}:{event.at.isoformat()}",
                    event.at,
                )


def _actor(event: BotAddedToChat | BotRemovedFromChat) -> str:
    s = event.sender
    return f"{s.channel}:{s.user_id} ({s.display_name})"
