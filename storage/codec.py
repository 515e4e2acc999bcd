"""Conversions between domain values and the text stored in SQLite.

* Datetimes: ISO 8601 in UTC with an explicit offset and fixed microsecond precision, so
  that text order is time order; naive datetimes are refused on the way in, and values
  come back aware (UTC).
* Field values: the tagged JSON encoding of ``bot.core.codec``, which round-trips the ``FieldValue`` union exactly
  (``bool`` stays ``bool``, ``Decimal("45.50")`` keeps its trailing zero, tuples stay
  tuples). Each value is a two-element array ``[tag, payload]``:

  ====  ==================  ===========================
  tag   Python type         payload
  ====  ==================  ===========================
  "b"   bool                JSON true/false
  "i"   int                 JSON integer
  "d"   Decimal             string, ``str(value)``
  "s"   str                 JSON string
  "t"   tuple[str, ...]     JSON array of strings
  ====  ==================  ===========================

  The whole mapping is a JSON object (insertion order kept), e.g.
  ``{"so_hoi_vien":["i",120],"ty_le":["d","45.50"],"co_hop":["b",true]}``.
* Conversation data: plain JSON.
* Codes compared case-insensitively: NFC-normalized and casefolded in Python (SQLite's
  NOCASE folds ASCII only, which misses Vietnamese letters such as "Ư"/"ư").
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.core import codec as core_codec
from bot.core.digest import FieldAggregate, PeriodTotals
from bot.core.models import FieldValue, Schedule
from bot.core.periods import Period


def _dumps(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


CorruptValueError = core_codec.CorruptValueError


# -- datetimes -------------------------------------------------------------------------
def encode_dt(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: storage needs aware datetimes")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def encode_opt_dt(moment: datetime | None) -> str | None:
    return None if moment is None else encode_dt(moment)


def decode_dt(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is UTC:  # what encode_dt writes: nothing to convert
        return moment
    if moment.tzinfo is None:  # never written by this code; read as UTC, never naive
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def decode_opt_dt(text: str | None) -> datetime | None:
    return None if text is None else decode_dt(text)


# -- case-insensitive keys -------------------------------------------------------------
def fold(code: str) -> str:
    """The key under which a code is unique: NFC-normalized, casefolded."""
    return unicodedata.normalize("NFC", code).casefold()


# -- periods ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def period_from_key(key: str) -> Period:
    """``Period.from_key`` with a cache: the same few keys are decoded on every read."""
    return Period.from_key(key)


# -- field values ----------------------------------------------------------------------
# The tagged form lives in bot.core.codec (shared with the dialog state); here only JSON text.
def encode_values(values: Mapping[str, FieldValue]) -> str:
    return _dumps(core_codec.encode_values(values))


def decode_values(text: str) -> dict[str, FieldValue]:
    return core_codec.decode_values(json.loads(text))


# -- string lists ----------------------------------------------------------------------
def encode_strings(items: Sequence[str]) -> str:
    if isinstance(items, str):  # a str is a Sequence[str]: almost certainly a mistake
        raise TypeError("expected a sequence of strings, got a single str")
    if not all(isinstance(i, str) for i in items):
        raise TypeError(f"expected strings, got {list(items)!r}")
    return _dumps(list(items))


def encode_choices(choices: Sequence[tuple[str, str]]) -> str | None:
    """Choices of an outbox row: a JSON array of [label, data]; NULL when there are none."""
    if not choices:
        return None
    return _dumps([[str(label), str(data)] for label, data in choices])


def decode_choices(text: str | None) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    raw = json.loads(text)
    if not (isinstance(raw, list) and all(isinstance(c, list) and len(c) == 2 for c in raw)):
        raise CorruptValueError(f"expected a JSON array of [label, data]: {text[:80]!r}")
    return tuple((str(c[0]), str(c[1])) for c in raw)


def decode_strings(text: str) -> tuple[str, ...]:
    if text == "[]":
        return ()
    raw = json.loads(text)
    if not (isinstance(raw, list) and all(isinstance(i, str) for i in raw)):
        raise CorruptValueError(f"expected a JSON array of strings: {text[:80]!r}")
    return tuple(raw)


# -- conversation data -----------------------------------------------------------------
def encode_data(data: Mapping[str, object]) -> str:
    return _dumps(dict(data))


def decode_data(text: str) -> dict[str, object]:
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise CorruptValueError(f"conversation data is not an object: {text[:80]!r}")
    return raw


# -- schedules -------------------------------------------------------------------------
_SECOND = timedelta(seconds=1)


def _seconds(delta: timedelta) -> int | float:
    whole, rest = divmod(delta, _SECOND)
    return whole if not rest else delta.total_seconds()


def _seconds_or_none(delta: timedelta | None) -> int | float | None:
    return None if delta is None else _seconds(delta)


def _delta(value: object) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CorruptValueError(f"schedule offset is not a number: {value!r}")
    return timedelta(seconds=value)


def encode_schedule(schedule: Schedule) -> str:
    doc = {
        "open": _seconds(schedule.open_offset),
        "deadline": _seconds(schedule.deadline_offset),
        "reminders": [_seconds(r) for r in schedule.reminder_offsets],
        "warning_before": _seconds_or_none(schedule.warning_before),
        "lock_after": _seconds(schedule.lock_after),
        "quiet": (
            None
            if schedule.quiet_start is None or schedule.quiet_end is None
            else [_seconds(schedule.quiet_start), _seconds(schedule.quiet_end)]
        ),
        "mention_missing": schedule.mention_missing,
        "allow_early": schedule.allow_early,
    }
    return _dumps(doc)


def decode_schedule(text: str) -> Schedule:
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise CorruptValueError(f"schedule is not an object: {text[:80]!r}")
    defaults = Schedule()
    try:
        reminders = raw.get("reminders")
        warning = raw.get("warning_before", _seconds_or_none(defaults.warning_before))
        quiet_raw = raw.get("quiet", "default")
        quiet: tuple[timedelta | None, timedelta | None]
        if quiet_raw == "default":  # written before quiet hours existed
            quiet = (defaults.quiet_start, defaults.quiet_end)
        elif quiet_raw is None:
            quiet = (None, None)
        elif isinstance(quiet_raw, list) and len(quiet_raw) == 2:
            quiet = (_delta(quiet_raw[0]), _delta(quiet_raw[1]))
        else:
            raise CorruptValueError(f"bad quiet hours {quiet_raw!r}")
        return Schedule(
            open_offset=_delta(raw["open"]) if "open" in raw else defaults.open_offset,
            deadline_offset=(
                _delta(raw["deadline"]) if "deadline" in raw else defaults.deadline_offset
            ),
            reminder_offsets=(
                tuple(_delta(r) for r in reminders)
                if isinstance(reminders, list)
                else defaults.reminder_offsets
            ),
            warning_before=None if warning is None else _delta(warning),
            lock_after=_delta(raw["lock_after"]) if "lock_after" in raw else defaults.lock_after,
            quiet_start=quiet[0],
            quiet_end=quiet[1],
            mention_missing=bool(raw.get("mention_missing", defaults.mention_missing)),
            allow_early=bool(raw.get("allow_early", defaults.allow_early)),
        )
    except (TypeError, OverflowError) as exc:
        raise CorruptValueError(f"bad schedule {text[:80]!r}") from exc


# -- period totals ---------------------------------------------------------------------
# {"r": reports, "f": {key: [count, total, maximum, latest]}}: numbers in the tagged form of
# field values (exact), latest as [submitted_at, version id, number], absent parts null.
def encode_totals(totals: PeriodTotals) -> str:
    def number(value: int | Decimal | None) -> list[object] | None:
        return None if value is None else core_codec.encode_value("total", value)

    fields = {
        key: [
            a.count,
            number(a.total),
            number(a.maximum),
            None
            if a.latest is None
            else [encode_dt(a.latest[0]), a.latest[1], number(a.latest[2])],
        ]
        for key, a in totals.fields.items()
    }
    return _dumps(
        {"r": totals.reports, "f": fields, "t": dict(totals.texts), "l": sorted(totals.late)}
    )


def decode_totals(period: Period, text: str) -> PeriodTotals:
    def number(item: object) -> int | Decimal | None:
        if item is None:
            return None
        value = core_codec.decode_value("total", item)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise CorruptValueError(f"period totals: not a number {item!r}")
        return value

    raw = json.loads(text)
    try:
        fields: dict[str, FieldAggregate] = {}
        for key, (count, total, maximum, latest) in raw["f"].items():
            last = None
            if latest is not None:
                moment, version_id, value = latest
                found = number(value)
                assert found is not None
                last = (decode_dt(moment), int(version_id), found)
            fields[str(key)] = FieldAggregate(int(count), number(total), number(maximum), last)
        # Rows kept before text counts and late units existed have neither (their signature
        # is an older one, so they are computed again before use).
        texts = {str(k): int(n) for k, n in raw.get("t", {}).items()}
        late = frozenset(int(i) for i in raw.get("l", ()))
        return PeriodTotals(period, int(raw["r"]), fields, texts, late)
    except (KeyError, TypeError, ValueError, AssertionError, AttributeError) as exc:
        raise CorruptValueError(f"period totals: {text[:80]!r}") from exc
