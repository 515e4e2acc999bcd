"""Neutral messages -> plain Zalo text parts.

Zalo shows text as it is (no markup is sent, so nothing needs escaping), has no buttons and
no edits: choices become numbered lines ("1. Xác nhận") answered by typing the number or
the word, or, where a number would be read as data (guided questions), the words to type.
Texts are split at line boundaries into parts under Zalo's 2000-character limit (a line
longer than that is cut at a space). Mentions become a line of names. A document (the
``/mau tep`` export) cannot be sent through the Bot API: its text follows the message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.channels.parts import pack
from bot.channels.zalo import TEXT_LIMIT
from bot.core.events import Choice, OutboundMessage
from bot.core.text import chat_safe

PART_LIMIT = TEXT_LIMIT - 1  # "under 2000"


def choice_lines(choices: Sequence[Choice], numbered: bool) -> str:
    if not choices:
        return ""
    if numbered:
        lines = [f"{i}. {c.label}" for i, c in enumerate(choices, 1)]
        return "Đồng chí trả lời bằng số hoặc chữ:\n" + "\n".join(lines)
    words = " / ".join(f"“{c.label}”" for c in choices)
    return f"Hoặc gõ: {words}"


def mention_line(user_ids: Sequence[str], names: Mapping[str, str]) -> str:
    shown = [f"@{names[uid]}" for uid in user_ids if names.get(uid)]
    return "👤 " + ", ".join(shown) if shown else ""


def split_text(text: str, limit: int = PART_LIMIT) -> list[str]:
    """Parts of at most ``limit`` characters, cut at line boundaries where possible."""
    return pack((piece for line in text.split("\n") for piece in _fit(line, limit)), limit)


def _fit(line: str, limit: int) -> list[str]:
    pieces: list[str] = []
    rest = line
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip(" ")
    pieces.append(rest)
    return pieces


def render(message: OutboundMessage, names: Mapping[str, str] | None = None) -> str:
    blocks = [message.text.strip("\n")]
    choices = choice_lines(message.choices, message.numbered_choices)
    if choices:
        blocks.append(choices)
    mentions = mention_line(message.mention_user_ids, names or {})
    if mentions:
        blocks.append(mentions)
    if message.document is not None:
        try:
            content = message.document.content.decode("utf-8")
        except UnicodeDecodeError:
            content = ""
        if content:
            blocks.append(f"— {message.document.file_name} —\n{content.strip()}")
    return chat_safe("\n\n".join(b for b in blocks if b))


def plan(message: OutboundMessage, names: Mapping[str, str] | None = None) -> list[str]:
    """The sendMessage texts for one neutral message, in order."""
    return split_text(render(message, names))
