"""Long polling that confirms an update to Telegram only after the bot has handled it.

python-telegram-bot's ``Updater`` asks for the next batch (which confirms the previous one
to Telegram) as soon as it has queued a batch, before the handlers run: a process killed in
between loses those updates for good. Here each batch is handled first and only then is the
next ``getUpdates`` sent with the new offset, so after a crash Telegram delivers the
unfinished updates again; the dialog engine recognises the ones already handled (their
message ids are stored in the same transaction as their effects) and answers nothing twice.
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

    async def run(self, stop: asyncio.Event) -> None:
        # A webhook left from an earlier run in webhook mode makes getUpdates fail (409):
        # polling removes it first, keeping the updates Telegram still holds.
        try:
            await self._app.bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as exc:
            log.warning("deleteWebhook failed (%s); polling anyway", type(exc).__name__)
        offset: int | None = None
        backoff = 1.0
        while not stop.is_set():
            fetch = asyncio.ensure_future(
                self._app.bot.get_updates(
                    offset=offset,
                    timeout=self._timeout,
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
            if updates:
                await self._handle(updates)
                offset = updates[-1].update_id + 1

    async def _handle(self, updates: Sequence[Update]) -> None:
        """The batch's updates concurrently through the application's update processor
        (different chats at once, each chat in order: ``OrderedUpdateProcessor``), all of
        them finished before the next ``getUpdates`` confirms them. Errors go to the
        application's error handler, so one bad update never stops the loop.

        A slow request (a year's Excel file) delays the next batch until it is done, not
        the rest of its own batch; a burst (a deadline's replies) arrives as batches of up
        to 100, handled together."""
        processor = self._app.update_processor
        tasks = [
            asyncio.create_task(processor.process_update(u, self._app.process_update(u)))
            for u in updates
        ]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for update, result in zip(updates, results, strict=True):
            if isinstance(result, BaseException) and not isinstance(result, Exception):
                raise result  # cancellation: the stop
            if isinstance(result, Exception):
                log.error("update %s was not handled", update.update_id, exc_info=result)

    @staticmethod
    async def _sleep(stop: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
