"""Opaque cursors for list endpoints: a cursor encodes the last id seen."""

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


def encode_cursor(last_id: int) -> str:
    """Encode the last id of a page as an opaque cursor."""
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """Decode a cursor into the id to continue after; refuse a malformed one."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(value, int) or value < 0:
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidInput("pagination.bad_cursor", field="cursor") from None


def next_cursor(ids: list[int], limit: int) -> str | None:
    """Return the cursor after a full page, or None when the page was the last."""
    return encode_cursor(ids[-1]) if len(ids) == limit and ids else None
