"""python-telegram-bot's update processor: updates of different chats and senders are
handled concurrently, those of one chat or one sender in order (``bot.channels.ordering``)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.channels.ordering import MAX_CONCURRENT, KeyedOrder


def update_keys(update: object) -> list[str]:
    """A Telegram update's chat and sender; none for an update without either."""
    if not isinstance(update, Update):
        return []
    keys = []
    if update.effective_chat is not None:
        keys.append(f"chat:{update.effective_chat.id}")
    if update.effective_user is not None:
        keys.append(f"user:{update.effective_user.id}")
    return keys


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """python-telegram-bot's update processor with the ordering above."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self.order = KeyedOrder()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            async with self.order.hold(update_keys(update)):
                await coroutine
        finally:
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting its turn: never started

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
