"""A small fake of the Telegram Bot API, for tests.

``FakeBotApi`` holds the state and answers method calls (getMe, getUpdates with offset and
long polling, sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
sendPhoto, sendDocument, getFile, setMyCommands, setWebhook, deleteWebhook,
getWebhookInfo). Two ways in:

- ``FakeBotApiServer``: real HTTP on 127.0.0.1 (tornado), ``/bot<token>/<method>`` and
  ``/file/bot<token>/<path>``, for the end-to-end tests; in webhook mode it POSTs updates to
  the bot's webhook with the ``X-Telegram-Bot-Api-Secret-Token`` header.
- ``FakeRequest``: python-telegram-bot's request boundary (``BaseRequest``), for the
  offline tests that feed ``Update`` objects through ``Application.process_update``.

The control side injects what people do (``message``, ``press``, ``edit``, group life:
``migrate``, ``add_bot``, ``remove_bot``), reads what the bot sent (``sent``, ``texts``,
``wait_sent``) and injects faults (``fail``: 429 with retry_after, 5xx, a timeout;
``blocked`` users answer 403).

``strict_limits(RateWindows())`` turns on a strict sliding-window rate mode, as strict as
the limiter measured in DESIGN.md §4: every message sent (sendMessage, sendPhoto,
sendDocument) counts against 30 per second overall, 1 per second per private chat and 20
per minute per group, counted on arrival at the server; a message over any window is
refused with HTTP 429 and ``parameters.retry_after`` (whole seconds until the window frees,
at least 1), and does not count. ``arrivals`` and ``rejections`` record what happened.
Every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from telegram.request import BaseRequest, RequestData

TOKEN = "123456:TEST-token-never-logged"
BOT_ID = 123456
BOT_USERNAME = "BaoCaoTuanBot"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict[str, Any]]:
    """bot_command at the start, @mentions anywhere (offsets in UTF-16 units, as Telegram)."""
    out: list[dict[str, Any]] = []
    if text.startswith("/"):
        word = text.split()[0] if text.split() else text
        out.append({"type": "bot_command", "offset": 0, "length": utf16_len(word)})
    i = text.find("@")
    while i >= 0:
        j = i + 1
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
        if j - i > 1 and (i == 0 or text[i - 1] in " \n"):
            out.append(
                {"type": "mention", "offset": utf16_len(text[:i]), "length": utf16_len(text[i:j])}
            )
        i = text.find("@", j)
    return out


@dataclass
class Fault:
    kind: str  # "429" | "500" | "502" | "timeout" | "slow" (answers after ``delay``)
    retry_after: int = 1
    delay: float = 0.0


@dataclass(frozen=True)
class RateWindows:
    """Telegram's published limits as sliding windows: (messages, seconds)."""

    overall: tuple[int, float] = (30, 1.0)
    private: tuple[int, float] = (1, 1.0)
    group: tuple[int, float] = (20, 60.0)


MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class SlidingWindows:
    """Accepted messages per window, by arrival time (monotonic seconds)."""

    def __init__(self, windows: RateWindows, clock: Callable[[], float]) -> None:
        self.windows = windows
        self.clock = clock
        self._overall: deque[float] = deque()
        self._chats: dict[int | str, deque[float]] = {}
        self.arrivals: list[tuple[float, int | str]] = []  # accepted: (time, chat_id)
        self.rejections: list[tuple[float, int | str, int]] = []  # (time, chat_id, retry_after)

    def admit(self, chat_id: int | str, group: bool | None = None) -> int:
        """0 when the message may go (and it is counted), else the retry_after to answer.
        A chat is a group when ``group`` says so or, by default, when its id is negative
        (Telegram's convention)."""
        now = self.clock()
        if group is None:
            group = isinstance(chat_id, int) and chat_id < 0
        limit, period = self.windows.group if group else self.windows.private
        chat = self._chats.setdefault(chat_id, deque())
        waits = [_wait(self._overall, *self.windows.overall, now), _wait(chat, limit, period, now)]
        wait = max(waits)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rejections.append((now, chat_id, retry_after))
            return retry_after
        self._overall.append(now)
        chat.append(now)
        self.arrivals.append((now, chat_id))
        return 0


def _wait(window: deque[float], limit: int, period: float, now: float) -> float:
    """Seconds until ``window`` (times of accepted messages) holds fewer than ``limit`` in
    the ``period`` before a moment; 0 when there is room now."""
    while window and window[0] <= now - period:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[len(window) - limit] + period - now


@dataclass
class Sent:
    """A call the bot made that shows something to people."""

    method: str
    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    reply_to: int | None = None
    document: str | None = None
    # The bytes of an uploaded file (sendDocument, sendPhoto), for tests that open them.
    content: bytes | None = None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        if not self.reply_markup:
            return []
        return [
            (b["text"], b.get("callback_data", ""))
            for row in self.reply_markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class FakeBotApi:
    token: str = TOKEN
    now: Callable[[], int] = field(default=lambda: int(time.time()))
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    faults: dict[str, deque[Fault]] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    limits: SlidingWindows | None = None
    migrated: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._confirmed = 0  # updates with an id below this were confirmed by an offset
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Bot báo cáo tuần",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    # -- control: people and chats ---------------------------------------------------------
    def user(self, user_id: int, first_name: str, last_name: str = "") -> dict[str, Any]:
        u = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            u["last_name"] = last_name
        self.users[user_id] = u
        self.chats[user_id] = {"id": user_id, "type": "private", "first_name": first_name}
        return u

    def group(self, chat_id: int, title: str, kind: str = "supergroup") -> dict[str, Any]:
        chat = {"id": chat_id, "type": kind, "title": title}
        self.chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _push(self, update: dict[str, Any]) -> int:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._wake()
        return int(update["update_id"])

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def message(
        self,
        user_id: int,
        chat_id: int | None,
        text: str = "",
        *,
        reply_to: int | None = None,
        photo: bytes | None = None,
        document: tuple[str, bytes] | None = None,
    ) -> int:
        """A person sends a message (chat None: their private chat); returns its id."""
        chat_id = user_id if chat_id is None else chat_id
        message_id = self._next_message_id(chat_id)
        msg: dict[str, Any] = {
            "message_id": message_id,
            "date": self.now(),
            "chat": self.chats[chat_id],
            "from": self.users[user_id],
        }
        key = "text"
        if photo is not None:
            file_id = self._add_file("photos/p.jpg", photo)
            msg["photo"] = [
                {"file_id": f"{file_id}-s", "file_unique_id": f"u{file_id}s", "width": 90,
                 "height": 90, "file_size": 10},
                {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800,
                 "height": 600, "file_size": len(photo)},
            ]  # fmt: skip
            key = "caption"
        if document is not None:
            file_id = self._add_file(f"documents/{document[0]}", document[1])
            msg["document"] = {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "file_name": document[0],
                "file_size": len(document[1]),
            }
            key = "caption"
        if text:
            msg[key] = text
            ents = entities_for(text)
            if ents:
                msg["entities" if key == "text" else "caption_entities"] = ents
        if reply_to is not None:
            msg["reply_to_message"] = self.messages[(chat_id, reply_to)]
        self.messages[(chat_id, message_id)] = msg
        self._push({"message": msg})
        return message_id

    def edit(self, user_id: int, chat_id: int | None, message_id: int, text: str) -> int:
        """A person edits one of their messages (its text or caption); returns the update id."""
        chat_id = user_id if chat_id is None else chat_id
        msg = self.messages[(chat_id, message_id)]
        assert msg["from"]["id"] == user_id
        key = "caption" if "caption" in msg else "text"
        msg[key] = text
        msg.pop("entities" if key == "text" else "caption_entities", None)
        ents = entities_for(text)
        if ents:
            msg["entities" if key == "text" else "caption_entities"] = ents
        msg["edit_date"] = max(self.now(), int(msg["date"]) + 1, int(msg.get("edit_date", 0)) + 1)
        return self._push({"edited_message": dict(msg)})

    def _service(self, user_id: int, chat_id: int, **fields: Any) -> int:
        message_id = self._next_message_id(chat_id)
        msg = {"message_id": message_id, "date": self.now(), "chat": self.chats[chat_id],
               "from": self.users[user_id], **fields}  # fmt: skip
        self.messages[(chat_id, message_id)] = msg
        return self._push({"message": msg})

    def migrate(self, chat_id: int, new_chat_id: int, by: int) -> None:
        """A group becomes a supergroup with a new id, as Telegram reports it: a service
        message in the old group, then one in the new; the old id answers 400 from now."""
        old = self.chats[chat_id]
        self.group(new_chat_id, str(old["title"]), "supergroup")
        self._service(by, chat_id, migrate_to_chat_id=new_chat_id)
        self._service(by, new_chat_id, migrate_from_chat_id=chat_id)
        self.migrated[chat_id] = new_chat_id

    def _membership(self, chat_id: int, by: int, old: str, new: str) -> int:
        def member(status: str) -> dict[str, Any]:
            m: dict[str, Any] = {"status": status, "user": self.bot_user}
            if status == "kicked":
                m["until_date"] = 0
            return m

        return self._push(
            {
                "my_chat_member": {
                    "chat": self.chats[chat_id],
                    "from": self.users[by],
                    "date": self.now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def add_bot(self, chat_id: int, by: int) -> int:
        """Someone adds the bot to a group (the ``my_chat_member`` update)."""
        self.blocked.discard(chat_id)
        return self._membership(chat_id, by, "left", "member")

    def remove_bot(self, chat_id: int, by: int) -> int:
        """Someone removes the bot from a group: sending there answers 403 from now."""
        self.blocked.add(chat_id)
        return self._membership(chat_id, by, "member", "kicked")

    def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """A person taps a button on one of the bot's messages; returns the query id."""
        query_id = f"q{next(self._update_ids)}"
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.users[user_id],
                    "message": self.messages[(chat_id, message_id)],
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def redeliver(self, update: dict[str, Any]) -> int:
        """The same content again under a new update id (a retried webhook delivery)."""
        return self._push(dict(update))

    def strict_limits(
        self, windows: RateWindows | None = None, clock: Callable[[], float] = time.monotonic
    ) -> SlidingWindows:
        """Turns on the strict rate mode (see the module's docstring)."""
        self.limits = SlidingWindows(windows or RateWindows(), clock)
        return self.limits

    def fail(self, method: str, *faults: Fault) -> None:
        self.faults.setdefault(method, deque()).extend(faults)

    # -- control: reading -----------------------------------------------------------------
    def texts(self, chat_id: int) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == chat_id]

    def last(self, chat_id: int) -> Sent:
        return [s for s in self.sent if s.chat_id == chat_id][-1]

    def current_text(self, chat_id: int, message_id: int) -> str:
        msg = self.messages[(chat_id, message_id)]
        return str(msg.get("text") or msg.get("caption") or "")

    @property
    def pending_updates(self) -> int:
        return len([u for u in self._updates if u["update_id"] >= self._confirmed])

    async def wait_until(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while not predicate():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("the bot did not do what was expected in time")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.5))

    async def wait_sent(self, chat_id: int, count: int, within: float = 10.0) -> list[Sent]:
        """Waits until the bot has sent ``count`` messages to the chat in all; returns them."""
        await self.wait_until(lambda: len(self.texts(chat_id)) >= count, within)
        return [s for s in self.sent if s.chat_id == chat_id]

    # -- the API --------------------------------------------------------------------------
    def _add_file(self, path: str, content: bytes) -> str:
        file_id = f"F{next(self._file_ids)}"
        self.files[file_id] = (
            f"{path.rsplit('.', 1)[0]}{file_id}.{path.rsplit('.', 1)[-1]}",
            content,
        )
        return file_id

    def file_by_path(self, path: str) -> bytes | None:
        for p, content in self.files.values():
            if p == path:
                return content
        return None

    async def call(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """(HTTP status, response body) for one Bot API call."""
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
                    "description": f"Too Many Requests: retry after {fault.retry_after}",
                    "parameters": {"retry_after": fault.retry_after},
                }
            if fault.kind == "timeout":
                await asyncio.sleep(fault.delay)  # the client gave up; nothing was done
                return 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)  # then done as usual
            else:
                code = int(fault.kind)
                return code, {
                    "ok": False,
                    "error_code": code,
                    "description": "Internal Server Error",
                }
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found: method"}
        chat_id = params.get("chat_id")
        if self.limits is not None and method in MESSAGE_METHODS and chat_id is not None:
            retry_after = self.limits.admit(int(chat_id))
            if retry_after:
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
        if chat_id is not None and int(chat_id) in self.migrated:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": self.migrated[int(chat_id)]},
            }
        if chat_id is not None and int(chat_id) in self.blocked:
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        try:
            result = (
                await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
            )
        except KeyError as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        self._wake()
        return 200, {"ok": True, "result": result}

    def _m_getMe(self, p: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_getUpdates(self, p: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise KeyError("can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        if offset:
            self._confirmed = max(self._confirmed, offset)
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        deadline = asyncio.get_running_loop().time() + min(timeout, 5.0)
        while True:
            ready = [u for u in self._updates if u["update_id"] >= self._confirmed][:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if ready or remaining <= 0:
                return ready
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return []

    def _bot_message(
        self,
        p: dict[str, Any],
        text: str,
        *,
        key: str = "text",
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        message_id = self._next_message_id(chat_id)
        msg: dict[str, Any] = {
            "message_id": message_id,
            "date": self.now(),
            "chat": self.chats[chat_id],
            "from": self.bot_user,
            key: text,
            **(extra or {}),
        }
        markup = _json(p.get("reply_markup"))
        if markup:
            msg["reply_markup"] = markup
        reply = _json(p.get("reply_parameters"))
        reply_to = int(reply["message_id"]) if reply else None
        if reply_to is not None and (chat_id, reply_to) in self.messages:
            msg["reply_to_message"] = self.messages[(chat_id, reply_to)]
        self.messages[(chat_id, message_id)] = msg
        method = "sendMessage" if key == "text" else "sendDocument"
        if extra and "photo" in extra:
            method = "sendPhoto"
        self.sent.append(
            Sent(
                method,
                chat_id, message_id, text, markup or None, reply_to,
                (extra or {}).get("document", {}).get("file_name"),
                p.get("_file_bytes"),
            )
        )  # fmt: skip
        return msg

    def _m_sendMessage(self, p: dict[str, Any]) -> Any:
        text = str(p["text"])
        if len(text) > 4096:
            raise KeyError("message is too long")
        return self._bot_message(p, text)

    def _m_sendDocument(self, p: dict[str, Any]) -> Any:
        name = str(p.get("_filename") or "tep")
        caption = str(p.get("caption") or "")
        if len(caption) > 1024:
            raise KeyError("message caption is too long")
        doc = {"file_id": "D1", "file_unique_id": "uD1", "file_name": name}
        return self._bot_message(p, caption, key="caption", extra={"document": doc})

    def _m_sendPhoto(self, p: dict[str, Any]) -> Any:
        photo = [{"file_id": "P1", "file_unique_id": "uP1", "width": 1, "height": 1}]
        return self._bot_message(
            p, str(p.get("caption") or ""), key="caption", extra={"photo": photo}
        )

    def _m_editMessageText(self, p: dict[str, Any]) -> Any:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        msg = self.messages[(chat_id, message_id)]
        markup = _json(p.get("reply_markup"))
        if msg.get("text") == p["text"] and msg.get("reply_markup") == (markup or None):
            raise KeyError("message is not modified")
        msg["text"] = str(p["text"])
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        self.sent.append(Sent("editMessageText", chat_id, message_id, msg["text"], markup or None))
        return msg

    def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        chat_id, message_id = int(p["chat_id"]), int(p["message_id"])
        msg = self.messages[(chat_id, message_id)]
        markup = _json(p.get("reply_markup"))
        if not markup and "reply_markup" not in msg:
            raise KeyError("message is not modified")
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    def _m_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        self.answers.append(p)
        return True

    def _m_setMyCommands(self, p: dict[str, Any]) -> Any:
        scope = _json(p.get("scope")) or {"type": "default"}
        self.commands[scope["type"]] = _json(p["commands"])
        return True

    def _m_getFile(self, p: dict[str, Any]) -> Any:
        file_id = str(p["file_id"])
        path, content = self.files[file_id.removesuffix("-s")]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
                "file_path": path}  # fmt: skip

    def _m_setWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook_url = str(p["url"])
        self.webhook_secret = str(p.get("secret_token") or "")
        return True

    def _m_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook_url = ""
        return True

    def _m_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False,
                "pending_update_count": self.pending_updates}  # fmt: skip

    def _m_sendChatAction(self, p: dict[str, Any]) -> Any:
        return True

    # -- webhook delivery -----------------------------------------------------------------
    def next_for_webhook(self) -> dict[str, Any] | None:
        for u in self._updates:
            if u["update_id"] >= self._confirmed:
                return u
        return None

    def confirm(self, update_id: int) -> None:
        self._confirmed = max(self._confirmed, update_id + 1)
        self._wake()


def _json(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- in-process: python-telegram-bot's request boundary -------------------------------------
class FakeRequest(BaseRequest):
    """Answers the bot's requests from a ``FakeBotApi`` without any network."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            token, _, path = unquote(url.partition("/file/bot")[2]).partition("/")
            content = self.api.file_by_path(path) if token == self.api.token else None
            return (200, content) if content is not None else (404, b"{}")
        _, _, tail = url.partition("/bot")
        token, _, api_method = tail.partition("/")
        params: dict[str, Any] = dict(request_data.json_parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            for value in request_data.multipart_data.values():
                if isinstance(value, tuple):
                    params["_filename"] = value[0]
                    body = value[1]
                    params["_file_bytes"] = body if isinstance(body, bytes) else body.read()
        status, body = await self.api.call(token, api_method, params)
        return status, json.dumps(body).encode("utf-8")


# -- over HTTP ----------------------------------------------------------------------------
class FakeBotApiServer:
    """``FakeBotApi`` over real HTTP on 127.0.0.1 (tornado, which python-telegram-bot's
    webhook extra brings). ``start()``/``stop()``; in webhook mode a delivery task POSTs
    each update to the bot until it answers 200, as Telegram does."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.port = free_port()
        self._server: Any = None
        self._delivery: asyncio.Task[None] | None = None
        self.webhook_statuses: list[int] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        import tornado.web

        api = self.api

        class MethodHandler(tornado.web.RequestHandler):
            async def _handle(self, token: str, method: str) -> None:
                params: dict[str, Any] = {
                    k: v[-1].decode("utf-8") for k, v in self.request.arguments.items()
                }
                content_type = self.request.headers.get("Content-Type", "")
                if content_type.startswith("application/json") and self.request.body:
                    params.update(json.loads(self.request.body))
                for files in self.request.files.values():
                    for f in files:
                        params["_filename"] = f["filename"]
                        params["_file_bytes"] = bytes(f["body"])
                status, body = await api.call(token, method, params)
                self.set_status(status)
                self.set_header("Content-Type", "application/json")
                self.finish(json.dumps(body))

            async def post(self, token: str, method: str) -> None:
                await self._handle(token, method)

            async def get(self, token: str, method: str) -> None:
                await self._handle(token, method)

            def check_xsrf_cookie(self) -> None:
                return None

        class FileHandler(tornado.web.RequestHandler):
            def get(self, token: str, path: str) -> None:
                token, path = unquote(token), unquote(path)
                content = api.file_by_path(path) if token == api.token else None
                if content is None:
                    self.set_status(404)
                    self.finish("not found")
                    return
                self.finish(content)

        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/(\w+)", MethodHandler),
                (r"/file/bot([^/]+)/(.+)", FileHandler),
            ]
        )
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

    async def _deliver_webhooks(self) -> None:
        import httpx

        async with httpx.AsyncClient(timeout=5.0) as client:
            while True:
                update = self.api.next_for_webhook() if self.api.webhook_url else None
                if update is None:
                    changed = self.api._changed
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(changed.wait(), 0.5)
                    continue
                headers = {"Content-Type": "application/json"}
                if self.api.webhook_secret:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.api.webhook_secret
                try:
                    response = await client.post(
                        self.api.webhook_url, content=json.dumps(update), headers=headers
                    )
                    self.webhook_statuses.append(response.status_code)
                    if response.status_code == 200:
                        self.api.confirm(int(update["update_id"]))
                        continue
                except httpx.HTTPError:
                    self.webhook_statuses.append(0)
                await asyncio.sleep(0.1)  # the bot is not ready yet: try again shortly
