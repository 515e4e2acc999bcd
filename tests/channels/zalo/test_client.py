"""The client's reading of answers (httpx.MockTransport: no network): ok checked, the idle
408 is an empty result, 429/5xx/network/garbled are transient, the rest client errors, the
token never in an error; the sender maps them to DeliveryError."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from bot.channels.zalo.client import ZaloClient, ZaloClientError, ZaloTransientError
from bot.channels.zalo.sender import ZaloSender
from bot.core.events import OutboundMessage
from bot.services.outbox import DeliveryError

TOKEN = "999:very-secret-token"


def client(handler: Callable[[httpx.Request], httpx.Response]) -> ZaloClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ZaloClient(TOKEN, "http://zalo.test", http=http)


def answer(status: int, body: object) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content)

    return handler


async def test_results_and_the_url_shape() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "result": {"id": "b1", "account_name": "Bot"}})

    me = await client(handler).get_me()
    assert (me.id, me.name, me.can_join_groups) == ("b1", "Bot", False)
    assert str(seen[0].url) == f"http://zalo.test/bot{TOKEN}/getMe"
    assert seen[0].method == "POST"


@pytest.mark.parametrize(
    "status,body",
    [
        (408, {"ok": False, "error_code": 408, "description": "Request timeout"}),
        (200, {"ok": False, "error_code": 408, "description": "Request timeout"}),
        (408, b""),
        (200, {"ok": True, "result": None}),
    ],
)
async def test_the_idle_long_poll_is_no_error(status: int, body: object) -> None:
    assert await client(answer(status, body)).get_updates(1) == []


async def test_one_event_or_a_list() -> None:
    event = {"event_name": "message.text.received", "message": {}}
    assert await client(answer(200, {"ok": True, "result": event})).get_updates(1) == [event]
    assert await client(answer(200, {"ok": True, "result": [event]})).get_updates(1) == [event]


@pytest.mark.parametrize(
    "status,body,retry_after",
    [
        (429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 7}}, 7.0),
        (200, {"ok": False, "error_code": 429, "description": "slow down"}, None),
        (500, {"ok": False, "error_code": 500}, None),
        (502, b"<html>bad gateway</html>", None),
        (200, b"not json", None),
        (200, {"ok": False, "error_code": 503}, None),
    ],
)
async def test_transient_errors(status: int, body: object, retry_after: float | None) -> None:
    with pytest.raises(ZaloTransientError) as info:
        await client(answer(status, body)).send_message("u1", "x")
    assert info.value.retry_after == retry_after
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "status,body",
    [
        (400, {"ok": False, "error_code": 400, "description": "chat not found"}),
        (200, {"ok": False, "error_code": 403, "description": "forbidden"}),
        (401, {"ok": False, "error_code": 401, "description": "Unauthorized"}),
    ],
)
async def test_client_errors(status: int, body: object) -> None:
    with pytest.raises(ZaloClientError) as info:
        await client(answer(status, body)).send_message("u1", "x")
    assert TOKEN not in str(info.value)


async def test_network_errors_are_transient_and_never_show_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    with pytest.raises(ZaloTransientError) as info:
        await client(handler).send_message("u1", "x")
    assert TOKEN not in str(info.value) and "ConnectError" in str(info.value)


async def test_the_sender_maps_errors_and_counts_accepted_messages() -> None:
    counted: list[str] = []

    async def count(method: str) -> None:
        counted.append(method)

    ok = client(answer(200, {"ok": True, "result": {"message_id": "1"}}))
    ok.on_sent = count
    await ZaloSender(ok).send(OutboundMessage("zalo", "u1", "x" * 4500))
    assert counted == ["sendMessage"] * 3  # 3 parts under 2000 characters

    with pytest.raises(DeliveryError) as transient:
        await ZaloSender(client(answer(429, {"ok": False, "error_code": 429}))).send(
            OutboundMessage("zalo", "u1", "x")
        )
    assert not transient.value.permanent
    with pytest.raises(DeliveryError) as permanent:
        await ZaloSender(client(answer(400, {"ok": False, "error_code": 400}))).send(
            OutboundMessage("zalo", "u1", "x")
        )
    assert permanent.value.permanent
