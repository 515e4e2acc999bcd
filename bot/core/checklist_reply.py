"""Short replies to a checklist, easy to type on a phone (issue 9, part 4).

Besides the fill-in form (one criterion a line: "3. có", "3 không"), a checklist reply may be:

* **pairs on one line**: "1 có, 2 không, 3 có", "1c 2k 3c", "1-6 có; 7 không" (a range
  "1-6" gives every criterion from 1 to 6 the same answer);
* **only the criteria not met**: "không đạt: 3, 5", "chưa đạt 3 5", "đạt tất cả trừ 3, 5":
  every other criterion that applies to the unit is met;
* **all met**: "đạt tất cả", "đạt hết", "tất cả đều đạt".

``expand_checklist_reply`` rewrites such lines into ordinary numbered form lines ("3. không")
and leaves every other line as it is, so the form reader (``bot.core.parsing``) does the rest
with its usual rules: labels, narrative fields, required fields, unknown numbers and two
different answers to one criterion are reported as for any report. A line is rewritten only
when it consists entirely of such items, so ordinary form lines ("3. Có tổ tự quản: có")
and narratives are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.template import FieldType, Template
from bot.core.text import fold

__all__ = ["Expanded", "expand_checklist_reply"]

_YES_WORDS = ("co roi", "da dat", "dat", "co", "roi", "c", "x", "yes", "y")
_NO_WORDS: tuple[str, ...] = ("khong dat", "chua dat", "khong co", "chua co", "khong", "chua")
_NO_WORDS += ("ko", "kh", "k", "no", "n")
_ANSWER = "|".join(sorted((*_YES_WORDS, *_NO_WORDS), key=len, reverse=True))
_ITEM = re.compile(rf"(\d{{1,3}})(?:\s*-\s*(\d{{1,3}}))?\s*[.:)=]?\s*({_ANSWER})(?![a-z0-9])")
_SEP = re.compile(r"[\s,;/]*")
_NUMS = r"\d{1,3}(?:\s*-\s*\d{1,3})?(?:\s*(?:,|;|va|\s)\s*\d{1,3}(?:\s*-\s*\d{1,3})?)*"
_EXCEPT = re.compile(
    # "đạt" or "thiếu" is required: a bare "chưa 2" may be a narrative line, not a list.
    rf"^(?:khong dat|chua dat|thieu)(?: (?:cac|nhung))?(?: tieu chi)?(?: so)?"
    rf"\s*[:\-]?\s*(?P<nums>{_NUMS})\s*\.?$"
)
_ALL = (
    r"(?:(?:da )?dat|co) (?:tat ca|het|du|ca)(?: (?:cac )?tieu chi)?"
    r"|tat ca(?: cac tieu chi)?(?: deu)? (?:dat|co)"
)
_ALL_ONLY = re.compile(rf"^(?:{_ALL})\s*\.?$")
_ALL_EXCEPT = re.compile(
    rf"^(?:{_ALL})\s*,?\s*(?:tru|ngoai tru|tru tieu chi)\s*(?P<nums>{_NUMS})\s*\.?$"
)


def _numbers(text: str) -> list[int] | None:
    out: list[int] = []
    for m in re.finditer(r"(\d{1,3})(?:\s*-\s*(\d{1,3}))?", text):
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if hi < lo or hi - lo > 200:
            return None
        out.extend(range(lo, hi + 1))
    return out


def _pairs(line: str) -> list[tuple[int, bool]] | None:
    """The (number, answer) items of a line made only of items, else ``None``."""
    pos = 0
    items: list[tuple[int, bool]] = []
    line = line.strip().rstrip(".")
    while pos < len(line):
        gap = _SEP.match(line, pos)
        if gap is not None:
            pos = gap.end()
        if pos >= len(line):
            break
        m = _ITEM.match(line, pos)
        if m is None:
            return None
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if hi < lo or hi - lo > 200:
            return None
        answer = m.group(3) in _YES_WORDS
        items.extend((n, answer) for n in range(lo, hi + 1))
        pos = m.end()
    return items or None


@dataclass(frozen=True, slots=True)
class Expanded:
    """The reply with its short lines rewritten, and what could not be placed: (field key
    or None, Vietnamese message, the line as typed), for the form reader to report."""

    text: str
    issues: tuple[tuple[str | None, str, str], ...] = ()


def expand_checklist_reply(text: str, template: Template, org_code: str | None) -> Expanded:
    """``text`` with its short checklist lines rewritten as form lines (see the module
    docstring); unchanged when the template is not a checklist or nothing is short."""
    if template.checklist is None:
        return Expanded(text)
    form = template.numbered_fields(org_code)
    number_of = {f.key: n for n, f in form}
    by_number = {n: f for n, f in form}
    applicable = {f.key for f in template.fields_for(org_code)}
    criteria = [number_of[f.key] for f in template.criteria() if f.key in applicable]
    yesno = {n for n, f in form if f.type is FieldType.YESNO}
    out: list[str] = []
    issues: list[tuple[str | None, str, str]] = []
    changed = False
    for line_no, line in enumerate(text.splitlines(), 1):
        folded = " ".join(fold(line).split())
        expanded = _expand_line(folded, criteria, yesno, set(by_number))
        if expanded is None:
            out.append(line)
            continue
        changed = True
        answers: dict[int, set[bool]] = {}
        for n, yes in expanded:
            answers.setdefault(n, set()).add(yes)
        for n, given in answers.items():
            f = by_number.get(n)
            raw = line.strip()
            if f is None or f.type is not FieldType.YESNO:
                listed = _ranges(sorted(yesno))
                if f is None:
                    text_ = (
                        f"Dòng {line_no}: mẫu không có tiêu chí số {n} (các tiêu chí: {listed})."
                    )
                else:
                    text_ = (
                        f"Dòng {line_no}: mục {n} ({f.label}) không phải tiêu chí có/không "
                        f"(các tiêu chí: {listed}); đồng chí ghi mục này trên một dòng riêng."
                    )
                issues.append((None, text_ + " Đồng chí vui lòng kiểm tra và gửi lại.", raw))
            elif len(given) > 1:
                issues.append(
                    (
                        f.key,
                        f"Dòng {line_no}: tiêu chí {n} ({f.label}) vừa “có” vừa “không”. "
                        f"Đồng chí vui lòng gửi lại, ví dụ: {n} có.",
                        raw,
                    )
                )
            else:
                out.append(f"{n}. {'có' if given.pop() else 'không'}")
    if not changed:
        return Expanded(text)
    return Expanded("\n".join(out), tuple(issues))


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 5] -> "1–3, 5"."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _expand_line(
    folded: str, criteria: list[int], yesno: set[int], numbers: set[int]
) -> list[tuple[int, bool]] | None:
    if not folded:
        return None
    if _ALL_ONLY.match(folded):
        return [(n, True) for n in criteria]
    m = _ALL_EXCEPT.match(folded) or _EXCEPT.match(folded)
    if m is not None:
        nums = _numbers(m.group("nums"))
        if nums is None:
            return None
        failed = set(nums)
        # Numbers that are not criteria of this unit stay as items, so the reader says
        # which number it could not place instead of the answer being lost silently.
        rest = [(n, n not in failed) for n in criteria]
        return rest + [(n, False) for n in sorted(failed - set(criteria))]
    items = _pairs(folded)
    if items is None:
        return None
    # One bare "3 có" line for another kind of field ("10 có" for a narrative) is left to
    # the form reader; several items, or a yes/no or unknown number, are ours.
    if len(items) == 1 and items[0][0] not in yesno and items[0][0] in numbers:
        return None
    return items
