"""The outbox's sender for Telegram: delivery and the meaning of Telegram's errors.

Who enforces Telegram's limits (decided; see docs/decisions.md): one limiter only, the
``AIORateLimiter`` of the Application's bot, configured burst-free (``rate_limiter()`` in
``bot.channels.telegram.handlers``). Replies and the outbox's fan-out go through that same
bot, so there are never two limiters fighting. The limiter retries a 429 a few times,
waiting the ``retry_after`` Telegram asks for (all requests pause meanwhile); when it gives
up, this sender reports a transient ``DeliveryError`` with that ``retry_after`` and the
outbox keeps the row for the next drain. A paced, priority-aware sender for very large
fan-outs is the scheduling issue's job: it replaces ``TelegramSender`` behind the same
``ChannelSender`` protocol.

Errors: ``RetryAfter`` -> transient with ``retry_after``; ``Forbidden`` (blocked by the user,
removed from the group) and "chat not found" -> permanent (the outbox records the chat as
unreachable and shows it to admins, never retries it); other ``BadRequest`` -> permanent
(the same request would fail again); ``TimedOut``, ``NetworkError`` (5xx included) and
anything else -> transient.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.channels.parts import NameLookup, ResumingSender, no_names
from bot.channels.telegram.outbound import deliver
from bot.core.events import OutboundMessage
from bot.services.outbox import DeliveryError

log = logging.getLogger(__name__)


def delivery_error(exc: TelegramError) -> DeliveryError:
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():
            # PTB 22.2+ warns that the int form will become a timedelta: both are handled.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return DeliveryError(f"429: {exc.message}", permanent=False, retry_after=seconds)
    if isinstance(exc, Forbidden):
        return DeliveryError(f"403: {exc.message}", permanent=True)
    if isinstance(exc, ChatMigrated):
        return DeliveryError(
            f"nhóm đã chuyển thành siêu nhóm, mã mới {exc.new_chat_id}", permanent=True
        )
    if isinstance(exc, BadRequest):
        return DeliveryError(f"400: {exc.message}", permanent=True)
    return DeliveryError(f"{type(exc).__name__}: {exc.message}", permanent=False)


class TelegramSender(ResumingSender):
    """``ChannelSender`` for the outbox; a long message failed part-way is resumed, not
    repeated, on the next attempt (progress kept in memory, keyed by chat and text)."""

    def __init__(self, bot: Bot, names: NameLookup = no_names) -> None:
        super().__init__(names)
        self._bot = bot

    async def _deliver(
        self,
        message: OutboundMessage,
        names: Mapping[str, str],
        skip: int,
        progress: Callable[[int], None],
    ) -> None:
        await deliver(self._bot, message, names=names, skip=skip, progress=progress)

    def _meaning(self, exc: Exception) -> DeliveryError | None:
        if isinstance(exc, TelegramError):
            return delivery_error(exc)
        if isinstance(exc, ValueError):  # a chat id that is not a number: never deliverable
            return DeliveryError(str(exc), permanent=True)
        return None
