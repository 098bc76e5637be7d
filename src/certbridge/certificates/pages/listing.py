"""One page of a certificate list for the pages: default (cursor) or sorted (page number) order, and its total."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from certbridge.api.pagination import decode_key_cursor, encode_cursor
from certbridge.certificates.listing import check_sort, count_certificates, sorted_page
from certbridge.certificates.queries import CertificateFilter, list_certificates, page_keys
from certbridge.web.listing import page_number
from certbridge.web.templating import query_url


def certificate_list(request: Request, db: Session, flt: CertificateFilter, *, base: str, values: dict[str, str],
                     page_size: int) -> dict[str, Any]:
    """Return a page of certificates with its links, total and sort (raises DomainError on a bad parameter).

    The keys: `certificates`, `next_url`, `first_url`, `total`, `sort` and `list_values` (the values every
    link keeps, the sort included).
    """
    qp = request.query_params
    sort, cursor = check_sort(qp.get("sort")), qp.get("cursor")
    page = page_number(request, page_size)
    kept = {**values, "sort": sort} if sort else dict(values)
    if sort:
        certs = sorted_page(db, flt, sort, page=page, limit=page_size)
    else:
        certs = list_certificates(db, flt, after=decode_key_cursor(cursor), limit=page_size + 1)
    next_url = None
    if len(certs) > page_size:
        certs = certs[:page_size]
        if sort:
            next_url = query_url(base, kept, page=page + 1)
        else:
            (last,) = page_keys(flt, [(certs[-1].organization_id, certs[-1].id)])
            next_url = query_url(base, kept, cursor=encode_cursor(last))
    return {"certificates": certs, "next_url": next_url,
            "first_url": query_url(base, kept) if (cursor or page > 1) else None,
            "total": count_certificates(db, flt), "sort": sort, "list_values": kept}
