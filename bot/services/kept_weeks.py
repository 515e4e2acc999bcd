"""The weeks kept ready for digests (``bot.core.board.WeekBoard``), fed by stored reports.

Which weeks: the one a digest or a completeness check last read, for each campaign asked
about (built from storage once, then followed report by report), and a period whose first
report the bot stores itself (started empty, so a week the bot sees from its start is never
read back from storage). At most ``MAX_BOARDS`` weeks and ``MAX_UNITS`` units' reports are
kept, the least recently used going first: a national week (20,000 units, 15 fields) holds
about 105 MB (79 MB of decoded reports, 25 MB prepared), a province's 600 units about 3 MB.

A kept week is used only while it is at storage's generation of the period; otherwise it
is dropped and the service reads the period again (``bot.core.board`` explains why that is
exact).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.core.board import WeekBoard
from bot.core.models import SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Template

log = logging.getLogger(__name__)

MAX_BOARDS = 6
MAX_UNITS = 40_000  # two national weeks: the one closing and the next

Key = tuple[int, str]  # (campaign id, period key)
Event = tuple[SubmissionVersion, int, int]
# The template of a campaign's reports (None if the campaign is gone).
TemplateOf = Callable[[int], Awaitable[Template | None]]


class KeptWeeks:
    def __init__(self, template_of: TemplateOf) -> None:
        self._template_of = template_of
        self._boards: OrderedDict[Key, WeekBoard] = OrderedDict()
        # Periods whose first report just came: its template is being read; reports
        # stored meanwhile wait here.
        self._starting: dict[Key, list[Event]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # -- reading -------------------------------------------------------------------------
    def get(
        self, campaign_id: int, period: Period, template: Template, generation: int
    ) -> WeekBoard | None:
        """The kept week if it is storage's current state of the period for ``template``."""
        key = (campaign_id, period.key)
        board = self._boards.get(key)
        if board is None:
            return None
        if (
            board.generation != generation
            or board.waiting
            or not (board.template is template or board.template == template)
        ):
            del self._boards[key]
            return None
        self._boards.move_to_end(key)
        return board

    def keep(self, campaign_id: int, board: WeekBoard) -> None:
        self._boards[(campaign_id, board.period.key)] = board
        self._boards.move_to_end((campaign_id, board.period.key))
        while len(self._boards) > 1 and (
            len(self._boards) > MAX_BOARDS
            or sum(len(b.prepared) for b in self._boards.values()) > MAX_UNITS
        ):
            self._boards.popitem(last=False)

    # -- stored reports ------------------------------------------------------------------
    def stored(self, version: SubmissionVersion, before: int, after: int) -> None:
        """A listener of ``SubmissionRepo.listen``: called in commit order."""
        key = (version.campaign_id, version.period.key)
        waiting = self._starting.get(key)
        if waiting is not None:
            waiting.append((version, before, after))
            return
        board = self._boards.get(key)
        if board is not None:
            try:
                followed = board.apply(version, before, after)
            except Exception:
                # Half applied, it must not be read: the next digest reads the week again.
                log.exception("kept week %s dropped: a report could not be applied", key)
                followed = False
            if not followed:
                log.info("kept week %s dropped: storage changed beside it", key)
                self._boards.pop(key, None)
            return
        if before == -1:
            # The period's first report ever (storage had no row for it): start it empty.
            self._starting[key] = [(version, before, after)]
            task = asyncio.get_running_loop().create_task(self._start(key, version.period))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _start(self, key: Key, period: Period) -> None:
        try:
            template = await self._template_of(key[0])
        except Exception:
            log.exception("kept week %s not started", key)
            template = None
        events = self._starting.pop(key, [])
        if template is None:
            return
        board = WeekBoard(template, period, [], -1)
        try:
            if not all(board.apply(*event) for event in events):
                return
        except Exception:
            log.exception("kept week %s not started", key)
            return
        self.keep(key[0], board)

    async def settled(self) -> None:
        """Waits for the weeks being started (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._boards.clear()
        self._starting.clear()
