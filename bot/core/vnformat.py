"""Vietnamese formatting of numbers, money, dates and times (VOICE.md).

Thousands with ".", decimals with ","; money in đồng ("1.200.000 đồng" in prose,
"1.200.000 đ" in tables, "2,51 tỷ đồng" for headlines); times "17h00"; dates dd/mm/yyyy;
weekdays "Thứ Hai … Chủ nhật". These are the inverse of the parsers in ``numbers.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def format_int(n: int) -> str:
    """1200 -> "1.200"; -5 -> "-5"."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(n):,}".replace(",", ".")


def format_decimal(d: Decimal | int | float, places: int | None = None) -> str:
    """Decimal("42.5") -> "42,5"; trailing zeros dropped unless ``places`` is given."""
    value = Decimal(str(d)) if not isinstance(d, Decimal) else d
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{value:f}"
    else:
        text = f"{value.normalize():f}" if value != 0 else "0"
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, frac = text.partition(".")
    out = sign + format_int(int(whole))
    if frac:
        out += "," + frac
    return out


def format_money(amount: int, *, table: bool = False) -> str:
    """Exact amount in đồng: "1.200.000 đồng" (prose) or "1.200.000 đ" (tables)."""
    return f"{format_int(amount)} {'đ' if table else 'đồng'}"


def format_money_short(amount: int) -> str:
    """Headline form: "2,51 tỷ đồng", "45,5 triệu đồng"; small sums stay exact."""
    a = abs(amount)
    for unit, word in ((1_000_000_000, "tỷ"), (1_000_000, "triệu")):
        if a >= unit:
            value = (Decimal(amount) / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            return f"{format_decimal(value)} {word} đồng"
    return format_money(amount)


def format_percent(d: Decimal | int | float, places: int = 1) -> str:
    """87.3 -> "87,3%"."""
    text = format_decimal(Decimal(str(d)), places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text + "%"


def format_date(d: date | datetime) -> str:
    return f"{d:%d/%m/%Y}"


def format_time(dt: datetime) -> str:
    return f"{dt:%H}h{dt:%M}"


def weekday_name(d: date | datetime) -> str:
    return WEEKDAYS[d.weekday()]


def format_deadline(dt: datetime) -> str:
    """ "17h00 Thứ Sáu, 27/11/2026"."""
    return f"{format_time(dt)} {weekday_name(dt)}, {format_date(dt)}"


def format_datetime(dt: datetime) -> str:
    """ "08h00 27/11/2026"."""
    return f"{format_time(dt)} {format_date(dt)}"


def format_change(current: Decimal | int, previous: Decimal | int, *, unit: str = "") -> str:
    """Change against the previous period: "tăng 5", "giảm 12", "không đổi"."""
    diff = Decimal(current) - Decimal(previous)
    if diff == 0:
        return "không đổi"
    word = "tăng" if diff > 0 else "giảm"
    mag = abs(diff)
    number = format_int(int(mag)) if mag == mag.to_integral_value() else format_decimal(mag)
    return f"{word} {number}{(' ' + unit) if unit else ''}"
