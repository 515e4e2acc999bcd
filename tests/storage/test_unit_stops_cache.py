"""A unit read with its stops takes two statements, so a
reader outside any transaction (a roll-up after its reply's commit, a scheduled job) can
fill the cache from two different committed states around another task's write."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from storage.sqlite import SqliteStore

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_a_unit_stopped_while_the_list_is_read_is_not_cached_as_active(
    store: SqliteStore,
) -> None:
    """``SqliteOrgRepo.all`` reads the units, then (another lock turn) their stops. A
    ``/ngungdonvi`` in another chat (now handled concurrently) takes the lock in between:
    it drops the caches, stops the unit, commits. The reader then reads the new stop and
    caches the list with the unit's *old* row (active) and its new stop; nothing drops it
    until the next write to units, so every later reader sees a stopped unit as active."""
    ws = await store.workspaces.create("Tỉnh", T0)
    unit = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")

    async def stop_it() -> None:
        async with store.transaction():
            await store.orgs.set_active(unit.id, False, T0)

    reader = asyncio.create_task(store.orgs.all(ws.id, include_inactive=True))
    await asyncio.sleep(0)  # the reader holds the lock for its first statement
    writer = asyncio.create_task(stop_it())  # next in line for the lock
    await asyncio.gather(reader, writer)

    row = await store.db.fetchone("SELECT active FROM org_units WHERE id = ?", (unit.id,))
    assert row is not None and row[0] == 0
    (cached,) = await store.orgs.all(ws.id, include_inactive=True)
    assert not cached.active, "the cache says active, the database says stopped"


async def test_a_unit_stopped_while_it_is_read_by_id_is_not_cached_as_active(
    store: SqliteStore,
) -> None:
    """The same for ``get`` (``_with_stops``: the row, then its stops)."""
    ws = await store.workspaces.create("Tỉnh", T0)
    unit = await store.orgs.add(ws.id, "hnd", "Hội Nông dân")
    store.orgs._by_id.clear()  # type: ignore[attr-defined]

    async def stop_it() -> None:
        async with store.transaction():
            await store.orgs.set_active(unit.id, False, T0)

    reader = asyncio.create_task(store.orgs.get(unit.id))
    await asyncio.sleep(0)
    writer = asyncio.create_task(stop_it())
    await asyncio.gather(reader, writer)

    cached = await store.orgs.get(unit.id)
    assert cached is not None and not cached.active, "cached active after the stop"
