"""Self-assessment checklists (issue 9, part 4): villages answer the COVID-19 safety criteria
each month, the bot classifies each village and the digest shows the classes and changes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import Harness

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "mau-tu-danh-gia-an-toan-covid.yaml"

SETUP = """
@owner 1001
@user 1001 Nguyễn Văn An
@user 2001 Trần Văn Hữu
@user 2002 Lê Thị Đông
@user 2003 Phạm Văn Tây
@user 1007 Đặng Thị Giang
@chat g1 group Ban chỉ đạo Phong trào xã Ninh Thọ
@chat ld group Thường trực Ban chỉ đạo xã Ninh Thọ
@clock 2026-11-23 07:30
1001 @ g1: /khoitao Ban chỉ đạo Phong trào xã Ninh Thọ
1001 @ g1: /themdonvi phuhuu | Thôn Phú Hữu | Thôn Phú Hữu
  dongtho | Thôn Đông Thọ | Thôn Đông Thọ
  taytho | Thôn Tây Thọ | Thôn Tây Thọ
1001 @ g1: /gan phuhuu baocao 2001
1001 @ g1: /gan dongtho baocao 2002
1001 @ g1: /gan taytho baocao 2003
1001 @ g1: /gan - lanhdao 1007
1001 @ ld: /nhomlanhdao
"""


def _upload() -> str:
    body = textwrap.indent(SAMPLE.read_text(encoding="utf-8"), "  ")
    return "1001 @ dm: /thaymau\n" + body


@pytest.fixture
async def ninhtho(harness: Harness) -> Harness:
    await harness.play(SETUP)
    return harness


async def test_scratch(ninhtho: Harness) -> None:
    h = ninhtho
    out = await h.play(_upload())
    print(out)
    out = await h.play("@clock 2026-11-23 08:00")
    print(out)
    print(await h.play("2001 @ dm: đạt tất cả"))
    print(await h.play("2002 @ dm: không đạt: 5, 7"))
    print(await h.play("2003 @ dm: 1 có, 2 không, 3 có, 4-9 có"))
    print(await h.play("2003 @ dm: 1"))
    print(await h.play("@clock 2026-11-25 17:30"))
    print(await h.play("@clock 2026-12-01 08:30"))
    print(await h.play("2001 @ dm: không đạt 4"))
    print(await h.play("2002 @ dm: Đạt tất cả"))
    print(await h.play("2003 @ dm: /baocao\n  1c 2c 3c 4c 5k 6k 7c 8c 9c\n  10. Thiếu khẩu trang cho tổ tự quản"))
    print(await h.play("@clock 2026-12-25 17:30"))
    print(await h.play("1007 @ dm: /tonghop quý IV"))
    print(await h.play("1007 @ dm: /xuat excel quý IV"))
    print(await h.play("2001 @ dm: 1 có, 2 không"))
    print(await h.play("2001 @ dm: 1 có, 1 không, 12 có"))
    assert False
