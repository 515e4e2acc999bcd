"""Personal data and whole workspaces: what one person's rows are, a workspace's full export,
and the deletion of a workspace with everything in it (Decree 13/2023/ND-CP; see
docs/du-lieu-ca-nhan.md). Implements ``bot.services.ports.PrivacyRepo``.

No schema change: the tables of a workspace are found from the schema's foreign keys
(``SqlitePrivacyRepo._tables``), so a later migration's table is covered. The export
gives every row as a mapping of column names to values (JSON documents stored as text stay
text, so the export is exactly what is stored); the deletion removes rows children first,
in the caller's transaction, so it happens entirely or not at all.
"""

# Table names, column conditions and "?" placeholders in the SQL below are constants of this
# module; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.core.models import ConversationState
from storage.codec import decode_dt
from storage.db import Database


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{k: row[k] for k in row.keys()} for row in rows]  # noqa: SIM118 (sqlite3.Row)


class SqlitePrivacyRepo:
    """``drop_caches`` forgets every repository cache (``storage.db.RowCache``): the deletion
    writes past the repositories, so what they remember of the workspace must go too."""

    def __init__(self, db: Database, drop_caches: Callable[[], None] = lambda: None) -> None:
        self._db = db
        self._drop_caches = drop_caches
        self._plan: list[tuple[str, str]] | None = None

    async def versions_by_user(self, channel: str, user_id: str) -> list[dict[str, Any]]:
        """Every report version this person submitted, in any workspace, oldest first."""
        rows = await self._db.fetchall(
            "SELECT w.id AS workspace_id, w.name AS workspace, c.name AS campaign,"
            " s.period_key, o.code AS org_code, o.name AS org_name, v.version,"
            " v.submitted_at, v.late, v.values_json, v.photos_json, v.raw_text"
            " FROM submission_versions v"
            " JOIN submissions s ON s.id = v.submission_id"
            " JOIN campaigns c ON c.id = s.campaign_id"
            " JOIN workspaces w ON w.id = c.workspace_id"
            " JOIN org_units o ON o.id = s.org_id"
            " WHERE v.channel = ? AND v.user_id = ?"
            " ORDER BY v.submitted_at, v.id",
            (channel, user_id),
        )
        out: list[dict[str, Any]] = []
        for r in rows:
            out.append(
                {
                    "workspace_id": r["workspace_id"],
                    "workspace": r["workspace"],
                    "campaign": r["campaign"],
                    "period": r["period_key"],
                    "org_code": r["org_code"],
                    "org_name": r["org_name"],
                    "version": r["version"],
                    "submitted_at": decode_dt(r["submitted_at"]).isoformat(),
                    "late": bool(r["late"]),
                    "values": json.loads(r["values_json"]),
                    "photos": json.loads(r["photos_json"]),
                    "raw_text": r["raw_text"],
                }
            )
        return out

    async def states_for_user(self, channel: str, user_id: str) -> list[ConversationState]:
        rows = await self._db.fetchall(
            "SELECT * FROM conversations WHERE channel = ? AND user_id = ?", (channel, user_id)
        )
        return [
            ConversationState(
                channel=r["channel"],
                chat_id=r["chat_id"],
                user_id=r["user_id"],
                kind=r["kind"],
                data=json.loads(r["data_json"]),
                updated_at=decode_dt(r["updated_at"]),
            )
            for r in rows
        ]

    async def pseudonymize_versions(
        self, workspace_id: int, channel: str, user_id: str, pseudonym: str
    ) -> int:
        """The person's report versions in this workspace keep their figures, unit and time
        but lose the platform identity and the raw message (see docs/du-lieu-ca-nhan.md)."""
        rows = await self._db.fetchall(
            "UPDATE submission_versions SET user_id = ?, raw_text = ''"
            " WHERE channel = ? AND user_id = ? AND submission_id IN ("
            " SELECT s.id FROM submissions s JOIN campaigns c ON c.id = s.campaign_id"
            " WHERE c.workspace_id = ?) RETURNING 1",
            (pseudonym, channel, user_id, workspace_id),
        )
        return len(rows)

    async def _tables(self) -> list[tuple[str, str]]:
        """Every table holding rows of a workspace, parents first, each with the condition
        that selects the workspace's rows (each ``?`` is the workspace's id).

        Found from the schema's foreign keys, starting at ``workspaces``: a table a later
        migration adds under a workspace, a unit or a campaign is exported and deleted
        without touching this module. A table referenced through several paths (a report
        hangs off both its campaign and its unit) takes any of them (OR)."""
        if self._plan is not None:
            return self._plan
        names = [
            str(r["name"])
            for r in await self._db.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        # child -> [(parent, child columns, parent columns)]
        refs: dict[str, list[tuple[str, list[str], list[str]]]] = {}
        for name in names:
            keys: dict[int, tuple[str, list[str], list[str]]] = {}
            for r in await self._db.fetchall(f"PRAGMA foreign_key_list({name})"):
                _, cols, pcols = keys.setdefault(int(r["id"]), (str(r["table"]), [], []))
                cols.append(str(r["from"]))
                pcols.append(str(r["to"]))
            refs[name] = [k for k in keys.values() if k[0] != name]  # self-references: same rows
        where: dict[str, str] = {"workspaces": "id = ?"}
        order = ["workspaces"]
        changed = True
        while changed:  # parents before children (the graph of references has no cycles)
            changed = False
            for name in names:
                if name in where or not refs[name]:
                    continue
                parents = [r for r in refs[name] if r[0] in where or r[0] == "workspaces"]
                pending = [r for r in refs[name] if r[0] not in where and _reaches(r[0], refs)]
                if not parents or pending:
                    continue
                where[name] = " OR ".join(
                    f"({', '.join(cols)}) IN (SELECT {', '.join(pcols)} FROM {parent}"
                    f" WHERE {where[parent]})"
                    for parent, cols, pcols in parents
                )
                order.append(name)
                changed = True
        self._plan = [(name, where[name]) for name in order]
        return self._plan

    async def export_workspace(self, workspace_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of the workspace, table by table (parents first)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for table, where in await self._tables():
            out[table] = _rows(
                await self._db.fetchall(
                    f"SELECT * FROM {table} WHERE {where}", _bind(where, workspace_id)
                )
            )
        return out

    async def delete_workspace(self, workspace_id: int) -> dict[str, int]:
        """Deletes the workspace and all its rows; returns how many rows per table.

        Also removed: the outbox rows of its campaigns (prompts, reminders, digests, keys
        ``c{id}:…``, with their files) and those to its group chats, and the dialog states
        about it or in its chats, so nothing of it is sent or resumed after the deletion.
        Chats also bound to another workspace keep theirs."""
        counts: dict[str, int] = {}
        db = self._db

        async def delete(table: str, where: str) -> None:
            rows = await db.fetchall(
                f"DELETE FROM {table} WHERE {where} RETURNING 1", _bind(where, workspace_id)
            )
            counts[table] = counts.get(table, 0) + len(rows)

        only_ours = (
            "(channel, chat_id) IN (SELECT channel, chat_id FROM chat_bindings"
            " WHERE workspace_id = ?) AND (channel, chat_id) NOT IN (SELECT channel, chat_id"
            " FROM chat_bindings WHERE workspace_id <> ?)"
        )
        campaigns = "SELECT id FROM campaigns WHERE workspace_id = ?"
        outbox = (
            f"{only_ours} OR EXISTS (SELECT 1 FROM campaigns c WHERE c.workspace_id = ?"
            " AND outbox.dedupe_key LIKE 'c' || c.id || ':%')"
        )
        await delete("outbox_attachments", f"outbox_id IN (SELECT id FROM outbox WHERE {outbox})")
        await delete("outbox", outbox)
        await delete(
            "conversations",
            f"{only_ours} OR json_extract(data_json, '$.workspace_id') = ?"
            f" OR json_extract(data_json, '$.campaign_id') IN ({campaigns})",
        )
        for table, where in reversed(await self._tables()):
            await delete(table, where)
        self._drop_caches()
        return {k: v for k, v in counts.items() if v}


def _reaches(table: str, refs: dict[str, list[tuple[str, list[str], list[str]]]]) -> bool:
    """Whether ``table`` hangs, through its references, off ``workspaces``."""
    seen: set[str] = set()
    todo = [table]
    while todo:
        name = todo.pop()
        if name == "workspaces":
            return True
        if name in seen:
            continue
        seen.add(name)
        todo.extend(parent for parent, _, _ in refs.get(name, []))
    return False


def _bind(where: str, workspace_id: int) -> list[int]:
    """Every ``?`` of these conditions is the workspace's id (positional parameters: the
    transaction's memo of SELECTs keys on them)."""
    return [workspace_id] * where.count("?")
