"""A whole week as a chat transcript: prompt, replies in several forms, a correction,
status, reminders, warning and the digest; then the stored state is checked."""

from __future__ import annotations

from decimal import Decimal

from bot.core.models import CycleStep
from bot.core.periods import Period
from tests.conftest import Harness


async def test_week_from_prompt_to_digest(tayninh: Harness) -> None:
    h = tayninh
    out = await h.play("@clock 2026-11-23 08:00")
    assert out.count("bot -> g1:") == 1, out
    assert "Đề nghị các đơn vị báo cáo kết quả thực hiện Tuần 48/2026 (23/11 – 29/11/2026)" in out
    assert "trước 17h00 Thứ Sáu, 27/11/2026" in out
    assert "1. Số buổi tuyên truyền, vận động" in out
    # Reporters are in the group on this channel: no private copies.
    assert "dm:" not in out

    # Form reply in the group, replying to the bot: saved at once (nothing guessed).
    out = await h.play(
        """
        @clock 2026-11-23 10:15
        1001 @ g1 [reply]: 1. Số buổi tuyên truyền, vận động: 6
          2. Số lượt người được tuyên truyền: 850
          3. Tiền vận động, ủng hộ: 1 tỷ 250 triệu
          12. Mô hình hay: “Phiên chợ 0 đồng” tại phường Tân Ninh
        """
    )
    assert "✅ Đã ghi nhận báo cáo Tuần 48/2026" in out and "UBMTTQ tỉnh" in out

    # Free text in private: echoed with ❓ marks, saved after confirmation by typing 1.
    out = await h.play(
        """
        @clock 2026-11-24 16:40
        1002 @ dm: Tuần này Tỉnh đoàn tổ chức 12 buổi tuyên truyền, vận động được 45,5 triệu đồng và 1.200 suất quà
        """
    )
    assert "❓" in out and "45.500.000 đồng" in out and "[1] Xác nhận" in out
    out = await h.play("1002 @ dm: 1")
    assert "✅ Đã ghi nhận báo cáo Tuần 48/2026 (23/11 – 29/11/2026) của Tỉnh đoàn" in out

    # Thursday 08:00 reminder names only those who have not reported.
    out = await h.play("@clock 2026-11-26 08:00")
    assert "⏰ Nhắc việc" in out
    reminder = out.split("⏰ Nhắc việc", 1)[1]
    assert "LĐLĐ tỉnh" in reminder and "Hội ND tỉnh" in reminder
    assert "Tỉnh đoàn" not in reminder.split("\n")[0] and "UBMTTQ" not in reminder.split("\n")[0]

    # A report, then a correction of one line: version 2 is current, version 1 is kept.
    await h.play(
        """
        @clock 2026-11-27 10:00
        1005 @ dm: 1. Số buổi tuyên truyền: 3
          9. Nông sản hỗ trợ tiêu thụ: 42,5 tấn
        """
    )
    out = await h.play(
        """
        @clock 2026-11-27 10:20
        1005 @ dm: /baocao
          9. 45,5 tấn
        """
    )
    # A change to a stored report is shown whole and confirmed before it is saved.
    assert "9. Nông sản hỗ trợ tiêu thụ: 45,5 tấn" in out and "[1] Xác nhận" in out
    out = await h.play("1005 @ dm: 1")
    assert "báo cáo cập nhật (lần 2)" in out

    out = await h.play("1007 @ ld: /tinhhinh")
    assert "3/6" in out or "Đã báo cáo 3/6" in out, out
    assert "❌ LĐLĐ tỉnh" in out

    out = await h.play("@clock 2026-11-27 15:00")
    assert "Còn 2 giờ" in out and "LĐLĐ tỉnh" in out

    out = await h.play("@clock 2026-11-27 17:00")
    assert "bot -> ld:" in out
    digest = out.split("bot -> ld:", 1)[1]
    assert "TỔNG HỢP KẾT QUẢ TUẦN 48/2026 (23/11 – 29/11/2026)" in digest
    assert "3/6 đơn vị" in digest
    assert "21 buổi" in digest  # 6 + 12 + 3
    assert "45,5 tấn" in digest
    assert "1,3 tỷ đồng" in digest  # 1.250.000.000 + 45.500.000
    assert "Phiên chợ 0 đồng" in digest

    # Late reply after the deadline: accepted and marked late.
    out = await h.play(
        """
        @clock 2026-11-28 09:00
        1003 @ dm: 1. 4
          2. 600
        """
    )
    assert "gửi muộn" in out

    # Stored state: exactly one record of each step, versions kept.
    store = h.store
    campaign = (await store.campaigns.list_active())[0]
    week = Period.from_key("2026-W48")
    steps = [(r.step, r.slot) for r in await store.cycle.done(campaign.id, week)]
    assert sorted(steps) == sorted(
        [(CycleStep.OPEN, 0), (CycleStep.REMINDER, 0), (CycleStep.REMINDER, 1),
         (CycleStep.WARNING, 0), (CycleStep.CLOSE, 0)]
    )  # fmt: skip
    hnd = await h.org("hnd")
    history = await store.submissions.history(campaign.id, week, hnd.id)
    assert [v.version for v in history] == [1, 2]
    assert history[0].values["nong_san"] == Decimal("42.5")
    assert history[1].values["nong_san"] == Decimal("45.5")
    assert history[1].values["so_buoi_tuyen_truyen"] == 3  # the correction kept the rest
    ldld = await h.org("ldld")
    late = await store.submissions.current_for_org(campaign.id, week, ldld.id)
    assert late is not None and late.late

    # Ticking again changes nothing: no message is sent twice.
    out = await h.play("@tick\n@clock 2026-11-28 09:05")
    assert "bot ->" not in out


async def test_every_outbox_message_is_delivered_once(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00\n@clock 2026-11-27 17:00\n@tick")
    pending = await h.store.outbox.pending()
    assert pending == []
