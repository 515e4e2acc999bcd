"""A small async client for the Zalo Bot API over httpx.

Every method is ``POST {base}/bot{token}/{method}`` with a JSON body; every answer is
``{ok, result, error_code, description}``. The token is part of the URL, so no URL ever
reaches an exception message or a log line here: errors carry the method name, the HTTP
status and Zalo's description only.

Errors:
- ``ZaloTransientError``: HTTP 429 or ``error_code`` 429 (with ``retry_after`` when given),
  HTTP 5xx, network failures and timeouts, an answer that is not JSON. Try again later.
- ``ZaloClientError``: any other ``ok: false`` (bad chat id, text too long, bad token...).
  The same request would fail again.
- The idle answer of a long poll (HTTP 408, or ``ok: false`` with ``error_code`` 408) is
  normal: ``get_updates`` returns an empty list.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
IDLE = 408


class ZaloError(Exception):
    def __init__(self, method: str, description: str, code: int | None = None) -> None:
        super().__init__(f"{method}: {code if code is not None else '-'} {description}".strip())
        self.method = method
        self.description = description
        self.code = code


class ZaloClientError(ZaloError):
    """The request is wrong (4xx other than 408/429): never retried."""


class ZaloTransientError(ZaloError):
    """429, 5xx, network, garbled answers: may succeed later."""

    def __init__(
        self,
        method: str,
        description: str,
        code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(method, description, code)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class BotInfo:
    """From getMe. Field names vary between sources: id, and a name from account_name,
    display_name or name; ``can_join_groups`` defaults to False when absent."""

    id: str
    name: str
    can_join_groups: bool = False

    @classmethod
    def parse(cls, raw: Any) -> BotInfo:
        data = raw if isinstance(raw, dict) else {}
        name = next(
            (
                str(data[k])
                for k in ("account_name", "display_name", "name", "username")
                if data.get(k)
            ),
            "",
        )
        return cls(str(data.get("id", "")), name, bool(data.get("can_join_groups", False)))


OnSent = Callable[[str], Awaitable[None]]


class ZaloClient:
    """One shared ``httpx.AsyncClient`` per bot; ``aclose()`` when done."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
        on_sent: OnSent | None = None,
    ) -> None:
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = timeout
        self._http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), limits=httpx.Limits(max_connections=20)
        )
        # Told the method after each message Zalo accepted (the monthly quota counter).
        self.on_sent = on_sent

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """The ``result`` of one method call, or a typed error (never the URL)."""
        timeout = httpx.Timeout(self._timeout, read=read_timeout or self._timeout)
        try:
            response = await self._http.post(
                self._prefix + method, json=params or {}, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise ZaloTransientError(method, f"hết thời gian chờ ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise ZaloTransientError(method, f"lỗi mạng ({type(exc).__name__})") from None
        status = response.status_code
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            body = None
        if not isinstance(body, dict):
            if status == IDLE:
                return None
            if status == 429 or status >= 500 or status < 400:
                # A 2xx with a garbled body: the gateway hiccuped; try again.
                raise ZaloTransientError(method, "câu trả lời không đọc được", status)
            raise ZaloClientError(method, "câu trả lời không đọc được", status)
        if body.get("ok") is True and status < 400:
            return body.get("result")
        code = _int(body.get("error_code")) or (status if status >= 400 else None)
        description = str(body.get("description") or "")[:300]
        if code == IDLE or status == IDLE:
            return None
        if code == 429 or status == 429:
            raise ZaloTransientError(method, description, 429, _retry_after(body))
        if status >= 500 or (code is not None and code >= 500):
            raise ZaloTransientError(method, description, code or status)
        raise ZaloClientError(method, description, code)

    # -- methods ------------------------------------------------------------------------
    async def get_me(self) -> BotInfo:
        return BotInfo.parse(await self.call("getMe"))

    async def get_updates(self, poll_seconds: int = 30) -> list[Any]:
        """One long poll. Zalo answers one event (an object); a list is accepted too. The
        read timeout is a little above the poll's own, so the server answers first."""
        result = await self.call(
            "getUpdates", {"timeout": poll_seconds}, read_timeout=poll_seconds + 10
        )
        if result is None:
            return []
        return list(result) if isinstance(result, list) else [result]

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> Any:
        return await self.call("getWebhookInfo")

    async def send_message(self, chat_id: str, text: str) -> Any:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        await self._sent("sendMessage")
        return result

    async def send_photo(self, chat_id: str, photo: str, caption: str = "") -> Any:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        result = await self.call("sendPhoto", params)
        await self._sent("sendPhoto")
        return result

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def _sent(self, method: str) -> None:
        if self.on_sent is None:
            return
        try:
            await self.on_sent(method)
        except Exception:  # counting must never make a delivered message look failed
            log.warning("could not count a sent Zalo message", exc_info=True)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_after(body: dict[str, Any]) -> float | None:
    for holder in (body.get("parameters"), body):
        if isinstance(holder, dict) and holder.get("retry_after") is not None:
            try:
                return max(0.0, float(holder["retry_after"]))
            except (TypeError, ValueError):
                return None
    return None
