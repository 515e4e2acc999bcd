"""A group's life on Telegram, over HTTP with long polling: upgraded to a supergroup (new
id), the bot added to a group nobody registered, the bot removed from a registered group;
and edited messages (an edited form is a correction, an edited command is not run again)."""

from __future__ import annotations

from bot.core import messages as msg
from tests.e2e.conftest import OWNER, Live, at
from tests.e2e.test_weekly_cycle import BINH, CUONG, invite, join, people

OLD, NEW, OTHER = -4001, -1004001, -100777


def html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


async def handled(live: Live) -> None:
    """Every update so far handled (the poller confirms a batch only once handled)."""
    await live.api.wait_until(lambda: live.api.pending_updates == 0)


async def _workspace(live: Live, group: int, kind: str = "supergroup") -> None:
    people(live)
    live.api.group(group, "Nhóm MTT-CTXH tỉnh Tây Ninh", kind)
    assert await live.say(OWNER, group, "/khoitao Nhóm MTT-CTXH tỉnh Tây Ninh") is not None
    assert await live.say(OWNER, group, "/napmau tayninh") is not None
    await join(live, BINH, await invite(live, group, "tinhdoan"))


async def test_a_group_upgraded_to_a_supergroup_keeps_its_prompts(polling: Live) -> None:
    live = polling
    await _workspace(live, OLD, kind="group")
    live.api.migrate(OLD, NEW, by=OWNER)
    await handled(live)
    old_count = len(live.api.texts(OLD))

    await live.tick(at(23, 8))
    prompt = live.api.last(NEW)
    assert "Đề nghị các đơn vị báo cáo" in prompt.text
    assert len(live.api.texts(OLD)) == old_count
    status = await live.say(BINH, NEW, "/tinhhinh")  # the new group is the registered one
    assert status is not None and msg.GROUP_NOT_REGISTERED not in status.text
    log = await live.say(OWNER, None, "/nhatky")
    assert log is not None and "nhóm chuyển thành siêu nhóm" in log.text


async def test_the_bot_added_to_an_unregistered_group_explains_once(polling: Live) -> None:
    live = polling
    await _workspace(live, OLD)
    live.api.group(OTHER, "Nhóm bạn bè")
    live.api.add_bot(OTHER, by=CUONG)
    await live.api.wait_sent(OTHER, 1)
    assert live.api.texts(OTHER) == [html(msg.BOT_ADDED_NOT_REGISTERED)]
    # Nothing else: ordinary conversation stays unanswered.
    assert await live.silent(CUONG, OTHER, "Chào bot, 1. Số buổi: 3, 2. Số lượt: 5")

    # Added back to the registered group: nothing said there.
    before = len(live.api.texts(OLD))
    live.api.add_bot(OLD, by=OWNER)
    await handled(live)
    assert len(live.api.texts(OLD)) == before


async def test_the_bot_removed_from_a_registered_group_is_shown_to_admins(polling: Live) -> None:
    live = polling
    await _workspace(live, OLD)
    live.api.remove_bot(OLD, by=CUONG)
    await handled(live)
    before = len(live.api.texts(OLD))

    await live.tick(at(23, 8))  # the admin's notice (outbox) and the week's prompt
    notice = [t for t in live.api.texts(OWNER) if "đã bị xóa khỏi nhóm" in t]
    assert len(notice) == 1 and "Lê Văn Cường" in notice[0], live.api.texts(OWNER)
    assert len(live.api.texts(OLD)) == before  # the prompt could not go: /loigui shows it
    failures = await live.say(OWNER, None, "/loigui")
    assert failures is not None and "Nhóm MTT-CTXH tỉnh Tây Ninh" in failures.text
    log = await live.say(OWNER, None, "/nhatky")
    assert log is not None and "xóa bot khỏi nhóm" in log.text

    await live.tick(at(23, 9))  # told once
    assert len([t for t in live.api.texts(OWNER) if "đã bị xóa khỏi nhóm" in t]) == 1


async def test_an_edited_form_is_a_correction_an_edited_command_is_not_rerun(
    polling: Live,
) -> None:
    live = polling
    await _workspace(live, OLD)
    await live.tick(at(23, 8))
    prompt = live.api.last(OLD)
    form = "1. Số buổi tuyên truyền, vận động: 12\n2. Số lượt người được tuyên truyền: 1.200"
    saved = await live.say(BINH, OLD, form, reply_to=prompt.message_id)
    assert saved is not None and "✅ Đã ghi nhận" in saved.text
    report_id = saved.reply_to
    assert report_id is not None

    # The reporter fixes a number by editing the message: a correction, echoed, confirmed.
    before = len(live.api.texts(OLD))
    live.api.edit(BINH, OLD, report_id, form.replace(": 12", ": 15"))
    [*_, echo] = await live.api.wait_sent(OLD, before + 1)
    assert "15" in echo.text and [d for _, d in echo.buttons] == ["ok", "edit", "cancel"]
    assert echo.reply_to == report_id
    await live.press(BINH, OLD, echo.message_id, "ok")
    assert "✅ Đã ghi nhận" in live.api.current_text(OLD, echo.message_id)
    shown = await live.say(BINH, None, "/xem")
    assert shown is not None and "15" in shown.text and "12 " not in shown.text

    # An edited command is not run again.
    first = await live.say(OWNER, OLD, "/tinhhinh")
    assert first is not None
    before = len(live.api.texts(OLD))
    live.api.edit(OWNER, OLD, first.reply_to or 0, "/moi ldld")
    [*_, answer] = await live.api.wait_sent(OLD, before + 1)
    assert answer.text == html(msg.EDITED_COMMAND)
