"""SQLite implementations of the repository protocols in ``bot.services.ports``.

Each repository holds the shared ``Database``; every statement uses bound parameters.
Single-statement writes rely on SQLite's statement atomicity (``INSERT ... ON CONFLICT ...
RETURNING``); multi-statement writes open ``db.transaction()``, which joins the caller's
transaction when there is one.

Caches (rules in ``storage.db``): workspaces, organizations, members, chat bindings,
campaigns and conversation states are read through ``RowCache``s, which every write method
of the same repository drops; a member's upsert that changes nothing and the clearing of a
conversation known to be absent write nothing. Every write to those tables goes through
these repositories.

Errors: unique-key collisions raise ``DuplicateError`` where the protocol says so; an
update of a missing row raises ``NotFoundError``; so does a write that references a row
that does not exist (or belongs to another workspace), since the services should not have
to know ``sqlite3.IntegrityError``. Deletes (``remove``, ``unbind``, ``clear``) are
idempotent.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from bot.core.digest import PeriodTotals
from bot.core.events import OutDocument
from bot.core.models import (
    AuditEntry,
    Campaign,
    ChatBinding,
    ChatKind,
    ChatPurpose,
    ConversationState,
    CycleRecord,
    CycleStep,
    FieldValue,
    Invite,
    Member,
    OrgUnit,
    OutboxItem,
    Role,
    Schedule,
    SubmissionVersion,
    TemplateRecord,
    Workspace,
)
from bot.core.periods import Period, PeriodType
from bot.core.rollup import ReportedPeriods
from bot.services.ports import DuplicateError, IndicatorValue, NotFoundError, StoredTotals
from storage.codec import (
    decode_choices,
    decode_data,
    decode_dt,
    decode_opt_dt,
    decode_schedule,
    decode_strings,
    decode_totals,
    decode_values,
    encode_choices,
    encode_data,
    encode_dt,
    encode_opt_dt,
    encode_schedule,
    encode_strings,
    encode_totals,
    encode_values,
    fold,
    period_from_key,
)
from storage.db import Database, RowCache

Row = sqlite3.Row


def _constraint(exc: sqlite3.IntegrityError) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _is_unique(exc: sqlite3.IntegrityError) -> bool:
    name = _constraint(exc)
    if name:
        return name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
    return "UNIQUE constraint failed" in str(exc)


def _is_foreign_key(exc: sqlite3.IntegrityError) -> bool:
    name = _constraint(exc)
    if name:
        return name == "SQLITE_CONSTRAINT_FOREIGNKEY"
    return "FOREIGN KEY constraint failed" in str(exc)


def _missing_reference(exc: sqlite3.IntegrityError, what: str) -> NotFoundError:
    return NotFoundError(f"{what}: a referenced row does not exist ({exc})")


log = logging.getLogger(__name__)


class _HasDb(Protocol):
    _db: Database


_P = ParamSpec("_P")
_R = TypeVar("_R")
_S = TypeVar("_S", bound=_HasDb)


def _locked_write(
    method: Callable[Concatenate[_S, _P], Coroutine[Any, Any, _R]],
) -> Callable[Concatenate[_S, _P], Coroutine[Any, Any, _R]]:
    """A write that drops cached entries runs inside a transaction (joining the caller's):
    its drop then happens while it holds the lock, when no read of those entries is under
    way. Outside one, the drop came before the lock, and a read already waiting for the
    lock could fill the cache with the row about to change (found in review)."""

    async def wrapper(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        async with self._db.transaction():
            return await method(self, *args, **kwargs)

    functools.update_wrapper(wrapper, method)
    return wrapper


# -- workspaces ------------------------------------------------------------------------
def _workspace(row: Row) -> Workspace:
    return Workspace(id=row["id"], name=row["name"], created_at=decode_dt(row["created_at"]))


class SqliteWorkspaceRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: RowCache[int, Workspace | None] = RowCache(db)

    @_locked_write
    async def create(self, name: str, now: datetime) -> Workspace:
        self._cache.drop()
        row = await self._db.fetchone(
            "INSERT INTO workspaces (name, created_at) VALUES (?, ?) RETURNING *",
            (name, encode_dt(now)),
        )
        assert row is not None
        return _workspace(row)

    async def get(self, workspace_id: int) -> Workspace | None:
        hit = self._cache.get(workspace_id)
        if hit is not RowCache.MISSING:
            return hit
        row = await self._db.fetchone("SELECT * FROM workspaces WHERE id = ?", (workspace_id,))
        return self._cache.put(workspace_id, None if row is None else _workspace(row))

    async def all(self) -> list[Workspace]:
        return [
            _workspace(r) for r in await self._db.fetchall("SELECT * FROM workspaces ORDER BY id")
        ]

    @_locked_write
    async def rename(self, workspace_id: int, name: str) -> Workspace:
        self._cache.drop(workspace_id)
        row = await self._db.fetchone(
            "UPDATE workspaces SET name = ? WHERE id = ? RETURNING *", (name, workspace_id)
        )
        if row is None:
            raise NotFoundError(f"workspace {workspace_id}")
        return _workspace(row)


# -- organizations ---------------------------------------------------------------------
def _org(row: Row) -> OrgUnit:
    return OrgUnit(
        id=row["id"],
        workspace_id=row["workspace_id"],
        code=row["code"],
        name=row["name"],
        short_name=row["short_name"],
        parent_id=row["parent_id"],
        active=bool(row["active"]),
        sort_order=row["sort_order"],
        reports=bool(row["reports"]),
        added_at=decode_dt(row["added_at"]) if row["added_at"] else None,
    )


_Stops = tuple[tuple[datetime, datetime | None], ...]


def _stops_by_org(rows: Iterable[Row]) -> dict[int, _Stops]:
    """``org_unit_stops`` rows (ordered by unit, then time) as each unit's ``stops``."""
    out: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for r in rows:
        reopened = decode_dt(r["reopened_at"]) if r["reopened_at"] else None
        out.setdefault(r["org_id"], []).append((decode_dt(r["stopped_at"]), reopened))
    return {oid: tuple(v) for oid, v in out.items()}


class SqliteOrgRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_id: RowCache[int, OrgUnit | None] = RowCache(db)
        self._lists: RowCache[tuple[int, bool], list[OrgUnit]] = RowCache(db, limit=1000)
        # Drops so far: a unit is read with its stops in two statements (two turns of the
        # lock); a write of another task between them means reading again, or the cache
        # would keep the unit's old row with its new stops.
        self._drops = 0

    def _drop(self) -> None:
        self._drops += 1
        self._by_id.drop()
        self._lists.drop()

    def forget(self) -> None:
        """After a write past the repository (a workspace's deletion): a tree read under
        way must not keep what it read (``_drops``)."""
        self._drop()

    @_locked_write
    async def add(
        self,
        workspace_id: int,
        code: str,
        name: str,
        short_name: str = "",
        parent_id: int | None = None,
        reports: bool = True,
        added_at: datetime | None = None,
    ) -> OrgUnit:
        self._drop()
        try:
            row = await self._db.fetchone(
                "INSERT INTO org_units (workspace_id, code, code_key, name, short_name,"
                " parent_id, reports, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    workspace_id,
                    code,
                    fold(code),
                    name,
                    short_name,
                    parent_id,
                    int(reports),
                    encode_dt(added_at) if added_at else None,
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_unique(exc):
                raise DuplicateError(
                    f"organization code {code!r} already exists in workspace {workspace_id}"
                ) from exc
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"organization {code!r}") from exc
            raise
        assert row is not None
        return _org(row)

    async def _with_stops(self, row: Row) -> OrgUnit:
        """One unit with its stops (``OrgUnit.stops``; most units have none)."""
        org = _org(row)
        rows = await self._db.fetchall(
            "SELECT org_id, stopped_at, reopened_at FROM org_unit_stops"
            " WHERE workspace_id = ? AND org_id = ? ORDER BY stopped_at, id",
            (org.workspace_id, org.id),
        )
        return replace(org, stops=_stops_by_org(rows)[org.id]) if rows else org

    async def get(self, org_id: int) -> OrgUnit | None:
        hit = self._by_id.get(org_id)
        if hit is not RowCache.MISSING:
            return hit
        while True:
            drops = self._drops
            row = await self._db.fetchone("SELECT * FROM org_units WHERE id = ?", (org_id,))
            org = None if row is None else await self._with_stops(row)
            if drops == self._drops:
                return self._by_id.put(org_id, org)

    async def by_code(self, workspace_id: int, code: str) -> OrgUnit | None:
        while True:
            drops = self._drops
            row = await self._db.fetchone(
                "SELECT * FROM org_units WHERE workspace_id = ? AND code_key = ?",
                (workspace_id, fold(code)),
            )
            org = None if row is None else await self._with_stops(row)
            if drops == self._drops:
                return org

    async def all(self, workspace_id: int, include_inactive: bool = False) -> list[OrgUnit]:
        hit = self._lists.get((workspace_id, include_inactive))
        if hit is not RowCache.MISSING:
            return list(hit)
        if include_inactive:
            sql = "SELECT * FROM org_units WHERE workspace_id = ? ORDER BY sort_order, id"
        else:
            sql = (
                "SELECT * FROM org_units WHERE workspace_id = ? AND active = 1"
                " ORDER BY sort_order, id"
            )
        while True:
            drops = self._drops
            orgs = [_org(r) for r in await self._db.fetchall(sql, (workspace_id,))]
            stops = _stops_by_org(
                await self._db.fetchall(
                    "SELECT org_id, stopped_at, reopened_at FROM org_unit_stops"
                    " WHERE workspace_id = ? ORDER BY org_id, stopped_at, id",
                    (workspace_id,),
                )
            )
            if drops == self._drops:
                break
        if stops:
            orgs = [replace(o, stops=stops[o.id]) if o.id in stops else o for o in orgs]
        # Each unit by id too: after an admin's change drops them all, the next tree read
        # (a digest, a reminder) brings them back for the replies.
        self._by_id.fill((o.id, o) for o in orgs)
        return list(self._lists.put((workspace_id, include_inactive), orgs))

    async def warm(self) -> None:
        """At start-up: every unit by id (a reply reads its reporter's unit)."""
        for row in await self._db.fetchall("SELECT id FROM workspaces ORDER BY id"):
            await self.all(row["id"], include_inactive=True)

    @_locked_write
    async def set_active(self, org_id: int, active: bool, now: datetime) -> OrgUnit:
        self._drop()
        row = await self._db.fetchone(
            "UPDATE org_units SET active = ? WHERE id = ? RETURNING *", (int(active), org_id)
        )
        if row is None:
            raise NotFoundError(f"organization {org_id}")
        at = encode_dt(now)
        if active:
            # (A clock set back must not make a stop end before it began.)
            await self._db.execute(
                "UPDATE org_unit_stops SET reopened_at = max(stopped_at, ?)"
                " WHERE org_id = ? AND reopened_at IS NULL",
                (at, org_id),
            )
        else:
            await self._db.execute(
                "INSERT OR IGNORE INTO org_unit_stops (workspace_id, org_id, stopped_at)"
                " VALUES (?, ?, ?)",
                (row["workspace_id"], org_id, at),
            )
        return await self._with_stops(row)

    @_locked_write
    async def update(self, org: OrgUnit) -> OrgUnit:
        self._drop()
        try:
            row = await self._db.fetchone(
                "UPDATE org_units SET name = ?, short_name = ?, parent_id = ?, active = ?,"
                " sort_order = ?, reports = ? WHERE id = ? RETURNING *",
                (
                    org.name,
                    org.short_name,
                    org.parent_id,
                    int(org.active),
                    org.sort_order,
                    int(org.reports),
                    org.id,
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"organization {org.id}") from exc
            raise
        if row is None:
            raise NotFoundError(f"organization {org.id}")
        return await self._with_stops(row)


# -- members ---------------------------------------------------------------------------
def _member(row: Row) -> Member:
    return Member(
        id=row["id"],
        workspace_id=row["workspace_id"],
        channel=row["channel"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        org_id=row["org_id"],
        created_at=decode_dt(row["created_at"]),
    )


class SqliteMemberRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._one: RowCache[tuple[int, str, str], Member | None] = RowCache(db)
        self._of_user: RowCache[tuple[str, str], list[Member]] = RowCache(db)

    def _drop(self, workspace_id: int, channel: str, user_id: str) -> None:
        """What a write of this person's membership changes (only theirs: the members
        read at start-up stay cached through other people's bindings)."""
        self._one.drop((workspace_id, channel, user_id))
        self._of_user.drop((channel, user_id))

    async def warm(self) -> None:
        """At start-up: every membership, so that a reporter's first message after a
        restart (a deadline's burst: thousands at once) reads none."""
        rows = await self._db.fetchall("SELECT * FROM members ORDER BY workspace_id")
        members = [_member(r) for r in rows]
        of_user: dict[tuple[str, str], list[Member]] = {}
        for m in members:
            of_user.setdefault((m.channel, m.user_id), []).append(m)
        self._one.fill(((m.workspace_id, m.channel, m.user_id), m) for m in members)
        self._of_user.fill(of_user.items())

    @_locked_write
    async def upsert(
        self,
        workspace_id: int,
        channel: str,
        user_id: str,
        display_name: str,
        role: Role,
        org_id: int | None,
        now: datetime,
    ) -> Member:
        known = self._one.get((workspace_id, channel, user_id))
        if (
            known is not RowCache.MISSING
            and known is not None
            and (known.display_name, known.role, known.org_id) == (display_name, role, org_id)
        ):
            return known  # nothing would change
        self._drop(workspace_id, channel, user_id)
        try:
            row = await self._db.fetchone(
                "INSERT INTO members"
                " (workspace_id, channel, user_id, display_name, role, org_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (workspace_id, channel, user_id) DO UPDATE SET"
                " display_name = excluded.display_name, role = excluded.role,"
                " org_id = excluded.org_id"
                " RETURNING *",
                (
                    workspace_id,
                    channel,
                    user_id,
                    display_name,
                    Role(role).value,
                    org_id,
                    encode_dt(now),
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"member {channel}:{user_id}") from exc
            raise
        assert row is not None
        return _member(row)

    async def get(self, workspace_id: int, channel: str, user_id: str) -> Member | None:
        key = (workspace_id, channel, user_id)
        hit = self._one.get(key)
        if hit is not RowCache.MISSING:
            return hit
        row = await self._db.fetchone(
            "SELECT * FROM members WHERE workspace_id = ? AND channel = ? AND user_id = ?", key
        )
        return self._one.put(key, None if row is None else _member(row))

    async def for_user(self, channel: str, user_id: str) -> list[Member]:
        hit = self._of_user.get((channel, user_id))
        if hit is not RowCache.MISSING:
            return list(hit)
        rows = await self._db.fetchall(
            "SELECT * FROM members WHERE channel = ? AND user_id = ? ORDER BY workspace_id",
            (channel, user_id),
        )
        members = [_member(r) for r in rows]
        for m in members:
            self._one.put((m.workspace_id, channel, user_id), m)
        return list(self._of_user.put((channel, user_id), members))

    async def all(self, workspace_id: int) -> list[Member]:
        rows = await self._db.fetchall(
            "SELECT * FROM members WHERE workspace_id = ? ORDER BY id", (workspace_id,)
        )
        return [_member(r) for r in rows]

    async def by_org(self, org_id: int) -> list[Member]:
        rows = await self._db.fetchall(
            "SELECT * FROM members WHERE org_id = ? ORDER BY id", (org_id,)
        )
        return [_member(r) for r in rows]

    @_locked_write
    async def remove(self, member_id: int) -> None:
        row = await self._db.fetchone(
            "DELETE FROM members WHERE id = ? RETURNING workspace_id, channel, user_id",
            (member_id,),
        )
        if row is not None:
            self._drop(row["workspace_id"], row["channel"], row["user_id"])


# -- invites ---------------------------------------------------------------------------
def _invite(row: Row) -> Invite:
    return Invite(
        code=row["code"],
        workspace_id=row["workspace_id"],
        org_id=row["org_id"],
        role=Role(row["role"]),
        created_by=row["created_by"],
        created_at=decode_dt(row["created_at"]),
        expires_at=decode_opt_dt(row["expires_at"]),
        max_uses=row["max_uses"],
        uses=row["uses"],
        revoked=bool(row["revoked"]),
    )


class SqliteInviteRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, invite: Invite) -> Invite:
        try:
            row = await self._db.fetchone(
                "INSERT INTO invites (code_key, code, workspace_id, org_id, role, created_by,"
                " created_at, expires_at, max_uses, uses, revoked)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    fold(invite.code),
                    invite.code,
                    invite.workspace_id,
                    invite.org_id,
                    Role(invite.role).value,
                    invite.created_by,
                    encode_dt(invite.created_at),
                    encode_opt_dt(invite.expires_at),
                    invite.max_uses,
                    invite.uses,
                    int(invite.revoked),
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_unique(exc):
                raise DuplicateError(f"invite code {invite.code!r} already exists") from exc
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"invite {invite.code!r}") from exc
            raise
        assert row is not None
        return _invite(row)

    async def get(self, code: str) -> Invite | None:
        row = await self._db.fetchone("SELECT * FROM invites WHERE code_key = ?", (fold(code),))
        return None if row is None else _invite(row)

    async def use(self, code: str) -> None:
        row = await self._db.fetchone(
            "UPDATE invites SET uses = uses + 1 WHERE code_key = ? RETURNING uses", (fold(code),)
        )
        if row is None:
            raise NotFoundError(f"invite {code!r}")

    async def revoke(self, code: str) -> None:
        row = await self._db.fetchone(
            "UPDATE invites SET revoked = 1 WHERE code_key = ? RETURNING revoked", (fold(code),)
        )
        if row is None:
            raise NotFoundError(f"invite {code!r}")

    async def all(self, workspace_id: int) -> list[Invite]:
        rows = await self._db.fetchall(
            "SELECT * FROM invites WHERE workspace_id = ? ORDER BY created_at, code_key",
            (workspace_id,),
        )
        return [_invite(r) for r in rows]


# -- chats -----------------------------------------------------------------------------
def _binding(row: Row) -> ChatBinding:
    return ChatBinding(
        workspace_id=row["workspace_id"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        kind=ChatKind(row["kind"]),
        purpose=ChatPurpose(row["purpose"]),
        title=row["title"],
    )


class SqliteChatRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: RowCache[tuple[str, str], list[ChatBinding]] = RowCache(db)

    @_locked_write
    async def bind(self, binding: ChatBinding) -> None:
        self._cache.drop()
        try:
            await self._db.execute(
                "INSERT INTO chat_bindings (channel, chat_id, purpose, workspace_id, kind, title)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel, chat_id, purpose) DO UPDATE SET"
                " workspace_id = excluded.workspace_id, kind = excluded.kind,"
                " title = excluded.title",
                (
                    binding.channel,
                    binding.chat_id,
                    ChatPurpose(binding.purpose).value,
                    binding.workspace_id,
                    ChatKind(binding.kind).value,
                    binding.title,
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"chat {binding.chat_id}") from exc
            raise

    async def get(self, channel: str, chat_id: str) -> list[ChatBinding]:
        hit = self._cache.get((channel, chat_id))
        if hit is not RowCache.MISSING:
            return list(hit)
        rows = await self._db.fetchall(
            "SELECT * FROM chat_bindings WHERE channel = ? AND chat_id = ? ORDER BY id",
            (channel, chat_id),
        )
        return list(self._cache.put((channel, chat_id), [_binding(r) for r in rows]))

    async def for_workspace(
        self, workspace_id: int, purpose: ChatPurpose | None = None
    ) -> list[ChatBinding]:
        if purpose is None:
            rows = await self._db.fetchall(
                "SELECT * FROM chat_bindings WHERE workspace_id = ? ORDER BY id", (workspace_id,)
            )
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM chat_bindings WHERE workspace_id = ? AND purpose = ? ORDER BY id",
                (workspace_id, ChatPurpose(purpose).value),
            )
        return [_binding(r) for r in rows]

    @_locked_write
    async def unbind(self, channel: str, chat_id: str, purpose: ChatPurpose) -> None:
        self._cache.drop()
        await self._db.execute(
            "DELETE FROM chat_bindings WHERE channel = ? AND chat_id = ? AND purpose = ?",
            (channel, chat_id, ChatPurpose(purpose).value),
        )

    @_locked_write
    async def rebind(self, channel: str, old_chat_id: str, new_chat_id: str) -> int:
        self._cache.drop()
        async with self._db.transaction():
            rows = await self._db.fetchall(
                "UPDATE OR IGNORE chat_bindings SET chat_id = ? WHERE channel = ? AND chat_id = ?"
                " RETURNING id",
                (new_chat_id, channel, old_chat_id),
            )
            await self._db.execute(
                "DELETE FROM chat_bindings WHERE channel = ? AND chat_id = ?",
                (channel, old_chat_id),
            )
            await self._db.execute(
                "UPDATE outbox SET chat_id = ? WHERE channel = ? AND chat_id = ?"
                " AND sent_at IS NULL AND failed_permanently = 0",
                (new_chat_id, channel, old_chat_id),
            )
        return len(rows)


# -- templates -------------------------------------------------------------------------
def _template(row: Row) -> TemplateRecord:
    return TemplateRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        key=row["key"],
        version=row["version"],
        document=row["document"],
        created_by=row["created_by"],
        created_at=decode_dt(row["created_at"]),
    )


class SqliteTemplateRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self, workspace_id: int, key: str, document: str, created_by: str, now: datetime
    ) -> TemplateRecord:
        # One statement, so the version is computed and claimed atomically.
        try:
            row = await self._db.fetchone(
                "INSERT INTO templates"
                " (workspace_id, key, version, document, created_by, created_at)"
                " SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?"
                " FROM templates WHERE workspace_id = ? AND key = ?"
                " RETURNING *",
                (workspace_id, key, document, created_by, encode_dt(now), workspace_id, key),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"template {key!r}") from exc
            raise
        assert row is not None
        return _template(row)

    async def latest(self, workspace_id: int, key: str) -> TemplateRecord | None:
        row = await self._db.fetchone(
            "SELECT * FROM templates WHERE workspace_id = ? AND key = ?"
            " ORDER BY version DESC LIMIT 1",
            (workspace_id, key),
        )
        return None if row is None else _template(row)

    async def versions(self, workspace_id: int, key: str) -> list[TemplateRecord]:
        rows = await self._db.fetchall(
            "SELECT * FROM templates WHERE workspace_id = ? AND key = ? ORDER BY version",
            (workspace_id, key),
        )
        return [_template(r) for r in rows]


# -- campaigns -------------------------------------------------------------------------
def _campaign(row: Row) -> Campaign:
    return Campaign(
        id=row["id"],
        workspace_id=row["workspace_id"],
        name=row["name"],
        template_key=row["template_key"],
        period_type=PeriodType(row["period_type"]),
        timezone=row["timezone"],
        schedule=decode_schedule(row["schedule_json"]),
        active=bool(row["active"]),
        started_on=decode_dt(row["started_on"]),
        prompt_private=bool(row["prompt_private"]),
        prompt_group=bool(row["prompt_group"]),
        paused=bool(row["paused"]),
    )


class SqliteCampaignRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_id: RowCache[int, Campaign | None] = RowCache(db)
        self._lists: RowCache[tuple[int | None, bool], list[Campaign]] = RowCache(db)

    def _drop(self) -> None:
        self._by_id.drop()
        self._lists.drop()

    @_locked_write
    async def create(
        self,
        workspace_id: int,
        name: str,
        template_key: str,
        period_type: PeriodType,
        timezone: str,
        schedule: Schedule,
        started_on: datetime,
    ) -> Campaign:
        self._drop()
        try:
            row = await self._db.fetchone(
                "INSERT INTO campaigns (workspace_id, name, template_key, period_type, timezone,"
                " schedule_json, started_on) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    workspace_id,
                    name,
                    template_key,
                    PeriodType(period_type).value,
                    timezone,
                    encode_schedule(schedule),
                    encode_dt(started_on),
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"campaign {name!r}") from exc
            raise
        assert row is not None
        return _campaign(row)

    async def get(self, campaign_id: int) -> Campaign | None:
        hit = self._by_id.get(campaign_id)
        if hit is not RowCache.MISSING:
            return hit
        row = await self._db.fetchone("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
        return self._by_id.put(campaign_id, None if row is None else _campaign(row))

    async def all(self, workspace_id: int, active_only: bool = False) -> list[Campaign]:
        hit = self._lists.get((workspace_id, active_only))
        if hit is not RowCache.MISSING:
            return list(hit)
        if active_only:
            rows = await self._db.fetchall(
                "SELECT * FROM campaigns WHERE workspace_id = ? AND active = 1 ORDER BY id",
                (workspace_id,),
            )
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM campaigns WHERE workspace_id = ? ORDER BY id", (workspace_id,)
            )
        campaigns = [_campaign(r) for r in rows]
        return list(self._lists.put((workspace_id, active_only), campaigns))

    async def list_active(self) -> list[Campaign]:
        hit = self._lists.get((None, True))
        if hit is not RowCache.MISSING:
            return list(hit)
        rows = await self._db.fetchall("SELECT * FROM campaigns WHERE active = 1 ORDER BY id")
        return list(self._lists.put((None, True), [_campaign(r) for r in rows]))

    @_locked_write
    async def update(self, campaign: Campaign) -> Campaign:
        self._drop()
        row = await self._db.fetchone(
            "UPDATE campaigns SET name = ?, template_key = ?, period_type = ?, timezone = ?,"
            " schedule_json = ?, active = ?, prompt_private = ?, prompt_group = ?, paused = ?"
            " WHERE id = ? RETURNING *",
            (
                campaign.name,
                campaign.template_key,
                PeriodType(campaign.period_type).value,
                campaign.timezone,
                encode_schedule(campaign.schedule),
                int(campaign.active),
                int(campaign.prompt_private),
                int(campaign.prompt_group),
                int(campaign.paused),
                campaign.id,
            ),
        )
        if row is None:
            raise NotFoundError(f"campaign {campaign.id}")
        return _campaign(row)


# -- cycle -----------------------------------------------------------------------------
class SqliteCycleRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def done(self, campaign_id: int, period: Period) -> list[CycleRecord]:
        rows = await self._db.fetchall(
            "SELECT step, slot, done_at FROM cycle_steps"
            " WHERE campaign_id = ? AND period_key = ? ORDER BY done_at, step, slot",
            (campaign_id, period.key),
        )
        return [
            CycleRecord(
                campaign_id=campaign_id,
                period=period,
                step=CycleStep(r["step"]),
                slot=r["slot"],
                done_at=decode_dt(r["done_at"]),
            )
            for r in rows
        ]

    async def mark(
        self, campaign_id: int, period: Period, step: CycleStep, slot: int, now: datetime
    ) -> bool:
        try:
            row = await self._db.fetchone(
                "INSERT INTO cycle_steps (campaign_id, period_key, step, slot, done_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (campaign_id, period_key, step, slot) DO NOTHING RETURNING 1",
                (campaign_id, period.key, CycleStep(step).value, slot, encode_dt(now)),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"campaign {campaign_id}") from exc
            raise
        return row is not None


# -- submissions -----------------------------------------------------------------------
_VERSION_SELECT = (
    "SELECT v.id, v.submission_id, v.version, s.campaign_id, s.period_key, s.org_id,"
    " v.channel, v.user_id, v.message_id, v.raw_text, v.values_json, v.photos_json,"
    " v.submitted_at, v.late"
    " FROM submissions AS s JOIN submission_versions AS v ON v.submission_id = s.id"
)


def _version(row: Row) -> SubmissionVersion:
    # By position, in _VERSION_SELECT's order: a roll-up reads tens of thousands of rows,
    # and a name lookup in a ``sqlite3.Row`` compares names one by one.
    (id_, submission_id, version, campaign_id, period_key, org_id, channel, user_id,
     message_id, raw_text, values_json, photos_json, submitted_at, late) = row  # fmt: skip
    return SubmissionVersion(
        id=id_,
        submission_id=submission_id,
        version=version,
        campaign_id=campaign_id,
        period=period_from_key(period_key),
        org_id=org_id,
        channel=channel,
        user_id=user_id,
        message_id=message_id,
        raw_text=raw_text,
        values=decode_values(values_json),
        submitted_at=decode_dt(submitted_at),
        late=bool(late),
        photos=decode_strings(photos_json),
    )


SubmissionListener = Callable[[SubmissionVersion, int, int], None]

# The period's generation (``period_totals``, bumped by triggers on any write to its
# reports); -1 while the period has no row.
_GENERATION_SQL = "SELECT generation FROM period_totals WHERE campaign_id = ? AND period_key = ?"


class SqliteSubmissionRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._listeners: list[SubmissionListener] = []

    def listen(self, fn: SubmissionListener) -> Callable[[], None]:
        """Calls ``fn(version, before, after)`` for each version stored from now on, once
        its transaction has committed, in commit order: ``before`` and ``after`` are the
        period's generation around that transaction (what a kept week,
        ``bot.core.board.WeekBoard``, follows). Returns the function that stops it."""
        self._listeners.append(fn)

        def stop() -> None:
            if fn in self._listeners:
                self._listeners.remove(fn)

        return stop

    async def add_version(
        self,
        campaign_id: int,
        period: Period,
        org_id: int,
        channel: str,
        user_id: str,
        message_id: str,
        raw_text: str,
        values: dict[str, FieldValue],
        submitted_at: datetime,
        late: bool,
        photos: Sequence[str] = (),
    ) -> SubmissionVersion:
        # Encode first: a bad value must fail before anything is written.
        values_json = encode_values(values)
        photos_json = encode_strings(photos)
        submitted = encode_dt(submitted_at)
        head_sql = (
            "INSERT INTO submissions"
            " (campaign_id, period_key, period_type, period_start, org_id,"
            " current_version) VALUES (?, ?, ?, ?, ?, 1)"
            " ON CONFLICT (campaign_id, period_key, org_id) DO UPDATE SET"
            " current_version = current_version + 1"
            " RETURNING id, current_version"
        )
        head_params = (campaign_id, period.key, period.type.value, period.start.isoformat(), org_id)
        version_sql = (
            "INSERT INTO submission_versions (submission_id, version, channel, user_id,"
            " message_id, raw_text, values_json, photos_json, submitted_at, late)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
        )
        rest = (channel, user_id, message_id, raw_text, values_json, photos_json, submitted)

        listened = bool(self._listeners)
        gen_params = (campaign_id, period.key)

        def generation(conn: sqlite3.Connection) -> int:
            row = conn.execute(_GENERATION_SQL, gen_params).fetchone()
            return -1 if row is None else int(row[0])

        def both(conn: sqlite3.Connection) -> tuple[int, int, int, int, int]:
            # The statements in one round trip to the database thread.
            before = generation(conn) if listened else -1
            head = conn.execute(head_sql, head_params).fetchone()
            assert head is not None
            row = conn.execute(version_sql, (head[0], head[1], *rest, int(late))).fetchone()
            assert row is not None
            after = generation(conn) if listened else -1
            return int(head[0]), int(head[1]), int(row[0]), before, after

        try:
            async with self._db.transaction():
                submission_id, version, version_id, before, after = await self._db.run(both)
                stored = SubmissionVersion(
                    id=version_id,
                    submission_id=submission_id,
                    version=version,
                    campaign_id=campaign_id,
                    period=period,
                    org_id=org_id,
                    channel=channel,
                    user_id=user_id,
                    message_id=message_id,
                    raw_text=raw_text,
                    values=dict(values),
                    submitted_at=decode_dt(submitted),
                    late=late,
                    photos=tuple(photos),
                )
                if listened:
                    self._db.after_commit(lambda: self._stored(stored, before, after))
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"submission of org {org_id}") from exc
            raise
        return stored

    def _stored(self, version: SubmissionVersion, before: int, after: int) -> None:
        for fn in list(self._listeners):
            try:
                fn(version, before, after)
            except Exception:
                log.exception("submission listener failed")

    async def current(self, campaign_id: int, period: Period) -> list[SubmissionVersion]:
        rows = await self._db.fetchall(
            _VERSION_SELECT + " AND v.version = s.current_version"
            " WHERE s.campaign_id = ? AND s.period_key = ? ORDER BY s.org_id",
            (campaign_id, period.key),
        )
        return [_version(r) for r in rows]

    async def current_for_org(
        self, campaign_id: int, period: Period, org_id: int
    ) -> SubmissionVersion | None:
        row = await self._db.fetchone(
            _VERSION_SELECT + " AND v.version = s.current_version"
            " WHERE s.campaign_id = ? AND s.period_key = ? AND s.org_id = ?",
            (campaign_id, period.key, org_id),
        )
        return None if row is None else _version(row)

    async def history(
        self, campaign_id: int, period: Period, org_id: int
    ) -> list[SubmissionVersion]:
        rows = await self._db.fetchall(
            _VERSION_SELECT + " WHERE s.campaign_id = ? AND s.period_key = ? AND s.org_id = ?"
            " ORDER BY v.version",
            (campaign_id, period.key, org_id),
        )
        return [_version(r) for r in rows]

    async def current_in_range(
        self, campaign_id: int, first: Period, last: Period
    ) -> list[SubmissionVersion]:
        if first.type is not last.type:
            raise ValueError(f"period range {first.key}..{last.key} mixes period types")
        rows = await self._db.fetchall(
            _VERSION_SELECT + " AND v.version = s.current_version"
            " WHERE s.campaign_id = ? AND s.period_type = ?"
            " AND s.period_start BETWEEN ? AND ?"
            " ORDER BY s.period_start, s.org_id",
            (campaign_id, first.type.value, first.start.isoformat(), last.start.isoformat()),
        )
        return [_version(r) for r in rows]

    async def reported_by_org(
        self, campaign_id: int, periods: Sequence[Period]
    ) -> list[ReportedPeriods]:
        """Per organization with a report in any of ``periods`` (same type): how many of
        them it reported, and which when not all. A year's roll-up needs completeness per
        unit at national scale (a million reports): counted here over the covering index
        ``submissions_by_range``, never reading a report. One pass whether few or most
        units missed a week (about 0.45 s for a national year either way; counting alone
        is 0.3 s, but a second pass for the units that missed would be 0.6 s more when, as
        over a whole year, most of them missed one)."""
        if not periods:
            return []
        kinds = {p.type for p in periods}
        if len(kinds) != 1:
            raise ValueError("periods of one type only")
        day = {p.start.isoformat(): p.start for p in periods}
        # Only placeholders are formatted into the statement, one per period. With
        # statistics (PRAGMA optimize) the planner would rather walk submissions_by_org to
        # skip the sort by unit, looking up every row of every campaign and year: twice as
        # slow as the range's covering index and a sort.
        sql = (
            "SELECT org_id, count(*), CASE WHEN count(*) < ? THEN group_concat(period_start)"  # noqa: S608
            " END FROM submissions INDEXED BY submissions_by_range"
            " WHERE campaign_id = ? AND period_type = ?"
            f" AND period_start IN ({', '.join('?' * len(day))}) GROUP BY org_id"
        )
        rows = await self._db.fetchall(sql, (len(day), campaign_id, kinds.pop().value, *day))
        return [
            ReportedPeriods(
                int(r[0]),
                int(r[1]),
                None if r[2] is None else frozenset(map(day.__getitem__, r[2].split(","))),
            )
            for r in rows
        ]


# -- period totals ---------------------------------------------------------------------
class SqliteTotalsRepo:
    """Rows are created and invalidated by triggers on the submissions (migration 0005);
    this repository only reads them and fills in the computed totals."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def generation(self, campaign_id: int, period: Period) -> int:
        row = await self._db.fetchone(_GENERATION_SQL, (campaign_id, period.key))
        return -1 if row is None else int(row[0])

    async def in_range(
        self, campaign_id: int, first: Period, last: Period, signature: str
    ) -> list[StoredTotals]:
        if first.type is not last.type:
            raise ValueError(f"period range {first.key}..{last.key} mixes period types")
        rows = await self._db.fetchall(
            "SELECT period_key, generation, signature, totals_json FROM period_totals"
            " WHERE campaign_id = ? AND period_type = ? AND period_start BETWEEN ? AND ?"
            " ORDER BY period_start",
            (campaign_id, first.type.value, first.start.isoformat(), last.start.isoformat()),
        )
        out: list[StoredTotals] = []
        for r in rows:
            period = period_from_key(r["period_key"])
            text = r["totals_json"]
            known = text is not None and r["signature"] == signature
            out.append(
                StoredTotals(
                    period, r["generation"], decode_totals(period, text) if known else None
                )
            )
        return out

    async def put(
        self, campaign_id: int, totals: PeriodTotals, generation: int, signature: str
    ) -> bool:
        row = await self._db.fetchone(
            "UPDATE period_totals SET signature = ?, totals_json = ?"
            " WHERE campaign_id = ? AND period_key = ? AND generation = ? RETURNING 1",
            (signature, encode_totals(totals), campaign_id, totals.period.key, generation),
        )
        return row is not None


# -- audit -----------------------------------------------------------------------------
class SqliteAuditRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, workspace_id: int, actor: str, action: str, detail: str, now: datetime
    ) -> None:
        try:
            await self._db.execute(
                "INSERT INTO audit_log (workspace_id, actor, action, detail, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (workspace_id, actor, action, detail, encode_dt(now)),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(exc, f"audit of workspace {workspace_id}") from exc
            raise

    async def all(self, workspace_id: int, limit: int = 50) -> list[AuditEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM audit_log WHERE workspace_id = ? ORDER BY id DESC LIMIT ?",
            (workspace_id, limit),
        )
        return [
            AuditEntry(
                id=r["id"],
                workspace_id=r["workspace_id"],
                actor=r["actor"],
                action=r["action"],
                detail=r["detail"],
                at=decode_dt(r["at"]),
            )
            for r in rows
        ]


# -- outbox ----------------------------------------------------------------------------
def _outbox_item(row: Row) -> OutboxItem:
    columns = row.keys()  # sqlite3.Row: ``in row`` would test the values
    return OutboxItem(
        id=row["id"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        text=row["text"],
        dedupe_key=row["dedupe_key"],
        created_at=decode_dt(row["created_at"]),
        sent_at=decode_opt_dt(row["sent_at"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        mention_user_ids=decode_strings(row["mention_user_ids"]),
        not_before=decode_opt_dt(row["not_before"]),
        is_group=bool(row["is_group"]),
        failed_permanently=bool(row["failed_permanently"]),
        attachment_name=row["attachment_name"] if "attachment_name" in columns else None,
        choices=decode_choices(row["choices"]) if "choices" in columns else (),
    )


# Pending rows with the name of their file, if any (the blob itself is read when sending).
_OUTBOX_SELECT = (
    "SELECT outbox.*, a.file_name AS attachment_name FROM outbox"
    " LEFT JOIN outbox_attachments AS a ON a.outbox_id = outbox.id"
)


class SqliteOutboxRepo:
    """``attempts`` counts delivery attempts, successful or not."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(
        self,
        channel: str,
        chat_id: str,
        text: str,
        dedupe_key: str,
        now: datetime,
        mention_user_ids: Sequence[str] = (),
        *,
        not_before: datetime | None = None,
        group: bool = False,
        attachment: OutDocument | None = None,
        choices: Sequence[tuple[str, str]] = (),
    ) -> bool:
        row = (
            channel, chat_id, text, dedupe_key, now, mention_user_ids, not_before, group, choices
        )  # fmt: skip
        if attachment is None:
            return await self._insert(*row) is not None
        async with self._db.transaction():  # the row and its file, or neither
            new_id = await self._insert(*row)
            if new_id is not None:
                await self._db.execute(
                    "INSERT INTO outbox_attachments (outbox_id, kind, file_name, content)"
                    " VALUES (?, ?, ?, ?)",
                    (new_id, attachment.kind, attachment.file_name, attachment.content),
                )
        return new_id is not None

    async def attachment(self, item_id: int) -> OutDocument | None:
        row = await self._db.fetchone(
            "SELECT kind, file_name, content FROM outbox_attachments WHERE outbox_id = ?",
            (item_id,),
        )
        if row is None:
            return None
        return OutDocument(row["file_name"], bytes(row["content"]), kind=row["kind"])

    async def _insert(
        self,
        channel: str,
        chat_id: str,
        text: str,
        dedupe_key: str,
        now: datetime,
        mention_user_ids: Sequence[str],
        not_before: datetime | None,
        group: bool,
        choices: Sequence[tuple[str, str]] = (),
    ) -> int | None:
        row = await self._db.fetchone(
            "INSERT INTO outbox (dedupe_key, channel, chat_id, text, mention_user_ids,"
            " created_at, not_before, is_group, choices) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            (
                dedupe_key,
                channel,
                chat_id,
                text,
                encode_strings(mention_user_ids),
                encode_dt(now),
                encode_opt_dt(not_before),
                int(group),
                encode_choices(choices),
            ),
        )
        return None if row is None else int(row["id"])

    async def pending(
        self, channel: str | None = None, limit: int = 100, now: datetime | None = None
    ) -> list[OutboxItem]:
        # The WHERE clause repeats the partial indexes' condition so they are used; rows
        # waiting for quiet hours to end or for a retry are left out until their time.
        # Stored datetimes are fixed-width UTC text, so a far-future string means "no limit".
        until = encode_dt(now) if now is not None else "9999-12-31"
        if channel is None:
            rows = await self._db.fetchall(
                _OUTBOX_SELECT + " WHERE sent_at IS NULL AND failed_permanently = 0"
                " AND (not_before IS NULL OR not_before <= ?)"
                " ORDER BY created_at, id LIMIT ?",
                (until, limit),
            )
        else:
            rows = await self._db.fetchall(
                _OUTBOX_SELECT + " WHERE channel = ? AND sent_at IS NULL"
                " AND failed_permanently = 0 AND (not_before IS NULL OR not_before <= ?)"
                " ORDER BY created_at, id LIMIT ?",
                (channel, until, limit),
            )
        return [_outbox_item(r) for r in rows]

    async def failures(
        self, chat_ids: Sequence[str] | None = None, limit: int = 50
    ) -> list[OutboxItem]:
        """Permanently failed rows, newest first (optionally only to these chats)."""
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE failed_permanently = 1 ORDER BY id DESC LIMIT ?",
            (limit if chat_ids is None else limit * 20,),
        )
        items = [_outbox_item(r) for r in rows]
        if chat_ids is not None:
            wanted = set(chat_ids)
            items = [i for i in items if i.chat_id in wanted]
        return items[:limit]

    async def get(self, item_id: int) -> OutboxItem | None:
        """Not in the port; for diagnostics and tests."""
        row = await self._db.fetchone("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return None if row is None else _outbox_item(row)

    async def mark_sent(self, item_id: int, now: datetime) -> None:
        stamp = encode_dt(now)
        row = await self._db.fetchone(
            "UPDATE outbox SET sent_at = ?, last_attempt_at = ?, attempts = attempts + 1"
            " WHERE id = ? RETURNING id",
            (stamp, stamp, item_id),
        )
        if row is None:
            raise NotFoundError(f"outbox item {item_id}")

    async def mark_failed(
        self,
        item_id: int,
        error: str,
        now: datetime,
        permanent: bool,
        retry_at: datetime | None = None,
    ) -> None:
        row = await self._db.fetchone(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?,"
            " failed_permanently = ?, not_before = COALESCE(?, not_before)"
            " WHERE id = ? RETURNING id",
            (error, encode_dt(now), int(permanent), encode_opt_dt(retry_at), item_id),
        )
        if row is None:
            raise NotFoundError(f"outbox item {item_id}")

    async def unreachable(
        self, workspace_chats: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """Of these (channel, chat_id), those whose latest delivery failed permanently
        (blocked the bot, left the group), with the error; a later success clears it."""
        out: dict[tuple[str, str], str] = {}
        for channel, chat_id in workspace_chats:
            row = await self._db.fetchone(
                "SELECT failed_permanently, last_error FROM outbox"
                " WHERE channel = ? AND chat_id = ? AND (sent_at IS NOT NULL OR failed_permanently = 1)"
                " ORDER BY last_attempt_at DESC, id DESC LIMIT 1",
                (channel, chat_id),
            )
            if row is not None and row["failed_permanently"]:
                out[(channel, chat_id)] = row["last_error"] or ""
        return out


# -- conversations ---------------------------------------------------------------------
class SqliteConversationRepo:
    """States are cached by key, mostly to know that none exists (the common case)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: RowCache[tuple[str, str, str], ConversationState | None] = RowCache(
            db, absent=None
        )

    async def warm(self) -> None:
        """At start-up: which dialogs are in progress, so that a message finds out there is
        none (nearly always) without a read."""
        rows = await self._db.fetchall("SELECT channel, chat_id, user_id FROM conversations")
        self._cache.fill((), complete=True, unknown=[(r[0], r[1], r[2]) for r in rows])

    async def get(self, channel: str, chat_id: str, user_id: str) -> ConversationState | None:
        key = (channel, chat_id, user_id)
        hit = self._cache.get(key)
        if hit is not RowCache.MISSING:
            return hit
        row = await self._db.fetchone(
            "SELECT kind, data_json, updated_at FROM conversations"
            " WHERE channel = ? AND chat_id = ? AND user_id = ?",
            key,
        )
        if row is None:
            return self._cache.put(key, None)
        state = ConversationState(
            channel=channel,
            chat_id=chat_id,
            user_id=user_id,
            kind=row["kind"],
            data=decode_data(row["data_json"]),
            updated_at=decode_dt(row["updated_at"]),
        )
        # Not cached: the state's data is a mutable mapping its reader may change.
        return state

    @_locked_write
    async def put(self, state: ConversationState) -> None:
        self._cache.drop((state.channel, state.chat_id, state.user_id))
        await self._db.execute(
            "INSERT INTO conversations (channel, chat_id, user_id, kind, data_json, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, chat_id, user_id) DO UPDATE SET"
            " kind = excluded.kind, data_json = excluded.data_json,"
            " updated_at = excluded.updated_at",
            (
                state.channel,
                state.chat_id,
                state.user_id,
                state.kind,
                encode_data(state.data),
                encode_dt(state.updated_at),
            ),
        )

    @_locked_write
    async def clear(self, channel: str, chat_id: str, user_id: str) -> None:
        key = (channel, chat_id, user_id)
        if self._cache.get(key) is None:
            return  # known to be absent
        self._cache.drop(key)
        await self._db.execute(
            "DELETE FROM conversations WHERE channel = ? AND chat_id = ? AND user_id = ?",
            (channel, chat_id, user_id),
        )


# -- inbound ---------------------------------------------------------------------------
class SqliteInboundLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def first_time(self, channel: str, key: str, now: datetime) -> bool:
        row = await self._db.fetchone(
            "INSERT INTO inbound_log (channel, key, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (channel, key) DO NOTHING RETURNING 1",
            (channel, key, encode_dt(now)),
        )
        return row is not None

    async def prune(self, before: datetime) -> int:
        """Forgets keys seen before ``before``; returns how many.

        Platforms redeliver within minutes to hours, so keeping a few days is plenty.
        """
        rows = await self._db.fetchall(
            "DELETE FROM inbound_log WHERE seen_at < ? RETURNING 1", (encode_dt(before),)
        )
        return len(rows)


# -- calendar --------------------------------------------------------------------------
class SqliteCalendarRepo:
    """Skipped periods, exemptions and reopened periods of campaigns."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def skip(self, campaign_id: int, period: Period, reason: str, now: datetime) -> bool:
        row = await self._db.fetchone(
            "INSERT INTO campaign_skips (campaign_id, period_key, reason, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
            (campaign_id, period.key, reason, encode_dt(now)),
        )
        return row is not None

    async def unskip(self, campaign_id: int, period: Period) -> bool:
        rows = await self._db.fetchall(
            "DELETE FROM campaign_skips WHERE campaign_id = ? AND period_key = ? RETURNING 1",
            (campaign_id, period.key),
        )
        return bool(rows)

    async def is_skipped(self, campaign_id: int, period: Period) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM campaign_skips WHERE campaign_id = ? AND period_key = ?",
            (campaign_id, period.key),
        )
        return row is not None

    async def skipped(self, campaign_id: int) -> list[tuple[Period, str]]:
        rows = await self._db.fetchall(
            "SELECT period_key, reason FROM campaign_skips WHERE campaign_id = ?", (campaign_id,)
        )
        return sorted((period_from_key(r["period_key"]), r["reason"]) for r in rows)

    async def exempt(
        self, campaign_id: int, period: Period, org_id: int, reason: str, now: datetime
    ) -> bool:
        try:
            row = await self._db.fetchone(
                "INSERT INTO exemptions (campaign_id, period_key, org_id, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING 1",
                (campaign_id, period.key, org_id, reason, encode_dt(now)),
            )
        except sqlite3.IntegrityError as exc:
            raise _missing_reference(exc, f"org {org_id}") from exc
        return row is not None

    async def unexempt(self, campaign_id: int, period: Period, org_id: int) -> bool:
        rows = await self._db.fetchall(
            "DELETE FROM exemptions WHERE campaign_id = ? AND period_key = ? AND org_id = ?"
            " RETURNING 1",
            (campaign_id, period.key, org_id),
        )
        return bool(rows)

    async def exempt_orgs(self, campaign_id: int, period: Period) -> frozenset[int]:
        rows = await self._db.fetchall(
            "SELECT org_id FROM exemptions WHERE campaign_id = ? AND period_key = ?",
            (campaign_id, period.key),
        )
        return frozenset(r["org_id"] for r in rows)

    async def reopen(
        self, campaign_id: int, period: Period, org_id: int, until: datetime, now: datetime
    ) -> None:
        try:
            await self._db.execute(
                "INSERT INTO reopenings (campaign_id, period_key, org_id, until, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, period_key, org_id)"
                " DO UPDATE SET until = excluded.until, created_at = excluded.created_at",
                (campaign_id, period.key, org_id, encode_dt(until), encode_dt(now)),
            )
        except sqlite3.IntegrityError as exc:
            raise _missing_reference(exc, f"org {org_id}") from exc

    async def reopened_until(
        self, campaign_id: int, period: Period, org_id: int
    ) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT until FROM reopenings WHERE campaign_id = ? AND period_key = ? AND org_id = ?",
            (campaign_id, period.key, org_id),
        )
        return None if row is None else decode_dt(row["until"])


# -- usage -----------------------------------------------------------------------------
class SqliteUsageRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, channel: str, month: str, count: int = 1) -> int:
        row = await self._db.fetchone(
            "INSERT INTO channel_usage (channel, month, sent) VALUES (?, ?, ?)"
            " ON CONFLICT (channel, month) DO UPDATE SET sent = sent + excluded.sent"
            " RETURNING sent",
            (channel, month, count),
        )
        return int(row[0]) if row is not None else 0

    async def get(self, channel: str, month: str) -> int:
        row = await self._db.fetchone(
            "SELECT sent FROM channel_usage WHERE channel = ? AND month = ?", (channel, month)
        )
        return int(row[0]) if row is not None else 0


# -- workspace settings ----------------------------------------------------------------
class SqliteSettingsRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self, workspace_id: int) -> dict[str, str]:
        rows = await self._db.fetchall(
            "SELECT key, value FROM workspace_settings WHERE workspace_id = ?", (workspace_id,)
        )
        return {r["key"]: r["value"] for r in rows}

    async def put(self, workspace_id: int, key: str, value: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO workspace_settings (workspace_id, key, value, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, key) DO UPDATE SET"
            " value = excluded.value, updated_at = excluded.updated_at",
            (workspace_id, key, value, encode_dt(now)),
        )

    async def delete(self, workspace_id: int, key: str) -> bool:
        row = await self._db.fetchone(
            "DELETE FROM workspace_settings WHERE workspace_id = ? AND key = ? RETURNING key",
            (workspace_id, key),
        )
        return row is not None


def _indicator_value(r: Row) -> IndicatorValue:
    return IndicatorValue(
        id=r["id"],
        kind=r["kind"],
        key=r["key"],
        org_id=r["org_id"],
        scope=r["scope"],
        value=None if r["value"] is None else Decimal(r["value"]),
        actor=r["actor"],
        created_at=decode_dt(r["created_at"]),
    )


class SqliteIndicatorValueRepo:
    """Reference values and targets (migration 0007): append-only, the latest row wins."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def set(
        self,
        workspace_id: int,
        kind: str,
        key: str,
        org_id: int | None,
        scope: str,
        value: Decimal | None,
        actor: str,
        now: datetime,
    ) -> IndicatorValue:
        try:
            row = await self._db.fetchone(
                "INSERT INTO indicator_values"
                " (workspace_id, kind, key, org_id, scope, value, actor, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    workspace_id,
                    kind,
                    key,
                    org_id,
                    scope,
                    None if value is None else str(value),
                    actor,
                    encode_dt(now),
                ),
            )
        except sqlite3.IntegrityError as exc:
            if _is_foreign_key(exc):
                raise _missing_reference(
                    exc, f"indicator value of workspace {workspace_id}"
                ) from exc
            raise
        assert row is not None
        return _indicator_value(row)

    async def current(self, workspace_id: int, kind: str) -> list[IndicatorValue]:
        rows = await self._db.fetchall(
            "SELECT v.* FROM indicator_values v JOIN ("
            " SELECT MAX(id) AS id FROM indicator_values WHERE workspace_id = ? AND kind = ?"
            " GROUP BY key, org_id, scope) last ON last.id = v.id"
            " WHERE v.value IS NOT NULL ORDER BY v.key, v.org_id, v.scope",
            (workspace_id, kind),
        )
        return [_indicator_value(r) for r in rows]

    async def history(self, workspace_id: int, kind: str, key: str) -> list[IndicatorValue]:
        rows = await self._db.fetchall(
            "SELECT * FROM indicator_values WHERE workspace_id = ? AND kind = ? AND key = ?"
            " ORDER BY id",
            (workspace_id, kind, key),
        )
        return [_indicator_value(r) for r in rows]
