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

Two encoders produce the bytes. Documents made of dicts, lists, tuples, strings, booleans, None,
integers and the four types above go to orjson's C encoder first (sorted keys, 53-bit integers, dates
and subclasses handed back to us): for them its output is byte-identical to RFC 8785 — integers print
the same, strings escape the same characters the same way (``\\b \\t \\n \\f \\r``, lower-case
``\\u00xx`` for the other controls, everything else raw UTF-8, U+2028 included), and keys sort the same
by code point as by UTF-16 code unit as long as no string holds a character beyond U+FFFF, so its output
is kept only when it holds no 4-byte UTF-8 sequence. Anything else — floats (orjson prints ``1.0``,
``1e21``, and NaN as ``null``), enums, subclasses, integers beyond ±(2^53 − 1), non-string keys, lone
surrogates, characters beyond U+FFFF — goes through the reference implementation, the ``rfc8785``
package. `tests/kit` checks the two agree on generated documents and on the RFC's own examples.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
import rfc8785

_UTC = dt.timezone.utc


def canonical_bytes(obj: Any) -> bytes:
    """Serialize ``obj`` to RFC 8785 canonical JSON bytes (UTF-8, sorted keys, no whitespace)."""
    try:
        out = _dumps(obj, default=_convert, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: big integer, lone surrogate, bad key, cycle, naive datetime
        pass
    else:
        # Walked only after orjson accepted it, so a cycle is refused there instead of walked forever here.
        # A 4-byte sequence (lead byte F0–F4) is a character beyond U+FFFF, the one case where sorting keys
        # by code point and by UTF-16 code unit can differ.
        if _plain(obj) and not (0xF0 in out or 0xF1 in out or 0xF2 in out or 0xF3 in out or 0xF4 in out):
            return out
    return rfc8785.dumps(to_json_value(obj))


def to_json_value(obj: Any) -> Any:
    """Convert dates, datetimes, Decimals and UUIDs (recursively) to their canonical strings."""
    # datetime before date: a datetime is also a date.
    if isinstance(obj, dt.datetime):
        return datetime_text(obj)
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


def datetime_text(value: dt.datetime) -> str:
    """Return an aware datetime's canonical text: UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: attach a time zone before canonicalizing")
    value = value.astimezone(_UTC)
    if value.year >= 1000:  # isoformat is the faster; strftime does not zero-pad years below 1000
        return value.isoformat(timespec="microseconds")[:-6] + "Z"  # drops "+00:00"
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_CONVERTED = frozenset({dt.datetime, dt.date, decimal.Decimal, uuid.UUID})  # exact types `_convert` sees
_LEAVES = frozenset({str, int, bool, type(None)}) | _CONVERTED

_dumps = orjson.dumps
# Sorted keys; integers beyond ±(2^53 − 1) raise; dates, datetimes and subclasses of str/int/dict/list go to
# `_convert` instead of orjson's own formats (its datetimes end in +00:00; subclasses the reference refuses).
_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS)


def _convert(value: Any) -> str:
    """orjson's `default`: the canonical string of a date, datetime, Decimal or UUID; refuse the rest."""
    if type(value) in _CONVERTED:
        return to_json_value(value)
    raise TypeError(f"{type(value).__name__} is for the reference encoder")


def _plain(value: Any) -> bool:
    """Return True when `value` holds only types orjson encodes as RFC 8785 does (see the module docstring).

    Floats and enums are what this walk is for: orjson encodes them itself, never asking `_convert`.
    """
    stack = [value]
    push, leaves = stack.append, _LEAVES
    for item in stack:  # the loop also visits what is pushed while it runs: no pop calls
        kind = type(item)
        if kind is dict:
            item = item.values()
        elif kind is not list and kind is not tuple:
            if kind not in leaves:
                return False
            continue
        for element in item:
            if type(element) not in leaves:
                push(element)
    return True
