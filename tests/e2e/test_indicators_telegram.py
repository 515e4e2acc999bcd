"""Indicators and targets over Telegram (HTTP, long polling): the admin sends a template with
a coverage indicator, sets target populations and targets by chat, units report in the
group, and the Friday digest in the leadership group shows value, target, progress and the
units behind target; the leader asks /chiso in private."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import OWNER, Live, at

GROUP, LEADERS = -100300, -100400
BINH, CUONG, EM, GIANG = 1002, 1003, 1005, 1007
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-chi-so-vi-du.yaml"


async def test_coverage_progress_reaches_the_leaders(polling: Live) -> None:
    live = polling
    live.api.user(OWNER, "Nguyễn Văn", "An")
    live.api.user(BINH, "Trần Thị", "Bình")
    live.api.user(CUONG, "Lê Văn", "Cường")
    live.api.user(EM, "Hoàng Văn", "Em")
    live.api.user(GIANG, "Đặng Thị", "Giang")
    live.api.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
    live.api.group(LEADERS, "Thường trực UBMTTQ tỉnh")

    assert await live.say(OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh") is not None
    assert await live.say(OWNER, GROUP, "/napmau tayninh") is not None
    assert await live.say(OWNER, LEADERS, "/nhomlanhdao") is not None
    for user, org, role in (
        (BINH, "tinhdoan", "baocao"),
        (CUONG, "ldld", "baocao"),
        (EM, "hnd", "baocao"),
        (GIANG, "-", "lanhdao"),
    ):
        sent = await live.say(OWNER, GROUP, f"/gan {org} {role} {user}")
        assert sent is not None and "Đã gắn" in sent.text, sent

    yaml = EXAMPLE.read_text(encoding="utf-8")
    sent = await live.say(OWNER, None, f"/thaymau\n{yaml}")
    assert sent is not None and "Đã thay mẫu báo cáo" in sent.text, sent
    sent = await live.say(
        OWNER, None, "/datsolieu dan_so_muc_tieu tinhdoan 1.000\nldld 2.000\nhnd 4.000"
    )
    assert sent is not None and "Đã ghi nhận số liệu tham chiếu" in sent.text
    sent = await live.say(OWNER, None, "/datchitieu ty_le_mui_3 hnd 50 năm 2026")
    assert sent is not None and "Hội ND tỉnh – năm 2026: 50%" in sent.text

    await live.tick(at(23, 8))
    for user, form in ((BINH, "1. 200\n2. 150"), (CUONG, "1. 0\n2. 0"), (EM, "1. 3000\n2. 2500")):
        sent = await live.say(user, GROUP, form)
        assert sent is not None and "✅ Đã ghi nhận" in sent.text, sent

    await live.tick(at(27, 17))
    digest = "\n".join(live.api.texts(LEADERS)[1:])
    assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in digest
    assert (
        "Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt): 37,9%; chỉ tiêu 90%, đạt 42,1% chỉ tiêu"
        in digest
    )
    assert "Chưa đạt chỉ tiêu (2 đơn vị): LĐLĐ tỉnh 0%, Tỉnh đoàn 15%." in digest
    assert "LĐLĐ tỉnh (không tính được: chia cho 0)" in digest

    sent = await live.say(GIANG, None, "/chiso")
    assert sent is not None
    assert "Chỉ tiêu: theo mẫu 90%; Hội ND tỉnh 50% (năm 2026)." in sent.text
    # The usage line's angle brackets are escaped for Telegram's HTML (shown as typed).
    assert "/datchitieu &lt;mã chỉ số&gt; [mã đơn vị] &lt;chỉ tiêu&gt;" in sent.text
