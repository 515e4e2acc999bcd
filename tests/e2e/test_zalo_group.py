"""Where getMe says the bot can join groups: a Zalo group registered by a mention, one group
prompt naming the reporters, reports by mention in the group (Zalo delivers only messages
that mention the bot there)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import at
from tests.e2e.zalo_support import OWNER, live_zalo

GROUP = "g500"
AT = "@BaoCaoTuan"


async def test_group_prompt_and_mention_replies(tmp_path: Path) -> None:
    async with live_zalo(tmp_path, can_join_groups=True) as live:
        live.api.user(OWNER, "Nguyễn Văn An")
        live.api.user("u1002", "Trần Thị Bình")
        live.api.group(GROUP, "Nhóm MTT-CTXH tỉnh")
        sent = await live.say(OWNER, f"{AT} /khoitao Nhóm MTT-CTXH tỉnh", GROUP)
        assert sent is not None and "Nhóm này đã được đăng ký làm nhóm báo cáo" in sent.text
        assert "từng người" not in sent.text
        assert await live.say(OWNER, f"{AT} /napmau tayninh", GROUP) is not None
        invite = await live.say(OWNER, f"{AT} /moi tinhdoan", GROUP)
        assert invite is not None
        code = invite.text.split("/thamgia ")[1].split()[0]
        assert await live.say("u1002", f"/thamgia {code}") is not None

        before = len(live.api.texts("u1002"))
        await live.tick(at(23, 8))
        prompt = live.api.last(GROUP)
        assert "Đề nghị các đơn vị báo cáo" in prompt.text
        assert "@Trần Thị Bình" in live.api.texts(GROUP)[-1]
        assert len(live.api.texts("u1002")) == before  # the group prompt, not a private one

        sent = await live.say(
            "u1002",
            f"{AT} 1. Số buổi tuyên truyền, vận động: 5\n2. Số lượt người được tuyên truyền: 80",
            GROUP,
        )
        assert sent is not None and "✅ Đã ghi nhận" in sent.text and "Tỉnh đoàn" in sent.text
