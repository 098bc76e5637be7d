"""Penalties and licensing records in the 双公示 layouts (CF_, XK_), as CSV or XLSX."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.credit.models import Penalty
from certbridge.credit.penalties import list_penalties
from certbridge.licensing.models import LicensingRecord
from certbridge.licensing.publicity import (
    CF_FIELDS,
    PARTY_CATEGORY,
    XK_FIELDS,
    cell_text,
    licensing_row,
    write_csv,
    write_xlsx,
)
from certbridge.licensing.queries import record_status, superseded_among


def penalty_row(penalty: Penalty) -> dict[str, str]:
    """Return a penalty as one CF_ row (amounts in 万元)."""
    values = {
        "CF_XDR_MC": penalty.party_name, "CF_XDR_LB": PARTY_CATEGORY.get(penalty.party_type, penalty.party_type),
        "CF_XDR_SHXYM": penalty.party_uscc, "CF_FRDB": penalty.legal_representative,
        "CF_WSH": penalty.decision_number, "CF_WFXW": penalty.violation_type, "CF_SY": penalty.facts,
        "CF_YJ": penalty.legal_basis, "CF_CFLB": "、".join(penalty.categories), "CF_NR": penalty.content,
        "CF_NR_FK": penalty.fine_wan, "CF_NR_WFFF": penalty.confiscation_wan, "CF_NR_ZKDX": penalty.licence_affected,
        "CF_JDRQ": penalty.decided_on, "CF_YXQ": penalty.penalty_valid_until, "CF_GSJZQ": penalty.publication_ends_on,
        "CF_CFJG": penalty.authority, "CF_CFJGDM": penalty.authority_uscc, "CF_SJLY": penalty.data_source,
        "CF_SJLYDM": penalty.data_source_uscc, "BZ": penalty.remarks,
    }
    return {code: cell_text(values.get(code)) for code, _ in CF_FIELDS}


def _penalties(session: Session, public_only: bool, on: date) -> list[Penalty]:
    if public_only:
        out, after = [], 0
        while True:
            page = list_penalties(session, after_id=after, limit=1000, public_only=True, on=on)
            out.extend(page)
            if len(page) < 1000:
                return out
            after = page[-1].id
    return list(session.scalars(select(Penalty).where(Penalty.withdrawn_on.is_(None)).order_by(Penalty.id)))


def _licensing(session: Session, public_only: bool) -> list[LicensingRecord]:
    stmt = select(LicensingRecord).where(LicensingRecord.withdrawn_on.is_(None))
    if public_only:
        stmt = stmt.where(LicensingRecord.published_on.is_not(None))
    return list(session.scalars(stmt.order_by(LicensingRecord.id)))


def publicity_rows(session: Session, layout: str, *, public_only: bool = True,
                   on: date | None = None) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """Return the fields and rows of a 双公示 layout: XK (licensing) or CF (penalties)."""
    on = on or date.today()
    if layout == "CF":
        return CF_FIELDS, [penalty_row(p) for p in _penalties(session, public_only, on)]
    records = _licensing(session, public_only)
    superseded = superseded_among(session, records)
    return XK_FIELDS, [licensing_row(r, record_status(session, r, on, superseded)) for r in records]


def publicity_file(session: Session, layout: str, file_format: str, *, public_only: bool = True,
                   on: date | None = None) -> bytes:
    """Return a 双公示 export as CSV or XLSX bytes."""
    fields, rows = publicity_rows(session, layout, public_only=public_only, on=on)
    if file_format == "xlsx":
        return write_xlsx(fields, rows, "行政许可" if layout == "XK" else "行政处罚")
    return write_csv(fields, rows)
