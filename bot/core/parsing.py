"""Reading a report reply against a template (DESIGN.md §5): the fill-in form or free text.

A reply is read in one of two modes:

* **form**: the lines of the form the prompt showed (``render_form``), copied and filled in.
  A line names its field by number ("3. …", "3: 45,5tr") or by label ("Tiền vận động: …"),
  labels matched without regard to case or accents, by alias, and with a small typo budget.
* **free**: a sentence such as "tuần này Hội tổ chức 12 buổi tuyên truyền, vận động được 45,5
  triệu đồng và 1.200 suất quà". Numbers go to fields by the unit or keyword next to them.

Rules worth knowing (each one is a decision, kept here so the dialog can explain it):

* The reply is a form when at least one line is numbered or has a "label: value" shape whose
  label is a field, or when every label-then-number line reads cleanly; otherwise free text.
* A value left blank means "not reported", never zero. "-", "…" and "_" count as blank.
* Field numbers are the template's stable numbers (``Template.numbered_fields``): a field
  keeps its number on every organization's form, which skips the fields that do not apply.
  A label still wins over a number when it matches a field exactly; a typo'd label that
  points elsewhere than its number is asked about.
* Text fields take the lines after them until a line clearly starts another field: a numbered
  line with a larger number, or a line whose label before ":" is a field. Narrative lists
  ("1. Bếp ăn 0 đồng", "2. …") inside a text field therefore stay in the text.
* A non-text field left blank takes the next line as its value if that line is only a value
  (people press Enter after the colon).
* Anything guessed (free text, typo-tolerant labels, a number whose label was not a field) is
  listed in ``guessed`` so the dialog echoes it and asks to confirm before saving.
* Never a silent choice: two readings of a number, two fields for one label, two different
  values for one field are ``AMBIGUOUS`` problems and the value is not kept.
* Any text at all (100 KB, emoji, control characters, markup) returns a result and never
  raises; very long replies are read up to :data:`MAX_LINES` lines or :data:`MAX_CHARS`
  characters, and the rest is reported as not read.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from bot.core.checklist_reply import expand_checklist_reply
from bot.core.models import FieldValue
from bot.core.numbers import (
    AmbiguousNumberError,
    NumberError,
    OutOfRangeError,
    parse_count,
    parse_decimal,
    parse_money,
    parse_percent,
    parse_yesno,
)
from bot.core.template import FieldType, Template, TemplateField
from bot.core.text import (
    damerau_levenshtein,
    fold,
    fold_aligned,
    normalize_label,
    typo_budget,
)
from bot.core.vnformat import format_decimal, format_int, format_money

__all__ = [
    "MAX_CHARS",
    "MAX_LINES",
    "FieldValueError",
    "ParseResult",
    "Problem",
    "ProblemKind",
    "form_fields",
    "parse_report",
    "parse_value",
    "render_form",
]

MAX_LINES = 1000  # a weekly report is a few dozen lines; beyond this it is not a report
MAX_CHARS = 50_000  # a chat message is at most a few thousand characters
_MAX_LABEL = 120  # longer "labels" are sentences, not field names
_MAX_FUZZY_LINES = 40  # typo-tolerant matching is the costly step: bound it per reply
_MAX_REPORTED = 12  # problems of one kind listed one by one before a summary line


class ProblemKind(enum.StrEnum):
    MISSING_REQUIRED = "missing_required"
    AMBIGUOUS = "ambiguous"
    UNPARSEABLE = "unparseable"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_LINE = "unknown_line"
    EMPTY = "empty"

    @property
    def blocking(self) -> bool:
        """Whether a reply with this problem cannot be saved as it is.

        Only an unknown line is not blocking: what was read is still right, the bot just
        tells the reporter which lines it did not use.
        """
        return self is not ProblemKind.UNKNOWN_LINE


@dataclass(frozen=True)
class Problem:
    """Something the reporter should know or fix; ``message`` is a complete Vietnamese reply."""

    kind: ProblemKind
    field_key: str | None
    line_no: int | None
    raw: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.kind.blocking


@dataclass(frozen=True)
class ParseResult:
    """What was read from a reply: values by field key, problems, and what was guessed."""

    values: dict[str, FieldValue]
    problems: tuple[Problem, ...]
    guessed: frozenset[str]
    mode: str  # "form" or "free"

    @property
    def ok(self) -> bool:
        """No blocking problem: the values may be saved (after confirmation if guessed)."""
        return not any(p.blocking for p in self.problems)

    @property
    def needs_confirmation(self) -> bool:
        """Echo and ask before saving: something was guessed or some lines were not used."""
        return bool(self.guessed) or any(not p.blocking for p in self.problems)


class FieldValueError(NumberError):
    """A value that does not fit a non-numeric field (choice, text, photo)."""


# -- single values ---------------------------------------------------------------------------


def _is_blank(value: str) -> bool:
    """Empty, or only placeholder marks ("-", "…", "___"): the field was left unreported."""
    return not value.strip(" \t-–—_.…")


def parse_value(field: TemplateField, text: str) -> FieldValue:
    """Read one field's value; raises :class:`NumberError` (or a subclass) with a reason."""
    t = field.type
    if t is FieldType.COUNT:
        return _within(field, parse_count(text))
    if t is FieldType.MONEY:
        return _within(field, parse_money(text))
    if t is FieldType.DECIMAL:
        return _within(field, parse_decimal(text))
    if t is FieldType.PERCENT:
        return parse_percent(text)
    if t is FieldType.YESNO:
        return parse_yesno(text)
    if t is FieldType.CHOICE:
        return _parse_choice(field, text)
    if t is FieldType.TEXT:
        value = text.strip()
        if not value:
            raise FieldValueError("nội dung trống")
        return value
    raise FieldValueError("ảnh gửi kèm dưới dạng tệp ảnh, không ghi trong nội dung")


_N = TypeVar("_N", int, Decimal)


def _within(field: TemplateField, value: _N) -> _N:
    ceiling = field.ceiling
    if ceiling is not None and value > ceiling:
        if field.type is FieldType.MONEY:
            limit = format_money(int(ceiling))
        elif ceiling == ceiling.to_integral_value():
            limit = format_int(int(ceiling))
        else:
            limit = format_decimal(ceiling)
        raise OutOfRangeError(f"lớn hơn mức hợp lý của mục này, tối đa {limit}")
    return value


def _parse_choice(field: TemplateField, text: str) -> str:
    """A choice by its text (any case, with or without accents) or by its number in the list.

    A unique beginning of at least three letters is accepted too ("on" is not, "ổn đ" is):
    it names one option only, so nothing is guessed.
    """
    key = " ".join(fold(text).strip(" .:;,!").split())
    folded = [fold(c) for c in field.choices]
    for choice, f in zip(field.choices, folded, strict=True):
        if key == f:
            return choice
    if key.isdigit() and 1 <= int(key) <= len(field.choices):
        return field.choices[int(key) - 1]
    if len(key) >= 3:
        starts = [c for c, f in zip(field.choices, folded, strict=True) if f.startswith(key)]
        if len(starts) == 1:
            return starts[0]
    raise FieldValueError("cần chọn một trong: " + " / ".join(field.choices))


# -- the form --------------------------------------------------------------------------------

_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def form_fields(template: Template, org_code: str | None) -> list[TemplateField]:
    """The numbered fields of the form, in order: photos excluded (they come as attachments)."""
    return [f for f in template.fields_for(org_code) if f.type is not FieldType.PHOTO]


def _hint(f: TemplateField) -> str:
    """The hint in parentheses after a label: unit or answer shape, and "bắt buộc"."""
    parts: list[str] = []
    if f.type is FieldType.MONEY:
        parts.append("đồng")
    elif f.type is FieldType.PERCENT:
        parts.append("%")
    elif f.type is FieldType.YESNO:
        parts.append("có/không")
    elif f.type is FieldType.CHOICE:
        parts.append("/".join(f.choices))
    elif (
        f.unit
        and f.type in (FieldType.COUNT, FieldType.DECIMAL)
        and fold(f.unit) not in fold(f.label)
    ):
        parts.append(f.unit)
    if f.required:
        parts.append("bắt buộc")
    return f" ({', '.join(parts)})" if parts else ""


def render_form(
    template: Template, org_code: str | None, names: Mapping[str, str] | None = None
) -> str:
    """The fill-in form: numbered "N. Label (hint):" lines, under section headings.

    Headings ("I. TUYÊN TRUYỀN, VẬN ĐỘNG") are unnumbered and shown only when the form has more
    than one section; the parser recognises and skips them when the form is copied back.
    The whole form (``org_code`` None: a reporting group's prompt) says which sections and
    fields are only some units' ("dành cho Hội ND tỉnh, Hội CCB tỉnh", from ``names``, a
    unit's code to its short name), so the others know to leave them out; in parentheses,
    which the parser ignores when the form is copied back.
    """
    numbers = {f.key: n for n, f in template.numbered_fields(org_code)}
    sections = [s for s in template.sections if any(f.key in numbers for f in s.fields)]

    def only(codes: Sequence[str]) -> str:
        if org_code is not None or not codes or names is None:
            return ""
        return f" (dành cho {', '.join(names.get(c, c) for c in codes)})"

    lines: list[str] = []
    for i, section in enumerate(sections):
        if len(sections) > 1:
            roman = _ROMAN[i] if i < len(_ROMAN) else str(i + 1)
            lines.append(f"{roman}. {section.title.upper()}{only(section.applies_to)}")
        for f in section.fields:
            if f.key in numbers:
                who = only(f.applies_to) or (only(section.applies_to) if len(sections) == 1 else "")
                lines.append(f"{numbers[f.key]}. {f.label}{_hint(f)}{who}:")
    return "\n".join(lines)


# -- per-template matcher --------------------------------------------------------------------

_LEADING_WORDS = ("tong so ", "so luong ", "so ")


@dataclass(frozen=True)
class _Match:
    """How a label matched: ``kind`` is exact, prefix, fuzzy, ambiguous or none."""

    kind: str
    keys: tuple[str, ...] = ()

    @property
    def confident(self) -> bool:
        return self.kind in ("exact", "prefix")

    @property
    def key(self) -> str | None:
        return self.keys[0] if len(self.keys) == 1 and self.kind != "ambiguous" else None


_NONE = _Match("none")


class _Matcher:
    """Everything about a template that parsing needs, computed once per template and org."""

    def __init__(self, template: Template, org_code: str | None) -> None:
        self.fields: tuple[TemplateField, ...] = tuple(form_fields(template, org_code))
        self.by_key = {f.key: f for f in self.fields}
        # Numbers are the template's stable ones (Template.numbered_fields): the same field has
        # the same number on every organization's form and on the group's form.
        self.number = {f.key: n for n, f in template.numbered_fields(org_code)}
        self.by_number = {n: self.by_key[k] for k, n in self.number.items() if k in self.by_key}
        self.elsewhere = {
            n: f for n, f in template.numbered_fields(None) if f.key not in self.by_key
        }
        self.headers = {normalize_label(s.title) for s in template.sections}
        exact: dict[str, set[str]] = {}
        self.label_tokens: list[tuple[str, tuple[str, ...]]] = []
        self.phrases: list[tuple[str, str]] = []
        for f in self.fields:
            for phrase in self._phrases(f):
                exact.setdefault(phrase, set()).add(f.key)
                self.phrases.append((phrase, f.key))
                toks = tuple(phrase.split())
                if len(toks) >= 2:
                    self.label_tokens.append((f.key, toks))
        self.exact = {k: tuple(sorted(v)) for k, v in exact.items()}
        self._cache: dict[str, _Match] = {}
        self._strict_cache: dict[str, _Match] = {}
        # Free text: keyword phrases (letter words only) with the units, by first word.
        kw: dict[tuple[str, ...], set[str]] = {}
        for f in self.fields:
            if not f.type.numeric:
                continue
            words = set(self._phrases(f, with_key=False))
            if f.unit:
                words.add(normalize_label(f.unit))
            for phrase in words:
                toks = tuple(t for t in phrase.split() if t.isalpha())
                if toks:
                    kw.setdefault(toks, set()).add(f.key)
        self.keywords = {k: frozenset(v) for k, v in kw.items()}
        self.kw_max = max((len(k) for k in self.keywords), default=1)
        # The first word of each numeric field's unit ("lượt" of "lượt người"): a number
        # right before it counts that unit, even when the word alone names no field.
        unit_first: dict[str, set[str]] = {}
        for f in self.fields:
            if f.type.numeric and f.unit:
                unit_words = [t for t in normalize_label(f.unit).split() if t.isalpha()]
                if unit_words:
                    unit_first.setdefault(unit_words[0], set()).add(f.key)
        self.unit_first = {k: frozenset(v) for k, v in unit_first.items()}

    @staticmethod
    def _phrases(f: TemplateField, *, with_key: bool = True) -> list[str]:
        """The ways a line may name a field: label, label without "Số", aliases, the key.

        The key ("tien_van_dong") is what an admin sees in the template document; it is
        accepted in forms but is no keyword in free text.
        """
        out: list[str] = []
        base = normalize_label(f.label)
        out.append(base)
        for lead in _LEADING_WORDS:
            if base.startswith(lead) and len(base[len(lead) :].split()) >= 2:
                out.append(base[len(lead) :])
                break
        out.extend(normalize_label(a) for a in f.aliases)
        if with_key:
            out.append(normalize_label(f.key.replace("_", " ")))
        return [p for p in dict.fromkeys(out) if p]

    def resolve(self, label: str, allow_fuzzy: bool = True) -> _Match:
        """Which field a label names (see the module rules)."""
        n = normalize_label(label)
        if not n or len(n) > _MAX_LABEL or n[0].isdigit():
            return _NONE
        cache = self._cache if allow_fuzzy else self._strict_cache
        cached = cache.get(n)
        if cached is not None:
            return cached
        hit = self.exact.get(n)
        if hit:
            found = _Match("exact" if len(hit) == 1 else "ambiguous", hit)
        else:
            found = self._prefix(n)
            if found.kind == "none" and allow_fuzzy:
                found = self._fuzzy(n)
        if len(cache) < 4096:  # bounded: a stream of junk must not grow memory
            cache[n] = found
        return found

    def _prefix(self, n: str) -> _Match:
        toks = tuple(n.split())
        keys: set[str] = set()
        for key, ptoks in self.label_tokens:
            abbreviated = len(toks) >= 2 and ptoks[: len(toks)] == toks
            # A label continued with more words ("Tiền vận động tuần này"); two-word aliases
            # are too common a beginning ("số buổi …") to be sure of the rest.
            extended = len(ptoks) >= 3 and len(toks) > len(ptoks) and toks[: len(ptoks)] == ptoks
            if abbreviated or extended:
                keys.add(key)
        if not keys:
            return _NONE
        return _Match("prefix" if len(keys) == 1 else "ambiguous", tuple(sorted(keys)))

    def _fuzzy(self, n: str) -> _Match:
        budget = typo_budget(len(n))
        if budget == 0:
            return _NONE
        best: dict[str, int] = {}
        for phrase, key in self.phrases:
            d = budget + 1
            if abs(len(phrase) - len(n)) <= budget:
                d = damerau_levenshtein(n, phrase, budget)
            elif len(n) >= 8 and len(phrase) > len(n):
                # An abbreviated label with a typo: compare with the label's beginning.
                d = damerau_levenshtein(n, phrase[: len(n)], budget)
                d = d if d <= budget else budget + 1
                if d <= budget and phrase[len(n) : len(n) + 1] not in ("", " "):
                    d = budget + 1  # must end on a word boundary of the label
            if d <= budget and d < best.get(key, budget + 1):
                best[key] = d
        if not best:
            return _NONE
        low = min(best.values())
        keys = tuple(sorted(k for k, d in best.items() if d == low))
        return _Match("fuzzy" if len(keys) == 1 else "ambiguous", keys)

    def is_header(self, line: str) -> bool:
        body = _ROMAN_PREFIX.sub("", line, count=1).rstrip(" :")
        if any(c.isdigit() for c in body):
            return False
        return normalize_label(body) in self.headers


_MATCHERS: dict[tuple[int, tuple[str, ...]], tuple[Template, _Matcher]] = {}


def _matcher(template: Template, org_code: str | None) -> _Matcher:
    """The cached matcher for an organization's form.

    A matcher depends on the organization only through the fields on its form, so every
    organization with the same form shares one (a province has ~600 organizations and a
    handful of different forms). Keyed by the template object's identity (the entry holds
    the object, so the id stays its own): hashing the frozen pydantic model by value cost
    ~20 µs a reply; the template service keeps one object per template version, and an
    edited template is a new object with a new matcher.
    """
    key = (id(template), tuple(f.key for f in template.fields_for(org_code)))
    found = _MATCHERS.get(key)
    if found is None or found[0] is not template:
        if len(_MATCHERS) >= 64:
            _MATCHERS.clear()
        found = _MATCHERS[key] = (template, _Matcher(template, org_code))
    return found[1]


# -- messages --------------------------------------------------------------------------------
# Every sentence the parser says is built here, in the register of VOICE.md.

_CTRL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")


def _quote(raw: str, limit: int = 80) -> str:
    s = " ".join(_CTRL.sub(" ", raw).split())
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return f"“{s}”"


_WHAT = {
    FieldType.COUNT: "số",
    FieldType.MONEY: "số tiền",
    FieldType.DECIMAL: "số",
    FieldType.PERCENT: "tỷ lệ",
    FieldType.YESNO: "câu trả lời có/không",
    FieldType.CHOICE: "lựa chọn",
    FieldType.TEXT: "nội dung",
    FieldType.PHOTO: "nội dung",
}


def _example(f: TemplateField) -> str:
    t = f.type
    if t is FieldType.COUNT:
        return "1.200" if f.unit and "người" in f.unit else "12"
    if t is FieldType.MONEY:
        return "45,5 triệu"
    if t is FieldType.DECIMAL:
        return f"42,5 {f.unit}".rstrip()
    if t is FieldType.PERCENT:
        return "87,3%"
    if t is FieldType.YESNO:
        return "có (hoặc không)"
    if t is FieldType.CHOICE:
        return f.choices[0]
    return "nội dung ngắn gọn"


def _where(line_no: int | None, f: TemplateField) -> str:
    return f"ở dòng {line_no} ({f.label})" if line_no is not None else f"ở mục {f.label}"


def _fmt(v: int | Decimal) -> str:
    return format_int(v) if isinstance(v, int) else format_decimal(v)


def _value_problem(f: TemplateField, exc: NumberError, line_no: int | None, raw: str) -> Problem:
    where = _where(line_no, f)
    if isinstance(exc, AmbiguousNumberError):
        ints = [c for c in exc.candidates if isinstance(c, int)]
        hint = (
            f"{format_int(ints[0])} (dấu chấm ngăn cách hàng nghìn, dấu phẩy trước phần lẻ)"
            if ints
            else _example(f)
        )
        msg = (
            f"Số liệu {where}: {_quote(raw)} {exc.reason}. Đồng chí vui lòng ghi rõ, ví dụ: {hint}."
        )
        return Problem(ProblemKind.AMBIGUOUS, f.key, line_no, raw, msg)
    if isinstance(exc, OutOfRangeError):
        msg = (
            f"Số liệu {where}: {_quote(raw)} không hợp lệ ({exc.reason}). "
            "Đồng chí vui lòng kiểm tra lại."
        )
        return Problem(ProblemKind.OUT_OF_RANGE, f.key, line_no, raw, msg)
    msg = (
        f"Chưa đọc được {_WHAT[f.type]} {where}: {_quote(raw)} ({exc.reason}). "
        f"Đồng chí vui lòng gửi lại, ví dụ: {_example(f)}."
    )
    return Problem(ProblemKind.UNPARSEABLE, f.key, line_no, raw, msg)


def _ref(m: _Matcher, key: str) -> str:
    return f"mục {m.number[key]} ({m.by_key[key].label})"


def _refs(m: _Matcher, keys: Iterable[str]) -> str:
    items = [_ref(m, k) for k in sorted(keys, key=m.number.__getitem__)]
    return ", ".join(items[:-1]) + " hay " + items[-1] if len(items) > 1 else "".join(items)


def _unknown(m: _Matcher, line_no: int, raw: str) -> Problem:
    num = _NUMBERED.match(raw)
    other = m.elsewhere.get(int(num.group(1))) if num else None
    if other is not None:
        # The number is a real field of the template, only not on this organization's form.
        msg = (
            f"Dòng {line_no} {_quote(raw)}: mục {num.group(1) if num else ''} ({other.label}) "
            "không thuộc mẫu báo cáo của đơn vị đồng chí, nên chưa được ghi nhận."
        )
        return Problem(ProblemKind.UNKNOWN_LINE, None, line_no, raw, msg)
    msg = (
        f"Dòng {line_no} không khớp với mục nào trong mẫu báo cáo: {_quote(raw)}. "
        "Nội dung này chưa được ghi nhận; nếu là số liệu, đồng chí ghi theo số thứ tự của mục, "
        "ví dụ: 3. 45,5 triệu."
    )
    return Problem(ProblemKind.UNKNOWN_LINE, None, line_no, raw, msg)


def _ambiguous_label(m: _Matcher, line_no: int, raw: str, keys: Sequence[str]) -> Problem:
    first = min(m.number[k] for k in keys)
    msg = (
        f"Dòng {line_no} {_quote(raw)} có thể thuộc {_refs(m, keys)}. "
        f"Đồng chí vui lòng ghi rõ số thứ tự của mục, ví dụ: {first}. …"
    )
    return Problem(ProblemKind.AMBIGUOUS, None, line_no, raw, msg)


def _conflict(m: _Matcher, line_no: int, raw: str, number: int, key: str) -> Problem:
    by_number = m.by_number[number]
    msg = (
        f"Dòng {line_no} {_quote(raw)} ghi số thứ tự {number} ({by_number.label}) nhưng tên mục "
        f"gần với {_ref(m, key)}. Đồng chí vui lòng kiểm tra lại số thứ tự hoặc tên mục."
    )
    return Problem(ProblemKind.AMBIGUOUS, key, line_no, raw, msg)


def _two_values(m: _Matcher, key: str, lines: Sequence[int | None], raws: Sequence[str]) -> Problem:
    where = (
        f"ở dòng {lines[0]} và dòng {lines[1]}"
        if None not in lines[:2]
        else "trong tin nhắn: " + ", ".join(_quote(r, 40) for r in raws[:3])
    )
    msg = (
        f"{_ref(m, key)[0].upper()}{_ref(m, key)[1:]} có nhiều giá trị khác nhau {where}. "
        "Đồng chí vui lòng giữ lại một giá trị cho mỗi mục và gửi lại."
    )
    return Problem(ProblemKind.AMBIGUOUS, key, lines[-1], raws[-1], msg)


def _missing(m: _Matcher, key: str) -> Problem:
    msg = f"Chưa có số liệu {_ref(m, key)}. Đề nghị đồng chí bổ sung."
    return Problem(ProblemKind.MISSING_REQUIRED, key, None, "", msg)


_EMPTY_BLANK = (
    "Tin nhắn chưa có nội dung báo cáo. Đề nghị đồng chí sao chép mẫu báo cáo, điền số liệu "
    "và gửi lại."
)
_EMPTY_NOTHING = (
    "Chưa tìm thấy số liệu nào khớp với mẫu báo cáo. Đề nghị đồng chí sao chép mẫu báo cáo, "
    "điền số liệu sau dấu hai chấm của từng mục và gửi lại."
)


def _summary(kind: ProblemKind, extra: int) -> Problem:
    if kind is ProblemKind.UNKNOWN_LINE:
        msg = f"Còn {extra} dòng khác không khớp với mục nào trong mẫu báo cáo, chưa được ghi nhận."
    else:
        msg = f"Còn {extra} vấn đề khác tương tự. Đồng chí vui lòng kiểm tra lại toàn bộ báo cáo."
    return Problem(kind, None, None, "", msg)


def _too_long(read_lines: int) -> Problem:
    msg = (
        f"Tin nhắn quá dài: mới đọc {read_lines} dòng đầu, phần còn lại chưa được ghi nhận. "
        "Đồng chí vui lòng chỉ gửi nội dung báo cáo."
    )
    return Problem(ProblemKind.UNKNOWN_LINE, None, None, "", msg)


def _cap(problems: list[Problem]) -> tuple[Problem, ...]:
    """Keep the list readable: at most a dozen problems of each kind, then one summary."""
    out: list[Problem] = []
    counts: dict[ProblemKind, int] = {}
    for p in problems:
        c = counts.get(p.kind, 0)
        counts[p.kind] = c + 1
        if c < _MAX_REPORTED or p.line_no is None:
            out.append(p)
    for kind, c in counts.items():
        if c > _MAX_REPORTED:
            extra = c - sum(1 for p in out if p.kind is kind)
            if extra > 0:
                out.append(_summary(kind, extra))
    return tuple(out)


# -- form mode -------------------------------------------------------------------------------

_BULLET = r"[-•*+·>–—]"
_NUMBERED = re.compile(
    rf"^\s*(?:{_BULLET}\s*)?(?:[Mm][uụ]c\s*)?(\d{{1,3}})"
    r"(?:\s*[.)]\s+|\s*[.)]$|\s*[:：]\s*|\s+[-–—]\s+)(.*)$",
    re.DOTALL,
)
_LABELLED = re.compile(rf"^\s*(?:{_BULLET}\s*)?([^:：=\t]{{1,{_MAX_LABEL}}}?)\s*[:：=\t]\s*(.*)$")
_ROMAN_PREFIX = re.compile(r"^\s*[IVXivx]{1,4}\s*[.):\-–]\s*")
_FIRST_DIGIT = re.compile(r"[0-9]")


@dataclass
class _Open:
    """The field the previous lines were filling, if a following line may continue it."""

    key: str
    text: bool
    pending: bool  # a non-text field left blank: the next line may be its value


@dataclass
class _FormState:
    m: _Matcher
    values: dict[str, FieldValue] = field(default_factory=dict)
    origin: dict[str, tuple[int, str]] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    guessed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    strong: int = 0  # lines that are unmistakably form lines
    weak_ok: int = 0  # "label 12" lines that read cleanly
    weak_bad: int = 0
    fuzzy_left: int = _MAX_FUZZY_LINES

    def resolve(self, label: str) -> _Match:
        allow = self.fuzzy_left > 0
        found = self.m.resolve(label, allow_fuzzy=allow)
        if allow and found.kind in ("fuzzy", "none", "ambiguous"):
            self.fuzzy_left -= 1
        return found


@dataclass(frozen=True)
class _Line:
    """A line's reading before it is applied: the field it names and its value text."""

    key: str | None = None
    value: str = ""
    guessed: bool = False
    problem: Problem | None = None
    # A numbered or "label:" line. Otherwise ("label 12" without a colon) the line only
    # counts towards form mode if its value reads cleanly.
    strong: bool = False


def _classify(st: _FormState, line_no: int, s: str, current: _Open | None) -> _Line | None:
    """Read one non-blank line; ``None`` when it names no field (continuation or unknown)."""
    m = st.m
    num = _NUMBERED.match(s)
    if num:
        return _classify_numbered(st, line_no, s, current, int(num.group(1)), num.group(2).strip())
    sep = _LABELLED.match(s)
    if sep and not _FIRST_DIGIT.match(sep.group(1).strip()):
        label, value = sep.group(1), sep.group(2)
        found = st.resolve(label)
        if found.key and found.kind in ("exact", "prefix", "fuzzy"):
            return _Line(found.key, value, guessed=found.kind == "fuzzy", strong=True)
        if found.kind == "ambiguous":
            if current is not None and current.text:
                return None
            return _Line(problem=_ambiguous_label(m, line_no, s, found.keys), strong=True)
        return None
    if current is not None and current.text:
        return None
    split = _FIRST_DIGIT.search(s)
    if split is None:
        found = st.m.resolve(s, allow_fuzzy=False)
        if found.confident and found.key and m.by_key[found.key].type is FieldType.TEXT:
            return _Line(found.key, "")
        return None
    if split.start() == 0:
        return None
    found = st.resolve(s[: split.start()])
    if found.key and found.kind in ("exact", "prefix", "fuzzy"):
        return _Line(found.key, s[split.start() :], guessed=found.kind == "fuzzy")
    return None


def _classify_numbered(
    st: _FormState, line_no: int, s: str, current: _Open | None, number: int, rest: str
) -> _Line | None:
    """A line starting with a number: the number names a field unless the label says otherwise."""
    m = st.m
    by_number = m.by_number.get(number)
    in_text = current is not None and current.text
    current_no = m.number[current.key] if current is not None and in_text else 0
    # Inside a narrative, a numbered line is a list item unless it moves forward in the form.
    backward = in_text and (by_number is None or number <= current_no)
    sep = _LABELLED.match(rest)
    if sep:
        label, value = sep.group(1), sep.group(2)
        found = st.resolve(label)
        if backward and not (
            found.confident and by_number is not None and found.key == by_number.key
        ):
            return None
        if found.confident and found.key:
            return _Line(found.key, value, strong=True)
        if found.kind == "fuzzy" and found.key:
            if by_number is None:
                return _Line(found.key, value, guessed=True, strong=True)
            if by_number.key == found.key:
                return _Line(found.key, value, strong=True)
            return _Line(problem=_conflict(m, line_no, s, number, found.key), strong=True)
        if found.kind == "ambiguous":
            if by_number is not None and by_number.key in found.keys:
                return _Line(by_number.key, value, strong=True)
            return _Line(problem=_ambiguous_label(m, line_no, s, found.keys), strong=True)
        if by_number is None:
            return None
        if by_number.type is FieldType.TEXT:
            return _Line(by_number.key, rest, strong=True)
        return _Line(by_number.key, value, guessed=bool(label.strip()), strong=True)
    # No separator: "3. 45,5tr", "3. Tiền vận động" (label only), "3. Tiền vận động 45tr".
    if backward:
        return None
    digit = _FIRST_DIGIT.search(rest)
    if rest and digit is None:
        whole = st.resolve(rest)
        if whole.confident and whole.key:
            return _Line(whole.key, "", strong=True)
    if by_number is not None and by_number.type is FieldType.TEXT:
        return _Line(by_number.key, rest, strong=True)
    if digit is not None and digit.start() > 0:
        found = st.resolve(rest[: digit.start()])
        agrees = by_number is None or by_number.key == found.key or found.confident
        if found.key and found.kind != "ambiguous" and agrees:
            return _Line(found.key, rest[digit.start() :], strong=True)
    if by_number is None:
        return None
    return _Line(by_number.key, rest, strong=True)


def _assign(st: _FormState, key: str, value: str, line_no: int, guessed: bool) -> bool:
    """Record a non-text value; returns whether it read cleanly."""
    f = st.m.by_key[key]
    try:
        parsed = parse_value(f, value)
    except NumberError as exc:
        st.problems.append(_value_problem(f, exc, line_no, value.strip()))
        st.failed.add(key)
        return False
    if key in st.values:
        if st.values[key] != parsed:
            first_line, first_raw = st.origin[key]
            st.problems.append(
                _two_values(st.m, key, [first_line, line_no], [first_raw, value.strip()])
            )
            st.failed.add(key)
        return True
    st.values[key] = parsed
    st.origin[key] = (line_no, value.strip())
    if guessed:
        st.guessed.add(key)
    return True


def _looks_like_value(m: _Matcher, key: str, s: str) -> bool:
    """Whether a line on its own is just a value (for a field left blank on the line above)."""
    if _LABELLED.match(s):
        return False
    if _FIRST_DIGIT.match(s):
        return True
    kind = m.by_key[key].type
    return kind in (FieldType.YESNO, FieldType.CHOICE) and len(s) < 40


def _parse_form(lines: Sequence[str], m: _Matcher) -> _FormState:
    st = _FormState(m)
    current: _Open | None = None
    for line_no, line in enumerate(lines, 1):
        s = line.strip()
        if not s:
            continue
        if m.is_header(s):
            current = None
            st.strong += 1
            continue
        read = _classify(st, line_no, s, current)
        if read is None:
            if current is not None and current.text:
                st.texts[current.key].append(s)
                continue
            if current is not None and current.pending and _looks_like_value(m, current.key, s):
                _assign(st, current.key, s, line_no, guessed=False)
                current = None
                continue
            st.problems.append(_unknown(m, line_no, s))
            current = None
            continue
        if read.problem is not None:
            st.problems.append(read.problem)
            st.strong += int(read.strong)
            current = None
            continue
        assert read.key is not None
        key = read.key
        f = m.by_key[key]
        clean = True
        if f.type is FieldType.TEXT:
            st.texts.setdefault(key, [])
            if not _is_blank(read.value):
                st.texts[key].append(read.value.strip())
            if read.guessed:
                st.guessed.add(key)
            current = _Open(key, text=True, pending=False)
        elif _is_blank(read.value):
            current = _Open(key, text=False, pending=True)
        else:
            clean = _assign(st, key, read.value, line_no, read.guessed)
            current = None
        if read.strong:
            st.strong += 1
        elif clean:
            st.weak_ok += 1
        else:
            st.weak_bad += 1
    for key, parts in st.texts.items():
        body = "\n".join(p for p in parts if p).strip()
        if body:
            st.values[key] = body
    return st


# -- free text -------------------------------------------------------------------------------

_NUMF = r"[0-9]+(?:[.,][0-9]+)*"
_MULTF = r"(?:ty(?!\s*le(?![a-z]))|ti|trieu|tr|nghin|ngan|k)(?![a-z])"
_CURF = r"(?:dong|vnd|d)(?![a-z])"
_QTY = re.compile(
    rf"(?<![0-9a-z.,/:])(?<![a-z]-)(?P<num>{_NUMF})(?![/:][0-9]|[hg][0-9])"
    rf"(?P<money>(?:\s*{_MULTF}(?:\s*ruoi(?![a-z]))?"
    rf"(?:\s*{_NUMF}\s*{_MULTF}(?:\s*ruoi(?![a-z]))?)*"
    rf"(?:\s*[0-9]{{1,3}}(?=\s*{_CURF}|\s*[;,)!?]|\s*$|\s*\.(?![0-9])))?"
    rf"(?:\s*{_CURF})?)"
    rf"|\s*{_CURF})?"
    r"(?P<pct>\s*%)?"
)
_LETTERS = re.compile(r"[a-z]+")
_FOLLOW_SKIP = 2  # words allowed between a number and its unit ("12 hội nghị tuyên truyền")
_PRECEDE_SKIP = 4  # words allowed between a keyword and the number after it
_MONEY_WINDOW = 8


@dataclass(frozen=True)
class _Qty:
    start: int
    end: int
    raw: str
    money: bool
    percent: bool


def _keyword_at(
    m: _Matcher, words: Sequence[str], i: int, allowed: frozenset[str], *, ending: bool
) -> tuple[int, frozenset[str]]:
    """The longest keyword starting (or ending) at word ``i`` naming allowed fields."""
    for length in range(min(m.kw_max, i + 1 if ending else len(words) - i), 0, -1):
        seq = tuple(words[i - length + 1 : i + 1]) if ending else tuple(words[i : i + length])
        keys = m.keywords.get(seq)
        if keys:
            hit = keys & allowed
            if hit:
                return length, hit
    return 0, frozenset()


@dataclass(frozen=True)
class _Scope:
    """Where a number sits in the free text and which fields it may go to."""

    m: _Matcher
    words: Sequence[str]
    clauses: Sequence[int]
    clause: int
    allowed: frozenset[str]


def _nearest(
    sc: _Scope, lo: int, hi: int, *, forward: bool, limit: int, strict: bool
) -> tuple[int, frozenset[str]] | None:
    """Distance and fields of the nearest keyword after (``forward``) or before a number.

    A keyword beyond a comma or full stop belongs to another clause: for counts it is not
    considered at all (``strict``), for money it counts as much farther away, so "hàng hóa trị
    giá 30 triệu, tiền mặt 12 triệu" gives 30 triệu to goods and 12 triệu to cash.
    """
    rng = (
        range(lo, min(hi, lo + limit + 1))
        if forward
        else range(hi - 1, max(lo, hi - 1 - limit) - 1, -1)
    )
    for dist, i in enumerate(rng):
        other_clause = sc.clauses[i] != sc.clause
        if other_clause and strict:
            return None
        length, keys = _keyword_at(sc.m, sc.words, i, sc.allowed, ending=not forward)
        if length:
            return dist + (_CLAUSE_PENALTY if other_clause else 0), keys
    return None


def _place(
    sc: _Scope,
    *,
    after: int,
    stop: int,
    floor: int,
    before: int,
    single: bool,
) -> frozenset[str]:
    """The fields a number in free text may belong to (one, several = ambiguous, none).

    Money goes to the nearest money keyword on either side (the one before wins a tie, as in
    "vận động được 45,5 triệu"); with a single money field in the form it goes there. Other
    numbers take the unit or keyword right after them ("12 buổi", "1.200 suất quà"), or the
    field whose unit begins with the word right after them ("350 lượt" of "lượt người"),
    else a keyword shortly before them in the same clause ("số buổi tuyên truyền là 12"). A percent
    behaves like money: nearest keyword, or the only percent field.
    """
    if single:
        fwd = _nearest(sc, after, stop, forward=True, limit=_MONEY_WINDOW, strict=False)
        back = _nearest(sc, floor, before, forward=False, limit=_MONEY_WINDOW, strict=False)
        if back is not None and (fwd is None or back[0] <= fwd[0]):
            return back[1]
        if fwd is not None:
            return fwd[1]
        return sc.allowed if len(sc.allowed) == 1 else frozenset()
    hit = _nearest(sc, after, stop, forward=True, limit=_FOLLOW_SKIP, strict=True)
    if hit is None and after < stop and sc.clauses[after] == sc.clause:
        # "350 lượt công nhân": the unit's first word right after the number settles it
        # when it is one field's, before a keyword further back ("tuyên truyền cho 350
        # lượt" is not a number of sessions).
        unit = sc.m.unit_first.get(sc.words[after], frozenset()) & sc.allowed
        if len(unit) == 1:
            return unit
    if hit is None:
        hit = _nearest(sc, floor, before, forward=False, limit=_PRECEDE_SKIP, strict=True)
    return hit[1] if hit is not None else frozenset()


# Words after which a number is a name, not a quantity: "mũi 3", "tuần 48", "Nghị quyết 68".
_ORDINAL_WORDS = frozenset(
    {"mui", "tuan", "thang", "nam", "ngay", "quy", "lan", "dot", "ap", "khu", "xom", "phuong"}
    | {"covid", "quyet", "thi", "dinh", "luc", "khoa", "phong"}
)


def _is_ordinal(folded: str, word_start: int, number_start: int) -> bool:
    """Whether the number at ``number_start`` directly follows an ordinal word."""
    between = folded[word_start:number_start]
    word = between.rstrip(" -")
    return len(between) - len(word) <= 2 and word in _ORDINAL_WORDS


_BREAK = re.compile(r"[;!?\n]|[.,](?![0-9])|(?<![0-9])[.,]")
_CLAUSE_PENALTY = 6


def _parse_free(text: str, m: _Matcher) -> ParseResult:
    original, folded = fold_aligned(text)
    newlines = [i for i, c in enumerate(original) if c == "\n"]
    word_spans = [(w.start(), w.group()) for w in _LETTERS.finditer(folded)]
    starts = [s for s, _ in word_spans]
    words = [w for _, w in word_spans]
    breaks = [b.start() for b in _BREAK.finditer(folded)]
    clauses = [bisect.bisect_right(breaks, p) for p in starts]
    qtys = [
        _Qty(
            q.start(),
            q.end(),
            original[q.start() : q.end()].strip(),
            bool(q.group("money")),
            bool(q.group("pct")),
        )
        for q in _QTY.finditer(folded)
    ]
    numeric = [f for f in m.fields if f.type.numeric]
    money_keys = frozenset(f.key for f in numeric if f.type is FieldType.MONEY)
    pct_keys = frozenset(f.key for f in numeric if f.type is FieldType.PERCENT)
    bare_keys = frozenset(f.key for f in numeric)
    found: dict[str, list[tuple[FieldValue, int, str]]] = {}
    problems: list[Problem] = []
    failed: set[str] = set()

    def line_of(pos: int) -> int:
        return bisect.bisect_right(newlines, pos) + 1

    for idx, q in enumerate(qtys):
        after = bisect.bisect_left(starts, q.end)
        before = bisect.bisect_left(starts, q.start)
        stop = (
            bisect.bisect_left(starts, qtys[idx + 1].start) if idx + 1 < len(qtys) else len(words)
        )
        floor = bisect.bisect_left(starts, qtys[idx - 1].end) if idx > 0 else 0
        allowed = money_keys if q.money else pct_keys if q.percent else bare_keys
        if not allowed or (before and _is_ordinal(folded, starts[before - 1], q.start)):
            continue
        keys = _place(
            _Scope(m, words, clauses, bisect.bisect_right(breaks, q.start), allowed),
            after=after,
            stop=stop,
            floor=floor,
            before=before,
            single=q.money or q.percent,
        )
        line_no = line_of(q.start)
        if not keys:
            if q.money or q.percent:  # an amount with a unit but no field: ask
                problems.append(_free_unplaced(m, line_no, q.raw, sorted(allowed)))
            continue
        if len(keys) > 1:
            problems.append(_free_unplaced(m, line_no, q.raw, sorted(keys)))
            continue
        (key,) = keys
        f = m.by_key[key]
        try:
            value = parse_value(f, q.raw)
        except NumberError as exc:
            problems.append(_value_problem(f, exc, line_no, q.raw))
            failed.add(key)
            continue
        found.setdefault(key, []).append((value, line_no, q.raw))
    values: dict[str, FieldValue] = {}
    for key, items in found.items():
        distinct = {v for v, _, _ in items}
        if len(distinct) > 1 or key in failed:
            if len(distinct) > 1:
                problems.append(_two_values(m, key, [None] * len(items), [r for _, _, r in items]))
            failed.add(key)
            continue
        values[key] = items[0][0]
    return _finish(m, values, problems, frozenset(values), failed, "free")


def _free_unplaced(m: _Matcher, line_no: int, raw: str, keys: Sequence[str]) -> Problem:
    msg = (
        f"Chưa rõ số liệu {_quote(raw)} ở dòng {line_no} thuộc {_refs(m, keys)}. "
        f"Đồng chí vui lòng ghi theo mẫu, ví dụ: {min(m.number[k] for k in keys)}. {raw.strip()}"
    )
    return Problem(ProblemKind.AMBIGUOUS, None, line_no, raw, msg.rstrip(".") + ".")


# -- the whole reply -------------------------------------------------------------------------


def _finish(
    m: _Matcher,
    values: dict[str, FieldValue],
    problems: list[Problem],
    guessed: frozenset[str],
    failed: set[str],
    mode: str,
) -> ParseResult:
    blocking_value_problem = any(
        p.kind in (ProblemKind.AMBIGUOUS, ProblemKind.UNPARSEABLE, ProblemKind.OUT_OF_RANGE)
        for p in problems
    )
    if not values and not blocking_value_problem:
        problems = [Problem(ProblemKind.EMPTY, None, None, "", _EMPTY_NOTHING), *problems]
    else:
        for f in m.fields:
            if f.required and f.key not in values and f.key not in failed:
                problems.append(_missing(m, f.key))
    return ParseResult(
        values=values,
        problems=_cap(problems),
        guessed=frozenset(k for k in guessed if k in values),
        mode=mode,
    )


def parse_report(text: str, template: Template, org_code: str | None) -> ParseResult:
    """Read a reply to the prompt for ``org_code`` against ``template``; never raises."""
    checklist_issues: tuple[Problem, ...] = ()
    if template.checklist is not None:
        # "1 có, 2 không", "không đạt: 3, 5": short checklist replies become form lines.
        expanded = expand_checklist_reply(text[: MAX_CHARS + 1], template, org_code)
        text = expanded.text
        checklist_issues = tuple(
            Problem(ProblemKind.UNPARSEABLE, key, None, raw, message)
            for key, message, raw in expanded.issues
        )
    m = _matcher(template, org_code)
    if not text.strip() and checklist_issues:
        return ParseResult({}, checklist_issues, frozenset(), "form")
    if not text.strip():
        problem = Problem(ProblemKind.EMPTY, None, None, "", _EMPTY_BLANK)
        return ParseResult({}, (problem,), frozenset(), "form")
    truncated = len(text) > MAX_CHARS
    if truncated:
        cut = text.rfind("\n", 0, MAX_CHARS)
        text = text[: cut if cut > 0 else MAX_CHARS]
    lines = text.splitlines()
    truncated = truncated or len(lines) > MAX_LINES
    lines = lines[:MAX_LINES]
    st = _parse_form(lines, m)
    form_blocking = any(p.blocking for p in st.problems)
    if st.strong or (st.weak_ok and not st.weak_bad and not form_blocking):
        result = _finish(m, st.values, st.problems, frozenset(st.guessed), st.failed, "form")
    else:
        result = _parse_free("\n".join(lines), m)
    if truncated:
        problems = (*result.problems, _too_long(len(lines)))
        result = ParseResult(result.values, problems, result.guessed, result.mode)
    if checklist_issues:
        problems = tuple(p for p in result.problems if p.kind is not ProblemKind.EMPTY)
        result = ParseResult(
            result.values, (*checklist_issues, *problems), result.guessed, result.mode
        )
    return result
