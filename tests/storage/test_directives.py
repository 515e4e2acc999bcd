"""The directive tables on a real SQLite file: numbering per workspace, addressed units,
the first acknowledgement kept, answers replaced per period, reminder steps recorded once,
closing, and the outbox's choices."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.periods import Period
from bot.services.ports import NotFoundError
from storage.sqlite import SqliteStore
from tests.storage.conftest import NOW


async def _two_units(store: SqliteStore) -> tuple[int, int, int]:
    ws = await store.workspaces.create("Nhóm", NOW)
    a = await store.orgs.add(ws.id, "hnd", "Hội Nông dân tỉnh", "Hội ND tỉnh")
    b = await store.orgs.add(ws.id, "tinhdoan", "Tỉnh đoàn")
    return ws.id, a.id, b.id


async def test_directives_are_numbered_per_workspace(store: SqliteStore) -> None:
    ws, a, b = await _two_units(store)
    other = await store.workspaces.create("Khác", NOW)
    d1 = await store.directives.create(ws, "Một", [a, b, a], "sandbox:1", "An", NOW)
    d2 = await store.directives.create(ws, "Hai", [b], "sandbox:1", "An", NOW, "reply", "m9")
    d3 = await store.directives.create(other.id, "Ba", [], "sandbox:1", "", NOW)
    assert (d1.number, d2.number, d3.number) == (1, 2, 1)
    assert d1.org_ids == (a, b) and d2.org_ids == (b,) and d3.org_ids == ()
    assert (d2.source, d2.source_ref) == ("reply", "m9")
    assert await store.directives.by_number(ws, 2) == d2
    assert [d.number for d in await store.directives.all(ws)] == [1, 2]
    with pytest.raises(NotFoundError):
        await store.directives.create(ws, "Sai", [9999], "x", "", NOW)
    assert [d.number for d in await store.directives.all(ws)] == [1, 2]  # nothing half-made


async def test_acks_answers_steps_and_closing(store: SqliteStore) -> None:
    ws, a, b = await _two_units(store)
    d = await store.directives.create(ws, "Một", [a, b], "x", "", NOW)
    assert await store.directives.acknowledge(d.id, a, "zalo", "u1", "Bình", NOW)
    later = NOW + timedelta(hours=1)
    assert not await store.directives.acknowledge(d.id, a, "zalo", "u2", "Cường", later)
    acks = await store.directives.acks(d.id)
    assert [(x.org_id, x.user_id, x.at) for x in acks] == [(a, "u1", NOW)]

    tmpl = await store.templates.save(ws, "tuan", "{}", "x", NOW)
    assert tmpl.version == 1
    from bot.core.models import Schedule
    from bot.core.periods import PeriodType

    c = await store.campaigns.create(ws, "Tuần", "tuan", PeriodType.WEEK, "Asia/Ho_Chi_Minh",
                                     Schedule(), NOW)  # fmt: skip
    week = Period.from_key("2026-W48")
    await store.directives.answer(d.id, b, c.id, week, "Lần đầu", "zalo", "u3", "Em", NOW)
    await store.directives.answer(d.id, b, c.id, week, "Sửa lại", "zalo", "u3", "Em", later)
    [ans] = await store.directives.answers_for_period(c.id, week)
    assert (ans.text, ans.first_at, ans.updated_at) == ("Sửa lại", NOW, later)
    assert await store.directives.answers_for_period(c.id, week.next()) == []

    assert await store.directives.mark_step(d.id, "remind", 0, NOW)
    assert not await store.directives.mark_step(d.id, "remind", 0, later)
    assert await store.directives.mark_step(d.id, "remind", 1, later)

    assert [x.id for x in await store.directives.active_between(ws, NOW, later)] == [d.id]
    assert await store.directives.close(d.id, "sandbox:1", later)
    assert not await store.directives.close(d.id, "sandbox:1", later)
    closed = await store.directives.get(d.id)
    assert closed is not None and closed.closed_at == later and not closed.is_open
    assert await store.directives.all(ws) == [] and await store.directives.open_all() == []
    assert [x.id for x in await store.directives.all(ws, include_closed=True)] == [d.id]
    # Still in force for a period that began before it was closed, not for a later one.
    assert await store.directives.active_between(ws, NOW, later) != []
    assert await store.directives.active_between(ws, later + timedelta(days=1), later) == []


async def test_outbox_rows_keep_their_choices(store: SqliteStore) -> None:
    assert await store.outbox.enqueue(
        "telegram", "1", "📌 Chỉ đạo", "k1", NOW, choices=[("Đã nhận", "ack:1")]
    )
    assert await store.outbox.enqueue("telegram", "1", "Tin thường", "k2", NOW)
    first, second = await store.outbox.pending("telegram")
    assert first.choices == (("Đã nhận", "ack:1"),) and second.choices == ()
