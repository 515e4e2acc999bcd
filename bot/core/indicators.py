"""Indicators over reports: each unit's value, the whole's value, the target and progress.

Rules decided here (the digest, the roll-ups and the exports rely on them):

* **A unit's value** is the indicator's formula over that unit's figures and its reference
  values. A figure is the field's aggregation rule (sum, average, max, latest) over the
  unit's reports in the window: the period (or the roll-up's span) for ``basis: period``,
  everything from the campaign's first period through the period's end for ``basis:
  cumulative``. A unit without a report in the window, or without a reference value the
  formula needs, has no value: its state says "thiếu số liệu" and what is missing.
* **The whole's value** (the workspace, or the unit a roll-up is about) is the same formula
  over the figures and references of the units that *have* a value (reference values add
  up: populations of units are summed), so a coverage rate of the whole is doses over the
  population of the units counted, never doses of five units over the population of six.
  How many units it is computed over is shown ("tính trên 5/6 đơn vị").
* **Targets**: the most specific one set for the unit wins (exact period, then the month,
  quarter, half-year and year holding it, then "every period"), then the same chain of the
  general target (set without a unit), then the template's ``target``. The whole uses the
  general chain. A target applies to every shorter period within it (a yearly coverage
  target of 90% applies to each week of the year).
* **Progress** (``direction: higher``): value / target x 100, rounded to 0,1; reached when
  value ≥ target. With ``direction: lower`` the target is a ceiling: reached when value ≤
  target, and progress is not given as a percentage.
* **Behind target**: units with a value and a target that is not reached, worst first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.core.digest import _aggregate
from bot.core.formula import Outcome, OutcomeState
from bot.core.indicator_spec import Basis, Direction, Indicator
from bot.core.models import OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.template import Template

__all__ = [
    "IndicatorSummary",
    "UnitIndicator",
    "compute_indicators",
    "outcome_words",
    "resolve",
    "scope_chain",
]

_ORDER = (PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF, PeriodType.YEAR)
_TENTH = Decimal("0.1")
_PROGRESS_LIMIT = Decimal("1e15")


def scope_chain(period: Period) -> list[str]:
    """The scopes a value set for ``period`` may come from, most specific first: its own
    key, the keys of the longer periods holding it (a week belongs to the month, quarter…
    of its Thursday), then "" (every period)."""
    day = period.start + timedelta(days=3) if period.type is PeriodType.WEEK else period.start
    keys = [period.key]
    for t in _ORDER[_ORDER.index(period.type) + 1 :]:
        keys.append(Period.containing(t, day).key)
    keys.append("")
    return keys


def resolve(
    values: Mapping[tuple[int | None, str], Decimal], org_id: int | None, scopes: Sequence[str]
) -> Decimal | None:
    """The value for ``org_id`` under the first of ``scopes`` that has one."""
    for scope in scopes:
        v = values.get((org_id, scope))
        if v is not None:
            return v
    return None


@dataclass(frozen=True, slots=True)
class UnitIndicator:
    org: OrgUnit
    outcome: Outcome
    target: Decimal | None
    reported: bool  # whether the unit had a report in the window
    direction: Direction = Direction.HIGHER

    @property
    def reached(self) -> bool | None:
        return _reached(self.outcome, self.target, self.direction)

    @property
    def progress(self) -> Decimal | None:
        return _progress(self.outcome, self.target, self.direction)


@dataclass(frozen=True, slots=True)
class IndicatorSummary:
    """One indicator for a period or span: the whole, its target and the units."""

    indicator: Indicator
    labels: Mapping[str, str]  # input name -> its label, to say what is missing
    outcome: Outcome
    target: Decimal | None
    counted: int  # units the whole is computed over
    applicable: int  # units the indicator applies to (expected or reported)
    units: tuple[UnitIndicator, ...]

    @property
    def progress(self) -> Decimal | None:
        return _progress(self.outcome, self.target, self.indicator.direction)

    @property
    def reached(self) -> bool | None:
        return _reached(self.outcome, self.target, self.indicator.direction)

    @property
    def behind(self) -> list[UnitIndicator]:
        """Units with a value below their target (above it, for ``lower``), worst first."""
        out = [u for u in self.units if u.reached is False]
        if self.indicator.direction is Direction.HIGHER:
            out.sort(key=lambda u: u.progress if u.progress is not None else Decimal(0))
        else:
            out.sort(key=lambda u: -(u.outcome.value or Decimal(0)))
        return out

    @property
    def not_computed(self) -> list[UnitIndicator]:
        return [u for u in self.units if not u.outcome.ok]


def _progress(o: Outcome, target: Decimal | None, direction: Direction) -> Decimal | None:
    if o.value is None or target is None or target <= 0 or direction is Direction.LOWER:
        return None
    ratio = o.value / target * 100
    if abs(ratio) >= _PROGRESS_LIMIT:  # a slip of the keyboard, not a progress to print
        return None
    return ratio.quantize(_TENTH, rounding=ROUND_HALF_UP)


def _reached(o: Outcome, target: Decimal | None, direction: Direction) -> bool | None:
    if o.value is None or target is None:
        return None
    shown = o.value
    return shown >= target if direction is Direction.HIGHER else shown <= target


def outcome_words(o: Outcome, labels: Mapping[str, str]) -> str:
    """Why there is no number, in words a leader reads ("thiếu số liệu: Dân số mục tiêu")."""
    if o.state is OutcomeState.MISSING:
        names = ", ".join(labels.get(n, n) for n in o.missing)
        return f"thiếu số liệu: {names}" if names else "thiếu số liệu"
    if o.state is OutcomeState.DIV_ZERO:
        return "không tính được: chia cho 0"
    if o.state is OutcomeState.OUT_OF_RANGE:
        return "không tính được: kết quả vượt giới hạn"
    return ""


def _figures(
    template: Template, names: Iterable[str], versions: Sequence[SubmissionVersion]
) -> dict[str, Decimal | int | None]:
    out: dict[str, Decimal | int | None] = {}
    for name in names:
        try:
            f = template.field(name)
        except KeyError:
            continue
        value, _ = _aggregate(f, versions)
        out[name] = value
    return out


def compute_indicators(
    *,
    template: Template,
    orgs: Sequence[OrgUnit],
    versions: Mapping[int, Sequence[SubmissionVersion]],
    cumulative: Mapping[int, Sequence[SubmissionVersion]],
    references: Mapping[str, Mapping[int, Decimal]],
    targets: Mapping[str, Mapping[tuple[int | None, str], Decimal]],
    scopes: Sequence[str],
) -> tuple[IndicatorSummary, ...]:
    """Every indicator of ``template`` (see the module docstring).

    ``orgs``: the units to show, in display order (expected units, then others that
    reported); ``versions`` and ``cumulative``: each unit's current reports in the window
    of ``basis: period`` and ``basis: cumulative``; ``references``: reference key -> unit
    id -> value, already chosen for the period; ``targets``: indicator key -> (unit id or
    None, scope) -> target; ``scopes``: the period's ``scope_chain``."""
    labels = {f.key: f.label for f in template.all_fields()}
    labels.update((r.key, r.label) for r in template.references)
    out: list[IndicatorSummary] = []
    for ind in template.indicators:
        formula = ind.parsed()
        window = cumulative if ind.basis is Basis.CUMULATIVE else versions
        set_targets = targets.get(ind.key, {})
        general = resolve(set_targets, None, scopes)
        if general is None:
            general = ind.target
        units: list[UnitIndicator] = []
        counted_versions: list[SubmissionVersion] = []
        counted_refs: dict[str, Decimal] = {}
        counted = 0
        for org in orgs:
            if not ind.applies(org.code):
                continue
            vs = window.get(org.id, ())
            inputs = _figures(template, formula.names, vs)
            for name in formula.names:
                if name not in inputs:
                    inputs[name] = references.get(name, {}).get(org.id)
            outcome = formula.evaluate(inputs)
            own = resolve(set_targets, org.id, scopes)
            target = own if own is not None else general
            units.append(UnitIndicator(org, outcome, target, bool(vs), ind.direction))
            if outcome.state is not OutcomeState.MISSING:
                counted += 1
                counted_versions.extend(vs)
                for name in formula.names:
                    ref = references.get(name, {}).get(org.id)
                    if ref is not None:
                        counted_refs[name] = counted_refs.get(name, Decimal(0)) + ref
        if counted:
            inputs = _figures(template, formula.names, counted_versions)
            for name in formula.names:
                if name not in inputs:
                    inputs[name] = counted_refs.get(name)
            whole = formula.evaluate(inputs)
        else:
            # Say what the units that did report lack (not what silence lacks).
            missing: list[str] = []
            for u in [u for u in units if u.reported] or units:
                for name in u.outcome.missing:
                    if name not in missing:
                        missing.append(name)
            whole = Outcome(OutcomeState.MISSING, missing=tuple(missing or formula.names))
        out.append(
            IndicatorSummary(
                indicator=ind,
                labels=labels,
                outcome=whole,
                target=general,
                counted=counted,
                applicable=len(units),
                units=tuple(units),
            )
        )
    return tuple(out)
