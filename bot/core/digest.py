"""Digest computation: who reported, totals, changes, per-organization rows, narratives.

Pure and linear in the number of submissions times the number of fields: organizations are
indexed by id and fields by key once, so a week over 20,000 units stays well under a second.

Rules decided here (the renderer and the services rely on them):

* **Completeness** counts only the *expected* organizations: ``orgs`` minus
  ``exempt_org_ids``. An expected organization is *reported* when it has a current version
  for the period, otherwise *missing* (reminders target exactly ``missing``).
* **Late** is the ``late`` flag recorded on the current version at ingest (the ingest knows
  the submission's history: a correction made after the deadline to an on-time report may
  stay on time). ``deadline`` and ``now`` only say whether the deadline has passed.
* **Submissions from organizations outside the expected list** (deactivated organizations,
  exempt ones that reported anyway, unknown ids) are not counted in completeness; they are
  listed in ``Completeness.extra``, and their values *are* included in the totals, the
  per-organization rows, the narratives and the cumulative totals: a figure reported is a
  figure achieved. Pass ``other_orgs`` to give them names; an unknown id is shown as
  "Đơn vị số <id>".
* If a sequence holds several versions for the same organization (and period), the highest
  version wins.
* **Aggregation** (``TemplateField.aggregation``), over the organizations that gave a value:
  ``sum``; ``average`` (a ``Decimal`` rounded to 2 places; money stays whole đồng);
  ``max``; ``latest`` (the value with the latest ``submitted_at``). Counts and money are
  ``int``, decimal and percent ``Decimal``. A field nobody filled has ``value`` ``None``.
* **Change** against the previous period is given only when the previous period had at
  least one value for the field.
* **Cumulative** ("lũy kế từ đầu đợt") applies the same aggregation to every value of every
  period from the campaign start through ``period`` (versions of later periods are ignored).

Totals per period (decided, for scale: a year of a national campaign is a million reports):
a ``PeriodTotals`` holds, for each numeric field, what the aggregation needs from one
period's reports (how many gave a number, their sum, their maximum, the latest of them),
and totals of several periods merge into the totals of all their reports. So the cumulative
section is the merge of stored per-period totals instead of a pass over every report since
the campaign began, and the change against the previous period needs that period's totals
only. ``compute_digest`` takes either form and gives the same digest: sums of integers are
exact, sums of decimals are exact while they fit Decimal's 28 significant digits (always,
for figures people type), the maximum and the latest do not depend on grouping, and an
average is the merged sum over the merged count.

The same rows also serve the roll-up of a long span (``bot.core.rollup``'s summary path), so
they carry what its chat text needs besides the numbers: how many reports gave each text
field (the narratives it counts) and which units' reports were late (its completeness).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from bot.core.checklist import ChecklistDigest
from bot.core.directives import DirectiveProgress
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Aggregation, FieldType, Template, TemplateField

if TYPE_CHECKING:
    from bot.core.indicators import IndicatorSummary

__all__ = [
    "ChoiceSummary",
    "Completeness",
    "Digest",
    "DigestPlan",
    "FieldAggregate",
    "FieldTotal",
    "LevelStatus",
    "NarrativeItem",
    "OrgNarrative",
    "OrgReport",
    "OrgRow",
    "PeriodTotals",
    "PreparedReport",
    "compute_completeness",
    "compute_digest",
    "digest_plan",
    "period_totals",
    "totals_signature",
]

Number = int | Decimal

_CENT = Decimal("0.01")
_YES = "Có"
_NO = "Không"


# -- records ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OrgReport:
    """That an organization reported: when (current version), whether late, which version."""

    org: OrgUnit
    submitted_at: datetime
    late: bool
    version: int
    expected: bool = True


@dataclass(frozen=True, slots=True)
class Completeness:
    """Who reported for a period, on time or late, and who is missing.

    ``expected``, ``missing`` and ``exempt`` keep the order of ``orgs``; ``reported`` too.
    ``extra`` holds reports from organizations outside the expected list.
    """

    period: Period
    deadline: datetime
    now: datetime
    expected: tuple[OrgUnit, ...]
    reported: tuple[OrgReport, ...]
    missing: tuple[OrgUnit, ...]
    exempt: tuple[OrgUnit, ...] = ()
    extra: tuple[OrgReport, ...] = ()
    # A skipped period (``/nghi``): nobody is expected, the reports sent are all ``extra``
    # and still count in the figures.
    skipped: bool = False

    @property
    def on_time(self) -> tuple[OrgReport, ...]:
        return tuple(r for r in self.reported if not r.late)

    @property
    def late(self) -> tuple[OrgReport, ...]:
        return tuple(r for r in self.reported if r.late)

    @property
    def expected_count(self) -> int:
        return len(self.expected)

    @property
    def reported_count(self) -> int:
        return len(self.reported)

    @property
    def overdue(self) -> bool:
        """Whether the deadline has passed at ``now``."""
        return self.now >= self.deadline

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True, slots=True)
class FieldTotal:
    """One numeric field rolled up over the organizations (or over the whole campaign)."""

    field: TemplateField
    section_key: str
    section_title: str
    value: Number | None
    contributors: int
    previous: Number | None = None
    change: Number | None = None

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def label(self) -> str:
        return self.field.label

    @property
    def unit(self) -> str:
        return self.field.unit

    @property
    def type(self) -> FieldType:
        return self.field.type

    @property
    def aggregation(self) -> Aggregation:
        return self.field.aggregation


@dataclass(frozen=True, slots=True)
class ChoiceSummary:
    """A yes/no or choice field: how many organizations gave each answer.

    ``counts`` lists the answers in a stable order (Có, Không; then the template's choices,
    then any other answer in the order first met), only those given at least once.
    """

    field: TemplateField
    section_key: str
    counts: tuple[tuple[str, int], ...]
    answered: int


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One organization's report: numeric, yes/no, choice and photo values in template order."""

    org: OrgUnit
    submitted_at: datetime
    late: bool
    version: int
    expected: bool
    values: Mapping[str, FieldValue]
    photos: int = 0


@dataclass(frozen=True, slots=True)
class NarrativeItem:
    field: TemplateField
    text: str


@dataclass(frozen=True, slots=True)
class OrgNarrative:
    org: OrgUnit
    items: tuple[NarrativeItem, ...]


@dataclass(frozen=True, slots=True)
class LevelStatus:
    """Completeness of the reporting units under one grouping unit (a commune)."""

    org: OrgUnit
    depth: int
    expected: int
    reported: int


@dataclass(frozen=True, slots=True)
class Digest:
    template: Template
    period: Period
    campaign_name: str
    deadline: datetime
    now: datetime
    completeness: Completeness
    totals: tuple[FieldTotal, ...]
    choices: tuple[ChoiceSummary, ...]
    rows: tuple[OrgRow, ...]
    narratives: tuple[OrgNarrative, ...]
    cumulative: tuple[FieldTotal, ...]
    cumulative_periods: tuple[Period, ...]
    # Per grouping unit, in a multi-level workspace (filled in by the service).
    levels: tuple[LevelStatus, ...] = ()
    # Directives in force during the period, with acknowledgements and the answers given
    # with the period's reports (bot.core.directives).
    directives: tuple[DirectiveProgress, ...] = ()
    # A checklist template: each unit's class and its change (filled in by the service).
    checklist: ChecklistDigest | None = None
    # The template's indicators with targets and progress (filled in by the service).
    indicators: tuple[IndicatorSummary, ...] = ()

    @property
    def empty(self) -> bool:
        """No organization (expected or not) reported for the period."""
        return not self.rows


@dataclass(frozen=True, slots=True)
class FieldAggregate:
    """One numeric field over a set of reports: how many gave a number, and what the
    field's aggregation needs of them (``total`` for sum and average, ``maximum`` for max,
    ``latest`` = (submitted_at, version id, value) for latest; the others stay None)."""

    count: int = 0
    total: Number | None = None
    maximum: Number | None = None
    latest: tuple[datetime, int, Number] | None = None

    def merge(self, other: FieldAggregate) -> FieldAggregate:
        """The aggregate of both sets of reports (disjoint: different periods)."""
        if not other.count:
            return self
        if not self.count:
            return other
        total = (
            other.total
            if self.total is None
            else self.total
            if other.total is None
            else self.total + other.total
        )
        maximum = (
            other.maximum
            if self.maximum is None
            else self.maximum
            if other.maximum is None
            else max(self.maximum, other.maximum)
        )
        latest = self.latest
        if other.latest is not None and (latest is None or other.latest[:2] > latest[:2]):
            latest = other.latest
        return FieldAggregate(self.count + other.count, total, maximum, latest)


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """A period's numeric fields aggregated over its current reports (``reports`` of them).
    Valid for the template whose ``totals_signature`` it was computed with."""

    period: Period
    reports: int
    fields: Mapping[str, FieldAggregate] = field(default_factory=dict)
    # Text fields: how many reports gave a non-blank text (a year's roll-up counts its
    # narratives from these instead of reading every report).
    texts: Mapping[str, int] = field(default_factory=dict)
    # The units whose current report is late (usually few): a roll-up's completeness.
    late: frozenset[int] = frozenset()

    def get(self, key: str) -> FieldAggregate:
        return self.fields.get(key) or _NO_VALUES


_NO_VALUES = FieldAggregate()


# -- helpers ------------------------------------------------------------------------------
def _latest_per_org(versions: Iterable[SubmissionVersion]) -> list[SubmissionVersion]:
    """One version per (period, organization), the highest; first-seen order kept."""
    best: dict[tuple[date, int], SubmissionVersion] = {}
    for v in versions:
        k = (v.period.start, v.org_id)
        cur = best.get(k)
        if cur is None or v.version > cur.version:
            best[k] = v
    return list(best.values())


def _placeholder_org(org_id: int) -> OrgUnit:
    return OrgUnit(
        id=org_id,
        workspace_id=0,
        code=f"#{org_id}",
        name=f"Đơn vị số {org_id}",
        short_name="",
        active=False,
        sort_order=1 << 30,
    )


def _is_int_field(field: TemplateField) -> bool:
    return field.type is FieldType.COUNT or field.type is FieldType.MONEY


def _coerce(field: TemplateField, value: FieldValue) -> Number | None:
    """A stored value as the field's number type, or None when it is not a number.

    Counts and money become ``int`` (a whole ``Decimal`` is accepted, a fractional one is
    rounded half up); decimal and percent become ``Decimal``. Booleans, text, photos and
    non-finite decimals are not numbers.
    """
    kind = type(value)
    as_int = _is_int_field(field)
    if kind is int:  # the common case first (bool is excluded: type(True) is bool)
        assert isinstance(value, int)
        return value if as_int else Decimal(value)
    if kind is bool or not isinstance(value, int | Decimal):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value.to_integral_value(rounding=ROUND_HALF_UP)) if as_int else value
    return int(value) if as_int else Decimal(int(value))  # an int subclass


def _numbers(field: TemplateField, raws: list[FieldValue | None]) -> list[Number]:
    """The numbers among raw values (fast path for values already of the field's type)."""
    if _is_int_field(field):
        nums: list[Number] = [r for r in raws if type(r) is int]
    else:
        nums = [r for r in raws if type(r) is Decimal and r.is_finite()]
    if len(nums) + raws.count(None) == len(raws):
        return nums
    return [n for r in raws if r is not None and (n := _coerce(field, r)) is not None]


def _aggregate(
    field: TemplateField, versions: Sequence[SubmissionVersion]
) -> tuple[Number | None, int]:
    """The field's aggregate over ``versions`` and how many of them gave a value."""
    key = field.key
    raws = [v.values.get(key) for v in versions]
    agg = field.aggregation
    if agg is Aggregation.LATEST:
        latest: tuple[datetime, int, Number] | None = None
        n = 0
        for v, raw in zip(versions, raws, strict=True):
            if raw is None:
                continue
            num = _coerce(field, raw)
            if num is None:
                continue
            n += 1
            if latest is None or (v.submitted_at, v.id) > latest[:2]:
                latest = (v.submitted_at, v.id, num)
        return (None, 0) if latest is None else (latest[2], n)
    return reduce_numbers(field, _numbers(field, raws))


def reduce_numbers(field: TemplateField, nums: Sequence[Number]) -> tuple[Number | None, int]:
    """The sum, average or maximum of ``nums`` (already of the field's number type) by the
    field's rule, and how many there were; not for ``latest``, which needs their order."""
    if not nums:
        return None, 0
    n = len(nums)
    agg = field.aggregation
    if agg is Aggregation.MAX:
        return max(nums), n
    total: Number = sum(nums) if _is_int_field(field) else sum(nums, Decimal(0))
    if agg is Aggregation.SUM:
        return total, n
    avg = Decimal(total) / n
    if field.type is FieldType.MONEY:
        return int(avg.to_integral_value(rounding=ROUND_HALF_UP)), n
    return avg.quantize(_CENT, rounding=ROUND_HALF_UP), n


NumberSpec = tuple[tuple[str, bool, TemplateField], ...]  # (key, whole numbers?, field)


def number_spec(fields: Iterable[TemplateField]) -> NumberSpec:
    """What ``coerce_numbers`` needs of the numeric fields, worked out once."""
    return tuple((f.key, _is_int_field(f), f) for f in fields if f.type.numeric)


def coerce_numbers(spec: NumberSpec, values: Mapping[str, FieldValue]) -> dict[str, Number]:
    """A report's numeric fields as numbers of their type (``_coerce``), the fields without
    a number left out: done once per report when several figures are made from it."""
    out: dict[str, Number] = {}
    for key, whole, f in spec:
        raw = values.get(key)
        if raw is None:
            continue
        if whole and type(raw) is int:
            out[key] = raw
            continue
        num = _coerce(f, raw)
        if num is not None:
            out[key] = num
    return out


def _field_aggregate(field: TemplateField, versions: Sequence[SubmissionVersion]) -> FieldAggregate:
    """What ``_aggregate`` needs of ``versions`` for ``field``, in mergeable form."""
    key = field.key
    agg = field.aggregation
    if agg is Aggregation.LATEST:
        latest: tuple[datetime, int, Number] | None = None
        n = 0
        for v in versions:
            raw = v.values.get(key)
            if raw is None:
                continue
            num = _coerce(field, raw)
            if num is None:
                continue
            n += 1
            if latest is None or (v.submitted_at, v.id) > latest[:2]:
                latest = (v.submitted_at, v.id, num)
        return FieldAggregate(n, latest=latest)
    nums = _numbers(field, [v.values.get(key) for v in versions])
    if not nums:
        return _NO_VALUES
    if agg is Aggregation.MAX:
        return FieldAggregate(len(nums), maximum=max(nums))
    total: Number = sum(nums) if _is_int_field(field) else sum(nums, Decimal(0))
    return FieldAggregate(len(nums), total=total)


def _finish(field: TemplateField, a: FieldAggregate) -> tuple[Number | None, int]:
    """The field's aggregate and its contributors, as ``_aggregate`` gives them."""
    if not a.count:
        return None, 0
    agg = field.aggregation
    if agg is Aggregation.LATEST:
        assert a.latest is not None
        return a.latest[2], a.count
    if agg is Aggregation.MAX:
        return a.maximum, a.count
    assert a.total is not None
    if agg is Aggregation.SUM:
        return a.total, a.count
    avg = Decimal(a.total) / a.count
    if field.type is FieldType.MONEY:
        return int(avg.to_integral_value(rounding=ROUND_HALF_UP)), a.count
    return avg.quantize(_CENT, rounding=ROUND_HALF_UP), a.count


def _numeric_fields(template: Template) -> list[TemplateField]:
    return [f for section in template.sections for f in section.fields if f.type.numeric]


def _text_fields(template: Template) -> list[TemplateField]:
    return [f for section in template.sections for f in section.fields if f.type is FieldType.TEXT]


# Bumped when ``PeriodTotals`` learns something new, so rows kept before are computed again
# (2: text counts and late units).
_TOTALS_FORM = "2"


def totals_signature(template: Template) -> str:
    """What ``PeriodTotals`` depend on in a template: its numeric fields' keys, types and
    aggregations, and its text fields' keys. Totals stored under another signature must be
    computed again."""
    spec = "|".join(
        [_TOTALS_FORM]
        + [f"{f.key}:{f.type.value}:{f.aggregation.value}" for f in _numeric_fields(template)]
        + [f"{f.key}:text" for f in _text_fields(template)]
    )
    return hashlib.sha256(spec.encode("utf-8")).hexdigest()[:16]


def period_totals(
    template: Template, period: Period, versions: Iterable[SubmissionVersion]
) -> PeriodTotals:
    """The totals of ``period`` from its versions (versions of other periods are ignored;
    of several versions of one organization the highest counts)."""
    cur = [v for v in _latest_per_org(versions) if v.period == period]
    fields: dict[str, FieldAggregate] = {}
    for f in _numeric_fields(template):
        a = _field_aggregate(f, cur)
        if a.count:
            fields[f.key] = a
    texts: dict[str, int] = {}
    for f in _text_fields(template):
        key = f.key
        n = sum(1 for v in cur if isinstance(raw := v.values.get(key), str) and raw.strip())
        if n:
            texts[key] = n
    late = frozenset(v.org_id for v in cur if v.late)
    return PeriodTotals(period, len(cur), fields, texts, late)


def _is_empty(value: FieldValue) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, tuple) and not value


# -- completeness -------------------------------------------------------------------------
def compute_completeness(
    *,
    period: Period,
    orgs: Sequence[OrgUnit],
    deadline: datetime,
    current: Sequence[SubmissionVersion],
    now: datetime,
    exempt_org_ids: frozenset[int] = frozenset(),
    other_orgs: Sequence[OrgUnit] = (),
    skipped: bool = False,
) -> Completeness:
    """Who of ``orgs`` (minus the exempt) reported for ``period``, on time or late, and who
    has not. ``current`` holds current versions; reports from other organizations go to
    ``extra`` (named from ``other_orgs`` when given). A ``skipped`` period expects nobody
    (``orgs`` should be empty): every report is ``extra``."""
    c, _ = _completeness_of(
        period=period,
        orgs=() if skipped else orgs,
        deadline=deadline,
        prepared={v.org_id: v for v in _latest_per_org(current)},
        now=now,
        exempt_org_ids=exempt_org_ids,
        other_orgs=[*orgs, *other_orgs] if skipped else other_orgs,
    )
    return replace(c, skipped=True) if skipped else c


def _completeness_of(
    *,
    period: Period,
    orgs: Sequence[OrgUnit],
    deadline: datetime,
    prepared: Mapping[int, PreparedReport] | Mapping[int, SubmissionVersion],
    now: datetime,
    exempt_org_ids: frozenset[int],
    other_orgs: Sequence[OrgUnit],
) -> tuple[Completeness, list[PreparedReport]]:
    """Completeness from each reporting unit's version or ``PreparedReport`` (by unit id);
    with prepared reports, also those reports in the order of ``reported`` then ``extra``
    (the digest's rows). A prepared report's ``OrgReport`` made for an earlier digest is
    used again when its unit is the same object (a kept week, ``bot.core.board``): at
    national scale this loop is most of a kept week's digest."""
    expected: list[OrgUnit] = []
    exempt: list[OrgUnit] = []
    reported: list[OrgReport] = []
    missing: list[OrgUnit] = []
    hits: list[PreparedReport] = []
    expected_ids: set[int] = set()
    add_id = expected_ids.add
    add_expected = expected.append
    add_missing = missing.append
    add_reported = reported.append
    add_hit = hits.append
    get = prepared.get
    for org in orgs:
        oid = org.id
        if oid in expected_ids:
            continue
        if oid in exempt_org_ids:
            exempt.append(org)
            continue
        add_id(oid)
        add_expected(org)
        p = get(oid)
        if p is None:
            add_missing(org)
        elif type(p) is PreparedReport:
            r = p._report
            if r is None or r.org is not org or not r.expected:
                r = p.report_for(org, True)
            add_reported(r)
            add_hit(p)
        else:
            assert isinstance(p, SubmissionVersion)
            add_reported(OrgReport(org, p.submitted_at, p.late, p.version, True))
    extra: list[tuple[OrgReport, PreparedReport | None]] = []
    extra_ids = prepared.keys() - expected_ids
    if extra_ids:
        names = {o.id: o for o in other_orgs}
        names.update((o.id, o) for o in orgs)
        for oid in extra_ids:
            org = names.get(oid) or _placeholder_org(oid)
            p = prepared[oid]
            if isinstance(p, PreparedReport):
                extra.append((p.report_for(org, False), p))
            else:
                extra.append((OrgReport(org, p.submitted_at, p.late, p.version, False), None))
        extra.sort(key=lambda e: (e[0].org.sort_order, e[0].org.id))
    hits.extend(p for _, p in extra if p is not None)
    comp = Completeness(
        period=period,
        deadline=deadline,
        now=now,
        expected=tuple(expected),
        reported=tuple(reported),
        missing=tuple(missing),
        exempt=tuple(exempt),
        extra=tuple(r for r, _ in extra),
    )
    return comp, hits


# -- digest -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DigestPlan:
    """A template's fields as the digest uses them, worked out once per template."""

    section_of: Mapping[str, tuple[str, str]]
    numeric: tuple[TemplateField, ...]
    choice_fields: tuple[TemplateField, ...]
    text_fields: tuple[TemplateField, ...]
    # (key, field, numeric?, whole numbers?) of the fields a unit's row shows.
    row_plan: tuple[tuple[str, TemplateField, bool, bool], ...]
    text_keys: tuple[tuple[str, TemplateField], ...]


_PLANS: dict[int, tuple[Template, DigestPlan]] = {}


def digest_plan(template: Template) -> DigestPlan:
    """The template's ``DigestPlan``, remembered by identity (templates are immutable and
    the service keeps each one it loads; a few are alive at a time)."""
    hit = _PLANS.get(id(template))
    if hit is not None and hit[0] is template:
        return hit[1]
    section_of: dict[str, tuple[str, str]] = {}
    numeric: list[TemplateField] = []
    choice_fields: list[TemplateField] = []
    text_fields: list[TemplateField] = []
    row_fields: list[TemplateField] = []
    for section in template.sections:
        for f in section.fields:
            section_of[f.key] = (section.key, section.title)
            if f.type.numeric:
                numeric.append(f)
                row_fields.append(f)
            elif f.type in (FieldType.YESNO, FieldType.CHOICE):
                choice_fields.append(f)
                row_fields.append(f)
            elif f.type is FieldType.TEXT:
                text_fields.append(f)
            else:
                row_fields.append(f)
    plan = DigestPlan(
        section_of=section_of,
        numeric=tuple(numeric),
        choice_fields=tuple(choice_fields),
        text_fields=tuple(text_fields),
        row_plan=tuple((f.key, f, f.type.numeric, _is_int_field(f)) for f in row_fields),
        text_keys=tuple((f.key, f) for f in text_fields),
    )
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[id(template)] = (template, plan)
    return plan


class PreparedReport:
    """One current report as the digest shows it: its row's values (numbers of their
    field's type, non-blank answers) and its narrative items. Made once per report; a kept
    week (``bot.core.board``) holds one per unit and makes each digest from them."""

    __slots__ = ("_narrative", "_report", "_row", "narrative", "numbers", "values", "version")

    def __init__(self, plan: DigestPlan, v: SubmissionVersion) -> None:
        self.version = v
        values = v.values
        vals: dict[str, FieldValue] = {}
        numbers: dict[str, Number] = {}
        for key, f, is_numeric, as_int in plan.row_plan:
            raw = values.get(key)
            if raw is None:
                continue
            if is_numeric:
                num = raw if as_int and type(raw) is int else _coerce(f, raw)
                if num is not None:
                    vals[key] = num
                    numbers[key] = num
            elif not _is_empty(raw):
                vals[key] = raw
        self.values: Mapping[str, FieldValue] = vals
        # The numeric fields with a number (the same as ``coerce_numbers``).
        self.numbers: Mapping[str, Number] = numbers
        items = []
        for key, f in plan.text_keys:
            raw = values.get(key)
            if isinstance(raw, str) and raw.strip():
                items.append(NarrativeItem(f, raw.strip()))
        self.narrative: tuple[NarrativeItem, ...] = tuple(items)
        self._report: OrgReport | None = None
        self._row: OrgRow | None = None
        self._narrative: OrgNarrative | None = None

    def report_for(self, org: OrgUnit, expected: bool) -> OrgReport:
        r = self._report
        if r is None or r.org is not org or r.expected is not expected:
            v = self.version
            r = self._report = OrgReport(org, v.submitted_at, v.late, v.version, expected)
        return r

    def narrative_for(self, org: OrgUnit) -> OrgNarrative:
        n = self._narrative
        if n is None or n.org is not org:
            n = self._narrative = OrgNarrative(org, self.narrative)
        return n

    def row_for(self, rep: OrgReport) -> OrgRow:
        row = self._row
        if row is None or row.org is not rep.org or row.expected is not rep.expected:
            row = self._row = OrgRow(
                org=rep.org,
                submitted_at=rep.submitted_at,
                late=rep.late,
                version=rep.version,
                expected=rep.expected,
                values=self.values,
                photos=len(self.version.photos),
            )
        return row


def compute_digest(
    *,
    template: Template,
    orgs: Sequence[OrgUnit],
    period: Period,
    deadline: datetime,
    current: Sequence[SubmissionVersion],
    previous: Sequence[SubmissionVersion],
    cumulative: Sequence[SubmissionVersion],
    now: datetime,
    campaign_name: str = "",
    exempt_org_ids: frozenset[int] = frozenset(),
    other_orgs: Sequence[OrgUnit] = (),
    cumulative_from: Period | None = None,
    current_totals: PeriodTotals | None = None,
    previous_totals: PeriodTotals | None = None,
    cumulative_totals: Sequence[PeriodTotals] | None = None,
    prepared: Mapping[int, PreparedReport] | None = None,
) -> Digest:
    """Everything the leadership digest shows for ``period`` (see the module docstring).

    ``cumulative_from`` (the campaign's first period) makes the cumulative section count
    every period since then, reported or not; without it only periods with data count.

    The totals may come precomputed (the same digest results, see the module docstring):
    ``current_totals`` of ``current`` for ``period``, ``previous_totals`` in place of
    ``previous``, and ``cumulative_totals`` (one per period, the current one included) in
    place of ``cumulative``. ``prepared`` may hold ``current``'s reports already prepared,
    by organization (one version each: a kept week's, ``bot.core.board``)."""
    plan = digest_plan(template)
    cur = _latest_per_org(current) if prepared is None else list(current)
    if prepared is None:
        prepared = {v.org_id: PreparedReport(plan, v) for v in cur}
    comp, hits = _completeness_of(
        period=period,
        orgs=orgs,
        deadline=deadline,
        prepared=prepared,
        now=now,
        exempt_org_ids=exempt_org_ids,
        other_orgs=other_orgs,
    )
    section_of = plan.section_of
    numeric = plan.numeric
    choice_fields = plan.choice_fields

    # Rows in display order: expected reporters, then the others.
    rows: list[OrgRow] = []
    narratives: list[OrgNarrative] = []
    add_row = rows.append
    add_narrative = narratives.append
    for rep, p in zip((*comp.reported, *comp.extra), hits, strict=True):
        row = p._row
        if row is None or row.org is not rep.org or row.expected is not rep.expected:
            row = p.row_for(rep)
        add_row(row)
        if p.narrative:
            narr = p._narrative
            if narr is None or narr.org is not rep.org:
                narr = p.narrative_for(rep.org)
            add_narrative(narr)

    # Totals and change against the previous period.
    prev = _latest_per_org(previous) if previous_totals is None else []
    totals: list[FieldTotal] = []
    for f in numeric:
        if current_totals is None:
            value, n = _aggregate(f, cur)
        else:
            value, n = _finish(f, current_totals.get(f.key))
        if previous_totals is None:
            prev_value, _ = _aggregate(f, prev)
        else:
            prev_value, _ = _finish(f, previous_totals.get(f.key))
        change: Number | None = None
        if value is not None and prev_value is not None:
            change = value - prev_value
        sk, st = section_of[f.key]
        totals.append(FieldTotal(f, sk, st, value, n, prev_value, change))

    # Yes/no and choice summaries.
    choices: list[ChoiceSummary] = []
    for f in choice_fields:
        answers = (_YES, _NO) if f.type is FieldType.YESNO else f.choices
        counts: dict[str, int] = dict.fromkeys(answers, 0)
        answered = 0
        for row in rows:
            raw = row.values.get(f.key)
            if raw is None:
                continue
            if isinstance(raw, bool):
                answer = _YES if raw else _NO
            elif isinstance(raw, str):
                answer = raw.strip()
            else:
                continue
            answered += 1
            counts[answer] = counts.get(answer, 0) + 1
        choices.append(
            ChoiceSummary(
                f,
                section_of[f.key][0],
                tuple((k, n) for k, n in counts.items() if n),
                answered,
            )
        )

    # Cumulative totals from the campaign start through this period.
    cum_rows: list[FieldTotal] = []
    seen_periods: dict[date, Period] = {}
    if cumulative_totals is None:
        cum_versions = [
            v
            for v in _latest_per_org(cumulative)
            if v.period.type is period.type and v.period.start <= period.start
        ]
        for f in numeric:
            value, n = _aggregate(f, cum_versions)
            sk, st = section_of[f.key]
            cum_rows.append(FieldTotal(f, sk, st, value, n))
        seen_periods = {v.period.start: v.period for v in cum_versions}
    else:
        parts = [
            t
            for t in cumulative_totals
            if t.reports and t.period.type is period.type and t.period.start <= period.start
        ]
        for f in numeric:
            merged = _NO_VALUES
            for t in parts:
                merged = merged.merge(t.get(f.key))
            value, n = _finish(f, merged)
            sk, st = section_of[f.key]
            cum_rows.append(FieldTotal(f, sk, st, value, n))
        seen_periods = {t.period.start: t.period for t in parts}
    periods = tuple(seen_periods[d] for d in sorted(seen_periods))
    if cumulative_from is not None and cumulative_from <= period and periods:
        span = [cumulative_from]
        while span[-1] < period:
            span.append(span[-1].next())
        periods = tuple(span)

    return Digest(
        template=template,
        period=period,
        campaign_name=campaign_name,
        deadline=deadline,
        now=now,
        completeness=comp,
        totals=tuple(totals),
        choices=tuple(choices),
        rows=tuple(rows),
        narratives=tuple(narratives),
        cumulative=tuple(cum_rows),
        cumulative_periods=periods,
    )
