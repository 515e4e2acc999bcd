"""Reading a period an official names in chat: "tuần 47", "47/2026", "tuần trước",
"tháng 11/2026", "quý 4", "6 tháng đầu năm 2026", "năm 2025", or a key like "2026-W47"."""

from __future__ import annotations

import re
from datetime import date

from bot.core.periods import Period, PeriodError, PeriodType
from bot.core.text import fold

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


# A period's kind by its word, folded ("tuần 47", "quý IV"; "/tonghop năm" alone).
KIND_WORDS = {
    "tuan": PeriodType.WEEK,
    "thang": PeriodType.MONTH,
    "quy": PeriodType.QUARTER,
    "nam": PeriodType.YEAR,
}


def parse_period_ref(text: str, default_type: PeriodType, today: date) -> Period:
    """The period named by ``text``; empty text means the current period of ``default_type``.

    A number without a type ("47", "47/2026") is read in ``default_type``; a year left out
    means the year of ``today``. Raises PeriodError with a Vietnamese message.
    """
    t = fold(text).strip()
    current = Period.containing(default_type, today)
    # A type alone ("tuần", "tháng"): the current one of that type, as people say it.
    bare = {"tuan": PeriodType.WEEK, "thang": PeriodType.MONTH, "quy": PeriodType.QUARTER}
    if t in bare or t == "nam":
        return Period.containing(bare.get(t, PeriodType.YEAR), today)
    if not t or t in ("nay", "hien tai", "ky nay", "tuan nay", "thang nay"):
        if t in ("tuan nay",):
            return Period.containing(PeriodType.WEEK, today)
        if t in ("thang nay",):
            return Period.containing(PeriodType.MONTH, today)
        return current
    for word, ptype in (("quy", PeriodType.QUARTER), ("nam", PeriodType.YEAR)):
        if t == f"{word} nay":
            return Period.containing(ptype, today)
        if t == f"{word} truoc" or t == f"{word} ngoai" == "nam ngoai":
            return Period.containing(ptype, today).prev()
    if t in ("truoc", "ky truoc"):
        return current.prev()
    if t in ("sau", "ky sau", "ky toi"):
        return current.next()
    if t in ("tuan sau", "tuan toi"):
        return Period.containing(PeriodType.WEEK, today).next()
    if t in ("thang sau", "thang toi"):
        return Period.containing(PeriodType.MONTH, today).next()
    if t == "tuan truoc":
        return Period.containing(PeriodType.WEEK, today).prev()
    if t == "thang truoc":
        return Period.containing(PeriodType.MONTH, today).prev()
    try:
        return Period.from_key(text.strip().upper())
    except PeriodError:
        pass
    m = re.fullmatch(r"6 thang (dau|cuoi)(?: nam)?(?: (\d{4}))?", t)
    if m:
        year = int(m.group(2) or today.year)
        return Period(PeriodType.HALF, date(year, 1 if m.group(1) == "dau" else 7, 1))
    m = re.fullmatch(r"(tuan|thang|quy|nam)?\s*([0-9ivx]+)(?:\s*(?:/|-|\s+nam\s+)\s*(\d{4}))?", t)
    if not m:
        raise PeriodError(
            f"Chưa hiểu kỳ “{text.strip()}”. Ví dụ: tuần này, tuần 47, tuần trước,"
            " tháng 11/2026, quý IV, năm 2026, năm nay."
        )
    word, num_text, year_text = m.group(1), m.group(2), m.group(3)
    year = int(year_text) if year_text else today.year
    ptype = KIND_WORDS[word] if word is not None else default_type
    if num_text in _ROMAN:
        num = _ROMAN[num_text]
        ptype = PeriodType.QUARTER if word is None else ptype
    elif num_text.isdigit():
        num = int(num_text)
    else:
        raise PeriodError(f"Chưa hiểu kỳ “{text.strip()}”.")
    if ptype is PeriodType.YEAR:
        year = num if num > 999 else year
        return Period(PeriodType.YEAR, date(year, 1, 1))
    if ptype is PeriodType.WEEK:
        return Period.week(year, num)
    if ptype is PeriodType.MONTH:
        if not 1 <= num <= 12:
            raise PeriodError(f"Tháng {num} không tồn tại.")
        return Period(PeriodType.MONTH, date(year, num, 1))
    if ptype is PeriodType.QUARTER:
        if not 1 <= num <= 4:
            raise PeriodError(f"Quý {num} không tồn tại.")
        return Period(PeriodType.QUARTER, date(year, (num - 1) * 3 + 1, 1))
    if not 1 <= num <= 2:
        raise PeriodError("Nửa năm chỉ có 1 (đầu năm) hoặc 2 (cuối năm).")
    return Period(PeriodType.HALF, date(year, 1 if num == 1 else 7, 1))


_DAY = r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?"


def _day(m: re.Match[str], offset: int, today: date) -> date:
    d, mth, y = m.group(offset), m.group(offset + 1), m.group(offset + 2)
    year = int(y) if y else today.year
    if year < 100:
        year += 2000
    try:
        return date(year, int(mth), int(d))
    except ValueError as exc:
        raise PeriodError(f"Ngày {d}/{mth}/{year} không tồn tại.") from exc


def parse_span_ref(text: str, default_type: PeriodType, today: date) -> tuple[date, date] | Period:
    """A period ("quý 4", "năm 2026", "6 tháng đầu năm") or a range of days
    ("từ 01/10/2026 đến 15/11/2026", "01/10 - 15/11/2026"): a ``Period`` or the first and
    last day (both included). Raises PeriodError with a Vietnamese message."""
    t = fold(text).strip()
    m = re.fullmatch(rf"(?:tu\s+)?(?:ngay\s+)?{_DAY}\s*(?:den|toi|-|–)\s*(?:ngay\s+)?{_DAY}", t)
    if m:
        last = _day(m, 4, today)
        if not m.group(6) and last > today:
            # "từ 1/10 đến 15/11" asked in January: the days just past, not next year's.
            last = _day(m, 4, date(today.year - 1, 1, 1))
        first_year = m.group(3)
        first = _day(m, 1, last if not first_year else today)
        if first > last:
            raise PeriodError("Ngày bắt đầu phải trước ngày kết thúc.")
        if (last - first).days > 3 * 366:
            raise PeriodError("Khoảng thời gian dài quá 3 năm; đồng chí chọn khoảng ngắn hơn.")
        return first, last
    if t.startswith("tu ") or " den " in f" {t} ":
        raise PeriodError(
            f"Chưa hiểu khoảng thời gian “{text.strip()}”. Ví dụ: từ 01/10/2026 đến 15/11/2026."
        )
    return parse_recent_period_ref(text, default_type, today)


def parse_recent_period_ref(text: str, default_type: PeriodType, today: date) -> Period:
    """``parse_period_ref`` for commands about periods already under way or past: a period
    named without its year that would lie ahead is last year's ("quý IV" or "tuần 45" asked
    in January mean the ones just ended, not those of the coming autumn)."""
    t = fold(text).strip()
    last_year = date(today.year - 1, today.month, 1)
    implicit = not re.search(r"\d{4}", t) and not _RELATIVE.search(t)
    try:
        period = parse_period_ref(text, default_type, today)
    except PeriodError:
        if not implicit:
            raise
        # "tuần 53" asked in the first days of a year without a week 53: last year's.
        period = parse_period_ref(text, default_type, last_year)
    if period.start > today and implicit:
        period = parse_period_ref(text, default_type, last_year)
    return period


_RELATIVE = re.compile(r"\b(sau|toi|nay)\b")
