"""Personal data and whole workspaces: what one person's rows are, a workspace's full export,
and the deletion of a workspace with everything in it (Decree 13/2023/ND-CP; see
docs/du-lieu-ca-nhan.md). Implements ``bot.services.ports.PrivacyRepo``.

No schema change: the queries follow the references of the existing tables. The export
gives every row as a mapping of column names to values (JSON documents stored as text stay
text, so the export is exactly what is stored); the deletion removes rows children first,
in the caller's transaction, so it happens entirely or not at all.
"""

# Table names, column conditions and "?" placeholders in the SQL below are constants of this
# module; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
from typing import Any

from bot.core.models import ConversationState
from storage.codec import decode_dt
from storage.db import Database

# Tables that hang off a workspace directly, in the order of the export.
_BY_WORKSPACE = (
    "org_units",
    "members",
    "invites",
    "chat_bindings",
    "templates",
    "campaigns",
    "workspace_settings",
    "audit_log",
)
# Tables that hang off a campaign.
_BY_CAMPAIGN = ("cycle_steps", "campaign_skips", "exemptions", "reopenings", "submissions")


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{k: row[k] for k in row.keys()} for row in rows]  # noqa: SIM118 (sqlite3.Row)


class SqlitePrivacyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

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

    async def _campaign_ids(self, workspace_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT id FROM campaigns WHERE workspace_id = ? ORDER BY id", (workspace_id,)
        )
        return [int(r["id"]) for r in rows]

    async def export_workspace(self, workspace_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row of the workspace, table by table."""
        out: dict[str, list[dict[str, Any]]] = {
            "workspaces": _rows(
                await self._db.fetchall("SELECT * FROM workspaces WHERE id = ?", (workspace_id,))
            )
        }
        for table in _BY_WORKSPACE:
            out[table] = _rows(
                await self._db.fetchall(
                    f"SELECT * FROM {table} WHERE workspace_id = ? ORDER BY rowid"
                    if table != "workspace_settings"
                    else f"SELECT * FROM {table} WHERE workspace_id = ? ORDER BY key",
                    (workspace_id,),
                )
            )
        campaigns = await self._campaign_ids(workspace_id)
        marks = ",".join("?" * len(campaigns))
        for table in _BY_CAMPAIGN:
            out[table] = (
                _rows(
                    await self._db.fetchall(
                        f"SELECT * FROM {table} WHERE campaign_id IN ({marks})", campaigns
                    )
                )
                if campaigns
                else []
            )
        out["submission_versions"] = (
            _rows(
                await self._db.fetchall(
                    "SELECT v.* FROM submission_versions v JOIN submissions s"
                    f" ON s.id = v.submission_id WHERE s.campaign_id IN ({marks})"
                    " ORDER BY v.id",
                    campaigns,
                )
            )
            if campaigns
            else []
        )
        return out

    async def delete_workspace(self, workspace_id: int) -> dict[str, int]:
        """Deletes the workspace and all its rows; returns how many rows per table.

        Also removed: dialog states about its campaigns or in its chats, and the outbox
        rows of its campaigns (prompts, reminders, digests, with their files) and to its
        group chats, so nothing of it is sent after the deletion."""
        counts: dict[str, int] = {}
        db = self._db

        async def delete(table: str, where: str, params: list[Any]) -> None:
            rows = await db.fetchall(f"DELETE FROM {table} WHERE {where} RETURNING 1", params)
            counts[table] = counts.get(table, 0) + len(rows)

        campaigns = await self._campaign_ids(workspace_id)
        chats = await db.fetchall(
            "SELECT DISTINCT channel, chat_id FROM chat_bindings WHERE workspace_id = ?",
            (workspace_id,),
        )
        if campaigns:
            marks = ",".join("?" * len(campaigns))
            for cid in campaigns:
                key = f"c{cid}:%"
                await delete(
                    "outbox_attachments",
                    "outbox_id IN (SELECT id FROM outbox WHERE dedupe_key LIKE ?)",
                    [key],
                )
                await delete("outbox", "dedupe_key LIKE ?", [key])
            await delete(
                "conversations",
                f"json_extract(data_json, '$.campaign_id') IN ({marks})",
                list(campaigns),
            )
            await delete(
                "submission_versions",
                f"submission_id IN (SELECT id FROM submissions WHERE campaign_id IN ({marks}))",
                list(campaigns),
            )
            for table in _BY_CAMPAIGN:
                await delete(table, f"campaign_id IN ({marks})", list(campaigns))
        for chat in chats:
            where = "channel = ? AND chat_id = ?"
            params = [chat["channel"], chat["chat_id"]]
            await delete(
                "outbox_attachments",
                f"outbox_id IN (SELECT id FROM outbox WHERE {where})",
                params,
            )
            await delete("outbox", where, params)
            await delete("conversations", where, params)
        for table in ("campaigns", "templates", "invites", "members", "chat_bindings"):
            await delete(table, "workspace_id = ?", [workspace_id])
        await delete("workspace_settings", "workspace_id = ?", [workspace_id])
        await delete("audit_log", "workspace_id = ?", [workspace_id])
        await delete("org_units", "workspace_id = ?", [workspace_id])
        await delete("workspaces", "id = ?", [workspace_id])
        return {k: v for k, v in counts.items() if v}
