"""Neutral messages -> Zalo text: numbered choices, words where numbers are data,
parts under 2000 characters cut at line boundaries, documents as text."""

from __future__ import annotations

from bot.channels.zalo.outbound import PART_LIMIT, plan, render, split_text
from bot.core.events import Choice, OutboundMessage, OutDocument

CHOICES = (Choice("Xác nhận", "ok"), Choice("Sửa lại", "edit"), Choice("Hủy", "cancel"))


def msg(text: str, **kw: object) -> OutboundMessage:
    return OutboundMessage(channel="zalo", chat_id="u1", text=text, **kw)  # type: ignore[arg-type]


def test_choices_are_numbered_lines_when_a_number_decides() -> None:
    text = render(msg("Đồng chí kiểm tra lại:", choices=CHOICES))
    assert text.endswith("1. Xác nhận\n2. Sửa lại\n3. Hủy")
    assert "<" not in text and "*" not in text  # plain text, no markup


def test_choices_are_words_where_a_number_is_data() -> None:
    choices = (Choice("Bỏ qua", "skip"), Choice("Hủy", "cancel"))
    text = render(msg("Câu 1/15 – Số buổi?", choices=choices, numbered_choices=False))
    assert text.endswith("Hoặc gõ: “Bỏ qua” / “Hủy”")
    assert "1. Bỏ qua" not in text


def test_long_texts_split_under_2000_at_line_boundaries() -> None:
    lines = [f"{i}. Dòng số liệu thứ {i}: " + "x" * 40 for i in range(200)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1 and all(len(p) <= PART_LIMIT < 2000 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)  # nothing lost, cut between lines
    one_line = "chữ " * 1200
    pieces = split_text(one_line)
    assert all(len(p) <= PART_LIMIT for p in pieces)
    assert " ".join(pieces).split() == one_line.split()
    assert split_text("") == ["."]


def test_a_split_message_keeps_the_choices_at_the_end() -> None:
    parts = plan(msg("\n".join("y" * 100 for _ in range(40)), choices=CHOICES))
    assert len(parts) == 3 and parts[-1].endswith("3. Hủy")


def test_mentions_and_documents_become_text() -> None:
    text = render(
        msg("Nhắc việc", mention_user_ids=("u2", "u3")),
        names={"u2": "Trần Thị Bình"},
    )
    assert text.endswith("👤 @Trần Thị Bình")
    doc = OutDocument("mau.yaml", b"key: tuan\n")
    assert "— mau.yaml —\nkey: tuan" in render(msg("Mẫu báo cáo", document=doc))
