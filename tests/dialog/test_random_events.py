"""Random sequences of events from random people in random chats, through the dialog engine.

Hypothesis draws sequences of: commands (every name and alias of the command table, with
arguments drawn from what people type: unit codes, periods, user ids, invite codes the bot
handed out earlier in the sequence, junk), reports and free text, replies to the bot, photos,
button presses (real choices and stale or forged ones), the bot being added to groups, and
the clock moving on with the cycle ticking. The people are the owner, the admin, a leader,
two reporters and two strangers; the chats are their private chats, the workspace's group,
the leadership group and two foreign groups.

After every step these hold:

- **no crash**: no exception escapes, and the bot never answers with its internal error;
- **nothing stored lost**: every report version stored so far is still there, unchanged, and
  an answer "✅ Đã ghi nhận…" comes with a new stored version;
- **no permission bypassed**: a workspace's set-up changes only by an admin of it or the
  bot owner, or by a person joining with an invite (which binds that person only); a report
  version is stored only for the sender's own unit unless the sender is an admin or owner;
  a set-up change always leaves an audit entry in that workspace; the cycle changes no set-up;
- **no stray messages**: every answer goes to the chat the event came from, and every
  message queued in the outbox goes to a chat registered to a workspace or to a member's or
  an owner's private chat.

Each channel's identity and chat model (sandbox, Telegram, Zalo: ``permission_matrix``)
gets its own sequences. Profiles: ``ci`` (default; 100 sequences per channel, bounded time)
and ``thorough`` (2,000 per channel, 6,000 in all):
``HYPOTHESIS_PROFILE=thorough pytest tests/dialog/test_random_events.py``. Figures of a
thorough run are recorded in docs/phan-quyen.md.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.app import Services, build_services, seeded_codes
from bot.core import messages as msg
from bot.core.clock import ManualClock
from bot.core.commands import COMMANDS
from bot.core.events import BotAddedToChat, OutboundMessage
from tests.dialog import permission_matrix as pm

settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

PEOPLE = (pm.OWNER, pm.ADMIN, pm.LEADER, pm.REPORTER, 1005, pm.STRANGER, 1098)
PLACES = ("dm", "group", "leaders", "foreign", "foreign2")
WORDS = sorted({w for c in COMMANDS for w in (c.name, *c.aliases)})
ARG_WORDS = (
    "", "hnd", "hccb", "tinhdoan", "mttq", "xyz", "-", "baocao", "lanhdao", "quantri",
    "tuần 48", "tuần trước", "tháng 11", "quý IV", "năm 2026", "tuần 6/2027", "| Nghỉ",
    "USER1001", "USER1002", "USER1005", "USER1007", "USER1098", "USER1099", "word", "excel", "csv", "bieudo", "tep",
    "hoi", "tayninh", "hạn T6 16:00", "mở T2 08:00", "7 ngày", "người ký | A", "tắt", "INVITE",
    "hnd | Hội Nông dân | Hội ND", "xa_a | Xã A | tinh", "1. Số buổi tuyên truyền, vận động: 5",
)  # fmt: skip
TEXTS = (
    pm.FORM,
    "1. Số buổi tuyên truyền, vận động: 1.500\n2. Số lượt người được tuyên truyền: 45,5",
    "tuần này Hội tổ chức 12 buổi tuyên truyền, vận động được 45,5 triệu đồng",
    "1", "2", "3", "ok", "hủy", "bỏ qua", "xac nhan", "Chào các đồng chí", "", "Dạ, đã nhận ạ",
    "Nhóm MTT-CTXH tỉnh Tây Ninh",  # typed to confirm deleting the workspace
)  # fmt: skip
PRESS_DATA = ("ok", "edit", "cancel", "guided", "skip", "campaign:1", "campaign:99", "x")

# Weighted towards the people and places where something happens; strangers and foreign
# groups still come up often.
person = st.sampled_from((*PEOPLE, pm.ADMIN, pm.REPORTER, 1005))
place = st.sampled_from((*PLACES, "dm", "group"))
# Most commands are typed as their users would to make them act (the matrix's arguments,
# under the name or an alias); some with arguments drawn from a pool, some with junk.
meant = st.sampled_from(COMMANDS).flatmap(
    lambda c: st.sampled_from((c.name, *c.aliases)).map(
        lambda w: ("say", f"/{w} {pm.ARGS[c.name]}".strip())
    )
)
command = st.builds(
    lambda w, a, b, junk: ("say", f"/{w} {a} {b} {junk}".strip()),
    st.sampled_from(WORDS),
    st.sampled_from(ARG_WORDS),
    st.sampled_from(ARG_WORDS),
    st.text(max_size=12),
)
text = st.one_of(st.sampled_from(TEXTS), st.text(max_size=40)).map(lambda t: ("say", t))
form = st.sampled_from(TEXTS[:3]).map(lambda t: ("say", t))
said = st.one_of(meant, meant, meant, command, text, form, form)
step = st.one_of(
    st.tuples(st.just("msg"), person, place, said, st.booleans()),
    st.tuples(st.just("msg"), person, place, said, st.booleans()),
    st.tuples(st.just("msg"), person, place, said, st.booleans()),
    st.tuples(st.just("photo"), person, place, st.integers(1, 3), st.booleans()),
    st.tuples(st.just("press"), person, place, st.sampled_from(PRESS_DATA), st.booleans()),
    st.tuples(st.just("added"), person, st.sampled_from(("group", "foreign", "foreign2"))),
    st.tuples(st.just("clock"), st.integers(0, 80)),
)
sequences = st.lists(step, min_size=8, max_size=30)


@dataclass
class World:
    services: Services
    driver: pm.Driver
    clock: ManualClock
    invites: list[str]
    bot_messages: dict[str, str]  # chat id -> the last message id of the bot there
    versions: dict[int, tuple[Any, ...]]


CONFIG = ("org_units", "members", "invites", "chat_bindings", "templates", "campaigns",
          "workspace_settings", "indicator_values")  # fmt: skip
BY_CAMPAIGN = ("campaign_skips", "exemptions", "reopenings")
# What people send besides reports: directives (leaders), their acknowledgements and answers
# (units), the registry of good models (members mark, leaders shortlist).
LEADER_CONTENT = ("directives", "directive_orgs")
MEMBER_CONTENT = ("directive_acks", "directive_answers", "emulation_entries")
_BY_DIRECTIVE = "JOIN directives d ON d.id = t.directive_id WHERE d.workspace_id = ?"


member_rows: dict[int, set[tuple[Any, ...]]] = {}


async def workspace_state(services: Services) -> dict[int, dict[str, int]]:
    """Per workspace: a fingerprint of each set-up and content table, the number of audit
    entries; the member rows themselves go to ``member_rows`` (see the join/leave rule)."""
    db = services.store.db
    out: dict[int, dict[str, int]] = {}
    member_rows.clear()
    for row in await db.fetchall("SELECT id FROM workspaces"):
        ws = int(row[0])
        state: dict[str, int] = {}
        for table in CONFIG:
            rows = await db.fetchall(f"SELECT * FROM {table} WHERE workspace_id = ?", (ws,))
            state[table] = hash(tuple(sorted(repr(tuple(r)) for r in rows)))
        for table in BY_CAMPAIGN:
            rows = await db.fetchall(
                f"SELECT t.* FROM {table} t JOIN campaigns c ON c.id = t.campaign_id "
                "WHERE c.workspace_id = ?",
                (ws,),
            )
            state[table] = hash(tuple(sorted(repr(tuple(r)) for r in rows)))
        for table in (*LEADER_CONTENT, *MEMBER_CONTENT):
            if table in ("directives", "emulation_entries"):
                sql = f"SELECT * FROM {table} WHERE workspace_id = ?"
            else:
                sql = f"SELECT t.* FROM {table} t {_BY_DIRECTIVE}"
            rows = await db.fetchall(sql, (ws,))
            state[table] = hash(tuple(sorted(repr(tuple(r)) for r in rows)))
        people = await db.fetchall("SELECT user_id, * FROM members WHERE workspace_id = ?", (ws,))
        member_rows[ws] = {tuple(r) for r in people}
        audit = await db.fetchone("SELECT count(*) FROM audit_log WHERE workspace_id = ?", (ws,))
        state["audit"] = int(audit[0]) if audit else 0
        out[ws] = state
    return out


async def stored_versions(services: Services) -> dict[int, tuple[Any, ...]]:
    """What a report version holds as a record: its unit, period, values, photos, time. Who
    sent it and the raw message may be erased by design (a person leaving, retention)."""
    rows = await services.store.db.fetchall(
        "SELECT v.submission_id, v.version, v.values_json, v.photos_json, v.submitted_at, "
        "v.late, s.campaign_id, s.period_key, s.org_id, c.workspace_id, v.id "
        "FROM submission_versions v JOIN submissions s ON s.id = v.submission_id "
        "JOIN campaigns c ON c.id = s.campaign_id"
    )
    return {int(r["id"]): tuple(r)[:-1] for r in rows}


async def allowed_chats(services: Services) -> set[tuple[str, str]]:
    db = services.store.db
    chats = {(r[0], r[1]) for r in await db.fetchall("SELECT channel, chat_id FROM chat_bindings")}
    chats |= {(r[0], r[1]) for r in await db.fetchall("SELECT channel, user_id FROM members")}
    return chats | set(services.owners)


async def roles(services: Services, channel: str, who: str) -> dict[int, tuple[str, int | None]]:
    """Workspace -> (role, unit) of one person, before a step."""
    rows = await services.store.db.fetchall(
        "SELECT workspace_id, role, org_id FROM members WHERE channel = ? AND user_id = ?",
        (channel, who),
    )
    return {int(r[0]): (str(r[1]), r[2]) for r in rows}


def chat_of(d: pm.Driver, who: int, where: str) -> str:
    if where == "foreign2":
        return "g8"
    return d.chat(who, where).chat_id


async def play_step(w: World, s: tuple[Any, ...]) -> list[OutboundMessage]:
    d = w.driver
    kind = s[0]
    if kind == "clock":
        w.clock.set(w.clock.now() + timedelta(hours=s[1]))
        await w.services.cycle.run_due(w.clock.now())
        return []
    if kind == "added":
        who, where = s[1], s[2]
        chat = d.chat(who, "foreign" if where == "foreign2" else where)
        if where == "foreign2":
            chat = type(chat)(chat.channel, "g8", chat.kind, "Nhóm khác")
        added = BotAddedToChat(chat, d.sender(who), w.clock.now(), f"add{len(w.invites)}{who}")
        return await w.services.chat_events.handle(added)
    who, where = s[1], s[2]
    if kind == "press":
        chat_id = chat_of(d, who, where)
        target = w.bot_messages.get(chat_id, "m0") if s[4] else "forged"
        press = d.press(who, "foreign" if where == "foreign2" else where, target, s[3])
        if where == "foreign2":
            press = _move(press, "g8")
        return await d.send(press)
    if kind == "photo":
        event = d.message(who, _base(where), "", reply=s[4], photos=s[3])
    else:
        body = s[3][1].replace("USER", d.model.user_prefix)
        if "INVITE" in body:
            body = body.replace("INVITE", w.invites[-1] if w.invites else "ABCDEF")
        event = d.message(who, _base(where), body, reply=s[4])
    if where == "foreign2":
        event = _move(event, "g8")
    return await d.send(event)


def _base(where: str) -> str:
    return "foreign" if where == "foreign2" else where


def _move(event: Any, chat_id: str) -> Any:
    from dataclasses import replace

    return replace(event, chat=replace(event.chat, chat_id=chat_id, title="Nhóm khác"))


async def check_step(w: World, s: tuple[Any, ...], replies: list[OutboundMessage],
                     before: dict[int, dict[str, int]], who_roles: dict[int, tuple[str, int | None]],
                     is_owner: bool, chat_id: str | None) -> None:  # fmt: skip
    services = w.services
    where = f"step {s!r}"
    members_before = dict(member_rows)
    after = await workspace_state(services)
    actor = w.driver.model.user(s[1]) if s[0] in ("msg", "photo", "press") else None
    # A workspace disappears only when its admin or the owner deletes it (/xoakhonggian);
    # its reports go with it, by design (the owner's backup keeps them).
    deleted = set(before) - set(after)
    for ws in deleted:
        role = who_roles.get(ws, ("", None))[0]
        assert actor is not None and (is_owner or role == "admin"), (where, "deleted by", actor)
        event("a workspace deleted by its admin or the owner")
    # No crash, no internal error.
    for r in replies:
        assert msg.GENERIC_ERROR not in r.text, where
        if chat_id is not None:
            assert r.chat_id == chat_id, (where, r)
    # Nothing stored lost.
    now_versions = await stored_versions(services)
    for vid, row in w.versions.items():
        if row[-1] in deleted:
            continue
        assert now_versions.get(vid) == row, (where, "a stored report version changed", vid)
    new = [row for vid, row in now_versions.items() if vid not in w.versions]
    w.versions = now_versions
    # What the bot acknowledged as saved is stored (a new version in this very step).
    if any(r.text.startswith("✅ Đã ghi nhận báo cáo") for r in replies):
        assert new, (where, "acknowledged but nothing stored")
    if new:
        event("a report version stored")
    # No permission bypassed.
    for ws, state in after.items():
        old = before.get(ws)
        if old is None:
            # A new workspace: only the owner creates one (/khoitao).
            assert actor is not None and is_owner, (where, "workspace created by", actor)
            event("a second workspace created")
            continue
        role = who_roles.get(ws, ("", None))[0]
        boss = is_owner or role == "admin"
        content = {t for t in (*LEADER_CONTENT, *MEMBER_CONTENT) if state[t] != old[t]}
        if content and actor is not None:
            event("directives or the registry changed")
            assert boss or role in ("leader", "reporter"), (where, "content by", role, content)
            if content & set(LEADER_CONTENT):
                assert boss or role == "leader", (where, "a directive by", role)
        changed = {t for t in (*CONFIG, *BY_CAMPAIGN) if state[t] != old[t]}
        if not changed:
            continue
        assert actor is not None, (where, "the cycle changed the set-up", changed)
        assert state["audit"] > old["audit"], (where, "unaudited change", ws, changed)
        if boss:
            event("the set-up changed by its admin or the owner")
            continue
        # Anyone else: only their own membership (joining with an invite, which also counts
        # its use; leaving), nothing else and nobody else.
        assert changed <= {"members", "invites"}, (where, "bypass", ws, changed, role)
        moved = members_before.get(ws, set()) ^ member_rows.get(ws, set())
        assert all(r[0] == actor for r in moved), (where, "someone else's membership", moved)
        event("someone joined or left")
    for row in new:
        ws, org_id = row[-1], row[-2]
        role, unit = who_roles.get(ws, ("", None))
        if is_owner or role == "admin":
            continue
        assert actor is not None and role == "reporter" and unit == org_id, (
            where,
            "a report stored for another unit",
            role,
            unit,
            org_id,
        )
    # No stray messages.
    chats = await allowed_chats(services)
    queued = await services.store.db.fetchall("SELECT channel, chat_id FROM outbox")
    if queued:
        event("messages queued in the outbox")
    for out in queued:
        assert (out[0], out[1]) in chats, (where, "outbox message to an unknown chat", tuple(out))


async def run_sequence(
    model: pm.ChannelModel, template: Path, work: Path, steps: list[tuple[Any, ...]]
) -> None:
    db = work / "random.db"
    shutil.copyfile(template, db)  # a fresh directory per sequence: no stale -wal beside it
    clock = ManualClock(pm.CELL_AT)
    async with build_services(
        db, clock=clock, owners=pm.owners_for(model), new_code=seeded_codes(9),
        backup_dir=work / "backups",
    ) as services:  # fmt: skip
        d = pm.Driver(services, model, "r")
        w = World(services, d, clock, [], {}, await stored_versions(services))
        for s in steps:
            before = await workspace_state(services)
            actor = s[1] if s[0] in ("msg", "photo", "press") else None
            who = model.user(actor) if actor is not None else ""
            who_roles = await roles(services, model.channel, who) if actor is not None else {}
            is_owner = actor is not None and (model.channel, who) in services.owners
            chat_id = None
            if actor is not None:
                chat_id = chat_of(d, actor, s[2])
            replies = await play_step(w, s)
            await check_step(w, s, replies, before, who_roles, is_owner, chat_id)
            for r in replies:
                if "/thamgia " in r.text:
                    w.invites.append(r.text.split("/thamgia ", 1)[1].split()[0])
                if r.choices and chat_id is not None:
                    w.bot_messages[chat_id] = d._prefix + str(d._n)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The prepared workspace of each channel, built once."""
    out = {}
    for channel, model in pm.CHANNELS.items():
        path = tmp_path_factory.mktemp(f"random-{channel}") / "template.db"
        asyncio.run(pm.prepare(model, path))
        out[channel] = path
    return out


@pytest.mark.parametrize("channel", sorted(pm.CHANNELS))
@settings(settings.get_profile(PROFILE))
@given(steps=sequences)
def test_random_sequences_keep_the_invariants(
    channel: str,
    templates: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[Any, ...]],
) -> None:
    work = tmp_path_factory.mktemp("seq", numbered=True)
    try:
        asyncio.run(run_sequence(pm.CHANNELS[channel], templates[channel], work, steps))
    finally:
        shutil.rmtree(work, ignore_errors=True)
