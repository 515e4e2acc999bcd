"""Kept weeks through storage: one ``DigestService`` follows the reports it stores and
still gives the digest made from every report, whatever else writes to the period
(another connection, a rolled-back transaction, concurrent replies, raw SQL), and reads the
week from storage again only when it must."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core import render
from bot.core.models import Campaign, FieldValue
from bot.core.periods import Period
from bot.services.digests import DigestService
from bot.services.templates import TemplateService
from storage.sqlite import SqliteStore, open_store
from tests.storage.test_period_totals import NOW, WEEK, _plain, _report, _setup


class Reads:
    """Counts how often the week's reports are read from storage."""

    def __init__(self, store: SqliteStore) -> None:
        self.count = 0
        self.on = True
        original = store.submissions.current

        async def current(campaign_id: int, period: object) -> object:
            self.count += self.on
            return await original(campaign_id, period)  # type: ignore[arg-type]

        store.submissions.current = current  # type: ignore[method-assign,assignment]


@pytest.fixture
async def env(
    tmp_path: Path,
) -> AsyncIterator[tuple[SqliteStore, Campaign, list[int], TemplateService]]:
    store = await open_store(tmp_path / "t.db")
    try:
        campaign, orgs, templates = await _setup(store)
        yield store, campaign, orgs, templates
    finally:
        await store.close()


def _values(n: int) -> dict[str, FieldValue]:
    return {"so_buoi_tuyen_truyen": n, "tien_van_dong": 1000 * n, "mo_hinh_hay": f"Mô hình {n}"}


async def _same(
    store: SqliteStore,
    templates: TemplateService,
    digests: DigestService,
    campaign: Campaign,
    reads: Reads | None = None,
) -> None:
    kept = render.render_digest(await digests.digest(campaign, WEEK, NOW))
    if reads is not None:
        reads.on = False  # the straightforward digest's own reads are not counted
    assert kept == await _plain(store, templates, campaign)
    if reads is not None:
        reads.on = True


async def test_a_kept_week_follows_replies_and_is_read_again_after_other_writes(
    env: tuple[SqliteStore, Campaign, list[int], TemplateService], tmp_path: Path
) -> None:
    store, campaign, orgs, templates = env
    await _report(store, campaign, WEEK, orgs[0], _values(1))
    digests = DigestService(store, templates)
    reads = Reads(store)
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 1  # read once, then kept

    # Replies (a new unit, a correction): followed, not read again.
    await _report(store, campaign, WEEK, orgs[1], _values(2))
    await _report(store, campaign, WEEK, orgs[0], _values(3))
    await _same(store, templates, digests, campaign, reads)
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 1

    # Replies stored concurrently commit one after another: followed in commit order.
    await asyncio.gather(
        *(_report(store, campaign, WEEK, org, _values(10 + i)) for i, org in enumerate(orgs))
    )
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 1

    # A reply whose transaction rolls back leaves the kept week as it was.
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await _report(store, campaign, WEEK, orgs[2], _values(99))
            raise RuntimeError("the reply failed after storing")
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 1

    # Another connection (an operator, a second process) changes a report: read again.
    with sqlite3.connect(tmp_path / "t.db") as other:
        other.execute(
            "UPDATE submission_versions SET values_json = ? WHERE id = ("
            "SELECT MAX(id) FROM submission_versions)",
            ('{"so_buoi_tuyen_truyen":["i",5000]}',),
        )
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 2
    # ... and a reply after it is followed again.
    await _report(store, campaign, WEEK, orgs[3], _values(7))
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 2

    # A write through another path of this process (raw SQL): read again.
    where = "campaign_id = ? AND period_key = ? AND org_id = ?"
    params = (campaign.id, WEEK.key, orgs[1])
    async with store.transaction():
        await store.db.execute(
            "DELETE FROM submission_versions WHERE submission_id IN"
            f" (SELECT id FROM submissions WHERE {where})",
            params,
        )
        await store.db.execute(f"DELETE FROM submissions WHERE {where}", params)
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 3
    digests.close()


async def test_a_week_the_bot_sees_from_its_first_report_is_never_read(
    env: tuple[SqliteStore, Campaign, list[int], TemplateService],
) -> None:
    store, campaign, orgs, templates = env
    digests = DigestService(store, templates)
    reads = Reads(store)
    for i, org in enumerate(orgs):
        await _report(store, campaign, WEEK, org, _values(i))
    await digests.weeks.settled()
    await _same(store, templates, digests, campaign, reads)
    assert reads.count == 0
    # Completeness (the reminders') uses it too.
    completeness = await digests.completeness(campaign, WEEK, NOW)
    assert completeness.reported_count == len(orgs) and reads.count == 0
    digests.close()


async def test_a_digest_service_that_stopped_listening_reads_the_week(
    env: tuple[SqliteStore, Campaign, list[int], TemplateService],
) -> None:
    store, campaign, orgs, templates = env
    digests = DigestService(store, templates)
    await _report(store, campaign, WEEK, orgs[0], _values(1))
    await _same(store, templates, digests, campaign)
    digests.close()  # as the bot stops: no more reports reach its kept weeks
    await _report(store, campaign, WEEK, orgs[1], _values(2))
    again = DigestService(store, templates)
    await _same(store, templates, again, campaign)
    again.close()


async def test_a_reply_stored_while_a_digest_waits_is_wholly_in_it_or_wholly_out(
    env: tuple[SqliteStore, Campaign, list[int], TemplateService],
) -> None:
    store, campaign, orgs, templates = env
    digests = DigestService(store, templates)
    await _report(store, campaign, WEEK, orgs[0], _values(1))
    await digests.digest(campaign, WEEK, NOW)  # the week is kept
    await _report(store, campaign, WEEK, orgs[1], _values(2))
    before = await _plain(store, templates, campaign)
    original = store.calendar.exempt_orgs
    fired = False

    async def exempt_orgs(campaign_id: int, period: Period) -> frozenset[int]:
        nonlocal fired
        if not fired:  # another person's reply commits while the digest awaits
            fired = True
            await _report(store, campaign, WEEK, orgs[2], _values(40))
        return await original(campaign_id, period)

    store.calendar.exempt_orgs = exempt_orgs  # type: ignore[method-assign]
    digest = await digests.digest(campaign, WEEK, NOW)
    store.calendar.exempt_orgs = original  # type: ignore[method-assign]
    after = await _plain(store, templates, campaign)
    total = next(t for t in digest.totals if t.field.key == "so_buoi_tuyen_truyen")
    assert total.contributors == len(digest.rows)
    numbers = [r.values.get("so_buoi_tuyen_truyen") for r in digest.rows]
    assert total.value == sum(n for n in numbers if isinstance(n, int))
    assert render.render_digest(digest) in (before, after)
    digests.close()


async def test_a_week_read_inside_a_transaction_that_rolls_back_is_not_kept(
    env: tuple[SqliteStore, Campaign, list[int], TemplateService],
) -> None:
    store, campaign, orgs, templates = env
    digests = DigestService(store, templates)
    await _report(store, campaign, WEEK, orgs[0], _values(1))
    await digests.digest(campaign, WEEK, NOW)
    with pytest.raises(RuntimeError):
        async with store.transaction():
            await _report(store, campaign, WEEK, orgs[1], _values(2))
            await digests.completeness(campaign, WEEK, NOW)  # reads its own write
            raise RuntimeError("the command failed after reading the week")
    # Storage is back at the generation that week was read at, with other reports.
    await _report(store, campaign, WEEK, orgs[2], _values(3))
    await _same(store, templates, digests, campaign)
    digests.close()
