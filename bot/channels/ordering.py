"""Concurrent handling of inbound events, in order within a conversation.

Handled one at a time, one person's slow request (a year's Excel file takes seconds) holds
up everybody's replies behind it, and at the Friday deadline hundreds of reports queue for
the single loop. Handled all at once, two messages of the same person could overtake each
other (a report and its correction). So each event names its keys (its chat and its
sender) and waits only for earlier events sharing one of them: different people in
different chats run concurrently, while a chat's messages, and one person's messages across
chats, keep their order. It is also what lets concurrent replies share one fsync of the
database (``storage.db.WalSync``).

An event queues under each of its keys as it arrives and starts when it is first in all
of them; a key's queue is dropped when empty (one entry per active conversation, not per
chat ever seen). Order is arrival order as long as events start in arrival order, which
the python-telegram-bot processor (``bot.channels.telegram.processor``: tasks created per
update, in order) and the Zalo poller (a task per event, in order) ensure; Zalo's webhook
requests are handled in the order they reach the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterable

# Updates handled at once. Enough for a deadline's burst to share fsyncs and to keep
# replies flowing while files are made; bounded, so that a flood of one chat (all waiting
# for that chat) cannot grow without limit: python-telegram-bot holds the rest in its queue.
MAX_CONCURRENT = 64


class _Turn:
    __slots__ = ("keys", "ready")

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self.ready = asyncio.Event()


class KeyedOrder:
    """Serializes work sharing a key; work with disjoint keys runs concurrently.

    Each piece of work queues under every one of its keys when it arrives and starts once
    it is first in all those queues, so a later piece never overtakes an earlier one that
    shares a key with it (and no two can wait for each other: arrival order is one order).
    """

    def __init__(self) -> None:
        self._queues: dict[str, deque[_Turn]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, keys: Iterable[str]) -> AsyncIterator[None]:
        turn = _Turn(sorted(set(keys)))
        for key in turn.keys:
            self._queues.setdefault(key, deque()).append(turn)
        self._wake(turn)
        try:
            await turn.ready.wait()
            yield
        finally:
            heads = []
            for key in turn.keys:
                queue = self._queues[key]
                queue.remove(turn)  # first in line, or cancelled while waiting
                if queue:
                    heads.append(queue[0])
                else:
                    del self._queues[key]
            for head in heads:
                self._wake(head)

    def _wake(self, turn: _Turn) -> None:
        if all(self._queues[key][0] is turn for key in turn.keys):
            turn.ready.set()

    def __len__(self) -> int:
        """Keys in use (held or awaited): for tests."""
        return len(self._queues)
