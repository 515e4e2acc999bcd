from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from bot.core.vnformat import format_decimal, format_int, format_money, format_percent

# -- DESIGN.md §5 examples --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45,5 triệu", 45_500_000),
        ("1,2 tỷ", 1_200_000_000),
        ("1 tỷ 200 triệu", 1_200_000_000),
        ("2 triệu rưỡi", 2_500_000),
        ("500k", 500_000),
        ("300 nghìn", 300_000),
        ("300 ngàn", 300_000),
        ("15tr", 15_000_000),
        ("1.200.000", 1_200_000),
        ("1.200.000 đ", 1_200_000),
        ("1.200.000đ", 1_200_000),
        ("1.200.000 đồng", 1_200_000),
        ("1.200.000 VNĐ", 1_200_000),
        ("1.200.000 vnd", 1_200_000),
        ("500.000₫", 500_000),
        ("45,5 trieu", 45_500_000),
        ("45,5 trieu dong", 45_500_000),
        ("1 ty 200 trieu", 1_200_000_000),
        ("2 trieu ruoi", 2_500_000),
        ("300 ngan", 300_000),
        ("1.200", 1_200),
        ("1500", 1_500),
        ("1 200 000", 1_200_000),
        ("15tr5", 15_500_000),
        ("1 tỷ 2", 1_200_000_000),
        ("2 triệu 500", 2_500_000),
        ("2 triệu 500 nghìn", 2_500_000),
        ("1,5 nghìn", 1_500),
        ("1.5 triệu", 1_500_000),
        ("1.500 triệu", 1_500_000_000),
        ("không", 0),
        ("0", 0),
        ("được 5 triệu", 5_000_000),
    ],
)
def test_parse_money(text, expected):
    assert parse_money(text) == expected


def test_money_ambiguous_without_unit():
    with pytest.raises(AmbiguousNumberError) as exc:
        parse_money("1,500")
    assert 1500 in exc.value.candidates
    assert Decimal("1.5") in exc.value.candidates
    assert "1.500" in exc.value.reason


def test_money_ambiguous_with_unit():
    with pytest.raises(AmbiguousNumberError) as exc:
        parse_money("1,500 triệu")
    assert set(exc.value.candidates) == {1_500_000_000, 1_500_000}


def test_money_two_digit_tail_is_ambiguous():
    with pytest.raises(AmbiguousNumberError) as exc:
        parse_money("1 tỷ 25")
    assert set(exc.value.candidates) == {1_250_000_000, 1_025_000_000}


@pytest.mark.parametrize("text", ["45,5", "1,2345 nghìn", "0,5 đồng"])
def test_money_fraction_of_dong_is_an_error(text):
    with pytest.raises(NumberError) as exc:
        parse_money(text)
    assert not isinstance(exc.value, AmbiguousNumberError)
    assert "đồng" in exc.value.reason


@pytest.mark.parametrize("text", ["-5", "- 500k", "âm 5 triệu", "−5"])
def test_money_negative_is_out_of_range(text):
    with pytest.raises(OutOfRangeError):
        parse_money(text)


@pytest.mark.parametrize(
    "text", ["", "abc", "200 triệu 1 tỷ", "1.2.3", "5 triệu 3 hộ 4", "1,2.3,4", "87%"]
)
def test_money_errors(text):
    with pytest.raises(NumberError) as exc:
        parse_money(text)
    assert exc.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("1.200", 1200),
        ("1500", 1500),
        ("12 buổi", 12),
        ("12buổi", 12),
        ("1.200 lượt người", 1200),
        ("không", 0),
        ("Không có", 0),
        ("0", 0),
        ("ba", 3),
        ("1.200.000", 1_200_000),
        ("1,2 nghìn", 1200),
        ("+7", 7),
        ("12.", 12),
        ("tổng cộng 12 buổi", 12),
        ("1,500,000", 1_500_000),
    ],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


def test_count_comma_thousands_is_ambiguous():
    with pytest.raises(AmbiguousNumberError) as exc:
        parse_count("1,500")
    assert exc.value.candidates == (1500, Decimal("1.5"))
    assert str(exc.value.candidates[1]) == "1.5"


def test_count_must_be_whole():
    with pytest.raises(NumberError) as exc:
        parse_count("1,5")
    assert not isinstance(exc.value, AmbiguousNumberError)
    assert "nguyên" in exc.value.reason


def test_count_negative():
    with pytest.raises(OutOfRangeError):
        parse_count("-3")


def test_count_with_two_numbers_is_ambiguous():
    with pytest.raises(AmbiguousNumberError):
        parse_count("12 buổi, 300 người")


def test_count_rejects_words_that_are_not_a_number():
    with pytest.raises(NumberError):
        parse_count("một số buổi")
    with pytest.raises(NumberError):
        parse_count("khoảng mười")


def test_count_huge_literal_is_out_of_range_not_slow():
    with pytest.raises(OutOfRangeError):
        parse_count("9" * 5000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42,5", Decimal("42.5")),
        ("45,5", Decimal("45.5")),
        ("1.200,5", Decimal("1200.5")),
        ("42,5 tấn", Decimal("42.5")),
        ("1.200", Decimal("1200")),
        ("1.5", Decimal("1.5")),
        ("42.75", Decimal("42.75")),
        ("0.500", Decimal("0.5")),
        ("1,500", Decimal("1.5")),
        ("1,200.5", Decimal("1200.5")),
        ("0", Decimal(0)),
        ("không", Decimal(0)),
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == expected


def test_decimal_negative():
    with pytest.raises(OutOfRangeError):
        parse_decimal("-1,5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("87,3%", Decimal("87.3")),
        ("87,3 %", Decimal("87.3")),
        ("87,3", Decimal("87.3")),
        ("87.3%", Decimal("87.3")),
        ("100%", Decimal(100)),
        ("0%", Decimal(0)),
    ],
)
def test_parse_percent(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["120%", "100,1", "-1%"])
def test_percent_out_of_range(text):
    with pytest.raises(OutOfRangeError):
        parse_percent(text)


@pytest.mark.parametrize(
    "text", ["có", "Có.", "co", "x", "X", "rồi", "đã", "yes", "1", "ok", "Đúng"]
)
def test_yes(text):
    assert parse_yesno(text) is True


@pytest.mark.parametrize("text", ["không", "khong", "Không.", "chưa", "0", "no", "ko"])
def test_no(text):
    assert parse_yesno(text) is False


def test_yesno_other():
    with pytest.raises(NumberError):
        parse_yesno("có lẽ")


# -- round trips with vnformat -----------------------------------------------------------------

_INTS = st.integers(min_value=0, max_value=10**20)


@given(_INTS)
def test_count_round_trip(n):
    assert parse_count(format_int(n)) == n


@given(_INTS)
def test_money_round_trip(n):
    assert parse_money(format_money(n)) == n
    assert parse_money(format_money(n, table=True)) == n


@given(_INTS)
def test_plain_digits_round_trip(n):
    assert parse_count(str(n)) == n


@given(
    st.decimals(
        min_value=0, max_value=Decimal(10) ** 15, allow_nan=False, allow_infinity=False, places=4
    )
)
def test_decimal_round_trip(d):
    assert parse_decimal(format_decimal(d)) == d


@given(
    st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=3),
    st.integers(0, 4),
)
def test_decimal_round_trip_with_places(d, places):
    text = format_decimal(d, places)
    assert parse_decimal(text) == Decimal(text.replace(".", "").replace(",", "."))


@given(st.decimals(min_value=0, max_value=100, allow_nan=False, places=1))
def test_percent_round_trip(d):
    assert parse_percent(format_percent(d)) == d


@given(st.text())
def test_parsers_raise_only_number_errors(s):
    for parser in (parse_count, parse_money, parse_decimal, parse_percent, parse_yesno):
        try:
            parser(s)
        except NumberError as exc:
            assert exc.reason
