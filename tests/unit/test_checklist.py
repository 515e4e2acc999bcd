"""The checklist rule (validated at load), the classifier, short replies, and the digest's
and roll-up's view of classes (issue 9, part 4)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.checklist import (
    assess,
    compute_checklist_digest,
    compute_checklist_span,
)
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.parsing import ProblemKind, parse_report
from bot.core.periods import Period
from bot.core.render_checklist import assessment_lines, checklist_section, describe_rule
from bot.core.template import Template, TemplateError, parse_template_document, template_from_data

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-tu-danh-gia-an-toan-covid.yaml"

CRITERIA = [
    "ban_chi_dao",
    "to_tu_quan",
    "ke_hoach_ung_pho",
    "quan_ly_ra_vao",
    "thuc_hien_5k",
    "khong_tu_tap",
    "tiem_vac_xin",
    "tuyen_truyen_loa",
    "ho_tro_kho_khan",
]


@pytest.fixture(scope="module")
def sample() -> Template:
    return parse_template_document(SAMPLE.read_text(encoding="utf-8"))


def _answers(no: tuple[int, ...] = (), blank: tuple[int, ...] = ()) -> dict[str, FieldValue]:
    """All nine criteria met except the numbered ``no`` (not met) and ``blank`` (left out)."""
    return {k: i not in no for i, k in enumerate(CRITERIA, 1) if i not in blank}


def _level(t: Template, values: Mapping[str, FieldValue], org: str | None = None) -> str | None:
    a = assess(t, org, values)
    assert a is not None
    return a.level.key if a.level is not None else None


def _doc(checklist: dict[str, Any], fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "key": "tu_danh_gia",
        "name": "Tự đánh giá",
        "sections": [
            {
                "key": "a",
                "title": "Phần A",
                "fields": fields
                or [
                    {"key": "c1", "label": "Tiêu chí 1", "type": "yesno"},
                    {"key": "c2", "label": "Tiêu chí 2", "type": "yesno"},
                    {"key": "c3", "label": "Tiêu chí 3", "type": "yesno"},
                    {"key": "c4", "label": "Tiêu chí 4", "type": "yesno"},
                    {"key": "so_ho", "label": "Số hộ", "type": "count"},
                ],
            },
            {
                "key": "b",
                "title": "Phần B",
                "applies_to": ["truong"],
                "fields": [{"key": "c5", "label": "Tiêu chí riêng trường học", "type": "yesno"}],
            },
        ],
        "checklist": checklist,
    }


RYG: dict[str, Any] = {
    "critical": ["c1"],
    "levels": [
        {"key": "do", "label": "Đỏ", "mark": "🔴", "when": {"critical_not_met_at_least": 1}},
        {"key": "vang", "label": "Vàng", "mark": "🟡", "when": {"percent_met_below": 80}},
        {"key": "xanh", "label": "Xanh", "mark": "🟢"},
    ],
}


def _errors(checklist: Any, fields: list[dict[str, Any]] | None = None) -> str:
    with pytest.raises(TemplateError) as info:
        template_from_data(_doc(checklist, fields))
    return " | ".join(info.value.problems)


# -- the classifier ---------------------------------------------------------------------------
def test_all_yes_is_the_last_class(sample: Template) -> None:
    a = assess(sample, None, _answers())
    assert a is not None and a.level is not None
    assert a.level.key == "xanh" and a.percent == Decimal(100) and not a.failed


def test_a_critical_failure_is_red_whatever_the_share(sample: Template) -> None:
    # 8 of 9 met (88,9%), but criterion 4 (người từ nơi khác đến) is critical.
    a = assess(sample, None, _answers(no=(4,)))
    assert a is not None and a.level is not None
    assert a.level.key == "do"
    assert a.critical_failed == ("quan_ly_ra_vao",)
    assert a.percent == Decimal("88.9")


def test_share_below_the_threshold_is_yellow_and_the_threshold_itself_is_not(
    sample: Template,
) -> None:
    assert _level(sample, _answers(no=(5, 7))) == "vang"  # 7/9 = 77,8%
    assert _level(sample, _answers(no=(5,))) == "xanh"  # 8/9 = 88,9%
    t = template_from_data(_doc(RYG))
    # 4 criteria: 3 of 4 = 75% < 80%; exactly 80% would not be below (checked exactly below).
    assert _level(t, {"c1": True, "c2": True, "c3": True, "c4": False}, "thon1") == "vang"
    assert _level(t, {"c1": True, "c2": True, "c3": True, "c4": True}, "thon1") == "xanh"


def test_exact_comparison_at_the_threshold() -> None:
    rule = {
        **RYG,
        "levels": [{**RYG["levels"][1], "when": {"percent_met_below": 75}}, RYG["levels"][2]],
    }
    t = template_from_data(_doc(rule))
    # 3 of 4 is exactly 75%: not below 75.
    assert _level(t, {"c1": True, "c2": True, "c3": True, "c4": False}, "thon1") == "xanh"
    assert _level(t, {"c1": True, "c2": True, "c3": False, "c4": False}, "thon1") == "vang"


def test_unanswered_criteria_count_as_not_met_by_default(sample: Template) -> None:
    a = assess(sample, None, _answers(blank=(2,)))
    assert a is not None and a.level is not None
    # Criterion 2 (tổ tự quản) is critical: left blank, it fails the unit.
    assert a.level.key == "do"
    assert a.unanswered == ("to_tu_quan",) and a.critical_failed == ("to_tu_quan",)
    assert a.counted == 9 and len(a.met) == 8


def test_unanswered_criteria_may_be_left_out_of_the_counts() -> None:
    t = template_from_data(_doc({**RYG, "unanswered": "skip"}))
    a = assess(t, "thon1", {"c2": True, "c3": True, "c4": True})
    assert a is not None and a.level is not None
    assert a.level.key == "xanh"  # c1 (critical) unanswered is not held against the unit
    assert a.counted == 3 and a.percent == Decimal(100)
    b = assess(t, "thon1", {"c1": True, "c2": False})
    assert b is not None and b.level is not None
    assert b.level.key == "vang" and b.percent == Decimal(50)


def test_nothing_answered_is_not_assessed(sample: Template) -> None:
    a = assess(sample, None, {"kho_khan": "Thiếu kinh phí"})
    assert a is not None
    assert a.level is None and len(a.unanswered) == 9
    assert assessment_lines(sample, None, a) == [
        "Kết quả tự đánh giá: Chưa đánh giá (chưa trả lời tiêu chí nào)."
    ]


def test_not_a_checklist_gives_no_assessment() -> None:
    doc = _doc(RYG)
    del doc["checklist"]
    assert assess(template_from_data(doc), None, {"c1": True}) is None


def test_criteria_of_another_kind_of_unit_are_not_counted() -> None:
    t = template_from_data(_doc(RYG))
    village = assess(t, "thon1", {"c1": True, "c2": True, "c3": True, "c4": True})
    school = assess(t, "truong", {"c1": True, "c2": True, "c3": True, "c4": True})
    assert village is not None and school is not None
    assert len(village.criteria) == 4 and village.level is not None
    assert village.level.key == "xanh"
    # The school also answers c5; left blank it counts against it (4 of 5 = 80%, not below).
    assert len(school.criteria) == 5 and school.unanswered == ("c5",)
    assert school.level is not None and school.level.key == "xanh"


def test_section_scoped_and_any_not_met_conditions() -> None:
    rule = {
        "levels": [
            {
                "key": "do",
                "label": "Đỏ",
                "when": [{"any_not_met": "c3, c4"}, {"not_met_at_least": 3}],
            },
            {"key": "vang", "label": "Vàng", "when": {"section": "b", "percent_met_below": 100}},
            {"key": "xanh", "label": "Xanh"},
        ]
    }
    t = template_from_data(_doc(rule))
    all_yes = {"c1": True, "c2": True, "c3": True, "c4": True}
    assert _level(t, {**all_yes, "c4": False}, "thon1") == "do"  # any_not_met
    assert _level(t, {**all_yes, "c1": False}, "thon1") == "xanh"
    # Section b applies only to schools: for a village its condition never holds.
    assert _level(t, all_yes, "thon1") == "xanh"
    assert _level(t, {**all_yes, "c5": False}, "truong") == "vang"
    assert _level(t, {**all_yes, "c5": True}, "truong") == "xanh"


def test_only_the_listed_criteria_count() -> None:
    t = template_from_data(_doc({**RYG, "criteria": ["c1", "c2"]}))
    assert [f.key for f in t.criteria()] == ["c1", "c2"]
    assert _level(t, {"c1": True, "c2": True, "c3": False, "c4": False}, "thon1") == "xanh"


# -- the rule validator -----------------------------------------------------------------------
def test_the_sample_template_loads_and_its_rule_reads_in_words(sample: Template) -> None:
    assert sample.checklist is not None
    assert len(sample.criteria()) == 9
    text = describe_rule(sample, None)
    assert "🔴 Đỏ: chưa đạt bất kỳ tiêu chí bắt buộc nào" in text
    assert "🟡 Vàng: đạt dưới 80% số tiêu chí" in text
    assert "🟢 Xanh: các trường hợp còn lại" in text
    assert "Tiêu chí bắt buộc phải đạt: 1, 2, 4." in text
    # The rule survives the round trip through storage (JSON) and /mau tep (YAML).
    assert Template.model_validate_json(sample.to_json()) == sample
    assert parse_template_document(sample.to_yaml()) == sample


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {**RYG, "critical": ["so_ho"]},
            "tiêu chí bắt buộc 'so_ho' không phải một tiêu chí có/không",
        ),
        ({**RYG, "critical": ["zz"]}, "tiêu chí bắt buộc 'zz'"),
        ({**RYG, "criteria": ["so_ho"]}, "tiêu chí 'so_ho' phải là trường kiểu yesno"),
        ({**RYG, "criteria": ["khong_co"]}, "tiêu chí 'khong_co' không có trong mẫu"),
        (
            {
                **RYG,
                "levels": [RYG["levels"][0], {"key": "vang", "label": "Vàng"}, RYG["levels"][2]],
            },
            "mức “Vàng” chưa có điều kiện (when)",
        ),
        (
            {**RYG, "levels": RYG["levels"][:2]},
            "mức cuối cùng “Vàng” không được ghi điều kiện",
        ),
        ({**RYG, "levels": RYG["levels"][2:]}, "cần ít nhất 2 mục"),
        (
            {**RYG, "levels": [RYG["levels"][0], {**RYG["levels"][2], "key": "do"}]},
            "mã mức phân loại bị trùng: do",
        ),
        (
            {
                **RYG,
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"percent_below": 80}},
                    RYG["levels"][2],
                ],
            },
            "không có điều kiện “percent_below”; các điều kiện dùng được: critical_not_met_at_least",
        ),
        (
            {
                **RYG,
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"percent_met_below": 120}},
                    RYG["levels"][2],
                ],
            },
            "percent_met_below: tối đa là 100",
        ),
        (
            {
                **RYG,
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"not_met_at_least": 9}},
                    RYG["levels"][2],
                ],
            },
            "chỉ có 5 tiêu chí, không thể chưa đạt 9",
        ),
        (
            {
                **RYG,
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"critical_not_met_at_least": 2}},
                    RYG["levels"][2],
                ],
            },
            "chỉ có 1 tiêu chí bắt buộc, không thể chưa đạt 2",
        ),
        (
            {
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"critical_not_met_at_least": 1}},
                    RYG["levels"][2],
                ]
            },
            "điều kiện về tiêu chí bắt buộc nhưng chưa khai báo critical",
        ),
        (
            {
                **RYG,
                "levels": [
                    {
                        "key": "do",
                        "label": "Đỏ",
                        "when": {"section": "zz", "percent_met_below": 50},
                    },
                    RYG["levels"][2],
                ],
            },
            "không có phần 'zz' trong mẫu",
        ),
        (
            {
                **RYG,
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"section": "a"}},
                    RYG["levels"][2],
                ],
            },
            "điều kiện cần ít nhất một phép so sánh",
        ),
        (
            {
                **RYG,
                "levels": [
                    {
                        "key": "do",
                        "label": "Đỏ",
                        "when": {"percent_met_below": 50, "percent_met_at_least": 60},
                    },
                    RYG["levels"][2],
                ],
            },
            "tỷ lệ “từ” phải nhỏ hơn tỷ lệ “dưới”",
        ),
        (
            {
                **RYG,
                "levels": [
                    {"key": "do", "label": "Đỏ", "when": {"any_not_met": ["c9"]}},
                    RYG["levels"][2],
                ],
            },
            "'c9' không phải tiêu chí",
        ),
        (
            {**RYG, "unanswered": "bo_qua"},
            "giá trị không hợp lệ, cần một trong: 'not_met' hoặc 'skip'",
        ),
        ({**RYG, "levels": "do"}, "mức phân loại"),
        ({**RYG, "mau": 1}, "bộ tiêu chí › mau: tên mục không được hỗ trợ"),
    ],
)
def test_rule_errors_are_vietnamese_and_name_the_place(rule: Any, expected: str) -> None:
    assert expected in _errors(rule)


def test_a_checklist_needs_yes_no_fields() -> None:
    fields = [{"key": "so_ho", "label": "Số hộ", "type": "count"}]
    doc = _doc(RYG, fields)
    doc["sections"] = doc["sections"][:1]
    with pytest.raises(TemplateError) as info:
        template_from_data(doc)
    assert "bộ tiêu chí cần ít nhất một trường kiểu yesno" in " ".join(info.value.problems)


def test_yaml_errors_in_the_rule_name_the_class() -> None:
    doc = _doc(RYG)
    doc["checklist"]["levels"][1]["when"] = {"percent_met_below": "tám mươi"}
    with pytest.raises(TemplateError) as info:
        parse_template_document(yaml.safe_dump(doc, allow_unicode=True))
    assert "mức phân loại 'vang' › điều kiện" in info.value.problems[0]
    assert "cần một số" in info.value.problems[0]


# -- short replies ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reply", "no"),
    [
        ("đạt tất cả", ()),
        ("Đạt hết", ()),
        ("tất cả đều đạt", ()),
        ("không đạt: 5, 7", (5, 7)),
        ("chưa đạt 5 7", (5, 7)),
        ("Không đạt tiêu chí 5 và 7.", (5, 7)),
        ("đạt tất cả trừ 5, 7", (5, 7)),
        ("1-4 có, 5 không, 6 có, 7 không, 8-9 có", (5, 7)),
        ("1c 2c 3c 4c 5k 6c 7k 8c 9c", (5, 7)),
        ("1 đạt; 2 đạt; 3 đạt; 4 đạt; 5 chưa đạt; 6 đạt; 7 không đạt; 8 có; 9 rồi", (5, 7)),
        ("1. có\n2. có\n3. có\n4. có\n5. không\n6. có\n7. chưa\n8. có\n9. x", (5, 7)),
    ],
)
def test_short_replies(sample: Template, reply: str, no: tuple[int, ...]) -> None:
    result = parse_report(reply, sample, None)
    assert result.ok and not result.needs_confirmation, result.problems
    assert result.values == _answers(no=no)


def test_short_lines_mix_with_form_lines(sample: Template) -> None:
    result = parse_report("không đạt: 5\n10. Khó khăn: thiếu khẩu trang", sample, None)
    assert result.ok
    assert result.values["thuc_hien_5k"] is False and result.values["ban_chi_dao"] is True
    assert result.values["kho_khan"] == "thiếu khẩu trang"


def test_a_partial_short_reply_keeps_the_rest_unanswered(sample: Template) -> None:
    result = parse_report("1 có, 2 không, 3 có", sample, None)
    assert result.ok
    assert result.values == {"ban_chi_dao": True, "to_tu_quan": False, "ke_hoach_ung_pho": True}


def test_short_reply_problems_are_clear_and_block(sample: Template) -> None:
    result = parse_report("1 có, 1 không, 12 có, 10 có", sample, None)
    assert not result.ok
    messages = [p.message for p in result.problems]
    assert messages[0].startswith("Dòng 1: tiêu chí 1 (Có Ban chỉ đạo")
    assert "vừa “có” vừa “không”" in messages[0]
    assert result.problems[0].field_key == "ban_chi_dao"
    assert "mẫu không có tiêu chí số 12 (các tiêu chí: 1–9)" in messages[1]
    assert "mục 10 (Khó khăn, vướng mắc; đề xuất, kiến nghị) không phải tiêu chí" in messages[2]
    assert all(p.kind is ProblemKind.UNPARSEABLE for p in result.problems)


def test_ordinary_lines_are_not_mistaken_for_short_replies(sample: Template) -> None:
    text = "1. Có Ban chỉ đạo phòng, chống dịch của thôn, phân công rõ nhiệm vụ: có\n2: không"
    result = parse_report(text, sample, None)
    assert result.values == {"ban_chi_dao": True, "to_tu_quan": False}
    # Outside a checklist, "1 có, 2 không" stays an ordinary (unreadable) line.
    doc = _doc(RYG)
    del doc["checklist"]
    plain = template_from_data(doc)
    assert parse_report("1 có, 2 không", plain, None).values != {"c1": True, "c2": False}


# -- the digest and roll-up views -------------------------------------------------------------
def _org(i: int, name: str) -> OrgUnit:
    return OrgUnit(i, 1, f"thon{i}", name, name)


def test_digest_counts_classes_and_changes(sample: Template) -> None:
    a, b, c, d = _org(1, "Thôn A"), _org(2, "Thôn B"), _org(3, "Thôn C"), _org(4, "Thôn D")
    previous = [(a, _answers()), (b, _answers(no=(5, 7))), (c, _answers(no=(2,))), (d, _answers())]
    current = [(a, _answers(no=(4,))), (b, _answers()), (c, _answers(no=(5, 6))), (d, {})]
    cd = compute_checklist_digest(sample, current, previous)
    assert cd is not None
    assert [(x.level.key if x.level else None, x.current, x.previous) for x in cd.counts] == [
        ("do", 1, 1),
        ("vang", 1, 1),
        ("xanh", 1, 2),
        (None, 1, 0),
    ]
    changes = {
        u.org.name: (u.previous.level.key, u.current.level.key, u.better)
        for u in cd.changes
        if u.previous and u.previous.level and u.current.level
    }
    assert changes == {
        "Thôn A": ("xanh", "do", False),
        "Thôn B": ("vang", "xanh", True),
        "Thôn C": ("do", "vang", True),
    }
    lines = checklist_section(cd, previous_word="tháng trước")
    text = "\n".join(lines)
    assert " - Số đơn vị theo mức: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 1, Chưa đánh giá 1." in text
    assert " - Tháng trước: 🔴 Đỏ 1, 🟡 Vàng 1, 🟢 Xanh 2, Chưa đánh giá 0." in text
    assert "   • Thôn B: 🟡 Vàng → 🟢 Xanh (tốt lên)" in text
    assert "   • Thôn A: 🟢 Xanh → 🔴 Đỏ (xấu đi)" in text
    assert (
        "   • Thôn A (đạt 8/9 tiêu chí, 88,9%; chưa đạt tiêu chí bắt buộc 4; trước: 🟢 Xanh)"
        in text
    )
    assert "   • Thôn C (đạt 7/9 tiêu chí, 77,8%; chưa đạt: 5, 6; trước: 🔴 Đỏ)" in text
    assert " - 🟢 Xanh: Thôn B." in text
    assert "   • Thôn D (chưa trả lời tiêu chí nào)" in text


def test_digest_without_a_previous_period_says_no_change(sample: Template) -> None:
    a = _org(1, "Thôn A")
    cd = compute_checklist_digest(sample, [(a, _answers())], [])
    assert cd is not None and not cd.changes and cd.previous_reported == 0
    text = "\n".join(checklist_section(cd, previous_word="tháng trước"))
    assert "Tháng trước" not in text and "Thay đổi" not in text
    same = compute_checklist_digest(sample, [(a, _answers())], [(a, _answers())])
    assert same is not None
    assert "Không có đơn vị nào đổi mức so với tháng trước." in "\n".join(
        checklist_section(same, previous_word="tháng trước")
    )


def test_long_lists_are_cut(sample: Template) -> None:
    units = [(_org(i, f"Thôn {i}"), _answers(no=(5, 7))) for i in range(1, 8)]
    cd = compute_checklist_digest(sample, units, [])
    assert cd is not None
    text = "\n".join(checklist_section(cd, previous_word="tháng trước", max_names=3))
    assert "   … và 4 đơn vị khác." in text and "Thôn 4 (" not in text


def _version(org: OrgUnit, period: Period, values: dict[str, FieldValue]) -> SubmissionVersion:
    when = datetime(2026, 12, 1, tzinfo=UTC)
    return SubmissionVersion(
        id=org.id * 100 + period.start.month, submission_id=org.id, version=1, campaign_id=1,
        period=period, org_id=org.id, channel="sandbox", user_id="u", message_id="m", raw_text="",
        values=values, submitted_at=when, late=False,
    )  # fmt: skip


def test_span_classes_per_period_and_latest(sample: Template) -> None:
    a, b = _org(1, "Thôn A"), _org(2, "Thôn B")
    nov, dec = Period.from_key("2026-11"), Period.from_key("2026-12")
    versions = [
        _version(a, nov, _answers(no=(4,))),
        _version(a, dec, _answers()),
        _version(b, nov, _answers(no=(5, 7))),
    ]
    sc = compute_checklist_span(sample, [a, b], [nov, dec], versions)
    assert sc is not None
    assert [(lv.key if lv else None, n) for lv, n in sc.counts(nov.key)] == [
        ("do", 1),
        ("vang", 1),
        ("xanh", 0),
    ]
    latest = {
        u.org.name: u.latest.level.key if u.latest and u.latest.level else None for u in sc.units
    }
    assert latest == {"Thôn A": "xanh", "Thôn B": "vang"}


def test_the_checklist_demo_uploads_the_documented_sample() -> None:
    """``python -m bot demo tieuchi`` pastes docs/mau-tu-danh-gia-an-toan-covid.yaml: the
    two stay the same document."""
    demo = SAMPLE.parents[1] / "bot" / "demo" / "tieuchi_ninhtho.txt"
    lines = demo.read_text(encoding="utf-8").splitlines()
    start = lines.index("1001 @ dm: /thaymau") + 1
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("  ") and lines[i])
    pasted = "\n".join(line[2:] for line in lines[start:end]).strip()
    assert pasted == SAMPLE.read_text(encoding="utf-8").strip()


# -- properties -------------------------------------------------------------------------------
_KEYS = ["c1", "c2", "c3", "c4", "c5"]
_condition = st.fixed_dictionaries(
    {},
    optional={
        "critical_not_met_at_least": st.integers(1, 3),
        "not_met_at_least": st.integers(1, 6),
        "percent_met_below": st.integers(1, 100),
        "percent_met_at_least": st.integers(0, 100),
        "any_not_met": st.lists(st.sampled_from(_KEYS), min_size=1, max_size=3),
        "section": st.sampled_from(["a", "b"]),
    },
)
_rules = st.fixed_dictionaries(
    {
        "critical": st.lists(st.sampled_from(_KEYS), max_size=3, unique=True),
        "unanswered": st.sampled_from(["not_met", "skip"]),
        "levels": st.lists(
            st.one_of(_condition, st.lists(_condition, min_size=1, max_size=3)),
            min_size=1,
            max_size=4,
        ).map(
            lambda whens: (
                [{"key": f"m{i}", "label": f"Mức {i}", "when": w} for i, w in enumerate(whens)]
                + [{"key": "cuoi", "label": "Còn lại"}]
            )
        ),
    }
)
_answers_st = st.dictionaries(st.sampled_from(_KEYS), st.booleans())


# About one generated rule in six passes the validator: 600 examples classify ~100 rules.
@settings(max_examples=600, deadline=None)
@given(rule=_rules, values=_answers_st, org=st.sampled_from(["thon1", "truong", None]))
def test_any_rule_the_validator_accepts_classifies_without_crashing(
    rule: dict[str, Any], values: dict[str, FieldValue], org: str | None
) -> None:
    try:
        t = template_from_data(_doc(rule))
    except TemplateError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    a = assess(t, org, values)
    assert a is not None
    answered = [f.key for f in a.criteria if f.key in values]
    if not answered:
        assert a.level is None
    else:
        assert a.level is not None and a.level.key in {lv["key"] for lv in rule["levels"]}
        assert a.percent is None or Decimal(0) <= a.percent <= Decimal(100)
    assert set(a.met) | set(a.not_met) | set(a.unanswered) == {f.key for f in a.criteria}
    assert assessment_lines(t, org, a)  # every assessment can be told


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("0123456789 ,;-:.cko\nđạtấảhếừ")), max_size=80))
def test_any_short_reply_is_read_without_crashing(sample: Template, text: str) -> None:
    result = parse_report(text, sample, None)
    for key, value in result.values.items():
        assert key in {f.key for f in sample.all_fields()}
        if key != "kho_khan":
            assert isinstance(value, bool)


def test_a_very_long_short_reply_is_read_quickly(sample: Template) -> None:
    import time

    started = time.perf_counter()
    parse_report("không đạt " + "1 " * 20_000 + "x", sample, None)
    parse_report("1 có, " * 8_000 + "zz", sample, None)
    assert time.perf_counter() - started < 5
