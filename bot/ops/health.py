"""``GET /healthz``: a small JSON for the reverse proxy, a monitor or the IT officer's curl.

Served on its own local port (``BOT_HEALTH_LISTEN``:``BOT_HEALTH_PORT``, default
127.0.0.1:8440), by default whenever a channel receives by webhook. Its own server rather
than a route on the webhooks: python-telegram-bot's webhook server takes no extra routes,
and one endpoint for the whole process reports on Telegram and Zalo alike. Nginx forwards
``/healthz`` to it (``deploy/nginx-reporting-bot.conf``).

The answer is 200 when the database answers and the cycle has ticked recently (within
three tick intervals and a minute; a tick that fails still counts as ticked, its error is
in the log), 503 otherwise, with the same JSON either way::

    {"status": "ok", "database": true, "outbox_backlog": 0,
     "last_tick": "2026-11-27T08:00:00+07:00", "last_tick_age_seconds": 12,
     "last_backup": "2026-11-27T02:00:00+07:00", "channels": ["telegram"]}

Nothing personal is in it; still, expose it only to whom needs it (the nginx example
restricts it to local addresses).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.web

log = logging.getLogger(__name__)

Report = Callable[[], Awaitable[tuple[bool, dict[str, Any]]]]


class HealthServer:
    def __init__(self, report: Report, *, listen: str, port: int) -> None:
        self._report = report
        self._listen = listen
        self._port = port
        self._server: tornado.httpserver.HTTPServer | None = None

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> None:
        outer = self

        class Health(tornado.web.RequestHandler):
            async def get(self) -> None:
                try:
                    healthy, body = await outer._report()
                except Exception:
                    log.exception("health report failed")
                    healthy, body = False, {"status": "error"}
                self.set_status(200 if healthy else 503)
                self.set_header("Content-Type", "application/json; charset=utf-8")
                self.set_header("Cache-Control", "no-store")
                self.finish(json.dumps(body, ensure_ascii=False))

        app = tornado.web.Application([(r"/healthz/?", Health)])
        self._server = app.listen(self._port, address=self._listen)
        log.info("health endpoint on http://%s:%s/healthz", self._listen, self._port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
