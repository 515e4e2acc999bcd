"""SQLite implementation of ``bot.services.ports.DirectiveRepo`` (migration 0006).

Kept apart from ``storage.repositories`` so the directive tables have one home. Writes
that touch several rows (a directive and its addressed units) run in one transaction,
which joins the caller's when there is one (the directive and its outbox rows commit
together).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from sqlite3 import Row

from bot.core.directives import Ack, Answer, Directive
from bot.core.periods import Period
from bot.services.ports import NotFoundError
from storage.codec import decode_dt, decode_opt_dt, encode_dt, period_from_key
from storage.db import Database

_SELECT = (
    "SELECT d.*, (SELECT group_concat(org_id) FROM directive_orgs AS o"
    " WHERE o.directive_id = d.id) AS org_list FROM directives AS d"
)


def _directive(row: Row) -> Directive:
    raw = row["org_list"] or ""
    org_ids = tuple(sorted(int(x) for x in raw.split(",") if x))
    return Directive(
        id=row["id"],
        workspace_id=row["workspace_id"],
        number=row["number"],
        text=row["text"],
        created_by=row["created_by"],
        created_by_name=row["created_by_name"],
        created_at=decode_dt(row["created_at"]),
        org_ids=org_ids,
        source=row["source"],
        source_ref=row["source_ref"],
        closed_at=decode_opt_dt(row["closed_at"]),
        closed_by=row["closed_by"],
    )


def _answer(row: Row) -> Answer:
    return Answer(
        directive_id=row["directive_id"],
        org_id=row["org_id"],
        campaign_id=row["campaign_id"],
        period=period_from_key(row["period_key"]),
        text=row["text"],
        channel=row["channel"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        first_at=decode_dt(row["first_at"]),
        updated_at=decode_dt(row["updated_at"]),
    )


class SqliteDirectiveRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        workspace_id: int,
        text: str,
        org_ids: Sequence[int],
        created_by: str,
        created_by_name: str,
        now: datetime,
        source: str = "command",
        source_ref: str = "",
    ) -> Directive:
        async with self._db.transaction():
            try:
                row = await self._db.fetchone(
                    "INSERT INTO directives (workspace_id, number, text, created_by,"
                    " created_by_name, created_at, source, source_ref)"
                    " VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM directives"
                    " WHERE workspace_id = ?), ?, ?, ?, ?, ?, ?) RETURNING id",
                    (
                        workspace_id,
                        workspace_id,
                        text,
                        created_by,
                        created_by_name,
                        encode_dt(now),
                        source,
                        source_ref,
                    ),
                )
                assert row is not None
                new_id = int(row["id"])
                for org_id in dict.fromkeys(org_ids):
                    await self._db.execute(
                        "INSERT INTO directive_orgs (directive_id, org_id) VALUES (?, ?)",
                        (new_id, org_id),
                    )
            except sqlite3.IntegrityError as exc:
                raise NotFoundError(f"workspace {workspace_id} or one of {org_ids}") from exc
        made = await self.get(new_id)
        assert made is not None
        return made

    async def get(self, directive_id: int) -> Directive | None:
        row = await self._db.fetchone(_SELECT + " WHERE d.id = ?", (directive_id,))
        return None if row is None else _directive(row)

    async def by_number(self, workspace_id: int, number: int) -> Directive | None:
        row = await self._db.fetchone(
            _SELECT + " WHERE d.workspace_id = ? AND d.number = ?", (workspace_id, number)
        )
        return None if row is None else _directive(row)

    async def all(self, workspace_id: int, include_closed: bool = False) -> list[Directive]:
        if include_closed:
            rows = await self._db.fetchall(
                _SELECT + " WHERE d.workspace_id = ? ORDER BY d.number DESC", (workspace_id,)
            )
        else:
            rows = await self._db.fetchall(
                _SELECT + " WHERE d.workspace_id = ? AND d.closed_at IS NULL ORDER BY d.number",
                (workspace_id,),
            )
        return [_directive(r) for r in rows]

    async def open_all(self) -> list[Directive]:
        rows = await self._db.fetchall(
            _SELECT + " WHERE d.closed_at IS NULL ORDER BY d.workspace_id, d.number"
        )
        return [_directive(r) for r in rows]

    async def active_between(
        self, workspace_id: int, start: datetime, end: datetime
    ) -> list[Directive]:
        rows = await self._db.fetchall(
            _SELECT + " WHERE d.workspace_id = ? AND d.created_at < ?"
            " AND (d.closed_at IS NULL OR d.closed_at >= ?) ORDER BY d.number",
            (workspace_id, encode_dt(end), encode_dt(start)),
        )
        return [_directive(r) for r in rows]

    async def close(self, directive_id: int, by: str, now: datetime) -> bool:
        row = await self._db.fetchone(
            "UPDATE directives SET closed_at = ?, closed_by = ?"
            " WHERE id = ? AND closed_at IS NULL RETURNING id",
            (encode_dt(now), by, directive_id),
        )
        return row is not None

    async def acknowledge(
        self,
        directive_id: int,
        org_id: int,
        channel: str,
        user_id: str,
        display_name: str,
        now: datetime,
    ) -> bool:
        row = await self._db.fetchone(
            "INSERT INTO directive_acks (directive_id, org_id, channel, user_id, display_name,"
            " acked_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (directive_id, org_id) DO NOTHING RETURNING 1",
            (directive_id, org_id, channel, user_id, display_name, encode_dt(now)),
        )
        return row is not None

    async def acks(self, directive_id: int) -> list[Ack]:
        rows = await self._db.fetchall(
            "SELECT * FROM directive_acks WHERE directive_id = ? ORDER BY acked_at, org_id",
            (directive_id,),
        )
        return [
            Ack(
                directive_id=r["directive_id"],
                org_id=r["org_id"],
                channel=r["channel"],
                user_id=r["user_id"],
                display_name=r["display_name"],
                at=decode_dt(r["acked_at"]),
            )
            for r in rows
        ]

    async def answer(
        self,
        directive_id: int,
        org_id: int,
        campaign_id: int,
        period: Period,
        text: str,
        channel: str,
        user_id: str,
        display_name: str,
        now: datetime,
    ) -> None:
        stamp = encode_dt(now)
        await self._db.execute(
            "INSERT INTO directive_answers (directive_id, org_id, campaign_id, period_key, text,"
            " channel, user_id, display_name, first_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (directive_id, org_id, campaign_id, period_key) DO UPDATE SET"
            " text = excluded.text, channel = excluded.channel, user_id = excluded.user_id,"
            " display_name = excluded.display_name, updated_at = excluded.updated_at",
            (
                directive_id,
                org_id,
                campaign_id,
                period.key,
                text,
                channel,
                user_id,
                display_name,
                stamp,
                stamp,
            ),
        )

    async def answers(self, directive_id: int) -> list[Answer]:
        rows = await self._db.fetchall(
            "SELECT * FROM directive_answers WHERE directive_id = ? ORDER BY first_at, org_id",
            (directive_id,),
        )
        return [_answer(r) for r in rows]

    async def answers_for_period(self, campaign_id: int, period: Period) -> list[Answer]:
        rows = await self._db.fetchall(
            "SELECT * FROM directive_answers WHERE campaign_id = ? AND period_key = ?"
            " ORDER BY directive_id, first_at, org_id",
            (campaign_id, period.key),
        )
        return [_answer(r) for r in rows]

    async def mark_step(self, directive_id: int, step: str, slot: int, now: datetime) -> bool:
        row = await self._db.fetchone(
            "INSERT INTO directive_steps (directive_id, step, slot, done_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (directive_id, step, slot) DO NOTHING RETURNING 1",
            (directive_id, step, slot, encode_dt(now)),
        )
        return row is not None
