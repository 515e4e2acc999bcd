"""The one rate limiter of the Telegram bot: python-telegram-bot's ``AIORateLimiter``,
configured burst-free, plus the per-private-chat pace it lacks.

Figures (measured against a strict sliding-window Bot API, DESIGN.md §4, and checked by
``tests/e2e/test_rate_limits.py``):

- overall one message per 1/29 s on a fixed grid of slots (``EvenPace``, replacing the
  leaky bucket ``AIORateLimiter`` uses for its overall limit): 31 messages span at least
  30/29 s, 34 ms of room for jitter on the way to Telegram's 30 a second. The slots are
  not pushed back by timers waking late or by the time a send takes, which cost the leaky
  bucket (one message per 1/28 s) 2 to 3% of the rate: 27.3 messages a second measured
  against 29.0 now (``bench/fanout.py``);
- one message per 3.05 s to a group: 20 messages span 61 s, so no 60-s window ever holds
  more than 20, even when the first of them was delayed on the way by some milliseconds
  (exact 3-s spacing left only ~25 ms of margin at the server);
- one message per 1.05 s to a private chat (exactly 1 s left no room for a first part
  delayed on the way: a loaded machine drew a 429 on a two-part digest, as 3 s did for
  groups): ``AIORateLimiter`` has no such limit, so two
  messages in a row to one person (a digest in two parts, a reply and a prompt) would draw
  a 429 from a strict server, and each 429 pauses every request of the bot. Only messages
  sent count (``send*``): edits answering a button press are not held back.

A 429 that still comes is retried up to ``retries`` times after Telegram's ``retry_after``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

OVERALL_INTERVAL = 1 / 29  # seconds between any two messages
GROUP_INTERVAL = 3.05  # seconds between two messages to one group (< 20 a minute)
PRIVATE_INTERVAL = 1.05  # seconds between two messages to one private chat (< 1 a second)
RETRIES_ON_429 = 3

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class EvenPace:
    """At most one entry per ``interval``, on a grid of slots: each entry takes the next
    slot, which is one interval after the previous slot or now, whichever is later. A late
    wake-up does not move later slots, and an idle time earns no burst."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next = 0.0

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(self._next, now)
        self._next = slot + self._interval  # taken before sleeping: callers queue in order
        if slot > now:
            await asyncio.sleep(slot - now)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class TelegramRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` (overall and per-group pace, retries) with a per-private-chat pace."""

    def __init__(
        self,
        *,
        overall_interval: float = OVERALL_INTERVAL,
        group_interval: float = GROUP_INTERVAL,
        private_interval: float = PRIVATE_INTERVAL,
        max_retries: int = RETRIES_ON_429,
    ) -> None:
        super().__init__(
            overall_max_rate=1 if overall_interval else 0,
            overall_time_period=overall_interval,
            group_max_rate=1 if group_interval else 0,
            group_time_period=group_interval,
            max_retries=max_retries,
        )
        self._private_interval = private_interval
        self._private: dict[int, AsyncLimiter] = {}
        if overall_interval:
            # AIORateLimiter only enters its overall limiter (``async with``); an even grid
            # of slots in its place keeps the whole rate (see the module docstring).
            self._base_limiter = EvenPace(overall_interval)  # type: ignore[assignment]

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._private) > 4096:  # forget chats whose interval has passed
            self._private = {
                c: lim for c, lim in self._private.items() if c == chat_id or not lim.has_capacity()
            }
        limiter = self._private.get(chat_id)
        if limiter is None:
            limiter = self._private[chat_id] = AsyncLimiter(1, self._private_interval)
        return limiter

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if (
            self._private_interval
            and endpoint.startswith("send")
            and isinstance(chat_id, int | str)
            and str(chat_id).isdigit()
        ):
            limiter = self._private_limiter(int(chat_id))
            inner = callback

            async def paced(*a: Any, **kw: Any) -> bool | JSONDict | list[JSONDict]:
                # Taken last, right before the call: the gap is between the sends themselves.
                async with limiter:
                    return await inner(*a, **kw)

            callback = paced
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
