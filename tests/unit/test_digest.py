"""Digest computation: completeness, aggregation, change, cumulative, narratives."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.core.digest import Digest, FieldTotal, compute_completeness, compute_digest
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Aggregation, Template, template_from_data

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = Period.week(2026, 48)  # 23/11 – 29/11/2026
PREV = WEEK.prev()
DEADLINE = datetime(2026, 11, 27, 17, 0, tzinfo=VN)
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=VN)


def make_template() -> Template:
    return template_from_data(
        {
            "key": "tuan",
            "name": "Báo cáo tuần",
            "sections": [
                {
                    "key": "tuyen_truyen",
                    "title": "Tuyên truyền, vận động",
                    "fields": [
                        {
                            "key": "so_buoi",
                            "label": "Số buổi tuyên truyền, vận động",
                            "type": "count",
                            "unit": "buổi",
                        },
                        {
                            "key": "so_luot",
                            "label": "Số lượt người được tuyên truyền",
                            "type": "count",
                            "unit": "lượt người",
                        },
                    ],
                },
                {
                    "key": "ung_ho",
                    "title": "Vận động, ủng hộ",
                    "fields": [
                        {"key": "tien", "label": "Tiền vận động, ủng hộ", "type": "money"},
                        {"key": "hang", "label": "Hàng hóa quy đổi", "type": "money"},
                    ],
                },
                {
                    "key": "khac",
                    "title": "Kết quả khác",
                    "fields": [
                        {"key": "ty_le", "label": "Tỷ lệ hộ tham gia", "type": "percent"},
                        {
                            "key": "san_luong",
                            "label": "Sản lượng nông sản hỗ trợ tiêu thụ",
                            "type": "decimal",
                            "unit": "tấn",
                            "aggregate": "max",
                        },
                        {
                            "key": "ho_ngheo",
                            "label": "Số hộ nghèo còn lại",
                            "type": "count",
                            "unit": "hộ",
                            "aggregate": "latest",
                        },
                        {"key": "hoi_nghi", "label": "Đã tổ chức hội nghị", "type": "yesno"},
                        {
                            "key": "danh_gia",
                            "label": "Tự đánh giá",
                            "type": "choice",
                            "choices": ["Tốt", "Khá", "Trung bình"],
                        },
                    ],
                },
                {
                    "key": "y_kien",
                    "title": "Ý kiến",
                    "fields": [
                        {"key": "mo_hinh", "label": "Mô hình hay", "type": "text"},
                        {"key": "kho_khan", "label": "Khó khăn, vướng mắc", "type": "text"},
                        {"key": "de_xuat", "label": "Đề xuất, kiến nghị", "type": "text"},
                        {"key": "anh", "label": "Hình ảnh", "type": "photo"},
                    ],
                },
            ],
        }
    )


def make_orgs() -> list[OrgUnit]:
    names = [
        ("MTTQ", "Ủy ban MTTQ tỉnh", "UBMTTQ tỉnh"),
        ("TD", "Tỉnh đoàn", "Tỉnh đoàn"),
        ("LDLD", "Liên đoàn Lao động tỉnh", "LĐLĐ tỉnh"),
        ("PN", "Hội Liên hiệp Phụ nữ tỉnh", "Hội LHPN tỉnh"),
        ("ND", "Hội Nông dân tỉnh", "Hội ND tỉnh"),
        ("CCB", "Hội Cựu chiến binh tỉnh", "Hội CCB tỉnh"),
    ]
    return [
        OrgUnit(id=i + 1, workspace_id=1, code=c, name=n, short_name=s, sort_order=i)
        for i, (c, n, s) in enumerate(names)
    ]


_ids = iter(range(1, 10**9))


def sub(
    org_id: int,
    values: Mapping[str, FieldValue],
    *,
    period: Period = WEEK,
    at: datetime | None = None,
    late: bool = False,
    version: int = 1,
    photos: tuple[str, ...] = (),
) -> SubmissionVersion:
    vid = next(_ids)
    return SubmissionVersion(
        id=vid,
        submission_id=org_id * 1000 + period.start.toordinal() % 1000,
        version=version,
        campaign_id=1,
        period=period,
        org_id=org_id,
        channel="telegram",
        user_id=f"u{org_id}",
        message_id=f"m{vid}",
        raw_text="",
        values=dict(values),
        submitted_at=at or datetime(2026, 11, 26, 15, 20, tzinfo=VN),
        late=late,
        photos=photos,
    )


def digest(
    current: list[SubmissionVersion],
    previous: list[SubmissionVersion] | None = None,
    cumulative: list[SubmissionVersion] | None = None,
    **kw: object,
) -> Digest:
    return compute_digest(
        template=kw.pop("template", None) or make_template(),  # type: ignore[arg-type]
        orgs=kw.pop("orgs", None) or make_orgs(),  # type: ignore[arg-type]
        period=WEEK,
        deadline=DEADLINE,
        current=current,
        previous=previous or [],
        cumulative=cumulative if cumulative is not None else current,
        now=NOW,
        **kw,  # type: ignore[arg-type]
    )


def sample_week() -> tuple[
    list[SubmissionVersion], list[SubmissionVersion], list[SubmissionVersion]
]:
    """Five of six organizations report; Hội ND late; Hội CCB missing."""
    current = [
        sub(
            1,
            {
                "so_buoi": 12,
                "so_luot": 1200,
                "tien": 45_500_000,
                "hang": 1_200_000_000,
                "ty_le": Decimal("87.3"),
                "san_luong": Decimal("42.5"),
                "ho_ngheo": 120,
                "hoi_nghi": True,
                "danh_gia": "Tốt",
                "mo_hinh": "Mô hình “Bữa cơm nghĩa tình” tại xã Tân Hà 🍚",
                "kho_khan": "Kinh phí còn hạn chế.",
            },
            at=datetime(2026, 11, 26, 15, 20, tzinfo=VN),
        ),
        sub(
            2,
            {
                "so_buoi": 8,
                "so_luot": 950,
                "tien": 2_460_000_000,
                "ty_le": Decimal("90"),
                "ho_ngheo": 118,
                "hoi_nghi": True,
                "danh_gia": "Khá",
                "de_xuat": "Đề nghị hỗ trợ thêm <b>100</b> suất quà & áo phao.",
            },
            at=datetime(2026, 11, 27, 9, 0, tzinfo=VN),
            version=2,
        ),
        sub(3, {"so_buoi": 5, "so_luot": 1000, "hoi_nghi": False, "danh_gia": "Tốt"}),
        sub(
            4,
            {"so_buoi": 4, "so_luot": 600, "san_luong": Decimal("10.25"), "hoi_nghi": True},
            photos=("p1", "p2"),
        ),
        sub(
            5,
            {"so_buoi": 3, "so_luot": 400, "ty_le": Decimal("80"), "hoi_nghi": True},
            at=datetime(2026, 11, 28, 7, 45, tzinfo=VN),
            late=True,
        ),
    ]
    previous = [
        sub(1, {"so_buoi": 10, "so_luot": 1000, "tien": 30_000_000}, period=PREV),
        sub(2, {"so_buoi": 17, "tien": 2_000_000_000}, period=PREV),
    ]
    earlier = [
        sub(1, {"so_buoi": 7, "so_luot": 500, "tien": 1_000_000}, period=PREV.prev()),
        *previous,
    ]
    return current, previous, [*earlier, *current]


# -- completeness ------------------------------------------------------------------------
def test_completeness_on_time_late_missing() -> None:
    current, _, _ = sample_week()
    c = compute_completeness(
        period=WEEK, orgs=make_orgs(), deadline=DEADLINE, current=current, now=NOW
    )
    assert c.expected_count == 6
    assert c.reported_count == 5
    assert [r.org.code for r in c.on_time] == ["MTTQ", "TD", "LDLD", "PN"]
    assert [r.org.code for r in c.late] == ["ND"]
    assert [o.code for o in c.missing] == ["CCB"]
    assert c.overdue
    assert not c.complete
    late = c.late[0]
    assert late.submitted_at == datetime(2026, 11, 28, 7, 45, tzinfo=VN)
    assert c.reported[1].version == 2


def test_completeness_before_deadline_is_not_overdue() -> None:
    c = compute_completeness(
        period=WEEK,
        orgs=make_orgs(),
        deadline=DEADLINE,
        current=[],
        now=DEADLINE - timedelta(hours=2),
    )
    assert not c.overdue
    assert c.reported == ()
    assert len(c.missing) == 6


def test_exempt_orgs_are_not_missing_and_not_expected() -> None:
    current, _, _ = sample_week()
    c = compute_completeness(
        period=WEEK,
        orgs=make_orgs(),
        deadline=DEADLINE,
        current=current,
        now=NOW,
        exempt_org_ids=frozenset({6}),
    )
    assert c.missing == ()
    assert c.complete
    assert c.expected_count == 5
    assert [o.code for o in c.exempt] == ["CCB"]


def test_exempt_org_that_reports_is_extra_not_counted() -> None:
    c = compute_completeness(
        period=WEEK,
        orgs=make_orgs(),
        deadline=DEADLINE,
        current=[sub(6, {"so_buoi": 1})],
        now=NOW,
        exempt_org_ids=frozenset({6}),
    )
    assert c.reported_count == 0
    assert [r.org.code for r in c.extra] == ["CCB"]
    assert not c.extra[0].expected


def test_latest_version_wins_when_several_are_passed() -> None:
    v1 = sub(1, {"so_buoi": 3}, version=1)
    v2 = sub(1, {"so_buoi": 9}, version=2, late=True)
    d = digest([v2, v1])
    assert d.completeness.reported_count == 1
    assert d.completeness.reported[0].version == 2
    assert d.completeness.reported[0].late
    assert total(d, "so_buoi").value == 9


# -- aggregation -------------------------------------------------------------------------
def total(d: Digest, key: str) -> FieldTotal:
    return next(t for t in d.totals if t.key == key)


def test_sum_counts_and_money_stay_int() -> None:
    current, previous, cumulative = sample_week()
    d = digest(current, previous, cumulative)
    so_buoi = total(d, "so_buoi")
    assert so_buoi.value == 32
    assert type(so_buoi.value) is int
    assert so_buoi.contributors == 5
    assert so_buoi.aggregation is Aggregation.SUM
    tien = total(d, "tien")
    assert tien.value == 2_505_500_000
    assert type(tien.value) is int
    assert tien.contributors == 2


def test_average_percent_is_decimal_over_reporting_orgs() -> None:
    current, _, _ = sample_week()
    t = total(digest(current), "ty_le")
    assert t.aggregation is Aggregation.AVERAGE
    # (87.3 + 90 + 80) / 3 = 85.7666… -> 85.77
    assert t.value == Decimal("85.77")
    assert isinstance(t.value, Decimal)
    assert t.contributors == 3


def test_average_money_rounds_to_whole_dong() -> None:
    tpl = template_from_data(
        {
            "key": "t",
            "name": "T",
            "sections": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {"key": "m", "label": "Tiền", "type": "money", "aggregate": "average"}
                    ],
                }
            ],
        }
    )
    d = digest([sub(1, {"m": 100}), sub(2, {"m": 101}), sub(3, {"m": 101})], template=tpl)
    assert d.totals[0].value == 101  # 100.67 rounded
    assert type(d.totals[0].value) is int


def test_max_and_latest() -> None:
    current, _, _ = sample_week()
    d = digest(current)
    assert total(d, "san_luong").value == Decimal("42.5")
    # latest submitted_at: Tỉnh đoàn at 27/11 09:00 (118) is later than UBMTTQ 26/11 (120)
    assert total(d, "ho_ngheo").value == 118
    assert total(d, "ho_ngheo").contributors == 2


def test_field_nobody_filled_has_no_value() -> None:
    d = digest([sub(1, {"so_buoi": 2})])
    t = total(d, "san_luong")
    assert t.value is None
    assert t.contributors == 0
    assert t.change is None


def test_values_of_wrong_type_are_coerced_or_ignored() -> None:
    d = digest(
        [
            sub(1, {"so_buoi": Decimal("3"), "tien": "nhiều", "san_luong": 2}),
            sub(2, {"so_buoi": True, "tien": 5}),
        ]
    )
    assert total(d, "so_buoi").value == 3
    assert total(d, "so_buoi").contributors == 1
    assert total(d, "tien").value == 5
    assert total(d, "san_luong").value == Decimal(2)
    assert isinstance(total(d, "san_luong").value, Decimal)


# -- change ------------------------------------------------------------------------------
def test_change_only_when_previous_period_had_the_field() -> None:
    current, previous, cumulative = sample_week()
    d = digest(current, previous, cumulative)
    so_buoi = total(d, "so_buoi")
    assert so_buoi.previous == 27
    assert so_buoi.change == 5
    assert total(d, "tien").change == 2_505_500_000 - 2_030_000_000
    so_luot = total(d, "so_luot")
    assert so_luot.previous == 1000
    assert so_luot.change == 3150
    # nobody reported these last week
    assert total(d, "ty_le").previous is None
    assert total(d, "ty_le").change is None
    assert total(d, "hang").change is None


def test_no_previous_reports_means_no_change() -> None:
    current, _, _ = sample_week()
    d = digest(current, [])
    assert all(t.change is None for t in d.totals)


# -- cumulative --------------------------------------------------------------------------
def test_cumulative_from_campaign_start() -> None:
    current, previous, cumulative = sample_week()
    later = sub(1, {"so_buoi": 1000}, period=WEEK.next())
    d = digest(current, previous, [*cumulative, later])
    cum = {t.key: t for t in d.cumulative}
    assert cum["so_buoi"].value == 7 + 27 + 32
    assert cum["so_buoi"].contributors == 8
    assert cum["tien"].value == 1_000_000 + 2_030_000_000 + 2_505_500_000
    assert cum["so_buoi"].change is None
    assert [p.key for p in d.cumulative_periods] == ["2026-W46", "2026-W47", "2026-W48"]


# -- rows, narratives, choices -----------------------------------------------------------
def test_rows_in_org_order_with_status_and_values() -> None:
    current, _, _ = sample_week()
    d = digest(list(reversed(current)))
    assert [r.org.code for r in d.rows] == ["MTTQ", "TD", "LDLD", "PN", "ND"]
    first = d.rows[0]
    assert first.values["so_buoi"] == 12
    assert first.values["tien"] == 45_500_000
    assert first.values["hoi_nghi"] is True
    assert "mo_hinh" not in first.values  # text goes to the narratives
    assert d.rows[1].version == 2
    assert d.rows[4].late
    assert d.rows[3].photos == 2


def test_narratives_grouped_by_org_in_template_order() -> None:
    current, _, _ = sample_week()
    d = digest(current)
    assert [n.org.code for n in d.narratives] == ["MTTQ", "TD"]
    mttq = d.narratives[0]
    assert [(i.field.key, i.text) for i in mttq.items] == [
        ("mo_hinh", "Mô hình “Bữa cơm nghĩa tình” tại xã Tân Hà 🍚"),
        ("kho_khan", "Kinh phí còn hạn chế."),
    ]
    assert d.narratives[1].items[0].text == "Đề nghị hỗ trợ thêm <b>100</b> suất quà & áo phao."


def test_yesno_and_choice_summaries() -> None:
    current, _, _ = sample_week()
    d = digest(current)
    by_key = {s.field.key: s for s in d.choices}
    assert by_key["hoi_nghi"].counts == (("Có", 4), ("Không", 1))
    assert by_key["hoi_nghi"].answered == 5
    assert by_key["danh_gia"].counts == (("Tốt", 2), ("Khá", 1))
    assert by_key["danh_gia"].answered == 3


# -- organizations outside the list ------------------------------------------------------
def test_deactivated_org_counts_in_totals_not_in_completeness() -> None:
    orgs = make_orgs()
    gone = OrgUnit(id=99, workspace_id=1, code="CU", name="Đơn vị cũ", short_name="", active=False)
    current = [sub(1, {"so_buoi": 2}), sub(99, {"so_buoi": 5, "mo_hinh": "Làm tốt"})]
    d = digest(current, orgs=orgs, other_orgs=[gone])
    c = d.completeness
    assert c.expected_count == 6
    assert c.reported_count == 1
    assert [r.org.name for r in c.extra] == ["Đơn vị cũ"]
    assert total(d, "so_buoi").value == 7
    assert [r.org.id for r in d.rows] == [1, 99]
    assert not d.rows[1].expected
    assert d.narratives[0].org.name == "Đơn vị cũ"


def test_unknown_org_gets_a_placeholder_name() -> None:
    d = digest([sub(77, {"so_buoi": 1})])
    assert d.rows[0].org.name == "Đơn vị số 77"


def test_empty_digest() -> None:
    d = digest([], [], [])
    assert d.empty
    assert d.completeness.reported_count == 0
    assert len(d.completeness.missing) == 6
    assert all(t.value is None and t.contributors == 0 for t in d.totals)
    assert d.cumulative_periods == ()


# -- scale -------------------------------------------------------------------------------
def test_digest_over_twenty_thousand_units() -> None:
    orgs = [
        OrgUnit(id=i, workspace_id=1, code=f"X{i}", name=f"Đơn vị {i}", short_name="")
        for i in range(1, 20_001)
    ]
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN)
    current = [
        sub(
            i,
            {"so_buoi": i % 7, "so_luot": i, "tien": 1_000_000, "ty_le": Decimal("50")},
            at=at,
        )
        for i in range(1, 20_001, 2)
    ]
    d = digest(current, [], current, orgs=orgs)
    assert d.completeness.reported_count == 10_000
    assert len(d.completeness.missing) == 10_000
    assert total(d, "tien").value == 10_000_000_000
    assert total(d, "so_luot").value == 10_000 * 10_000  # 1 + 3 + … + 19_999
    assert len(d.rows) == 10_000


def test_cumulative_counts_every_period_since_the_campaign_began() -> None:
    current, previous, _ = sample_week()
    d = digest(current, previous, current, cumulative_from=WEEK.shift(-3))
    assert [p.key for p in d.cumulative_periods] == [
        "2026-W45", "2026-W46", "2026-W47", "2026-W48",
    ]  # fmt: skip
