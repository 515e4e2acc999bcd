"""Indicators over reports: template checks, each unit's value, the whole, targets and
progress, and how they read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.formula import OutcomeState
from bot.core.indicators import IndicatorSummary, compute_indicators, scope_chain
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.render_indicators import format_indicator, indicator_lines
from bot.core.template import Template, TemplateError, parse_template_document, template_from_data
from tests.unit.test_formula import _formulas

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = Period.week(2026, 48)
ORGS = [
    OrgUnit(id=i, workspace_id=1, code=code, name=name, short_name=name, sort_order=i)
    for i, (code, name) in enumerate(
        [("hnd", "Hội ND"), ("hccb", "Hội CCB"), ("tinhdoan", "Tỉnh đoàn")], start=1
    )
]


def _template(**indicator: Any) -> Template:
    ind = {
        "key": "ty_le",
        "label": "Tỷ lệ tiêm mũi 3",
        "formula": "so_mui / dan_so * 100",
        "unit": "%",
    }
    ind.update(indicator)
    return template_from_data(
        {
            "key": "tiem",
            "name": "Tiêm chủng",
            "sections": [
                {
                    "key": "s",
                    "title": "Tiêm",
                    "fields": [
                        {"key": "so_mui", "label": "Số mũi", "type": "count"},
                        {"key": "ghi_chu", "label": "Ghi chú", "type": "text"},
                    ],
                }
            ],
            "references": [{"key": "dan_so", "label": "Dân số mục tiêu", "unit": "người"}],
            "indicators": [ind],
        }
    )


def _version(
    org: int, period: Period, values: dict[str, FieldValue], n: int = 1
) -> SubmissionVersion:
    return SubmissionVersion(
        id=org * 1000 + n,
        submission_id=org * 1000 + n,
        version=1,
        campaign_id=1,
        period=period,
        org_id=org,
        channel="sandbox",
        user_id="u",
        message_id="m",
        raw_text="",
        values=values,
        submitted_at=datetime(2026, 11, 24, 9, 0, tzinfo=VN),
        late=False,
    )


def _compute(
    template: Template,
    reports: Mapping[int, int],
    population: Mapping[int, int],
    targets: Mapping[tuple[int | None, str], Decimal] | None = None,
    cumulative: Mapping[int, list[SubmissionVersion]] | None = None,
) -> IndicatorSummary:
    versions = {org: [_version(org, WEEK, {"so_mui": n})] for org, n in reports.items()}
    (summary,) = compute_indicators(
        template=template,
        orgs=ORGS,
        versions=versions,
        cumulative=cumulative or {},
        references={"dan_so": {o: Decimal(v) for o, v in population.items()}},
        targets={"ty_le": dict(targets or {})},
        scopes=scope_chain(WEEK),
    )
    return summary


def test_scope_chain_of_a_week() -> None:
    assert scope_chain(WEEK) == ["2026-W48", "2026-11", "2026-Q4", "2026-H2", "2026", ""]
    # Week 1/2027 starts on 28/12/2026 but belongs to January (its Thursday).
    assert scope_chain(Period.week(2027, 1))[1:3] == ["2027-01", "2027-Q1"]
    assert scope_chain(Period.from_key("2026-Q4")) == ["2026-Q4", "2026-H2", "2026", ""]


def test_whole_is_computed_over_units_with_a_value() -> None:
    s = _compute(_template(target=90), {1: 500, 2: 300, 3: 100}, {1: 1000, 2: 600})
    # Tỉnh đoàn has no population: it is left out of the whole, not divided by nothing.
    assert s.counted == 2 and s.applicable == 3
    assert s.outcome.value == Decimal(800) / Decimal(1600) * 100
    assert s.target == 90 and s.progress == Decimal("55.6") and s.reached is False
    by_code = {u.org.code: u for u in s.units}
    assert by_code["tinhdoan"].outcome.state is OutcomeState.MISSING
    assert by_code["tinhdoan"].outcome.missing == ("dan_so",)
    assert [u.org.code for u in s.behind] == ["hnd", "hccb"]  # both 50%


def test_unit_with_zero_population_is_a_division_by_zero() -> None:
    s = _compute(_template(), {1: 5, 2: 5}, {1: 0, 2: 10})
    units = {u.org.code: u for u in s.units}
    assert units["hnd"].outcome.state is OutcomeState.DIV_ZERO
    assert s.outcome.value == 100  # (5 + 5) / (0 + 10)
    lines = indicator_lines([s])
    assert "Hội ND (không tính được: chia cho 0)" in lines[-1]
    assert "Tỉnh đoàn (thiếu số liệu: Số mũi, Dân số mục tiêu)" not in lines[-1]
    assert "1 đơn vị chưa báo cáo" in lines[-1]


def test_nobody_computable_says_what_is_missing() -> None:
    s = _compute(_template(target=90), {1: 5}, {})
    assert s.outcome.state is OutcomeState.MISSING and s.outcome.missing == ("dan_so",)
    assert s.progress is None and s.reached is None
    assert indicator_lines([s])[0] == (
        " - Tỷ lệ tiêm mũi 3 (trong kỳ): thiếu số liệu: Dân số mục tiêu; chỉ tiêu 90%."
    )


def test_targets_most_specific_first() -> None:
    targets = {
        (None, "2026"): Decimal(60),
        (None, "2026-W48"): Decimal(70),
        (1, ""): Decimal(40),
        (2, "2026-Q4"): Decimal(45),
        (2, "2025"): Decimal(99),  # another year: ignored
    }
    s = _compute(_template(target=90), {1: 50, 2: 50, 3: 50}, {1: 100, 2: 100, 3: 100}, targets)
    assert s.target == 70
    got = {u.org.code: u.target for u in s.units}
    assert got == {"hnd": 40, "hccb": 45, "tinhdoan": 70}
    assert [u.org.code for u in s.behind] == ["tinhdoan"]


def test_lower_is_better() -> None:
    t = _template(formula="so_mui", unit="ca", direction="lower", target=10, decimals=0)
    s = _compute(t, {1: 12, 2: 3}, {})
    assert s.outcome.value == 15 and s.reached is False and s.progress is None
    assert [u.org.code for u in s.behind] == ["hnd"]
    assert "chỉ tiêu không quá 10 ca, vượt mức cho phép" in indicator_lines([s])[0]
    # No reports yet: nothing is said about the ceiling.
    empty = indicator_lines([_compute(t, {}, {})])[0]
    assert (
        "chỉ tiêu không quá 10 ca" in empty and "vượt" not in empty and "đạt yêu cầu" not in empty
    )


def test_applies_to_limits_the_units() -> None:
    s = _compute(_template(applies_to="hnd, hccb"), {1: 1, 2: 1, 3: 1}, {1: 2, 2: 2, 3: 2})
    assert [u.org.code for u in s.units] == ["hnd", "hccb"] and s.applicable == 2


def test_cumulative_basis_reads_every_period() -> None:
    cum = {
        1: [
            _version(1, WEEK.prev(), {"so_mui": 100}, 1),
            _version(1, WEEK, {"so_mui": 200}, 2),
        ]
    }
    s = _compute(_template(basis="cumulative"), {1: 200}, {1: 1000}, cumulative=cum)
    assert s.outcome.value == 30
    assert indicator_lines([s])[0].startswith(" - Tỷ lệ tiêm mũi 3 (lũy kế từ đầu đợt): 30%")


def test_format_indicator() -> None:
    t = _template()
    ind = t.indicators[0]
    assert format_indicator(ind, Decimal("37.857")) == "37,9%"
    assert format_indicator(ind, Decimal("90")) == "90%"
    assert format_indicator(ind, Decimal("1234.5")) == "1.234,5%"
    other = _template(unit="buổi/chi hội", decimals=2).indicators[0]
    assert format_indicator(other, Decimal("3.456")) == "3,46 buổi/chi hội"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"formula": "so_mui / dan_so_x"},
            "chưa có trường số hoặc số liệu tham chiếu tên “dan_so_x”",
        ),
        ({"formula": "ghi_chu + 1"}, "trường “ghi_chu” không phải trường số"),
        ({"formula": "so_mui +"}, "kết thúc giữa chừng"),
        ({"key": "so_mui"}, "trùng mã với một trường hoặc số liệu tham chiếu"),
        ({"decimals": 9}, "chỉ số 'ty_le' › decimals"),
        ({"basis": "tuan"}, "basis: giá trị không hợp lệ"),
    ],
)
def test_template_checks_indicators_when_loaded(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(TemplateError) as info:
        _template(**change)
    assert any(problem in p for p in info.value.problems), info.value.problems


def test_reference_key_must_not_clash_with_a_field() -> None:
    doc = """
key: t
name: T
sections:
  - key: s
    title: S
    fields: [{key: so_mui, label: Số mũi, type: count}]
references:
  - {key: so_mui, label: Trùng}
"""
    with pytest.raises(TemplateError) as info:
        parse_template_document(doc)
    assert "số liệu tham chiếu 'so_mui': trùng mã với một trường của mẫu" in info.value.problems[0]


def test_template_with_indicators_survives_storage_round_trips() -> None:
    t = _template(target=90, basis="cumulative")
    assert Template.model_validate_json(t.to_json()) == t
    assert parse_template_document(t.to_yaml()) == t
    # A template without indicators keeps its stored form (nothing new is written).
    plain = template_from_data(
        {"key": "a", "name": "A", "sections": [{"key": "s", "title": "S",
         "fields": [{"key": "f", "label": "F", "type": "count"}]}]}
    )  # fmt: skip
    assert "indicators" not in plain.to_json() and "references" not in plain.to_json()


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 10**9)),
    st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 10**9)),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=1000, places=2)),
)
def test_any_reports_and_references_give_a_summary(
    reports: dict[int, int], population: dict[int, int], target: Decimal | None
) -> None:
    s = _compute(_template(target=target), reports, population)
    assert s.counted <= s.applicable == 3
    assert (s.outcome.value is None) != (s.outcome.state is OutcomeState.OK)
    indicator_lines([s])  # always renders


def test_absurd_ratios_give_no_progress_but_do_not_crash() -> None:
    t = _template(formula="so_mui * 1000000000000000", unit="", target=Decimal("0.01"))
    s = _compute(t, {1: 10**8}, {})
    assert s.outcome.value == Decimal(10**23)
    assert s.progress is None and s.reached is True
    assert indicator_lines([s])[0].startswith(" - Tỷ lệ tiêm mũi 3 (trong kỳ): ")


def _rich_template(formula: str, direction: str, decimals: int) -> Template:
    return template_from_data(
        {
            "key": "t",
            "name": "T",
            "sections": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {"key": "so_mui", "label": "Số mũi", "type": "count"},
                        {"key": "so_buoi", "label": "Số buổi", "type": "count"},
                        {"key": "tien", "label": "Tiền", "type": "money"},
                    ],
                }
            ],
            "references": [{"key": "dan_so", "label": "Dân số"}],
            "indicators": [
                {
                    "key": "chi_so",
                    "label": "Chỉ số",
                    "formula": formula,
                    "unit": "%",
                    "direction": direction,
                    "decimals": decimals,
                }
            ],
        }
    )


_amounts = st.one_of(st.none(), st.just(0), st.integers(0, 10**14))


@settings(max_examples=150, deadline=None)
@given(
    _formulas,
    st.sampled_from(["higher", "lower"]),
    st.integers(0, 4),
    st.dictionaries(
        st.sampled_from([1, 2, 3]),
        st.fixed_dictionaries({"so_mui": _amounts, "so_buoi": _amounts, "tien": _amounts}),
    ),
    st.dictionaries(st.sampled_from([1, 2, 3]), st.decimals(0, 10**12, places=3)),
    st.dictionaries(
        st.sampled_from([None, 1, 2, 3]),
        st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4),
    ),
)
def test_any_accepted_template_formula_computes_and_renders(
    formula: str,
    direction: str,
    decimals: int,
    reports: dict[int, dict[str, int | None]],
    population: dict[int, Decimal],
    targets: dict[int | None, Decimal],
) -> None:
    try:
        template = _rich_template(formula, direction, decimals)
    except TemplateError:
        return  # nested too deep: refused when loaded, never evaluated
    versions = {
        org: [_version(org, WEEK, {k: v for k, v in values.items() if v is not None})]
        for org, values in reports.items()
    }
    (s,) = compute_indicators(
        template=template,
        orgs=ORGS,
        versions=versions,
        cumulative=versions,
        references={"dan_so": population},
        targets={"chi_so": {(org, ""): t for org, t in targets.items()}},
        scopes=scope_chain(WEEK),
    )
    assert s.applicable == 3 and s.counted <= 3
    indicator_lines([s])
