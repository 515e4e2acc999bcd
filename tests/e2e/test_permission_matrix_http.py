"""The permission matrix over real HTTP: a cross-section of its cells against the fake
Telegram Bot API and the fake Zalo Bot API, with the whole bot running (python-telegram-bot,
the Zalo client, the channel adapters, the outbox).

The expected outcomes are the same table the engine-level test tries in full
(``tests/dialog/permission_matrix.py``). Over HTTP every role tries, in every place, one
command of each level of access and a report; cells run in one live bot in order, so the
rows chosen here change nothing another cell depends on. On Telegram, after each cell the
same person asks for help on one command in the same chat (allowed everywhere): what the bot
said between the two is the cell's answer, nothing at all is silence. On Zalo the fake
tells when the bot has handled an event and sent its answers.
"""

from __future__ import annotations

from pathlib import Path

from bot.core import messages as msg
from bot.core.commands import find_command
from tests.dialog import permission_matrix as pm
from tests.e2e.conftest import Live, live_bot
from tests.e2e.zalo_support import ZLive, live_zalo

# Telegram: every command that changes nothing when typed bare (reading commands of every
# level of access), the owner's backup, and a report. Zalo answers more slowly through its
# fake (a poll per event): one command per level of access, and a report.
TG_ROWS = ("trogiup", "toi", "huy", "xem", "tinhhinh", "donvi", "mau", "lichsu", "tonghop",
           "chuyencan", "xuat", "xemchidao", "chiso", "solieu", "dienhinh", "thanhvien", "lich",
           "nhatky", "loigui", "hanmuc", "dulieucuatoi", "saoluu", pm.REPORT_ROW)  # fmt: skip
ZL_ROWS = ("tinhhinh", "tonghop", "thanhvien", "saoluu", pm.REPORT_ROW)
TG = pm.CHANNELS["telegram"]
ZL = pm.CHANNELS["zalo"]
AT = "@BaoCaoTuan"


def _text(row: str) -> str:
    return pm.FORM if row == pm.REPORT_ROW else f"/{row}"


def _check(
    channel: str, rows: tuple[str, ...], results: dict[tuple[str, str, str], list[str]]
) -> None:
    wrong = []
    for (row, role, place), replies in results.items():
        outcome = pm.Outcome(replies, [], False)
        want = pm.expected(channel, row, role, place)
        if outcome.classify(row) != want:
            wrong.append(f"{row} / {role} / {place}: expected {want}, got {replies}")
    assert len(results) == len(rows) * len(pm.ROLES) * len(pm.PLACES)
    assert not wrong, "\n".join(wrong)


# -- Telegram ---------------------------------------------------------------------------------
PROBE = "/trogiup mau"
PROBE_ANSWER = msg.command_help(find_command("mau")).split("\n", 1)[0]  # type: ignore[arg-type]


async def _tg_cell(live: Live, who: int, chat: int, text: str, reply_to: int | None) -> list[str]:
    before = len(live.api.texts(chat))
    live.api.message(who, None if chat == who else chat, text, reply_to=reply_to)
    live.api.message(who, None if chat == who else chat, PROBE)

    def probed() -> bool:
        texts = live.api.texts(chat)
        return len(texts) > before and texts[-1].startswith(PROBE_ANSWER)

    await live.api.wait_until(probed, 10.0)
    return [a for a in live.api.texts(chat)[before:-1] if a]


async def test_telegram_cross_section(tmp_path: Path) -> None:
    owners = f"telegram:{pm.OWNER}"
    async with live_bot(tmp_path, webhook=False, env={"BOT_OWNERS": owners}) as live:
        live.clock.set(pm.CELL_AT)
        for n, name in pm.NAMES.items():
            live.api.user(n, name)
        group, leaders, foreign = int(TG.group_id), int(TG.leaders_id), int(TG.foreign_id)
        live.api.group(group, "Nhóm MTT-CTXH tỉnh Tây Ninh")
        live.api.group(leaders, "Thường trực")
        live.api.group(foreign, "Nhóm bạn bè")
        places = {"group": group, "leaders": leaders, "foreign": foreign}
        for who, place, text in pm.setup_lines(TG):
            sent = await live.say(who, places.get(place), text)
            assert sent is not None and ("✅" in sent.text or "Mã người dùng" in sent.text), text
        # Something of the bot's to reply to in each group (a report there is a reply).
        await live.say(pm.ADMIN, foreign, "/trogiup")
        results: dict[tuple[str, str, str], list[str]] = {}
        for row in TG_ROWS:
            for place, _ in pm.PLACES:
                for role, _ in pm.ROLES:
                    who = pm.ACTORS[role]
                    chat = who if place == "dm" else places[place]
                    reply_to = None
                    if place != "dm" and row == pm.REPORT_ROW:
                        reply_to = live.api.last(chat).message_id
                    text = _text(row)
                    results[(row, role, place)] = await _tg_cell(live, who, chat, text, reply_to)
        _check("telegram", TG_ROWS, results)


# -- Zalo ---------------------------------------------------------------------------------------
async def _zalo_cell(live: ZLive, who: str, chat: str | None, text: str) -> list[str]:
    target = chat or who
    before = len(live.api.texts(target))
    prefix = f"{AT} " if chat else ""
    await live.handled(live.api.message(who, chat, prefix + text))
    return [t for t in live.api.texts(target)[before:] if t]


async def test_zalo_cross_section(tmp_path: Path) -> None:
    u = ZL.user
    owners = f"zalo:{u(pm.OWNER)}"
    async with live_zalo(tmp_path, can_join_groups=True, BOT_OWNERS=owners) as live:
        live.clock.set(pm.CELL_AT)
        for n, name in pm.NAMES.items():
            live.api.user(u(n), name)
        for chat_id, title in ((ZL.group_id, "Nhóm MTT-CTXH tỉnh Tây Ninh"),
                               (ZL.leaders_id, "Thường trực"), (ZL.foreign_id, "Nhóm bạn bè")):  # fmt: skip
            live.api.group(chat_id, title)
        places = {"group": ZL.group_id, "leaders": ZL.leaders_id, "foreign": ZL.foreign_id}
        for who, place, text in pm.setup_lines(ZL):
            answers = await _zalo_cell(live, u(who), places.get(place), text)
            assert answers and ("✅" in answers[-1] or "Mã người dùng" in answers[-1]), text
        results: dict[tuple[str, str, str], list[str]] = {}
        for row in ZL_ROWS:
            for place, _ in pm.PLACES:
                for role, _ in pm.ROLES:
                    person = u(pm.ACTORS[role])
                    chat = None if place == "dm" else places[place]
                    results[(row, role, place)] = await _zalo_cell(live, person, chat, _text(row))
        _check("zalo", ZL_ROWS, results)
