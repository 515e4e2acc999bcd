"""The webhook: Zalo POSTs each event to our URL with the secret in
``X-Bot-Api-Secret-Token``.

- The secret is compared in constant time; a missing or wrong one gets 403 and nothing is
  read. A body that is not JSON gets 400.
- Bodies wrapped in ``{ok, result}`` or bare are both accepted (``inbound.events_of``).
- The answer is fast: the event is handled (one short transaction that records its id with
  its effects) and 200 goes back at once; the replies are sent afterwards, in order, by one
  background task. A crash after the 200 loses only those replies, never the report.
  A redelivered event (Zalo retries when it gets no 200) is recognised and not answered
  twice.

tornado is already installed (python-telegram-bot's webhooks extra) and serves in the
running event loop, beside the Telegram channel if both run.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import tornado.httpserver
import tornado.web

from bot.core.events import OutboundMessage

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
Ingest = Callable[[Any], Awaitable[list[OutboundMessage]]]
Answer = Callable[[Sequence[OutboundMessage]], Awaitable[None]]


class ZaloWebhookServer:
    def __init__(
        self,
        *,
        secret: str,
        path: str,
        listen: str,
        port: int,
        ingest: Ingest,
        answer: Answer,
    ) -> None:
        self._secret = secret.encode("utf-8")
        self._path = "/" + path.strip("/")
        self._listen = listen
        self._port = port
        self._ingest = ingest
        self._answer = answer
        self._server: tornado.httpserver.HTTPServer | None = None
        self._queue: asyncio.Queue[list[OutboundMessage]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._sending = False

    @property
    def busy(self) -> bool:
        """Replies are waiting or being sent."""
        return self._sending or not self._queue.empty()

    def authorised(self, header: str | None) -> bool:
        if not header:
            return False
        return hmac.compare_digest(header.encode("utf-8"), self._secret)

    async def start(self) -> None:
        outer = self

        class Hook(tornado.web.RequestHandler):
            async def post(self) -> None:
                if not outer.authorised(self.request.headers.get(SECRET_HEADER)):
                    log.warning("zalo webhook call without the right secret refused")
                    self.set_status(403)
                    self.finish({"ok": False, "description": "forbidden"})
                    return
                try:
                    body = json.loads(self.request.body or b"null")
                except (json.JSONDecodeError, UnicodeDecodeError):
                    self.set_status(400)
                    self.finish({"ok": False, "description": "bad json"})
                    return
                try:
                    replies = await outer._ingest(body)
                except Exception:
                    log.exception("a Zalo webhook event could not be handled")
                    replies = []
                if replies:
                    outer._queue.put_nowait(replies)
                self.finish({"ok": True})

            def check_xsrf_cookie(self) -> None:
                return None

        app = tornado.web.Application([(self._path, Hook)])
        self._server = app.listen(self._port, address=self._listen)
        self._worker = asyncio.create_task(self._send_replies())
        log.info("zalo webhook listening on %s:%s%s", self._listen, self._port, self._path)

    async def _send_replies(self) -> None:
        while True:
            replies = await self._queue.get()
            self._sending = True
            try:
                await self._answer(replies)
            except Exception:
                log.exception("zalo replies could not be sent")
            finally:
                self._sending = False
                self._queue.task_done()

    async def stop(self, grace: float = 10.0) -> None:
        if self._server is not None:
            self._server.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.close_all_connections(), grace)
        if self._worker is not None:
            # Replies already promised go out before the process ends (bounded).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), grace)
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
