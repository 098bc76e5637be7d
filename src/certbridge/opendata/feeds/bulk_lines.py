"""A bulk file's JSON Lines line: canonical JSON (RFC 8785) of a row and a newline, by orjson's C encoder where
that gives the same bytes. Imports nothing heavy: the build's worker processes load it."""

from __future__ import annotations

import json
from typing import Any

import orjson

_orjson_dumps = orjson.dumps
# Sorted keys, a newline after; nested values (a delta line's "row") are rows of the same plain types.
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE | orjson.OPT_STRICT_INTEGER


def row_line(row: dict[str, Any]) -> str:
    """Return a row as one JSON Lines line: canonical JSON (RFC 8785) — rows hold no floats, so sorted keys and
    no whitespace are all the canonical form asks — and a newline."""
    return row_bytes(row).decode("utf-8")


def row_bytes(row: dict[str, Any]) -> bytes:
    """`row_line` as UTF-8 bytes: orjson's C encoder, byte-identical to `json.dumps(…, ensure_ascii=False,
    sort_keys=True, separators=(",", ":"))` for rows of strings, integers, booleans and None (the same escapes,
    keys sorted by code point); anything else (a float, a lone surrogate) goes through `json.dumps` itself."""
    try:
        if not any(type(v) is float or (type(v) is dict and any(type(w) is float for w in v.values()))
                   for v in row.values()):
            return _orjson_dumps(row, option=_ORJSON_OPTIONS)
    except TypeError:
        pass
    return (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
