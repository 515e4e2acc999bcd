"""What every channel needs to cut a long message and to resume a cut one."""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from bot.core.events import OutboundMessage
from bot.services.outbox import DeliveryError


def pack(pieces: Iterable[str], limit: int) -> list[str]:
    """Lines (each already at most ``limit`` long) joined back into as few parts of at most
    ``limit`` characters as they fit, cutting only between lines. Blank edges are dropped
    and an empty part becomes "." (platforms reject empty texts)."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = piece if not current else f"{current}\n{piece}"
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = piece
    if current or not parts:
        parts.append(current)
    return [p.strip("\n") or "." for p in parts]


class PartProgress:
    """How many parts of a long message went out, so a retry resumes instead of repeating
    (kept in memory: a restart resends from the first part, within the documented window)."""

    def __init__(self) -> None:
        self._done: dict[tuple[str, str], int] = {}

    @staticmethod
    def key(message: OutboundMessage) -> tuple[str, str]:
        return (message.chat_id, hashlib.sha256(message.text.encode("utf-8")).hexdigest())

    def sent(self, message: OutboundMessage) -> int:
        return self._done.get(self.key(message), 0)

    def recorder(self, message: OutboundMessage) -> Callable[[int], None]:
        key = self.key(message)

        def record(done: int) -> None:
            self._done[key] = done

        return record

    def finished(self, message: OutboundMessage) -> None:
        self._done.pop(self.key(message), None)


NameLookup = Callable[[Sequence[str]], Awaitable[Mapping[str, str]]]


async def no_names(user_ids: Sequence[str]) -> Mapping[str, str]:
    return {}


class ResumingSender(abc.ABC):
    """The outbox's ``ChannelSender`` shape shared by the platforms: look up the names to
    mention, deliver the message's parts from where an earlier attempt stopped, and turn a
    platform error into a ``DeliveryError``. Subclasses say how to deliver and what an
    error means; nothing else differs between channels."""

    def __init__(self, names: NameLookup = no_names) -> None:
        self._names = names
        self._progress = PartProgress()

    @abc.abstractmethod
    async def _deliver(
        self,
        message: OutboundMessage,
        names: Mapping[str, str],
        skip: int,
        progress: Callable[[int], None],
    ) -> None: ...

    @abc.abstractmethod
    def _meaning(self, exc: Exception) -> DeliveryError | None:
        """What a failure means for delivery; None for an error that is not the platform's
        (it propagates unchanged)."""

    async def send(self, message: OutboundMessage) -> None:
        names = await self._names(message.mention_user_ids) if message.mention_user_ids else {}
        try:
            await self._deliver(
                message, names, self._progress.sent(message), self._progress.recorder(message)
            )
        except Exception as exc:
            error = self._meaning(exc)
            if error is None:
                raise
            if error.permanent:
                self._progress.finished(message)
            raise error from exc
        self._progress.finished(message)
