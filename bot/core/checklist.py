"""Self-assessment checklists (issue 9, part 4): classifying a unit from its yes/no answers,
and the digest's view of every unit's class and its change since the previous period.

Rules decided here (the renderer, the dialog and the exports rely on them):

* **Criteria** are the template's yes/no fields named by ``checklist.criteria`` (all yes/no
  fields when it is empty) that apply to the unit (``applies_to`` of the field or its
  section): a school is not judged on a village's criteria.
* **Unanswered** criteria count as not met (``unanswered: not_met``, the default: a safety
  rating is never earned by silence) or are left out of every count (``unanswered: skip``).
  A unit that answered no criterion at all has no class ("chưa đánh giá"), whatever the
  policy: there is nothing to assess.
* **Classes** are tried in order and the first whose conditions hold is the unit's; the last
  one takes everyone else. The order is also the severity (first = most serious), which
  says whether a change is for the better or the worse.
* **Shares** are compared exactly (met × 100 < P × counted), never after rounding, so 79,99%
  is below 80%; a share over no counted criteria is neither below nor above any threshold.
* **Change** is against the unit's report for the previous period, classified with the
  current template, so a change of class reflects the unit's answers and not a new rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.core.checklist_spec import ChecklistSpec, Condition, Level, Unanswered
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Template, TemplateField

__all__ = [
    "Assessment",
    "ChecklistDigest",
    "ClassCount",
    "SpanClasses",
    "UnitClass",
    "UnitHistory",
    "assess",
    "compute_checklist_digest",
    "compute_checklist_span",
]


@dataclass(frozen=True, slots=True)
class Assessment:
    """One unit's answers against the checklist and the class they give."""

    spec: ChecklistSpec
    level: Level | None  # None: no criterion answered, not assessed
    criteria: tuple[TemplateField, ...]  # the criteria that apply to the unit, form order
    met: tuple[str, ...]
    not_met: tuple[str, ...]  # answered "không"
    unanswered: tuple[str, ...]
    critical_failed: tuple[str, ...]  # critical criteria not met (unanswered ones included
    # when they count as not met)

    @property
    def counted(self) -> int:
        """How many criteria the share is over."""
        if self.spec.unanswered is Unanswered.SKIP:
            return len(self.met) + len(self.not_met)
        return len(self.criteria)

    @property
    def percent(self) -> Decimal | None:
        """The share of criteria met, to one decimal (display only; rules compare exactly)."""
        if not self.counted:
            return None
        raw = Decimal(len(self.met) * 100) / Decimal(self.counted)
        return raw.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def failed(self) -> tuple[str, ...]:
        """Criteria that count against the unit, form order."""
        if self.spec.unanswered is Unanswered.SKIP:
            return self.not_met
        bad = set(self.not_met) | set(self.unanswered)
        return tuple(f.key for f in self.criteria if f.key in bad)

    @property
    def rank(self) -> int | None:
        """Position of the class in the rule (0 = most serious)."""
        if self.level is None:
            return None
        return [lv.key for lv in self.spec.levels].index(self.level.key)


def _answer(value: FieldValue | None) -> bool | None:
    if isinstance(value, bool):
        return value
    return None


def _holds(
    c: Condition,
    spec: ChecklistSpec,
    keys: Sequence[str],
    met: set[str],
    failed: set[str],
    sections: Mapping[str, frozenset[str]],
) -> bool:
    scope = [k for k in keys if c.section is None or k in sections.get(c.section, frozenset())]
    if not scope:
        return False  # the section's criteria do not apply to this unit
    n_met = sum(1 for k in scope if k in met)
    n_failed = sum(1 for k in scope if k in failed)
    counted = n_met + n_failed
    if c.critical_not_met_at_least is not None:
        critical = sum(1 for k in scope if k in failed and k in spec.critical)
        if critical < c.critical_not_met_at_least:
            return False
    if c.not_met_at_least is not None and n_failed < c.not_met_at_least:
        return False
    if c.any_not_met and not any(k in failed for k in c.any_not_met if k in scope):
        return False
    if c.percent_met_below is not None and not (
        counted and n_met * 100 < c.percent_met_below * counted
    ):
        return False
    return c.percent_met_at_least is None or bool(
        counted and n_met * 100 >= c.percent_met_at_least * counted
    )


def assess(
    template: Template, org_code: str | None, values: Mapping[str, FieldValue]
) -> Assessment | None:
    """Classify one unit's report; ``None`` when the template is not a checklist."""
    spec = template.checklist
    if spec is None:
        return None
    applicable = {f.key for f in template.fields_for(org_code)}
    criteria = tuple(f for f in template.criteria() if f.key in applicable)
    met: list[str] = []
    not_met: list[str] = []
    unanswered: list[str] = []
    for f in criteria:
        answer = _answer(values.get(f.key))
        if answer is None:
            unanswered.append(f.key)
        elif answer:
            met.append(f.key)
        else:
            not_met.append(f.key)
    skip = spec.unanswered is Unanswered.SKIP
    failed = set(not_met) if skip else set(not_met) | set(unanswered)
    critical_failed = tuple(f.key for f in criteria if f.key in failed and f.key in spec.critical)
    level: Level | None = None
    if met or not_met:
        keys = [f.key for f in criteria]
        sections = {s.key: frozenset(f.key for f in s.fields) for s in template.sections}
        met_set = set(met)
        level = next(
            (
                lv
                for lv in spec.levels
                if not lv.when
                or any(_holds(c, spec, keys, met_set, failed, sections) for c in lv.when)
            ),
            spec.levels[-1],
        )
    return Assessment(
        spec=spec,
        level=level,
        criteria=criteria,
        met=tuple(met),
        not_met=tuple(not_met),
        unanswered=tuple(unanswered),
        critical_failed=critical_failed,
    )


# -- the digest's view ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnitClass:
    """A unit's class this period and in the previous one (``None``: no report then, or
    nothing answered)."""

    org: OrgUnit
    current: Assessment
    previous: Assessment | None

    @property
    def changed(self) -> bool:
        """A class that differs from the previous period's (both assessed)."""
        return (
            self.previous is not None
            and self.previous.level is not None
            and self.current.level is not None
            and self.previous.level.key != self.current.level.key
        )

    @property
    def better(self) -> bool:
        """The change is towards a less serious class."""
        prev, cur = self.previous, self.current
        if not self.changed or prev is None or prev.rank is None or cur.rank is None:
            return False
        return cur.rank > prev.rank


@dataclass(frozen=True, slots=True)
class ClassCount:
    level: Level | None  # None: "chưa đánh giá"
    current: int
    previous: int


@dataclass(frozen=True, slots=True)
class ChecklistDigest:
    """Every reporting unit's class this period, counts per class now and then, changes."""

    template: Template
    units: tuple[UnitClass, ...]  # the digest's row order
    counts: tuple[ClassCount, ...]  # the rule's order, then "chưa đánh giá" when any
    previous_reported: int  # units assessed in the previous period

    @property
    def changes(self) -> tuple[UnitClass, ...]:
        return tuple(u for u in self.units if u.changed)

    def of_level(self, key: str | None) -> tuple[UnitClass, ...]:
        return tuple(
            u
            for u in self.units
            if (u.current.level.key if u.current.level is not None else None) == key
        )


def compute_checklist_digest(
    template: Template,
    current: Sequence[tuple[OrgUnit, Mapping[str, FieldValue]]],
    previous: Sequence[tuple[OrgUnit, Mapping[str, FieldValue]]],
) -> ChecklistDigest | None:
    """Classes of ``current`` (units with their values, in display order) and the change
    against ``previous`` (the previous period's units and values); ``None`` when the template is not a checklist.

    The previous counts cover the previous period's reports of every unit given there, so
    "kỳ trước" counts what the leadership saw then, even for units silent this period."""
    spec = template.checklist
    if spec is None:
        return None
    before: dict[int, Assessment] = {}
    for org, values in previous:
        a = assess(template, org.code, values)
        assert a is not None
        before[org.id] = a
    units: list[UnitClass] = []
    for org, values in current:
        now = assess(template, org.code, values)
        assert now is not None
        units.append(UnitClass(org, now, before.get(org.id)))
    prev_levels = [a.level.key if a.level is not None else None for a in before.values()]
    now_levels = [u.current.level.key if u.current.level is not None else None for u in units]
    counts = [
        ClassCount(lv, now_levels.count(lv.key), prev_levels.count(lv.key)) for lv in spec.levels
    ]
    if None in now_levels or None in prev_levels:
        counts.append(ClassCount(None, now_levels.count(None), prev_levels.count(None)))
    return ChecklistDigest(
        template=template,
        units=tuple(units),
        counts=tuple(counts),
        previous_reported=sum(1 for k in prev_levels if k is not None),
    )


# -- roll-ups (a quarter, a year) ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnitHistory:
    """A unit's class in each period of a span it reported for (period key -> assessment)."""

    org: OrgUnit
    by_period: Mapping[str, Assessment]
    latest: Assessment | None  # of the most recent period it reported for


@dataclass(frozen=True, slots=True)
class SpanClasses:
    """Classes over a roll-up's span: per unit and period, and counts per period."""

    template: Template
    periods: tuple[Period, ...]
    units: tuple[UnitHistory, ...]

    def counts(self, period_key: str) -> list[tuple[Level | None, int]]:
        """Units per class in one period, the rule's order, "chưa đánh giá" last if any."""
        spec = self.template.checklist
        assert spec is not None
        keys = [
            a.level.key if a.level is not None else None
            for u in self.units
            if (a := u.by_period.get(period_key)) is not None
        ]
        out: list[tuple[Level | None, int]] = [(lv, keys.count(lv.key)) for lv in spec.levels]
        if None in keys:
            out.append((None, keys.count(None)))
        return out


def compute_checklist_span(
    template: Template,
    orgs: Sequence[OrgUnit],
    periods: Sequence[Period],
    versions: Sequence[SubmissionVersion],
) -> SpanClasses | None:
    """Every unit's class in every period of the span (``versions``: the current version of
    each report in the span); ``None`` when the template is not a checklist."""
    if template.checklist is None:
        return None
    by_org: dict[int, dict[str, Assessment]] = {}
    code = {o.id: o.code for o in orgs}
    for v in sorted(versions, key=lambda v: v.period.start):
        a = assess(template, code.get(v.org_id), v.values)
        assert a is not None
        by_org.setdefault(v.org_id, {})[v.period.key] = a
    units: list[UnitHistory] = []
    for org in orgs:
        seen = by_org.get(org.id, {})
        latest = seen[max(seen, key=lambda k: Period.from_key(k).start)] if seen else None
        units.append(UnitHistory(org, seen, latest))
    return SpanClasses(template, tuple(periods), tuple(units))
