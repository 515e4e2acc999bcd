"""Whole transcripts compared with their recorded output (tests/transcripts/*.out).

The recordings are the reviewed conversation: any change in what the bot says shows up
here as a diff. After an intended change, regenerate them with
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/dialog/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from bot.app import play_script

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = ROOT / "tests" / "transcripts"
CASES = {
    "demo_tayninh_tuan48": (ROOT / "bot" / "demo" / "tayninh_tuan48.txt", 48),
    "demo_tieuchi_ninhtho": (ROOT / "bot" / "demo" / "tieuchi_ninhtho.txt", 48),
    **{p.stem: (p, 1) for p in sorted(TRANSCRIPTS.glob("*.txt"))},
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_transcript_matches_recording(name: str, tmp_path: Path) -> None:
    script, seed = CASES[name]
    out = io.StringIO()
    lines = script.read_text(encoding="utf-8").splitlines()
    await play_script(lines, database=tmp_path / "t.db", out=out, seed=seed)
    recording = TRANSCRIPTS / f"{name}.out"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        recording.write_text(out.getvalue(), encoding="utf-8")
    assert recording.exists(), f"no recording for {name}: run with UPDATE_GOLDEN=1"
    assert out.getvalue() == recording.read_text(encoding="utf-8")
