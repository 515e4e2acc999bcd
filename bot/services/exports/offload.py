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

A caller that knows a file is coming (``/xuat``: the roll-up is computed first) can
``warm`` children beforehand: they start and import the file's modules while the roll-up
is loaded, so their start (0.3 s for Excel, about 1 s for a Word report's matplotlib) is
hidden behind work the bot does anyway.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

__all__ = ["ChildProcess", "Offload", "in_thread", "warm"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class Offload(Protocol):
    async def __call__(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T: ...


def warm(offload: Offload, modules: Sequence[str]) -> None:
    """Let ``offload`` get ready for a function of ``modules[0]`` needing ``modules`` (a
    ``ChildProcess`` starts a child and imports them); nothing for other offloads."""
    prepare = getattr(offload, "warm", None)
    if prepare is not None:
        prepare(modules)


def _import(modules: Sequence[str]) -> None:
    for name in modules:
        importlib.import_module(name)


async def in_thread(fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """Run ``fn`` in the default thread pool (the event loop stays free)."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class ChildProcess:
    """Run ``fn`` in a fresh ``spawn`` child that exits afterwards. At most ``limit`` at a
    time (2 cores: two files at once, the rest wait), and a child that runs past
    ``timeout`` seconds is ended and the error raised, so a stuck conversion never holds
    the bot."""

    def __init__(
        self, *, limit: int = 2, timeout: float = 300.0, spare_seconds: float = 60.0
    ) -> None:
        self._limit = limit
        self._timeout = timeout
        self._slots: asyncio.Semaphore | None = None
        # Children started ahead by ``warm``, by the first module warmed (the module of
        # the function they are for); each ended if unused for ``spare_seconds``.
        self._spares: dict[str, tuple[ProcessPoolExecutor, asyncio.TimerHandle]] = {}
        self._spare_seconds = spare_seconds

    @staticmethod
    def _new_pool() -> ProcessPoolExecutor:
        # The child makes one file and exits: its cyclic collector would only rescan, again
        # and again, the hundreds of thousands of cells and rows it builds, so it is off
        # there (what cycles they hold go with the child).
        return ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=gc.disable
        )

    def warm(self, modules: Sequence[str]) -> None:
        """Start a child now and import ``modules`` in it; the next call of a function of
        ``modules[0]`` runs there (see the module docstring). Called from the event loop;
        nothing when such a child is waiting already or ``limit`` of them are."""
        if not modules or modules[0] in self._spares or len(self._spares) >= self._limit:
            return
        pool = self._new_pool()
        pool.submit(_import, tuple(modules))  # starts the process; its result is not needed
        timer = asyncio.get_running_loop().call_later(
            self._spare_seconds, self._drop_spare, modules[0]
        )
        self._spares[modules[0]] = (pool, timer)

    def _drop_spare(self, module: str) -> None:
        found = self._spares.pop(module, None)
        if found is not None:
            found[1].cancel()
            found[0].shutdown(wait=False, cancel_futures=True)

    def _take_pool(self, fn: Callable[..., object]) -> ProcessPoolExecutor:
        found = self._spares.pop(getattr(fn, "__module__", ""), None)
        if found is None:
            return self._new_pool()
        found[1].cancel()
        return found[0]

    def close(self) -> None:
        """End the children waiting unused (the bot is stopping)."""
        for module in list(self._spares):
            self._drop_spare(module)

    async def __call__(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        async with self._slots:
            loop = asyncio.get_running_loop()
            pool = self._take_pool(fn)
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
