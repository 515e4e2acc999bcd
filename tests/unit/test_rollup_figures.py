"""A roll-up's figures from each report's numbers taken out once (``coerce_numbers`` then
``_rule_of``) are exactly those made value by value from the reports (``_coerce`` per value,
the digest's ``_aggregate``), for random templates and ill-typed values: the optimization
of issue 7 changes no figure, nor the digits a Decimal carries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.digest import Number, _aggregate, _coerce, coerce_numbers, number_spec
from bot.core.models import SubmissionVersion
from bot.core.rollup import _rule_of
from bot.core.template import Aggregation, Template, TemplateField
from tests.unit.test_period_totals import reports, templates


def _reference(f: TemplateField, versions: list[SubmissionVersion]) -> tuple[Number | None, int]:
    """The rule applied value by value, as the roll-up did before issue 7."""
    if f.aggregation is not Aggregation.LATEST:
        return _aggregate(f, versions) if versions else (None, 0)
    last: Number | None = None
    n = 0
    for v in versions:
        raw = v.values.get(f.key)
        num = _coerce(f, raw) if raw is not None else None
        if num is not None:
            last, n = num, n + 1
    return last, n


@settings(max_examples=150, deadline=None)
@given(data=st.data(), template=templates)
def test_figures_from_numbers_taken_out_once(data: st.DataObject, template: Template) -> None:
    versions = data.draw(reports(template))
    versions.sort(key=lambda v: (v.period.start, v.submitted_at, v.id))
    numeric = [f for f in template.all_fields() if f.type.numeric]
    rows = [coerce_numbers(number_spec(numeric), v.values) for v in versions]
    for f in numeric:
        fast = _rule_of(f, rows)
        plain = _reference(f, versions)
        assert fast == plain
        assert repr(fast[0]) == repr(plain[0])
        assert type(fast[0]) is type(plain[0])
    # Subsets (one unit's reports, one period's) agree as well.
    for org_id in {v.org_id for v in versions}:
        mine = [i for i, v in enumerate(versions) if v.org_id == org_id]
        for f in numeric:
            assert _rule_of(f, [rows[i] for i in mine]) == _reference(
                f, [versions[i] for i in mine]
            )
