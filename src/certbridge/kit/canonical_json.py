"""Canonical JSON (RFC 8785 / JCS) bytes, for hashing and signing.

Python values JSON has no type for are first converted to strings by one fixed rule, so the
same record always hashes the same:

* ``datetime.date`` → ISO 8601 ``YYYY-MM-DD``;
* ``datetime.datetime`` → UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six fraction digits);
  a naive datetime is refused, because its instant is unknown;
* ``decimal.Decimal`` → its plain (non-exponent) string, e.g. ``Decimal("1.50")`` → ``"1.50"``
  — kept as a string because RFC 8785 numbers are IEEE doubles and amounts must not round;
* ``uuid.UUID`` → lower-case hyphenated form;
* tuples become arrays; mapping keys must already be strings.

Two encoders produce the bytes. Documents made of dicts with string keys below U+D800, lists,
tuples, strings, booleans, None, integers within ±(2^53 − 1) and the four types above take the
standard library's C encoder (sorted keys, no whitespace, no ASCII escaping): for them its output
is byte-identical to RFC 8785 — integers print the same, strings escape the same characters the
same way, and keys without surrogate pairs or U+E000–U+FFFF sort the same by code point as by
UTF-16 code unit. Anything else (floats, other keys, subclasses, big integers, lone surrogates)
goes through the reference implementation, the ``rfc8785`` package. `tests/kit` checks the two
agree on generated documents and on the RFC's own examples.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Mapping
from typing import Any

import rfc8785

_SAFE_INT = 2**53  # RFC 8785 integers are IEEE doubles: |n| ≤ 2^53 − 1
_KEY_LIMIT = "\ud800"  # keys below this sort the same by code point and by UTF-16 code unit


def canonical_bytes(obj: Any) -> bytes:
    """Serialize ``obj`` to RFC 8785 canonical JSON bytes (UTF-8, sorted keys, no whitespace)."""
    if _plain(obj):
        try:
            return _encode(obj).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: the reference implementation names the problem
            pass
    return rfc8785.dumps(to_json_value(obj))


def to_json_value(obj: Any) -> Any:
    """Convert dates, datetimes, Decimals and UUIDs (recursively) to their canonical strings."""
    # datetime before date: a datetime is also a date.
    if isinstance(obj, dt.datetime):
        if obj.tzinfo is None or obj.utcoffset() is None:
            raise ValueError(f"naive datetime {obj!r}: attach a time zone before canonicalizing")
        return obj.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, decimal.Decimal):
        if not obj.is_finite():
            raise ValueError(f"{obj!r} has no JSON representation")
        return format(obj, "f")
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, Mapping):
        for key in obj:
            if not isinstance(key, str):
                raise TypeError(f"object keys must be strings, got {key!r}")
        return {key: to_json_value(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json_value(item) for item in obj]
    return obj


_CONVERTED = frozenset({dt.datetime, dt.date, decimal.Decimal, uuid.UUID})  # exact types `default` converts
_SCALARS = frozenset({str, bool, type(None)})

_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False,
                           check_circular=False, default=to_json_value).encode


def _plain(value: Any) -> bool:
    """Return True when the C encoder's output for `value` is RFC 8785 (see the module docstring)."""
    stack = [value]
    pop, push, scalars = stack.pop, stack.append, _SCALARS
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            for key, element in item.items():
                if type(key) is not str or not (key.isascii() or max(key) < _KEY_LIMIT):
                    return False
                if type(element) not in scalars:
                    push(element)
        elif kind is list or kind is tuple:
            for element in item:
                if type(element) not in scalars:
                    push(element)
        elif kind is int:
            if not -_SAFE_INT < item < _SAFE_INT:
                return False
        elif kind not in scalars and kind not in _CONVERTED:
            return False
    return True
