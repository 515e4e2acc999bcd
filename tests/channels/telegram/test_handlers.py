"""Offline tests in python-telegram-bot's own style: real ``Update`` objects through
``Application.process_update``, with a recording fake at the request boundary (no network).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Update
from telegram.ext import Application

from bot.app import Services, build_services, seeded_codes
from bot.channels.telegram.handlers import GROUP_MENU, PRIVATE_MENU, TelegramChannel
from bot.core import messages as msg
from bot.core.clock import ManualClock
from bot.core.events import InboundEvent, OutboundMessage
from tests.fakes.telegram_api import BOT_USERNAME, TOKEN, FakeBotApi, FakeRequest

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OWNER, BINH, LA = 1001, 1002, 1099
GROUP = -1001234


@dataclass
class Bot:
    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    channel: TelegramChannel
    services: Services
    clock: ManualClock

    async def process_pending(self) -> None:
        """Feeds every update the fake holds that was not processed yet."""
        while self.api.pending_updates:
            update = self.api.next_for_webhook()
            assert update is not None
            self.api.confirm(int(update["update_id"]))
            await self.app.process_update(Update.de_json(update, self.app.bot))

    async def say(self, user: int, chat: int | None, text: str = "", **kw: Any) -> int:
        message_id = self.api.message(user, chat, text, **kw)
        await self.process_pending()
        return message_id

    async def press(self, user: int, chat: int, message_id: int, data: str) -> None:
        self.api.press(user, chat, message_id, data)
        await self.process_pending()


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    api = FakeBotApi()
    api.user(OWNER, "Nguyễn Văn", "An")
    api.user(BINH, "Trần Thị", "Bình")
    api.user(LA, "Người", "Lạ <b>")
    api.group(GROUP, "Nhóm MTT-CTXH tỉnh Tây Ninh")
    clock = ManualClock(datetime(2026, 11, 23, 7, 30, tzinfo=TZ))
    links: dict[str, str] = {}
    async with build_services(
        tmp_path / "bot.db",
        clock=clock,
        owners={("telegram", str(OWNER))},
        new_code=seeded_codes(3),
        invite_links=links,
    ) as services:
        app = (
            Application.builder()
            .token(TOKEN)
            .request(FakeRequest(api))
            .get_updates_request(FakeRequest(api))
            .build()
        )
        channel = TelegramChannel(
            clock, owner_chat_ids=[str(OWNER)], photos_dir=tmp_path / "photos"
        )
        channel.register(app)
        async with app:
            await channel.start(app)
            links["telegram"] = f"https://t.me/{BOT_USERNAME}?start={{code}}"
            channel.handle = services.engine.handle
            yield Bot(api, app, channel, services, clock)


async def _setup_group(bot: Bot) -> None:
    await bot.say(OWNER, GROUP, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh")
    await bot.say(OWNER, GROUP, "/napmau tayninh")


async def test_command_menus_are_vietnamese_and_split_by_chat_kind(bot: Bot) -> None:
    private = bot.api.commands["all_private_chats"]
    groups = bot.api.commands["all_group_chats"]
    assert [c["command"] for c in private] == list(PRIVATE_MENU)
    assert [c["command"] for c in groups] == list(GROUP_MENU)
    baocao = next(c for c in private if c["command"] == "baocao")
    assert baocao["description"].startswith("Gửi báo cáo kỳ này")


async def test_commands_with_our_name_are_answered_others_are_not(bot: Bot) -> None:
    await bot.say(OWNER, GROUP, f"/trogiup@{BOT_USERNAME}")
    assert len(bot.api.texts(GROUP)) == 1
    await bot.say(OWNER, GROUP, "/trogiup@SomeOtherBot")
    assert len(bot.api.texts(GROUP)) == 1


async def test_setup_invite_deep_link_and_one_tap_join(bot: Bot) -> None:
    await _setup_group(bot)
    await bot.say(OWNER, GROUP, "/moi tinhdoan")
    invite = bot.api.texts(GROUP)[-1]
    assert f"https://t.me/{BOT_USERNAME}?start=" in invite
    code = invite.split("?start=")[1].split()[0]
    # Tapping the link opens the private chat and sends "/start CODE".
    await bot.say(BINH, None, f"/start {code}")
    assert "Tỉnh đoàn" in bot.api.texts(BINH)[-1]
    member = await bot.services.store.members.get(1, "telegram", str(BINH))
    assert member is not None and member.display_name == "Trần Thị Bình"


async def test_group_chatter_is_ignored_mentions_and_replies_are_answered(bot: Bot) -> None:
    await _setup_group(bot)
    before = len(bot.api.texts(GROUP))
    await bot.say(OWNER, GROUP, "Chào cả nhà, chiều nay họp lúc 14h nhé")
    assert len(bot.api.texts(GROUP)) == before
    await bot.say(OWNER, GROUP, f"@{BOT_USERNAME} cho hỏi lịch báo cáo")
    assert len(bot.api.texts(GROUP)) == before + 1
    bot_message = bot.api.last(GROUP).message_id
    await bot.say(OWNER, GROUP, "cảm ơn", reply_to=bot_message)
    assert len(bot.api.texts(GROUP)) == before + 2


async def test_unbound_person_in_private_is_told_how_to_join(bot: Bot) -> None:
    await bot.say(LA, None, "xin chào")
    assert bot.api.texts(LA) == [msg.UNKNOWN_USER.replace("<", "&lt;").replace(">", "&gt;")]


async def test_user_text_is_escaped(bot: Bot) -> None:
    await bot.say(LA, None, "/toi")
    await _setup_group(bot)
    await bot.say(OWNER, GROUP, f"/gan tinhdoan baocao {LA}")
    await bot.say(LA, None, "/toi")  # learns the display name
    await bot.say(OWNER, GROUP, "/thanhvien")
    members = bot.api.texts(GROUP)[-1]
    assert "Người Lạ &lt;b&gt;" in members and "<b>" not in members


async def _bind_binh(bot: Bot) -> None:
    await _setup_group(bot)
    await bot.say(OWNER, GROUP, f"/gan tinhdoan baocao {BINH}")


async def test_confirmation_is_edited_in_place_and_double_tap_is_stale(bot: Bot) -> None:
    await _bind_binh(bot)
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    await bot.say(BINH, None, "Tuần này Tỉnh đoàn tổ chức 12 buổi tuyên truyền, vận động")
    echo = bot.api.last(BINH)
    assert [data for _, data in echo.buttons] == ["ok", "edit", "cancel"]
    await bot.press(BINH, BINH, echo.message_id, "ok")
    edit = bot.api.last(BINH)
    assert edit.method == "editMessageText" and edit.message_id == echo.message_id
    assert "✅ Đã ghi nhận" in edit.text and edit.buttons == []
    assert bot.api.answers[-1].get("text") is None
    sends = [s for s in bot.api.sent if s.chat_id == BINH and s.method == "sendMessage"]
    # A second tap on the same (now answered) message: a quiet notice, nothing changed.
    await bot.press(BINH, BINH, echo.message_id, "ok")
    assert bot.api.answers[-1]["text"] == msg.BUTTON_STALE
    assert "✅ Đã ghi nhận" in bot.api.current_text(BINH, echo.message_id)
    assert [s for s in bot.api.sent if s.chat_id == BINH and s.method == "sendMessage"] == sends


async def test_foreign_press_in_a_group_is_refused_politely(bot: Bot) -> None:
    await _bind_binh(bot)
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    await bot.say(BINH, GROUP, "/baocao Tỉnh đoàn tổ chức 12 buổi tuyên truyền, vận động")
    echo = bot.api.last(GROUP)
    assert echo.buttons
    edits = len([s for s in bot.api.sent if s.method == "editMessageText"])
    await bot.press(OWNER, GROUP, echo.message_id, "ok")
    assert bot.api.answers[-1]["text"] == msg.BUTTON_NOT_YOURS
    assert len([s for s in bot.api.sent if s.method == "editMessageText"]) == edits
    await bot.press(BINH, GROUP, echo.message_id, "ok")
    assert "✅ Đã ghi nhận" in bot.api.current_text(GROUP, echo.message_id)


async def test_photo_is_kept_with_the_report_and_copied_when_asked(bot: Bot) -> None:
    await _bind_binh(bot)
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    await bot.say(BINH, None, "1. Số buổi tuyên truyền, vận động: 5\n2. Số lượt người: 300")
    assert "✅ Đã ghi nhận" in bot.api.texts(BINH)[-1]
    await bot.say(BINH, None, photo=b"JPEGDATA")
    assert "ảnh" in bot.api.texts(BINH)[-1]
    campaign = (await bot.services.store.campaigns.list_active())[0]
    org = await bot.services.store.orgs.by_code(campaign.workspace_id, "tinhdoan")
    assert org is not None
    from bot.services.periods import reporting_period

    period = reporting_period(campaign, bot.clock.now())
    current = await bot.services.store.submissions.current_for_org(campaign.id, period, org.id)
    assert current is not None and len(current.photos) == 1
    assert current.photos[0].startswith("F")  # the Telegram file id
    copies = list((bot.channel._photos_dir or Path()).glob("*.jpg"))
    assert [c.read_bytes() for c in copies] == [b"JPEGDATA"]


async def test_template_document_from_an_admin(bot: Bot) -> None:
    await _setup_group(bot)
    await bot.say(OWNER, GROUP, "/mau tep")
    doc = bot.api.last(GROUP)
    assert doc.method == "sendDocument" and doc.document and doc.document.endswith(".yaml")
    yaml_text = (
        "key: tuan_thu\nname: Báo cáo tuần thử\nperiod: week\nsections:\n"
        "- key: kq\n  title: Kết quả\n  fields:\n"
        "  - key: so_buoi\n    label: Số buổi\n    type: count\n    unit: buổi\n"
    )
    await bot.say(OWNER, None, "/thaymau", document=("mau.yaml", yaml_text.encode("utf-8")))
    assert "mẫu" in bot.api.texts(OWNER)[-1].lower()


async def test_a_failing_update_is_reported_and_the_bot_goes_on(bot: Bot) -> None:
    async def broken(event: InboundEvent) -> list[OutboundMessage]:
        raise RuntimeError("boom")

    real = bot.channel.handle
    bot.channel.handle = broken
    await bot.say(BINH, None, "xin chào")
    assert bot.api.texts(BINH) == [msg.GENERIC_ERROR]
    notice = bot.api.texts(OWNER)[-1]
    assert "RuntimeError" in notice and "⚠️" in notice
    bot.channel.handle = real
    await bot.say(BINH, None, "/trogiup")
    assert len(bot.api.texts(BINH)) == 2


async def test_template_file_sent_after_the_command_without_caption(bot: Bot) -> None:
    await _setup_group(bot)
    await bot.say(OWNER, None, "/thaymau")
    assert "gửi tệp trong tin nhắn tiếp theo" in bot.api.texts(OWNER)[-1]
    yaml_text = (
        "key: tuan_thu\nname: Báo cáo tuần thử\nsections:\n"
        "- key: kq\n  title: Kết quả\n  fields:\n"
        "  - key: so_buoi\n    label: Số buổi\n    type: count\n    unit: buổi\n"
    )
    await bot.say(OWNER, None, "", document=("mau.yaml", yaml_text.encode("utf-8")))
    assert "Đã thay mẫu báo cáo “Báo cáo tuần thử”" in bot.api.texts(OWNER)[-1]
