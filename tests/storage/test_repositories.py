"""Every repository method, on a real SQLite file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.core.models import (
    ChatBinding,
    ChatKind,
    ChatPurpose,
    ConversationState,
    CycleStep,
    FieldValue,
    Invite,
    Role,
    Schedule,
)
from bot.core.periods import Period, PeriodType
from bot.services.ports import DuplicateError, NotFoundError
from storage.sqlite import SqliteStore, open_store

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
ICT = timezone(timedelta(hours=7))
WEEK = Period.week(2026, 48)
EVIL = "'; DROP TABLE members; --"


async def _workspace(store: SqliteStore, name: str = "MTTQ phường 1") -> int:
    return (await store.workspaces.create(name, NOW)).id


async def _campaign(
    store: SqliteStore, ws_id: int, period_type: PeriodType = PeriodType.WEEK
) -> int:
    c = await store.campaigns.create(
        ws_id, "Báo cáo", "weekly", period_type, "Asia/Ho_Chi_Minh", Schedule(), NOW
    )
    return c.id


def _assert_aware_utc(moment: datetime | None) -> None:
    assert moment is not None and moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)


# -- workspaces ------------------------------------------------------------------------
async def test_workspaces(store: SqliteStore) -> None:
    local = datetime(2026, 11, 23, 8, 30, tzinfo=ICT)
    a = await store.workspaces.create("A", local)
    b = await store.workspaces.create(EVIL, NOW)
    assert a.created_at == local  # same instant...
    _assert_aware_utc(a.created_at)  # ...returned in UTC, never naive
    assert await store.workspaces.get(a.id) == a
    assert await store.workspaces.get(9999) is None
    assert await store.workspaces.all() == [a, b]
    assert b.name == EVIL
    renamed = await store.workspaces.rename(a.id, "A2")
    assert renamed == replace(a, name="A2")
    assert await store.workspaces.get(a.id) == renamed
    with pytest.raises(NotFoundError):
        await store.workspaces.rename(9999, "x")


async def test_naive_datetimes_are_refused(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        await store.workspaces.create("A", datetime(2026, 1, 1))  # noqa: DTZ001
    assert await store.workspaces.all() == []


# -- organizations ---------------------------------------------------------------------
async def test_orgs(store: SqliteStore) -> None:
    ws = await _workspace(store)
    other_ws = await _workspace(store, "other")
    hoi = await store.orgs.add(ws, "HoiND", "Hội Nông dân", "ND")
    dt = await store.orgs.add(ws, "DTN", "Đoàn Thanh niên")
    chi = await store.orgs.add(ws, "Chi1", "Chi hội 1", parent_id=hoi.id)
    assert (hoi.code, hoi.name, hoi.short_name, hoi.parent_id, hoi.active, hoi.sort_order) == (
        "HoiND",
        "Hội Nông dân",
        "ND",
        None,
        True,
        0,
    )
    assert chi.parent_id == hoi.id and chi.workspace_id == ws
    assert await store.orgs.get(hoi.id) == hoi
    assert await store.orgs.get(9999) is None

    # Codes are unique per workspace, case-insensitively (Vietnamese letters too).
    with pytest.raises(DuplicateError):
        await store.orgs.add(ws, "hoind", "dup")
    phuong = await store.orgs.add(ws, "PHƯỜNG", "Phường")
    with pytest.raises(DuplicateError):
        await store.orgs.add(ws, "phường", "dup")
    assert await store.orgs.by_code(ws, "hOInd") == hoi
    assert await store.orgs.by_code(ws, "Phường") == phuong
    assert await store.orgs.by_code(ws, "nope") is None
    assert await store.orgs.by_code(other_ws, "HOIND") is None
    same_code_elsewhere = await store.orgs.add(other_ws, "HOIND", "ok in another workspace")
    assert same_code_elsewhere.code == "HOIND"

    # Order: sort_order, then id (order added); inactive hidden unless asked for.
    assert [o.id for o in await store.orgs.all(ws)] == [hoi.id, dt.id, chi.id, phuong.id]
    moved = await store.orgs.update(replace(hoi, sort_order=5, name="Hội ND", short_name=""))
    assert moved.name == "Hội ND" and moved.display_name == "Hội ND" and moved.sort_order == 5
    off = await store.orgs.update(replace(dt, active=False, parent_id=hoi.id))
    assert off.active is False and off.parent_id == hoi.id
    assert [o.id for o in await store.orgs.all(ws)] == [chi.id, phuong.id, hoi.id]
    assert [o.id for o in await store.orgs.all(ws, include_inactive=True)] == [
        dt.id,
        chi.id,
        phuong.id,
        hoi.id,
    ]
    assert await store.orgs.get(dt.id) == off
    cleared = await store.orgs.update(replace(chi, parent_id=None))
    assert cleared.parent_id is None
    # update never changes the code or the workspace
    kept = await store.orgs.update(replace(chi, code="NEW", workspace_id=other_ws))
    assert kept.code == "Chi1" and kept.workspace_id == ws
    with pytest.raises(NotFoundError):
        await store.orgs.update(replace(hoi, id=9999))
    with pytest.raises(NotFoundError):
        await store.orgs.update(replace(hoi, parent_id=9999))


# -- members ---------------------------------------------------------------------------
async def test_members(store: SqliteStore) -> None:
    ws = await _workspace(store)
    ws2 = await _workspace(store, "second")
    org = await store.orgs.add(ws, "O", "Org")
    org2 = await store.orgs.add(ws, "P", "Org P")
    m = await store.members.upsert(ws, "telegram", "42", EVIL, Role.REPORTER, org.id, NOW)
    assert (m.workspace_id, m.channel, m.user_id, m.display_name, m.role, m.org_id) == (
        ws,
        "telegram",
        "42",
        EVIL,
        Role.REPORTER,
        org.id,
    )
    _assert_aware_utc(m.created_at)
    assert await store.members.get(ws, "telegram", "42") == m
    assert await store.members.get(ws, "zalo", "42") is None

    # A second bind replaces role and org (same row, same id, created_at kept).
    later = NOW + timedelta(days=1)
    m2 = await store.members.upsert(ws, "telegram", "42", "Anh Ba", Role.ADMIN, org2.id, later)
    assert m2.id == m.id and m2.created_at == m.created_at
    assert (m2.role, m2.org_id, m2.display_name) == (Role.ADMIN, org2.id, "Anh Ba")
    assert await store.members.all(ws) == [m2]

    other = await store.members.upsert(ws2, "telegram", "42", "Anh Ba", Role.LEADER, None, NOW)
    zalo = await store.members.upsert(ws, "zalo", "42", "Ba", Role.REPORTER, org2.id, NOW)
    assert await store.members.for_user("telegram", "42") == [m2, other]
    assert await store.members.for_user("telegram", "43") == []
    assert await store.members.all(ws) == [m2, zalo]
    assert await store.members.by_org(org2.id) == [m2, zalo]
    assert await store.members.by_org(org.id) == []

    await store.members.remove(m2.id)
    assert await store.members.get(ws, "telegram", "42") is None
    assert await store.members.for_user("telegram", "42") == [other]
    await store.members.remove(m2.id)  # idempotent
    again = await store.members.upsert(ws, "telegram", "42", "x", Role.REPORTER, None, NOW)
    assert again.id not in (m.id, other.id, zalo.id)  # ids are never reused
    with pytest.raises(NotFoundError):
        await store.members.upsert(ws, "telegram", "9", "x", Role.REPORTER, 9999, NOW)


# -- invites ---------------------------------------------------------------------------
def _invite(ws: int, code: str = "ABC123", **kw: object) -> Invite:
    fields: dict[str, object] = {
        "code": code,
        "workspace_id": ws,
        "org_id": None,
        "role": Role.REPORTER,
        "created_by": "telegram:1",
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=7),
        "max_uses": 3,
    }
    fields.update(kw)
    return Invite(**fields)  # type: ignore[arg-type]


async def test_invites(store: SqliteStore) -> None:
    ws = await _workspace(store)
    org = await store.orgs.add(ws, "O", "Org")
    inv = await store.invites.create(_invite(ws, org_id=org.id))
    assert inv == _invite(ws, org_id=org.id)
    never = await store.invites.create(_invite(ws, "Mã-Đ9", expires_at=None, role=Role.LEADER))
    assert never.expires_at is None and never.role is Role.LEADER
    with pytest.raises(DuplicateError):
        await store.invites.create(_invite(ws, "abc123"))
    assert await store.invites.get("abc123") == inv
    assert await store.invites.get("mã-đ9") == never
    assert await store.invites.get("nope") is None

    await store.invites.use("abc123")
    await store.invites.use("ABC123")
    used = await store.invites.get("ABC123")
    assert used is not None and used.uses == 2 and used.usable_at(NOW)
    await store.invites.revoke("Abc123")
    revoked = await store.invites.get("ABC123")
    assert revoked is not None and revoked.revoked and not revoked.usable_at(NOW)
    assert await store.invites.all(ws) == [revoked, never]
    assert await store.invites.all(9999) == []
    with pytest.raises(NotFoundError):
        await store.invites.use("missing")
    with pytest.raises(NotFoundError):
        await store.invites.revoke("missing")
    with pytest.raises(NotFoundError):
        await store.invites.create(_invite(ws, "X", org_id=9999))


# -- chats -----------------------------------------------------------------------------
async def test_chats(store: SqliteStore) -> None:
    ws = await _workspace(store)
    ws2 = await _workspace(store, "two")
    group = ChatBinding(ws, "telegram", "-100", ChatKind.GROUP, ChatPurpose.REPORTING, EVIL)
    lead = ChatBinding(ws, "telegram", "-100", ChatKind.GROUP, ChatPurpose.LEADERSHIP, "L")
    zalo = ChatBinding(ws, "zalo", "g1", ChatKind.GROUP, ChatPurpose.REPORTING, "Z")
    await store.chats.bind(group)
    await store.chats.bind(group)  # idempotent
    await store.chats.bind(lead)
    await store.chats.bind(zalo)
    assert await store.chats.get("telegram", "-100") == [group, lead]
    assert await store.chats.get("telegram", "nope") == []
    assert await store.chats.for_workspace(ws) == [group, lead, zalo]
    assert await store.chats.for_workspace(ws, ChatPurpose.REPORTING) == [group, zalo]
    assert await store.chats.for_workspace(ws, ChatPurpose.LEADERSHIP) == [lead]

    moved = replace(group, workspace_id=ws2, title="Nhóm mới")
    await store.chats.bind(moved)  # a rebinding updates workspace and title
    assert await store.chats.get("telegram", "-100") == [moved, lead]
    assert await store.chats.for_workspace(ws, ChatPurpose.REPORTING) == [zalo]
    assert await store.chats.for_workspace(ws2) == [moved]

    await store.chats.unbind("telegram", "-100", ChatPurpose.REPORTING)
    await store.chats.unbind("telegram", "-100", ChatPurpose.REPORTING)  # idempotent
    assert await store.chats.get("telegram", "-100") == [lead]
    with pytest.raises(NotFoundError):
        await store.chats.bind(replace(group, workspace_id=9999))


async def test_rebind_moves_a_chat_to_its_new_id(store: SqliteStore) -> None:
    ws = await _workspace(store)
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    group = ChatBinding(ws, "telegram", "-4001", ChatKind.GROUP, ChatPurpose.REPORTING, "G")
    lead = ChatBinding(ws, "telegram", "-4001", ChatKind.GROUP, ChatPurpose.LEADERSHIP, "G")
    other = ChatBinding(ws, "zalo", "-4001", ChatKind.GROUP, ChatPurpose.REPORTING, "Z")
    for b in (group, lead, other):
        await store.chats.bind(b)
    # The new id already registered for leadership (someone ran /nhomlanhdao there first).
    await store.chats.bind(replace(lead, chat_id="-1004001", title="Mới"))
    assert await store.outbox.enqueue("telegram", "-4001", "chờ gửi", "k1", now, group=True)
    assert await store.outbox.enqueue("telegram", "-4001", "đã gửi", "k2", now, group=True)
    sent = next(i for i in await store.outbox.pending("telegram") if i.text == "đã gửi")
    await store.outbox.mark_sent(sent.id, now)

    assert await store.chats.rebind("telegram", "-4001", "-1004001") == 1
    assert await store.chats.get("telegram", "-4001") == []
    assert await store.chats.get("telegram", "-1004001") == [
        replace(group, chat_id="-1004001"),
        replace(lead, chat_id="-1004001", title="Mới"),
    ]
    assert await store.chats.get("zalo", "-4001") == [other]  # another channel's chat
    [pending] = await store.outbox.pending("telegram")
    assert (pending.text, pending.chat_id) == ("chờ gửi", "-1004001")
    assert await store.chats.rebind("telegram", "-4001", "-1004001") == 0  # idempotent


# -- templates -------------------------------------------------------------------------
async def test_templates(store: SqliteStore) -> None:
    ws = await _workspace(store)
    ws2 = await _workspace(store, "two")
    assert await store.templates.latest(ws, "weekly") is None
    assert await store.templates.versions(ws, "weekly") == []
    v1 = await store.templates.save(ws, "weekly", '{"fields": []}', "telegram:1", NOW)
    v2 = await store.templates.save(ws, "weekly", EVIL, "telegram:2", NOW + timedelta(hours=1))
    other = await store.templates.save(ws2, "weekly", "{}", "x", NOW)
    monthly = await store.templates.save(ws, "monthly", "{}", "x", NOW)
    assert (v1.version, v2.version, other.version, monthly.version) == (1, 2, 1, 1)
    assert (v2.document, v2.created_by, v2.key, v2.workspace_id) == (
        EVIL,
        "telegram:2",
        "weekly",
        ws,
    )
    assert v2.created_at == NOW + timedelta(hours=1)
    assert await store.templates.latest(ws, "weekly") == v2
    assert await store.templates.versions(ws, "weekly") == [v1, v2]
    assert await store.templates.latest(ws2, "weekly") == other


# -- campaigns -------------------------------------------------------------------------
async def test_campaigns(store: SqliteStore) -> None:
    ws = await _workspace(store)
    ws2 = await _workspace(store, "two")
    schedule = Schedule(
        open_offset=timedelta(hours=7, minutes=30),
        deadline_offset=timedelta(days=4, hours=17),
        reminder_offsets=(timedelta(days=2, hours=8), timedelta(days=3, hours=8, seconds=0.5)),
        warning_before=None,
        lock_after=timedelta(days=10),
    )
    started = datetime(2026, 11, 23, 0, 0, tzinfo=ICT)
    c = await store.campaigns.create(
        ws, EVIL, "weekly", PeriodType.WEEK, "Asia/Ho_Chi_Minh", schedule, started
    )
    assert (c.workspace_id, c.name, c.template_key, c.period_type, c.timezone) == (
        ws,
        EVIL,
        "weekly",
        PeriodType.WEEK,
        "Asia/Ho_Chi_Minh",
    )
    assert c.schedule == schedule
    assert c.started_on == started
    assert (c.active, c.prompt_private, c.prompt_group) == (True, True, True)
    assert await store.campaigns.get(c.id) == c
    assert await store.campaigns.get(9999) is None

    default = await store.campaigns.create(
        ws, "Tháng", "monthly", PeriodType.MONTH, "UTC", Schedule(), NOW
    )
    assert default.schedule == Schedule()
    elsewhere = await store.campaigns.create(
        ws2, "Quý", "q", PeriodType.QUARTER, "UTC", Schedule(), NOW
    )
    changed = replace(
        default,
        name="Tháng (mới)",
        template_key="monthly2",
        period_type=PeriodType.HALF,
        timezone="Asia/Bangkok",
        schedule=replace(Schedule(), reminder_offsets=()),
        active=False,
        prompt_private=False,
        prompt_group=False,
        started_on=NOW + timedelta(days=365),  # not saved by update
    )
    saved = await store.campaigns.update(changed)
    assert saved == replace(changed, started_on=NOW)
    assert await store.campaigns.get(default.id) == saved
    assert await store.campaigns.all(ws) == [c, saved]
    assert await store.campaigns.all(ws, active_only=True) == [c]
    assert await store.campaigns.list_active() == [c, elsewhere]
    with pytest.raises(NotFoundError):
        await store.campaigns.update(replace(c, id=9999))


# -- cycle -----------------------------------------------------------------------------
async def test_cycle(store: SqliteStore) -> None:
    ws = await _workspace(store)
    cid = await _campaign(store, ws)
    assert await store.cycle.done(cid, WEEK) == []
    assert await store.cycle.mark(cid, WEEK, CycleStep.OPEN, 0, NOW) is True
    assert await store.cycle.mark(cid, WEEK, CycleStep.OPEN, 0, NOW + timedelta(hours=1)) is False
    assert await store.cycle.mark(cid, WEEK, CycleStep.REMINDER, 0, NOW + timedelta(hours=2))
    assert await store.cycle.mark(cid, WEEK, CycleStep.REMINDER, 1, NOW + timedelta(hours=3))
    assert await store.cycle.mark(cid, WEEK.next(), CycleStep.OPEN, 0, NOW)
    done = await store.cycle.done(cid, WEEK)
    assert [(r.step, r.slot) for r in done] == [
        (CycleStep.OPEN, 0),
        (CycleStep.REMINDER, 0),
        (CycleStep.REMINDER, 1),
    ]
    assert all(r.campaign_id == cid and r.period == WEEK for r in done)
    assert done[0].done_at == NOW  # the second mark changed nothing
    _assert_aware_utc(done[0].done_at)
    with pytest.raises(NotFoundError):
        await store.cycle.mark(9999, WEEK, CycleStep.OPEN, 0, NOW)


# -- submissions -----------------------------------------------------------------------
ALL_KINDS: dict[str, FieldValue] = {
    "so_hoi_vien": 120,
    "zero": 0,
    "tien": 10**15 + 7,
    "am": -3,
    "ty_le": Decimal("45.50"),
    "ty_le_2": Decimal("45.5"),
    "nho": Decimal("0.000"),
    "mu": Decimal("1E+3"),
    "am_dec": Decimal("-0.5"),
    "co_hop": True,
    "khong": False,
    "ghi_chu": EVIL,
    "unicode": 'Hội nghị "MTTQ" \\ 💬\n',
    "empty": "",
    "so_text": "12",
    "anh": ("file-1", "file'2"),
    "khong_anh": (),
}


def _assert_same_values(got: dict[str, FieldValue], want: dict[str, FieldValue]) -> None:
    assert list(got) == list(want)  # same keys, same order
    for key, value in want.items():
        assert type(got[key]) is type(value), key
        assert got[key] == value, key
        if isinstance(value, Decimal):
            assert str(got[key]) == str(value), key  # same digits, not just equal


async def test_values_round_trip_exactly(store: SqliteStore, db_path: Path) -> None:
    ws = await _workspace(store)
    cid = await _campaign(store, ws)
    org = await store.orgs.add(ws, "O", "Org")
    added = await store.submissions.add_version(
        cid, WEEK, org.id, "telegram", "7", "m1", EVIL, ALL_KINDS, NOW, False, ("p1", "p2")
    )
    _assert_same_values(added.values, ALL_KINDS)
    fetched = await store.submissions.current_for_org(cid, WEEK, org.id)
    assert fetched is not None
    _assert_same_values(fetched.values, ALL_KINDS)
    assert fetched == added
    assert fetched.raw_text == EVIL
    assert fetched.photos == ("p1", "p2")
    assert fetched.values["ty_le"] != Decimal("45.51")
    assert str(fetched.values["ty_le"]) != str(fetched.values["ty_le_2"])

    await store.close()
    reopened = await open_store(db_path)
    try:
        again = await reopened.submissions.current_for_org(cid, WEEK, org.id)
        assert again == added
        assert again is not None
        _assert_same_values(again.values, ALL_KINDS)
    finally:
        await reopened.close()


async def test_unstorable_values_write_nothing(store: SqliteStore) -> None:
    ws = await _workspace(store)
    cid = await _campaign(store, ws)
    org = await store.orgs.add(ws, "O", "Org")
    bads: list[dict[str, Any]] = [{"x": 1.5}, {"x": ["a"]}, {"x": ("a", 1)}, {"x": None}]
    for bad in bads:
        with pytest.raises(TypeError):
            await store.submissions.add_version(
                cid,
                WEEK,
                org.id,
                "t",
                "u",
                "m",
                "",
                bad,
                NOW,
                False,
            )
    assert await store.submissions.history(cid, WEEK, org.id) == []


async def test_submission_versions(store: SqliteStore) -> None:
    ws = await _workspace(store)
    cid = await _campaign(store, ws)
    other_cid = await _campaign(store, ws)
    a = await store.orgs.add(ws, "A", "Org A")
    b = await store.orgs.add(ws, "B", "Org B")
    assert await store.submissions.current(cid, WEEK) == []
    assert await store.submissions.current_for_org(cid, WEEK, a.id) is None

    a1 = await store.submissions.add_version(
        cid, WEEK, a.id, "telegram", "7", "m1", "v1", {"n": 1}, NOW, False
    )
    a2 = await store.submissions.add_version(
        cid, WEEK, a.id, "zalo", "8", "m2", "v2", {"n": 2}, NOW + timedelta(hours=1), True
    )
    b1 = await store.submissions.add_version(
        cid, WEEK, b.id, "telegram", "9", "m3", "b", {"n": 10}, NOW, False
    )
    a3 = await store.submissions.add_version(
        cid, WEEK, a.id, "telegram", "7", "m4", "v3", {"n": 3}, NOW + timedelta(hours=2), True
    )
    prev_week = await store.submissions.add_version(
        cid, WEEK.prev(), a.id, "telegram", "7", "m0", "old", {"n": 0}, NOW, False
    )
    other = await store.submissions.add_version(
        other_cid, WEEK, a.id, "telegram", "7", "mx", "x", {"n": 99}, NOW, False
    )
    assert [v.version for v in (a1, a2, a3, b1, prev_week, other)] == [1, 2, 3, 1, 1, 1]
    assert a1.submission_id == a2.submission_id == a3.submission_id != b1.submission_id
    assert len({a1.id, a2.id, a3.id, b1.id}) == 4
    assert (a2.channel, a2.user_id, a2.message_id, a2.late, a2.period) == (
        "zalo",
        "8",
        "m2",
        True,
        WEEK,
    )

    current = await store.submissions.current(cid, WEEK)
    assert current == [a3, b1]  # only the latest per organization
    assert await store.submissions.current_for_org(cid, WEEK, a.id) == a3
    assert await store.submissions.current_for_org(cid, WEEK, b.id) == b1
    assert await store.submissions.history(cid, WEEK, a.id) == [a1, a2, a3]
    assert await store.submissions.history(cid, WEEK, b.id) == [b1]
    assert await store.submissions.current(other_cid, WEEK) == [other]
    with pytest.raises(NotFoundError):
        await store.submissions.add_version(
            cid, WEEK, 9999, "telegram", "7", "m", "x", {}, NOW, False
        )


async def test_current_in_range(store: SqliteStore) -> None:
    ws = await _workspace(store)
    cid = await _campaign(store, ws)
    a = await store.orgs.add(ws, "A", "Org A")
    b = await store.orgs.add(ws, "B", "Org B")
    # Weeks across a year boundary: keys 2026-W52, 2026-W53, 2027-W01... sort fine as text
    # within one type, but must not pick up other period types stored for the campaign.
    w1 = Period.week(2026, 51)
    weeks = [w1.shift(i) for i in range(5)]
    versions = {}
    for w in weeks:
        for org in (b, a):
            versions[(w, org.id)] = await store.submissions.add_version(
                cid, w, org.id, "t", "u", "m", w.key, {"k": w.key}, NOW, False
            )
    newer = await store.submissions.add_version(
        cid, weeks[2], a.id, "t", "u", "m", "newer", {"k": "newer"}, NOW, True
    )
    month = Period.containing(PeriodType.MONTH, weeks[2].start)
    await store.submissions.add_version(cid, month, a.id, "t", "u", "m", "month", {}, NOW, False)

    got = await store.submissions.current_in_range(cid, weeks[1], weeks[3])
    expected = [
        versions[(weeks[1], a.id)],
        versions[(weeks[1], b.id)],
        newer,
        versions[(weeks[2], b.id)],
        versions[(weeks[3], a.id)],
        versions[(weeks[3], b.id)],
    ]
    assert got == expected
    assert [v.period for v in got] == [weeks[1], weeks[1], weeks[2], weeks[2], weeks[3], weeks[3]]
    assert await store.submissions.current_in_range(cid, weeks[0], weeks[0]) == [
        versions[(weeks[0], a.id)],
        versions[(weeks[0], b.id)],
    ]
    assert await store.submissions.current_in_range(cid, weeks[3], weeks[1]) == []
    months = await store.submissions.current_in_range(cid, month.prev(), month.next())
    assert [v.raw_text for v in months] == ["month"]
    with pytest.raises(ValueError, match="mixes"):
        await store.submissions.current_in_range(cid, weeks[0], month)


# -- audit -----------------------------------------------------------------------------
async def test_audit(store: SqliteStore) -> None:
    ws = await _workspace(store)
    ws2 = await _workspace(store, "two")
    for i in range(5):
        await store.audit.record(ws, "telegram:1", f"action{i}", EVIL, NOW + timedelta(minutes=i))
    await store.audit.record(ws2, "x", "other", "", NOW)
    entries = await store.audit.all(ws)
    assert [e.action for e in entries] == [f"action{i}" for i in reversed(range(5))]
    assert entries[0].detail == EVIL and entries[0].actor == "telegram:1"
    assert entries[0].at == NOW + timedelta(minutes=4)
    assert entries[0].workspace_id == ws
    assert [e.action for e in await store.audit.all(ws, limit=2)] == ["action4", "action3"]
    assert [e.action for e in await store.audit.all(ws2)] == ["other"]


# -- outbox ----------------------------------------------------------------------------
async def test_outbox(store: SqliteStore) -> None:
    ob = store.outbox
    assert await ob.enqueue("telegram", "-100", EVIL, "k1", NOW, ("5", "6"))
    assert not await ob.enqueue("telegram", "-100", "different", "k1", NOW)  # dedupe
    assert await ob.enqueue("zalo", "g", "z", "k2", NOW + timedelta(seconds=1))
    assert await ob.enqueue("telegram", "-100", "t", "k3", NOW - timedelta(seconds=1))
    pending = await ob.pending()
    assert [i.dedupe_key for i in pending] == ["k3", "k1", "k2"]  # oldest first
    first = pending[1]
    assert (first.channel, first.chat_id, first.text, first.mention_user_ids) == (
        "telegram",
        "-100",
        EVIL,
        ("5", "6"),
    )
    assert (first.sent_at, first.attempts, first.last_error) == (None, 0, None)
    assert first.created_at == NOW
    assert [i.dedupe_key for i in await ob.pending("telegram")] == ["k3", "k1"]
    assert [i.dedupe_key for i in await ob.pending(limit=1)] == ["k3"]
    assert await ob.pending("sandbox") == []

    by_key = {i.dedupe_key: i for i in pending}
    await ob.mark_failed(by_key["k1"].id, "429 Too Many Requests", NOW, permanent=False)
    retried = {i.dedupe_key: i for i in await ob.pending()}
    assert retried["k1"].attempts == 1 and retried["k1"].last_error == "429 Too Many Requests"

    await ob.mark_sent(by_key["k1"].id, NOW + timedelta(minutes=1))
    await ob.mark_failed(by_key["k3"].id, "403 bot was blocked", NOW, permanent=True)
    assert [i.dedupe_key for i in await ob.pending()] == ["k2"]
    sent = await store.outbox_repo.get(by_key["k1"].id)
    assert sent is not None and sent.sent_at == NOW + timedelta(minutes=1) and sent.attempts == 2
    failed = await store.outbox_repo.get(by_key["k3"].id)
    assert (
        failed is not None and failed.sent_at is None and failed.last_error == "403 bot was blocked"
    )
    # Still deduplicated after delivery: a replayed decision does not resend.
    assert not await ob.enqueue("telegram", "-100", EVIL, "k1", NOW)
    with pytest.raises(NotFoundError):
        await ob.mark_sent(9999, NOW)
    with pytest.raises(NotFoundError):
        await ob.mark_failed(9999, "x", NOW, permanent=True)


async def test_hot_queries_use_indexes(store: SqliteStore) -> None:
    plans = {
        "outbox": (
            "SELECT * FROM outbox WHERE channel = ? AND sent_at IS NULL AND failed_permanently = 0"
            " ORDER BY created_at, id LIMIT ?",
            ("telegram", 10),
        ),
        "member": (
            "SELECT * FROM members WHERE workspace_id = ? AND channel = ? AND user_id = ?",
            (1, "telegram", "1"),
        ),
        "member_for_user": ("SELECT * FROM members WHERE channel = ? AND user_id = ?", ("t", "1")),
        "org": ("SELECT * FROM org_units WHERE workspace_id = ? AND code_key = ?", (1, "x")),
        "current": (
            "SELECT v.id FROM submissions AS s JOIN submission_versions AS v"
            " ON v.submission_id = s.id AND v.version = s.current_version"
            " WHERE s.campaign_id = ? AND s.period_key = ?",
            (1, "2026-W48"),
        ),
    }
    for name, (sql, params) in plans.items():
        rows = await store.db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
        details = [str(r[3]) for r in rows]
        assert all("INDEX" in d or "PRIMARY KEY" in d for d in details), (name, details)


# -- conversations ---------------------------------------------------------------------
async def test_conversations(store: SqliteStore) -> None:
    data: dict[str, object] = {
        "step": 2,
        "org": None,
        "ok": True,
        "answers": {"a": "1", "nested": [1, "x", False, None]},
        "text": EVIL,
    }
    state = ConversationState("telegram", "-100", "42", "report", data, NOW)
    assert await store.conversations.get("telegram", "-100", "42") is None
    await store.conversations.put(state)
    got = await store.conversations.get("telegram", "-100", "42")
    assert got == state
    assert got is not None and got.data["ok"] is True and got.data["step"] == 2
    assert await store.conversations.get("telegram", "-100", "43") is None
    assert await store.conversations.get("zalo", "-100", "42") is None

    replaced = replace(state, kind="bind", data={}, updated_at=NOW + timedelta(minutes=5))
    await store.conversations.put(replaced)
    assert await store.conversations.get("telegram", "-100", "42") == replaced
    await store.conversations.clear("telegram", "-100", "42")
    await store.conversations.clear("telegram", "-100", "42")  # idempotent
    assert await store.conversations.get("telegram", "-100", "42") is None


# -- inbound ---------------------------------------------------------------------------
async def test_inbound_first_time(store: SqliteStore) -> None:
    assert await store.inbound.first_time("telegram", "update:1", NOW)
    assert not await store.inbound.first_time("telegram", "update:1", NOW + timedelta(hours=1))
    assert await store.inbound.first_time("zalo", "update:1", NOW)  # per channel
    assert await store.inbound.first_time("telegram", EVIL, NOW + timedelta(days=3))
    assert not await store.inbound.first_time("telegram", EVIL, NOW)
    assert await store.inbound_log.prune(NOW + timedelta(days=1)) == 2
    assert await store.inbound.first_time("telegram", "update:1", NOW)  # forgotten
    assert not await store.inbound.first_time("telegram", EVIL, NOW)  # kept


async def test_sql_like_text_does_not_harm_the_schema(store: SqliteStore) -> None:
    ws = await _workspace(store, EVIL)
    org = await store.orgs.add(ws, EVIL, EVIL, EVIL)
    await store.members.upsert(ws, EVIL, EVIL, EVIL, Role.ADMIN, org.id, NOW)
    assert await store.orgs.by_code(ws, EVIL) == org
    member = await store.members.get(ws, EVIL, EVIL)
    assert member is not None and member.display_name == EVIL
    assert (await store.workspaces.all())[0].name == EVIL
