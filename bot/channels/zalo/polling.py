"""Long polling: one sequential loop of getUpdates.

Each answer is one event (or none: the idle HTTP 408 is an empty result); it is handled
before the next poll, so events are handled in order, one at a time. The read timeout is a
little above the poll's own (``ZaloClient.get_updates``). Errors back off (1 s, 2 s, 4 s …
capped), a 429 waits its ``retry_after``; the loop stops promptly when ``stop`` is set.

Zalo's getUpdates has no offset: an event is Zalo's to forget once it has been returned. A
crash between that answer and the end of handling loses that one event (the person is not
answered and writes again); everything handled is committed with its message id, so
nothing is handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.zalo.client import ZaloClient, ZaloError, ZaloTransientError

log = logging.getLogger(__name__)


class ZaloPoller:
    def __init__(
        self,
        client: ZaloClient,
        on_event: Callable[[Any], Awaitable[None]],
        *,
        timeout: int = 30,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
    ) -> None:
        self._client = client
        self._on_event = on_event
        self._timeout = timeout
        self._backoff = backoff
        self._max_backoff = max_backoff

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._backoff
        while not stop.is_set():
            fetch = asyncio.ensure_future(self._client.get_updates(self._timeout))
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                return
            stopping.cancel()
            try:
                events = fetch.result()
            except ZaloError as exc:
                wait = backoff
                if isinstance(exc, ZaloTransientError) and exc.retry_after is not None:
                    wait = max(wait, exc.retry_after)
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, wait)
                await self._sleep(stop, wait)
                backoff = min(self._max_backoff, backoff * 2)
                continue
            except Exception:  # never let one odd answer end the loop
                log.exception("getUpdates failed unexpectedly; retrying in %.0f s", backoff)
                await self._sleep(stop, backoff)
                backoff = min(self._max_backoff, backoff * 2)
                continue
            backoff = self._backoff
            for event in events:
                await self._on_event(event)

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
