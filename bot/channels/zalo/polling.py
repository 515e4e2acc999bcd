"""Long polling: one sequential loop of getUpdates, events handled concurrently.

Each answer is one event (or none: the idle HTTP 408 is an empty result). The event is
handed to the channel as a task and the next poll goes out at once, so one person's slow
request (a year's Excel file) holds up nobody else; the channel keeps each chat's and each
sender's events in order (``ZaloChannel.order``), at most ``MAX_CONCURRENT`` at once. The
read timeout is a little above the poll's own (``ZaloClient.get_updates``). Errors back off
(1 s, 2 s, 4 s … capped), a 429 waits its ``retry_after``; the loop stops promptly when
``stop`` is set, then waits (bounded) for the events in hand.

Zalo's getUpdates has no offset: an event is Zalo's to forget once it has been returned. A
crash between that answer and the end of handling loses the events in hand (the person is
not answered and writes again); everything handled is committed with its message id, so
nothing is handled twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.ordering import MAX_CONCURRENT
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
        self._slots = asyncio.Semaphore(MAX_CONCURRENT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._drain_seconds = 10.0

    @property
    def busy(self) -> bool:
        """Events are being handled."""
        return bool(self._tasks)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self._poll(stop)
        finally:
            if self._tasks:
                # The events in hand are finished (bounded: the process is stopping).
                await asyncio.wait(set(self._tasks), timeout=self._drain_seconds)

    async def _poll(self, stop: asyncio.Event) -> None:
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
                if not await self._slot(stop):
                    return
                task = asyncio.create_task(self._handle(event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _slot(self, stop: asyncio.Event) -> bool:
        """A free slot for the next event, or False when ``stop`` comes first (every slot
        held by slow events must not hold up the stop)."""
        acquire = asyncio.ensure_future(self._slots.acquire())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({acquire, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if acquire.done() and not acquire.cancelled():
            if not stop.is_set():
                return True
            self._slots.release()
            return False
        acquire.cancel()
        return False

    async def _handle(self, event: Any) -> None:
        try:
            await self._on_event(event)
        except Exception:  # one event's failure never stops the others or the loop
            log.exception("a Zalo event could not be handled")
        finally:
            self._slots.release()

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
