"""Bad input gets a clear Vietnamese reply and loses nothing already stored."""

from __future__ import annotations

from bot.core.events import Chat, InboundMessage, Sender
from bot.core.models import ChatKind, SubmissionVersion
from bot.core.periods import Period
from tests.conftest import Harness


async def _reported(h: Harness) -> None:
    await h.play(
        """
        @clock 2026-11-23 08:00
        1002 @ dm: 1. Số buổi tuyên truyền, vận động: 12
          3. Tiền vận động: 45,5 triệu
        """
    )


async def _current(h: Harness) -> SubmissionVersion | None:
    campaign = (await h.store.campaigns.list_active())[0]
    org = await h.org("tinhdoan")
    return await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )


async def test_garbage_never_loses_the_stored_report(tayninh: Harness) -> None:
    h = tayninh
    await _reported(h)
    before = await _current(h)
    assert before is not None and before.values["so_buoi_tuyen_truyen"] == 12
    for text in (
        "🙂🙂🙂",
        "<b>đậm</b> <script>alert(1)</script>",
        "'; DROP TABLE submissions; --",
        "1. Số buổi tuyên truyền: -5",
        "1. Số buổi tuyên truyền: 1,5",
        "3. Tiền vận động: 12abc triệu",
        "\u0000\u0007\u202e",
    ):
        out = await h.play(f"1002 @ dm: {text}")
        assert out.strip(), text
        assert "Traceback" not in out and "Error" not in out
        await h.play("1002 @ dm: /huy")
    after = await _current(h)
    assert after is not None and after.version == before.version and after.values == before.values


async def test_ambiguous_number_is_asked_not_guessed(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00")
    out = await tayninh.play("1002 @ dm: 1. Số buổi tuyên truyền, vận động: 1,500")
    assert "Cần sửa trước khi lưu" in out
    assert await _current(tayninh) is None
    out = await tayninh.play("1002 @ dm: 1. 1500")
    assert "1.500" in out and "[1] Xác nhận" in out
    out = await tayninh.play("1002 @ dm: 1")
    assert "✅ Đã ghi nhận" in out
    current = await _current(tayninh)
    assert current is not None and current.values["so_buoi_tuyen_truyen"] == 1500


async def test_missing_required_field_blocks_saving(tayninh: Harness) -> None:
    await tayninh.play("@clock 2026-11-23 08:00")
    out = await tayninh.play("1002 @ dm: 3. Tiền vận động: 10 triệu\n  5. Số suất quà: 20")
    assert "Chưa có số liệu bắt buộc" in out and "1. Số buổi tuyên truyền, vận động" in out
    out = await tayninh.play("1002 @ dm: 1")
    assert await _current(tayninh) is None
    out = await tayninh.play("1002 @ dm: 1. 7")
    assert "[1] Xác nhận" in out
    await tayninh.play("1002 @ dm: 1")
    current = await _current(tayninh)
    assert current is not None
    assert current.values == {
        "so_buoi_tuyen_truyen": 7,
        "tien_van_dong": 10_000_000,
        "suat_qua": 20,
    }


async def test_huge_message_is_refused_politely(tayninh: Harness) -> None:
    h = tayninh
    await _reported(h)
    chat = Chat("sandbox", "1002", ChatKind.PRIVATE, "")
    event = InboundMessage(
        chat=chat,
        sender=Sender("sandbox", "1002", "Trần Thị Bình"),
        message_id="huge-1",
        text="1. Số buổi tuyên truyền: 5\n" + "x" * 100_000,
        at=h.clock.now(),
    )
    replies = await h.services.engine.handle(event)
    assert len(replies) == 1 and "quá dài" in replies[0].text
    current = await _current(h)
    assert current is not None and current.values["so_buoi_tuyen_truyen"] == 12


async def test_redelivered_message_changes_nothing(tayninh: Harness) -> None:
    h = tayninh
    await h.play("@clock 2026-11-23 08:00")
    event = InboundMessage(
        chat=Chat("sandbox", "1002", ChatKind.PRIVATE, ""),
        sender=Sender("sandbox", "1002", "Trần Thị Bình"),
        message_id="dup-1",
        text="1. Số buổi tuyên truyền, vận động: 9",
        at=h.clock.now(),
    )
    first = await h.services.engine.handle(event)
    second = await h.services.engine.handle(event)
    assert first and "✅" in first[0].text
    assert second == []
    campaign = (await h.store.campaigns.list_active())[0]
    org = await h.org("tinhdoan")
    history = await h.store.submissions.history(campaign.id, Period.from_key("2026-W48"), org.id)
    assert len(history) == 1


async def test_markup_in_names_and_replies_passes_through_unchanged(tayninh: Harness) -> None:
    await tayninh.play('1001 @ g1: /themdonvi xa1 | <b>Xã</b> & "Tân" | <i>X</i>')
    out = await tayninh.play("1001 @ g1: /donvi")
    assert '<b>Xã</b> & "Tân"' in out
