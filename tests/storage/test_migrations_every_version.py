"""Schema migrations from every earlier version, with data in the database.

The data is a real week (the Tây Ninh demo played through the sandbox: a workspace, six
organizations, members, an invite, bindings, a template, a campaign, cycle steps, reports
with several versions, audit entries, outbox rows, inbound ids), plus a row in every table
the demo leaves empty (skips, exemptions, reopenings, a pending conversation, the monthly
usage counter, an outbox attachment; a table added later gets a plausible row built from
its declared columns and references).

For each earlier version V (1 … latest-1): a database is created with migrations 1…V only,
filled with that data as far as V's schema holds it (its tables, its columns), and then
opened by the current code. After the upgrade:

* the schema is the one a fresh database gets (same tables, columns, indexes, triggers);
* every row of V is still there, unchanged, and each column added after V holds its
  declared default; tables added after V are empty;
* integrity and foreign keys check out, ``user_version`` is the latest;
* the application reads it: the week's digest computed on the upgraded file is the one
  computed on the original.

The test is generic: a new migration is covered without changing it (it fills columns and
tables by what each version's schema declares).
"""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_services, demo_script, play_script
from bot.core.clock import ManualClock
from bot.core.periods import Period, PeriodType
from bot.core.render import render_digest
from storage.db import load_migrations, open_database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LATEST = load_migrations()[-1].version
AFTER_WEEK = datetime(2026, 11, 28, 12, 0, tzinfo=TZ)
Rows = dict[str, list[dict[str, object]]]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]


def _columns(conn: sqlite3.Connection, table: str) -> list[sqlite3.Row]:
    return list(conn.execute(f'PRAGMA table_info("{table}")'))


def _rows(path: Path) -> Rows:
    conn = _connect(path)
    try:
        out: Rows = {}
        for t in _tables(conn):
            if _without_rowid(conn, t):
                order = ", ".join(str(i + 1) for i in range(len(_columns(conn, t))))
            else:
                order = "rowid"
            out[t] = [dict(r) for r in conn.execute(f'SELECT * FROM "{t}" ORDER BY {order}')]
        return out
    finally:
        conn.close()


def _fill_generically(conn: sqlite3.Connection, table: str) -> None:
    """One plausible row for a table no fill below knows (a table added by a later
    migration): referenced ids taken from existing rows, other columns by their type."""
    refs = {
        r[3]: (r[2], r[4]) for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')
    }  # column -> (table, column)
    names, values = [], []
    for col in conn.execute(f'PRAGMA table_info("{table}")'):
        name, kind = col[1], str(col[2]).upper()
        if name in refs:
            other, other_col = refs[name]
            row = conn.execute(f'SELECT "{other_col or "rowid"}" FROM "{other}" LIMIT 1').fetchone()
            value: object = row[0] if row else None
        elif "INT" in kind:
            value = 1
        elif "BLOB" in kind:
            value = b"x"
        elif any(k in kind for k in ("REAL", "FLOA", "DOUB")):
            value = 1.5
        elif name.endswith("_at"):
            value = "2026-11-20T01:00:00.000000+00:00"  # a moment, as storage writes them
        else:
            value = f"{table}.{name}"
        names.append(name)
        values.append(value)
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', values)


def _empty_references(conn: sqlite3.Connection, table: str) -> list[str]:
    """The other tables ``table`` references that have no row yet."""
    return [
        r[2]
        for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')
        if r[2] != table and conn.execute(f'SELECT count(*) FROM "{r[2]}"').fetchone()[0] == 0
    ]


def _without_rowid(conn: sqlite3.Connection, table: str) -> bool:
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    return "WITHOUT ROWID" in sql.upper()


def _schema(path: Path) -> set[tuple[str, str, str]]:
    conn = _connect(path)
    try:
        return {
            (r["type"], r["name"], " ".join(str(r["sql"]).split()))
            for r in conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo week at the latest schema, with a row in every table."""
    import asyncio

    path = tmp_path_factory.mktemp("rich") / "bot.db"
    asyncio.run(play_script(demo_script(), database=path, out=io.StringIO(), seed=48))
    conn = sqlite3.connect(path)
    try:
        campaign = conn.execute("SELECT id FROM campaigns").fetchone()[0]
        org = conn.execute("SELECT id FROM org_units ORDER BY id DESC").fetchone()[0]
        outbox = conn.execute("SELECT id FROM outbox ORDER BY id").fetchone()[0]
        at = "2026-11-28T01:00:00.000000+00:00"
        fill = {
            "campaign_skips": (
                "INSERT INTO campaign_skips VALUES (?, '2026-W52', 'Nghỉ cuối năm', ?)",
                (campaign, at),
            ),
            "exemptions": (
                "INSERT INTO exemptions VALUES (?, '2026-W49', ?, 'Đi công tác', ?)",
                (campaign, org, at),
            ),
            "reopenings": (
                "INSERT INTO reopenings VALUES (?, '2026-W47', ?, '2026-12-01T10:00:00.000000+00:00', ?)",
                (campaign, org, at),
            ),
            "conversations": (
                "INSERT INTO conversations VALUES ('sandbox', 'dm:1005', '1005', 'confirm',"
                ' \'{"raw": "9. 46 tấn"}\', ?)',
                (at,),
            ),
            "channel_usage": ("INSERT INTO channel_usage VALUES ('zalo', '2026-11', 42)", ()),
            "indicator_values": (
                "INSERT INTO indicator_values (workspace_id, kind, key, org_id, scope, value,"
                " actor, created_at) SELECT workspace_id, 'reference', 'dan_so_muc_tieu', id,"
                " '2026', '12500', 'sandbox:1001 (Nguyễn Văn An)', ? FROM org_units WHERE id = ?",
                (at, org),
            ),
            "outbox_attachments": (
                "INSERT INTO outbox_attachments VALUES (?, 'document', 'tonghop.docx', ?)",
                (outbox, b"PK\x03\x04 word"),
            ),
        }
        for table, (sql, params) in fill.items():
            if conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] == 0:
                conn.execute(sql, params)
        # Tables a later migration added, referenced ones first (a table whose references
        # are still empty waits for the next pass).
        pending = [
            t
            for t in _tables(conn)
            if conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == 0
        ]
        while pending:
            ready = [t for t in pending if not _empty_references(conn, t)]
            if not ready:
                break
            for table in ready:
                _fill_generically(conn, table)
            pending = [t for t in pending if t not in ready]
        conn.commit()
        assert list(conn.execute("PRAGMA foreign_key_check")) == []
        empty = [
            t
            for t in _tables(conn)
            if conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == 0
        ]
        assert empty == [], f"give these tables a row: {empty}"
        versions = conn.execute("SELECT count(*) FROM submission_versions").fetchone()[0]
        assert versions > conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
    finally:
        conn.close()
    return path


DERIVED = frozenset({"period_totals"})  # caches rebuilt from the reports (migration 0005)


async def _build_at(version: int, path: Path, data: Rows) -> Rows:
    """A database at ``version`` holding what that schema can of ``data``; returns it."""
    db = await open_database(path, migrations=load_migrations()[:version])
    await db.close()
    conn = _connect(path)
    kept: Rows = {}
    try:
        conn.execute("PRAGMA foreign_keys = OFF")
        for table in _tables(conn):
            names = [c["name"] for c in _columns(conn, table)]
            rows = [{n: row[n] for n in names} for row in data.get(table, [])]
            if rows:
                marks = ", ".join("?" for _ in names)
                cols = ", ".join(f'"{n}"' for n in names)
                conn.executemany(
                    f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
                    [tuple(r[n] for n in names) for r in rows],
                )
            kept[table] = rows
        conn.commit()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert list(conn.execute("PRAGMA foreign_key_check")) == []
    finally:
        conn.close()
    return kept


def _defaults(path: Path) -> dict[str, dict[str, object]]:
    """Each column's declared default, evaluated (None for no default)."""
    conn = _connect(path)
    try:
        out: dict[str, dict[str, object]] = {}
        for table in _tables(conn):
            out[table] = {}
            for col in _columns(conn, table):
                default = col["dflt_value"]
                value = conn.execute(f"SELECT {default}").fetchone()[0] if default else None
                out[table][col["name"]] = value
        return out
    finally:
        conn.close()


async def _digest_text(path: Path) -> str:
    clock = ManualClock(AFTER_WEEK)
    async with build_services(path, clock=clock) as services:
        campaign = (await services.store.campaigns.list_active())[0]
        period = Period.containing(PeriodType.WEEK, AFTER_WEEK.date())
        digest = await services.digests.digest(campaign, period, AFTER_WEEK)
        return render_digest(digest)


@pytest.mark.parametrize("version", range(1, LATEST))
async def test_upgrade_from_every_earlier_version_keeps_every_row(
    version: int, rich: Path, tmp_path: Path
) -> None:
    data = _rows(rich)
    old = tmp_path / f"v{version}" / "bot.db"
    old.parent.mkdir()
    kept = await _build_at(version, old, data)
    assert sum(len(rows) for rows in kept.values()) > 50

    db = await open_database(old)  # the current code: migrates version+1 … latest
    try:
        assert db.schema_version == LATEST
        assert [tuple(r) for r in await db.fetchall("PRAGMA integrity_check")] == [("ok",)]
        assert await db.fetchall("PRAGMA foreign_key_check") == []
    finally:
        await db.close()

    fresh = tmp_path / "fresh" / "bot.db"
    db = await open_database(fresh)
    await db.close()
    assert _schema(old) == _schema(fresh)

    defaults = _defaults(fresh)
    upgraded = _rows(old)
    assert upgraded.keys() == data.keys()
    for table, rows in upgraded.items():
        if table in DERIVED:
            # A cache the migration fills from the reports: one row to recompute per
            # (campaign, period) that has submissions, whatever the old version held.
            subs = {(r["campaign_id"], r["period_key"]) for r in upgraded["submissions"]}
            assert {(r["campaign_id"], r["period_key"]) for r in rows} == subs, table
            assert all(r["totals_json"] is None or table in kept for r in rows)
            continue
        expected = [
            {col: row.get(col, defaults[table][col]) for col in defaults[table]}
            for row in kept.get(table, [])
        ]
        assert rows == expected, table

    assert await _digest_text(old) == await _digest_text(rich)
