"""The history of a unit's stops (``/ngungdonvi``) and reopenings (``/molaidonvi``) on real
SQLite files: ``SqliteOrgRepo.set_active`` keeps one row per stop, every read of a unit
carries them (``OrgUnit.stops``), and migration 0010 dates the units already stopped from
the audit log (those without an entry there are treated as before)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.hierarchy import Hierarchy
from bot.services.ports import NotFoundError
from storage.codec import encode_dt
from storage.db import load_migrations, open_database
from storage.sqlite import open_store

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_each_stop_and_reopening_is_kept_and_read_with_the_unit(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "t.db")
    try:
        ws = await store.workspaces.create("Tỉnh", T0)
        commune = await store.orgs.add(ws.id, "xa_a", "Xã A", reports=False)
        unit = await store.orgs.add(ws.id, "hnd", "Hội Nông dân", parent_id=commune.id)
        other = await store.orgs.add(ws.id, "hpn", "Hội Phụ nữ", parent_id=commune.id)
        assert unit.stops == ()

        stopped = await store.orgs.set_active(unit.id, False, T0)
        assert not stopped.active and stopped.stops == ((T0, None),)
        # Stopping a stopped unit again keeps the first stop (one open stop per unit).
        await store.orgs.set_active(unit.id, False, T0 + timedelta(days=1))
        back = await store.orgs.set_active(unit.id, True, T0 + timedelta(days=30))
        assert back.active and back.stops == ((T0, T0 + timedelta(days=30)),)
        # Stopped and reopened a second time; a clock set back does not end a stop before
        # it began.
        later = T0 + timedelta(days=60)
        await store.orgs.set_active(unit.id, False, later)
        await store.orgs.set_active(unit.id, True, later - timedelta(hours=1))
        both = ((T0, T0 + timedelta(days=30)), (later, later))
        for read in (
            await store.orgs.get(unit.id),
            await store.orgs.by_code(ws.id, "HND"),
            next(o for o in await store.orgs.all(ws.id) if o.id == unit.id),
            next(o for o in await store.orgs.all(ws.id, include_inactive=True) if o.id == unit.id),
        ):
            assert read is not None and read.active and read.stops == both
        # Other edits keep the history.
        renamed = await store.orgs.update(replace(back, name="Hội ND"))
        assert renamed.name == "Hội ND" and renamed.stops == both
        assert (await store.orgs.get(other.id) or other).stops == ()

        # A commune's stop carries to its units in the tree (not in storage).
        await store.orgs.set_active(commune.id, False, T0 + timedelta(days=90))
        await store.orgs.set_active(commune.id, True, T0 + timedelta(days=100))
        tree = Hierarchy(await store.orgs.all(ws.id, include_inactive=True))
        span = (T0 + timedelta(days=90), T0 + timedelta(days=100))
        in_tree = {o.id: o for o in tree.reporting()}
        assert in_tree[other.id].stops == (span,)
        assert in_tree[unit.id].stops == (*both, span)
        assert (await store.orgs.get(other.id) or other).stops == ()
        assert not in_tree[other.id].expected_by(T0 + timedelta(days=95))
        assert in_tree[other.id].expected_by(T0 + timedelta(days=101))

        with pytest.raises(NotFoundError):
            await store.orgs.set_active(99_999, False, T0)
    finally:
        await store.close()


async def test_migration_dates_units_already_stopped_from_the_audit_log(tmp_path: Path) -> None:
    """Stopped with an audit entry: stopped since its last one. Stopped without: no date,
    so once reopened it is expected in every period, as before. Active: nothing."""
    path = tmp_path / "old.db"
    before = [m for m in load_migrations() if m.version < 10]
    db = await open_database(path, migrations=before)
    stamp = encode_dt(T0)
    try:
        await db.execute(
            "INSERT INTO workspaces (id, name, created_at) VALUES (1, 'Tỉnh', ?)", (stamp,)
        )
        for oid, code, active in ((1, "hnd", 0), (2, "hpn", 0), (3, "hcb", 1)):
            await db.execute(
                "INSERT INTO org_units (id, workspace_id, code, code_key, name, active)"
                " VALUES (?, 1, ?, ?, ?, ?)",
                (oid, code, code, code.upper(), active),
            )
        audit = [
            ("deactivate_org", "hnd", T0),
            ("activate_org", "hnd", T0 + timedelta(days=1)),
            ("deactivate_org", "hnd", T0 + timedelta(days=5)),  # its last change
            ("deactivate_org", "hcb", T0),  # active again since: not stopped
            ("rename_org", "hpn", T0),
        ]
        for action, detail, at in audit:
            await db.execute(
                "INSERT INTO audit_log (workspace_id, actor, action, detail, at)"
                " VALUES (1, 'telegram:1', ?, ?, ?)",
                (action, detail, encode_dt(at)),
            )
    finally:
        await db.close()

    store = await open_store(path)
    try:
        orgs = {o.code: o for o in await store.orgs.all(1, include_inactive=True)}
        assert orgs["hnd"].stops == ((T0 + timedelta(days=5), None),)
        assert orgs["hpn"].stops == () and orgs["hcb"].stops == ()
        reopened = await store.orgs.set_active(orgs["hnd"].id, True, T0 + timedelta(days=20))
        assert reopened.stops == ((T0 + timedelta(days=5), T0 + timedelta(days=20)),)
        assert not reopened.expected_by(T0 + timedelta(days=10))
        assert reopened.expected_by(T0 + timedelta(days=21))
        assert reopened.expected_by(T0 + timedelta(days=4))
        unknown = await store.orgs.set_active(orgs["hpn"].id, True, T0 + timedelta(days=20))
        assert unknown.stops == () and unknown.expected_by(T0 + timedelta(days=10))
    finally:
        await store.close()
