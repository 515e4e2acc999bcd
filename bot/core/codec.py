"""A lossless JSON form for report values, shared by storage and the dialog state.

JSON has no Decimal and no tuple, and would turn ``True`` into ``1`` for a careless reader,
so each value carries a one-letter tag: ``["i", 12]``, ``["d", "45.50"]``, ``["b", true]``,
``["s", "..."]``, ``["t", ["file1", ...]]``. Decimals keep their exact digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.models import FieldValue


class CorruptValueError(ValueError):
    """A stored value that does not decode: the data was damaged or written by other code."""


def encode_value(name: str, value: FieldValue) -> list[Any]:
    """Raises TypeError for anything that is not a FieldValue (before it is written)."""
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return ["t", list(value)]
    raise TypeError(f"field {name!r}: {type(value).__name__} is not a storable FieldValue")


def decode_value(name: str, item: object) -> FieldValue:
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
        raise CorruptValueError(f"field {name!r}: malformed value {item!r}")
    tag, payload = item
    if tag == "b" and isinstance(payload, bool):
        return payload
    if tag == "i" and isinstance(payload, int) and not isinstance(payload, bool):
        return payload
    if tag == "d" and isinstance(payload, str):
        try:
            return Decimal(payload)
        except InvalidOperation as exc:
            raise CorruptValueError(f"field {name!r}: bad decimal {payload!r}") from exc
    if tag == "s" and isinstance(payload, str):
        return payload
    if tag == "t" and isinstance(payload, list) and all(isinstance(p, str) for p in payload):
        return tuple(payload)
    raise CorruptValueError(f"field {name!r}: unknown or mistyped value {item!r}")


def encode_values(values: Mapping[str, FieldValue]) -> dict[str, list[Any]]:
    return {name: encode_value(name, v) for name, v in values.items()}


def decode_values(raw: object) -> dict[str, FieldValue]:
    if not isinstance(raw, dict):
        raise CorruptValueError(f"values document is not an object: {str(raw)[:80]!r}")
    out: dict[str, FieldValue] = {}
    for name, item in raw.items():
        # Fast path for the common tags (a digest decodes tens of thousands of reports);
        # anything else, or anything odd, goes through the checks of decode_value.
        if type(item) is list and len(item) == 2:
            tag, payload = item
            kind = type(payload)
            if (tag == "i" and kind is int) or (tag == "s" and kind is str):
                out[name] = payload
                continue
        out[str(name)] = decode_value(str(name), item)
    return out
