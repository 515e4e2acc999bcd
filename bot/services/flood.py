"""Per-user flood control for the dialog engine.

A burst of messages addressed to the bot from one person (a stuck key, a script, a pasted
list of commands) gets one polite notice, then silence until it calms. Limits:

- more than ``FLOOD_BURST`` (5) messages within ``FLOOD_BURST_SECONDS`` (3 s), or
- more than ``FLOOD_SUSTAINED`` (20) messages within ``FLOOD_SUSTAINED_SECONDS`` (60 s).

The burst is over when the person's messages fall back under both limits (counting every
message, those answered with silence too). What the engine does meanwhile (see
``DialogEngine.handle`` and docs/decisions.md): every message is still recorded as seen;
commands are not run; other messages (reports, answers to a pending confirmation, button
presses) are processed as usual, so no report is lost, but their replies are withheld.

State is kept in memory, per process: it only has to outlive a burst (a minute), a restart
that forgets it merely lets the next message through, and a single process serves each bot
(two processes would each count their own share, still bounded). Memory is bounded: at most
``FLOOD_SUSTAINED + 1`` times per person, people silent for a minute are forgotten, and at
most ``max_people`` people are tracked (the longest silent are dropped first).
"""

from __future__ import annotations

import enum
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FLOOD_BURST = 5
FLOOD_BURST_SECONDS = 3
FLOOD_SUSTAINED = 20
FLOOD_SUSTAINED_SECONDS = 60


class Flood(enum.Enum):
    OK = "ok"  # within the limits: handle as usual
    NOTICE = "notice"  # the first message over the limits: send the one notice
    QUIET = "quiet"  # still over the limits: say nothing


@dataclass(frozen=True, slots=True)
class FloodLimits:
    burst: int = FLOOD_BURST
    burst_window: timedelta = timedelta(seconds=FLOOD_BURST_SECONDS)
    sustained: int = FLOOD_SUSTAINED
    sustained_window: timedelta = timedelta(seconds=FLOOD_SUSTAINED_SECONDS)
    max_people: int = 10_000


@dataclass(slots=True)
class _Person:
    times: deque[datetime]
    flooding: bool = False


@dataclass(slots=True)
class FloodGuard:
    limits: FloodLimits = field(default_factory=FloodLimits)
    _people: OrderedDict[tuple[str, str], _Person] = field(default_factory=OrderedDict)

    def check(self, channel: str, user_id: str, now: datetime) -> Flood:
        """Counts one message from this person at ``now`` and says what to do with it."""
        lim = self.limits
        key = (channel, user_id)
        person = self._people.get(key)
        if person is None:
            person = _Person(deque(maxlen=lim.sustained + 1))
            self._people[key] = person
        self._people.move_to_end(key)
        person.times.append(now)
        self._forget(now)
        recent = sum(1 for t in person.times if now - t < lim.burst_window)
        sustained = sum(1 for t in person.times if now - t < lim.sustained_window)
        over = recent > lim.burst or sustained > lim.sustained
        if not over:
            person.flooding = False
            return Flood.OK
        if person.flooding:
            return Flood.QUIET
        person.flooding = True
        return Flood.NOTICE

    def _forget(self, now: datetime) -> None:
        """Drops people silent for a whole window, and the longest silent beyond the cap."""
        window = self.limits.sustained_window
        while self._people:
            key, person = next(iter(self._people.items()))
            too_many = len(self._people) > self.limits.max_people
            if not too_many and now - person.times[-1] < window:
                break
            del self._people[key]

    def __len__(self) -> int:
        return len(self._people)
