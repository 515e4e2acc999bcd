"""The indicator formula language: parsing, validation messages, evaluation states, and a
property: any formula the validator accepts evaluates without raising over any inputs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    FormulaError,
    Outcome,
    OutcomeState,
    parse_formula,
)

KNOWN = ("so_mui", "dan_so", "so_buoi", "tien")


def _eval(text: str, **values: Decimal | int | None) -> Outcome:
    return parse_formula(text, KNOWN).evaluate(values)


def test_precedence_parentheses_and_unary_minus() -> None:
    assert _eval("1 + 2 * 3").value == 7
    assert _eval("(1 + 2) * 3").value == 9
    assert _eval("-2 * -3").value == 6
    assert _eval("10 - 4 - 3").value == 3  # left-associative
    assert _eval("12 / 4 / 3").value == 1
    assert _eval("0.5 * 4").value == 2
    assert _eval("+.5 + 1").value == Decimal("1.5")
    assert _eval("0.125 * 8").value == 1  # a fraction of three digits after 0 is no thousand
    assert _eval("1.5 * 2").value == 3


def test_coverage_rate_in_decimal() -> None:
    out = _eval("so_mui / dan_so * 100", so_mui=2650, dan_so=7000)
    assert out.ok and out.value is not None
    assert out.value.quantize(Decimal("0.01")) == Decimal("37.86")
    # Decimal, not binary floating point: 0.1 + 0.2 is exactly 0.3.
    assert _eval("0.1 + 0.2").value == Decimal("0.3")


def test_functions() -> None:
    assert _eval("min(so_mui, 5, 7)", so_mui=9).value == 5
    assert _eval("max(so_mui, dan_so)", so_mui=9, dan_so=11).value == 11
    assert _eval("neu_thieu(so_mui, 0) + 1").value == 1
    assert _eval("neu_thieu(so_mui, 0) + 1", so_mui=4).value == 5


def test_division_by_zero_and_missing_data_are_states_not_numbers() -> None:
    zero = _eval("so_mui / dan_so * 100", so_mui=5, dan_so=0)
    assert zero.state is OutcomeState.DIV_ZERO and zero.value is None
    missing = _eval("so_mui / dan_so * 100", so_mui=5)
    assert missing.state is OutcomeState.MISSING and missing.missing == ("dan_so",)
    # Every missing name is reported, once, in reading order; missing wins over 0 division.
    both = _eval("(so_buoi + tien) / (dan_so - dan_so) + so_buoi")
    assert both.state is OutcomeState.MISSING and both.missing == ("so_buoi", "tien", "dan_so")
    assert _eval("min(so_mui / 0, 3)", so_mui=1).state is OutcomeState.DIV_ZERO
    # neu_thieu replaces missing data only, never a division by zero.
    assert _eval("neu_thieu(so_mui / 0, 1)", so_mui=1).state is OutcomeState.DIV_ZERO
    # A yes/no answer is not a number.
    assert _eval("so_mui + 1", so_mui=True).state is OutcomeState.MISSING


def test_out_of_range_results() -> None:
    big = Decimal("1e20")
    out = _eval("so_mui * so_mui", so_mui=big)
    assert out.state is OutcomeState.OUT_OF_RANGE and out.value is None
    assert _eval("so_mui + 1", so_mui=Decimal("NaN")).state is OutcomeState.OUT_OF_RANGE
    assert _eval("so_mui + 1", so_mui=Decimal("Infinity")).state is OutcomeState.OUT_OF_RANGE


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "công thức trống", 0),
        ("so_mui / dan_so_x * 100", "chưa có trường số hoặc số liệu tham chiếu tên “dan_so_x”", 10),
        ("so_mui +", "công thức kết thúc giữa chừng", 9),
        ("(so_mui + 1", "thiếu dấu đóng ngoặc “)”", 12),
        ("so_mui + 1)", "thừa dấu đóng ngoặc “)”", 11),
        ("so_mui 100", "thiếu phép tính trước “100”", 8),
        ("so_mui % dan_so", "ký tự “%” không dùng được", 8),
        ("so_mui × 2", "phép nhân viết *", 8),
        ("tong(so_mui, 1)", "không có hàm “tong”", 1),
        ("min(so_mui)", "hàm min cần ít nhất 2 đối số, đang có 1", 1),
        ("neu_thieu(so_mui, 1, 2)", "hàm neu_thieu cần đúng 2 đối số, đang có 3", 1),
        ("min(so_mui, 1", "thiếu dấu đóng ngoặc “)” của hàm min", 14),
        ("so_mui * * 2", "không mong đợi “*” ở đây", 10),
        ("1,5 * so_mui", "dấu phẩy chỉ dùng để ngăn các đối số của hàm", 2),
        ("so_mui / dan_so * 1.000", "số “1.000” dễ nhầm", 19),
        ("so_mui * 12.500", "số nghìn viết liền (12500)", 10),
        ("import os", "thiếu phép tính trước “os”", 8),
        ("__import__(1)", "không có hàm “__import__”", 1),
        ("__import__('os')", "ký tự “'” không dùng được", 12),
        ("so_mui.real", "ký tự “.” không dùng được", 7),
    ],
)
def test_errors_name_the_problem_and_position(text: str, message: str, position: int) -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula(text, KNOWN)
    assert message in info.value.message
    assert info.value.position == position
    if position:
        assert f"(ở ký tự thứ {position})" in str(info.value)


def test_limits_on_length_and_nesting() -> None:
    with pytest.raises(FormulaError, match="dài quá"):
        parse_formula("1+" * (MAX_LENGTH // 2) + "1")
    with pytest.raises(FormulaError, match="lồng quá"):
        parse_formula("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(FormulaError, match="lồng quá"):
        parse_formula("-" * (MAX_DEPTH + 1) + "1")
    parse_formula("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH)  # just within


def test_names_in_order_of_first_use() -> None:
    f = parse_formula("dan_so + so_mui / dan_so", KNOWN)
    assert f.names == ("dan_so", "so_mui")


# -- property: accepted formulas never crash ------------------------------------------------
_values = st.one_of(
    st.none(),
    st.just(0),
    st.integers(min_value=-(10**12), max_value=10**15),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.decimals(min_value=Decimal("-1e6"), max_value=Decimal("1e6"), places=3),
    st.booleans(),
)
_inputs = st.fixed_dictionaries({k: _values for k in KNOWN})


def _tree(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from("+-*/"), children).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        st.lists(children, min_size=2, max_size=4).map(lambda cs: f"min({', '.join(cs)})"),
        st.lists(children, min_size=2, max_size=4).map(lambda cs: f"max({', '.join(cs)})"),
        st.tuples(children, children).map(lambda t: f"neu_thieu({t[0]}, {t[1]})"),
    )


_leaves = st.one_of(
    st.sampled_from(KNOWN),
    st.sampled_from(["0", "1", "100", "0.5", "1000000", "0.0001"]),
)
_formulas = st.recursive(_leaves, _tree, max_leaves=25)
# Arbitrary text from the language's alphabet: mostly rejected, sometimes accepted.
_noise = st.lists(
    st.sampled_from([*KNOWN, "min", "max", "neu_thieu", "0", "7", ".5", "(", ")", ",", "+", "-",
                     "*", "/", " ", "x", "%"]),
    max_size=30,
).map("".join)  # fmt: skip


def _check(text: str, values: dict[str, object]) -> None:
    try:
        formula = parse_formula(text, KNOWN)
    except FormulaError:
        return
    out = formula.evaluate(values)  # type: ignore[arg-type]
    assert isinstance(out, Outcome)
    if out.state is OutcomeState.OK:
        assert out.value is not None and out.value.is_finite()
        assert out.missing == ()
    else:
        assert out.value is None
    if out.state is OutcomeState.MISSING:
        assert out.missing and set(out.missing) <= set(formula.names)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_formulas, _inputs)
def test_any_accepted_formula_evaluates_without_crashing(
    text: str, values: dict[str, object]
) -> None:
    parse_formula(text, KNOWN)  # generated formulas are valid (unless nested too deep)
    _check(text, values)


@settings(max_examples=400, deadline=None)
@given(_noise, _inputs)
def test_any_text_is_either_refused_politely_or_evaluates(
    text: str, values: dict[str, object]
) -> None:
    _check(text, values)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_formula_errors(text: str) -> None:
    try:
        parse_formula(text, KNOWN)
    except FormulaError as exc:
        assert exc.message
