"""The outbox's sender for Zalo, and the meaning of Zalo's errors for delivery.

Zalo has no client-side rate limiter of its own here: the outbox dispatcher's pacer, with
the ``ChannelLimits`` the composition root gives the "zalo" channel (``ZALO_RATE``), is the
only one. ``ZaloTransientError`` (429, 5xx, network, garbled answers) -> a transient
``DeliveryError`` (with ``retry_after`` when Zalo gave one); ``ZaloClientError`` (a chat that
does not exist, a user who left...) -> permanent: the row is recorded for ``/loigui`` and
never retried. A long message split into parts that failed part-way resumes from the part
that failed on the next attempt, so no part is sent twice (progress kept in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.channels.parts import NameLookup, ResumingSender, no_names
from bot.channels.zalo.client import ZaloClient, ZaloClientError, ZaloError, ZaloTransientError
from bot.channels.zalo.outbound import plan
from bot.core.events import OutboundMessage
from bot.services.outbox import DeliveryError


def delivery_error(exc: ZaloError) -> DeliveryError:
    if isinstance(exc, ZaloTransientError):
        return DeliveryError(str(exc), permanent=False, retry_after=exc.retry_after)
    if isinstance(exc, ZaloClientError):
        return DeliveryError(str(exc), permanent=True)
    return DeliveryError(str(exc), permanent=False)


async def deliver(
    client: ZaloClient,
    message: OutboundMessage,
    *,
    names: Mapping[str, str] | None = None,
    skip: int = 0,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Sends the parts of ``message`` after the first ``skip``; returns how many were sent
    in all. ``progress`` is told the count after each accepted part."""
    parts = plan(message, names)
    done = 0
    for part in parts:
        if done >= skip:
            await client.send_message(message.chat_id, part)
        done += 1
        if progress is not None:
            progress(done)
    return done


class ZaloSender(ResumingSender):
    def __init__(self, client: ZaloClient, names: NameLookup = no_names) -> None:
        super().__init__(names)
        self._client = client

    async def _deliver(
        self,
        message: OutboundMessage,
        names: Mapping[str, str],
        skip: int,
        progress: Callable[[int], None],
    ) -> None:
        await deliver(self._client, message, names=names, skip=skip, progress=progress)

    def _meaning(self, exc: Exception) -> DeliveryError | None:
        return delivery_error(exc) if isinstance(exc, ZaloError) else None
