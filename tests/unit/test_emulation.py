"""The emulation registry's rules (bot.core.emulation): what counts as an item, the words
for kinds, which year an entry belongs to, and the order of the year-end list."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.emulation import (
    EmulationEntry,
    EntryFilter,
    EntryKind,
    Registry,
    is_trivial,
    kind_from_word,
    model_items,
    report_items,
    take_kind,
)
from bot.core.models import OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.presets import TAY_NINH_TEMPLATE
from bot.core.rollup import Span

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "Không",
        "không có",
        "Không có.",
        "Chưa có",
        "chưa có mô hình",
        "KHÔNG CÓ GÌ",
        "0",
        "x",
    ],
)
def test_nothing_to_report_is_trivial(text: str) -> None:
    assert is_trivial(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mô hình “Bếp ăn 0 đồng”",
        "Không để hộ nào thiếu đói: tổ tự quản góp gạo",  # begins with "không", says much
        "Tổ Covid cộng đồng ấp 3",
    ],
)
def test_real_content_is_not_trivial(text: str) -> None:
    assert not is_trivial(text)


def test_kind_words() -> None:
    assert kind_from_word("tập thể") is EntryKind.COLLECTIVE
    assert kind_from_word("TapThe") is EntryKind.COLLECTIVE
    assert kind_from_word("cá nhân tiêu biểu") is EntryKind.PERSON
    assert kind_from_word("mô hình") is EntryKind.MODEL
    assert kind_from_word("điển hình") is EntryKind.MODEL
    assert kind_from_word("khen") is None
    assert take_kind(["2", "cá", "nhân"]) == (EntryKind.PERSON, ["2"])
    assert take_kind(["nam", "2026", "tapthe", "hnd"]) == (
        EntryKind.COLLECTIVE,
        ["nam", "2026", "hnd"],
    )
    assert take_kind(["nam", "2026"]) == (None, ["nam", "2026"])


def _org(i: int, code: str) -> OrgUnit:
    return OrgUnit(id=i, workspace_id=1, code=code, name=f"Đơn vị {code}", short_name=code)


def _version(org: int, period: Period, values: dict[str, object]) -> SubmissionVersion:
    return SubmissionVersion(
        id=1, submission_id=1, version=1, campaign_id=7, period=period, org_id=org,
        channel="telegram", user_id="1", message_id="m", raw_text="", values=values,  # type: ignore[arg-type]
        submitted_at=AT, late=False, photos=("ph1",),
    )  # fmt: skip


def test_report_items_are_results_and_models_with_content() -> None:
    w48 = Period.week(2026, 48)
    org = _org(3, "hlhpn")
    v = _version(
        3,
        w48,
        {
            "so_buoi_tuyen_truyen": 5,
            "mo_hinh_hay": "  Mô hình “Bếp ăn yêu thương”  ",
            "kho_khan": "Thiếu kinh phí",  # a difficulty is not put forward
            "de_xuat": "Đề nghị hỗ trợ",
            "nhiem_vu_toi": "Tiếp tục",
        },
    )
    items = report_items(TAY_NINH_TEMPLATE, v, org)
    assert [(i.field.key, i.text) for i in items] == [
        ("mo_hinh_hay", "Mô hình “Bếp ăn yêu thương”")
    ]
    assert items[0].photos == ("ph1",) and items[0].key == (7, w48.key, 3, "mo_hinh_hay")
    assert model_items(items) == items
    empty = _version(3, w48, {"mo_hinh_hay": "Không có"})
    assert report_items(TAY_NINH_TEMPLATE, empty, org) == []


def _entry(number: int, org: int, period: Period, kind: EntryKind, **kw: object) -> EmulationEntry:
    data: dict[str, object] = {
        "id": number, "workspace_id": 1, "number": number, "org_id": org, "campaign_id": 7,
        "period": period, "field_key": "mo_hinh_hay", "kind": kind, "title": "", "text": f"t{number}",
        "photos": (), "source": "report", "marked_by": "telegram:1", "marked_by_name": "A",
        "marked_at": AT, "updated_at": AT,
    }  # fmt: skip
    data.update(kw)
    return EmulationEntry(**data)  # type: ignore[arg-type]


def test_a_week_belongs_to_the_year_of_its_thursday() -> None:
    year = EntryFilter(span=Span.of(Period.containing(PeriodType.YEAR, date(2026, 6, 1))))
    # Week 53/2026 runs 28/12/2026 – 03/01/2027: its Thursday is 31/12/2026.
    assert year.accepts(_entry(1, 1, Period.week(2026, 53), EntryKind.MODEL))
    # Week 1/2026 begins on 29/12/2025: its Thursday is 01/01/2026.
    assert year.accepts(_entry(2, 1, Period.week(2026, 1), EntryKind.MODEL))
    assert not year.accepts(_entry(3, 1, Period.week(2027, 1), EntryKind.MODEL))
    assert not year.accepts(_entry(4, 1, Period.week(2025, 52), EntryKind.MODEL))


def test_filter_by_unit_kind_shortlist_and_removed() -> None:
    w = Period.week(2026, 48)
    listed = _entry(1, 1, w, EntryKind.PERSON, shortlisted_at=AT)
    plain = _entry(2, 2, w, EntryKind.PERSON)
    gone = _entry(3, 1, w, EntryKind.PERSON, removed_at=AT)
    assert EntryFilter().accepts(listed) and not EntryFilter().accepts(gone)
    assert EntryFilter(scope_ids=frozenset({2})).accepts(plain)
    assert not EntryFilter(scope_ids=frozenset({2})).accepts(listed)
    assert not EntryFilter(kind=EntryKind.MODEL).accepts(listed)
    assert EntryFilter(shortlisted_only=True).accepts(listed)
    assert not EntryFilter(shortlisted_only=True).accepts(plain)


def test_registry_orders_by_kind_unit_period_number() -> None:
    w47, w48 = Period.week(2026, 47), Period.week(2026, 48)
    entries = [
        _entry(1, 2, w48, EntryKind.MODEL),
        _entry(2, 1, w48, EntryKind.PERSON),
        _entry(3, 1, w48, EntryKind.MODEL),
        _entry(4, 2, w47, EntryKind.MODEL),
        _entry(5, 1, w47, EntryKind.COLLECTIVE, shortlisted_at=AT),
        _entry(6, 1, w47, EntryKind.MODEL, removed_at=AT),
    ]
    reg = Registry.build(
        entries, EntryFilter(), order=[1, 2], unit_names={1: "Tỉnh đoàn", 2: "Hội ND tỉnh"}
    )
    assert [e.number for e in reg.entries] == [3, 4, 1, 5, 2]
    assert [(k, [e.number for e in es]) for k, es in reg.by_kind()] == [
        (EntryKind.MODEL, [3, 4, 1]),
        (EntryKind.COLLECTIVE, [5]),
        (EntryKind.PERSON, [2]),
    ]
    assert reg.shortlisted == 1 and reg.unit(reg.entries[0]) == "Tỉnh đoàn"
    assert reg.subject() == "Mô hình hay, điển hình “Dân vận khéo”, tập thể và cá nhân tiêu biểu"
    one = Registry.build(
        entries,
        EntryFilter(span=Span.of(w48), kind=EntryKind.PERSON,
                    shortlisted_only=True),
        order=[1, 2], unit_names={}, scope_name="Xã Tân Hòa",
    )  # fmt: skip
    assert one.entries == ()
    assert one.subject() == ("Cá nhân tiêu biểu được đề nghị khen thưởng tuần 48/2026 (Xã Tân Hòa)")


def test_a_model_repeated_week_after_week_is_one_line_with_its_periods() -> None:
    weeks = [Period.week(2026, n) for n in (12, 13, 15, 17)]
    same = "Mô hình “Tủ bánh mì 0 đồng” tại chợ"
    entries = [
        _entry(10 + i, 1, w, EntryKind.MODEL, text=same if i % 2 else same.upper() + ".")
        for i, w in enumerate(weeks)
    ]
    entries.append(_entry(20, 2, weeks[0], EntryKind.MODEL, text=same))  # another unit: its own
    entries.append(_entry(21, 1, weeks[1], EntryKind.COLLECTIVE, text=same))  # another kind
    entries.append(_entry(22, 1, weeks[2], EntryKind.MODEL, text=same, shortlisted_at=AT))
    reg = Registry.build(entries, EntryFilter(), order=[1, 2], unit_names={})
    models = dict(reg.by_kind())[EntryKind.MODEL]
    assert [e.number for e in models] == [22, 20]  # the shortlisted line is the one kept
    assert reg.when(models[0]) == "tuần 12/2026 – tuần 17/2026, 4 kỳ"
    assert reg.first_day(models[0]) == weeks[0].start
    assert reg.last_day(models[0]) == weeks[-1].last_day
    assert reg.when(models[1]) == "tuần 12/2026"
    assert len(reg.entries) == 3 and reg.shortlisted == 1
