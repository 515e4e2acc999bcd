"""Export and deletion of a workspace on a real SQLite file (storage.privacy): the export
holds every row of the workspace; after the deletion nothing of it is left, and the other
workspace, the outbox to other chats and the bot-wide tables are untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from storage.sqlite import open_store
from tests.conftest import Harness

OTHER = """
@user 1200 Phạm Văn Khác
@owner 1200
@user 1201 Vũ Thị Hoa
@chat g2 group Nhóm xã Tân Hòa
1200 @ g2: /khoitao Nhóm xã Tân Hòa
1200 @ g2: /napmau tayninh
1200 @ g2: /gan mttq quantri 1200
1200 @ g2: /gan tinhdoan baocao 1201
1200 @ g2: /gan hnd baocao 1002
"""

WEEK = """
@clock 2026-11-23 08:00
1002 @ dm: 1. 12
  2. 450
1201 @ dm: 1. 7
1005 @ dm: 1. 3
1005 @ dm: /roikhoi
@clock 2026-11-27 17:00
"""


def snapshot(path: Path) -> dict[str, set[tuple[Any, ...]]]:
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: set(con.execute(f"SELECT * FROM {t}")) for t in tables}
    finally:
        con.close()


def as_rows(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(r.values()) for r in rows}


async def two_workspaces(h: Harness) -> tuple[int, int]:
    ws_a = (await h.campaign()).workspace_id
    await h.play(OTHER)
    await h.play(WEEK)
    (ws_b,) = [w.id for w in await h.store.workspaces.all() if w.id != ws_a]
    return ws_a, ws_b


async def test_export_then_delete_leaves_nothing_of_it_and_the_rest_untouched(
    tayninh: Harness, tmp_path: Path
) -> None:
    h = tayninh
    ws_a, ws_b = await two_workspaces(h)
    path = tmp_path / "bot.db"
    privacy = h.store.privacy
    export_a = await privacy.export_workspace(ws_a)
    export_b = await privacy.export_workspace(ws_b)
    # The export reaches every table under the workspace, found from the foreign keys.
    assert {"org_units", "members", "campaigns", "submissions", "submission_versions"} <= set(
        export_a
    )
    assert {"period_totals", "cycle_steps", "audit_log", "chat_bindings"} <= set(export_a)
    assert len(export_a["workspaces"]) == 1 and export_a["submission_versions"]
    assert export_b["submission_versions"] and export_b["cycle_steps"]
    # The week's prompts and reminders of both are in the outbox.
    before = snapshot(path)
    campaigns_a = {r["id"] for r in export_a["campaigns"]}
    assert any(key.startswith(f"c{min(campaigns_a)}:") for _, key, *_ in before["outbox"])

    async with h.store.transaction():
        counts = await privacy.delete_workspace(ws_a)
    assert counts["workspaces"] == 1 and counts["submission_versions"] == len(
        export_a["submission_versions"]
    )
    after = snapshot(path)
    # Exactly the exported rows are gone from the workspace's tables.
    for table, rows in export_a.items():
        assert after[table] == before[table] - as_rows(rows), table
    # The other workspace is the same, row for row.
    assert await privacy.export_workspace(ws_b) == export_b
    assert await privacy.export_workspace(ws_a) == {t: [] for t in export_a}
    # Nothing to send for it any more; the other workspace's messages are still due.
    outbox_a = {
        row
        for row in before["outbox"]
        if any(row[1].startswith(f"c{c}:") for c in campaigns_a) or row[3] in {"g1", "ld"}
    }
    assert outbox_a and after["outbox"] == before["outbox"] - outbox_a
    assert any(row[3] == "g2" for row in after["outbox"])
    # Bot-wide tables are untouched.
    assert after["inbound_log"] == before["inbound_log"]
    assert after["channel_usage"] == before["channel_usage"]
    # Caches forget it too: the repositories answer from the database.
    assert await h.store.workspaces.get(ws_a) is None
    assert await h.store.chats.get("sandbox", "g1") == []
    assert [m.workspace_id for m in await h.store.members.for_user("sandbox", "1002")] == [ws_b]
    assert await h.store.orgs.all(ws_a, include_inactive=True) == []
    # The file is consistent: no dangling reference, integrity intact, reopens cleanly.
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for (table,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall():
            cols = [c[1] for c in con.execute(f"PRAGMA table_info({table})")]
            if "workspace_id" in cols:
                left = con.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE workspace_id = ?",
                    (ws_a,),
                ).fetchone()
                assert left == (0,), table
    finally:
        con.close()
    store = await open_store(path)
    try:
        assert await store.workspaces.get(ws_b) is not None
    finally:
        await store.close()


async def test_a_failed_deletion_changes_nothing(tayninh: Harness, tmp_path: Path) -> None:
    """The deletion runs in the caller's transaction: an error inside it rolls back all."""
    h = tayninh
    ws_a, _ = await two_workspaces(h)
    path = tmp_path / "bot.db"
    before = snapshot(path)
    try:
        async with h.store.transaction():
            await h.store.privacy.delete_workspace(ws_a)
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert snapshot(path) == before
    assert await h.store.workspaces.get(ws_a) is not None
    assert await h.store.members.for_user("sandbox", "1001") != []
