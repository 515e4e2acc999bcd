"""A province with its communes and a year of simulated weekly reports, stored the way the
bot stores real ones: for ``python -m bot demo tinh``, the end-to-end tests and the
benchmarks.

The province (a grouping unit) holds the provincial Front and the five organizations and
``communes`` communes or wards, each a grouping unit with its own Front and five
organizations: ``6 + 6 × communes`` reporting units (99 communes make the 600 units of a
province-wide campaign). Every unit reports most weeks from the first week of ``year`` up to
``until``, with figures from a seeded generator, some late, some missed (one commune's
Veterans miss eight weeks in spring, so truancy has something to find), and now and then a
good model, a difficulty, a proposal or next week's task.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.core.models import (
    Campaign,
    ChatBinding,
    ChatKind,
    ChatPurpose,
    CycleStep,
    FieldValue,
    OrgUnit,
    Role,
    Workspace,
)
from bot.core.periods import Period, PeriodType
from bot.core.presets import TAY_NINH_ORGS, TAY_NINH_TEMPLATE
from bot.services import periods as cal
from bot.services.dialog import default_schedule
from bot.services.ports import Store
from bot.services.reports import ROLLUP_TYPES

__all__ = ["DemoProvince", "seed_province"]

WORKSPACE_NAME = "Ủy ban MTTQ Việt Nam tỉnh Tây Ninh"
_PLACES = (
    "Phường Tân Ninh", "Phường Bình Minh", "Phường Ninh Thạnh", "Phường Long Hoa",
    "Phường Hòa Thành", "Phường Thanh Điền", "Phường Trảng Bàng", "Phường An Tịnh",
    "Phường Gò Dầu", "Phường Gia Lộc", "Xã Hưng Thuận", "Xã Phước Chỉ", "Xã Thạnh Đức",
    "Xã Phước Thạnh", "Xã Truông Mít", "Xã Lộc Ninh", "Xã Cầu Khởi", "Xã Dương Minh Châu",
    "Xã Tân Đông", "Xã Tân Châu", "Xã Tân Phú", "Xã Tân Hội", "Xã Tân Thành", "Xã Tân Hòa",
    "Xã Tân Lập", "Xã Tân Biên", "Xã Thạnh Bình", "Xã Trà Vong", "Xã Phước Vinh",
    "Xã Hòa Hội", "Xã Ninh Điền", "Xã Châu Thành", "Xã Hảo Đước", "Xã Long Chữ",
    "Xã Long Thuận", "Xã Bến Cầu", "Xã Suối Ngô", "Xã Suối Dây",
    "Xã Tân Thạnh", "Xã Mỏ Công", "Xã Trà Vinh",
)  # fmt: skip
_SHORT = {
    "mttq": "UBMTTQ",
    "tinhdoan": "Đoàn TN",
    "ldld": "Công đoàn",
    "hlhpn": "Hội LHPN",
    "hnd": "Hội ND",
    "hccb": "Hội CCB",
}
# The Front and the organizations at commune level (the Labour Federation has no commune
# level: its unions there are the grassroots trade unions).
_LOCAL_NAMES = {
    "mttq": "Ủy ban MTTQ Việt Nam",
    "tinhdoan": "Đoàn Thanh niên",
    "ldld": "Công đoàn",
    "hlhpn": "Hội Liên hiệp Phụ nữ",
    "hnd": "Hội Nông dân",
    "hccb": "Hội Cựu chiến binh",
}
_NARRATIVES: dict[str, tuple[str, ...]] = {
    "mo_hinh_hay": (
        "Mô hình “Bếp ăn yêu thương” phục vụ 120 suất mỗi ngày cho bệnh nhân nghèo",
        "Mô hình “Tủ bánh mì 0 đồng” tại chợ",
        "Câu lạc bộ “Phụ nữ với pháp luật” sinh hoạt định kỳ hằng tháng",
        "Tổ tự quản an ninh trật tự kết hợp tuyên truyền pháp luật tại khu dân cư",
    ),
    "kho_khan": (
        "Kinh phí hoạt động còn hạn chế",
        "Một số hộ dân chưa hợp tác khi vận động",
        "Lực lượng tình nguyện viên mỏng vào mùa thu hoạch",
    ),
    "de_xuat": (
        "Đề nghị hỗ trợ thêm kinh phí cho tình nguyện viên",
        "Đề nghị tập huấn kỹ năng vận động quần chúng cho cán bộ cơ sở",
    ),
    "nhiem_vu_toi": (
        "Tiếp tục vận động ủng hộ Quỹ “Vì người nghèo”",
        "Tổ chức giám sát việc thực hiện chính sách hỗ trợ người dân",
        "Phối hợp tổ chức ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư",
    ),
}


@dataclass(frozen=True, slots=True)
class DemoProvince:
    workspace: Workspace
    campaign: Campaign
    province: OrgUnit
    units: tuple[OrgUnit, ...]  # reporting units
    reports: int


def _place(i: int) -> str:
    base = _PLACES[i % len(_PLACES)]
    return base if i < len(_PLACES) else f"{base} {i // len(_PLACES) + 1}"


async def seed_province(
    store: Store,
    *,
    now: datetime,
    communes: int = 9,
    year: int | None = None,
    until: datetime | None = None,
    seed: int = 7,
    admin: tuple[str, str] = ("sandbox", "1001"),
    leader: tuple[str, str] = ("sandbox", "1007"),
    leadership_chat: tuple[str, str] | None = ("sandbox", "ld"),
) -> DemoProvince:
    """Creates the workspace, units, template, campaign, people and the year's reports
    (every period whose deadline is before ``until``, default ``now``)."""
    tz = "Asia/Ho_Chi_Minh"
    year = year or now.astimezone(UTC).year
    until = until or now
    rng = random.Random(seed)
    started = datetime(year, 1, 1, 0, 0, tzinfo=UTC)
    async with store.transaction():
        ws = await store.workspaces.create(WORKSPACE_NAME, started)
        province = await store.orgs.add(ws.id, "tinh", "Tỉnh Tây Ninh", "Tỉnh", None, False)
        units: list[OrgUnit] = []
        for p in TAY_NINH_ORGS:
            units.append(await store.orgs.add(ws.id, p.code, p.name, p.short_name, province.id))
        for i in range(communes):
            place = _place(i)
            code = f"x{i + 1:02d}"
            level = await store.orgs.add(ws.id, code, place, place, province.id, False)
            for p in TAY_NINH_ORGS:
                name = _LOCAL_NAMES[p.code]
                where = place[0].lower() + place[1:]  # "Hội Nông dân xã Tân Hòa"
                units.append(
                    await store.orgs.add(
                        ws.id, f"{p.code}_{code}", f"{name} {where}", _SHORT[p.code], level.id
                    )
                )
        await store.templates.save(
            ws.id, TAY_NINH_TEMPLATE.key, TAY_NINH_TEMPLATE.to_json(), "demo", started
        )
        campaign = await store.campaigns.create(
            ws.id,
            TAY_NINH_TEMPLATE.name,
            TAY_NINH_TEMPLATE.key,
            PeriodType.WEEK,
            tz,
            default_schedule(PeriodType.WEEK),
            started,
        )
        await store.members.upsert(ws.id, admin[0], admin[1], "Quản trị", Role.ADMIN, None, started)
        await store.members.upsert(
            ws.id, leader[0], leader[1], "Lãnh đạo", Role.LEADER, None, started
        )
        if leadership_chat is not None:
            await store.chats.bind(
                ChatBinding(
                    ws.id,
                    leadership_chat[0],
                    leadership_chat[1],
                    ChatKind.GROUP,
                    ChatPurpose.LEADERSHIP,
                    "Thường trực",
                )
            )

    truant = units[6 + 5 + 6] if len(units) > 17 else units[-1]  # a commune's Veterans
    reports = 0
    period = cal.first_period(campaign)
    while True:
        deadline = cal.times(campaign, period).deadline
        if deadline > until or period.start.year > year:
            break
        async with store.transaction():
            reports += await _week(store, campaign, period, units, truant, rng)
            nxt = period.next()
            if cal.times(campaign, nxt).deadline <= until and nxt.start.year <= year:
                # Weeks before the last were prompted, reminded and digested back then;
                # the last one's steps are left for the bot, which does them at once.
                for step in (CycleStep.OPEN, CycleStep.REMINDER, CycleStep.WARNING):
                    await store.cycle.mark(campaign.id, period, step, 0, deadline)
                await store.cycle.mark(campaign.id, period, CycleStep.CLOSE, 0, deadline)
                for slot in range(len(ROLLUP_TYPES)):
                    await store.cycle.mark(campaign.id, period, CycleStep.ROLLUP, slot, deadline)
        period = period.next()
    return DemoProvince(ws, campaign, province, tuple(units), reports)


async def _week(
    store: Store,
    campaign: Campaign,
    period: Period,
    units: list[OrgUnit],
    truant: OrgUnit,
    rng: random.Random,
) -> int:
    week_no = period.start.isocalendar().week
    n = 0
    for org in units:
        if (org.id == truant.id and 10 <= week_no <= 17) or rng.random() < 0.07:
            continue
        late = rng.random() < 0.1
        # On time: between Monday and Friday office hours; late: the next Monday morning.
        days = rng.randint(0, 3)
        at = period.start_at(campaign.timezone) + timedelta(
            days=days + 1, hours=rng.randint(8, 16), minutes=rng.choice((0, 15, 30, 45))
        )
        if late:
            at = period.start_at(campaign.timezone) + timedelta(days=7, hours=rng.randint(8, 11))
        big = 4 if org.code in _SHORT else 1  # provincial units do more than a commune's
        values: dict[str, FieldValue] = {
            "so_buoi_tuyen_truyen": rng.randint(1, 6) * big,
            "luot_nguoi_tuyen_truyen": rng.randint(30, 300) * big,
            "tien_van_dong": rng.randint(0, 30) * 500_000 * big,
            "hang_quy_doi": rng.randint(0, 20) * 250_000,
            "suat_qua": rng.randint(0, 60),
            "ho_ho_tro": rng.randint(0, 25),
            "tinh_nguyen_vien": rng.randint(0, 20),
            "cuoc_giam_sat": rng.randint(0, 2),
            "kien_nghi": rng.randint(0, 3),
        }
        if org.code.startswith(("hnd", "hccb")):
            values["nong_san"] = Decimal(rng.randint(0, 120)) / 10
        for key, texts in _NARRATIVES.items():
            if rng.random() < 0.12:
                values[key] = rng.choice(texts)
        await store.submissions.add_version(
            campaign.id,
            period,
            org.id,
            "sandbox",
            f"r{org.id}",
            f"demo-{period.key}-{org.id}",
            "",
            values,
            at,
            late,
        )
        n += 1
    return n


def demo_now() -> datetime:
    """A fixed moment for scripted demos: Sunday 3 January 2027, 17:30 in Tây Ninh, when
    the last week of 2026 has closed (Friday 1/1) and the month's and quarter's roll-ups
    are due (two days later): the first tick sends the week's digest with its chart, the
    December roll-up and the fourth quarter's, as it would in production."""
    return datetime(2027, 1, 3, 10, 30, tzinfo=UTC)
