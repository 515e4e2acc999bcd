"""Personal data and flood control over the fake platforms (issue 8): on Telegram the files
of /dulieucuatoi and /xuatdulieu arrive as documents in the private chat, /xoakhonggian
deletes after the typed name with a backup first, and a burst from one person gets one
notice then silence until it calms; on Zalo, which cannot send files, the same commands
answer in words."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.e2e.conftest import OWNER, live_bot
from tests.e2e.zalo_support import OWNER as ZALO_OWNER
from tests.e2e.zalo_support import live_zalo

GROUP, BINH = -100100, 1002
NAME = "Nhóm MTT-CTXH tỉnh Tây Ninh"


async def test_data_commands_on_telegram(tmp_path: Path) -> None:
    async with live_bot(tmp_path, webhook=False) as live:
        live.api.user(OWNER, "Nguyễn Văn", "An")
        live.api.group(GROUP, NAME)
        assert await live.say(OWNER, GROUP, f"/khoitao {NAME}") is not None
        assert await live.say(OWNER, GROUP, "/napmau tayninh") is not None
        # Personal data never goes to the group.
        sent = await live.say(OWNER, GROUP, "/dulieucuatoi")
        assert sent is not None and "trò chuyện riêng" in sent.text and sent.document is None
        before = len(live.api.texts(OWNER))
        live.api.message(OWNER, None, "/dulieucuatoi")
        sent = (await live.api.wait_sent(OWNER, before + 2))[-1]  # the text, then the file
        assert sent.method == "sendDocument" and sent.content is not None
        mine = json.loads(sent.content)
        assert mine["người_dùng"]["mã_người_dùng"] == str(OWNER)
        assert "Dữ liệu bot đang lưu về đồng chí" in "\n".join(live.api.texts(OWNER))
        sent = await live.say(OWNER, None, "/xuatdulieu")
        assert sent is not None and sent.method == "sendDocument" and sent.content is not None
        tables = json.loads(sent.content)["bảng"]
        assert tables["workspaces"][0]["name"] == NAME and len(tables["org_units"]) == 6
        # Deletion: the typed name, a backup first, the group no longer registered.
        sent = await live.say(OWNER, None, "/xoakhonggian")
        assert sent is not None and "gõ lại đúng tên không gian" in sent.text
        sent = await live.say(OWNER, None, NAME)
        assert sent is not None and f"Đã xóa không gian báo cáo “{NAME}”" in sent.text
        backups = list(live.settings.backup_dir.iterdir())
        assert len(backups) == 1 and backups[0].name in sent.text
        sent = await live.say(OWNER, GROUP, "/tinhhinh")
        assert sent is not None and "đăng ký" in sent.text


async def test_a_burst_on_telegram_gets_one_notice_then_silence(tmp_path: Path) -> None:
    async with live_bot(tmp_path, webhook=False, env={"BOT_FLOOD_BURST": 5}) as live:
        live.api.user(BINH, "Trần Thị", "Bình")
        for _ in range(5):
            sent = await live.say(BINH, None, "/trogiup")
            assert sent is not None and "/trogiup" in sent.text
        sent = await live.say(BINH, None, "/trogiup")
        assert sent is not None and "gửi nhiều tin nhắn liên tiếp" in sent.text
        assert await live.say(BINH, None, "/trogiup") is None  # silence
        live.clock.advance(timedelta(seconds=61))
        sent = await live.say(BINH, None, "/trogiup")
        assert sent is not None and "gửi nhiều tin nhắn" not in sent.text
        assert sum("gửi nhiều tin nhắn" in t for t in live.api.texts(BINH)) == 1


async def test_zalo_answers_in_words(tmp_path: Path) -> None:
    async with live_zalo(tmp_path) as live:
        live.api.user(ZALO_OWNER, "Nguyễn Văn An")
        assert await live.say(ZALO_OWNER, f"/khoitao {NAME}") is not None
        sent = await live.say(ZALO_OWNER, "/dulieucuatoi")
        assert sent is not None
        said = "\n".join(live.api.texts(ZALO_OWNER))
        assert "Dữ liệu bot đang lưu về đồng chí" in said and "Zalo chưa cho bot gửi tệp" in said
        sent = await live.say(ZALO_OWNER, "/xuatdulieu")
        assert sent is not None and "Zalo chưa cho bot gửi tệp" in sent.text
