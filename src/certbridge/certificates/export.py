"""Export certificates in the importer's own column layout, so an export re-imports unchanged.

Every CSV and XLSX cell goes through `kit.spreadsheet`, so a holder name such as ``=HYPERLINK(…)`` is data in a
spreadsheet, never a formula (the importer undoes the CSV apostrophe).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.kit.spreadsheet import SafeCsvWriter, xlsx_cells
from certbridge.registry.models import Organization, Standard

COLUMNS = ("number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc", "holder_address",
           "holder_region_code", "scope", "scope_en", "issued_on", "expires_on", "status", "status_changed_on",
           "status_reason")
BATCH = 5000


def export_rows(session: Session, *, body_id: int | None = None, status: str | None = None) -> Iterator[dict[str, Any]]:
    """Yield certificates as flat rows, in id order, a batch at a time."""
    standards = {s.id: s for s in session.scalars(select(Standard))}
    after = 0
    while True:
        stmt = (select(Certificate, Organization.uscc).join(Organization, Organization.id == Certificate.organization_id)
                .where(Certificate.id > after).order_by(Certificate.id).limit(BATCH))
        if body_id is not None:
            stmt = stmt.where(Certificate.body_id == body_id)
        if status:
            stmt = stmt.where(Certificate.status == status)
        rows = session.execute(stmt).all()
        if not rows:
            return
        for cert, uscc in rows:
            std = standards.get(cert.standard_id)
            yield {"number": cert.number, "scheme": cert.scheme_code, "standard_code": std.code if std else "",
                   "standard_version": std.version if std else "", "holder_name": cert.holder_name,
                   "holder_uscc": uscc or "", "holder_address": cert.holder_address or "",
                   "holder_region_code": cert.region_code or "", "scope": cert.scope, "scope_en": cert.scope_en or "",
                   "issued_on": cert.issued_on.isoformat(), "expires_on": cert.expires_on.isoformat(),
                   "status": cert.status, "status_changed_on": cert.status_changed_on.isoformat(),
                   "status_reason": cert.status_reason or ""}
        after = rows[-1][0].id


def export_certificates(session: Session, out: Path, *, body_id: int | None = None, status: str | None = None) -> int:
    """Write certificates to a .csv, .jsonl or .xlsx file; return how many."""
    suffix = out.suffix.lower()
    rows = export_rows(session, body_id=body_id, status=status)
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
        book.save(out)
    else:
        raise ValueError(f"unsupported export format {suffix!r}: use .csv, .jsonl or .xlsx")
    return count
