"""Totals and sort controls for any list a page shows (domain-free; certificates/listing.py adds name search).

A list page hands `sorted_list` its query (a SELECT of one model, filters applied), the columns a person may sort
by (each with its label) and the default order. It gets back one page of rows, the total — counted exactly up to
`COUNT_CAP`, "10,000+" past that — and the links `_list_tools.html` shows: the sort links (each click on the
current key reverses it), the next page and back to the first. A sorted list pages by position (`?page=`),
ties broken by the tie column (the id), so every row appears once; the sort is kept in every link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from certbridge.errors import InvalidInput
from certbridge.web.i18n import gettext, request_language
from certbridge.web.templating import query_url

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Total:
    """How many rows a list has: exact, or at least `count` when `capped`."""

    count: int
    capped: bool


@dataclass(frozen=True)
class SortKey:
    """A column a list may be sorted by, and its label (a page msgid)."""

    column: Any
    label: str


def check_sort(value: str | None, keys: Sequence[str]) -> str | None:
    """Return a sort key (`name`, `-valid_until` …) or None; refuse an unknown one, naming the ones allowed."""
    if not value:
        return None
    allowed = [name for key in keys for name in (key, "-" + key)]
    if value not in allowed:
        raise InvalidInput("list.bad_sort", field="sort", value=value[:40], allowed=", ".join(allowed))
    return value


def page_number(request: Request, page_size: int, cap: int = COUNT_CAP) -> int:
    """Return the 1-based page of a list (?page=), refusing what is not a page of the bounded list."""
    raw = request.query_params.get("page") or "1"
    last = max(cap // page_size, 1)
    if not raw.isdigit() or not 1 <= int(raw) <= last:
        raise InvalidInput("list.bad_page", field="page", max=last)
    return int(raw)


def count_rows(session: Session, stmt: Select, cap: int = COUNT_CAP) -> Total:
    """Return how many rows a query has, exact up to `cap`."""
    bounded = stmt.order_by(None).limit(cap + 1).subquery()
    count = session.scalar(select(func.count()).select_from(bounded)) or 0
    return Total(min(count, cap), count > cap)


def sorted_list(request: Request, session: Session, stmt: Select, *, sorts: Mapping[str, SortKey], tie: Any,
                default_order: Sequence[Any], base: str, values: dict[str, str] | None = None,
                page_size: int = 50) -> dict[str, Any]:
    """Return one page of a list in the order asked for (?sort=, ?page=), with its total and links.

    Keys: `rows`, `total`, `sort`, `sort_keys` ((key, label) in the page language), `next_url`, `first_url` and
    `list_values` (what every link keeps, the sort included). Raises InvalidInput on an unknown sort or page.
    """
    sort = check_sort(request.query_params.get("sort"), list(sorts))
    page = page_number(request, page_size)
    kept = {**(values or {}), "sort": sort} if sort else dict(values or {})
    if sort:
        column = sorts[sort.lstrip("-")].column
        order = [column.desc() if sort.startswith("-") else column.asc(), tie]
    else:
        order = list(default_order)
    rows = list(session.scalars(stmt.order_by(None).order_by(*order)
                                .offset((page - 1) * page_size).limit(page_size + 1)))
    next_url = query_url(base, kept, page=page + 1) if len(rows) > page_size else None
    lang = request_language(request)
    return {"rows": rows[:page_size], "total": count_rows(session, stmt), "sort": sort,
            "sort_keys": [(key, gettext(lang, spec.label)) for key, spec in sorts.items()],
            "next_url": next_url, "first_url": query_url(base, kept) if page > 1 else None, "list_values": kept}
