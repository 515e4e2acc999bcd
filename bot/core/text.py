"""Text normalization for matching what people type against what the bot expects.

Officials type with or without diacritics, in any case, with stray spaces and small typos,
on phone keyboards that sometimes send decomposed accents. Every comparison in the bot goes
through :func:`fold` so "Tiền vận động", "tien van dong" and "TIỀN VẬN ĐỘNG" are one thing.

Folding is a character-to-character table (built once from Unicode decompositions), so for
text in NFC form it never changes the position of a character: :func:`fold_aligned` relies on
that to find words in folded text and quote the original words back to the user.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterable

__all__ = [
    "chat_safe",
    "closest",
    "damerau_levenshtein",
    "fold",
    "fold_aligned",
    "fuzzy_equal",
    "normalize_label",
    "similarity",
    "tokens",
    "typo_budget",
]


def _build_table() -> dict[int, str | None]:
    """Map every Latin letter with diacritics to its bare lowercase letter.

    Built from ``unicodedata`` rather than a hand-written list so no Vietnamese letter (there
    are 134 with tone marks) can be forgotten; đ/Đ do not decompose and are added by hand.
    Combining marks map to nothing so decomposed (NFD) input folds the same way.
    """
    table: dict[int, str | None] = {}
    for cp in range(0x41, 0x250):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        if len(low) == 1 and low != ch:
            table[cp] = low
    for cp in range(0x1E00, 0x1F00):  # Latin Extended Additional: most Vietnamese letters
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if len(base) == 1 and base.isascii():
            table[cp] = base
    for ch in "đĐ":
        table[ord(ch)] = "d"
    table[ord("₫")] = "d"  # the đồng sign: "500.000₫" reads like "500.000 đ"
    for cp in range(0x300, 0x370):
        table[cp] = None
    return table


_TABLE = _build_table()
# Same table but length-preserving: a stray combining mark becomes a harmless joiner.
_ALIGNED_TABLE: dict[int, str | None] = {
    k: (v if v is not None else "\u2060") for k, v in _TABLE.items()
}
_WS = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+")
_PARENS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def fold(s: str) -> str:
    """Lowercase, drop Vietnamese diacritics (đ -> d), collapse and trim whitespace."""
    if len(s) <= _FOLD_CACHED:
        return _fold_short(s)
    return " ".join(s.translate(_TABLE).lower().split())


# Labels, headers and commands are folded over and over (a reply folds ~16 strings, most
# of them the form's own labels): short strings are remembered, long texts are not.
_FOLD_CACHED = 120


@functools.lru_cache(maxsize=8192)
def _fold_short(s: str) -> str:
    return " ".join(s.translate(_TABLE).lower().split())


def fold_aligned(s: str) -> tuple[str, str]:
    """Return ``(original, folded)`` of the same length, position for position.

    ``original`` is ``s`` in NFC (so a decomposed "ê" + accent is one character). Unlike
    :func:`fold`, whitespace is kept as it is, and only letters whose lowercase is a single
    character are lowercased, so a match found at ``folded[i:j]`` quotes ``original[i:j]``.
    """
    original = unicodedata.normalize("NFC", s)
    folded = original.translate(_ALIGNED_TABLE)
    if not folded.isascii():
        # Rare letters outside the table (Greek, Cyrillic…): lowercase only those that keep
        # their length, so positions stay aligned.
        folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    else:
        folded = folded.lower()
    return original, folded


def tokens(s: str) -> list[str]:
    """Folded words (letters and digits); punctuation separates words."""
    return _WORD.findall(fold(s))


def normalize_label(s: str) -> str:
    """The comparable form of a field label: folded, without "(đồng)" hints or punctuation.

    The form shows hints in parentheses and a required mark; people copy them back, so they
    must not count when the label is compared.
    """
    without = _PARENS.sub(" ", s)
    return " ".join(_WORD.findall(fold(without)))


def typo_budget(length: int) -> int:
    """How many edits a label of this length may carry and still be recognised.

    Short words get none ("ho" and "to" differ by one letter and mean different things);
    longer labels tolerate roughly one typo per eight letters.
    """
    if length < 5:
        return 0
    if length < 9:
        return 1
    if length < 18:
        return 2
    return 3


def damerau_levenshtein(a: str, b: str, max_distance: int | None = None) -> int:
    """Edit distance counting a swap of two neighbours as one edit (optimal string alignment).

    Swaps are the most common phone-keyboard typo ("tuyen truyne"), which plain Levenshtein
    counts as two. With ``max_distance`` the computation stops early and returns
    ``max_distance + 1`` once the distance is certainly larger, which keeps fuzzy matching of
    many lines cheap.
    """
    if a == b:
        return 0
    la, lb = len(a), len(b)
    limit = max_distance if max_distance is not None else max(la, lb)
    if abs(la - lb) > limit:
        return limit + 1
    if la == 0 or lb == 0:
        return min(max(la, lb), limit + 1)
    big = sys.maxsize // 2
    prev_prev: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [big] * lb
        lo = max(1, i - limit)
        hi = min(lb, i + limit)
        if lo > 1:
            cur[lo - 1] = big
        ca = a[i - 1]
        row_min = cur[0] if lo == 1 else big
        for j in range(lo, hi + 1):
            cost = 0 if ca == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev_prev[j - 2] + 1)
            cur[j] = v
            row_min = min(row_min, v)
        if row_min > limit:
            return limit + 1
        prev_prev, prev = prev, cur
    return min(prev[lb], limit + 1)


def similarity(a: str, b: str) -> float:
    """1.0 for equal folded strings, falling towards 0.0 as edits accumulate."""
    fa, fb = fold(a), fold(b)
    longest = max(len(fa), len(fb))
    if longest == 0:
        return 1.0
    return 1.0 - damerau_levenshtein(fa, fb) / longest


def fuzzy_equal(a: str, b: str) -> bool:
    """Whether two labels are the same up to case, accents and a small typo budget."""
    fa, fb = normalize_label(a), normalize_label(b)
    if fa == fb:
        return True
    budget = typo_budget(min(len(fa), len(fb)))
    return budget > 0 and damerau_levenshtein(fa, fb, budget) <= budget


def closest(query: str, candidates: Iterable[str]) -> tuple[str, int] | None:
    """The candidate nearest to ``query`` within its typo budget, with its distance.

    Returns ``None`` when nothing is close enough or when two different candidates are
    equally close: a tie is not a match, the caller must ask.
    """
    q = normalize_label(query)
    budget = typo_budget(len(q))
    best: str | None = None
    best_d = budget + 1
    tie = False
    for cand in candidates:
        c = normalize_label(cand)
        d = damerau_levenshtein(q, c, budget)
        if d < best_d:
            best, best_d, tie = cand, d, False
        elif d == best_d and best is not None and c != normalize_label(best):
            tie = True
    if best is None or best_d > budget or tie:
        return None
    return best, best_d


# Characters a chat message should never carry: C0 controls but tab and line feed, DEL, C1
# controls, lone surrogates and non-characters (platforms reject or mangle them), and the
# bidirectional embeddings, overrides, isolates and marks (a unit named with an RTL override
# would show the rest of a digest line backwards). Vietnamese text needs none of them.
_NOT_FOR_CHAT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\u200e\u200f]"
)


def chat_safe(text: str) -> str:
    """``text`` as a chat message may show it: line ends as ``\\n`` and none of the
    characters above (names and replies come from users; the Word and Excel exports clean
    the same way)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_FOR_CHAT.sub("", text)


# Courtesy words officials put around a short answer: "Dạ, đã nhận ạ", "Vâng, đạt tất cả ạ!".
# Matched on the text as typed (with diacritics): folded, "dạ" and "đã" are both "da".
_COURTESY_HEAD = re.compile(
    r"^\s*(?:(?:dạ|vâng|thưa\s+(?:đồng\s+chí|anh|chị|chú|cô|bác|ban))[\s,.!:;-]*)+",
    re.IGNORECASE,
)
_COURTESY_TAIL = re.compile(r"(?:[\s,]+(?:ạ|nhé|nha|à))+[\s.!…]*$", re.IGNORECASE)
COURTESY_MAX = 80


def strip_courtesy(text: str) -> str:
    """A short one-line answer without its courtesy words ("Dạ đã nhận ạ" -> "đã nhận"),
    so "đã nhận", "đạt tất cả", "xác nhận" are understood however politely they are
    written. Longer or several-line texts (reports, narratives) are returned unchanged."""
    t = unicodedata.normalize("NFC", text).strip()
    if "\n" in t or len(t) > COURTESY_MAX or t.startswith("/"):
        return text
    core = _COURTESY_TAIL.sub("", _COURTESY_HEAD.sub("", t)).strip()
    return core or text
