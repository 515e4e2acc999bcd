"""Per-period totals give exactly the digest of the straightforward computation.

``compute_digest`` from the reports themselves (previous period's and every cumulative
period's versions) against ``compute_digest`` from ``PeriodTotals`` (one per period, merged):
the same ``Digest`` value and the same rendered text, for random templates (every numeric
type and aggregation) and random reports (values of the wrong type, whole and fractional
decimals in count fields, booleans, text, several versions of one organization, missing
fields, periods without reports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import render
from bot.core.digest import (
    FieldAggregate,
    PeriodTotals,
    compute_digest,
    period_totals,
    totals_signature,
)
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.periods import Period
from bot.core.template import Template, template_from_data

WEEK = Period.week(2026, 48)
FIRST = WEEK.shift(-5)
NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
ORGS = [
    OrgUnit(id=i, workspace_id=1, code=f"o{i}", name=f"Đơn vị {i}", short_name="")
    for i in range(1, 7)
]
NUMERIC = ("count", "money", "decimal", "percent")
AGGREGATIONS = (None, "sum", "average", "max", "latest")


def _template(spec: list[tuple[str, str | None]]) -> Template:
    fields: list[dict[str, object]] = []
    for i, (kind, agg) in enumerate(spec):
        field: dict[str, object] = {"key": f"f{i}", "label": f"Chỉ tiêu {i}", "type": kind}
        if agg is not None:
            field["aggregate"] = agg
        fields.append(field)
    fields.append({"key": "ghi_chu", "label": "Ghi chú", "type": "text"})
    return template_from_data(
        {
            "key": "t",
            "name": "Mẫu",
            "sections": [{"key": "s", "title": "Kết quả", "fields": fields}],
        }
    )


templates = st.lists(
    st.tuples(st.sampled_from(NUMERIC), st.sampled_from(AGGREGATIONS)), min_size=1, max_size=5
).map(_template)

values: st.SearchStrategy[FieldValue] = st.one_of(
    st.integers(min_value=-5, max_value=10**12),
    st.decimals(min_value=-1000, max_value=10**9, places=2, allow_nan=False),
    st.decimals(allow_nan=True, allow_infinity=True, places=1).filter(
        lambda d: not d.is_finite() or abs(d) < 10**6
    ),
    st.booleans(),
    st.text(max_size=3),
)


@st.composite
def reports(draw: st.DrawFn, template: Template) -> list[SubmissionVersion]:
    keys = [f.key for f in template.all_fields()]
    out: list[SubmissionVersion] = []
    ids = iter(range(1, 10_000))
    for n in range(6):
        period = FIRST.shift(n)
        for org in draw(st.lists(st.sampled_from(ORGS), max_size=5)):
            chosen = draw(st.lists(st.sampled_from(keys), max_size=len(keys), unique=True))
            vals = {k: draw(values) for k in chosen}
            out.append(
                SubmissionVersion(
                    id=next(ids),
                    submission_id=org.id * 100 + n,
                    version=draw(st.integers(1, 3)),
                    campaign_id=1,
                    period=period,
                    org_id=org.id,
                    channel="telegram",
                    user_id="1",
                    message_id="1",
                    raw_text="",
                    values=vals,
                    # Ties of submitted_at are decided by the version id.
                    submitted_at=NOW - timedelta(hours=draw(st.integers(0, 3))),
                    late=draw(st.booleans()),
                )
            )
    return out


def _both(template: Template, versions: list[SubmissionVersion], period: Period) -> None:
    current = [v for v in versions if v.period == period]
    previous = [v for v in versions if v.period == period.prev()]
    cumulative = [v for v in versions if FIRST <= v.period <= period]
    common = {
        "template": template,
        "orgs": ORGS,
        "period": period,
        "deadline": NOW,
        "current": current,
        "now": NOW,
        "cumulative_from": FIRST,
    }
    plain = compute_digest(previous=previous, cumulative=cumulative, **common)  # type: ignore[arg-type]
    per_period = [period_totals(template, FIRST.shift(n), versions) for n in range(6)]
    by_period = {t.period: t for t in per_period}
    fast = compute_digest(
        previous=(),
        cumulative=(),
        current_totals=by_period[period],
        previous_totals=by_period.get(period.prev(), PeriodTotals(period.prev(), 0)),
        cumulative_totals=[t for t in per_period if t.period <= period],
        **common,  # type: ignore[arg-type]
    )
    assert fast == plain
    assert render.render_digest(fast) == render.render_digest(plain)
    # Decimal equality ignores trailing zeros; the digits shown must agree too.
    assert [repr(t.value) for t in fast.cumulative] == [repr(t.value) for t in plain.cumulative]
    assert [repr(t.change) for t in fast.totals] == [repr(t.change) for t in plain.totals]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), template=templates)
def test_totals_give_the_same_digest_as_the_reports(
    data: st.DataObject, template: Template
) -> None:
    versions = data.draw(reports(template))
    for n in (0, 3, 5):
        _both(template, versions, FIRST.shift(n))


def test_merge_is_the_aggregate_of_the_union() -> None:
    a = FieldAggregate(2, total=5, maximum=4, latest=(NOW, 3, 4))
    b = FieldAggregate(1, total=Decimal("1.50"), maximum=Decimal(7), latest=(NOW, 2, 7))
    merged = a.merge(b)
    assert merged.count == 3 and merged.total == Decimal("6.50") and merged.maximum == 7
    assert merged.latest == (NOW, 3, 4)  # same moment: the higher version id is later
    assert FieldAggregate().merge(a) == a and a.merge(FieldAggregate()) == a


def test_totals_count_texts_and_late_units() -> None:
    template = _template([("count", None)])
    week = FIRST

    def v(vid: int, org: int, version: int, text: FieldValue, late: bool) -> SubmissionVersion:
        return SubmissionVersion(
            id=vid, submission_id=org, version=version, campaign_id=1, period=week,
            org_id=org, channel="t", user_id="1", message_id="1", raw_text="",
            values={"ghi_chu": text}, submitted_at=NOW, late=late,
        )  # fmt: skip

    # Unit 1's correction (version 2) is on time and blank; unit 2 wrote spaces only.
    versions = [v(1, 1, 1, "Có", True), v(2, 1, 2, " ", False), v(3, 2, 1, "  ", True)]
    versions += [v(4, 3, 1, " Khó khăn ", True), v(5, 4, 1, 5, False)]
    totals = period_totals(template, week, versions)
    assert totals.texts == {"ghi_chu": 1}
    assert totals.late == frozenset({2, 3})


def test_signature_follows_the_numeric_form_only() -> None:
    base = _template([("count", None), ("decimal", "max")])
    assert totals_signature(base) == totals_signature(
        _template([("count", "sum"), ("decimal", "max")])
    )
    assert totals_signature(base) != totals_signature(
        _template([("count", "max"), ("decimal", "max")])
    )
    assert totals_signature(base) != totals_signature(
        _template([("money", None), ("decimal", "max")])
    )
    # Text fields count too (the roll-up counts the narratives from the totals).
    plain = _template([("count", None)])
    fields = [
        {"key": "f0", "label": "Chỉ tiêu 0", "type": "count"},
        {"key": "ghi_chu", "label": "Ghi chú", "type": "text"},
        {"key": "kho_khan", "label": "Khó khăn", "type": "text"},
    ]
    more = template_from_data(
        {
            "key": "t",
            "name": "Mẫu",
            "sections": [{"key": "s", "title": "Kết quả", "fields": fields}],
        }
    )
    assert totals_signature(plain) != totals_signature(more)
