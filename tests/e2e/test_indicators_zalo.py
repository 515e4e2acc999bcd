"""Indicators and targets over Zalo (HTTP, private chats): the same coverage indicator as on
Telegram; the digest, split into Zalo's message size, carries value, target and progress."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import at
from tests.e2e.test_zalo_cycle import BINH, CUONG, EM, GIANG, set_up
from tests.e2e.zalo_support import OWNER, live_zalo

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-chi-so-vi-du.yaml"


async def test_coverage_progress_on_zalo(tmp_path: Path) -> None:
    async with live_zalo(tmp_path) as live:
        await set_up(live)
        # Without the comments the document fits one Zalo message.
        lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
        yaml = "\n".join(ln.split(" #")[0].rstrip() for ln in lines if not ln.startswith("#"))
        sent = await live.say(OWNER, f"/thaymau\n{yaml}")
        assert sent is not None and "Đã thay mẫu báo cáo" in sent.text, sent
        sent = await live.say(
            OWNER, "/datsolieu dan_so_muc_tieu tinhdoan 1.000\nldld 2.000\nhnd 4.000"
        )
        assert sent is not None and "Đã ghi nhận số liệu tham chiếu" in sent.text
        sent = await live.say(OWNER, "/datchitieu ty_le_mui_3 60")
        assert sent is not None and "Tỷ lệ tiêm vắc xin mũi 3 – chung – mọi kỳ: 60%" in sent.text

        await live.tick(at(23, 8))
        for user, form in (
            (BINH, "1. 200\n2. 150"),
            (CUONG, "1. 0\n2. 0"),
            (EM, "1. 3000\n2. 2500"),
        ):
            sent = await live.say(user, form)
            assert sent is not None and "✅ Đã ghi nhận" in sent.text, sent

        await live.tick(at(27, 17))
        digest = "\n".join(t for t in live.api.texts(OWNER) if "TỔNG HỢP" in t or "chỉ tiêu" in t)
        assert "Tỷ lệ tiêm vắc xin mũi 3 (lũy kế từ đầu đợt): 37,9%; chỉ tiêu 60%" in digest
        assert "Chưa đạt chỉ tiêu (2 đơn vị): LĐLĐ tỉnh 0%, Tỉnh đoàn 15%." in digest

        sent = await live.say(GIANG, "/chiso")
        assert sent is not None
        text = "\n".join(live.api.texts(GIANG)[-2:])
        assert "Chỉ tiêu: theo mẫu 90%; chung 60% (mọi kỳ)." in text
