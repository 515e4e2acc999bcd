"""Who is expected to report for a period (transcripts over a real SQLite file):

* a week skipped with ``/nghi`` after units reported for it expects nobody (no unit is
  missing or late for it), yet the reports sent for it count in every figure: roll-ups,
  the digest's cumulative total, ``/lichsu``, the files, where it is marked "nghỉ";
* a unit stopped with ``/ngungdonvi`` and reopened with ``/molaidonvi`` is not expected for
  the weeks due while it was stopped, and is again from the first week due after; a
  commune stopped and reopened carries its units with it; a unit still stopped is expected
  for the weeks due before its stop; reopened after the week's prompt went out, its
  reporters get the prompt in private.
"""

from __future__ import annotations

import io

import openpyxl

from bot.core.models import ChatPurpose
from tests.conftest import Harness
from tests.dialog.test_hierarchy import province
from tests.dialog.test_reports import WEEK48, docx_text, last_file, two_weeks


async def test_a_skipped_week_that_has_reports_expects_nobody_but_its_figures_count(
    tayninh: Harness,
) -> None:
    h = tayninh
    await two_weeks(h)  # week 48: Tỉnh đoàn, LĐLĐ, Hội ND (23 buổi); week 49: 14 buổi
    await h.play("@clock 2026-12-07 09:00")
    out = await h.play("1001 @ g1: /nghi tuần 48 | Bão lũ")
    assert "✅ Đã ghi nghỉ (Bão lũ): tuần 48/2026." in out

    # November holds week 48 only: its figures stay, nobody had to report.
    out = await h.play("1007 @ ld: /tonghop tháng 11")
    assert "Gồm tuần 48/2026 (tuần nghỉ); số liệu tính đến" in out
    assert "1. Tình hình báo cáo: không có kỳ nào phải báo cáo (tuần nghỉ)." in out
    assert "Tuyên truyền, vận động: 23 buổi, 450 lượt người." in out
    assert "3. Không có kỳ nào phải báo cáo để đánh giá mức đầy đủ." in out

    # The quarter: both weeks in the figures (the same as the digest's cumulative), only
    # week 49 in completeness.
    out = await h.play("1007 @ ld: /tonghop quý IV")
    assert "từ tuần 48/2026 đến tuần 53/2026 (nghỉ 1 tuần: tuần 48/2026)" in out
    assert "Tuyên truyền, vận động: 37 buổi, 450 lượt người." in out
    assert "1. Tình hình báo cáo: 2/6 (33,3%) lượt báo cáo đã gửi" in out
    assert " - LĐLĐ tỉnh: 0/1 tuần." in out  # week 49 only; week 48 was not its to miss
    out = await h.play("1007 @ ld: /tonghop tuần 49")
    assert (
        "Lũy kế từ đầu đợt (2 tuần, từ tuần 48/2026):\n   - Tuyên truyền, vận động: 37 buổi" in out
    )

    # The skipped week itself: nobody missing, the reports sent listed and counted.
    out = await h.play("1007 @ ld: /tinhhinh tuần 48")
    assert "Kỳ nghỉ: không đơn vị nào phải báo cáo." in out
    assert "chưa báo cáo" not in out
    assert "Báo cáo đã gửi (vẫn tính vào số liệu):\n  ✅ Tỉnh đoàn – 08h00 23/11" in out
    out = await h.play("1007 @ ld: /tonghop tuần 48")
    assert (
        "1. Tình hình báo cáo: kỳ nghỉ, không đơn vị nào phải báo cáo. Đã gửi (vẫn tính vào"
        " số liệu): Tỉnh đoàn, LĐLĐ tỉnh, Hội ND tỉnh." in out
    )
    assert "ngoài danh sách" not in out and "23 buổi" in out

    # A unit's history shows the week with its figures, marked.
    out = await h.play("1002 @ dm: /lichsu")
    assert "Đã gửi 1/1 (100%) tuần: 1 đúng hạn, 0 muộn." in out
    assert "✅ tuần 48/2026 (tuần nghỉ): Số buổi tuyên truyền, vận động 12 buổi" in out
    assert "Số buổi tuyên truyền, vận động: 22 buổi" in out  # 12 + 10

    # The workbook: the week's column, marked, with its figures and no unit expected.
    await h.play("1007 @ ld: /xuat excel quý IV")
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    rows = {r[0]: r for r in wb["Theo kỳ"].iter_rows(values_only=True) if r[0]}
    assert rows["tuần 48/2026 (nghỉ)"][3:6] == (0, 3, 23)
    assert rows["tuần 49/2026"][3:6] == (6, 2, 14)
    units = {r[1]: r for r in wb["Chuyên cần"].iter_rows(values_only=True) if r[1]}
    assert units["LĐLĐ tỉnh"][2:4] == (1, 0)  # one week to report (49), none sent
    data = [r for r in wb["Số liệu"].iter_rows(values_only=True) if r[2] == "tuần 48/2026 (nghỉ)"]
    assert len(data) == 3
    await h.play("1007 @ ld: /xuat word tháng 11")
    text = docx_text(last_file(h, ".docx"))
    assert "không có kỳ nào các đơn vị phải báo cáo." in text
    assert (
        "Nghỉ 1 tuần: tuần 48/2026, không tính lượt phải báo cáo; số liệu các đơn vị đã gửi"
        " vẫn được tổng hợp." in text
    )
    assert "Số buổi tuyên truyền, vận động: 23 buổi." in text

    # Taken back (/bonghi): the week expects every unit again.
    await h.play("1001 @ g1: /bonghi tuần 48")
    out = await h.play("1007 @ ld: /tonghop tháng 11")
    assert "1. Tình hình báo cáo: 3/6 (50%) lượt báo cáo đã gửi" in out


async def test_a_reopened_unit_is_not_expected_for_the_weeks_it_was_stopped(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.play(WEEK48)
    # LĐLĐ is stopped on Tuesday of week 48 (before its Friday deadline), reports week 49
    # anyway, and is reopened after week 49's deadline.
    await h.play("@clock 2026-11-24 09:00")
    out = await h.play("1001 @ g1: /ngungdonvi ldld")
    assert "✅ Đã ngừng theo dõi báo cáo của LĐLĐ tỉnh." in out
    await h.play("@clock 2026-12-01 09:00")
    out = await h.play("1003 @ dm: 1. 6")
    assert "✅ Đã ghi nhận" in out and "Tuần 49/2026" in out
    await h.play("@clock 2026-12-08 09:00")
    out = await h.play("1001 @ g1: /molaidonvi ldld")
    assert "✅ Đã theo dõi lại báo cáo của LĐLĐ tỉnh." in out
    assert "Đơn vị phải báo cáo lại từ tuần 50/2026 (hạn 17h00 Thứ Sáu, 11/12/2026)." in out

    # Week 50 expects it again: the reminder names it.
    out = await h.play("@clock 2026-12-10 08:00")
    assert "⏰ Nhắc việc" in out and "LĐLĐ tỉnh" in out.split("⏰ Nhắc việc", 1)[1]
    await h.play("@clock 2026-12-14 09:00")

    # Weeks 48 and 49 were due while it was stopped: not its to miss, its reports count.
    out = await h.play("1007 @ ld: /tinhhinh tuần 49")
    assert "Đã báo cáo 0/5 đơn vị" in out
    assert "Báo cáo của đơn vị ngoài danh sách:\n  ✅ LĐLĐ tỉnh" in out
    out = await h.play("1007 @ ld: /tinhhinh tuần 50")
    assert "❌ LĐLĐ tỉnh – chưa báo cáo" in out
    out = await h.play("1007 @ ld: /chuyencan tháng 12")
    assert " - LĐLĐ tỉnh: 0/1 (0%), đúng hạn 0" in out  # week 50 only
    assert " - Tỉnh đoàn: 0/2 (0%), đúng hạn 0; 2 tuần liền không báo cáo" in out
    out = await h.play("1007 @ ld: /chuyencan tháng 11")
    assert "LĐLĐ tỉnh" not in out  # week 48 was due while it was stopped
    out = await h.play("1007 @ ld: /tonghop tháng 12")
    assert "Tuyên truyền, vận động: 6 buổi." in out  # its week 49 report counts
    out = await h.play("1007 @ ld: /lichsu quý IV ldld")
    assert "Đã gửi 0/1 (0%) tuần: 0 đúng hạn, 0 muộn; chưa gửi 1 tuần." in out
    assert "❌ tuần 50/2026: chưa gửi" in out
    # Sent while stopped: counted in the figures, not in its 0/1, and said so.
    assert (
        "✅ tuần 49/2026 (khi đó đơn vị đang ngừng theo dõi; vẫn tính vào số liệu): Số buổi"
        " tuyên truyền, vận động 6 buổi" in out
    )
    assert (
        "✅ tuần 48/2026 (khi đó đơn vị đang ngừng theo dõi; vẫn tính vào số liệu): Số buổi"
        " tuyên truyền, vận động 8 buổi" in out
    )

    # The workbook agrees.
    await h.play("1007 @ ld: /xuat excel tháng 12")
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    units = {r[1]: r for r in wb["Chuyên cần"].iter_rows(values_only=True) if r[1]}
    assert units["LĐLĐ tỉnh"][2] == 1 and units["Tỉnh đoàn"][2] == 2

    # Stopped again: it leaves the list; reopened, the weeks of both stops stay off.
    await h.play("@clock 2026-12-15 09:00")
    await h.play("1001 @ g1: /ngungdonvi ldld")
    await h.play("@clock 2026-12-22 09:00")
    await h.play("1001 @ g1: /molaidonvi ldld")
    await h.play("@clock 2026-12-28 09:00")
    out = await h.play("1007 @ ld: /chuyencan tháng 12")
    # Weeks 50 and 52 (51 was due while stopped; a stop neither breaks nor extends a run).
    assert " - LĐLĐ tỉnh: 0/2 (0%), đúng hạn 0; 2 tuần liền không báo cáo" in out
    assert " - Tỉnh đoàn: 0/4 (0%)" in out
    out = await h.play("1007 @ ld: /lichsu tháng 12 ldld")
    assert "❌ tuần 52/2026: chưa gửi" in out
    assert "▫️ tuần 51/2026: không phải báo cáo (khi đó đơn vị đang ngừng theo dõi)" in out
    assert "❌ tuần 50/2026: chưa gửi" in out


async def test_a_commune_stopped_and_reopened_carries_its_units(harness: Harness) -> None:
    """Stopping a commune stops its units; reopened, they are expected again from the next
    week due, not for the weeks it was stopped."""
    h = harness
    await province(h)  # Xã Tân Hòa: UBMTTQ, Hội ND (1002); Xã Tân Biên: UBMTTQ, Hội ND
    await h.play("@clock 2026-11-30 09:00")  # week 48 due: every unit was followed
    out = await h.play("1001 @ g1: /ngungdonvi xa_tanhoa")
    assert "Đã ngừng theo dõi báo cáo của Xã Tân Hòa" in out
    await h.play("@clock 2026-12-08 09:00")  # week 49 due while it was stopped
    out = await h.play("1001 @ g1: /molaidonvi xa_tanhoa")
    assert "Đã theo dõi lại báo cáo của Xã Tân Hòa" in out
    await h.play("@clock 2026-12-14 09:00")  # week 50 due after it was reopened
    out = await h.play("1007 @ ld: /chuyencan quý IV")
    # Weeks 48 and 50 for Tân Hòa's units, 48 to 50 for Tân Biên's.
    assert " - Xã Tân Hòa: 0/4 (0%) lượt báo cáo" in out
    assert " - Xã Tân Biên: 0/6 (0%) lượt báo cáo" in out
    out = await h.play("1002 @ dm: /lichsu quý IV")
    assert "▫️ tuần 49/2026: không phải báo cáo (khi đó đơn vị đang ngừng theo dõi)" in out
    assert "❌ tuần 50/2026: chưa gửi" in out and "❌ tuần 48/2026: chưa gửi" in out


async def test_a_unit_still_stopped_is_expected_for_the_weeks_due_before_its_stop(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.play(WEEK48)  # LĐLĐ reports week 48
    # Week 49 (due Friday 4 December) passes without its report; it is stopped on the
    # Tuesday of week 50 and stays stopped.
    await h.play("@clock 2026-12-08 09:00")
    out = await h.play("1001 @ g1: /ngungdonvi ldld")
    assert "✅ Đã ngừng theo dõi báo cáo của LĐLĐ tỉnh." in out
    # The admin is told from when it counts.
    assert (
        "Từ tuần 50/2026 (hạn 17h00 Thứ Sáu, 11/12/2026) đơn vị không phải báo cáo; các kỳ"
        " đã đến hạn trước đó vẫn tính như cũ." in out
    )
    await h.play("@clock 2026-12-21 09:00")

    # Week 49 was its to report, and it did not; week 50 was not.
    out = await h.play("1007 @ ld: /tinhhinh tuần 49")
    assert "Đã báo cáo 0/6 đơn vị" in out and "❌ LĐLĐ tỉnh – chưa báo cáo" in out
    out = await h.play("1007 @ ld: /tinhhinh tuần 50")
    assert "Đã báo cáo 0/5 đơn vị" in out and "LĐLĐ tỉnh" not in out
    out = await h.play("1007 @ ld: /chuyencan quý IV")
    assert " - LĐLĐ tỉnh: 1/2 (50%), đúng hạn 1" in out  # weeks 48 and 49
    out = await h.play("1007 @ ld: /lichsu quý IV ldld")
    assert "✅ tuần 48/2026" in out and "❌ tuần 49/2026: chưa gửi" in out
    assert "▫️ tuần 50/2026: không phải báo cáo (khi đó đơn vị đang ngừng theo dõi)" in out
    # The file of the quarter agrees with the chat (both roll-up paths).
    await h.play("1007 @ ld: /xuat excel quý IV")
    wb = openpyxl.load_workbook(io.BytesIO(last_file(h, ".xlsx").content))
    units = {r[1]: r for r in wb["Chuyên cần"].iter_rows(values_only=True) if r[1]}
    assert units["LĐLĐ tỉnh"][2:4] == (2, 1)
    # A span wholly after its stop does not list it.
    out = await h.play("1007 @ ld: /chuyencan từ 14/12/2026 đến 20/12/2026")
    assert "LĐLĐ tỉnh" not in out
    # Nor is it prompted or reminded any more.
    out = await h.play("@clock 2026-12-24 08:00")
    assert "⏰ Nhắc việc" in out and "LĐLĐ tỉnh" not in out.split("⏰ Nhắc việc", 1)[1]


async def test_a_unit_reopened_after_the_prompt_gets_it_in_private(tayninh: Harness) -> None:
    h = tayninh
    # Reporters without a reporting group get their prompts in private.
    await h.services.store.chats.unbind("sandbox", "g1", ChatPurpose.REPORTING)
    await h.play("@clock 2026-11-24 09:00")
    await h.play("1001 @ dm: /ngungdonvi ldld")
    out = await h.play("@clock 2026-11-30 08:00")  # week 49's prompts
    assert "bot -> dm:1002:" in out and "bot -> dm:1003:" not in out
    out = await h.play("1001 @ dm: /molaidonvi ldld")
    assert "Đơn vị phải báo cáo lại từ tuần 49/2026 (hạn 17h00 Thứ Sáu, 04/12/2026)." in out
    assert "Đã gửi lời mời báo cáo tuần 49/2026 cho người báo cáo của đơn vị này." in out
    prompt = out.split("bot -> dm:1003:", 1)[1]
    assert "Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 49/2026" in prompt
    assert "1. Số buổi tuyên truyền, vận động (bắt buộc):" in prompt
    # Stopped and reopened again the same week: not asked twice.
    await h.play("1001 @ dm: /ngungdonvi ldld")
    out = await h.play("1001 @ dm: /molaidonvi ldld")
    assert "Đã gửi lời mời" not in out and "bot -> dm:1003:" not in out
    # After the deadline the next week's prompt will reach it: nothing sent now.
    await h.play("@clock 2026-12-05 09:00")
    await h.play("1001 @ dm: /ngungdonvi ldld")
    out = await h.play("1001 @ dm: /molaidonvi ldld")
    assert "Đơn vị phải báo cáo lại từ tuần 50/2026" in out and "Đã gửi lời mời" not in out


async def test_a_unit_reopened_in_a_reporting_group_is_not_sent_the_prompt_again(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.play("@clock 2026-11-24 09:00")
    await h.play("1001 @ g1: /ngungdonvi ldld")
    await h.play("@clock 2026-11-30 08:00")  # week 49's prompt, in the group
    out = await h.play("1001 @ g1: /molaidonvi ldld")
    assert "Đơn vị phải báo cáo lại từ tuần 49/2026" in out
    assert "Đã gửi lời mời" not in out and "Đề nghị các đơn vị báo cáo" not in out


async def test_a_unit_that_had_the_prompt_or_reported_is_not_sent_it_again(
    tayninh: Harness,
) -> None:
    h = tayninh
    await h.services.store.chats.unbind("sandbox", "g1", ChatPurpose.REPORTING)
    out = await h.play("@clock 2026-11-23 08:00")  # week 48's prompts, in private
    assert "bot -> dm:1003:" in out and "bot -> dm:1002:" in out
    await h.play("@clock 2026-11-23 09:00")
    out = await h.play("1002 @ dm: 1. 5")
    assert "✅ Đã ghi nhận" in out
    await h.play("@clock 2026-11-24 09:00")
    # Stopped after the prompt reached it, then reopened: it has the prompt already.
    for code in ("ldld", "tinhdoan"):
        await h.play(f"1001 @ dm: /ngungdonvi {code}")
        out = await h.play(f"1001 @ dm: /molaidonvi {code}")
        assert "Đơn vị phải báo cáo lại từ tuần 48/2026" in out
        assert "Đã gửi lời mời" not in out and "Đề nghị các đơn vị báo cáo" not in out
