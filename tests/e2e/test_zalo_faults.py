"""Zalo faults over HTTP: polling survives 429, 5xx, ok:false on HTTP 200, garbled and slow
answers; replies lost to a passing 5xx are sent again once; scheduled messages refused with
429 or 5xx go out at a later tick and never twice; a permanent refusal is recorded for
/loigui; the admins are warned once when the monthly quota's share is reached."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import at
from tests.e2e.zalo_support import OWNER, ZLive, live_zalo
from tests.fakes.zalo_api import Fault

USERS = {"u1002": "tinhdoan", "u1003": "ldld", "u1005": "hnd"}


async def set_up(live: ZLive, users: dict[str, str] = USERS) -> None:
    live.api.user(OWNER, "Nguyễn Văn An")
    for user in users:
        live.api.user(user, f"Cán bộ {user}")
    assert await live.say(OWNER, "/khoitao Khối thử nghiệm") is not None
    assert await live.say(OWNER, "/napmau tayninh") is not None
    for user, org in users.items():
        invite = await live.say(OWNER, f"/moi {org}")
        assert invite is not None
        code = invite.text.split("/thamgia ")[1].split()[0]
        assert await live.say(user, f"/thamgia {code}") is not None


async def test_polling_survives_every_kind_of_bad_answer(tmp_path: Path) -> None:
    async with live_zalo(tmp_path) as live:
        live.api.user(OWNER, "Nguyễn Văn An")
        live.api.fail(
            "getUpdates",
            Fault("500"),
            Fault("badjson"),
            Fault("okfalse", code=500),
            Fault("okfalse", code=400),
            Fault("429", retry_after=0),
            Fault("502"),
            Fault("slow", delay=0.3),
        )
        sent = await live.say(OWNER, "/toi")
        assert sent is not None and "Người vận hành bot" in sent.text
        assert not live.api.faults["getUpdates"]  # every fault was met and survived
        # A reply lost to a passing server error is sent again, once.
        live.api.fail("sendMessage", Fault("502"))
        sent = await live.say(OWNER, "/toi")
        assert sent is not None and "Người vận hành bot" in sent.text
        assert sum("Người vận hành bot" in t for t in live.api.texts(OWNER)) == 2


async def test_scheduled_messages_are_retried_and_never_sent_twice(tmp_path: Path) -> None:
    async with live_zalo(tmp_path) as live:
        await set_up(live)
        live.api.user("u1009", "Người đã rời")  # joins, then Zalo refuses their chat
        invite = await live.say(OWNER, "/moi hlhpn")
        assert invite is not None
        code = invite.text.split("/thamgia ")[1].split()[0]
        assert await live.say("u1009", f"/thamgia {code}") is not None
        del live.api.users["u1009"]

        live.api.fail("sendMessage", Fault("429", retry_after=30), Fault("500"))
        await live.tick(at(23, 8))
        prompted = [u for u in USERS if any("Đề nghị" in t for t in live.api.texts(u))]
        assert len(prompted) < len(USERS)  # the 429 paused the channel
        await live.tick(at(23, 8, 1))  # after retry_after and the backoff
        await live.tick(at(23, 8, 2))
        for user in USERS:
            assert sum("Đề nghị" in t for t in live.api.texts(user)) == 1, user
        live.no_duplicates()
        failures = await live.say(OWNER, "/loigui")
        assert failures is not None and "Người đã rời" in failures.text


async def test_admins_are_warned_once_near_the_monthly_quota(tmp_path: Path) -> None:
    async with live_zalo(tmp_path, ZALO_MONTHLY_QUOTA=20, ZALO_QUOTA_WARN_SHARE=0.5) as live:
        await set_up(live)  # about a dozen messages: past half of 20
        await live.tick(at(23, 8))
        await live.tick(at(23, 8, 1))  # a warning queued during a drain goes at the next
        warnings = [t for t in live.api.texts(OWNER) if "hạn mức hằng tháng" in t]
        assert len(warnings) == 1 and "/20 tin Zalo trong tháng 11/2026" in warnings[0]
        for _ in range(5):
            assert await live.say(OWNER, "/toi") is not None
        await live.tick(at(23, 9))
        assert sum("hạn mức hằng tháng" in t for t in live.api.texts(OWNER)) == 1
        usage = await live.say(OWNER, "/hanmuc")
        assert usage is not None and "/20 tin" in usage.text
