"""Long polling that confirms an update to Telegram only after the bot has handled it.

python-telegram-bot's ``Updater`` asks for the next batch (which confirms the previous one
to Telegram) as soon as it has queued a batch, before the handlers run: a process killed in
between loses those updates for good. Here Telegram is told to forget an update (the
``offset`` of the next ``getUpdates``) only once it and every update before it have been
handled, so after a crash Telegram delivers the unfinished updates again; the dialog engine
recognises the ones already handled (their message ids are stored in the same transaction
as their effects) and answers nothing twice.

Updates are handled concurrently, as they come (the application's update processor keeps
each chat and each sender in order: ``OrderedUpdateProcessor``), and polling goes on
meanwhile: one person's slow request (a year's Excel file) holds up nobody else. While an
update is in hand, the offset stays at it, so Telegram answers at once with it (and
anything newer); the poller then waits for an update to finish, or ``BUSY_PAUSE``, before
asking again. Telegram answers at most 100 updates from the offset, so a slow update holds
up those that come 100 or more after it (a deadline's burst behind a year's Excel file):
they are fetched once it is done. Confirming it earlier would break the guarantee above.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

log = logging.getLogger(__name__)

# Seconds between two polls while updates are in hand and nothing new came.
BUSY_PAUSE = 0.5


class ReliablePoller:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        *,
        allowed_updates: Sequence[str],
        timeout: int = 30,
        max_backoff: float = 30.0,
    ) -> None:
        self._app = application
        self._allowed = list(allowed_updates)
        self._timeout = timeout
        self._max_backoff = max_backoff
        self._in_hand: dict[int, asyncio.Task[None]] = {}  # update id -> its handling
        self._highest: int | None = None  # the last update taken in hand
        self._progress = asyncio.Event()  # an update in hand finished
        self._drain_seconds = 10.0

    async def run(self, stop: asyncio.Event) -> None:
        # A webhook left from an earlier run in webhook mode makes getUpdates fail (409):
        # polling removes it first, keeping the updates Telegram still holds.
        try:
            await self._app.bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as exc:
            log.warning("deleteWebhook failed (%s); polling anyway", type(exc).__name__)
        try:
            await self._poll(stop)
        finally:
            if self._in_hand:
                # What is in hand is finished (bounded: the process is stopping); what is
                # not confirmed comes again at the next start and is recognised.
                await asyncio.wait(set(self._in_hand.values()), timeout=self._drain_seconds)
                late = list(self._in_hand.values())
                for task in late:
                    task.cancel()  # not left running under an application shutting down
                if late:
                    await asyncio.wait(late, timeout=self._drain_seconds)

    async def _poll(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            self._progress.clear()  # (set again by any update finishing from now on)
            fetch = asyncio.ensure_future(
                self._app.bot.get_updates(
                    offset=self._offset(),
                    # With updates in hand Telegram answers at once anyway (they are at or
                    # after the offset): no long poll.
                    timeout=0 if self._in_hand else self._timeout,
                    allowed_updates=self._allowed,
                    read_timeout=self._timeout + 10,
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                return
            stopping.cancel()
            try:
                updates: tuple[Update, ...] = fetch.result()
            except TimedOut:
                continue
            except RetryAfter as exc:
                await self._sleep(
                    stop,
                    float(
                        exc.retry_after
                        if isinstance(exc.retry_after, int | float)
                        else exc.retry_after.total_seconds()
                    ),
                )
                continue
            except Conflict:
                # Another process polls with this token, or a webhook was set meanwhile.
                log.warning(
                    "getUpdates conflict: another instance of the bot is running with this "
                    "token, or a webhook is set; retrying in %.0f s",
                    backoff,
                )
                await self._sleep(stop, backoff)
                backoff = min(self._max_backoff, backoff * 2)
                continue
            except NetworkError as exc:
                log.warning(
                    "getUpdates failed (%s); retrying in %.0f s", type(exc).__name__, backoff
                )
                await self._sleep(stop, backoff)
                backoff = min(self._max_backoff, backoff * 2)
                continue
            backoff = 1.0
            new = [u for u in updates if self._highest is None or u.update_id > self._highest]
            for update in new:
                self._dispatch(update)
            if not new and self._in_hand:
                await self._pause(stop)

    def _offset(self) -> int | None:
        """Telegram forgets what is below: the first update still in hand, or the one
        after the last handled."""
        if self._in_hand:
            return min(self._in_hand)
        return None if self._highest is None else self._highest + 1

    def _dispatch(self, update: Update) -> None:
        """The update to the application's update processor, as a task of its own."""
        processor = self._app.update_processor
        task = asyncio.create_task(
            processor.process_update(update, self._app.process_update(update))
        )
        uid = update.update_id
        self._in_hand[uid] = task
        self._highest = uid

        def finished(t: asyncio.Task[None]) -> None:
            self._in_hand.pop(uid, None)
            self._progress.set()
            if not t.cancelled() and t.exception() is not None:
                # Handlers' errors go to the application's error handler; this is anything
                # that escaped it. Logged: one bad update never stops the loop.
                log.error("update %s was not handled", uid, exc_info=t.exception())

        task.add_done_callback(finished)

    async def _pause(self, stop: asyncio.Event) -> None:
        """Until an update in hand finishes (or finished since the last poll began),
        ``stop``, or ``BUSY_PAUSE`` seconds."""
        waiting = asyncio.ensure_future(self._progress.wait())
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait(
                {waiting, stopping}, timeout=BUSY_PAUSE, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiting.cancel()
            stopping.cancel()

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
