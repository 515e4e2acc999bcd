"""A one-column table ``t`` for the tests of transactions and shared commits: made, written,
read through the store, and read by another connection (what is committed on disk)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from storage.sqlite import SqliteStore


async def create_table(store: SqliteStore) -> None:
    await store.db.execute("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")


async def table_values(store: SqliteStore) -> list[int]:
    return [r[0] for r in await store.db.fetchall("SELECT x FROM t ORDER BY x")]


async def write_one(store: SqliteStore, x: int) -> None:
    async with store.transaction():
        await store.db.execute("INSERT INTO t VALUES (?)", (x,))


def committed_values(path: Path, sql: str = "SELECT x FROM t ORDER BY x") -> list[Any]:
    """What another connection reads: only what is committed."""
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute(sql)]


def busy_worker(store: SqliteStore) -> asyncio.Future[None]:
    """aiosqlite's worker thread busy for 50 ms with something that does not touch the
    connection (not counted by ``_submitted``/``_finished``): what a loaded 2-core machine
    does to a thread's wake-up. (Without it the tests fail most runs anyway: the worker
    needs the GIL the loop's thread holds.)"""
    return asyncio.ensure_future(store.db._conn._execute(time.sleep, 0.05))
