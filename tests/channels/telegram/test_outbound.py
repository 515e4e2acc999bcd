"""Pure translation rules of the Telegram adapter: escaping, splitting, keyboards, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.outbound import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    escape,
    keyboard,
    mention_line,
    plan,
    split_escaped,
)
from bot.channels.telegram.sender import delivery_error
from bot.core.events import Choice, OutboundMessage


def test_escape_only_what_html_needs() -> None:
    assert escape('<b>Hội "A" & B</b>') == '&lt;b&gt;Hội "A" &amp; B&lt;/b&gt;'


def test_short_text_is_one_part() -> None:
    assert split_escaped("Dòng 1\nDòng 2") == ["Dòng 1\nDòng 2"]


def test_long_digest_splits_at_line_boundaries() -> None:
    lines = [f"{i}. Hội Nông dân tỉnh: 12 buổi & 1.200 lượt người" for i in range(400)]
    parts = split_escaped("\n".join(lines))
    assert len(parts) > 1
    assert all(len(p) <= TEXT_LIMIT for p in parts)
    rebuilt = "\n".join(parts).split("\n")
    assert rebuilt == [escape(line) for line in lines]


def test_caption_limit() -> None:
    parts = split_escaped("x " * 1000, CAPTION_LIMIT)
    assert all(len(p) <= CAPTION_LIMIT for p in parts)


@given(st.text(alphabet="ab &<>\nệ", max_size=3000), st.integers(min_value=20, max_value=200))
def test_split_never_exceeds_nor_cuts_an_entity(text: str, limit: int) -> None:
    for part in split_escaped(text, limit):
        assert 0 < len(part) <= limit
        # every & starts a whole entity
        for i, ch in enumerate(part):
            if ch == "&":
                assert part[i:].startswith(("&amp;", "&lt;", "&gt;"))


def test_keyboard_rows_and_callback_data() -> None:
    short = keyboard([Choice("Xác nhận", "ok"), Choice("Sửa lại", "edit"), Choice("Hủy", "cancel")])
    assert short is not None
    assert [[b.callback_data for b in row] for row in short.inline_keyboard] == [
        ["ok", "edit", "cancel"]
    ]
    long = keyboard([Choice("Báo cáo tuần của các đơn vị", "campaign:1"), Choice("Hủy", "cancel")])
    assert long is not None and len(long.inline_keyboard) == 2
    assert keyboard([]) is None
    with pytest.raises(ValueError):
        keyboard([Choice("x", "y" * 65)])


def test_mentions_escape_names_and_go_last() -> None:
    line = mention_line(["1002", "x"], {"1002": "Bình <Tỉnh đoàn>"})
    assert line == '👤 <a href="tg://user?id=1002">Bình &lt;Tỉnh đoàn&gt;</a>'
    message = OutboundMessage("telegram", "-100", "Nhắc việc", mention_user_ids=("1002",))
    parts = plan(message, {"1002": "Bình"})
    assert parts[-1].text.endswith('<a href="tg://user?id=1002">Bình</a>')


def test_plan_reply_on_first_keyboard_on_last() -> None:
    message = OutboundMessage(
        "telegram",
        "5",
        "\n".join(["dòng dài " * 40] * 30),
        choices=(Choice("Xác nhận", "ok"),),
        reply_to_message_id="77",
    )
    parts = plan(message)
    assert len(parts) > 1
    assert parts[0].reply_to == 77 and all(p.reply_to is None for p in parts[1:])
    assert parts[-1].with_keyboard and not any(p.with_keyboard for p in parts[:-1])


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_error_mapping() -> None:
    e = delivery_error(RetryAfter(3))
    assert not e.permanent and e.retry_after == 3
    e = delivery_error(RetryAfter(timedelta(seconds=2)))
    assert e.retry_after == 2
    assert delivery_error(Forbidden("Forbidden: bot was blocked by the user")).permanent
    assert delivery_error(BadRequest("Bad Request: chat not found")).permanent
    assert delivery_error(ChatMigrated(-1001)).permanent
    assert not delivery_error(TimedOut()).permanent
    assert not delivery_error(NetworkError("Bad Gateway")).permanent
