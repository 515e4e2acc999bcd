"""Rendering: Vietnamese formatting, the digest's shape, prompts, reminders, status, echo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.core.digest import compute_completeness
from bot.core.models import FieldValue, OrgUnit
from bot.core.periods import Period, PeriodType
from bot.core.render import (
    format_value,
    render_digest,
    render_prompt,
    render_reminder,
    render_status,
    render_submission_echo,
    render_warning,
)
from bot.core.template import FieldType, TemplateField, template_from_data
from tests.unit.test_digest import (
    DEADLINE,
    NOW,
    VN,
    WEEK,
    digest,
    make_orgs,
    make_template,
    sample_week,
    sub,
)


def field(type_: str, unit: str = "", **kw: object) -> TemplateField:
    return TemplateField(key="f", label="Trường", type=FieldType(type_), unit=unit, **kw)


# -- format_value ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "unit", "value", "expected"),
    [
        ("count", "", 1200, "1.200"),
        ("count", "buổi", 32, "32 buổi"),
        ("count", "", 1_234_567, "1.234.567"),
        ("money", "", 45_500_000, "45.500.000 đồng"),
        ("money", "đồng", 0, "0 đồng"),
        ("decimal", "tấn", Decimal("42.5"), "42,5 tấn"),
        ("decimal", "ha", Decimal("1200.75"), "1.200,75 ha"),
        ("decimal", "", Decimal("3.10"), "3,1"),
        ("percent", "", Decimal("87.3"), "87,3%"),
        ("percent", "", Decimal("100"), "100%"),
        ("yesno", "", True, "Có"),
        ("yesno", "", False, "Không"),
        ("text", "", "Mô hình <b>hay</b> & 🎉", "Mô hình <b>hay</b> & 🎉"),
        ("photo", "", ("a", "b", "c"), "3 ảnh"),
    ],
)
def test_format_value(type_: str, unit: str, value: object, expected: str) -> None:
    assert format_value(field(type_, unit), value) == expected  # type: ignore[arg-type]


def test_format_value_choice() -> None:
    f = field("choice", choices=("Tốt", "Khá"))
    assert format_value(f, "Khá") == "Khá"


# -- digest ------------------------------------------------------------------------------
def sample_text() -> str:
    current, previous, cumulative = sample_week()
    return render_digest(digest(current, previous, cumulative, campaign_name="Kế hoạch 12/KH"))


def test_digest_heading_and_completeness_line() -> None:
    lines = sample_text().splitlines()
    assert lines[0] == "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026 (23/11 – 29/11/2026)"
    assert lines[1] == "Kế hoạch 12/KH"
    assert lines[2] == "Số liệu tính đến 08h00 Thứ Bảy, 28/11/2026."
    assert lines[3] == (
        "1. Tình hình báo cáo: 5/6 đơn vị (4 đúng hạn, 1 muộn). Chưa báo cáo: Hội CCB tỉnh."
    )


def test_digest_main_results_with_vietnamese_numbers_and_changes() -> None:
    lines = sample_text().splitlines()
    assert "2. Kết quả chủ yếu:" in lines
    assert " - Tuyên truyền, vận động: 32 buổi (tăng 5), 4.150 lượt người (tăng 3.150)." in lines
    assert (
        " - Vận động, ủng hộ: 2,51 tỷ đồng (tăng 475,5 triệu đồng); "
        "hàng hóa quy đổi 1,2 tỷ đồng." in lines
    )
    assert (
        " - Kết quả khác: tỷ lệ hộ tham gia 85,77% (bình quân); 42,5 tấn (cao nhất); "
        "118 hộ (mới nhất)." in lines
    )
    assert " - Đã tổ chức hội nghị: Có 4/5 đơn vị, Không 1/5 đơn vị." in lines
    assert " - Tự đánh giá: Tốt 2/3 đơn vị, Khá 1/3 đơn vị." in lines
    assert "(Trong ngoặc: tăng, giảm so với tuần trước.)" in lines


def test_digest_decrease_is_worded() -> None:
    current = [sub(1, {"so_buoi": 3, "tien": 45_500_000})]
    previous = [sub(1, {"so_buoi": 5, "tien": 50_000_000}, period=WEEK.prev())]
    text = render_digest(digest(current, previous))
    assert " - Tuyên truyền, vận động: 3 buổi (giảm 2)." in text.splitlines()
    assert " - Vận động, ủng hộ: 45,5 triệu đồng (giảm 4,5 triệu đồng)." in text.splitlines()


def test_digest_per_org_blocks() -> None:
    lines = sample_text().splitlines()
    start = lines.index("3. Theo đơn vị:")
    block = lines[start + 1 : start + 5]
    assert block == [
        "✅ UBMTTQ tỉnh – 15h20 26/11",
        " • Tuyên truyền, vận động: 12 buổi, 1.200 lượt người",
        " • Vận động, ủng hộ: 45.500.000 đ, hàng hóa quy đổi 1.200.000.000 đ",
        " • Kết quả khác: tỷ lệ hộ tham gia 87,3%; 42,5 tấn; 120 hộ; "
        "đã tổ chức hội nghị: Có; tự đánh giá: Tốt",
    ]
    assert "✅ Tỉnh đoàn – 09h00 27/11, gửi lần 2" in lines
    assert "⏰ Hội ND tỉnh – 07h45 28/11, muộn" in lines
    assert not any(line.startswith("❌") for line in lines[start:])


def test_digest_narratives_grouped_and_passed_through_unchanged() -> None:
    lines = sample_text().splitlines()
    start = lines.index("4. Mô hình hay; khó khăn, vướng mắc; đề xuất, kiến nghị:")
    assert lines[start + 1 : start + 6] == [
        "• UBMTTQ tỉnh:",
        " - Mô hình hay: Mô hình “Bữa cơm nghĩa tình” tại xã Tân Hà 🍚",
        " - Khó khăn, vướng mắc: Kinh phí còn hạn chế.",
        "• Tỉnh đoàn:",
        " - Đề xuất, kiến nghị: Đề nghị hỗ trợ thêm <b>100</b> suất quà & áo phao.",
    ]


def test_digest_cumulative_section() -> None:
    lines = sample_text().splitlines()
    start = lines.index("5. Lũy kế từ đầu đợt (3 tuần, từ tuần 46/2026):")
    assert lines[start + 1] == " - Tuyên truyền, vận động: 66 buổi, 5.650 lượt người."
    assert lines[start + 2] == " - Vận động, ủng hộ: 4,54 tỷ đồng; hàng hóa quy đổi 1,2 tỷ đồng."
    assert lines[-1].startswith(" - Kết quả khác: ")


def test_digest_lines_stay_plain_and_vietnamese() -> None:
    current, previous, cumulative = sample_week()
    # no narratives: everything left is the bot's own wording
    for v in current:
        for k in ("mo_hinh", "kho_khan", "de_xuat"):
            v.values.pop(k, None)
    text = render_digest(digest(current, previous, cumulative))
    for word in ("None", "True", "False", "Decimal", "template", "deadline", "<", ">", "*"):
        assert word not in text
    assert "4. Mô hình hay; khó khăn, vướng mắc; đề xuất, kiến nghị:" in text
    assert " - Các đơn vị chưa nêu nội dung." in text


def test_empty_digest_says_so_plainly() -> None:
    text = render_digest(digest([], [], []))
    assert text.splitlines() == [
        "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026 (23/11 – 29/11/2026)",
        "Số liệu tính đến 08h00 Thứ Bảy, 28/11/2026.",
        "1. Tình hình báo cáo: chưa có đơn vị nào gửi báo cáo (0/6 đơn vị).",
        "Kỳ này chưa có số liệu để tổng hợp.",
    ]


def test_empty_week_still_shows_cumulative() -> None:
    earlier = [sub(1, {"so_buoi": 4}, period=WEEK.prev())]
    text = render_digest(digest([], [], earlier))
    assert "Kỳ này chưa có số liệu để tổng hợp." in text
    assert "2. Lũy kế từ đầu đợt (1 tuần, từ tuần 47/2026):" in text
    assert " - Tuyên truyền, vận động: 4 buổi." in text


def test_digest_all_on_time() -> None:
    orgs = make_orgs()[:2]
    text = render_digest(digest([sub(1, {"so_buoi": 1}), sub(2, {"so_buoi": 2})], orgs=orgs))
    assert "1. Tình hình báo cáo: 2/2 đơn vị (đều đúng hạn)." in text.splitlines()


@pytest.mark.parametrize(
    ("period", "heading"),
    [
        (Period.from_key("2026-11"), "📊 TỔNG HỢP KẾT QUẢ THÁNG 11/2026"),
        (Period.from_key("2026-Q4"), "📊 TỔNG HỢP KẾT QUẢ QUÝ IV/2026"),
        (Period.from_key("2026-H1"), "📊 TỔNG HỢP KẾT QUẢ 6 THÁNG ĐẦU NĂM 2026"),
        (Period.from_key("2026"), "📊 TỔNG HỢP KẾT QUẢ NĂM 2026"),
    ],
)
def test_digest_heading_for_longer_periods(period: Period, heading: str) -> None:
    from bot.core.digest import compute_digest

    d = compute_digest(
        template=make_template(),
        orgs=make_orgs(),
        period=period,
        deadline=DEADLINE,
        current=[sub(1, {"so_buoi": 2}, period=period)],
        previous=[sub(1, {"so_buoi": 1}, period=period.prev())],
        cumulative=[sub(1, {"so_buoi": 2}, period=period)],
        now=NOW,
    )
    text = render_digest(d)
    assert text.splitlines()[0] == heading
    word = {
        PeriodType.MONTH: "tháng trước",
        PeriodType.QUARTER: "quý trước",
        PeriodType.HALF: "kỳ trước",
        PeriodType.YEAR: "năm trước",
    }[period.type]
    assert f"(Trong ngoặc: tăng, giảm so với {word}.)" in text


def test_deactivated_org_is_shown_outside_the_list() -> None:
    gone = OrgUnit(id=99, workspace_id=1, code="CU", name="Đơn vị cũ", short_name="")
    d = digest([sub(1, {"so_buoi": 2}), sub(99, {"so_buoi": 5})], other_orgs=[gone])
    lines = render_digest(d).splitlines()
    assert lines[2].startswith("1. Tình hình báo cáo: 1/6 đơn vị (đều đúng hạn). Chưa báo cáo: ")
    assert lines[2].endswith(" Báo cáo ngoài danh sách: Đơn vị cũ.")
    assert " - Tuyên truyền, vận động: 7 buổi." in lines
    assert "✅ Đơn vị cũ – 15h20 26/11, ngoài danh sách báo cáo" in lines


def test_exempt_orgs_are_named_in_the_digest() -> None:
    d = digest([sub(1, {"so_buoi": 2})], exempt_org_ids=frozenset({6}))
    line = render_digest(d).splitlines()[2]
    assert "1/5 đơn vị" in line
    assert line.endswith("Miễn báo cáo kỳ này: Hội CCB tỉnh.")
    assert "Chưa báo cáo: Tỉnh đoàn, LĐLĐ tỉnh, Hội LHPN tỉnh, Hội ND tỉnh." in line


def test_long_lists_are_cut() -> None:
    orgs = [
        OrgUnit(id=i, workspace_id=1, code=f"X{i}", name=f"xã {i}", short_name="")
        for i in range(1, 301)
    ]
    current = [sub(i, {"so_buoi": 1}) for i in range(1, 251)]
    text = render_digest(digest(current, orgs=orgs), max_names=3, max_org_blocks=2)
    assert "Chưa báo cáo: xã 251, xã 252, xã 253 và 47 đơn vị khác." in text
    assert "… và 248 đơn vị khác (số liệu từng đơn vị: /xuat excel tuần 48/2026)." in text
    assert "✅ xã 3 –" not in text


def test_a_large_flat_workspace_gets_a_digest_of_a_few_messages() -> None:
    # 120 units without levels, each with a figure and a narrative: 50 blocks and 30
    # narratives are shown, the rest is pointed to the files.
    orgs = [
        OrgUnit(id=i, workspace_id=1, code=f"X{i}", name=f"Đơn vị {i}", short_name="")
        for i in range(1, 121)
    ]
    current = [
        sub(i, {"so_buoi": 1, "kho_khan": f"Khó khăn của đơn vị {i}"}) for i in range(1, 121)
    ]
    text = render_digest(digest(current, orgs=orgs))
    assert "… và 70 đơn vị khác (số liệu từng đơn vị: /xuat excel tuần 48/2026)." in text
    assert "… và 90 đơn vị khác (toàn văn: /xuat word tuần 48/2026)." in text
    assert "Khó khăn của đơn vị 30\n" in text + "\n" and "Khó khăn của đơn vị 31\n" not in text
    assert len(text) < 12_000
    # A commune's handful of organizations are shown in full.
    few = render_digest(digest(current[:8], orgs=orgs[:8]))
    assert "đơn vị khác" not in few and "Khó khăn của đơn vị 8" in few


# -- prompt, reminder, warning -----------------------------------------------------------
def test_prompt_shape_and_local_time() -> None:
    deadline_utc = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 17h00 in Hà Nội
    text = render_prompt(
        period=WEEK,
        deadline=deadline_utc,
        form_text="1. Số buổi tuyên truyền, vận động:\n2. Số lượt người được tuyên truyền:",
    )
    assert text == (
        "📊 Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 48/2026 (23/11 – 29/11/2026)\n"
        "trước 17h00 Thứ Sáu, 27/11/2026. Đồng chí sao chép mẫu dưới đây, điền số liệu và "
        "gửi lại:\n"
        "1. Số buổi tuyên truyền, vận động:\n"
        "2. Số lượt người được tuyên truyền:"
    )


def test_prompt_with_campaign_name() -> None:
    text = render_prompt(
        period=Period.from_key("2026-11"),
        deadline=datetime(2026, 11, 30, 17, 0, tzinfo=VN),
        form_text="1. A:",
        campaign_name="Phong trào “Dân vận khéo”",
    )
    assert text.splitlines()[:2] == [
        "📊 Phong trào “Dân vận khéo”",
        "Đề nghị các đơn vị báo cáo kết quả thực hiện tháng 11/2026",
    ]
    assert "trước 17h00 Thứ Hai, 30/11/2026." in text


def test_reminder_names_missing_orgs_and_deadline() -> None:
    missing = make_orgs()[4:]
    text = render_reminder(period=WEEK, deadline=DEADLINE, missing=missing)
    assert text == (
        "⏰ Nhắc việc: các đơn vị chưa gửi báo cáo kết quả thực hiện "
        "Tuần 48/2026 (23/11 – 29/11/2026): Hội ND tỉnh, Hội CCB tỉnh.\n"
        "Đề nghị đồng chí gửi báo cáo trước 17h00 Thứ Sáu, 27/11/2026."
    )


def test_reminder_for_one_org_and_after_deadline() -> None:
    one = make_orgs()[5:]
    text = render_reminder(period=WEEK, deadline=DEADLINE, missing=one, now=NOW)
    assert text.startswith(
        "⏰ Nhắc việc: Hội CCB tỉnh chưa gửi báo cáo kết quả thực hiện Tuần 48/2026"
    )
    assert "Hạn báo cáo (17h00 Thứ Sáu, 27/11/2026) đã qua" in text


def test_reminder_when_nobody_is_missing() -> None:
    text = render_reminder(period=WEEK, deadline=DEADLINE, missing=[])
    assert text.startswith("✅ Các đơn vị đã gửi đủ báo cáo")


@pytest.mark.parametrize(
    ("before", "words"),
    [
        (timedelta(hours=2), "Còn 2 giờ nữa"),
        (timedelta(hours=1, minutes=30), "Còn 1 giờ 30 phút nữa"),
        (timedelta(minutes=45), "Còn 45 phút nữa"),
        (timedelta(days=1, hours=3), "Còn 1 ngày 3 giờ nữa"),
    ],
)
def test_warning_counts_down(before: timedelta, words: str) -> None:
    text = render_warning(
        period=WEEK, deadline=DEADLINE, now=DEADLINE - before, missing=make_orgs()[5:]
    )
    assert text.splitlines() == [
        f"⏰ {words} đến hạn báo cáo kết quả thực hiện Tuần 48/2026 (23/11 – 29/11/2026): "
        "17h00 Thứ Sáu, 27/11/2026.",
        "Đơn vị chưa báo cáo: Hội CCB tỉnh.",
        "Đề nghị đồng chí khẩn trương gửi báo cáo.",
    ]


def test_warning_at_deadline() -> None:
    text = render_warning(period=WEEK, deadline=DEADLINE, now=DEADLINE)
    assert text.startswith("⏰ Đã đến hạn báo cáo kết quả thực hiện Tuần 48/2026")


# -- status ------------------------------------------------------------------------------
def test_status_lists_every_org() -> None:
    current, _, _ = sample_week()
    c = compute_completeness(
        period=WEEK, orgs=make_orgs(), deadline=DEADLINE, current=current, now=NOW
    )
    assert render_status(c).splitlines() == [
        "📊 Tình hình báo cáo Tuần 48/2026 (23/11 – 29/11/2026)",
        "Hạn báo cáo: 17h00 Thứ Sáu, 27/11/2026 (đã quá hạn).",
        "Đã báo cáo 5/6 đơn vị (4 đúng hạn, 1 muộn), chưa báo cáo 1 đơn vị.",
        "✅ UBMTTQ tỉnh – 15h20 26/11, đúng hạn",
        "✅ Tỉnh đoàn – 09h00 27/11, đúng hạn",
        "✅ LĐLĐ tỉnh – 15h20 26/11, đúng hạn",
        "✅ Hội LHPN tỉnh – 15h20 26/11, đúng hạn",
        "⏰ Hội ND tỉnh – 07h45 28/11, muộn",
        "❌ Hội CCB tỉnh – chưa báo cáo",
    ]


def test_status_before_deadline_with_exempt_and_utc_times() -> None:
    at = datetime(2026, 11, 26, 1, 5, tzinfo=UTC)  # 08h05 local
    c = compute_completeness(
        period=WEEK,
        orgs=make_orgs()[:3],
        deadline=DEADLINE,
        current=[sub(1, {"so_buoi": 1}, at=at)],
        now=DEADLINE - timedelta(hours=5),
        exempt_org_ids=frozenset({3}),
    )
    assert render_status(c).splitlines() == [
        "📊 Tình hình báo cáo Tuần 48/2026 (23/11 – 29/11/2026)",
        "Hạn báo cáo: 17h00 Thứ Sáu, 27/11/2026 (còn 5 giờ).",
        "Đã báo cáo 1/2 đơn vị (đều đúng hạn), chưa báo cáo 1 đơn vị.",
        "✅ UBMTTQ tỉnh – 08h05 26/11, đúng hạn",
        "❌ Tỉnh đoàn – chưa báo cáo",
        "Miễn báo cáo kỳ này: LĐLĐ tỉnh.",
    ]


# -- submission echo ---------------------------------------------------------------------
def test_echo_numbers_lines_in_form_order_and_marks_guesses() -> None:
    tpl = make_template()
    org = make_orgs()[3]
    values: dict[str, FieldValue] = {
        "so_luot": 1200,
        "so_buoi": 12,
        "tien": 45_500_000,
        "san_luong": Decimal("42.5"),
        "ty_le": Decimal("87.3"),
        "hoi_nghi": True,
        "mo_hinh": "Tổ phụ nữ “tiết kiệm” <3",
        "kho_khan": "   ",
    }
    text = render_submission_echo(tpl, org, WEEK, values, guessed={"tien", "ty_le"})
    assert text.splitlines() == [
        "Nội dung báo cáo của Hội LHPN tỉnh – Tuần 48/2026 (23/11 – 29/11/2026):",
        "1. Số buổi tuyên truyền, vận động: 12 buổi",
        "2. Số lượt người được tuyên truyền: 1.200 lượt người",
        "3. Tiền vận động, ủng hộ: 45.500.000 đồng ❓",
        "5. Tỷ lệ hộ tham gia: 87,3% ❓",
        "6. Sản lượng nông sản hỗ trợ tiêu thụ: 42,5 tấn",
        "8. Đã tổ chức hội nghị: Có",
        "10. Mô hình hay: Tổ phụ nữ “tiết kiệm” <3",
        "Chưa điền các mục: 4, 7, 9, 11–12.",
        "Các dòng có dấu ❓ là số liệu được tự nhận diện từ tin nhắn, đề nghị đồng chí kiểm tra.",
    ]


def test_echo_numbers_are_the_same_for_every_org() -> None:
    """A number means the same field on every form: an org's form skips fields that do not
    apply to it rather than renumbering, so a copied group form is read correctly."""
    tpl = template_from_data(
        {
            "key": "t",
            "name": "T",
            "sections": [
                {
                    "key": "chung",
                    "title": "Chung",
                    "fields": [
                        {"key": "a", "label": "Số buổi", "type": "count", "required": True},
                        {
                            "key": "b",
                            "label": "Số đoàn viên tình nguyện",
                            "type": "count",
                            "applies_to": "TD",
                        },
                        {"key": "c", "label": "Số hộ được thăm", "type": "count"},
                    ],
                }
            ],
        }
    )
    mttq = make_orgs()[0]
    text = render_submission_echo(tpl, mttq, WEEK, {"c": 5})
    assert text.splitlines() == [
        "Nội dung báo cáo của UBMTTQ tỉnh – Tuần 48/2026 (23/11 – 29/11/2026):",
        "3. Số hộ được thăm: 5",
        "Chưa điền mục bắt buộc: 1. Số buổi.",
    ]
    assert "❓" not in text


def test_digest_changes_for_percent_and_decimal() -> None:
    current = [sub(1, {"ty_le": Decimal("87.3"), "san_luong": Decimal("42.5")})]
    previous = [
        sub(1, {"ty_le": Decimal("85.2"), "san_luong": Decimal("42.5")}, period=WEEK.prev())
    ]
    lines = render_digest(digest(current, previous)).splitlines()
    assert (
        " - Kết quả khác: tỷ lệ hộ tham gia 87,3% (bình quân, tăng 2,1 điểm %); "
        "42,5 tấn (cao nhất, không đổi)." in lines
    )


def test_forms_of_units_no_section_names_are_shared_and_the_named_ones_differ() -> None:
    """``fields_for`` and ``numbered_fields`` are remembered per form: every code that no
    section or field names shares one entry; a named code has its own. Each must be what
    the fields' own rules give, whichever code was asked first."""
    tpl = template_from_data(
        {
            "key": "t",
            "name": "T",
            "sections": [
                {
                    "key": "chung",
                    "title": "Chung",
                    "fields": [
                        {"key": "a", "label": "Số buổi", "type": "count"},
                        {
                            "key": "b",
                            "label": "Số tình nguyện",
                            "type": "count",
                            "applies_to": "TD",
                        },
                    ],
                },
                {
                    "key": "rieng",
                    "title": "Riêng",
                    "applies_to": ["HND", "TD"],
                    "fields": [{"key": "c", "label": "Số hộ", "type": "count"}],
                },
            ],
        }
    )
    for code in ["MTTQ", "TD", "HND", "CCB", "TD", "MTTQ", None]:
        expected = [
            f
            for s in tpl.sections
            if code is None or not s.applies_to or code in s.applies_to
            for f in s.fields
            if code is None or f.applies(code)
        ]
        assert tpl.fields_for(code) == expected, code
        assert [f.key for _, f in tpl.numbered_fields(code)] == [f.key for f in expected]
    assert [n for n, _ in tpl.numbered_fields("TD")] == [1, 2, 3]
    assert [n for n, _ in tpl.numbered_fields("HND")] == [1, 3]
