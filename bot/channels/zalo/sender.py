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

from collections.abc import Awaitable, Callable, Mapping, Sequence

from bot.channels.parts import PartProgress
from bot.channels.zalo.client import ZaloClient, ZaloClientError, ZaloError, ZaloTransientError
from bot.channels.zalo.outbound import plan
from bot.core.events import OutboundMessage
from bot.services.outbox import DeliveryError

NameLookup = Callable[[Sequence[str]], Awaitable[Mapping[str, str]]]


async def _no_names(user_ids: Sequence[str]) -> Mapping[str, str]:
    return {}


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


class ZaloSender:
    def __init__(self, client: ZaloClient, names: NameLookup = _no_names) -> None:
        self._client = client
        self._names = names
        self._progress = PartProgress()

    async def send(self, message: OutboundMessage) -> None:
        names = await self._names(message.mention_user_ids) if message.mention_user_ids else {}

        try:
            await deliver(
                self._client,
                message,
                names=names,
                skip=self._progress.sent(message),
                progress=self._progress.recorder(message),
            )
        except ZaloError as exc:
            error = delivery_error(exc)
            if error.permanent:
                self._progress.finished(message)
            raise error from None
        self._progress.finished(message)
