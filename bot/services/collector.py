"""Pausing Python's cyclic garbage collector during bulk, allocation-heavy work.

A digest or a roll-up at scale decodes tens of thousands of reports into dicts and builds a
row per unit: millions of small objects. The cyclic collector runs every few hundred
allocations and, now and then, scans the whole heap (every cached unit and member, every
decoded report so far), so its cost grows with the work itself: measured on a national
digest (20,000 units), 300 of its 960 ms. The objects made there hold no reference cycles
(JSON values, tuples, frozen dataclasses), so reference counting frees them all and the
collector has nothing to find; pausing it for the computation loses nothing.

Process-wide and counted: the collector is enabled again when the last pause ends, and a
pause begun while it was already disabled (by someone else) leaves it disabled. The work
paused is bounded (seconds at most), so the memory the collector would have reclaimed from
other tasks' cycles in between is at most what they made in that time.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_pauses = 0
_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    if _pauses == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _pauses += 1
    try:
        yield
    finally:
        _pauses -= 1
        if _pauses == 0 and _was_enabled:
            gc.enable()
