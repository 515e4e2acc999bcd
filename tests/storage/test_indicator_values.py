"""Reference values and targets on a real SQLite file: append-only history, the latest row
per (kind, key, unit, scope) is current, a removal hides it, workspaces stay apart."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.services.ports import NotFoundError
from storage.sqlite import SqliteStore
from tests.storage.conftest import NOW


async def test_latest_row_wins_and_removal_keeps_history(store: SqliteStore) -> None:
    ws = await store.workspaces.create("Tây Ninh", NOW)
    other = await store.workspaces.create("Khánh Hòa", NOW)
    hnd = await store.orgs.add(ws.id, "hnd", "Hội Nông dân tỉnh", "Hội ND tỉnh")
    repo = store.indicator_values
    t = NOW
    await repo.set(ws.id, "reference", "dan_so", hnd.id, "", Decimal("4000"), "a", t)
    await repo.set(
        ws.id, "reference", "dan_so", hnd.id, "", Decimal("4200.5"), "b", t + timedelta(1)
    )
    await repo.set(ws.id, "reference", "dan_so", hnd.id, "2026", Decimal("4100"), "a", t)
    await repo.set(ws.id, "target", "ty_le", None, "2026", Decimal("90"), "a", t)
    await repo.set(ws.id, "target", "ty_le", hnd.id, "", Decimal("50"), "a", t)
    await repo.set(ws.id, "target", "ty_le", hnd.id, "", None, "c", t + timedelta(2))
    await repo.set(other.id, "target", "ty_le", None, "2026", Decimal("70"), "x", t)

    refs = await repo.current(ws.id, "reference")
    assert [(v.key, v.org_id, v.scope, v.value, v.actor) for v in refs] == [
        ("dan_so", hnd.id, "", Decimal("4200.5"), "b"),
        ("dan_so", hnd.id, "2026", Decimal("4100"), "a"),
    ]
    targets = await repo.current(ws.id, "target")
    assert [(v.org_id, v.scope, v.value) for v in targets] == [(None, "2026", Decimal("90"))]
    history = await repo.history(ws.id, "target", "ty_le")
    assert [v.value for v in history] == [Decimal("90"), Decimal("50"), None]
    assert history[-1].created_at == t + timedelta(2) and history[-1].actor == "c"
    assert [v.value for v in await repo.current(other.id, "target")] == [Decimal("70")]


async def test_unknown_unit_is_refused(store: SqliteStore) -> None:
    ws = await store.workspaces.create("Tây Ninh", NOW)
    with pytest.raises(NotFoundError):
        await store.indicator_values.set(
            ws.id, "reference", "dan_so", 999, "", Decimal(1), "a", NOW
        )
