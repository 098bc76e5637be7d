"""Files in IAF CertSearch's certification upload template: export a body's certificates, import a CB's file.

The columns are those of IAF CertSearch's "Certification Template for Certification Body" (field-name glossary,
support.iafcertsearch.org, template 1.1/2.0 certification fields; docs/opendata.md): one sheet, one row per
certificate. Dates are YYYYMMDD. `Accreditation Status` is Accredited (then `Accreditation Body` names the
accreditation body, e.g. CNAS) or Non-Accredited. `Certified Entity Unique ID` carries the 统一社会信用代码 (a foreign
holder's home-register id) on export and is read as
the USCC on import when it is one (a CB's own client id otherwise, which we do not keep). Standards are written
by their ISO name when the Chinese standard is identical to one, and read back either way (iaf_standards.py).
Import translates the file into our import columns and runs the certificates importer, so every row is checked
by the same rules as any import (all rows or none).
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.accreditation.models import AccreditationBody
from certbridge.certificates.effective_status import verdict
from certbridge.certificates.models import Certificate
from certbridge.certificates.status_context import load_context
from certbridge.kit.spreadsheet import write_csv_bytes, xlsx_cells
from certbridge.kit.tabular import TableError, read_table
from certbridge.kit.uscc import normalize_uscc, validate_uscc
from certbridge.opendata.iaf_standards import chinese_standard, iso_standard, parse_standard
from certbridge.registry.models import CertificationBody, Organization, OrganizationIdentifier, Scheme, Standard

IAF_COLUMNS = (
    "Certification Identity Number", "Certificate Number", "Certification Status", "Accreditation Status",
    "Accreditation Body", "Certification Type", "Standards and Schemes", "Certification Scope", "Certification Original Issue Date",
    "Certification Issue Date", "Certification Expiry Date", "Certified Entity Name", "Certified Entity Unique ID",
    "Certified Entity Street", "Certified Entity City", "Certified Entity State", "Certified Entity Zipcode/Postcode",
    "Certified Entity Country/Economy",
)
STATUS_TO_IAF = {"valid": "Active", "suspended": "Suspended", "withdrawn": "Withdrawn", "cancelled": "Cancelled",
                 "expired": "Expired"}
IAF_TO_STATUS = {v.lower(): k for k, v in STATUS_TO_IAF.items()} | {"inactive": "expired"}
KIND_TO_TYPE = {"system": "Management System", "product": "Product", "service": "Service"}
CHUNK = 1000


def country_name(code: str | None) -> str:
    """Return the Country/Economy cell: China, or the ISO 3166-1 alpha-2 code of a country abroad."""
    return "China" if code in (None, "", "CN") else code


def _compact(day) -> str:
    return day.strftime("%Y%m%d") if day else ""


def export_iaf_xlsx(session: Session, *, body_id: int, on) -> bytes:
    """Return a body's certificates as an IAF CertSearch upload workbook (effective status on `on`)."""
    from openpyxl import Workbook

    body = session.get(CertificationBody, body_id)
    kinds = dict(session.execute(select(Scheme.code, Scheme.kind)).all())
    standards = {s.id: (s.code, s.version) for s in session.scalars(select(Standard))}
    accreditors = dict(session.execute(select(AccreditationBody.id, AccreditationBody.code)).all())
    context = load_context(session)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Certifications")
    sheet.append(list(IAF_COLUMNS))
    last = 0
    while True:
        certs = list(session.scalars(select(Certificate).where(Certificate.body_id == body_id, Certificate.id > last)
                                     .order_by(Certificate.id).limit(CHUNK)))
        if not certs:
            break
        last = certs[-1].id
        holders = {row[0]: row[1:] for row in session.execute(select(
            Organization.id, Organization.uscc, Organization.country, OrganizationIdentifier.value)
            .outerjoin(OrganizationIdentifier, (OrganizationIdentifier.organization_id == Organization.id)
                       & (OrganizationIdentifier.scheme == "foreign"))
            .where(Organization.id.in_({c.organization_id for c in certs})))}
        for c in certs:
            status = verdict(context.facts(c), on).status
            code, version = standards.get(c.standard_id, (None, None))
            named = (iso_standard(code, version) or f"{code}-{version}") if code else c.scheme_code
            uscc, country, foreign = holders.get(c.organization_id, (None, None, None))
            accreditor = accreditors.get(c.accreditation_body_id)
            sheet.append(xlsx_cells(sheet, [
                f"{body.code}-{c.id}", c.number, STATUS_TO_IAF[status], "Accredited" if accreditor else "Non-Accredited",
                accreditor or "", KIND_TO_TYPE.get(kinds.get(c.scheme_code), ""),
                named, c.scope, "", _compact(c.issued_on), _compact(c.expires_on), c.holder_name,
                uscc or (foreign or "").partition(":")[2], c.holder_address or "", "", "", "",
                country_name(c.country or country)]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _standard_columns(text: str) -> dict[str, str]:
    """Return scheme, standard_code and standard_version of a standard as an IAF file writes it."""
    found = chinese_standard(text)
    if found:
        code, version, scheme = found
        return {"scheme": scheme, "standard_code": code, "standard_version": version}
    code, year = parse_standard(text)
    return {"standard_code": code, "standard_version": year or ""} if code else {}


def iaf_rows(filename: str, data: bytes) -> list[dict[str, Any]]:
    """Return an IAF CertSearch file's rows in our import columns (USCC and standards recognised)."""
    table = read_table(filename, data)
    out = []
    for _, row in table.rows:
        get = lambda name: str(row.get(name) or "").strip()  # noqa: E731
        unique_id = normalize_uscc(get("Certified Entity Unique ID"))
        address = "".join(x for x in (get("Certified Entity State"), get("Certified Entity City"),
                                      get("Certified Entity Street")) if x)
        status = get("Certification Status")
        values = {"number": get("Certificate Number"), "holder_name": get("Certified Entity Name"),
                  "holder_uscc": unique_id if unique_id and validate_uscc(unique_id).status != "invalid" else "",
                  "holder_address": address, "scope": get("Certification Scope"),
                  "issued_on": get("Certification Issue Date"), "expires_on": get("Certification Expiry Date"),
                  "status": IAF_TO_STATUS.get(status.lower(), status) if status else "",
                  "external_id": get("Certification Identity Number")}
        standard = get("Standards and Schemes") or get("Standard") or get("Certification Standard")
        values.update(_standard_columns(standard) if standard else {})
        if get("Scheme"):
            values["scheme"] = get("Scheme")
        out.append(values)
    return out


IMPORT_COLUMNS = ("number", "scheme", "standard_code", "standard_version", "holder_name", "holder_uscc",
                  "holder_address", "scope", "issued_on", "expires_on", "status", "external_id")


def iaf_to_import_csv(filename: str, data: bytes) -> bytes:
    """Return an IAF CertSearch file as a CSV in our import columns (for certificates.importer)."""
    rows = iaf_rows(filename, data)
    return write_csv_bytes(IMPORT_COLUMNS, [[r.get(c, "") for c in IMPORT_COLUMNS] for r in rows])


__all__ = ["IAF_COLUMNS", "export_iaf_xlsx", "iaf_rows", "iaf_to_import_csv", "TableError"]
