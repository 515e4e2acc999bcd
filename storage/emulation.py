"""SQLite implementation of ``EmulationRepo`` (the emulation registry, migration 0008).

Kept apart from ``storage.repositories`` so the registry's storage reads as one piece.
Numbers are allocated per workspace inside the insert's transaction (``MAX(number) + 1``
under SQLite's single writer), so two entries never share a number and a removed entry's
number is never given again. Rows are never deleted: removal and shortlisting are columns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from bot.core.emulation import EmulationEntry, EntryKind
from bot.services.ports import NotFoundError, PickedItem
from storage.codec import (
    decode_dt,
    decode_opt_dt,
    decode_strings,
    encode_dt,
    encode_strings,
    period_from_key,
)
from storage.db import Database

Row = sqlite3.Row


def _entry(row: Row) -> EmulationEntry:
    return EmulationEntry(
        id=row["id"],
        workspace_id=row["workspace_id"],
        number=row["number"],
        org_id=row["org_id"],
        campaign_id=row["campaign_id"],
        period=period_from_key(row["period_key"]),
        field_key=row["field_key"],
        kind=EntryKind(row["kind"]),
        title=row["title"],
        text=row["text"],
        photos=decode_strings(row["photos_json"]),
        source=row["source"],
        marked_by=row["marked_by"],
        marked_by_name=row["marked_by_name"],
        marked_at=decode_dt(row["marked_at"]),
        updated_at=decode_dt(row["updated_at"]),
        shortlisted_at=decode_opt_dt(row["shortlisted_at"]),
        shortlisted_by=row["shortlisted_by"],
        shortlisted_by_name=row["shortlisted_by_name"],
        shortlist_note=row["shortlist_note"],
        removed_at=decode_opt_dt(row["removed_at"]),
        removed_by=row["removed_by"],
    )


class SqliteEmulationRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        workspace_id: int,
        org_id: int,
        campaign_id: int,
        period_key: str,
        field_key: str,
        kind: EntryKind,
        title: str,
        text: str,
        photos: Sequence[str],
        source: str,
        marked_by: str,
        marked_by_name: str,
        now: datetime,
    ) -> EmulationEntry:
        period = period_from_key(period_key)
        at = encode_dt(now)
        params = (
            workspace_id, workspace_id, org_id, campaign_id, period.key, period.type.value,
            period.start.isoformat(), field_key, kind.value, title, text, encode_strings(photos),
            source, marked_by, marked_by_name, at, at,
        )  # fmt: skip
        sql = (
            "INSERT INTO emulation_entries (workspace_id, number, org_id, campaign_id,"
            " period_key, period_type, period_start, field_key, kind, title, text, photos_json,"
            " source, marked_by, marked_by_name, marked_at, updated_at)"
            " VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM emulation_entries"
            " WHERE workspace_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *"
        )
        try:
            async with self._db.transaction():
                row = await self._db.fetchone(sql, params)
        except sqlite3.IntegrityError as exc:
            raise NotFoundError(
                f"emulation entry: a referenced row does not exist ({exc})"
            ) from exc
        assert row is not None
        return _entry(row)

    async def get(self, workspace_id: int, number: int) -> EmulationEntry | None:
        row = await self._db.fetchone(
            "SELECT * FROM emulation_entries WHERE workspace_id = ? AND number = ?",
            (workspace_id, number),
        )
        return None if row is None else _entry(row)

    async def for_report(
        self, campaign_id: int, period_key: str, org_id: int
    ) -> list[EmulationEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM emulation_entries WHERE campaign_id = ? AND period_key = ?"
            " AND org_id = ? ORDER BY number",
            (campaign_id, period_key, org_id),
        )
        return [_entry(r) for r in rows]

    async def in_range(
        self, workspace_id: int, first: date | None = None, end: date | None = None
    ) -> list[EmulationEntry]:
        sql = "SELECT * FROM emulation_entries WHERE workspace_id = ? AND removed_at IS NULL"
        params: list[object] = [workspace_id]
        if first is not None:
            sql += " AND period_start >= ?"
            params.append(first.isoformat())
        if end is not None:
            sql += " AND period_start < ?"
            params.append(end.isoformat())
        rows = await self._db.fetchall(sql + " ORDER BY number", tuple(params))
        return [_entry(r) for r in rows]

    async def _update(self, entry_id: int, sets: str, params: Sequence[object]) -> EmulationEntry:
        row = await self._db.fetchone(
            f"UPDATE emulation_entries SET {sets} WHERE id = ? RETURNING *",  # noqa: S608
            (*params, entry_id),
        )
        if row is None:
            raise NotFoundError(f"emulation entry {entry_id}")
        return _entry(row)

    async def update_content(
        self, entry_id: int, text: str, photos: Sequence[str], now: datetime
    ) -> EmulationEntry:
        return await self._update(
            entry_id,
            "text = ?, photos_json = ?, updated_at = ?",
            (text, encode_strings(photos), encode_dt(now)),
        )

    async def set_title(self, entry_id: int, title: str, now: datetime) -> EmulationEntry:
        return await self._update(entry_id, "title = ?, updated_at = ?", (title, encode_dt(now)))

    async def shortlist(
        self, entry_id: int, by: str, by_name: str, note: str, now: datetime
    ) -> EmulationEntry:
        return await self._update(
            entry_id,
            "shortlisted_at = ?, shortlisted_by = ?, shortlisted_by_name = ?,"
            " shortlist_note = ?, updated_at = ?",
            (encode_dt(now), by, by_name, note, encode_dt(now)),
        )

    async def unshortlist(self, entry_id: int, now: datetime) -> EmulationEntry:
        return await self._update(
            entry_id,
            "shortlisted_at = NULL, shortlisted_by = NULL, shortlisted_by_name = '',"
            " shortlist_note = '', updated_at = ?",
            (encode_dt(now),),
        )

    async def remove(self, entry_id: int, by: str, now: datetime) -> EmulationEntry:
        return await self._update(
            entry_id,
            "removed_at = ?, removed_by = ?, updated_at = ?",
            (encode_dt(now), by, encode_dt(now)),
        )

    # -- the numbered list last shown to a person in a chat ------------------------------
    async def save_pick(
        self, channel: str, chat_id: str, user_id: str, items: Sequence[PickedItem], now: datetime
    ) -> None:
        data = json.dumps([list(i) for i in items], ensure_ascii=False, separators=(",", ":"))
        await self._db.execute(
            "INSERT INTO emulation_picks (channel, chat_id, user_id, items_json, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, chat_id, user_id) DO UPDATE SET"
            " items_json = excluded.items_json, created_at = excluded.created_at",
            (channel, chat_id, user_id, data, encode_dt(now)),
        )

    async def pick(self, channel: str, chat_id: str, user_id: str) -> list[PickedItem] | None:
        row = await self._db.fetchone(
            "SELECT items_json FROM emulation_picks"
            " WHERE channel = ? AND chat_id = ? AND user_id = ?",
            (channel, chat_id, user_id),
        )
        if row is None:
            return None
        raw = json.loads(row["items_json"])
        return [(int(c), str(p), int(o), str(f)) for c, p, o, f in raw]
