"""The guide stays in step with the command table: every command is documented."""

from __future__ import annotations

from pathlib import Path

from bot.core.commands import COMMANDS

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "huong-dan.md"


def test_every_command_and_alias_is_in_the_guide_table() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    missing = [f"/{c.name}" for c in COMMANDS if f"| `/{c.name}` |" not in text]
    assert missing == []
    for spec in COMMANDS:
        for alias in spec.aliases:
            if alias == "start":
                continue  # documented as the deep-link form of /thamgia
            assert f"/{alias}" in text, alias
