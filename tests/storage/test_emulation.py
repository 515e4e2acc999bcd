"""The emulation registry's storage (migration 0008) on a real SQLite file: numbers per
workspace that are never reused, the entries of one report, the range query the year-end
list uses, shortlisting and removal kept as columns, the numbered lists shown to people,
and everything still there after the file is closed and opened again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.emulation import EmulationEntry, EntryKind
from bot.core.models import Campaign, Schedule
from bot.core.periods import Period, PeriodType
from bot.services.ports import NotFoundError
from storage.sqlite import SqliteStore, open_store
from tests.storage.conftest import NOW


async def _campaign(store: SqliteStore, name: str = "Tỉnh") -> tuple[Campaign, list[int]]:
    ws = await store.workspaces.create(name, NOW)
    orgs = [(await store.orgs.add(ws.id, f"o{i}", f"Đơn vị {i}")).id for i in range(3)]
    campaign = await store.campaigns.create(
        ws.id, "Tuần", "tuan", PeriodType.WEEK, "Asia/Ho_Chi_Minh", Schedule(), NOW
    )
    return campaign, orgs


async def _add(
    store: SqliteStore,
    campaign: Campaign,
    org: int,
    period: Period,
    *,
    kind: EntryKind = EntryKind.MODEL,
    field: str = "mo_hinh_hay",
    text: str = "Mô hình “Bếp ăn 0 đồng”",
    at: datetime = NOW,
) -> EmulationEntry:
    return await store.emulation.add(
        workspace_id=campaign.workspace_id,
        org_id=org,
        campaign_id=campaign.id,
        period_key=period.key,
        field_key=field,
        kind=kind,
        title="",
        text=text,
        photos=["p1", "p2"],
        source="report",
        marked_by="telegram:1002",
        marked_by_name="Trần Thị Bình",
        now=at,
    )


async def test_entries_round_trip_and_numbers_per_workspace(store: SqliteStore) -> None:
    campaign, orgs = await _campaign(store)
    other, other_orgs = await _campaign(store, "Xã")
    w48 = Period.week(2026, 48)
    first = await _add(store, campaign, orgs[0], w48)
    second = await _add(store, campaign, orgs[1], w48, kind=EntryKind.PERSON, field="ket_qua")
    elsewhere = await _add(store, other, other_orgs[0], w48)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    got = await store.emulation.get(campaign.workspace_id, 2)
    assert got == second
    assert got is not None and got.period == w48 and got.kind is EntryKind.PERSON
    assert got.photos == ("p1", "p2") and got.marked_by_name == "Trần Thị Bình"
    assert got.marked_at == NOW and got.active and not got.shortlisted
    assert await store.emulation.get(campaign.workspace_id, 3) is None

    # A removed entry keeps its number: the next one gets a new number.
    removed = await store.emulation.remove(first.id, "telegram:1007", NOW)
    assert removed.removed_by == "telegram:1007" and not removed.active
    third = await _add(store, campaign, orgs[2], w48)
    assert third.number == 3


async def test_report_entries_range_shortlist_and_content(store: SqliteStore) -> None:
    campaign, orgs = await _campaign(store)
    w53 = Period.week(2026, 53)  # 28/12/2026 – 03/01/2027: a week of 2026 (its Thursday)
    w1 = Period.week(2027, 1)
    w10 = Period.week(2026, 10)
    a = await _add(store, campaign, orgs[0], w10)
    b = await _add(store, campaign, orgs[0], w53, kind=EntryKind.COLLECTIVE)
    c = await _add(store, campaign, orgs[0], w53)
    d = await _add(store, campaign, orgs[1], w1)
    of_report = await store.emulation.for_report(campaign.id, w53.key, orgs[0])
    assert [e.number for e in of_report] == [b.number, c.number]

    year = [e.number for e in await store.emulation.in_range(campaign.workspace_id)]
    assert year == [a.number, b.number, c.number, d.number]
    dec = await store.emulation.in_range(campaign.workspace_id, date(2026, 12, 1), date(2027, 1, 1))
    assert [e.number for e in dec] == [b.number, c.number]

    later = NOW + timedelta(days=40)
    listed = await store.emulation.shortlist(
        b.id, "telegram:1007", "Đặng Thị Giang", "Tiêu biểu", later
    )
    assert listed.shortlisted and listed.shortlist_note == "Tiêu biểu"
    assert listed.shortlisted_by_name == "Đặng Thị Giang" and listed.updated_at == later
    back = await store.emulation.unshortlist(b.id, later)
    assert not back.shortlisted and back.shortlist_note == "" and back.shortlisted_by is None

    changed = await store.emulation.update_content(c.id, "Lời mới", ["p9"], later)
    assert (changed.text, changed.photos) == ("Lời mới", ("p9",))
    titled = await store.emulation.set_title(c.id, "Tổ dưa hấu", later)
    assert titled.title == "Tổ dưa hấu" and titled.text == "Lời mới"

    await store.emulation.remove(d.id, "x", later)
    assert d.number not in [e.number for e in await store.emulation.in_range(campaign.workspace_id)]
    # Removed entries stay with their report (history), marked removed.
    kept = await store.emulation.for_report(campaign.id, w1.key, orgs[1])
    assert [e.removed_at for e in kept] == [later]

    with pytest.raises(NotFoundError):
        await store.emulation.shortlist(9999, "x", "", "", later)


async def test_references_are_checked(store: SqliteStore) -> None:
    campaign, _ = await _campaign(store)
    with pytest.raises(NotFoundError):
        await _add(store, campaign, 4242, Period.week(2026, 48))


async def test_pick_lists_per_person_and_chat(store: SqliteStore) -> None:
    items = [(1, "2026-W48", 3, "mo_hinh_hay"), (1, "2026-W48", 4, "ket_qua")]
    assert await store.emulation.pick("telegram", "c1", "u1") is None
    await store.emulation.save_pick("telegram", "c1", "u1", items, NOW)
    await store.emulation.save_pick("telegram", "c2", "u1", items[:1], NOW)
    assert await store.emulation.pick("telegram", "c1", "u1") == items
    assert await store.emulation.pick("telegram", "c2", "u1") == items[:1]
    assert await store.emulation.pick("zalo", "c1", "u1") is None
    # A new list replaces the one shown before.
    await store.emulation.save_pick("telegram", "c1", "u1", items[1:], NOW)
    assert await store.emulation.pick("telegram", "c1", "u1") == items[1:]


async def test_entries_survive_reopening_the_file(db_path: Path) -> None:
    store = await open_store(db_path)
    try:
        campaign, orgs = await _campaign(store)
        entry = await _add(store, campaign, orgs[0], Period.week(2026, 48))
        await store.emulation.shortlist(entry.id, "telegram:1007", "Giang", "Lý do", NOW)
        await store.emulation.save_pick("telegram", "c", "u", [entry.item], NOW)
    finally:
        await store.close()
    again = await open_store(db_path)
    try:
        got = await again.emulation.get(campaign.workspace_id, entry.number)
        assert got is not None and got.shortlisted and got.text == entry.text
        assert await again.emulation.pick("telegram", "c", "u") == [entry.item]
    finally:
        await again.close()


async def test_writes_inside_a_failed_transaction_leave_nothing(store: SqliteStore) -> None:
    campaign, orgs = await _campaign(store)
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await _add(store, campaign, orgs[0], Period.week(2026, 48))
            raise RuntimeError("boom")
    assert await store.emulation.in_range(campaign.workspace_id) == []
    # The number was not taken either.
    entry = await _add(store, campaign, orgs[0], Period.week(2026, 48))
    assert entry.number == 1


async def test_a_workspace_export_and_deletion_include_the_registry(store: SqliteStore) -> None:
    campaign, orgs = await _campaign(store)
    other, other_orgs = await _campaign(store, "Xã")
    entry = await _add(store, campaign, orgs[0], Period.week(2026, 48))
    kept = await _add(store, other, other_orgs[0], Period.week(2026, 48))
    exported = await store.privacy.export_workspace(campaign.workspace_id)
    assert [r["number"] for r in exported["emulation_entries"]] == [entry.number]
    async with store.transaction():
        deleted = await store.privacy.delete_workspace(campaign.workspace_id)
    assert deleted["emulation_entries"] == 1
    assert await store.emulation.in_range(campaign.workspace_id) == []
    assert [e.number for e in await store.emulation.in_range(other.workspace_id)] == [kept.number]
