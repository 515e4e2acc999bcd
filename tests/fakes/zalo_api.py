"""A small fake of the Zalo Bot API, for tests: real HTTP on 127.0.0.1 (tornado).

``FakeZaloApi`` holds the state and answers ``POST /bot<token>/<method>``: getMe,
getUpdates (one event per answer, no offset; HTTP 408 ``{ok: false, error_code: 408}`` when
idle), setWebhook / deleteWebhook / getWebhookInfo (getUpdates is refused while a webhook
is set), sendMessage (refused over 2000 characters), sendPhoto, sendChatAction.

The control side queues what people do (``message`` for text, ``image``, ``sticker``,
``voice``, ``unsupported``, ``raw`` for anything), reads what the bot sent (``sent``,
``texts``, ``wait_sent``) and injects faults per method (``fail``): HTTP 429 with
retry_after, 5xx, ``ok: false`` on HTTP 200, a body that is not JSON, a slow answer; and
``duplicate`` delivers an event twice. ``strict_limits(RateWindows(...))`` turns on the same
strict sliding-window rate mode as the Telegram fake (sendMessage and sendPhoto count; the
excess is answered HTTP 429 with ``retry_after``): Zalo publishes no limit, so the windows
are whatever a test or benchmark says (``ZALO_RATE``). In webhook mode ``FakeZaloServer`` POSTs each event
to the bot with ``X-Bot-Api-Secret-Token``, bare or wrapped in ``{ok, result}``
alternately, until it answers 200. Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_api import RateWindows, SlidingWindows, free_port

TOKEN = "1234567890:zalo-TEST-token-never-logged"
BOT_ID = "bot9000"
BOT_NAME = "BaoCaoTuan"
TEXT_LIMIT = 2000


@dataclass
class Fault:
    kind: str  # "429" | "500" | "502" | "okfalse" | "badjson" | "slow"
    retry_after: int = 1
    delay: float = 0.0
    code: int = 400


@dataclass
class Sent:
    method: str
    chat_id: str
    message_id: str
    text: str
    photo: str = ""


@dataclass
class FakeZaloApi:
    token: str = TOKEN
    can_join_groups: bool = False
    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    unknown_chats_refused: bool = True
    limits: SlidingWindows | None = None

    def __post_init__(self) -> None:
        self._events: deque[dict[str, Any]] = deque()
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self.delivered: list[dict[str, Any]] = []  # events handed out (poll or webhook)
        self._delivered_at: dict[int, int] = {}  # id(event) -> number of calls by then

    # -- control: people -----------------------------------------------------------------
    def user(self, user_id: str, name: str) -> None:
        self.users[user_id] = name

    def group(self, chat_id: str, title: str) -> None:
        self.groups[chat_id] = title

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _message(self, user_id: str, chat_id: str | None, **fields: Any) -> dict[str, Any]:
        chat = chat_id or user_id
        return {
            "message_id": f"msg{next(self._ids):06d}",
            "from": {"id": user_id, "display_name": self.users[user_id], "is_bot": False},
            "chat": {"id": chat, "chat_type": "GROUP" if chat in self.groups else "PRIVATE"},
            "date": int(time.time() * 1000),
            **fields,
        }

    def raw(self, event: dict[str, Any], *, copies: int = 1) -> dict[str, Any]:
        for _ in range(copies):
            self._events.append(event)
        self._wake()
        return event

    def message(
        self, user_id: str, chat_id: str | None = None, text: str = "", *, copies: int = 1
    ) -> dict[str, Any]:
        """A person writes (chat None: their private chat with the bot)."""
        msg = self._message(user_id, chat_id, text=text)
        return self.raw({"event_name": "message.text.received", "message": msg}, copies=copies)

    def image(
        self, user_id: str, chat_id: str | None = None, url: str = "", caption: str = ""
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"photo_url": url or "https://zalo.example/p.jpg"}
        if caption:
            fields["caption"] = caption
        msg = self._message(user_id, chat_id, **fields)
        return self.raw({"event_name": "message.image.received", "message": msg})

    def sticker(self, user_id: str) -> dict[str, Any]:
        msg = self._message(user_id, None, sticker="st1", url="https://zalo.example/s.webp")
        return self.raw({"event_name": "message.sticker.received", "message": msg})

    def voice(self, user_id: str) -> dict[str, Any]:
        msg = self._message(user_id, None, url="https://zalo.example/v.aac")
        return self.raw({"event_name": "message.voice.received", "message": msg})

    def unsupported(self, user_id: str) -> dict[str, Any]:
        msg = self._message(user_id, None)
        return self.raw({"event_name": "message.unsupported.received", "message": msg})

    def from_bot(self, chat_id: str, text: str) -> dict[str, Any]:
        msg = {
            "message_id": f"msg{next(self._ids):06d}",
            "from": {"id": BOT_ID, "display_name": BOT_NAME, "is_bot": True},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
            "date": int(time.time() * 1000),
            "text": text,
        }
        return self.raw({"event_name": "message.text.received", "message": msg})

    def strict_limits(
        self, windows: RateWindows, clock: Callable[[], float] = time.monotonic
    ) -> SlidingWindows:
        """Turns on the strict rate mode (see the module's docstring)."""
        self.limits = SlidingWindows(windows, clock)
        return self.limits

    def fail(self, method: str, *faults: Fault) -> None:
        self.faults.setdefault(method, deque()).extend(faults)

    # -- control: reading ----------------------------------------------------------------
    def texts(self, chat_id: str) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]

    def last(self, chat_id: str) -> Sent:
        return [s for s in self.sent if s.chat_id == chat_id][-1]

    @property
    def pending(self) -> int:
        return len(self._events)

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("the bot did not do what was expected in time")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.5))

    async def wait_sent(self, chat_id: str, count: int, within: float = 10.0) -> list[Sent]:
        await self.wait_until(lambda: len(self.texts(chat_id)) >= count, within)
        return [s for s in self.sent if s.chat_id == chat_id]

    # -- the API -------------------------------------------------------------------------
    async def call(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """(HTTP status, body) for one call; a body of type bytes is sent as is."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        self.calls.append((method, params))
        queue = self.faults.get(method)
        if queue:
            fault = queue.popleft()
            if fault.kind == "429":
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": fault.retry_after},
                }
            if fault.kind == "okfalse":
                return 200, {"ok": False, "error_code": fault.code, "description": "Bad request"}
            if fault.kind == "badjson":
                return 200, b"<html>bad gateway</html>"
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            else:
                code = int(fault.kind)
                return code, {"ok": False, "error_code": code, "description": "Server error"}
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not found"}
        chat = str(params.get("chat_id") or "")
        if self.limits is not None and method in ("sendMessage", "sendPhoto") and chat:
            retry_after = self.limits.admit(chat, group=chat in self.groups)
            if retry_after:
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests",
                    "parameters": {"retry_after": retry_after},
                }
        result = await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
        if isinstance(result, tuple):
            return result
        self._wake()
        return 200, {"ok": True, "result": result}

    def _m_getMe(self, p: dict[str, Any]) -> Any:
        return {
            "id": BOT_ID,
            "account_name": BOT_NAME,
            "account_type": "BASIC",
            "can_join_groups": self.can_join_groups,
        }

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook_url:
            return 400, {"ok": False, "error_code": 400, "description": "webhook is active"}
        timeout = float(p.get("timeout") or 0)
        deadline = asyncio.get_running_loop().time() + min(timeout, 2.0)
        while True:
            if self._events:
                event = self._events.popleft()
                self.delivered.append(event)
                self._delivered_at[id(event)] = len(self.calls)
                return event
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return 408, {"ok": False, "error_code": 408, "description": "Request timeout"}
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook_url = str(p["url"])
        self.webhook_secret = str(p.get("secret_token") or "")
        return {"url": self.webhook_url, "updated_at": int(time.time() * 1000)}

    def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook_url = ""
        return {"url": "", "updated_at": int(time.time() * 1000)}

    def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        return {"url": self.webhook_url, "updated_at": int(time.time() * 1000)}

    def _check_chat(self, p: dict[str, Any]) -> tuple[int, Any] | None:
        chat = str(p.get("chat_id") or "")
        if self.unknown_chats_refused and chat not in self.users and chat not in self.groups:
            return 400, {"ok": False, "error_code": 400, "description": "chat not found"}
        return None

    def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        refused = self._check_chat(p)
        if refused:
            return refused
        text = str(p.get("text") or "")
        if not text or len(text) > TEXT_LIMIT:
            return 400, {"ok": False, "error_code": 400, "description": "text length invalid"}
        message_id = f"out{next(self._ids):06d}"
        self.sent.append(Sent("sendMessage", str(p["chat_id"]), message_id, text))
        return {"message_id": message_id, "date": int(time.time() * 1000)}

    def _m_sendPhoto(self, p: dict[str, Any]) -> Any:
        refused = self._check_chat(p)
        if refused:
            return refused
        message_id = f"out{next(self._ids):06d}"
        self.sent.append(
            Sent(
                "sendPhoto",
                str(p["chat_id"]),
                message_id,
                str(p.get("caption") or ""),
                str(p.get("photo") or ""),
            )
        )
        return {"message_id": message_id, "date": int(time.time() * 1000)}

    def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        return True

    def next_for_webhook(self) -> dict[str, Any] | None:
        return self._events[0] if self._events else None

    def confirm(self) -> None:
        event = self._events.popleft()
        self.delivered.append(event)
        self._delivered_at[id(event)] = len(self.calls)
        self._wake()

    def polled_after(self, event: dict[str, Any]) -> bool:
        """The bot asked for the next event after this one: it has finished with it (the
        poll loop handles an event, answers it, then polls again)."""
        at = self._delivered_at.get(id(event))
        return at is not None and any(m == "getUpdates" for m, _ in self.calls[at:])

    def was_delivered(self, event: dict[str, Any]) -> bool:
        return id(event) in self._delivered_at


class FakeZaloServer:
    """``FakeZaloApi`` over HTTP on 127.0.0.1; in webhook mode a task POSTs each event."""

    def __init__(self, api: FakeZaloApi) -> None:
        self.api = api
        self.port = free_port()
        self._server: Any = None
        self._delivery: asyncio.Task[None] | None = None
        self.webhook_statuses: list[int] = []
        self._wrap = itertools.cycle([False, True])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        import tornado.web

        api = self.api

        class MethodHandler(tornado.web.RequestHandler):
            async def post(self, token: str, method: str) -> None:
                params: dict[str, Any] = {}
                if self.request.body:
                    with contextlib.suppress(ValueError):
                        params = json.loads(self.request.body)
                status, body = await api.call(token, method, params)
                self.set_status(status)
                self.set_header("Content-Type", "application/json")
                self.finish(body if isinstance(body, bytes) else json.dumps(body))

            async def get(self, token: str, method: str) -> None:
                await self.post(token, method)

            def check_xsrf_cookie(self) -> None:
                return None

        app = tornado.web.Application([(r"/bot([^/]+)/(\w+)", MethodHandler)])
        self._server = app.listen(self.port, address="127.0.0.1")
        self._delivery = asyncio.create_task(self._deliver_webhooks())

    async def stop(self) -> None:
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    async def post(self, body: Any, secret: str | None, raw: bytes | None = None) -> int:
        """One webhook call as anyone could make it (tests of the secret check)."""
        import httpx

        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.post(
                self.api.webhook_url,
                content=raw if raw is not None else json.dumps(body),
                headers=headers,
            )
        return response.status_code

    async def _deliver_webhooks(self) -> None:
        import httpx

        async with httpx.AsyncClient(timeout=5.0) as client:
            while True:
                event = self.api.next_for_webhook() if self.api.webhook_url else None
                if event is None:
                    changed = self.api._changed
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), 0.5)
                    continue
                body = {"ok": True, "result": event} if next(self._wrap) else event
                headers = {"Content-Type": "application/json"}
                if self.api.webhook_secret:
                    headers["X-Bot-Api-Secret-Token"] = self.api.webhook_secret
                try:
                    response = await client.post(
                        self.api.webhook_url, content=json.dumps(body), headers=headers
                    )
                    self.webhook_statuses.append(response.status_code)
                    if response.status_code == 200:
                        self.api.confirm()
                        continue
                except httpx.HTTPError:
                    self.webhook_statuses.append(0)
                await asyncio.sleep(0.1)
