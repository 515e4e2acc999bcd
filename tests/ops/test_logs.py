"""Structured logs: key=value by default, JSON lines on request; the tokens never appear."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.app import TokenRedactor
from bot.ops.logs import JsonFormatter, KeyValueFormatter, configure_logging
from tests.fakes.telegram_api import TOKEN
from tests.fakes.zalo_api import TOKEN as ZALO_TOKEN


@pytest.fixture
def root_restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in handlers:
            root.addHandler(h)
        root.setLevel(level)


def _emit(fmt: str) -> list[str]:
    stream = io.StringIO()
    handler = configure_logging("INFO", fmt, "Asia/Ho_Chi_Minh", [TOKEN, ZALO_TOKEN], stream)
    handler.addFilter(TokenRedactor(TOKEN))  # as the app does (bot.app._redact_token)
    log = logging.getLogger("bot.test")
    log.info("ready: %s", "bot @BaoCaoTuanBot")
    log.warning(
        'two lines\nand "quotes" = here', extra={"chat": "g1", "url": f"/bot{ZALO_TOKEN}/x"}
    )
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("send failed")
    logging.getLogger("httpx").info("HTTP Request: POST /bot%s/getMe", TOKEN)  # muted
    return stream.getvalue().splitlines()


def test_key_value_lines(root_restored: None) -> None:
    lines = _emit("text")
    text = "\n".join(lines)
    assert TOKEN not in text and ZALO_TOKEN not in text and "<TOKEN>" in text
    assert lines[0].startswith("ts=") and "+07:00" in lines[0].split()[0]
    assert 'level=INFO logger=bot.test msg="ready: bot @BaoCaoTuanBot"' in lines[0]
    assert 'msg="two lines\\nand \\"quotes\\" = here" chat=g1 url=/bot<TOKEN>/x' in lines[1]
    assert "level=ERROR" in lines[2] and 'msg="send failed"' in lines[2]
    # The traceback follows, indented, for people reading journalctl.
    assert lines[3].startswith("    Traceback") and "RuntimeError" in lines[-1]
    assert not any("HTTP Request" in line for line in lines)


def test_json_lines(root_restored: None) -> None:
    lines = _emit("json")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) == 3
    assert records[0]["level"] == "INFO" and records[0]["msg"] == "ready: bot @BaoCaoTuanBot"
    assert records[1]["chat"] == "g1" and records[1]["url"] == "/bot<TOKEN>/x"
    assert records[1]["msg"] == 'two lines\nand "quotes" = here'
    assert "Traceback" in records[2]["exc"] and "<TOKEN>" in records[2]["exc"]
    assert TOKEN not in "\n".join(lines)


def test_formatters_redact_what_filters_do_not_see() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    record.detail = f"https://api.telegram.org/bot{TOKEN}/getMe"
    for formatter in (KeyValueFormatter, JsonFormatter):
        line = formatter(__import__("zoneinfo").ZoneInfo("UTC"), [TOKEN]).format(record)
        assert TOKEN not in line and "<TOKEN>" in line
