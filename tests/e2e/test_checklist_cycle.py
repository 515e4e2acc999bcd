"""Self-assessment checklists end to end (issue 9, part 4): the sample checklist uploaded by
chat, villages answering briefly on Telegram (in the group) and on Zalo (privately), each told
its class; the monthly digest shows the classes and, a month later, the changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.e2e.conftest import OWNER, TZ, Live
from tests.e2e.zalo_support import OWNER as ZALO_OWNER
from tests.e2e.zalo_support import live_zalo

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-tu-danh-gia-an-toan-covid.yaml"
GROUP, LEADERS = -100300, -100400
HUU, DONG, GIANG = 2001, 2002, 1007


def when(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


async def _join(live: Live, user: int, org: str, role: str = "") -> None:
    sent = await live.say(OWNER, GROUP, f"/moi {org} {role}".strip())
    assert sent is not None and "?start=" in sent.text
    code = sent.text.split("?start=")[1].split()[0]
    assert await live.say(user, None, f"/start {code}") is not None


async def test_villages_on_telegram_and_the_monthly_digest(polling: Live) -> None:
    live = polling
    for uid, first, last in (
        (OWNER, "Nguyễn Văn", "An"),
        (HUU, "Trần Văn", "Hữu"),
        (DONG, "Lê Thị", "Đông"),
        (GIANG, "Đặng Thị", "Giang"),
    ):
        live.api.user(uid, first, last)
    live.api.group(GROUP, "Ban chỉ đạo Phong trào xã Ninh Thọ")
    live.api.group(LEADERS, "Thường trực Ban chỉ đạo xã Ninh Thọ")

    assert await live.say(OWNER, GROUP, "/khoitao Ban chỉ đạo Phong trào xã Ninh Thọ")
    added = await live.say(
        OWNER,
        GROUP,
        "/themdonvi phuhuu | Thôn Phú Hữu | Thôn Phú Hữu\ndongtho | Thôn Đông Thọ | Thôn Đông Thọ",
    )
    assert added is not None and "Đã thêm 2 đơn vị" in added.text
    assert await live.say(OWNER, LEADERS, "/nhomlanhdao") is not None
    await _join(live, HUU, "phuhuu")
    await _join(live, DONG, "dongtho")
    await _join(live, GIANG, "-", "lanhdao")

    sent = await live.say(OWNER, None, "/thaymau\n" + SAMPLE.read_text(encoding="utf-8"))
    assert sent is not None
    assert "✅ Đã thay mẫu báo cáo “Tự đánh giá Bộ tiêu chí An toàn về COVID-19 (thôn)”" in (
        "\n".join(live.api.texts(OWNER))
    )

    # November's prompt in the group tells how to answer briefly.
    await live.tick(when(11, 23, 8))
    prompt = next(t for t in live.api.texts(GROUP) if "Đề nghị các đơn vị báo cáo" in t)
    assert "tháng 11/2026" in prompt and "“không đạt: 3, 5”" in prompt
    assert "Tiêu chí bắt buộc phải đạt: 1, 2, 4." in prompt

    sent = await live.say(HUU, GROUP, "Đạt tất cả")
    assert sent is not None and "Kết quả tự đánh giá: 🟢 Xanh – An toàn" in sent.text
    sent = await live.say(DONG, GROUP, "không đạt: 5, 7")
    assert sent is not None and "🟡 Vàng – Cần củng cố; đạt 7/9 tiêu chí (77,8%)" in sent.text

    await live.tick(when(11, 25, 17, 30))
    digest = live.api.last(LEADERS).text
    assert "📊 TỔNG HỢP KẾT QUẢ THÁNG 11/2026" in digest
    assert " - Số đơn vị theo mức: 🟡 Vàng 1, 🟢 Xanh 1." in digest
    assert "   • Thôn Đông Thọ (đạt 7/9 tiêu chí, 77,8%; chưa đạt: 5, 7)" in digest

    # December: Đông Thọ meets everything, Phú Hữu misses a critical criterion.
    await live.tick(when(12, 1, 8))
    sent = await live.say(DONG, GROUP, "1-9 có")
    assert sent is not None and "🟢 Xanh" in sent.text
    sent = await live.say(HUU, GROUP, "1c 2c 3c 4k 5c 6c 7c 8c 9c")
    assert sent is not None and "🔴 Đỏ" in sent.text and "(tiêu chí bắt buộc)" in sent.text

    await live.tick(when(12, 25, 17, 30))
    digest = live.api.last(LEADERS).text
    assert "📊 TỔNG HỢP KẾT QUẢ THÁNG 12/2026" in digest
    assert " - Thay đổi so với tháng trước:" in digest
    assert "   • Thôn Phú Hữu: 🟢 Xanh → 🔴 Đỏ (xấu đi)" in digest
    assert "   • Thôn Đông Thọ: 🟡 Vàng → 🟢 Xanh (tốt lên)" in digest


async def test_a_village_on_zalo_answers_briefly(tmp_path: Path) -> None:
    async with live_zalo(tmp_path) as live:
        live.api.user(ZALO_OWNER, "Nguyễn Văn An")
        live.api.user("u2003", "Phạm Văn Tây")
        assert await live.say(ZALO_OWNER, "/khoitao Ban chỉ đạo Phong trào xã Ninh Thọ")
        assert await live.say(ZALO_OWNER, "/themdonvi taytho | Thôn Tây Thọ | Thôn Tây Thọ")
        invite = await live.say(ZALO_OWNER, "/moi taytho")
        assert invite is not None
        code = invite.text.split("/thamgia ")[1].split()[0]
        assert await live.say("u2003", f"/thamgia {code}") is not None
        sent = await live.say(ZALO_OWNER, "/thaymau\n" + SAMPLE.read_text(encoding="utf-8"))
        assert sent is not None

        await live.tick(when(11, 23, 8))
        prompt = next(t for t in live.api.texts("u2003") if "Đề nghị các đơn vị báo cáo" in t)
        assert "Đề nghị" in prompt and "“đạt tất cả”" in prompt

        # Two criteria left blank: shown with the class and confirmed by typing "1".
        sent = await live.say("u2003", "1-7 có")
        assert sent is not None and "Chưa trả lời tiêu chí 8, 9 (tính là chưa đạt)." in sent.text
        assert "🟡 Vàng" in sent.text and "1. Xác nhận" in sent.text
        sent = await live.say("u2003", "8 có, 9 không")
        assert sent is not None and "🟢 Xanh – An toàn; đạt 8/9 tiêu chí (88,9%)" in sent.text
        sent = await live.say("u2003", "1")
        assert (
            sent is not None
            and "✅ Đã ghi nhận báo cáo tháng 11/2026 của Thôn Tây Thọ" in sent.text
        )
        assert "🟢 Xanh" in sent.text
