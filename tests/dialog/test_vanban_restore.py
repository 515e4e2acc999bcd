"""/vanban mặc định's restore lines, sent back verbatim, restore
every item exactly (workspace and a commune level)."""

from __future__ import annotations

from tests.conftest import Harness
from tests.dialog.test_hierarchy import province

ITEMS = [
    "cơ quan cấp trên | Hội Nông dân tỉnh",
    "cơ quan ban hành | Ban Thường vụ",
    "ký hiệu | 12/BC-HND",
    "địa danh | Tây Ninh",
    "thẩm quyền ký | TM. BAN THƯỜNG VỤ",
    "chức vụ người ký | Phó Chủ tịch | thường trực",
    "người ký | Nguyễn Văn An",
    "nơi nhận | - Thường trực Tỉnh ủy;\n  - Lưu: VT",
]


async def roundtrip(h: Harness, code: str) -> None:
    for item in ITEMS:
        out = await h.play(f"1001 @ g1: /vanban {code}{item}")
        assert "Đã lưu" in out, out
    before = await h.play(f"1001 @ g1: /vanban {code}".rstrip())
    out = await h.play(f"1001 @ g1: /vanban {code}mặc định")
    lines = [ln for ln in out.splitlines() if ln.lstrip().startswith("/vanban")]
    assert len(lines) == len(ITEMS), out
    for ln in lines:
        back = await h.play(f"1001 @ g1: {ln.strip()}")
        assert "Đã lưu" in back, (ln, back)
    after = await h.play(f"1001 @ g1: /vanban {code}".rstrip())
    assert after == before


async def test_vanban_reset_roundtrip_workspace(harness: Harness) -> None:
    await province(harness)
    await roundtrip(harness, "")


async def test_vanban_reset_roundtrip_level(harness: Harness) -> None:
    await province(harness)
    await roundtrip(harness, "xa_tanhoa ")


async def test_vanban_reset_roundtrip_blanked_item(harness: Harness) -> None:
    """An item set to blank (``/vanban ký hiệu |``) is listed and put back as blank."""
    h = harness
    await province(h)
    out = await h.play("1001 @ g1: /vanban ký hiệu |")
    assert "Đã lưu" in out, out
    before = await h.play("1001 @ g1: /vanban")
    out = await h.play("1001 @ g1: /vanban mặc định")
    lines = [ln.strip() for ln in out.splitlines() if ln.lstrip().startswith("/vanban")]
    assert len(lines) == 1, out
    back = await h.play(f"1001 @ g1: {lines[0]}")
    assert "Đã lưu" in back, back
    assert await h.play("1001 @ g1: /vanban") == before
