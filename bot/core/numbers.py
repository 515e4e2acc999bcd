"""Reading Vietnamese numbers as officials type them: counts, money, decimals, percents, yes/no.

These are the inverse of :mod:`bot.core.vnformat`: whatever it prints, these read back to the
same value. They are pure and raise typed errors; the edge turns ``reason`` (a short
Vietnamese phrase) into a reply.

Separators (the rules, since the same characters mean different things in different locales):

* Vietnamese convention first: "." groups thousands, "," is the decimal mark. "1.200" = 1200,
  "45,5" = 45,5, "1.200,5" = 1200,5, "1.200.000" = 1200000, "1 200 000" = 1200000.
* A single "." followed by exactly three digits (and a group of 1-3 digits not starting with
  0 before it) is a thousands separator: "1.500" = 1500. This is what ``format_int`` prints.
* A single "." followed by any other number of digits cannot be a thousands separator, so it
  is read as a decimal point (phone keyboards, spreadsheets in English): "42.5" = 42,5.
* A single "," followed by exactly three digits ("1,500") has two plausible readings: 1,5
  (Vietnamese) or 1500 (English thousands). For counts and money, whose values are whole,
  the English reading is likely enough that we never choose: :class:`AmbiguousNumberError`.
  For decimals and percents the Vietnamese reading wins (1,500 tấn = 1,5 tấn) because there
  "," is the decimal mark people use and ``format_decimal(places=3)`` prints exactly that.
* Several "," with groups of three ("1,500,000") or "," for thousands with a final "." decimal
  ("1,200.5") only have the English reading and are accepted.

Money words: "tỷ/tỉ", "triệu/tr", "nghìn/ngàn/k", "rưỡi" (a half of the unit before it),
trailing "đ", "đồng", "VNĐ", "vnd", "₫", with or without diacritics. Units combine in
decreasing order ("1 tỷ 200 triệu"); a bare number after a unit is the colloquial short form
("1 tỷ 2" = 1,2 tỷ, "15tr5" = 15,5 triệu; three digits count in the next unit down:
"2 triệu 500" = 2 500 000). Two digits there ("1 tỷ 25") are ambiguous and rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from bot.core.text import fold

__all__ = [
    "MAX_DIGITS",
    "AmbiguousNumberError",
    "NumberError",
    "OutOfRangeError",
    "parse_count",
    "parse_decimal",
    "parse_money",
    "parse_percent",
    "parse_yesno",
]

# Longer literals are not report figures but noise (or an attempt to make int() slow).
MAX_DIGITS = 24

Number = int | Decimal


class NumberError(ValueError):
    """A value that is not a valid number of the expected kind; ``reason`` is Vietnamese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AmbiguousNumberError(NumberError):
    """More than one plausible reading; the bot must ask rather than pick one."""

    def __init__(self, reason: str, candidates: tuple[Number, ...] = ()) -> None:
        super().__init__(reason)
        self.candidates = candidates


class OutOfRangeError(NumberError):
    """A well-formed number outside what the field allows (negative, over 100%, too long)."""


# -- tokenizer -------------------------------------------------------------------------------

_LIT = r"[0-9]{1,3}(?: [0-9]{3})+(?:,[0-9]+)?(?![0-9])|[0-9]+(?:[.,][0-9]+)*"
_TOKEN = re.compile(
    rf"(?P<num>{_LIT})"
    r"|(?P<mult>(?:ty|ti|trieu|tr|nghin|ngan|k)(?![a-z]))"
    r"|(?P<ruoi>ruoi(?![a-z]))"
    r"|(?P<cur>(?:dong|vnd|d)(?![a-z]))"
    r"|(?P<word>[a-z]+)"
    r"|(?P<pct>%)"
    r"|(?P<sign>(?<![0-9])[-+\u2212](?=\s?[0-9]))"
    r"|(?P<other>\S)"
)

_MULT = {
    "ty": 10**9,
    "ti": 10**9,
    "trieu": 10**6,
    "tr": 10**6,
    "nghin": 10**3,
    "ngan": 10**3,
    "k": 10**3,
}

# Words people put before a figure that change nothing: "được 12", "tổng cộng 12".
_FILLERS = frozenset({"la", "duoc", "dat", "co", "tong", "cong", "so", "gom"})
# A whole value written in words. Only as the entire answer: "một số" means "some".
_WORD_VALUES = {
    "khong": 0,
    "khong co": 0,
    "chua co": 0,
    "khong co gi": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_EDGE_PUNCT = " \t:=;,.!?…\"'“”‘’()[]{}*_-–—"
_LEAD_PUNCT = " \t:=;,.!?…\"'“”‘’()[]{}*_"  # no dashes: "-5" is a negative number


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class _Literal:
    """A numeric literal's readings: ``vn`` (Vietnamese) and, when different, ``en``."""

    vn: Decimal
    en: Decimal | None = None

    @property
    def ambiguous(self) -> bool:
        return self.en is not None and self.en != self.vn


def _tokenize(folded: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(folded):
        kind = m.lastgroup or "other"
        out.append(_Tok(kind, m.group()))
    return out


def _grouped(parts: list[str]) -> bool:
    """Whether ``parts`` are a valid thousands grouping: 1-3 digits (not 0…) then threes."""
    first = parts[0]
    return (
        1 <= len(first) <= 3
        and not (first.startswith("0") and len(parts) > 1)
        and all(len(p) == 3 for p in parts[1:])
    )


def _read_literal(lit: str) -> _Literal:
    """Apply the separator rules of the module docstring to one literal."""
    digits = sum(c.isdigit() for c in lit)
    if digits > MAX_DIGITS:
        raise OutOfRangeError("số quá lớn")
    if " " in lit:
        lit = lit.replace(" ", "")
        if "." in lit:
            raise NumberError("dấu ngăn cách không thống nhất")
    dots, commas = lit.count("."), lit.count(",")
    if not dots and not commas:
        return _Literal(Decimal(lit))
    if dots and commas:
        last = max(lit.rfind("."), lit.rfind(","))
        decimal_mark = lit[last]
        whole, frac = lit[:last], lit[last + 1 :]
        group_mark = "," if decimal_mark == "." else "."
        if decimal_mark in whole or not _grouped(whole.split(group_mark)):
            raise NumberError("dấu chấm, dấu phẩy đặt chưa đúng chỗ")
        return _Literal(Decimal(whole.replace(group_mark, "") + "." + frac))
    mark = "." if dots else ","
    parts = lit.split(mark)
    if len(parts) > 2:
        if not _grouped(parts):
            raise NumberError("dấu ngăn cách hàng nghìn đặt chưa đúng chỗ")
        return _Literal(Decimal("".join(parts)))
    whole, frac = parts
    as_thousands = len(frac) == 3 and _grouped(parts)
    as_decimal = Decimal(whole + "." + frac)
    if mark == ".":
        return _Literal(Decimal(whole + frac) if as_thousands else as_decimal)
    if as_thousands:
        return _Literal(as_decimal, Decimal(whole + frac))
    return _Literal(as_decimal)


def _prepare(text: str) -> list[_Tok]:
    """Fold, strip surrounding punctuation and filler words; the tokens of the figure."""
    folded = fold(text).lstrip(_LEAD_PUNCT).rstrip(_EDGE_PUNCT)
    toks = _tokenize(folded)
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text in _FILLERS:
        i += 1
    while i < len(toks) and toks[i].kind == "other" and toks[i].text in ":=":
        i += 1
    return toks[i:]


def _word_value(text: str) -> int | None:
    key = " ".join(fold(text).strip(_EDGE_PUNCT).split())
    return _WORD_VALUES.get(key)


def _fmt(d: Decimal) -> str:
    """A reading as the user would write it (for reasons), without importing vnformat."""
    if d == d.to_integral_value():
        return f"{int(d):,}".replace(",", ".")
    whole, _, frac = f"{d.normalize():f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + frac


@dataclass(frozen=True, slots=True)
class _Amount:
    """A figure read with its units: the Vietnamese and English totals, and what followed."""

    vn: Decimal
    en: Decimal
    percent: bool


def _read_amount(text: str, *, units: bool) -> _Amount:
    """Read "<literal> [units…] [đồng] [unit words]" into totals under both readings.

    ``units`` enables the money words (tỷ, triệu, nghìn, k, rưỡi); decimals and counts also
    accept them ("1,2 nghìn lượt người"), percents do not.
    """
    toks = _prepare(text)
    if not toks:
        raise NumberError("chưa có số")
    if toks[0].kind == "sign":
        if toks[0].text != "+":
            raise OutOfRangeError("không được là số âm")
        toks = toks[1:]
    if not toks or toks[0].kind != "num":
        if toks and toks[0].kind == "word" and toks[0].text in ("am", "tru") and len(toks) > 1:
            raise OutOfRangeError("không được là số âm")
        raise NumberError("chưa thấy số")
    vn = Decimal(0)
    en = Decimal(0)
    i = 0
    last_mult: int | None = None
    while i < len(toks) and toks[i].kind == "num":
        lit = _read_literal(toks[i].text)
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if units and nxt is not None and nxt.kind == "mult":
            mult = _MULT[nxt.text]
            if last_mult is not None and mult >= last_mult:
                raise NumberError("các đơn vị tỷ, triệu, nghìn cần theo thứ tự giảm dần")
            vn += lit.vn * mult
            en += (lit.en if lit.en is not None else lit.vn) * mult
            last_mult = mult
            i += 2
            if i < len(toks) and toks[i].kind == "ruoi":
                if lit.vn != lit.vn.to_integral_value():
                    raise NumberError("“rưỡi” chỉ đi sau số tròn")
                vn += Decimal(mult) / 2
                en += Decimal(mult) / 2
                i += 1
            continue
        if last_mult is not None:
            # Colloquial short form after a unit: "1 tỷ 2", "15tr5", "2 triệu 500".
            raw = toks[i].text
            if not raw.isdigit():
                raise NumberError("phần số sau đơn vị cần là số nguyên, ví dụ: 1 tỷ 200 triệu")
            n = int(raw)
            if len(raw) == 1:
                add = Decimal(n * last_mult) / 10
            elif len(raw) == 3:
                add = Decimal(n * last_mult) / 1000
            else:
                a, b = Decimal(n * last_mult) / 100, Decimal(n * last_mult) / 1000
                raise AmbiguousNumberError(
                    "phần số sau đơn vị có thể hiểu theo hai cách",
                    (_whole(vn + a), _whole(vn + b)),
                )
            vn += add
            en += add
            i += 1
            break
        vn = lit.vn
        en = lit.en if lit.en is not None else lit.vn
        i += 1
        break
    percent = False
    for tok in toks[i:]:
        if tok.kind == "num":
            raise AmbiguousNumberError("có nhiều hơn một số", ())
        if tok.kind in ("mult", "ruoi"):
            if units:
                raise NumberError("đơn vị tỷ, triệu, nghìn đặt chưa đúng chỗ")
        elif tok.kind == "pct":
            percent = True
        elif tok.kind == "sign":
            raise NumberError("có dấu lạ trong số")
    return _Amount(vn, en, percent)


def _whole(d: Decimal) -> Number:
    return int(d) if d == d.to_integral_value() else d.normalize()


def _ambiguous(amount: _Amount, unit: str = "") -> AmbiguousNumberError:
    suffix = f" {unit}" if unit else ""
    return AmbiguousNumberError(
        f"có thể hiểu là {_fmt(amount.en)}{suffix} hoặc {_fmt(amount.vn)}{suffix}",
        (_whole(amount.en), _whole(amount.vn)),
    )


def parse_count(text: str) -> int:
    """A whole count: "1.200" = 1200, "12 buổi" = 12 (the unit word is ignored), "không" = 0.

    "1,2 nghìn" = 1200: people round large counts the way they round money.

    "1,500" raises :class:`AmbiguousNumberError` (1500 or 1,5); "1,5" raises
    :class:`NumberError` (a count is whole); negatives raise :class:`OutOfRangeError`.
    """
    word = _word_value(text)
    if word is not None:
        return word
    amount = _read_amount(text, units=True)
    if amount.vn != amount.en:
        raise _ambiguous(amount)
    if amount.percent:
        raise NumberError("đây là số lượng, không phải tỷ lệ %")
    if amount.vn != amount.vn.to_integral_value():
        raise NumberError("số lượng phải là số nguyên")
    return int(amount.vn)


def parse_money(text: str) -> int:
    """An amount in đồng: "45,5 triệu", "1 tỷ 200 triệu", "500k", "1.200.000 đ", "15tr5".

    Fractions of a đồng raise :class:`NumberError` (so "45,5" without a unit is refused with a
    hint to write "45,5 triệu"); "1,500" with or without a unit is ambiguous.
    """
    word = _word_value(text)
    if word is not None:
        return word
    amount = _read_amount(text, units=True)
    if amount.vn != amount.en:
        raise _ambiguous(amount, "đồng")
    if amount.percent:
        raise NumberError("đây là số tiền, không phải tỷ lệ %")
    if amount.vn != amount.vn.to_integral_value():
        raise NumberError(
            "số tiền tính bằng đồng không có phần lẻ; nếu là triệu đồng, cần ghi rõ đơn vị"
        )
    return int(amount.vn)


def parse_decimal(text: str) -> Decimal:
    """A quantity such as tấn or ha: "42,5" = 42,5; "1.200,5" = 1200,5; "42,5 tấn" (unit ignored).

    "1.200" = 1200 (dot before three digits groups thousands); "1.5" = 1,5 (a dot before one,
    two or four digits can only be a decimal point); "1,500" = 1,5 (comma is the Vietnamese
    decimal mark; for decimals we follow it rather than ask). Negatives are out of range.
    """
    word = _word_value(text)
    if word is not None:
        return Decimal(word)
    amount = _read_amount(text, units=True)
    if amount.percent:
        raise NumberError("đây là số lượng, không phải tỷ lệ %")
    return amount.vn


def parse_percent(text: str) -> Decimal:
    """A rate from 0 to 100: "87,3%" = 87,3 (the "%" is optional); outside -> OutOfRangeError."""
    amount = _read_amount(text, units=False)
    value = amount.vn
    if value > 100:
        raise OutOfRangeError("tỷ lệ phải từ 0 đến 100%")
    return value


_YES = frozenset(
    {"co", "x", "roi", "da", "yes", "y", "1", "dung", "ok", "co roi", "da xong", "xong"}
    | {"dat", "da dat"}  # checklists: "đạt" / "không đạt"
)
_NO = frozenset({"khong", "ko", "k", "kh", "chua", "0", "no", "n", "khong co", "chua co"})
_NO |= {"khong dat", "chua dat"}


def parse_yesno(text: str) -> bool:
    """ "có", "x", "rồi", "đã", "yes", "1" -> True; "không", "chưa", "0", "no" -> False."""
    key = " ".join(fold(text).strip(_EDGE_PUNCT).split())
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise NumberError("cần trả lời “có” hoặc “không”")
