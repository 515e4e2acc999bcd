"""Roll-ups: a month, quarter, half-year, year or any date range, built from the reports of
the periods it holds, for the whole workspace or for one unit and everything beneath it.

Rules decided here (exports, charts and the chat commands rely on them):

* **Which periods**: a week belongs to the span that holds its Thursday (ISO's rule, the
  same as ``Period.weeks``: week 1/2027, 28/12/2026 – 03/01/2027, is January's); a month or
  longer period belongs to the span that holds its first day. The caller passes only the
  periods that count: from the campaign's first period on, skipped ones (``/nghi``)
  marked as such (``PeriodInfo.skipped``).
* **Skipped periods** (``/nghi``, or due while a campaign was paused) expect nobody: no
  unit misses one or is late for it, completeness and levels leave them out. The reports
  units sent for one still count in every figure (totals, each unit's line, the period's
  column), as a figure reported is a figure achieved; its column says it was skipped.
* **Figures**: a field's figure for the span is its aggregation rule applied to every
  current report in the span (all units in scope, all periods): ``sum`` adds every report,
  ``average`` is the mean of the reports that gave a value, ``max`` the largest, ``latest``
  the value of the most recent period (then the most recently submitted). So a quarter's
  ``sum`` is the sum of its weekly digests, and a ``latest`` figure is the last digest's.
  The same rule gives each unit's line (its reports only) and each period's column.
* **Completeness** counts a period for a unit only once the period's deadline has passed
  (a week still open is not "missed"), not when the unit was exempt (``/mien``), and only
  when the period expected it (``OrgUnit.expected_by``: added before the deadline, not
  stopped when it came). A report received is on time or late as recorded at ingest. The
  longest run missed in a row counts consecutive counted periods without a report; exempt
  periods and those that did not expect the unit neither break nor extend a run. Per level (a commune, the province): the sums over its reporting units.
* **Scope**: a unit's roll-up covers the reports of the unit and of every unit beneath it;
  reports of units since stopped (``/ngungdonvi``) still count in the figures (a figure
  reported is a figure achieved) but the stopped units are not expected.

Two ways to the same figures (decided for scale: a national year is a million reports):

* ``compute_rollup`` from the reports themselves: everything, including each unit's line,
  the narratives' texts, the choices, the period columns and the checklist classes that
  the files, ``/lichsu`` and the charts need (``Rollup.detail`` is True).
* ``compute_rollup_summary`` for the whole workspace, from the stored per-period totals
  (``bot.core.digest.PeriodTotals``) and a per-unit count of the periods reported (from
  SQL): the totals with their change, completeness per unit and per level, the period
  columns (``by_period``: the digest chart's trend) and the number of narratives of each
  kind: all that the chat texts (``render_rollup``, ``render_attendance``) show, exactly as
  the first way gives it, without reading a report. ``Rollup.detail`` is False and
  ``lines``, ``narratives`` and ``choices`` are empty, so files and per-unit views must
  not be made from it (they check ``detail``).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.core.checklist import SpanClasses, compute_checklist_span
from bot.core.digest import (
    _NO_VALUES,
    ChoiceSummary,
    FieldAggregate,
    FieldTotal,
    Number,
    _finish,
    coerce_numbers,
    number_spec,
    reduce_numbers,
)
from bot.core.digest import PeriodTotals as StoredTotals
from bot.core.hierarchy import Hierarchy
from bot.core.indicators import IndicatorSummary
from bot.core.models import OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.template import Aggregation, FieldType, Template, TemplateField
from bot.core.text import fold

__all__ = [
    "Attendance",
    "LevelAttendance",
    "NarrativeEntry",
    "NarrativeKind",
    "OrgLine",
    "PeriodInfo",
    "PeriodTotals",
    "ReportedPeriods",
    "Rollup",
    "Span",
    "compute_rollup",
    "compute_rollup_summary",
    "narrative_kind",
]

_YES = "Có"
_NO = "Không"


# -- spans --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Span:
    """The days a roll-up covers: ``start`` inclusive, ``end`` exclusive; ``period`` when
    the span is a calendar period (then its Vietnamese name is the period's)."""

    start: date
    end: date
    period: Period | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a span must not be empty")

    @classmethod
    def of(cls, period: Period) -> Span:
        return cls(period.start, period.end, period)

    @classmethod
    def between(cls, first: date, last: date) -> Span:
        """From ``first`` to ``last``, both days included."""
        return cls(first, last + timedelta(days=1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        """ "quý IV/2026", "tháng 11/2026", "từ 01/10/2026 đến 15/11/2026"."""
        if self.period is not None:
            return self.period.short_label()
        return f"từ {self.start:%d/%m/%Y} đến {self.last_day:%d/%m/%Y}"

    def key(self) -> str:
        """A name usable in a file name: "2026-Q4", "2026-10-01_2026-11-15"."""
        if self.period is not None:
            return self.period.key
        return f"{self.start:%Y-%m-%d}_{self.last_day:%Y-%m-%d}"

    def includes(self, p: Period) -> bool:
        anchor = p.start + timedelta(days=3) if p.type is PeriodType.WEEK else p.start
        return self.start <= anchor < self.end

    def source_periods(self, period_type: PeriodType) -> list[Period]:
        """The periods of ``period_type`` that belong to the span, in order."""
        out: list[Period] = []
        p = Period.containing(period_type, self.start)
        while p.start < self.end:
            if self.includes(p):
                out.append(p)
            p = p.next()
        return out

    def previous(self) -> Span:
        """The span just before: the previous period, or a range of the same length."""
        if self.period is not None:
            return Span.of(self.period.prev())
        length = self.end - self.start
        return Span(self.start - length, self.start)


# -- records ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PeriodInfo:
    """A period that counts in a roll-up: its deadline, the units exempt in it, and whether
    it was skipped (its reports count in the figures, nobody is expected)."""

    period: Period
    deadline: datetime
    exempt_org_ids: frozenset[int] = frozenset()
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class Attendance:
    """One reporting unit's record over the span (see the module docstring)."""

    org: OrgUnit
    expected: int
    on_time: int
    late: int
    exempt: int
    missed_periods: tuple[Period, ...]
    longest_missed_run: int
    late_periods: tuple[Period, ...] = ()

    @property
    def received(self) -> int:
        return self.on_time + self.late

    @property
    def missed(self) -> int:
        return len(self.missed_periods)

    @property
    def rate(self) -> Decimal | None:
        """Share of the counted periods with a report, in percent (None when none counted)."""
        return _percent(self.received, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.on_time, self.expected)


@dataclass(frozen=True, slots=True)
class LevelAttendance:
    """Completeness summed over the reporting units under a grouping unit (or the scope)."""

    org: OrgUnit | None  # None: the whole workspace
    depth: int
    units: int
    expected: int
    received: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return _percent(self.received, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.on_time, self.expected)


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """One period's column: how many units reported and each numeric field's figure. A
    skipped period expects none (``expected`` 0) and counts the listed units that sent a
    report anyway."""

    period: Period
    expected: int
    received: int
    values: Mapping[str, Number | None]
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class OrgLine:
    """One unit's figures over the span and per period (numeric fields only)."""

    org: OrgUnit
    reports: int
    values: Mapping[str, Number]
    by_period: Mapping[str, Mapping[str, Number]]  # period key -> field key -> number


@dataclass(frozen=True, slots=True)
class ReportedPeriods:
    """Of the periods asked (those due in a span), how many a unit has a current report
    for, and which (their first days) when not all of them (``None``: every one)."""

    org_id: int
    count: int
    starts: frozenset[date] | None = None


@dataclass(frozen=True, slots=True)
class NarrativeEntry:
    period: Period
    org: OrgUnit
    field: TemplateField
    text: str


class NarrativeKind(enum.StrEnum):
    """Where a narrative field goes in a formal report (the sections of a Vietnamese
    "báo cáo kết quả": results, good models, difficulties, proposals, next tasks)."""

    RESULT = "result"
    MODEL = "model"
    DIFFICULTY = "difficulty"
    PROPOSAL = "proposal"
    NEXT_TASK = "next_task"


_KIND_WORDS: tuple[tuple[NarrativeKind, tuple[str, ...]], ...] = (
    (NarrativeKind.DIFFICULTY, ("kho khan", "vuong mac", "han che", "ton tai", "kho_khan")),
    (NarrativeKind.PROPOSAL, ("de xuat", "kien nghi", "de nghi", "de_xuat", "kien_nghi")),
    (
        NarrativeKind.NEXT_TASK,
        ("nhiem vu", "phuong huong", "tuan toi", "thang toi", "ky toi", "tiep theo", "nhiem_vu"),
    ),
    (NarrativeKind.MODEL, ("mo hinh", "dien hinh", "cach lam", "guong", "mo_hinh")),
)


def narrative_kind(f: TemplateField) -> NarrativeKind:
    """Classify a narrative field by the words of its key and label (any template an admin
    writes gets sensible sections without new settings); anything else is a result."""
    return _narrative_kind(f.label, f.key)


@functools.lru_cache(maxsize=4096)
def _narrative_kind(label: str, key: str) -> NarrativeKind:
    words = f"{fold(label)} {key}"
    for kind, needles in _KIND_WORDS:
        if any(n in words for n in needles):
            return kind
    return NarrativeKind.RESULT


@dataclass(frozen=True, slots=True)
class Rollup:
    template: Template
    campaign_name: str
    span: Span
    scope: OrgUnit | None
    now: datetime
    periods: tuple[Period, ...]
    orgs: tuple[OrgUnit, ...]
    totals: tuple[FieldTotal, ...]
    choices: tuple[ChoiceSummary, ...]
    by_period: tuple[PeriodTotals, ...]
    lines: tuple[OrgLine, ...]
    narratives: tuple[NarrativeEntry, ...]
    attendance: tuple[Attendance, ...]
    levels: tuple[LevelAttendance, ...]
    reports: int = 0
    names: Mapping[int, str] = field(default_factory=dict)
    # (periods in the span, periods in the span before) when they differ: sums not compared.
    unequal_lengths: tuple[int, int] | None = None
    # A checklist template: each unit's class in each period of the span.
    checklist: SpanClasses | None = None
    # The template's indicators with targets and progress (filled in by the service).
    indicators: tuple[IndicatorSummary, ...] = ()
    # False for a summary (``compute_rollup_summary``): no per-unit lines, narratives'
    # texts, choices, period columns or checklist; files and per-unit views need True.
    detail: bool = True
    # A summary's count of non-blank reports per text field (a detailed roll-up counts
    # its ``narratives``).
    text_counts: Mapping[str, int] = field(default_factory=dict)
    # The periods of ``periods`` that were skipped (``/nghi``): in the figures, expecting
    # nobody.
    skipped: frozenset[Period] = frozenset()
    # Each period's deadline (by key): whether it expected a unit (``OrgUnit.expected_by``).
    deadlines: Mapping[str, datetime] = field(default_factory=dict)

    @property
    def numeric_fields(self) -> tuple[TemplateField, ...]:
        return tuple(t.field for t in self.totals)

    @property
    def expected(self) -> int:
        return sum(a.expected for a in self.attendance)

    @property
    def received(self) -> int:
        return sum(a.received for a in self.attendance)

    @property
    def on_time(self) -> int:
        return sum(a.on_time for a in self.attendance)

    @property
    def rate(self) -> Decimal | None:
        return _percent(self.received, self.expected)

    @property
    def empty(self) -> bool:
        return self.reports == 0

    def name(self, org: OrgUnit) -> str:
        """The unit's name as listings show it (with its commune in a multi-level tree)."""
        return self.names.get(org.id, org.display_name)

    def narratives_of(self, kind: NarrativeKind) -> list[NarrativeEntry]:
        return [n for n in self.narratives if narrative_kind(n.field) is kind]

    def narrative_counts(self) -> dict[NarrativeKind, int]:
        """How many narratives of each kind the span holds (kinds without any left out);
        the same whether the roll-up is detailed or a summary."""
        counts: dict[NarrativeKind, int] = {}
        if self.detail:
            for n in self.narratives:
                kind = narrative_kind(n.field)
                counts[kind] = counts.get(kind, 0) + 1
            return counts
        for f in self.template.all_fields():
            given = self.text_counts.get(f.key, 0) if f.type is FieldType.TEXT else 0
            if given:
                kind = narrative_kind(f)
                counts[kind] = counts.get(kind, 0) + given
        return counts

    def require_detail(self, what: str) -> None:
        """Refuses a summary where per-unit data is read (a file, a unit's history): it
        would silently show nothing instead of the units' figures."""
        if not self.detail:
            raise ValueError(f"{what} needs a detailed roll-up, not a summary")

    def direct_level(self) -> LevelAttendance | None:
        """The units right under the scope's top unit (the province's own Front and
        organizations), beside its communes: without this line the levels listed under the
        total would not add up to it. None when there is no level below the top."""
        if len(self.levels) <= 1 or self.levels[0].org is None:
            return None
        top = self.levels[0].org
        direct = [a for a in self.attendance if a.org.parent_id == top.id]
        if not direct:
            return None
        return LevelAttendance(
            top,
            1,
            len(direct),
            sum(a.expected for a in direct),
            sum(a.received for a in direct),
            sum(a.on_time for a in direct),
        )

    def behind(self, threshold: Decimal = Decimal(100)) -> list[Attendance]:
        """Units whose completeness is below ``threshold`` percent, worst first."""
        # Below 100% is a period missed: no percentage to work out for the others (20,000
        # units of a national roll-up).
        pool = (
            [a for a in self.attendance if a.received < a.expected]
            if threshold == 100
            else self.attendance
        )
        out = [a for a in pool if a.rate is not None and a.rate < threshold]
        out.sort(key=lambda a: (a.rate or Decimal(0), -a.longest_missed_run))
        return out


# -- helpers ------------------------------------------------------------------------------
def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _current(versions: Sequence[SubmissionVersion]) -> list[SubmissionVersion]:
    best: dict[tuple[date, int], SubmissionVersion] = {}
    for v in versions:
        k = (v.period.start, v.org_id)
        cur = best.get(k)
        if cur is None or v.version > cur.version:
            best[k] = v
    return list(best.values())


_Numbers = Mapping[str, Number]  # one report's numeric fields (``coerce_numbers``)


def _rule_of(field_: TemplateField, rows: Sequence[_Numbers]) -> tuple[Number | None, int]:
    """The field's figure by its rule over reports whose numbers were taken out once
    (``coerce_numbers``), and how many gave a value. ``rows`` are in (period, submitted)
    order, so for ``latest`` the last value given is the figure."""
    key = field_.key
    nums = [row[key] for row in rows if key in row]
    if field_.aggregation is Aggregation.LATEST:
        return (nums[-1], len(nums)) if nums else (None, 0)
    return reduce_numbers(field_, nums)


def _placeholder(org_id: int) -> OrgUnit:
    return OrgUnit(
        id=org_id,
        workspace_id=0,
        code=f"#{org_id}",
        name=f"Đơn vị số {org_id}",
        short_name="",
        active=False,
        sort_order=1 << 30,
    )


# -- computation --------------------------------------------------------------------------
def compute_rollup(
    *,
    template: Template,
    hierarchy: Hierarchy,
    span: Span,
    periods: Sequence[PeriodInfo],
    versions: Sequence[SubmissionVersion],
    now: datetime,
    scope_id: int | None = None,
    campaign_name: str = "",
    previous: Sequence[SubmissionVersion] | None = None,
) -> Rollup:
    """Everything a roll-up shows (see the module docstring). ``versions`` may hold any
    versions; only current ones of the counted ``periods`` inside the scope are used.
    ``previous`` (the span before, same scope rules) fills each total's change."""
    scope = hierarchy.get(scope_id) if scope_id is not None else None
    counted = sorted(periods, key=lambda p: p.period.start)
    counted_periods = {p.period for p in counted}  # (same kind: equal periods, equal keys)
    in_scope = _scope_filter(hierarchy, scope_id)

    # Each distinct period is tested once (a year holds 30,000 reports of 53 periods).
    inside = {p: p in counted_periods and span.includes(p) for p in {v.period for v in versions}}
    cur = [v for v in _current(versions) if inside[v.period] and in_scope(v.org_id)]
    # Latest means the most recent period, then the most recent submission.
    cur.sort(key=lambda v: (v.period.start, v.submitted_at, v.id))

    numeric = [f for f in template.all_fields() if f.type.numeric]
    choice_fields = [
        f for f in template.all_fields() if f.type in (FieldType.YESNO, FieldType.CHOICE)
    ]
    text_fields = [f for f in template.all_fields() if f.type is FieldType.TEXT]
    section_of = {f.key: (s.key, s.title) for s in template.sections for f in s.fields}

    prev_cur: list[SubmissionVersion] = []
    lengths = _lengths(span, counted) if previous is not None else None
    if previous is not None:
        prev_span = span.previous()
        before = {p: prev_span.includes(p) for p in {v.period for v in previous}}
        prev_cur = [v for v in _current(previous) if before[v.period] and in_scope(v.org_id)]
        prev_cur.sort(key=lambda v: (v.period.start, v.submitted_at, v.id))
        if not prev_cur:
            lengths = None  # nothing to compare with: no caveat about lengths either

    # Each report's numbers are taken out once; every figure below is made from them.
    spec = number_spec(numeric)
    cur_nums = [coerce_numbers(spec, v.values) for v in cur]
    prev_nums = [coerce_numbers(spec, v.values) for v in prev_cur]
    nums_of = {id(v): row for v, row in zip(cur, cur_nums, strict=True)}
    totals: list[FieldTotal] = []
    comparable_sums = lengths is None or lengths[0] == lengths[1]
    for f in numeric:
        value, n = _rule_of(f, cur_nums)
        compare = previous is not None and (comparable_sums or f.aggregation is not Aggregation.SUM)
        prev_value = _rule_of(f, prev_nums)[0] if compare else None
        change = value - prev_value if value is not None and prev_value is not None else None
        sk, st = section_of[f.key]
        totals.append(FieldTotal(f, sk, st, value, n, prev_value, change))

    choices = [_choice_summary(f, section_of[f.key][0], cur) for f in choice_fields]

    by_period_versions: dict[str, list[SubmissionVersion]] = {}
    by_org_versions: dict[int, list[SubmissionVersion]] = {}
    period_key: dict[Period, str] = {}  # ``Period.key`` is computed on each use
    for v in cur:
        pk = period_key.get(v.period)
        if pk is None:
            pk = period_key[v.period] = v.period.key
        by_period_versions.setdefault(pk, []).append(v)
        by_org_versions.setdefault(v.org_id, []).append(v)

    expected_orgs = hierarchy.reporting(scope_id)
    columns: list[PeriodTotals] = []
    for info in counted:
        vs = by_period_versions.get(info.period.key, [])
        expected_here = (
            []
            if info.skipped
            else [
                o
                for o in expected_orgs
                if o.id not in info.exempt_org_ids and o.expected_by(info.deadline)
            ]
        )
        reported_ids = {v.org_id for v in vs}
        rows_here = [nums_of[id(v)] for v in vs]
        columns.append(
            PeriodTotals(
                period=info.period,
                expected=len(expected_here),
                received=sum(
                    1
                    for o in (expected_orgs if info.skipped else expected_here)
                    if o.id in reported_ids
                ),
                values={f.key: _rule_of(f, rows_here)[0] for f in numeric},
                skipped=info.skipped,
            )
        )

    # Lines: expected units first (display order), then others that reported.
    line_orgs = list(expected_orgs)
    known = {o.id for o in line_orgs}
    extra_ids = [oid for oid in by_org_versions if oid not in known]
    extras = [hierarchy.get(oid) or _placeholder(oid) for oid in extra_ids]
    line_orgs.extend(hierarchy.ordered(extras))
    lines: list[OrgLine] = []
    for org in line_orgs:
        vs = by_org_versions.get(org.id, [])
        rows = [nums_of[id(v)] for v in vs]
        values: dict[str, Number] = {}
        for f in numeric:
            fig = _rule_of(f, rows)[0]
            if fig is not None:
                values[f.key] = fig
        per = {period_key[v.period]: row for v, row in zip(vs, rows, strict=True)}
        lines.append(OrgLine(org, len(vs), values, per))

    order = {o.id: i for i, o in enumerate(line_orgs)}
    narratives: list[NarrativeEntry] = []
    for v in sorted(cur, key=lambda v: (v.period.start, order.get(v.org_id, 1 << 30))):
        org = hierarchy.get(v.org_id) or _placeholder(v.org_id)
        for f in text_fields:
            raw = v.values.get(f.key)
            if isinstance(raw, str) and raw.strip():
                narratives.append(NarrativeEntry(v.period, org, f, raw.strip()))

    due = [p for p in counted if p.deadline <= now and not p.skipped]
    due_starts = {p.period.start for p in due}
    got: dict[int, set[date]] = {}
    late: dict[int, set[date]] = {}
    for v in cur:
        start = v.period.start
        if start in due_starts:
            got.setdefault(v.org_id, set()).add(start)
            if v.late:
                late.setdefault(v.org_id, set()).add(start)
    attendance = _attendance(
        expected_orgs,
        due,
        {oid: None if len(starts) == len(due) else starts for oid, starts in got.items()},
        late,
    )
    levels = _levels(hierarchy, scope_id, scope, attendance)
    names = {o.id: hierarchy.full_name(o) for o in line_orgs}

    return Rollup(
        template=template,
        campaign_name=campaign_name,
        span=span,
        scope=scope,
        now=now,
        periods=tuple(p.period for p in counted),
        orgs=tuple(expected_orgs),
        totals=tuple(totals),
        choices=tuple(choices),
        by_period=tuple(columns),
        lines=tuple(lines),
        narratives=tuple(narratives),
        attendance=tuple(attendance),
        levels=tuple(levels),
        reports=len(cur),
        names=names,
        unequal_lengths=None if comparable_sums else lengths,
        checklist=compute_checklist_span(template, line_orgs, [p.period for p in counted], cur),
        skipped=frozenset(p.period for p in counted if p.skipped),
        deadlines={p.period.key: p.deadline for p in counted},
    )


def _merge_in_order(f: TemplateField, parts: Sequence[StoredTotals]) -> FieldAggregate:
    """The field over the reports of ``parts`` (periods in order), as ``_rule`` takes it:
    ``latest`` is the latest value of the most recent period that has one (merging
    ``FieldAggregate.latest`` alone would compare submission times across periods, and a
    late report of an earlier week would win)."""
    merged = _NO_VALUES
    latest = f.aggregation is Aggregation.LATEST
    for t in parts:
        a = t.get(f.key)
        if not a.count:
            continue
        merged = (
            FieldAggregate(merged.count + a.count, latest=a.latest) if latest else merged.merge(a)
        )
    return merged


def compute_rollup_summary(
    *,
    template: Template,
    hierarchy: Hierarchy,
    span: Span,
    periods: Sequence[PeriodInfo],
    totals: Sequence[StoredTotals],
    reported: Sequence[ReportedPeriods],
    now: datetime,
    campaign_name: str = "",
    previous: Sequence[StoredTotals] | None = None,
    pending: Sequence[ReportedPeriods] = (),
) -> Rollup:
    """The whole workspace's roll-up without its detail (see the module docstring): the
    same totals, changes, completeness, levels and narrative counts as ``compute_rollup``.

    ``totals``: the per-period totals of the span's periods that have reports (only the
    counted ``periods`` are used); ``previous``: those of every period of the span before
    (as ``compute_rollup`` takes every report of it); ``reported``: per unit, how many of
    the counted periods due by ``now`` it reported, and which when not all of them;
    ``pending``: the same for the counted periods not yet due and the skipped ones (for
    the per-period columns, ``by_period``, which the digest's chart draws its trend from).
    """
    counted = sorted(periods, key=lambda p: p.period.start)
    keys = {p.period.key for p in counted}
    parts = sorted(
        (t for t in totals if t.period.key in keys and span.includes(t.period)),
        key=lambda t: t.period.start,
    )
    numeric = [f for f in template.all_fields() if f.type.numeric]
    section_of = {f.key: (s.key, s.title) for s in template.sections for f in s.fields}
    lengths = _lengths(span, counted) if previous is not None else None
    prev_parts: list[StoredTotals] = []
    if previous is not None:
        prev_span = span.previous()
        prev_parts = sorted(
            (t for t in previous if prev_span.includes(t.period)), key=lambda t: t.period.start
        )
        if not any(t.reports for t in prev_parts):
            lengths = None  # as compute_rollup: nothing to compare with
    comparable_sums = lengths is None or lengths[0] == lengths[1]
    rows: list[FieldTotal] = []
    for f in numeric:
        value, n = _finish(f, _merge_in_order(f, parts))
        compare = previous is not None and (comparable_sums or f.aggregation is not Aggregation.SUM)
        prev_value = _finish(f, _merge_in_order(f, prev_parts))[0] if compare else None
        change = value - prev_value if value is not None and prev_value is not None else None
        sk, st = section_of[f.key]
        rows.append(FieldTotal(f, sk, st, value, n, prev_value, change))

    expected_orgs = hierarchy.reporting(None)
    due = [p for p in counted if p.deadline <= now and not p.skipped]
    due_starts = {p.period.start for p in due}
    late: dict[int, set[date]] = {}
    for t in parts:
        if t.period.start in due_starts:
            for oid in t.late:
                late.setdefault(oid, set()).add(t.period.start)
    got: dict[int, Set[date] | None] = {
        r.org_id: None if r.count >= len(due) else (r.starts or frozenset()) for r in reported
    }
    attendance = _attendance(expected_orgs, due, got, late)
    columns = _summary_columns(numeric, counted, now, expected_orgs, attendance, parts, pending)
    text_counts: dict[str, int] = {}
    for t in parts:
        for key, n in t.texts.items():
            text_counts[key] = text_counts.get(key, 0) + n
    return Rollup(
        template=template,
        campaign_name=campaign_name,
        span=span,
        scope=None,
        now=now,
        periods=tuple(p.period for p in counted),
        orgs=tuple(expected_orgs),
        totals=tuple(rows),
        choices=(),
        by_period=tuple(columns),
        lines=(),
        narratives=(),
        attendance=tuple(attendance),
        levels=tuple(_levels(hierarchy, None, None, attendance)),
        reports=sum(t.reports for t in parts),
        names={o.id: hierarchy.full_name(o) for o in expected_orgs},
        unequal_lengths=None if comparable_sums else lengths,
        detail=False,
        text_counts=text_counts,
        skipped=frozenset(p.period for p in counted if p.skipped),
        deadlines={p.period.key: p.deadline for p in counted},
    )


def _summary_columns(
    numeric: Sequence[TemplateField],
    counted: Sequence[PeriodInfo],
    now: datetime,
    expected_orgs: Sequence[OrgUnit],
    attendance: Sequence[Attendance],
    parts: Sequence[StoredTotals],
    pending: Sequence[ReportedPeriods],
) -> list[PeriodTotals]:
    """``compute_rollup``'s per-period columns without reading a report: each period's
    figures from its kept totals; the units that reported, for a due period, from the
    units that missed it (attendance lists them), for a period not yet due or skipped
    from ``pending``. Linear in the misses, not in units x periods (20,000 x 52 at
    national scale)."""
    ids = {o.id for o in expected_orgs}
    # Units some periods do not expect (added since recorded, stopped for a while).
    joined = [o for o in expected_orgs if not o.expected_always]
    missed: dict[date, int] = {}
    for a in attendance:
        for p in a.missed_periods:
            missed[p.start] = missed.get(p.start, 0) + 1
    not_due = [info for info in counted if info.deadline > now or info.skipped]
    reported_pending: dict[date, set[int]] = {info.period.start: set() for info in not_due}
    for r in pending:
        if r.org_id not in ids:
            continue
        for info in not_due:
            if r.starts is None or info.period.start in r.starts:
                reported_pending[info.period.start].add(r.org_id)
    kept = {t.period.start: t for t in parts}
    out: list[PeriodTotals] = []
    for info in counted:
        start = info.period.start
        t = kept.get(start)
        values = {f.key: None if t is None else _finish(f, t.get(f.key))[0] for f in numeric}
        if info.skipped:
            out.append(PeriodTotals(info.period, 0, len(reported_pending[start]), values, True))
            continue
        not_yet = {o.id for o in joined if not o.expected_by(info.deadline)}
        expected = len(ids) - len(not_yet) - len((ids & info.exempt_org_ids) - not_yet)
        if info.deadline <= now:
            received = expected - missed.get(start, 0)
        else:
            received = len(reported_pending[start] - info.exempt_org_ids - not_yet)
        out.append(PeriodTotals(info.period, expected, received, values))
    return out


def _scope_filter(hierarchy: Hierarchy, scope_id: int | None) -> _InScope:
    if scope_id is None:
        return _InScope(None)
    return _InScope(frozenset(n.org.id for n in hierarchy.nodes(scope_id, include_inactive=True)))


@dataclass(frozen=True, slots=True)
class _InScope:
    ids: frozenset[int] | None

    def __call__(self, org_id: int) -> bool:
        return self.ids is None or org_id in self.ids


def _choice_summary(
    f: TemplateField, section_key: str, versions: Sequence[SubmissionVersion]
) -> ChoiceSummary:
    answers = (_YES, _NO) if f.type is FieldType.YESNO else f.choices
    counts: dict[str, int] = dict.fromkeys(answers, 0)
    answered = 0
    for v in versions:
        raw = v.values.get(f.key)
        if isinstance(raw, bool):
            answer = _YES if raw else _NO
        elif isinstance(raw, str) and raw.strip():
            answer = raw.strip()
        else:
            continue
        answered += 1
        counts[answer] = counts.get(answer, 0) + 1
    return ChoiceSummary(f, section_key, tuple((k, n) for k, n in counts.items() if n), answered)


def _lengths(span: Span, counted: Sequence[PeriodInfo]) -> tuple[int, int] | None:
    """(periods in the span, periods in the span before), both calendars' counts. Sums over
    spans of different lengths (a quarter of 14 weeks against one of 13, a month of 5 weeks
    against one of 4) are not compared: "tăng 31%" would only count weeks."""
    if not counted:
        return None
    ptype = counted[0].period.type
    return len(span.source_periods(ptype)), len(span.previous().source_periods(ptype))


def _attendance(
    orgs: Sequence[OrgUnit],
    due: Sequence[PeriodInfo],
    got: Mapping[int, Set[date] | None],
    late: Mapping[int, Set[date]],
) -> list[Attendance]:
    """Each unit's record over the ``due`` periods (in order). ``got``: per unit, the first
    days of the due periods it reported, ``None`` for all of them (absent: none); ``late``:
    those whose report is late. Both paths of the roll-up come here, so they agree."""
    n = len(due)
    exempt_any: set[int] = set().union(*(info.exempt_org_ids for info in due))
    out: list[Attendance] = []
    for org in orgs:
        oid = org.id
        reported = got.get(oid, frozenset())
        late_here = late.get(oid, frozenset())
        if not org.expected_always:
            # Added or stopped during the span: the periods due before it was added or
            # while it was stopped are not its own to miss.
            mine = [i for i in due if org.expected_by(i.deadline)]
            if len(mine) < n:
                out.append(_record(org, mine, reported, late_here))
                continue
        if reported is None and oid not in exempt_any:
            # Every due period reported, none exempt: the common case, without a pass.
            late_ones = (
                tuple(i.period for i in due if i.period.start in late_here) if late_here else ()
            )
            out.append(Attendance(org, n, n - len(late_ones), len(late_ones), 0, (), 0, late_ones))
            continue
        out.append(_record(org, due, reported, late_here))
    return out


def _record(
    org: OrgUnit,
    due: Sequence[PeriodInfo],
    reported: Set[date] | None,
    late_here: Set[date],
) -> Attendance:
    """One unit's record over ``due`` (see ``_attendance``; ``reported`` None: all)."""
    oid = org.id
    expected = on_time = late_n = exempt = run = longest = 0
    missed: list[Period] = []
    late_list: list[Period] = []
    for info in due:
        if oid in info.exempt_org_ids:
            exempt += 1
            continue
        expected += 1
        start = info.period.start
        if reported is not None and start not in reported:
            missed.append(info.period)
            run += 1
            longest = max(longest, run)
            continue
        run = 0
        if start in late_here:
            late_n += 1
            late_list.append(info.period)
        else:
            on_time += 1
    return Attendance(
        org, expected, on_time, late_n, exempt, tuple(missed), longest, tuple(late_list)
    )


def _levels(
    hierarchy: Hierarchy,
    scope_id: int | None,
    scope: OrgUnit | None,
    attendance: Sequence[Attendance],
) -> list[LevelAttendance]:
    """One line for the scope as a whole, then one per grouping unit beneath it."""
    by_org = {a.org.id: a for a in attendance}

    def level(org: OrgUnit | None, depth: int, under: int | None) -> LevelAttendance:
        units = [by_org[o.id] for o in hierarchy.reporting(under) if o.id in by_org]
        return LevelAttendance(
            org,
            depth,
            len(units),
            sum(a.expected for a in units),
            sum(a.received for a in units),
            sum(a.on_time for a in units),
        )

    roots = hierarchy.children(None)
    if scope_id is None and len(roots) == 1 and not roots[0].reports:
        # One province holding everything: its line is the workspace's line.
        scope, scope_id = roots[0], roots[0].id
    out = [level(scope, 0, scope_id)]
    for node in hierarchy.groups(scope_id):
        if scope_id is not None and node.org.id == scope_id:
            continue
        depth = node.depth if scope_id is not None else node.depth + 1
        out.append(level(node.org, depth, node.org.id))
    return out
