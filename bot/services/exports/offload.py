"""Where a file is made: in a worker thread (tests, the sandbox) or in a short-lived child
process (the running bot).

Drawing a chart imports matplotlib (38 MiB) and a year's Word or Excel file builds a large
document in memory; CPython keeps that memory after the file is sent, so a bot that drew one
weekly chart stayed at 150 MiB instead of 75 (docs/performance.md). A child process started
for each file (``spawn``: a clean interpreter that imports only what the file needs) gives
all of it back to the system when it exits, at the price of about a second more per file,
which a leader asking for a report in chat does not notice and a weekly chart does not
mind. The roll-up crosses to the child by pickling (plain dataclasses of the core).

Threads stay the default in tests and the sandbox: hundreds of charts in a test run would
each pay the child's start-up.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

__all__ = ["ChildProcess", "Offload", "in_thread"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class Offload(Protocol):
    async def __call__(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T: ...


async def in_thread(fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """Run ``fn`` in the default thread pool (the event loop stays free)."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class ChildProcess:
    """Run ``fn`` in a fresh ``spawn`` child that exits afterwards. At most ``limit`` at a
    time (2 cores: two files at once, the rest wait), and a child that runs past
    ``timeout`` seconds is ended and the error raised, so a stuck conversion never holds
    the bot."""

    def __init__(self, *, limit: int = 2, timeout: float = 300.0) -> None:
        self._limit = limit
        self._timeout = timeout
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        async with self._slots:
            loop = asyncio.get_running_loop()
            pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
            try:
                future = loop.run_in_executor(pool, functools.partial(fn, *args, **kwargs))
                return await asyncio.wait_for(future, self._timeout)
            except TimeoutError:
                log.error(
                    "file_timeout fn=%s seconds=%s", getattr(fn, "__name__", fn), self._timeout
                )
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.kill()
                raise
            finally:
                # The child has answered (or was killed): let it exit without waiting here.
                pool.shutdown(wait=False, cancel_futures=True)
