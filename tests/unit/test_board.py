"""A kept week (``WeekBoard``) gives exactly the digest made from the reports themselves.

Reports are stored one by one (new units, corrections, older versions arriving late,
reports of another period, values of the wrong type, the same number spelt ``2`` and
``2.0``), each with the generations before and after it, sometimes out of order. After
each, the board's totals must be ``period_totals`` of everything stored so far, digit for
digit, and the digest assembled from the board must equal ``compute_digest`` over the same
reports, and render to the same text."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import render
from bot.core.board import MAX_WAITING, WeekBoard
from bot.core.digest import Digest, compute_digest, period_totals
from bot.core.models import FieldValue, OrgUnit, SubmissionVersion
from bot.core.parsing import parse_value
from bot.core.periods import Period
from bot.core.template import Template, template_from_data

WEEK = Period.week(2026, 48)
NOW = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
ORGS = [
    OrgUnit(id=i, workspace_id=1, code=f"o{i}", name=f"Đơn vị {i}", short_name="")
    for i in range(1, 9)
]
NUMERIC = ("count", "money", "decimal", "percent")
AGGREGATIONS = (None, "sum", "average", "max", "latest")


def _template(spec: list[tuple[str, str | None]], choice: bool) -> Template:
    fields: list[dict[str, object]] = []
    for i, (kind, agg) in enumerate(spec):
        field: dict[str, object] = {"key": f"f{i}", "label": f"Chỉ tiêu {i}", "type": kind}
        if agg is not None:
            field["aggregate"] = agg
        fields.append(field)
    fields.append({"key": "ghi_chu", "label": "Ghi chú", "type": "text"})
    if choice:
        fields.append({"key": "co", "label": "Có tổ chức", "type": "yesno"})
    return template_from_data(
        {
            "key": "t",
            "name": "Mẫu",
            "sections": [{"key": "s", "title": "Kết quả", "fields": fields}],
        }
    )


templates = st.builds(
    _template,
    st.lists(
        st.tuples(st.sampled_from(NUMERIC), st.sampled_from(AGGREGATIONS)), min_size=1, max_size=5
    ),
    st.booleans(),
)

values: st.SearchStrategy[FieldValue] = st.one_of(
    st.integers(min_value=-5, max_value=50),
    st.sampled_from([Decimal("2"), Decimal("2.0"), Decimal("2.00"), Decimal("1.5"), Decimal("50")]),
    # Sums past Decimal's 28 significant digits round, differently in another order.
    st.sampled_from([Decimal("999999999.5"), Decimal("1E-23"), Decimal("3E-21")]),
    st.decimals(min_value=-100, max_value=10**6, places=2, allow_nan=False),
    st.decimals(allow_nan=True, allow_infinity=True, places=1).filter(
        lambda d: not d.is_finite() or abs(d) < 10**6
    ),
    st.booleans(),
    st.sampled_from(["", "  ", "Nội dung", "Có"]),
)


answers: st.SearchStrategy[FieldValue] = st.sampled_from([True, False, "Có", "Không", " "])


@st.composite
def stream(draw: st.DrawFn, template: Template) -> list[SubmissionVersion]:
    """Reports in the order they are stored; each unit's versions count up from 1."""
    keys = [f.key for f in template.all_fields()]
    versions: dict[int, int] = {}
    out: list[SubmissionVersion] = []
    for n in range(draw(st.integers(1, 24))):
        org = draw(st.sampled_from(ORGS))
        other = draw(st.integers(0, 9)) == 0
        period = WEEK.prev() if other else WEEK
        number = 1 if other else versions.get(org.id, 0) + 1
        if not other:
            versions[org.id] = number
        chosen = draw(st.lists(st.sampled_from(keys), max_size=len(keys), unique=True))
        out.append(
            SubmissionVersion(
                id=n + 1,
                submission_id=org.id,
                version=number,
                campaign_id=1,
                period=period,
                org_id=org.id,
                channel="telegram",
                user_id="1",
                message_id=str(n),
                raw_text="",
                # (A yes/no field holds what the parser gives it.)
                values={k: draw(answers if k == "co" else values) for k in chosen},
                submitted_at=NOW - timedelta(hours=draw(st.integers(0, 3))),
                late=draw(st.booleans()),
                photos=("p",) * draw(st.integers(0, 2)),
            )
        )
    return out


def _fresh_digest(template: Template, stored: list[SubmissionVersion]) -> Digest:
    current = [v for v in stored if v.period == WEEK]
    return compute_digest(
        template=template,
        orgs=ORGS[:6],  # units 7 and 8 report from outside the list
        period=WEEK,
        deadline=NOW,
        current=current,
        previous=(),
        cumulative=current,
        now=NOW,
        exempt_org_ids=frozenset({6}),
        other_orgs=ORGS[6:7],
    )


def _board_digest(template: Template, board: WeekBoard) -> Digest:
    totals = board.totals()
    return compute_digest(
        template=template,
        orgs=ORGS[:6],
        period=WEEK,
        deadline=NOW,
        current=board.versions(),
        previous=(),
        cumulative=(),
        now=NOW,
        exempt_org_ids=frozenset({6}),
        other_orgs=ORGS[6:7],
        current_totals=totals,
        cumulative_totals=[totals],
        prepared=board.prepared,
    )


def _check(template: Template, board: WeekBoard, stored: list[SubmissionVersion]) -> None:
    # Storage lists a period's reports by unit (which of two spellings of a tied maximum
    # is shown depends on it).
    stored = sorted(stored, key=lambda v: v.org_id)
    expected_totals = period_totals(template, WEEK, stored)
    got = board.totals()
    assert got == expected_totals
    # Digit for digit: Decimal("2.0") == Decimal("2") would hide a different spelling.
    assert repr(got) == repr(expected_totals)
    fresh = _fresh_digest(template, stored)
    kept = _board_digest(template, board)
    assert kept == fresh
    assert repr(kept.totals) == repr(fresh.totals)
    assert render.render_digest(kept) == render.render_digest(fresh)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_board_follows_the_reports_stored_one_by_one(data: st.DataObject) -> None:
    template = data.draw(templates)
    reports = data.draw(stream(template))
    board = WeekBoard(template, WEEK, [], generation=-1)
    stored: list[SubmissionVersion] = []
    gen = -1
    for v in reports:
        before, gen = gen, gen + data.draw(st.integers(1, 3))
        assert board.apply(v, before, gen)
        stored.append(v)
        _check(template, board, stored)
    # A week built from storage at the end is the same board.
    rebuilt = WeekBoard(template, WEEK, [v for v in stored if v.period == WEEK], gen)
    assert rebuilt.totals() == board.totals()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_reports_arriving_out_of_order_wait_for_the_ones_before(data: st.DataObject) -> None:
    template = data.draw(templates)
    reports = data.draw(stream(template))
    events = []
    gen = 0
    for v in reports:
        events.append((v, gen, gen + 2))
        gen += 2
    shuffled = events[:]
    random.Random(data.draw(st.integers(0, 1000))).shuffle(shuffled)
    board = WeekBoard(template, WEEK, [], generation=0)
    for v, before, after in shuffled:
        assert board.apply(v, before, after)
    assert board.generation == gen and board.waiting == 0
    _check(template, board, reports)


def _version(n: int, org: int, version: int, **values: FieldValue) -> SubmissionVersion:
    return SubmissionVersion(
        id=n, submission_id=org, version=version, campaign_id=1, period=WEEK, org_id=org,
        channel="telegram", user_id="1", message_id=str(n), raw_text="", values=dict(values),
        submitted_at=NOW, late=False,
    )  # fmt: skip


def test_a_board_built_after_a_report_skips_it_and_an_older_version_changes_nothing() -> None:
    template = _template([("count", "sum")], choice=False)
    first = _version(1, 1, 1, f0=5)
    board = WeekBoard(template, WEEK, [first], generation=4)
    assert board.apply(first, 2, 4)  # stored before the board was read: already in
    assert board.totals().get("f0").total == 5
    assert board.apply(_version(2, 1, 2, f0=7), 4, 6)
    assert board.apply(replace(first, id=3), 6, 8)  # version 1 again: not newer
    assert board.totals().get("f0").total == 7 and board.generation == 8


def test_a_board_that_missed_a_write_gives_up() -> None:
    template = _template([("count", "sum")], choice=False)
    board = WeekBoard(template, WEEK, [], generation=10)
    # A transaction that began before the board's generation: it cannot follow.
    assert not board.apply(_version(1, 1, 1, f0=1), 8, 12)
    # Reports waiting for one that never comes: bounded.
    board = WeekBoard(template, WEEK, [], generation=0)
    results = [board.apply(_version(n, 1, n, f0=n), 2 * n, 2 * n + 1) for n in range(1, 400)]
    assert all(results[:MAX_WAITING]) and not results[MAX_WAITING]


def test_a_decimal_sum_past_28_digits_is_rounded_as_a_fresh_sum() -> None:
    """Both numbers are accepted by the parser; their sum needs 30 significant digits, so
    Decimal rounds it, and how depends on the order: the kept week adds as storage lists."""
    template = _template([("decimal", "sum")], choice=False)
    field = next(iter(template.all_fields()))
    a = parse_value(field, "999999,5")
    b = parse_value(field, "0,00000000000000000000001")
    assert (a, b) == (Decimal("999999.5"), Decimal("1E-23"))
    stored = [_version(1, 1, 1, f0=a), _version(2, 2, 1, f0=b)]
    board = WeekBoard(template, WEEK, stored, generation=1)
    assert repr(board.totals()) == repr(period_totals(template, WEEK, stored))
    board.apply(_version(3, 2, 2, f0=Decimal("0.5")), 1, 2)  # the tiny one corrected
    assert repr(board.totals()) == repr(
        period_totals(template, WEEK, [stored[0], _version(3, 2, 2, f0=Decimal("0.5"))])
    )


def test_a_tie_for_the_maximum_shows_the_spelling_storage_lists_first() -> None:
    """Units 2 then 1 report 2,0 and 2: a fresh maximum meets unit 1's "2" first."""
    template = _template([("decimal", "max")], choice=False)
    stored = [_version(1, 2, 1, f0=Decimal("2.0")), _version(2, 1, 1, f0=Decimal("2"))]
    board = WeekBoard(template, WEEK, [], generation=0)
    for n, v in enumerate(stored):
        board.apply(v, n, n + 1)
    fresh = period_totals(template, WEEK, sorted(stored, key=lambda v: v.org_id))
    assert repr(board.totals()) == repr(fresh)
