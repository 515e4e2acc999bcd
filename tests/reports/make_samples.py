"""Write the sample outputs under docs/mau/ from the sample province (tests/reports/sample.py).

Run ``python -m tests.reports.make_samples``; one function per format, so each output can be
regenerated on its own (``python -m tests.reports.make_samples excel``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.core.periods import Period, PeriodType
from bot.core.rollup import Span
from tests.reports.sample import Province, build_province

OUT = Path(__file__).resolve().parents[2] / "docs" / "mau"
WORKSPACE = "Ủy ban MTTQ Việt Nam tỉnh Tây Ninh"
QUARTER = Period(PeriodType.QUARTER, date(2026, 10, 1))
WEEK = Period.week(2026, 48)


def excel(p: Province) -> list[Path]:
    from bot.services.exports.excel import rollup_csv, rollup_workbook

    r = p.rollup(Span.of(QUARTER))
    xlsx = OUT / "tong-hop-quy-IV-2026.xlsx"
    xlsx.write_bytes(rollup_workbook(r, workspace_name=WORKSPACE))
    csv = OUT / "tong-hop-quy-IV-2026.csv"
    csv.write_bytes(rollup_csv(r))
    return [xlsx, csv]


def charts(p: Province) -> list[Path]:
    from bot.services.exports.charts import digest_chart, rollup_chart

    week = OUT / "bieu-do-tuan.png"
    week.write_bytes(digest_chart(p.digest(WEEK), p.trend(WEEK)))
    quarter = OUT / "bieu-do-quy.png"
    quarter.write_bytes(rollup_chart(p.rollup(Span.of(QUARTER))))
    return [week, quarter]


MAKERS: dict[str, Callable[[Province], list[Path]]] = {"excel": excel, "charts": charts}


def main(argv: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    names = argv or list(MAKERS)
    province = build_province()
    for name in names:
        for path in MAKERS[name](province):
            print(path.relative_to(OUT.parents[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
