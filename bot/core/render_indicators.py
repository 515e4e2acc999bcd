"""Indicators as a leader reads them: value, target, progress, and the units behind.

Shared by the digest, the roll-up and the exports so the wording is the same everywhere.
A value that cannot be computed is said in words ("thiếu số liệu: Dân số mục tiêu",
"không tính được: chia cho 0"), never shown as a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.core.indicator_spec import Direction, Indicator
from bot.core.indicators import IndicatorSummary, UnitIndicator, outcome_words
from bot.core.vnformat import format_decimal, format_int

__all__ = [
    "format_indicator",
    "indicator_lines",
    "progress_text",
    "status_text",
    "unit_status",
]


def format_indicator(ind: Indicator, value: Decimal) -> str:
    """A value with the indicator's decimals and unit: "62,4%", "3,5 buổi/chi hội"."""
    text = format_decimal(value, ind.decimals)
    if ind.decimals:
        # "90,0%" reads as more precise than the plan: drop zeros after the comma.
        whole, _, frac = text.partition(",")
        frac = frac.rstrip("0")
        text = f"{whole},{frac}" if frac else whole
    if not ind.unit:
        return text
    return f"{text}{ind.unit}" if ind.unit == "%" else f"{text} {ind.unit}"


def progress_text(ind: Indicator, target: Decimal | None, reached: bool | None,
                  progress: Decimal | None) -> str:  # fmt: skip
    """ "chỉ tiêu 90%, đạt 69,3% chỉ tiêu" / "chỉ tiêu không quá 5 ca, đạt yêu cầu"."""
    if target is None:
        return "chưa đặt chỉ tiêu"
    if ind.direction is Direction.LOWER:
        text = f"chỉ tiêu không quá {format_indicator(ind, target)}"
        if reached is None:
            return text  # no value: nothing to say about the ceiling yet
        return f"{text}, {'đạt yêu cầu' if reached else 'vượt mức cho phép'}"
    text = f"chỉ tiêu {format_indicator(ind, target)}"
    if progress is not None:
        text += f", đạt {format_decimal(progress, 1).removesuffix(',0')}% chỉ tiêu"
    if reached:
        text += " (đã hoàn thành)"
    return text


def status_text(s: IndicatorSummary) -> str:
    """The whole's line without the label: value and progress, or why there is none."""
    if s.outcome.value is None:
        text = outcome_words(s.outcome, s.labels)
        if s.target is not None:
            text += f"; {progress_text(s.indicator, s.target, None, None)}"
        return text
    text = f"{format_indicator(s.indicator, s.outcome.value)}; "
    text += progress_text(s.indicator, s.target, s.reached, s.progress)
    judged = [u for u in s.units if u.reached is not None]
    if judged:
        reached = sum(1 for u in judged if u.reached)
        text += f"; {format_int(reached)}/{format_int(len(judged))} đơn vị đạt chỉ tiêu"
    if s.applicable and s.counted < s.applicable:
        text += f"; tính trên {format_int(s.counted)}/{format_int(s.applicable)} đơn vị"
    return text


def unit_status(s: IndicatorSummary, u: UnitIndicator) -> str:
    """One unit's value (with its own target when it differs from the general one), or
    why it has none ("chưa báo cáo" when it sent nothing in the window)."""
    if u.outcome.value is None:
        if not u.reported and u.outcome.missing:
            return "chưa báo cáo"
        return outcome_words(u.outcome, s.labels)
    text = format_indicator(s.indicator, u.outcome.value)
    if u.target is not None and u.target != s.target:
        text += f" (chỉ tiêu {format_indicator(s.indicator, u.target)})"
    return text


def _label(s: IndicatorSummary) -> str:
    ind = s.indicator
    return f"{ind.label} ({ind.basis.label})"


def indicator_lines(summaries: Sequence[IndicatorSummary], *, max_units: int = 20) -> list[str]:
    """Lines for the chat: one per indicator, then the units behind target and those whose
    value could not be computed (each list cut at ``max_units``)."""
    lines: list[str] = []
    for s in summaries:
        lines.append(f" - {_label(s)}: {status_text(s)}.")
        behind = s.behind
        if behind:
            shown = ", ".join(
                f"{u.org.display_name} {unit_status(s, u)}" for u in behind[:max_units]
            )
            more = len(behind) - max_units
            tail = f" và {format_int(more)} đơn vị khác" if more > 0 else ""
            lines.append(f"   Chưa đạt chỉ tiêu ({format_int(len(behind))} đơn vị): {shown}{tail}.")
        # Units that sent nothing are named in the completeness section: counted here.
        silent = [u for u in s.not_computed if unit_status(s, u) == "chưa báo cáo"]
        failed = [u for u in s.not_computed if u not in silent]
        parts: list[str] = []
        if failed:
            parts.append(
                "; ".join(f"{u.org.display_name} ({unit_status(s, u)})" for u in failed[:max_units])
            )
            if len(failed) > max_units:
                parts.append(f"và {format_int(len(failed) - max_units)} đơn vị khác")
        if silent:
            parts.append(f"{format_int(len(silent))} đơn vị chưa báo cáo")
        if parts:
            lines.append(f"   Chưa tính được: {'; '.join(parts)}.")
    return lines
