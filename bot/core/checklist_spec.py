"""The rule of a self-assessment checklist (issue 9, part 4): which yes/no fields are criteria,
which of them are critical, and the ordered classes a unit falls into.

The rule is data, not code: an ordered list of classes, each with conditions over counts
of the unit's answers; the first class whose conditions hold is the unit's class and the
last class (no conditions) takes everyone else. This is enough for the rules the plans use
("đỏ nếu thiếu bất kỳ tiêu chí bắt buộc nào; vàng nếu đạt dưới 80%; xanh còn lại"), can be
checked completely when the template is loaded, and cannot run anything.

This module knows nothing of the template's fields (``bot.core.template`` imports it and
checks the keys against its fields); errors are Vietnamese sentences naming the class and
the condition, because the admin who uploads the document fixes it from the chat.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"

__all__ = ["ChecklistSpec", "Condition", "Level", "Unanswered"]


class Unanswered(enum.StrEnum):
    """How a criterion the unit left blank counts."""

    NOT_MET = "not_met"  # counts as not met (the default: silence never earns "xanh")
    SKIP = "skip"  # left out of the counts: the share is over the answered criteria

    @property
    def label(self) -> str:
        return {
            Unanswered.NOT_MET: "tính là chưa đạt",
            Unanswered.SKIP: "không tính vào tỷ lệ",
        }[self]


_CONDITION_WORDS = {
    "critical_not_met_at_least": "số tiêu chí bắt buộc chưa đạt từ … trở lên",
    "not_met_at_least": "số tiêu chí chưa đạt từ … trở lên",
    "percent_met_below": "tỷ lệ tiêu chí đạt dưới …%",
    "percent_met_at_least": "tỷ lệ tiêu chí đạt từ …% trở lên",
    "any_not_met": "chưa đạt một trong các tiêu chí, ghi mã các tiêu chí",
    "section": "chỉ xét các tiêu chí của một phần, ghi mã phần",
}


def _split(v: Any) -> Any:
    if isinstance(v, str):
        return tuple(p.strip() for p in v.split(",") if p.strip())
    return v


class Condition(BaseModel):
    """Tests that must all hold (AND). Counts are over the criteria in scope: the unit's
    applicable criteria, or only those of ``section`` when it is given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    critical_not_met_at_least: int | None = Field(default=None, ge=1, le=1000)
    not_met_at_least: int | None = Field(default=None, ge=1, le=1000)
    percent_met_below: Decimal | None = Field(default=None, gt=0, le=100)
    percent_met_at_least: Decimal | None = Field(default=None, ge=0, le=100)
    any_not_met: tuple[str, ...] = ()
    section: str | None = Field(default=None, pattern=_KEY_PATTERN)

    @model_validator(mode="before")
    @classmethod
    def _known_words(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(
                "điều kiện phải là một nhóm “tên: giá trị”, ví dụ percent_met_below: 80"
            )
        unknown = [str(k) for k in data if k not in _CONDITION_WORDS]
        if unknown:
            known = "; ".join(f"{k} ({v})" for k, v in _CONDITION_WORDS.items())
            raise ValueError(
                f"không có điều kiện “{', '.join(unknown)}”; các điều kiện dùng được: {known}"
            )
        if "any_not_met" in data:
            data = {**data, "any_not_met": _split(data["any_not_met"])}
        return data

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        tests = (
            self.critical_not_met_at_least,
            self.not_met_at_least,
            self.percent_met_below,
            self.percent_met_at_least,
        )
        if all(t is None for t in tests) and not self.any_not_met:
            raise ValueError("điều kiện cần ít nhất một phép so sánh, không chỉ có mã phần")
        return self

    def describe(self) -> str:
        """The condition in words, for ``/mau`` and the guide."""
        parts: list[str] = []
        if self.critical_not_met_at_least is not None:
            n = self.critical_not_met_at_least
            parts.append(
                "chưa đạt bất kỳ tiêu chí bắt buộc nào"
                if n == 1
                else f"chưa đạt từ {n} tiêu chí bắt buộc trở lên"
            )
        if self.not_met_at_least is not None:
            parts.append(f"chưa đạt từ {self.not_met_at_least} tiêu chí trở lên")
        if self.any_not_met:
            parts.append(f"chưa đạt một trong các tiêu chí {', '.join(self.any_not_met)}")
        if self.percent_met_below is not None:
            parts.append(f"đạt dưới {_pct(self.percent_met_below)}% số tiêu chí")
        if self.percent_met_at_least is not None:
            parts.append(f"đạt từ {_pct(self.percent_met_at_least)}% số tiêu chí trở lên")
        text = " và ".join(parts)
        if self.section is not None:
            text += f" (phần {self.section})"
        return text


def _pct(v: Decimal) -> str:
    return format(v.normalize(), "f").replace(".", ",")


class Level(BaseModel):
    """One class of the rule. ``when`` is one condition (all its tests hold) or a list of
    conditions (any of them holds); the last class has none and takes every other unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    label: str = Field(min_length=1, max_length=40)
    mark: str = Field(default="", max_length=4)
    meaning: str = Field(default="", max_length=160)
    when: tuple[Condition, ...] = ()

    @field_validator("when", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return (v,)
        if v is None:
            return ()
        return v

    @property
    def title(self) -> str:
        """The class as users see it: "🟡 Vàng"."""
        return f"{self.mark} {self.label}" if self.mark else self.label

    def describe(self) -> str:
        if not self.when:
            return "các trường hợp còn lại"
        return "; hoặc ".join(c.describe() for c in self.when)


class ChecklistSpec(BaseModel):
    """The ``checklist`` block of a template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criteria: tuple[str, ...] = ()  # empty: every yes/no field of the template
    critical: tuple[str, ...] = ()
    unanswered: Unanswered = Unanswered.NOT_MET
    levels: tuple[Level, ...] = Field(min_length=2, max_length=8)

    @field_validator("criteria", "critical", mode="before")
    @classmethod
    def _split_strings(cls, v: Any) -> Any:
        return _split(v)

    @model_validator(mode="after")
    def _check(self) -> ChecklistSpec:
        problems: list[str] = []
        keys = [lv.key for lv in self.levels]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            problems.append(f"mã mức phân loại bị trùng: {', '.join(twice)}")
        for lv in self.levels[:-1]:
            if not lv.when:
                problems.append(
                    f"mức “{lv.label}” chưa có điều kiện (when); chỉ mức cuối cùng "
                    "được để trống điều kiện (nhận các trường hợp còn lại)"
                )
        last = self.levels[-1]
        if last.when:
            problems.append(
                f"mức cuối cùng “{last.label}” không được ghi điều kiện (when): mức cuối nhận "
                "mọi trường hợp còn lại, để đơn vị nào cũng được phân loại"
            )
        twice = sorted({k for k in self.critical if self.critical.count(k) > 1})
        if twice:
            problems.append(f"tiêu chí bắt buộc ghi hai lần: {', '.join(twice)}")
        if problems:
            # One line per problem (``template_from_data`` lists each line as an error).
            raise ValueError("\n".join(problems))
        return self

    def conditions(self) -> Iterator[tuple[Level, Condition]]:
        for lv in self.levels:
            for c in lv.when:
                yield lv, c

    def problems(
        self,
        yesno_keys: list[str],
        other_keys: set[str],
        section_criteria: dict[str, list[str]],
    ) -> list[str]:
        """What does not fit the template's fields: criteria that are not yes/no fields,
        unknown keys, sections without criteria, tests no unit can ever pass."""
        out: list[str] = []
        for k in self.criteria:
            if k in other_keys:
                out.append(f"tiêu chí '{k}' phải là trường kiểu yesno (có/không)")
            elif k not in yesno_keys:
                out.append(f"tiêu chí '{k}' không có trong mẫu")
        criteria = list(self.criteria) if self.criteria else yesno_keys
        if not criteria:
            out.append("bộ tiêu chí cần ít nhất một trường kiểu yesno (có/không)")
            return out
        chosen = set(criteria)
        for k in self.critical:
            if k not in chosen:
                out.append(f"tiêu chí bắt buộc '{k}' không phải một tiêu chí có/không của mẫu")
        for lv, c in self.conditions():
            where = f"mức “{lv.label}”"
            scope = chosen
            if c.section is not None:
                if c.section not in section_criteria:
                    out.append(f"{where}: không có phần '{c.section}' trong mẫu")
                    continue
                scope = chosen & set(section_criteria[c.section])
                if not scope:
                    out.append(f"{where}: phần '{c.section}' không có tiêu chí có/không nào")
                    continue
            for k in c.any_not_met:
                if k not in scope:
                    out.append(f"{where}: '{k}' không phải tiêu chí của phần được xét")
            if c.critical_not_met_at_least is not None:
                n_critical = len(scope & set(self.critical))
                if n_critical == 0:
                    out.append(
                        f"{where}: điều kiện về tiêu chí bắt buộc nhưng chưa khai báo critical"
                    )
                elif c.critical_not_met_at_least > n_critical:
                    out.append(
                        f"{where}: chỉ có {n_critical} tiêu chí bắt buộc, không thể chưa đạt "
                        f"{c.critical_not_met_at_least}"
                    )
            if c.not_met_at_least is not None and c.not_met_at_least > len(scope):
                out.append(
                    f"{where}: chỉ có {len(scope)} tiêu chí, không thể chưa đạt {c.not_met_at_least}"
                )
            if (
                c.percent_met_below is not None
                and c.percent_met_at_least is not None
                and c.percent_met_at_least >= c.percent_met_below
            ):
                out.append(
                    f"{where}: tỷ lệ “từ” phải nhỏ hơn tỷ lệ “dưới”, nếu không mức này không bao giờ xảy ra"
                )
        return out
