"""Structured logs: one record per line, ``key=value`` (default) or JSON lines.

``BOT_LOG_FORMAT=text`` (default)::

    ts=2026-11-27T08:00:00.123+07:00 level=INFO logger=bot.app msg="telegram bot @X ready"

``BOT_LOG_FORMAT=json``::

    {"ts": "2026-11-27T08:00:00.123+07:00", "level": "INFO", "logger": "bot.app", "msg": "…"}

In text mode a traceback follows its line, indented, for people reading ``journalctl``; in
JSON mode it is the ``exc`` field of the same line, for log collectors. Fields passed with
``extra=`` appear as further keys. The platform tokens never appear: the app's
``TokenRedactor`` filters every record, and the formatters replace any token left in the
finished line as well (a value in ``extra=`` the filter does not look at).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

REDACTED = "<TOKEN>"
_TRACEBACK = "\nTraceback (most recent call last):"
# Attributes every LogRecord has; anything else came from ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class _Structured(logging.Formatter):
    def __init__(self, zone: ZoneInfo, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self._zone = zone
        self._secrets = tuple(s for s in secrets if s)

    def fields(self, record: logging.LogRecord) -> tuple[dict[str, Any], str]:
        """The record's fields and its traceback ("" when none)."""
        moment = datetime.fromtimestamp(record.created, self._zone)
        message = record.getMessage()
        exc = ""
        if record.exc_info:
            exc = self.formatException(record.exc_info)
        elif _TRACEBACK in message:
            # The app's TokenRedactor folds a traceback that held a token into the message
            # (it cannot rewrite exc_info): put it back where it belongs.
            message, _, rest = message.partition(_TRACEBACK)
            exc = _TRACEBACK.lstrip("\n") + rest
        out: dict[str, Any] = {
            "ts": moment.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": message,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        return out, exc

    def redact(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return line


class KeyValueFormatter(_Structured):
    def format(self, record: logging.LogRecord) -> str:
        fields, exc = self.fields(record)
        line = " ".join(f"{key}={_kv(value)}" for key, value in fields.items())
        if exc:
            line += "\n" + "\n".join("    " + part for part in exc.splitlines())
        return self.redact(line)


class JsonFormatter(_Structured):
    def format(self, record: logging.LogRecord) -> str:
        fields, exc = self.fields(record)
        if exc:
            fields["exc"] = exc
        return self.redact(json.dumps(fields, ensure_ascii=False, default=str))


def _kv(value: Any) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\\\n\r\t'):
        return text
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def configure_logging(
    level: str,
    fmt: str,
    timezone: str,
    secrets: Sequence[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """One handler on the root logger (replacing any), writing to stderr (journald under
    systemd). Returns the handler (the app adds its token filter to it)."""
    zone = ZoneInfo(timezone)
    formatter: logging.Formatter = (
        JsonFormatter(zone, secrets) if fmt == "json" else KeyValueFormatter(zone, secrets)
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs request URLs, which contain the bot token, at INFO; APScheduler logs every
    # tick at INFO, which would drown the sandbox conversation.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
