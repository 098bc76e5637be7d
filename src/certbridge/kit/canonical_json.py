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
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

import rfc8785


def canonical_bytes(obj: Any) -> bytes:
    """Serialize ``obj`` to RFC 8785 canonical JSON bytes (UTF-8, sorted keys, no whitespace)."""
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
