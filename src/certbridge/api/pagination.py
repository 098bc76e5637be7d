"""Opaque cursors for list endpoints: a cursor encodes the key of the last item seen.

Most lists go in id order and their key is the id; the certificate search by name goes by holder, then
certificate, and its key is the pair (organization id, certificate id).
"""

from __future__ import annotations

import base64
import json
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from certbridge.errors import InvalidInput

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of results and the cursor of the next page (null on the last)."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= to get the next page")


def encode_cursor(last: int | tuple[int, ...]) -> str:
    """Encode the key of the last item of a page (an id, or a tuple of ids) as an opaque cursor."""
    if isinstance(last, tuple):
        last = last[0] if len(last) == 1 else list(last)  # a one-id key reads as the id cursors always did
    return base64.urlsafe_b64encode(json.dumps({"after": last}).encode()).decode().rstrip("=")


def _bad_cursor() -> InvalidInput:
    return InvalidInput("pagination.bad_cursor", field="cursor")


def _after(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise _bad_cursor() from None


def _is_id(value) -> bool:
    return type(value) is int and value >= 0


def decode_cursor(cursor: str | None) -> int:
    """Decode a cursor into the id to continue after; refuse a malformed one."""
    if not cursor:
        return 0
    value = _after(cursor)
    if not _is_id(value):
        raise _bad_cursor()
    return value


def decode_key_cursor(cursor: str | None) -> tuple[int, ...]:
    """Decode a cursor into the key to continue after (empty for the first page); refuse a malformed one."""
    if not cursor:
        return ()
    value = _after(cursor)
    if _is_id(value):
        return (value,)
    if isinstance(value, list) and 1 <= len(value) <= 2 and all(_is_id(v) for v in value):
        return tuple(value)
    raise _bad_cursor()


def next_cursor(keys: list[int] | list[tuple[int, ...]], limit: int) -> str | None:
    """Return the cursor after a full page (from its items' keys), or None when the page was the last."""
    return encode_cursor(keys[-1]) if len(keys) == limit and keys else None
