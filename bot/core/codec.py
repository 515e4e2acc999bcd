"""A lossless JSON form for report values, so they survive storage and dialog state.

JSON has no Decimal and no tuple, and would turn ``True`` into ``1`` for a careless reader,
so each value carries a one-letter tag: ``["i", 12]``, ``["d", "45.50"]``, ``["b", true]``,
``["s", "..."]``, ``["p", ["file1", ...]]``. Decimals keep their exact digits.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.models import FieldValue


class CodecError(ValueError):
    pass


def encode_value(v: FieldValue) -> list[Any]:
    if isinstance(v, bool):
        return ["b", v]
    if isinstance(v, int):
        return ["i", v]
    if isinstance(v, Decimal):
        return ["d", str(v)]
    if isinstance(v, str):
        return ["s", v]
    if isinstance(v, tuple):
        return ["p", [str(x) for x in v]]
    raise CodecError(f"unsupported value type {type(v).__name__}")


def decode_value(raw: Any) -> FieldValue:
    if not (isinstance(raw, list) and len(raw) == 2 and isinstance(raw[0], str)):
        raise CodecError(f"malformed value {raw!r}")
    tag, v = raw
    if tag == "b" and isinstance(v, bool):
        return v
    if tag == "i" and isinstance(v, int) and not isinstance(v, bool):
        return v
    if tag == "d" and isinstance(v, str):
        try:
            return Decimal(v)
        except InvalidOperation as exc:
            raise CodecError(f"bad decimal {v!r}") from exc
    if tag == "s" and isinstance(v, str):
        return v
    if tag == "p" and isinstance(v, list):
        return tuple(str(x) for x in v)
    raise CodecError(f"malformed value {raw!r}")


def encode_values(values: dict[str, FieldValue]) -> dict[str, list[Any]]:
    return {k: encode_value(v) for k, v in values.items()}


def decode_values(raw: Any) -> dict[str, FieldValue]:
    if not isinstance(raw, dict):
        raise CodecError("values must be an object")
    return {str(k): decode_value(v) for k, v in raw.items()}
