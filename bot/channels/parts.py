"""What every channel needs to cut a long message and to resume a cut one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from bot.core.events import OutboundMessage


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
