"""The pure parts of directives: what people type (a request, an acknowledgement, answer
lines in a report), when reminders fall due, and the digest's lines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.directives import (
    Directive,
    DirectiveError,
    DirectiveProgress,
    digest_lines,
    due_reminder,
    parse_ack,
    parse_request,
    reminder_times,
    render_sent,
    split_answers,
)
from bot.core.models import OrgUnit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_request_for_every_unit_or_chosen_ones() -> None:
    assert parse_request("  Tăng cường tuyên truyền ").codes == ()
    r = parse_request("hnd, tinhdoan | Báo cáo số hộ | bị thiệt hại")
    assert r.codes == ("hnd", "tinhdoan") and r.text == "Báo cáo số hộ | bị thiệt hại"
    assert parse_request("HND TinhDoan hnd | x").codes == ("hnd", "tinhdoan")
    # Words before a bar that are not codes are the directive itself.
    r = parse_request("Đề nghị: tuyên truyền | vận động")
    assert r.codes == () and r.text == "Đề nghị: tuyên truyền | vận động"
    # Nothing before the bar: every unit, and the bar is not part of the text.
    r = parse_request("| Chỉ có nội dung")
    assert r.codes == () and r.text == "Chỉ có nội dung"
    for bad in ("", "   ", "hnd |", "hnd |   ", "|", " | "):
        with pytest.raises(DirectiveError, match="Đề nghị ghi nội dung chỉ đạo"):
            parse_request(bad)
    with pytest.raises(DirectiveError, match="quá dài"):
        parse_request("x" * 3001)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("đã nhận", 0),
        ("Đã nhận.", 0),
        ("da nhan", 0),
        ("ĐÃ NHẬN!", 0),
        ("đã nhận được", 0),
        ("đã nhận 3", 3),
        ("đã nhận chỉ đạo số 12", 12),
        ("da nhan cd 4", 4),
        ("nhận", None),
        ("đã nhận tiền ủng hộ 5 triệu", None),
        ("chưa nhận", None),
        ("1", None),
    ],
)
def test_typed_acknowledgements(text: str, number: int | None) -> None:
    assert parse_ack(text) == number


def test_answer_lines_are_taken_out_of_the_report() -> None:
    report = (
        "1. Số buổi tuyên truyền: 4\n"
        "CĐ 3: Đã tổ chức 5 buổi tại các ấp\n"
        "cd2 - đã thống kê 12 hộ\n"
        "Chỉ đạo số 7: chưa thực hiện\n"
        "12. Mô hình hay: Tổ tự quản"
    )
    rest, answers = split_answers(report)
    assert rest == "1. Số buổi tuyên truyền: 4\n12. Mô hình hay: Tổ tự quản"
    assert answers == [
        (3, "Đã tổ chức 5 buổi tại các ấp"),
        (2, "đã thống kê 12 hộ"),
        (7, "chưa thực hiện"),
    ]
    assert split_answers("CĐ 3: a\nCĐ 3: b")[1] == [(3, "b")]  # the last line wins
    assert split_answers("Cố gắng 3: không phải") == ("Cố gắng 3: không phải", [])


@given(st.text(max_size=300))
def test_splitting_answers_never_loses_a_line(text: str) -> None:
    rest, answers = split_answers(text)
    kept = [ln for ln in text.split("\n")]
    assert len(rest.split("\n")) + len(answers) <= len(kept) + 1
    for _, answer in answers:
        assert answer and answer == answer.strip()


def test_reminders_fall_on_mornings_after_the_directive() -> None:
    sent = datetime(2026, 11, 23, 22, 30, tzinfo=TZ)
    assert reminder_times(sent, "Asia/Ho_Chi_Minh") == [
        datetime(2026, 11, 24, 8, 0, tzinfo=TZ),
        datetime(2026, 11, 26, 8, 0, tzinfo=TZ),
    ]
    assert due_reminder(sent, datetime(2026, 11, 24, 7, 59, tzinfo=TZ), "Asia/Ho_Chi_Minh") is None
    assert due_reminder(sent, datetime(2026, 11, 24, 8, 0, tzinfo=TZ), "Asia/Ho_Chi_Minh") == 0
    # Down for days: only the latest reminder is due.
    assert due_reminder(sent, datetime(2026, 12, 1, 9, 0, tzinfo=TZ), "Asia/Ho_Chi_Minh") == 1


def _org(i: int, name: str) -> OrgUnit:
    return OrgUnit(i, 1, f"o{i}", name, name)


def test_digest_lines_show_answers_and_who_is_silent() -> None:
    d = Directive(1, 1, 3, "Tuyên truyền phòng, chống bão", "x", "An",
                  datetime(2026, 11, 23, 9, 0, tzinfo=TZ), (1, 2, 3))  # fmt: skip
    orgs = (_org(1, "Tỉnh đoàn"), _org(2, "Hội ND tỉnh"), _org(3, "Hội CCB tỉnh"))
    p = DirectiveProgress(d, orgs, frozenset({1, 2}), ((orgs[1], "Đã tổ chức 4 buổi"),))
    assert digest_lines([p]) == [
        "• Chỉ đạo số 3: Tuyên truyền phòng, chống bão (đã nhận 2/3 đơn vị)",
        " - Hội ND tỉnh: Đã tổ chức 4 buổi",
        " - Chưa báo cáo kết quả: Tỉnh đoàn, Hội CCB tỉnh.",
    ]
    fresh = DirectiveProgress(d, orgs, frozenset(), (), asked=False)
    assert digest_lines([fresh]) == [
        "• Chỉ đạo số 3: Tuyên truyền phòng, chống bão (đã nhận 0/3 đơn vị)"
    ]


def test_the_sender_is_told_who_cannot_receive_in_one_unit_or_many() -> None:
    orgs = [
        OrgUnit(id=i, workspace_id=1, code=f"u{i}", name=f"Đơn vị {i}", short_name="")
        for i in range(1, 15)
    ]
    d = Directive(
        1, 1, 7, "Nội dung", "telegram:1", "Lãnh đạo", datetime(2026, 11, 23, tzinfo=TZ), (1,)
    )
    one = render_sent(d, orgs[:1], False, 0)
    assert "Lưu ý: đơn vị này chưa có cán bộ báo cáo tham gia nên chưa ai nhận được tin" in one
    many = render_sent(d, orgs, True, 0)
    assert "Lưu ý: các đơn vị này chưa có cán bộ" in many
    some = render_sent(d, orgs, True, 3, orgs[2:])
    assert "Lưu ý: 12 đơn vị chưa có cán bộ báo cáo tham gia" in some
    assert "Đơn vị 3, Đơn vị 4" in some and "Đơn vị 12 và 2 đơn vị khác." in some
    assert "Lưu ý" not in render_sent(d, orgs, True, 3)
