"""Report templates: what a report contains, validated with pydantic.

A template has sections of fields. Each field says how to read it (type, unit, aliases for
free text and fuzzy labels), whether it is required, how it rolls up (sum, average, max,
latest) and which organizations it applies to. Admins may replace a template by sending YAML
or JSON; ``load_template`` turns any failure into ``TemplateError`` whose problems name the
field in Vietnamese, so the admin can fix the document without reading a traceback.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.checklist_spec import ChecklistSpec
from bot.core.indicator_spec import Indicator, Reference, check_indicators
from bot.core.periods import PeriodType

_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class FieldType(enum.StrEnum):
    COUNT = "count"  # integer count (buổi, lượt người, suất quà)
    MONEY = "money"  # integer number of đồng
    DECIMAL = "decimal"  # decimal with a unit (tấn, ha)
    PERCENT = "percent"  # 0..100
    YESNO = "yesno"
    CHOICE = "choice"
    TEXT = "text"  # narrative
    PHOTO = "photo"

    @property
    def numeric(self) -> bool:
        return self in (FieldType.COUNT, FieldType.MONEY, FieldType.DECIMAL, FieldType.PERCENT)

    @property
    def label(self) -> str:
        return {
            FieldType.COUNT: "số nguyên",
            FieldType.MONEY: "số tiền (đồng)",
            FieldType.DECIMAL: "số thập phân",
            FieldType.PERCENT: "tỷ lệ %",
            FieldType.YESNO: "có/không",
            FieldType.CHOICE: "lựa chọn",
            FieldType.TEXT: "nội dung",
            FieldType.PHOTO: "ảnh",
        }[self]


class Aggregation(enum.StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    MAX = "max"
    LATEST = "latest"


_DEFAULT_CEILING = {
    FieldType.COUNT: Decimal(100_000_000),  # 100 triệu
    FieldType.MONEY: Decimal(100_000_000_000_000),  # 100.000 tỷ đồng
    FieldType.DECIMAL: Decimal(1_000_000_000),
}

_DEFAULT_AGG = {
    FieldType.COUNT: Aggregation.SUM,
    FieldType.MONEY: Aggregation.SUM,
    FieldType.DECIMAL: Aggregation.SUM,
    FieldType.PERCENT: Aggregation.AVERAGE,
}


class TemplateField(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    key: str = Field(pattern=_KEY_PATTERN)
    label: str = Field(min_length=1, max_length=120)
    type: FieldType
    aliases: tuple[str, ...] = ()
    unit: str = ""
    required: bool = False
    aggregate: Aggregation | None = None
    choices: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()  # organization codes; empty means every organization
    help: str = ""
    max: Decimal | None = Field(default=None, gt=0)  # the largest plausible value

    @property
    def ceiling(self) -> Decimal | None:
        """The largest value accepted: the field's own ``max`` or a default that no single
        organization's report for one period can reach (so a slip of the keyboard such as
        "999999999 tỷ" is refused rather than summed into the digest)."""
        if self.max is not None:
            return self.max
        return _DEFAULT_CEILING.get(self.type)

    @field_validator("aliases", "choices", "applies_to", mode="before")
    @classmethod
    def _split_strings(cls, v: Any) -> Any:
        if isinstance(v, str):
            return tuple(p.strip() for p in v.split(",") if p.strip())
        return v

    @model_validator(mode="after")
    def _check(self) -> TemplateField:
        if self.type is FieldType.CHOICE and len(self.choices) < 2:
            raise ValueError("trường lựa chọn cần ít nhất 2 lựa chọn (choices)")
        if self.type is not FieldType.CHOICE and self.choices:
            raise ValueError("chỉ trường kiểu choice mới có danh sách lựa chọn")
        if (
            self.aggregate is not None
            and not self.type.numeric
            and self.aggregate is not Aggregation.LATEST
        ):
            raise ValueError(
                f"trường kiểu {self.type.value} chỉ tổng hợp theo 'latest', "
                f"không theo '{self.aggregate.value}'"
            )
        return self

    @property
    def aggregation(self) -> Aggregation:
        return self.aggregate or _DEFAULT_AGG.get(self.type, Aggregation.LATEST)

    def applies(self, org_code: str) -> bool:
        return not self.applies_to or org_code in self.applies_to


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    title: str = Field(min_length=1, max_length=160)
    fields: tuple[TemplateField, ...] = Field(min_length=1)
    applies_to: tuple[str, ...] = ()

    @field_validator("applies_to", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return tuple(p.strip() for p in v.split(",") if p.strip())
        return v


# Template.fields_for's memo: (id of the template, org code) -> (the template, its fields).
_FIELDS_FOR: dict[tuple[int, str | None], tuple[Template, tuple[TemplateField, ...]]] = {}
_FIELDS_FOR_LIMIT = 20_000
# Per template object: the organization codes its sections and fields name (``applies_to``).
_NAMED: dict[int, tuple[Template, frozenset[str]]] = {}
_OTHER = "\x00"  # stands for every code no section or field names: they share one form
_NUMBERED: dict[tuple[int, str | None], tuple[Template, tuple[tuple[int, TemplateField], ...]]] = {}


class Template(BaseModel):
    """A versioned report template. ``key`` names it within a workspace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=_KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    period_type: PeriodType = PeriodType.WEEK
    description: str = ""
    sections: tuple[Section, ...] = Field(min_length=1)
    # A self-assessment checklist (issue 9): its yes/no fields are criteria and the rule
    # classifies each unit (bot.core.checklist). None for an ordinary report.
    checklist: ChecklistSpec | None = None
    # Indicators and the reference values they read (issue 9; see bot.core.indicator_spec).
    references: tuple[Reference, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    @model_validator(mode="after")
    def _unique_keys(self) -> Template:
        seen: set[str] = set()
        for section in self.sections:
            for f in section.fields:
                if f.key in seen:
                    raise ValueError(f"mã trường '{f.key}' bị trùng")
                seen.add(f.key)
        return self

    @model_validator(mode="after")
    def _checklist_fits(self) -> Template:
        if self.checklist is None:
            return self
        yesno = [f.key for f in self.all_fields() if f.type is FieldType.YESNO]
        others = {f.key for f in self.all_fields() if f.type is not FieldType.YESNO}
        by_section = {
            s.key: [f.key for f in s.fields if f.type is FieldType.YESNO] for s in self.sections
        }
        problems = self.checklist.problems(yesno, others, by_section)
        if problems:
            # One line per problem (``template_from_data`` lists each line as an error).
            raise ValueError("\n".join(f"bộ tiêu chí: {p}" for p in problems))
        return self

    def criteria(self) -> list[TemplateField]:
        """The checklist's criteria in form order (empty for an ordinary report)."""
        if self.checklist is None:
            return []
        chosen = self.checklist.criteria
        return [
            f
            for f in self.all_fields()
            if f.type is FieldType.YESNO and (not chosen or f.key in chosen)
        ]

    @model_validator(mode="after")
    def _check_indicators(self) -> Template:
        if self.indicators or self.references:
            fields = list(self.all_fields())
            problems = check_indicators(
                self.indicators,
                self.references,
                [f.key for f in fields if f.type.numeric],
                [f.key for f in fields if not f.type.numeric],
            )
            if problems:
                raise ValueError("\n".join(problems))
        return self

    def indicator(self, key: str) -> Indicator:
        for ind in self.indicators:
            if ind.key == key:
                return ind
        raise KeyError(key)

    def reference(self, key: str) -> Reference:
        for ref in self.references:
            if ref.key == key:
                return ref
        raise KeyError(key)

    def all_fields(self) -> Iterator[TemplateField]:
        for section in self.sections:
            yield from section.fields

    def fields_for(self, org_code: str | None) -> list[TemplateField]:
        """The fields an organization fills in, in form order (numbered from 1)."""
        # Asked several times for every reply: remembered per template object (a template
        # is immutable) and form (organizations that no section or field names share one).
        key = (id(self), self._form_of(org_code))
        found = _FIELDS_FOR.get(key)
        if found is not None and found[0] is self:
            return list(found[1])
        out: list[TemplateField] = []
        for section in self.sections:
            if org_code is not None and section.applies_to and org_code not in section.applies_to:
                continue
            out.extend(f for f in section.fields if org_code is None or f.applies(org_code))
        if len(_FIELDS_FOR) >= _FIELDS_FOR_LIMIT:
            _FIELDS_FOR.clear()
        _FIELDS_FOR[key] = (self, tuple(out))  # holds the template: its id stays its own
        return out

    def _form_of(self, org_code: str | None) -> str | None:
        """``org_code``, or ``_OTHER`` for a code that no section or field names: such
        organizations see the same fields (a burst of first replies, one a unit, then
        shares one cache entry instead of one each)."""
        if org_code is None:
            return None
        found = _NAMED.get(id(self))
        if found is None or found[0] is not self:
            named = {code for s in self.sections for code in s.applies_to}
            named.update(code for f in self.all_fields() for code in f.applies_to)
            if len(_NAMED) >= 64:
                _NAMED.clear()
            found = _NAMED[id(self)] = (self, frozenset(named))
        return org_code if org_code in found[1] else _OTHER

    def numbered_fields(self, org_code: str | None) -> list[tuple[int, TemplateField]]:
        """The form lines an organization sees, with numbers that are the same for everyone.

        A field's number is its position among all the template's non-photo fields, so
        "9." means the same field whichever organization's form, or the group's form, a
        reporter copied; an organization's own form simply skips the numbers of fields that
        do not apply to it. Photos are sent as pictures, not typed, so they get no number.
        """
        key = (id(self), self._form_of(org_code))
        found = _NUMBERED.get(key)
        if found is not None and found[0] is self:
            return list(found[1])
        numbers: dict[str, int] = {}
        for f in self.all_fields():
            if f.type is not FieldType.PHOTO:
                numbers[f.key] = len(numbers) + 1
        out = [(numbers[f.key], f) for f in self.fields_for(org_code) if f.key in numbers]
        if len(_NUMBERED) >= _FIELDS_FOR_LIMIT:
            _NUMBERED.clear()
        _NUMBERED[key] = (self, tuple(out))
        return out

    def field(self, key: str) -> TemplateField:
        for f in self.all_fields():
            if f.key == key:
                return f
        raise KeyError(key)

    def section_of(self, key: str) -> Section:
        for s in self.sections:
            if any(f.key == key for f in s.fields):
                return s
        raise KeyError(key)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_defaults=True, indent=None)

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude_defaults=True)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class TemplateError(ValueError):
    """A template document that cannot be used; ``problems`` are Vietnamese, one per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


_PYDANTIC_VI = {
    "missing": "thiếu thông tin bắt buộc",
    "extra_forbidden": "tên mục không được hỗ trợ",
    "string_pattern_mismatch": "chỉ dùng chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ",
    "enum": "giá trị không hợp lệ",
    "string_too_short": "không được để trống",
    "too_short": "cần ít nhất một mục",
    "string_too_long": "quá dài",
    "bool_parsing": "cần giá trị true/false",
    "string_type": "cần một chuỗi chữ",
    "tuple_type": "cần một danh sách",
    "model_type": "cần một nhóm thông tin (khóa: giá trị)",
}


def _loc(loc: tuple[int | str, ...], data: Any) -> str:
    """Turn a pydantic location into words an admin can follow, naming the field key."""
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = f"#{item + 1}"
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                if isinstance(node, dict) and isinstance(node.get("key"), str):
                    label = f"'{node['key']}'"
            parts[-1] = f"{parts[-1]} {label}" if parts else label
            continue
        name = {
            "sections": "phần",
            "fields": "trường",
            "checklist": "bộ tiêu chí",
            "levels": "mức phân loại",
            "when": "điều kiện",
            "indicators": "chỉ số",
            "references": "số liệu tham chiếu",
        }.get(str(item), str(item))
        parts.append(name)
        node = node.get(item) if isinstance(node, dict) else None
    return " › ".join(parts) if parts else "mẫu"


def _translate(err: Any, data: Any) -> str:
    msg = _PYDANTIC_VI.get(err["type"])
    if msg is None:
        raw = str(err.get("msg", ""))
        msg = raw.removeprefix("Value error, ")
    ctx = err.get("ctx") or {}
    bounds = {
        "greater_than": ("gt", "phải lớn hơn"),
        "greater_than_equal": ("ge", "phải từ"),
        "less_than": ("lt", "phải nhỏ hơn"),
        "less_than_equal": ("le", "tối đa là"),
    }
    if err["type"] in bounds:
        name, words = bounds[err["type"]]
        msg = f"{words} {str(ctx.get(name, '')).replace('.', ',')}"
    elif err["type"] in ("int_parsing", "int_type", "int_from_float"):
        msg = "cần một số nguyên"
    elif err["type"] in ("decimal_parsing", "decimal_type"):
        msg = "cần một số"
    elif err["type"] == "too_short" and int(ctx.get("min_length", 1)) > 1:
        msg = f"cần ít nhất {ctx['min_length']} mục"
    elif err["type"] == "too_long":
        msg = f"tối đa {ctx.get('max_length')} mục"
    if err["type"] == "enum":
        expected = str(err.get("ctx", {}).get("expected", "")).replace(" or ", " hoặc ")
        msg = f"giá trị không hợp lệ, cần một trong: {expected}"
    return f"{_loc(tuple(err['loc']), data)}: {msg}"


class _TemplateLoader(yaml.SafeLoader):
    """YAML safe loading (plain data only: no Python objects), and no aliases either.

    ``&anchor``/``*alias`` let a short document stand for an exponentially large one (the
    "billion laughs"), which validation would then walk; a template never needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def parse_template_document(text: str) -> Template:
    """Read a template from YAML or JSON text (YAML safe loading only, without aliases).

    Nesting deep enough to exhaust the parser's recursion is refused like any other
    unreadable document (the engine also bounds the text's length)."""
    stripped = text.strip()
    if not stripped:
        raise TemplateError(["tài liệu mẫu báo cáo trống"])
    try:
        data = (
            json.loads(stripped)
            if stripped[0] in "{["
            else yaml.load(stripped, Loader=_TemplateLoader)  # a SafeLoader
        )
    except RecursionError as exc:
        raise TemplateError(["tài liệu mẫu báo cáo lồng nhau quá sâu"]) from exc
    except yaml.composer.ComposerError as exc:
        if exc.problem == "aliases are not allowed":
            mark = exc.problem_mark
            where = f" (dòng {mark.line + 1})" if mark is not None else ""
            raise TemplateError(
                [f"mẫu báo cáo không dùng được tham chiếu YAML (dấu * và &){where}"]
            ) from exc
        raise TemplateError(["không đọc được tài liệu YAML/JSON"]) from exc
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1})" if mark is not None else ""
        if isinstance(exc, json.JSONDecodeError):
            where = f" (dòng {exc.lineno})"
        raise TemplateError([f"không đọc được tài liệu YAML/JSON{where}"]) from exc
    return template_from_data(data)


def template_from_data(data: Any) -> Template:
    if not isinstance(data, dict):
        raise TemplateError(["mẫu báo cáo phải là một nhóm thông tin có key, name, sections"])
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # pydantic also reports a list as "too short" when its only items were invalid;
        # that echo of the real error would only confuse the admin.
        locs = [tuple(e["loc"]) for e in errors]
        errors = [
            e
            for e in errors
            if e["type"] != "too_short"
            or not any(
                len(loc) > len(e["loc"]) and loc[: len(e["loc"])] == tuple(e["loc"]) for loc in locs
            )
        ]
        problems: list[str] = []
        for e in errors:
            text = _translate(e, data)
            if not e["loc"] and text.startswith("mẫu: bộ tiêu chí: "):
                # The checklist's cross-checks, one line each already saying where.
                problems.extend(text.removeprefix("mẫu: ").split("\n"))
                continue
            # A validator that found several problems gives one line each, same place.
            first, *more = text.split("\n")
            problems.append(first)
            problems.extend(f"{_loc(tuple(e['loc']), data)}: {m}" for m in more)
        raise TemplateError(problems) from exc
