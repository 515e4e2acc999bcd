"""A province's year of weekly reports, built in memory: the shared input of the roll-up,
chart, Excel and Word tests (no database; the storage path has its own tests).

Tây Ninh province (a grouping unit) holds the provincial Front and the five organizations,
and three communes (grouping units), each with its own Front and five organizations: 24
reporting units. Each unit reports most weeks of 2026 with figures drawn from a seeded
generator, some late, some missed (commune Tân Biên's Veterans miss a long run in spring,
so truancy has something to find), and a narrative now and then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bot.core.digest import Digest, compute_digest
from bot.core.hierarchy import Hierarchy
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period, PeriodType
from bot.core.presets import TAY_NINH_ORGS, TAY_NINH_TEMPLATE
from bot.core.rollup import PeriodInfo, Rollup, Span, compute_rollup

YEAR = 2026
NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
COMMUNES = (("tanhoa", "Xã Tân Hòa"), ("tanbien", "Xã Tân Biên"), ("hoathanh", "Phường Hòa Thành"))

_NARRATIVES = {
    "mo_hinh_hay": (
        "Mô hình “Bếp ăn yêu thương” phục vụ 120 suất/ngày",
        "Mô hình “Tủ bánh mì 0 đồng” tại chợ",
        "Câu lạc bộ “Phụ nữ với pháp luật” sinh hoạt định kỳ",
    ),
    "kho_khan": (
        "Kinh phí hoạt động còn hạn chế",
        "Một số hộ dân chưa hợp tác khi vận động",
    ),
    "de_xuat": ("Đề nghị hỗ trợ thêm kinh phí cho tình nguyện viên",),
    "nhiem_vu_toi": (
        "Tiếp tục vận động ủng hộ Quỹ “Vì người nghèo”",
        "Tổ chức giám sát việc thực hiện chính sách hỗ trợ",
    ),
}


@dataclass(frozen=True)
class Province:
    orgs: tuple[OrgUnit, ...]
    hierarchy: Hierarchy
    versions: tuple[SubmissionVersion, ...]
    periods: tuple[PeriodInfo, ...]

    def unit(self, code: str) -> OrgUnit:
        return next(o for o in self.orgs if o.code == code)

    def rollup(self, span: Span, scope: str | None = None, *, previous: bool = True) -> Rollup:
        return compute_rollup(
            template=TAY_NINH_TEMPLATE,
            hierarchy=self.hierarchy,
            span=span,
            periods=[p for p in self.periods if span.includes(p.period)],
            versions=self.versions,
            now=NOW,
            scope_id=self.unit(scope).id if scope else None,
            campaign_name="Báo cáo tuần MTTQ và các tổ chức chính trị - xã hội",
            previous=self.versions if previous else None,
        )

    def info(self, period: Period) -> PeriodInfo:
        return next(p for p in self.periods if p.period == period)

    def digest(self, period: Period) -> Digest:
        """The weekly digest of ``period`` for the whole province, as the cycle makes it."""
        first = self.periods[0].period

        def of(p: Period) -> list[SubmissionVersion]:
            return [v for v in self.versions if v.period == p]

        return compute_digest(
            template=TAY_NINH_TEMPLATE,
            orgs=self.hierarchy.reporting(),
            period=period,
            deadline=self.info(period).deadline,
            current=of(period),
            previous=of(period.prev()),
            cumulative=[v for v in self.versions if v.period.start <= period.start],
            now=NOW,
            campaign_name="Báo cáo tuần MTTQ và các tổ chức chính trị - xã hội",
            cumulative_from=first,
        )

    def trend(self, period: Period, weeks: int = 8, scope: str | None = None) -> Rollup:
        """The roll-up of the ``weeks`` weeks up to ``period``: the digest chart's trend."""
        span = Span.between(period.shift(1 - weeks).start, period.last_day)
        return self.rollup(span, scope, previous=False)


def build_province(seed: int = 7) -> Province:
    orgs: list[OrgUnit] = []
    next_id = iter(range(1, 10_000))

    def add(code: str, name: str, short: str, parent: int | None, reports: bool) -> OrgUnit:
        org = OrgUnit(
            id=next(next_id),
            workspace_id=1,
            code=code,
            name=name,
            short_name=short,
            parent_id=parent,
            sort_order=len(orgs),
            reports=reports,
        )
        orgs.append(org)
        return org

    province = add("tinh", "Tỉnh Tây Ninh", "Tỉnh Tây Ninh", None, False)
    for p in TAY_NINH_ORGS:
        add(p.code, p.name, p.short_name, province.id, True)
    for code, name in COMMUNES:
        commune = add(code, name, name, province.id, False)
        for p in TAY_NINH_ORGS:
            short = p.short_name.replace("tỉnh", "").replace("Tỉnh đoàn", "Đoàn xã").strip()
            add(
                f"{p.code}_{code}",
                f"{p.name.replace('tỉnh', '').strip()} {name}",
                short,
                commune.id,
                True,
            )

    rng = random.Random(seed)
    weeks = Span.of(Period(PeriodType.YEAR, date(YEAR, 1, 1))).source_periods(PeriodType.WEEK)
    periods = tuple(
        PeriodInfo(w, w.moment(timedelta(days=4, hours=10)).astimezone(UTC)) for w in weeks
    )
    versions: list[SubmissionVersion] = []
    vid = 0
    for info in periods:
        week = info.period
        for org in orgs:
            if not org.reports:
                continue
            truant = org.code == "hccb_tanbien" and 10 <= week.start.isocalendar().week <= 17
            if truant or rng.random() < 0.08:
                continue
            late = rng.random() < 0.12
            at = info.deadline + (timedelta(hours=20) if late else -timedelta(hours=30))
            values: dict[str, FieldValue] = {
                "so_buoi_tuyen_truyen": rng.randint(1, 20),
                "luot_nguoi_tuyen_truyen": rng.randint(20, 900),
                "tien_van_dong": rng.randint(0, 80) * 500_000,
                "hang_quy_doi": rng.randint(0, 40) * 250_000,
                "suat_qua": rng.randint(0, 150),
                "ho_ho_tro": rng.randint(0, 60),
                "tinh_nguyen_vien": rng.randint(0, 40),
                "nong_san": Decimal(rng.randint(0, 250)) / 10,
                "cuoc_giam_sat": rng.randint(0, 3),
                "kien_nghi": rng.randint(0, 5),
            }
            for key, texts in _NARRATIVES.items():
                if rng.random() < 0.15:
                    values[key] = rng.choice(texts)
            vid += 1
            versions.append(
                SubmissionVersion(
                    id=vid,
                    submission_id=vid,
                    version=1,
                    campaign_id=1,
                    period=week,
                    org_id=org.id,
                    channel="telegram",
                    user_id=str(1000 + org.id),
                    message_id=str(vid),
                    raw_text="",
                    values=values,
                    submitted_at=at,
                    late=late,
                )
            )
    return Province(tuple(orgs), Hierarchy(orgs), tuple(versions), periods)
