"""Export certificates in the importer's own column layout, so an export re-imports unchanged.

Every CSV and XLSX cell goes through `kit.spreadsheet`, so a holder name such as ``=HYPERLINK(…)`` is data in a
spreadsheet, never a formula (the importer undoes the CSV apostrophe).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Date, bindparam, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status_sql import status_filter
from certbridge.certificates.models import Certificate
from certbridge.certificates.status_context import HOLDER_FLAG_KINDS, load_context
from certbridge.kit.spreadsheet import SafeCsvWriter, xlsx_cells
from certbridge.registry.models import Organization, Restriction, Standard

COLUMNS = ("number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc", "holder_address",
           "holder_region_code", "scope", "scope_en", "issued_on", "expires_on", "status", "status_changed_on",
           "status_reason", "valid", "status_reasons")  # the last two are not import columns (ignored there)
BATCH = 5000
PROGRESS_EVERY = 500


def _holder_flags(session: Session, on: date) -> dict[int, tuple[str, ...]]:
    """Return the list entries in force on `on` of every listed organization (few), by organization id."""
    flags: dict[int, tuple[str, ...]] = {}
    for org_id, kind in session.execute(select(Restriction.subject_id, Restriction.kind).where(
            Restriction.subject_type == "organization", Restriction.kind.in_(HOLDER_FLAG_KINDS),
            Restriction.starts_on <= on, or_(Restriction.ends_on.is_(None), Restriction.ends_on >= on),
            or_(Restriction.lifted_on.is_(None), Restriction.lifted_on > on)).order_by(Restriction.id)):
        flags[org_id] = (*flags.get(org_id, ()), kind)
    return flags


def export_rows(session: Session, *, body_id: int | None = None, status: str | None = None,
                on: date | None = None) -> Iterator[dict[str, Any]]:
    """Yield certificates as flat rows, in id order, a batch at a time, with their effective status on `on`."""
    on = on or date.today()
    standards = {s.id: s for s in session.scalars(select(Standard))}
    ctx, listed = load_context(session), _holder_flags(session, on)
    after = 0
    while True:
        stmt = (select(Certificate, Organization.uscc, Organization.uscc_needs_check)
                .join(Organization, Organization.id == Certificate.organization_id)
                .where(Certificate.id > after).order_by(Certificate.id).limit(BATCH))
        if body_id is not None:
            stmt = stmt.where(Certificate.body_id == body_id)
        if status:
            stmt = stmt.where(status_filter(status, bindparam("on", on, type_=Date)))
        rows = session.execute(stmt).all()
        if not rows:
            return
        for cert, uscc, needs_check in rows:
            result = ctx.verdict(cert, on, uscc=uscc, uscc_needs_check=bool(needs_check),
                                 holder_flags=listed.get(cert.organization_id, ()))
            std = standards.get(cert.standard_id)
            yield {"number": cert.number, "scheme": cert.scheme_code, "standard_code": std.code if std else "",
                   "standard_version": std.version if std else "", "holder_name": cert.holder_name,
                   "holder_uscc": uscc or "", "holder_address": cert.holder_address or "",
                   "holder_region_code": cert.region_code or "", "scope": cert.scope, "scope_en": cert.scope_en or "",
                   "issued_on": cert.issued_on.isoformat(), "expires_on": cert.expires_on.isoformat(),
                   "status": result.status, "status_changed_on": result.since.isoformat(),
                   "status_reason": result.status_reason or "", "valid": "true" if result.valid else "false",
                   "status_reasons": ";".join(result.codes())}
        after = rows[-1][0].id


def _counted(rows: Iterator[dict[str, Any]], progress: Callable[[int], None] | None) -> Iterator[dict[str, Any]]:
    """Pass rows through, telling `progress` how many went by every PROGRESS_EVERY rows."""
    count = 0
    for row in rows:
        yield row
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)


def export_certificates(session: Session, out: Path, *, body_id: int | None = None, status: str | None = None,
                        suffix: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write certificates to a .csv, .jsonl or .xlsx file (by `suffix`, else the file's); return how many.

    `progress(rows_written)` is called every PROGRESS_EVERY rows (a background export reports it and may stop).
    """
    suffix = (suffix or out.suffix).lower()
    rows = _counted(export_rows(session, body_id=body_id, status=status), progress)
    count = 0
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = SafeCsvWriter(fh)
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow([row[c] for c in COLUMNS])
                count += 1
    elif suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("certificates")
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append(xlsx_cells(sheet, [row[c] for c in COLUMNS]))
            count += 1
        with out.open("wb") as fh:
            book.save(fh)
    else:
        raise ValueError(f"unsupported export format {suffix!r}: use .csv, .jsonl or .xlsx")
    return count
