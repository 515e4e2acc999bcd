"""Telegram and Zalo in one process (``ChannelHub``): one database, one engine, one tick,
one outbox. The workspace is set up on Telegram; some reporters are on Telegram (in the
group), others on Zalo (privately), one person on both; the Friday digest in the Telegram
leadership group combines the reports from both channels."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import at
from tests.e2e.zalo_support import live_zalo
from tests.fakes.telegram_api import FakeBotApi, Sent

TG_OWNER, TG_BINH, TG_CUONG = 1001, 1002, 1003
GROUP, LEADERS = -100100, -100200
Z_BINH, Z_EM = "u2002", "u2005"


async def tg_say(api: FakeBotApi, user: int, chat: int | None, text: str) -> Sent:
    target = user if chat is None else chat
    before = len(api.texts(target))
    api.message(user, chat, text)
    sent = await api.wait_sent(target, before + 1, within=10.0)
    return sent[-1]


async def test_telegram_and_zalo_reports_feed_one_digest(tmp_path: Path) -> None:
    async with live_zalo(tmp_path, with_telegram=True) as live:
        tg = live.tg
        assert tg is not None
        tg.user(TG_OWNER, "Nguyễn Văn", "An")
        tg.user(TG_BINH, "Trần Thị", "Bình")
        tg.user(TG_CUONG, "Lê Văn", "Cường")
        tg.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
        tg.group(LEADERS, "Thường trực UBMTTQ tỉnh")
        live.api.user(Z_BINH, "Trần Thị Bình")
        live.api.user(Z_EM, "Hoàng Văn Em")

        # Set-up on Telegram.
        await tg_say(tg, TG_OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh")
        await tg_say(tg, TG_OWNER, GROUP, "/napmau tayninh")
        await tg_say(tg, TG_OWNER, LEADERS, "/nhomlanhdao")

        async def code_for(org: str) -> str:
            sent = await tg_say(tg, TG_OWNER, GROUP, f"/moi {org}")
            return sent.text.split("/thamgia ")[1].split()[0]

        tinhdoan, ldld, hnd = (
            await code_for("tinhdoan"),
            await code_for("ldld"),
            await code_for("hnd"),
        )
        # Telegram people join by the deep link; Zalo people type the code.
        assert "Tỉnh đoàn" in (await tg_say(tg, TG_BINH, None, f"/start {tinhdoan}")).text
        assert "LĐLĐ" in (await tg_say(tg, TG_CUONG, None, f"/start {ldld}")).text
        joined = await live.say(Z_BINH, f"/thamgia {tinhdoan}")  # the same person, on Zalo
        assert joined is not None and "Tỉnh đoàn" in joined.text
        joined = await live.say(Z_EM, f"/thamgia {hnd.lower()}")
        assert joined is not None and "Hội ND" in joined.text

        # Monday 08:00: one prompt in the Telegram group; Zalo reporters privately.
        await live.tick(at(23, 8))
        assert "Đề nghị các đơn vị báo cáo" in tg.last(GROUP).text
        for user in (Z_BINH, Z_EM):
            assert "Đề nghị" in live.api.last(user).text

        # LĐLĐ reports on Telegram (in the group), Hội ND and Tỉnh đoàn on Zalo.
        sent = await tg_say(
            tg,
            TG_CUONG,
            GROUP,
            "/baocao\n1. Số buổi tuyên truyền, vận động: 8\n2. Số lượt người được tuyên truyền: 640",
        )
        assert "✅ Đã ghi nhận" in sent.text
        reply = await live.say(
            Z_EM, "1. Số buổi tuyên truyền, vận động: 3\n2. Số lượt người được tuyên truyền: 150"
        )
        assert reply is not None and "✅ Đã ghi nhận" in reply.text
        reply = await live.say(
            Z_BINH,
            "1. Số buổi tuyên truyền, vận động: 12\n2. Số lượt người được tuyên truyền: 1.200",
        )
        assert reply is not None and "✅ Đã ghi nhận" in reply.text and "Tỉnh đoàn" in reply.text

        # Friday 17:00: one digest, in the Telegram leadership group, with all three.
        await live.tick(at(27, 17))
        digest = "\n".join(tg.texts(LEADERS)[1:])
        assert "📊 TỔNG HỢP KẾT QUẢ TUẦN 48/2026" in digest
        assert "3/6" in digest
        assert "23 buổi" in digest  # 8 (Telegram) + 3 + 12 (Zalo)
        assert not any("TỔNG HỢP" in s.text for s in live.api.sent)  # not on Zalo

        # Zalo's month count is what Zalo accepted, and Telegram messages are not in it.
        assert live.hub.usage is not None
        zalo_sent = len(live.api.sent)
        status = await tg_say(tg, TG_OWNER, None, "/hanmuc")
        assert f"Zalo: đã gửi {zalo_sent}/3.000 tin" in status.text
