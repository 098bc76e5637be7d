"""Parameter types shared by every route and page: declared once so every id is checked the same way."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1  # the largest id every backend stores in an INTEGER primary key

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A record id in the path: a positive 32-bit integer (anything else is a 422 before the handler runs)."""

IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
"""An optional record id in the query string (a filter such as `body_id=`), checked like `Id`."""

IdQuery = Annotated[int, Query(ge=1, le=MAX_ID)]
"""A required record id in the query string."""
