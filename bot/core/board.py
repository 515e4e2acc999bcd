"""A kept week: one period's current reports, prepared, with their totals kept as they come.

Why: at national scale a weekly digest made from storage decodes 20,000 reports and adds
them up again each time it is asked for (~650 ms). A running bot sees every report it
stores, so it can keep the period being reported on ready: each report is prepared once
(``PreparedReport``: its row's numbers and answers, its narrative) and added to the
period's totals when it arrives, and a digest assembles what is kept.

Exactness (the digest from a board equals ``compute_digest`` over the same reports; the
property test ``tests/unit/test_board.py`` compares them, texts and figures' digits):
- a correction replaces the unit's prepared report and moves its numbers out of the totals
  and the new ones in;
- sums and counts of whole numbers are kept exactly both ways;
- a decimal sum is kept exactly too (one that reaches Decimal's 28 significant digits, where
  the order of adding rounds differently, is computed again in storage's order), and given
  the number of digits after the comma a fresh sum would have (the most any of its numbers has: ``2,50`` and ``1,5`` add up to
  ``4,00``, and once ``2,50`` is corrected away the sum is written ``1,5`` again);
- what cannot be taken back exactly is computed again from the kept reports, only for that
  field and only when a digest asks: a maximum or a latest value that left, a tie for the
  maximum between two spellings of one number;
- a report of another period, or an older version of one kept, changes nothing.

Whether a board is still the truth is settled by storage's generation of the period
(``period_totals.generation``, bumped by triggers on any write to the period's reports):
each stored report comes with the generation before and after its transaction, and a board
applies it only when it continues from the board's own (``apply``); reports that arrive out
of order wait for the ones before them. Any other write (an erasure, an operator's SQL, a
second process) leaves the board behind the stored generation, and the service builds it
again from storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, getcontext

from bot.core.digest import (
    FieldAggregate,
    Number,
    PeriodTotals,
    PreparedReport,
    digest_plan,
)
from bot.core.models import SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Aggregation, FieldType, Template, TemplateField

__all__ = ["WeekBoard"]

# How many stored reports may wait for an earlier one before the board gives up.
MAX_WAITING = 256


class _Acc:
    """One numeric field's running aggregate (``FieldAggregate`` in mutable form)."""

    __slots__ = ("count", "exponents", "latest", "maximum", "rounded", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total: Number | None = None
        self.maximum: Number | None = None
        self.latest: tuple[object, int, Number] | None = None
        # A decimal sum: how many of its numbers have each exponent (a fresh sum's
        # exponent is the smallest of them and 0's; taking one out can leave it smaller).
        self.exponents: dict[int, int] = {}
        # A decimal sum that reached 28 significant digits may have been rounded: from then
        # on it is only computed afresh, in storage's order (``note_precision``).
        self.rounded = False

    def add(self, num: Number, v: SubmissionVersion, agg: Aggregation, whole: bool) -> bool:
        """Adds one report's number, as ``period_totals`` meets it. True when it ties the
        maximum in another spelling (``2`` and ``2,0``): which one shows depends on the
        units' order."""
        tie = False
        if agg is Aggregation.MAX:
            if not self.count or num > self.maximum:  # type: ignore[operator]
                self.maximum = num
            elif num == self.maximum and _spelling(num) != _spelling(self.maximum):
                tie = True
        elif agg is Aggregation.LATEST:
            if self.latest is None or (v.submitted_at, v.id) > self.latest[:2]:
                self.latest = (v.submitted_at, v.id, num)
        else:
            base: Number = (0 if whole else Decimal(0)) if self.total is None else self.total
            self.total = base + num
            if not whole:
                e = _exponent(num)
                self.exponents[e] = self.exponents.get(e, 0) + 1
                self.note_precision()
        self.count += 1
        return tie

    def note_precision(self) -> bool:
        """Whether this decimal sum may have been rounded: it reached the context's 28
        significant digits, now or before."""
        total = self.total
        if isinstance(total, Decimal) and len(total.as_tuple().digits) >= getcontext().prec:
            self.rounded = True
        return self.rounded


def _whole(f: TemplateField) -> bool:
    return f.type is FieldType.COUNT or f.type is FieldType.MONEY


class WeekBoard:
    """One (campaign, period)'s current reports and totals, at storage's ``generation``."""

    def __init__(
        self,
        template: Template,
        period: Period,
        versions: Iterable[SubmissionVersion],
        generation: int,
    ) -> None:
        self.template = template
        self.period = period
        self.generation = generation
        self._plan = plan = digest_plan(template)
        self._fields = [(f.key, f, f.aggregation, _whole(f)) for f in plan.numeric]
        self.prepared: dict[int, PreparedReport] = {}
        self._accs: dict[str, _Acc] = {f.key: _Acc() for f in plan.numeric}
        self._dirty: set[str] = set()
        self._texts: dict[str, int] = {}
        self._late: set[int] = set()
        self._waiting: dict[int, tuple[SubmissionVersion, int]] = {}
        for v in versions:
            self._take(v)

    # -- what a digest reads -------------------------------------------------------------
    def versions(self) -> list[SubmissionVersion]:
        """The current version of each unit that reported."""
        return [p.version for p in self.prepared.values()]

    def totals(self) -> PeriodTotals:
        """The period's totals, as ``period_totals`` computes them from the reports."""
        for key in self._dirty:
            self._recompute(key)
        self._dirty.clear()
        fields: dict[str, FieldAggregate] = {}
        for key, _f, agg, _w in self._fields:
            a = self._accs[key]
            if not a.count:
                continue
            if agg is Aggregation.LATEST:
                fields[key] = FieldAggregate(a.count, latest=a.latest)  # type: ignore[arg-type]
            elif agg is Aggregation.MAX:
                fields[key] = FieldAggregate(a.count, maximum=a.maximum)
            else:
                total = a.total
                if a.exponents and isinstance(total, Decimal):
                    want = min(0, *a.exponents)
                    exponent = total.as_tuple().exponent
                    assert isinstance(exponent, int)
                    # More digits than a fresh sum has: left by a number taken out. (Fewer:
                    # rounded to 28 digits, then the field was recomputed in order above.)
                    if exponent < want:
                        total = a.total = total.quantize(Decimal((0, (1,), want)))
                fields[key] = FieldAggregate(a.count, total=total)
        texts = {f.key: n for f in self._plan.text_fields if (n := self._texts.get(f.key, 0))}
        return PeriodTotals(self.period, len(self.prepared), fields, texts, frozenset(self._late))

    # -- stored reports ------------------------------------------------------------------
    def apply(self, version: SubmissionVersion, before: int, after: int) -> bool:
        """A report stored by a transaction that took the period from generation ``before``
        to ``after``. False when the board can no longer follow storage (drop it)."""
        if after <= self.generation:
            return True  # already in: the board was built after that transaction
        if before != self.generation:
            if before < self.generation or len(self._waiting) >= MAX_WAITING:
                return False
            self._waiting[before] = (version, after)  # an earlier one is still to come
            return True
        self._take(version)
        self.generation = after
        while self.generation in self._waiting:
            v, after = self._waiting.pop(self.generation)
            self._take(v)
            self.generation = after
        return True

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _take(self, v: SubmissionVersion) -> None:
        if v.period != self.period:
            return
        old = self.prepared.get(v.org_id)
        if old is not None:
            if old.version.version >= v.version:
                return
            self._remove(old)
        p = PreparedReport(self._plan, v)
        self.prepared[v.org_id] = p
        self._add(p)

    def _add(self, p: PreparedReport) -> None:
        nums = p.numbers
        v = p.version
        for key, _f, agg, whole in self._fields:
            num = nums.get(key)
            if num is None:
                continue
            a = self._accs[key]
            # A tie between spellings, or a decimal sum that may be rounded: the field is
            # computed again in storage's order when a digest asks.
            if a.add(num, v, agg, whole) or a.rounded:
                self._dirty.add(key)
        for item in p.narrative:
            key = item.field.key
            self._texts[key] = self._texts.get(key, 0) + 1
        if v.late:
            self._late.add(v.org_id)

    def _remove(self, p: PreparedReport) -> None:
        del self.prepared[p.version.org_id]
        nums = p.numbers
        v = p.version
        for key, _f, agg, whole in self._fields:
            num = nums.get(key)
            if num is None:
                continue
            a = self._accs[key]
            a.count -= 1
            if agg is Aggregation.MAX:
                if num >= a.maximum:  # type: ignore[operator]
                    self._dirty.add(key)
            elif agg is Aggregation.LATEST:
                if a.latest is not None and a.latest[1] == v.id:
                    self._dirty.add(key)
            else:
                a.total = a.total - num  # type: ignore[operator]
                if not whole:
                    e = _exponent(num)
                    if a.exponents[e] == 1:
                        del a.exponents[e]
                    else:
                        a.exponents[e] -= 1
                    if a.note_precision():
                        self._dirty.add(key)
            if not a.count:
                self._accs[key] = _Acc()
                self._dirty.discard(key)
        for item in p.narrative:
            key = item.field.key
            self._texts[key] -= 1
        self._late.discard(v.org_id)

    def _recompute(self, key: str) -> None:
        """A field's aggregate from the kept reports, in the order storage lists them (by
        unit id), as ``period_totals`` meets them."""
        a = self._accs[key] = _Acc()
        _key, _f, agg, whole = next(f for f in self._fields if f[0] == key)
        for oid in sorted(self.prepared):
            p = self.prepared[oid]
            num = p.numbers.get(key)
            if num is not None:
                a.add(num, p.version, agg, whole)  # in order: a tie settles as afresh


def _exponent(n: Number) -> int:
    exponent = n.as_tuple().exponent if isinstance(n, Decimal) else 0
    assert isinstance(exponent, int)  # finite: coerced numbers are
    return exponent


def _spelling(n: Number) -> object:
    return n.as_tuple() if isinstance(n, Decimal) else n
