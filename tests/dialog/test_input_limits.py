"""Size limits on what people send (issue 8, hostile and clumsy input): long messages,
template documents (YAML safe loading without aliases, bounded nesting), photos per report;
and the settings that configure them and flood control. Each refusal is a polite Vietnamese
answer that changes nothing stored."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import InputLimits, build_services, flood_limits, make_sandbox, seeded_codes
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.periods import Period
from bot.core.template import TemplateError, parse_template_document
from tests.conftest import SETUP, TZ, Harness


@pytest.fixture
async def small(tmp_path: Path) -> AsyncIterator[Harness]:
    """The demo workspace with small limits: 300 characters, 3 photos, 2,000 for templates."""
    clock = ManualClock(datetime(2026, 11, 23, 7, 0, tzinfo=TZ))
    out = io.StringIO()
    limits = InputLimits(max_text=300, max_template_text=2_000, max_photos=3)
    async with build_services(
        tmp_path / "bot.db", clock=clock, new_code=seeded_codes(7), input_limits=limits
    ) as services:
        h = Harness(services, make_sandbox(services, out, "Asia/Ho_Chi_Minh"), out, clock)
        await h.play(SETUP)
        await h.play("@clock 2026-11-23 08:00")
        yield h


async def stored_photos(h: Harness) -> int:
    campaign = await h.campaign()
    org = await h.org("tinhdoan")
    current = await h.store.submissions.current_for_org(
        campaign.id, Period.from_key("2026-W48"), org.id
    )
    return -1 if current is None else len(current.photos)


async def test_photos_per_report_are_bounded_and_nothing_is_lost(small: Harness) -> None:
    h = small
    out = await h.play("1002 @ dm [photo 4]:")
    assert "Mỗi báo cáo giữ tối đa 3 ảnh" in out and "Đã nhận ảnh" not in out
    await h.play("1002 @ dm: 1. 5\n1002 @ dm: 1")
    assert "Đã lưu 2 ảnh" in await h.play("1002 @ dm [photo 2]:")
    out = await h.play("1002 @ dm [photo 2]:")
    assert "Báo cáo đã có 2 ảnh. Mỗi báo cáo giữ tối đa 3 ảnh" in out
    assert "vẫn giữ nguyên" in out
    assert await stored_photos(h) == 2
    # A correction carrying photos over the limit is refused too; the report stays.
    out = await h.play("1002 @ dm [photo 2]: 1. 6")
    assert "tối đa 3 ảnh" in out
    assert await stored_photos(h) == 2
    assert "Đã lưu 1 ảnh" in await h.play("1002 @ dm [photo]:")
    assert await stored_photos(h) == 3


async def test_long_messages_are_refused_politely(small: Harness) -> None:
    h = small
    out = await h.play("1002 @ dm: 1. 5 " + "x" * 400)
    assert "Tin nhắn quá dài (405 ký tự, tối đa 300)" in out
    assert await stored_photos(h) == -1  # nothing stored
    # Chatter in the group is not answered, however long.
    assert "bot ->" not in await h.play("1005 @ g1: " + "y" * 400)


async def test_template_documents_are_bounded_and_safely_loaded(small: Harness) -> None:
    h = small
    body = "\n".join(f"  # dòng chú thích {i}" for i in range(150))
    out = await h.play("1001 @ dm: /thaymau\n" + body)
    assert "Tin nhắn quá dài" in out and "tối đa 2.000" in out
    out = await h.play(
        """
        1001 @ dm: /thaymau
          key: &k tuan
          name: *k
          sections: []
        """
    )
    assert "tham chiếu YAML" in out
    out = await h.play("1001 @ dm: /thaymau\n  !!python/object/apply:os.system ['true']")
    assert "không đọc được tài liệu YAML/JSON" in out
    campaign = await h.campaign()
    assert campaign.name != "tuan"  # the template was not replaced


def test_yaml_bombs_and_deep_nesting_are_refused_fast() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    bomb = "\n".join([*levels, "key: x", "name: y", "sections: *i"])
    with pytest.raises(TemplateError, match="tham chiếu YAML"):
        parse_template_document(bomb)
    with pytest.raises(TemplateError, match="lồng nhau quá sâu"):
        parse_template_document("a: " + "[" * 50_000 + "]" * 50_000)
    with pytest.raises(TemplateError, match="lồng nhau quá sâu"):
        parse_template_document('{"a":' * 50_000 + "1" + "}" * 50_000)


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, **({"BOT_DATA_DIR": str(tmp_path)} | values))


def test_settings_configure_flood_control_and_limits(tmp_path: Path) -> None:
    defaults = settings(tmp_path)
    limits = flood_limits(defaults)
    assert limits is not None and limits.burst == 5 and limits.burst_window == timedelta(seconds=3)
    assert limits.sustained == 20 and limits.sustained_window == timedelta(seconds=60)
    assert InputLimits.from_settings(defaults) == InputLimits(20_000, 200_000, 20)
    custom = settings(
        tmp_path,
        BOT_FLOOD_BURST="8",
        BOT_FLOOD_BURST_SECONDS="2.5",
        BOT_FLOOD_SUSTAINED="40",
        BOT_FLOOD_SUSTAINED_SECONDS="120",
        BOT_MAX_TEXT_CHARS="5000",
        BOT_MAX_PHOTOS_PER_REPORT="5",
    )
    limits = flood_limits(custom)
    assert limits is not None and limits.burst == 8
    assert limits.burst_window == timedelta(seconds=2.5) and limits.sustained == 40
    assert InputLimits.from_settings(custom) == InputLimits(5_000, 200_000, 5)
    assert flood_limits(settings(tmp_path, BOT_FLOOD_BURST="0")) is None
