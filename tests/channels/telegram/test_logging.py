"""The bot token never reaches a log line, whoever writes it."""

from __future__ import annotations

import io
import logging

from bot.app import TokenRedactor

TOKEN = "123456:SECRET-token"


def test_token_is_redacted_from_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenRedactor(TOKEN))
    log = logging.getLogger("test.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
        except RuntimeError:
            log.exception("send failed")
    finally:
        log.removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text
    assert text.count("<TOKEN>") >= 2 and "RuntimeError" in text
