import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import (
    closest,
    damerau_levenshtein,
    fold,
    fold_aligned,
    fuzzy_equal,
    normalize_label,
    similarity,
    tokens,
    typo_budget,
)


def test_fold_strips_vietnamese_diacritics_and_case():
    assert fold("Tiền VẬN   Động, ỦNG hộ") == "tien van dong, ung ho"
    assert fold("Đoàn Thanh niên") == "doan thanh nien"
    assert fold("Ơ ư Ạ ỹ Ằ ặ ổ") == "o u a y a a o"
    assert fold("  a\t\nb  ") == "a b"
    assert fold("500.000₫") == "500.000d"


def test_fold_handles_decomposed_input():
    nfd = unicodedata.normalize("NFD", "Tiền vận động")
    assert nfd != "Tiền vận động"
    assert fold(nfd) == "tien van dong"


def test_every_precomposed_vietnamese_letter_folds_to_ascii():
    letters = "aăâeêioôơuưy"
    tones = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    for base in letters + letters.upper():
        for tone in tones:
            ch = unicodedata.normalize("NFC", base + tone)
            assert fold(ch).isascii() and len(fold(ch)) == 1, ch


@given(st.text())
def test_fold_aligned_keeps_positions(s):
    original, folded = fold_aligned(s)
    assert len(original) == len(folded)


def test_fold_aligned_maps_words_back_to_original():
    original, folded = fold_aligned("Được 45,5 Triệu đồng")
    i = folded.index("trieu")
    assert original[i : i + 5] == "Triệu"


def test_normalize_label_drops_hints_and_punctuation():
    assert normalize_label("Tiền vận động, ủng hộ (đồng, bắt buộc):") == "tien van dong ung ho"
    assert normalize_label("  Số buổi [ghi số]  ") == "so buoi"


def test_tokens():
    assert tokens("Số buổi: 12 buổi!") == ["so", "buoi", "12", "buoi"]


def test_damerau_levenshtein_counts_a_swap_as_one_edit():
    assert damerau_levenshtein("tuyen truyen", "tuyen truyne") == 1
    assert damerau_levenshtein("kitten", "sitting") == 3
    assert damerau_levenshtein("", "abc") == 3
    assert damerau_levenshtein("abc", "abc") == 0


def _reference(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@given(
    st.text(alphabet="abcd", max_size=9),
    st.text(alphabet="abcd", max_size=9),
    st.integers(0, 4),
)
def test_bounded_distance_agrees_with_reference(a, b, limit):
    exact = _reference(a, b)
    assert damerau_levenshtein(a, b) == exact
    bounded = damerau_levenshtein(a, b, limit)
    assert bounded == (exact if exact <= limit else limit + 1)


def test_typo_budget_grows_with_length():
    assert typo_budget(3) == 0
    assert typo_budget(6) == 1
    assert typo_budget(12) == 2
    assert typo_budget(30) == 3


def test_similarity_and_fuzzy_equal():
    assert similarity("Tiền", "tien") == 1.0
    assert 0.8 < similarity("tuyên truyền", "tuyen truyne") < 1.0
    assert fuzzy_equal("Số buổi tuyên truyền", "so buoi tuyen truyne")
    assert not fuzzy_equal("hộ", "tổ")


def test_closest_refuses_ties_and_far_candidates():
    assert closest("tien van dng", ["Tiền vận động", "Hàng hóa"]) == ("Tiền vận động", 1)
    assert closest("abcdefgh", ["abcdefgx", "abcdefgy"]) is None
    assert closest("xyz", ["Tiền vận động"]) is None


def test_courtesy_words_are_dropped_from_short_answers() -> None:
    from bot.core.text import strip_courtesy

    assert strip_courtesy("Dạ, đã nhận ạ") == "đã nhận"
    assert strip_courtesy("Đã nhận ạ") == "Đã nhận"  # "đã" is not "dạ"
    assert strip_courtesy("Thưa đồng chí, đạt tất cả ạ!") == "đạt tất cả"
    assert strip_courtesy("vâng xác nhận nhé") == "xác nhận"
    assert strip_courtesy("Dạ") == "Dạ"  # nothing left: unchanged
    # Reports and long texts are left as typed.
    report = "1. 12\n10. Khó khăn: kinh phí còn hạn chế ạ"
    assert strip_courtesy(report) == report
    long = "Dạ " + "x" * 100 + " ạ"
    assert strip_courtesy(long) == long
