"""Every cell of the permission matrix, on every channel's identity and chat model.

The expected outcomes come from one table (``tests/dialog/permission_matrix.py``), which
also writes the table in docs/phan-quyen.md; a test here keeps the two identical. Each
cell runs on a fresh copy of a prepared workspace, and besides the answer it checks what
the cell changed: a refused or silent cell changes nothing stored, and a cell that changes
the set-up (roles, schedules, templates, units, chats...) leaves an entry in the audit log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import messages as msg
from tests.dialog import permission_matrix as pm

DOC = Path(__file__).resolve().parents[2] / "docs" / "phan-quyen.md"
# What people send (reports, directives, the registry of good models) is its own record,
# not set-up: no audit entry is needed for it.
UNAUDITED = set(pm.CONTENT_TABLES)


@pytest.mark.parametrize("channel", sorted(pm.CHANNELS))
async def test_every_cell(channel: str, tmp_path: Path) -> None:
    cell = await pm.prepare(pm.CHANNELS[channel], tmp_path / "template.db")
    wrong: list[str] = []
    for row in pm.ROWS:
        for place, _ in pm.PLACES:
            for role, _ in pm.ROLES:
                outcome = await pm.run_cell(cell, row, role, place, tmp_path)
                got = outcome.classify(row)
                want = pm.expected(channel, row, role, place)
                where = f"{row} / {role} / {place}"
                if any(msg.GENERIC_ERROR in r for r in outcome.replies):
                    wrong.append(f"{where}: internal error")
                elif got != want:
                    wrong.append(f"{where}: expected {want}, got {got}: {outcome.replies}")
                elif want != pm.OK and outcome.changed:
                    wrong.append(f"{where}: refused but changed {outcome.changed}")
                elif set(outcome.changed) - UNAUDITED and not outcome.audited:
                    wrong.append(f"{where}: changed {outcome.changed} without an audit entry")
    assert not wrong, "\n".join(wrong)


def test_the_table_covers_every_command_and_cell() -> None:
    from bot.core.commands import COMMANDS

    missing = [c.name for c in COMMANDS if c.name not in pm.EXPECTED or c.name not in pm.ARGS]
    assert not missing, (
        f"commands with no row in the permission matrix: {missing}. Add each to EXPECTED "
        "and ARGS in tests/dialog/permission_matrix.py, then regenerate docs/phan-quyen.md "
        "with: python -m tests.dialog.permission_matrix --write"
    )
    assert [c.name for c in COMMANDS] == [r for r in pm.ROWS if pm.command_row(r)]
    assert set(pm.EXPECTED) == set(pm.ROWS)
    for row, cells in pm.EXPECTED.items():
        assert len(cells) == len(pm.ROLES) * len(pm.PLACES), row
        assert set(cells.values()) <= {pm.OK, pm.SILENT, *pm.REFUSALS}, row
    assert set(pm.ARGS) == {c.name for c in COMMANDS}


def test_the_document_shows_this_table() -> None:
    text = DOC.read_text("utf-8")
    assert pm.BEGIN in text and pm.END in text
    shown = text.split(pm.BEGIN, 1)[1].split(pm.END, 1)[0].strip("\n")
    assert shown == pm.render_markdown().strip("\n"), (
        "docs/phan-quyen.md is out of date: python -m tests.dialog.permission_matrix --write"
    )
