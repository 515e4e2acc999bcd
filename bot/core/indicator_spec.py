"""What a template says about indicators ("chỉ số") and reference values ("số liệu tham chiếu").

An indicator is a formula (``bot.core.formula``) over the template's numeric fields and its
reference values, with a label, a unit, how many decimals to show, whether it is computed
over the period or cumulatively since the campaign began, whether higher or lower is better,
and optionally the plan's target (overridden per unit and period by ``/datchitieu``).
A reference value is a figure that does not come from reports, such as a unit's target
population; admins set it per unit with ``/datsolieu``.

Kept apart from ``bot.core.template`` so that module only gains two lists and one check.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.formula import Formula, FormulaError, parse_formula

__all__ = ["Basis", "Direction", "Indicator", "Reference", "check_indicators"]

_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class Basis(enum.StrEnum):
    PERIOD = "period"  # the period's own reports (a week's, a quarter's)
    CUMULATIVE = "cumulative"  # every report since the campaign began ("lũy kế")

    @property
    def label(self) -> str:
        return "trong kỳ" if self is Basis.PERIOD else "lũy kế từ đầu đợt"


class Direction(enum.StrEnum):
    HIGHER = "higher"  # reaching the target means at least the target (coverage rates)
    LOWER = "lower"  # at most the target (cases, complaints left unresolved)


class Reference(BaseModel):
    """A figure set by admins per unit, not reported: population, households, members."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    label: str = Field(min_length=1, max_length=120)
    unit: str = ""
    help: str = ""


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    label: str = Field(min_length=1, max_length=160)
    formula: str = Field(min_length=1, max_length=500)
    unit: str = ""
    decimals: int = Field(default=1, ge=0, le=4)
    basis: Basis = Basis.PERIOD
    direction: Direction = Direction.HIGHER
    target: Decimal | None = None  # the plan's target, unless an admin sets another
    applies_to: tuple[str, ...] = ()  # organization codes; empty means every organization
    help: str = ""

    @field_validator("applies_to", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return tuple(p.strip() for p in v.split(",") if p.strip())
        return v

    def parsed(self) -> Formula:
        """The formula's tree (checked against the template when the template was loaded)."""
        return _parse_cached(self.formula)

    def applies(self, org_code: str) -> bool:
        return not self.applies_to or org_code in self.applies_to


_CACHE: dict[str, Formula] = {}


def _parse_cached(text: str) -> Formula:
    hit = _CACHE.get(text)
    if hit is None:
        hit = parse_formula(text)
        if len(_CACHE) < 10_000:
            _CACHE[text] = hit
    return hit


def check_indicators(
    indicators: Iterable[Indicator],
    references: Iterable[Reference],
    numeric_fields: Iterable[str],
    other_fields: Iterable[str],
) -> list[str]:
    """Problems of a template's indicators, in Vietnamese, one per indicator or name: keys
    that clash, formulas that do not parse, names that are not numeric fields or references
    (a text or yes/no field is named as such, so the admin knows why)."""
    problems: list[str] = []
    numeric = list(numeric_fields)
    others = set(other_fields)
    fields = set(numeric) | others
    refs: list[str] = []
    for r in references:
        if r.key in fields:
            problems.append(f"số liệu tham chiếu '{r.key}': trùng mã với một trường của mẫu")
        elif r.key in refs:
            problems.append(f"số liệu tham chiếu '{r.key}': mã bị trùng")
        refs.append(r.key)
    known = set(numeric) | set(refs)
    seen: set[str] = set()
    for ind in indicators:
        where = f"chỉ số '{ind.key}'"
        if ind.key in seen:
            problems.append(f"{where}: mã bị trùng")
        elif ind.key in fields or ind.key in refs:
            problems.append(f"{where}: trùng mã với một trường hoặc số liệu tham chiếu")
        seen.add(ind.key)
        try:
            parse_formula(ind.formula, known)
        except FormulaError as exc:
            why = str(exc)
            if exc.name is not None and exc.name in others:
                why = (
                    f"trường “{exc.name}” không phải trường số nên không tính được"
                    f" (ở ký tự thứ {exc.position})"
                )
            problems.append(f"{where}, công thức “{ind.formula}”: {why}")
    return problems
