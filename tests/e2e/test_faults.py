"""Injected faults over HTTP: 429 with retry_after, 5xx, timeouts, 403 blocked by the
user. Nothing is lost, nothing is sent twice, the blocked person is shown to the admins."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import OWNER, Live, at
from tests.e2e.test_weekly_cycle import BINH, CUONG, EM, invite, join, people
from tests.fakes.telegram_api import Fault

# python-telegram-bot itself reads RetryAfter.retry_after in its deprecated int form.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def _private_workspace(live: Live) -> None:
    people(live)
    await live.say(OWNER, None, "/khoitao Khối MTTQ-CTXH xã Tân Ninh")
    await live.say(OWNER, None, "/napmau tayninh")
    for user, org in ((BINH, "tinhdoan"), (CUONG, "ldld"), (EM, "hnd")):
        await join(live, user, await invite(live, None, org))


def prompts(live: Live, user: int) -> list[str]:
    return [t for t in live.api.texts(user) if "Đề nghị các đơn vị" in t]


async def test_fan_out_survives_429_5xx_timeouts_and_a_blocked_user(polling: Live) -> None:
    live = polling
    await _private_workspace(live)
    live.api.blocked.add(EM)
    live.api.fail(
        "sendMessage",
        Fault("429", retry_after=1),  # retried by the rate limiter after 1 s
        Fault("502"),  # transient: the row stays pending for the next drain
        Fault("timeout", delay=1.5),  # the bot gives up after 1 s; nothing was sent
    )
    await live.tick(at(23, 8))  # 429 then 502: stops this drain
    await live.tick(at(23, 8, 1))  # timeout: stops again
    await live.tick(at(23, 8, 2))  # delivered; EM's 403 recorded as permanent
    await live.tick(at(23, 8, 3))  # nothing left: the blocked chat is not retried
    assert len(prompts(live, BINH)) == 1
    assert len(prompts(live, CUONG)) == 1
    assert prompts(live, EM) == []
    attempts_to_em = [
        p
        for m, p in live.api.calls
        if m == "sendMessage" and int(p["chat_id"]) == EM and "Đề nghị" in str(p["text"])
    ]
    assert len(attempts_to_em) == 1

    members = await live.say(OWNER, None, "/thanhvien")
    assert members is not None
    line = next(row for row in members.text.split("\n") if "Hoàng Văn Em" in row)
    assert "⚠️ không nhận được tin nhắn của bot" in line
    assert "⚠️" not in next(row for row in members.text.split("\n") if "Trần Thị Bình" in row)


async def test_replies_survive_429_and_a_5xx(polling: Live) -> None:
    live = polling
    await _private_workspace(live)
    live.clock.set(at(24, 9))
    live.api.fail("sendMessage", Fault("429", retry_after=1), Fault("500"))
    sent = await live.say(BINH, None, "1. Số buổi tuyên truyền, vận động: 4")
    assert sent is not None and "✅ Đã ghi nhận" in sent.text
    assert sum("✅ Đã ghi nhận báo cáo" in t for t in live.api.texts(BINH)) == 1


async def test_webhook_refuses_a_wrong_secret_and_ignores_redelivery(webhook: Live) -> None:
    live = webhook
    people(live)
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(
            live.api.webhook_url,
            json={"update_id": 999, "message": {}},
            headers={"X-Telegram-Bot-Api-Secret-Token": "sai"},
        )
    assert response.status_code == 403
    first = await live.say(OWNER, None, "/toi")
    assert first is not None
    # Telegram delivers the same message again (a retried webhook): answered once.
    message = live.api.messages[(OWNER, first.message_id - 1)]
    before = len(live.api.texts(OWNER))
    live.api.redeliver({"message": message})
    await live.say(OWNER, None, "/trogiup")
    assert len(live.api.texts(OWNER)) == before + 1
