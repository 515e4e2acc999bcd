"""Pausing Python's cyclic garbage collector during bulk, allocation-heavy work.

A digest or a roll-up at scale decodes tens of thousands of reports into dicts and builds a
row per unit: millions of small objects. The cyclic collector runs every few hundred
allocations and, now and then, scans the whole heap (every cached unit and member, every
decoded report so far), so its cost grows with the work itself: measured on a national
digest (20,000 units), 300 of its 960 ms. The objects made there hold no reference cycles
(JSON values, tuples, frozen dataclasses), so reference counting frees them all and the
collector has nothing to find; pausing it for the computation loses nothing.

Process-wide and counted: the collector is enabled again when the last pause ends, and a
pause begun while it was already disabled (by someone else) leaves it disabled. Pauses of
several tasks may overlap, one after the other, and keep it off longer than any one of
them: so whenever a pause begins or ends after ``MAX_OFF`` seconds off, the young
generations are collected at once (milliseconds), and other tasks' cycles never pile up.
Only work on the event loop is paused (a file made in a thread could run for long: the
child process that makes files in the bot has the collector off instead).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator

MAX_OFF = 5.0  # seconds

_pauses = 0
_was_enabled = False
_collected_at = 0.0  # when the collector last ran or was paused (time.monotonic)


def _bound_off_time() -> None:
    global _collected_at
    now = time.monotonic()
    if _was_enabled and now - _collected_at > MAX_OFF:
        gc.collect(1)
        _collected_at = now


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    global _pauses, _was_enabled, _collected_at
    if _pauses == 0:
        _was_enabled = gc.isenabled()
        _collected_at = time.monotonic()
        gc.disable()
    else:
        _bound_off_time()
    _pauses += 1
    try:
        yield
    finally:
        _pauses -= 1
        if _pauses == 0 and _was_enabled:
            gc.enable()
        elif _pauses:
            _bound_off_time()
