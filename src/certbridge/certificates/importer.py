"""Bulk import: every row validated by the same rules as a single issue; all rows or none.

Columns may use our names, Chinese headers or IAF CertSearch-style English headers (see COLUMN_ALIASES).
A row whose number already exists for the body with the same content counts as unchanged, so re-running
an import is idempotent; the same number with different content is an error for that row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.bulk import issue_drafts
from certbridge.kit.paused_gc import paused_gc
from certbridge.certificates.models import Certificate, ImportBatch
from certbridge.certificates.schemas import CertificateIn
from certbridge.certificates.service import issue_certificate
from certbridge.errors import DomainError
from certbridge.ledger.journal import record_event
from certbridge.i18n.catalog import render
from certbridge.kit.tabular import TableError, TableLimits, read_table
from certbridge.kit.text_input import strip_invisible
from certbridge.policy import require_body_operator
from certbridge.principal import Principal
from certbridge.registry.bodies import get_body

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("证书编号", "Certificate Number", "certificate_number"),
    "scheme": ("认证项目", "认证类别", "Scheme", "Certification Scheme"),
    "standard_code": ("认证依据", "标准", "Standard", "Certification Standard"),
    "standard_version": ("标准版本", "Standard Version"),
    "holder_name": ("获证组织名称", "组织名称", "Certified Entity Name", "Organization Name", "Organisation Name"),
    "status": ("证书状态", "Certification Status"),
    "holder_uscc": ("统一社会信用代码", "Organization Identifier", "Company Registration Number"),
    "holder_address": ("获证组织地址", "组织地址", "Certified Entity Address", "Address"),
    "holder_region_code": ("行政区划代码", "Region Code"),
    "scope": ("认证范围", "覆盖范围", "Scope", "Certification Scope", "Scope of Certification"),
    "original_issued_on": ("初次颁证日期", "Certification Original Issue Date"),
    "external_id": ("Certification Identity Number",),
    "scope_en": ("英文认证范围", "Scope (English)"),
    "issued_on": ("颁证日期", "发证日期", "Certification Issue Date", "Certificate Issue Date", "Issue Date"),
    "expires_on": ("证书到期日期", "有效期至", "Certification Expiry Date", "Certificate Expiry Date", "Expiry Date"),
    "certification_mode": ("认证模式", "Certification Mode"),
    "grade": ("认证等级", "等级", "Grade", "Certification Grade"),
    "product_name": ("产品名称", "Product Name"),
    "product_model": ("型号规格", "产品型号", "Product Model"),
    "product_trademark": ("商标", "Trademark"),
    "product_manufacturer": ("制造商", "Manufacturer"),
    "product_factory": ("生产厂", "Factory"),
    "site_name": ("场所名称", "Site Name"),
    "site_address": ("场所地址", "Site Address"),
    "audit_kind": ("审核类型", "Audit Type"),
    "audit_method": ("审核方式", "Audit Method"),
    "audit_start_on": ("审核开始日期", "Audit Start Date"),
    "audit_end_on": ("审核结束日期", "Audit End Date"),
    "auditors": ("审核员注册号", "Auditor Registration Numbers"),
}
_ALIAS_TO_FIELD = {alias.lower(): name for name, aliases in COLUMN_ALIASES.items() for alias in (name, *aliases)}
AUDIT_KINDS = {"初次认证": "initial", "监督": "surveillance", "再认证": "recertification", "特殊": "special"}
# The importer registers certificates that are valid now; other statuses go through lifecycle actions.
ACTIVE_STATUSES = {"", "valid", "active", "有效"}
DATE_FIELDS = ("issued_on", "expires_on", "audit_start_on", "audit_end_on")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # IAF CertSearch writes YYYYMMDD


class RowError(BaseModel):
    """One problem with one row."""

    row: int = Field(description="Line in a CSV, sheet row in XLSX, item (from 1) in JSON")
    field: str | None
    code: str
    message: str


class ImportReport(BaseModel):
    """What an import did, or would do: counts and every bad row."""

    filename: str
    rows: int
    created: int
    unchanged: int
    dry_run: bool
    committed: bool
    encoding: str | None = None
    errors: list[RowError]
    warnings: list[RowError] = Field(default_factory=list, description="Changes made to the input, e.g. "
                                     "invisible characters removed from a cell (the row still imports)")


def _canonical(row: dict[str, Any], fields: dict[tuple, list] | None = None) -> dict[str, Any]:
    """Rename a row's columns to our field names (unknown columns listed under `_unknown`).

    `fields` caches the renaming per header: the rows of a table share one, so it is worked out once per file.
    """
    names = None
    if fields is not None:
        names = fields.get(header := tuple(row))
        if names is None:
            names = fields[header] = [_ALIAS_TO_FIELD.get(str(key).strip().lower()) for key in header]
        if None not in names:  # every column known: renamed in C (a repeated field keeps its last cell, as below)
            return dict(zip(names, row.values()))
    out: dict[str, Any] = {}
    for index, (key, value) in enumerate(row.items()):
        field = names[index] if names is not None else _ALIAS_TO_FIELD.get(str(key).strip().lower())
        if field is not None:
            out[field] = value
        else:
            out.setdefault("_unknown", []).append(key)
    return out


def _blank(value: Any) -> Any:
    return None if value in ("", None) else value


def draft_from_row(row: dict[str, Any]) -> CertificateIn:
    """Build a certificate draft from one flat (or nested JSON) row."""
    if "holder" in row:  # already in API shape (JSON import)
        return CertificateIn.model_validate(row)
    values: dict[str, Any] = {}  # the row's filled cells, compact dates spelled out; looked up ~25 times
    for name, value in row.items():
        if _blank(value) is None:
            continue
        if name in DATE_FIELDS and isinstance(value, str):
            compact = _COMPACT_DATE.match(value.strip())
            if compact:
                value = "-".join(compact.groups())
        values[name] = value
    get = values.get
    draft: dict[str, Any] = {
        "number": get("number") or "", "scheme": get("scheme") or "",
        "standard_code": get("standard_code"), "standard_version": get("standard_version"),
        "holder": {"name": get("holder_name") or "", "uscc": get("holder_uscc"), "address": get("holder_address"),
                   "region_code": get("holder_region_code")},
        "scope": get("scope") or "", "scope_en": get("scope_en"), "issued_on": get("issued_on"),
        "expires_on": get("expires_on"), "certification_mode": get("certification_mode"),
        "grade": get("grade"),
    }
    if get("product_name"):
        draft["product"] = {"name": get("product_name"), "model": get("product_model"),
                            "trademark": get("product_trademark"), "manufacturer": get("product_manufacturer"),
                            "factory": get("product_factory")}
    if get("site_name") or get("site_address"):
        draft["sites"] = [{"name": get("site_name") or "", "address": get("site_address") or ""}]
    if get("audit_start_on") or get("auditors"):
        numbers = [n.strip() for n in str(get("auditors") or "").replace("；", ";").replace(",", ";").split(";")
                   if n.strip()]
        kind = get("audit_kind") or "initial"
        draft["audits"] = [{"kind": AUDIT_KINDS.get(kind, kind), "method": get("audit_method") or "FS01",
                            "start_on": get("audit_start_on"), "end_on": get("audit_end_on") or get("audit_start_on"),
                            "auditors": [{"registration_number": n, "role": "leader" if i == 0 else "member"}
                                         for i, n in enumerate(numbers)]}]
    return CertificateIn.model_validate(draft)


def _existing_certificates(session: Session, body_id: int, numbers: list[str]) -> dict[str, Certificate]:
    # Which numbers exist, through the driver (compiling the ORM's IN of 500 literals cost more than the probe);
    # then only those certificates are loaded, usually none. Flushed first, as the ORM query would autoflush.
    session.flush()
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    taken: list[str] = []
    for start in range(0, len(numbers), 500):
        part = numbers[start:start + 500]
        if sqlite:
            sql, params = (f"SELECT number FROM certificate WHERE body_id = ? AND number IN ({', '.join('?' * len(part))})",
                           (body_id, *part))
        else:
            sql, params = "SELECT number FROM certificate WHERE body_id = %s AND number = ANY(%s)", (body_id, part)
        taken.extend(number for (number,) in conn.exec_driver_sql(sql, params))
    found: dict[str, Certificate] = {}
    for start in range(0, len(taken), 500):
        stmt = select(Certificate).where(Certificate.body_id == body_id, Certificate.number.in_(taken[start:start + 500]))
        found.update((c.number, c) for c in session.scalars(stmt))
    return found


def _same_as_existing(existing: Certificate | None, draft: CertificateIn) -> bool:
    return existing is not None and (existing.scheme_code == draft.scheme.strip().upper() and existing.issued_on == draft.issued_on
            and existing.scope == draft.scope.strip() and existing.holder_name == draft.holder.name.strip())


def _pydantic_errors(line: int, exc: ValidationError, lang: str) -> list[RowError]:
    out = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()))
        code = "validation." + err.get("type", "invalid")
        message = render(code, lang, field=field, **{k: v for k, v in (err.get("ctx") or {}).items()
                                                     if isinstance(v, (str, int, float))})
        if message.startswith(code):
            message = render("validation.generic", lang, field=field, detail=err.get("msg", ""))
        out.append(RowError(row=line, field=field, code=code, message=message))
    return out


def import_certificates(
    session: Session, *, principal: Principal, body_id: int, filename: str, data: bytes, dry_run: bool = False,
    lang: str = "zh", max_bytes: int = 20 * 1024 * 1024, today: date | None = None, limits: TableLimits | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row and issue the certificates; the caller rolls back if the report has errors.

    A file over ``max_bytes`` is refused with the single error ``import.too_large`` (callers answer 413); a cell,
    row or column count beyond ``limits`` with ``import.cell_too_long`` / ``import.row_too_long`` naming the row.
    `progress(stage, done, total)` is told how far the import got (a background job shows it; it may raise to
    stop the import, and the caller then rolls back).
    """
    with paused_gc():
        return _import(session, principal=principal, body_id=body_id, filename=filename, data=data, dry_run=dry_run,
                       lang=lang, max_bytes=max_bytes, today=today, limits=limits,
                       progress=progress or _no_progress)


Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500  # rows between two progress reports


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _without_invisible(line: int, value: Any, report: ImportReport, lang: str, path: str = "") -> Any:
    """Remove invisible characters from a row's cells (JSON: at any depth), adding one warning per cell changed."""
    if type(value) is dict and not path:
        cells = value.values()
        if all(type(cell) is str for cell in cells) and "".join(cells).isprintable():
            return value  # the common flat row: nothing invisible in any cell (one C-level scan for the row)
    if isinstance(value, str):
        stripped = strip_invisible(value)
        if stripped == value:
            return value
        report.warnings.append(RowError(row=line, field=path, code="import.invisible_removed",
                                        message=render("import.invisible_removed", lang, row=line, column=path)))
        return stripped.strip()
    if isinstance(value, dict):
        return {key: _without_invisible(line, item, report, lang, f"{path}.{key}" if path else str(key))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_without_invisible(line, item, report, lang, f"{path}.{i}") for i, item in enumerate(value)]
    return value


def _import(session: Session, *, principal: Principal, body_id: int, filename: str, data: bytes, dry_run: bool,
            lang: str, max_bytes: int, today: date | None, limits: TableLimits | None,
            progress: Progress) -> ImportReport:
    require_body_operator(principal, body_id)
    get_body(session, body_id)
    report = ImportReport(filename=filename, rows=0, created=0, unchanged=0, dry_run=dry_run, committed=False, errors=[])
    if len(data) > max_bytes:
        report.errors.append(RowError(row=0, field=None, code="import.too_large",
                                      message=render("import.too_large", lang, max_mb=max(1, max_bytes // 1024 // 1024))))
        return report
    progress("reading", 0, 0)
    try:
        table = read_table(filename, data, limits)
    except TableError as exc:
        column = exc.params.get("column") if exc.code in ("import.formula", "import.cell_too_long") else None
        report.errors.append(RowError(row=exc.params.get("row", 0), field=column, code=exc.code,
                                      message=render(exc.code, lang, **exc.params)))
        return report
    report.rows, report.encoding = len(table.rows), table.encoding
    if not table.rows:
        report.errors.append(RowError(row=0, field=None, code="import.empty", message=render("import.empty", lang)))
        return report
    seen_numbers: dict[str, int] = {}
    pending: list[tuple[int, CertificateIn]] = []
    headers: dict[tuple, list] = {}
    for index, (line, raw) in enumerate(table.rows):
        if index % PROGRESS_EVERY == 0:
            progress("checking", index, report.rows)
        raw = _without_invisible(line, raw, report, lang)
        row = _canonical(raw, headers) if "holder" not in raw else raw
        status = str(row.get("status") or "").strip().lower()
        if status not in ACTIVE_STATUSES:
            report.errors.append(RowError(row=line, field="status", code="import.status_not_valid",
                                          message=render("import.status_not_valid", lang, status=row.get("status"))))
            continue
        try:
            draft = draft_from_row(row)
        except ValidationError as exc:
            report.errors.extend(_pydantic_errors(line, exc, lang))
            continue
        number = draft.number.strip()
        if number in seen_numbers:
            report.errors.append(RowError(row=line, field="number", code="import.duplicate_in_file",
                                          message=render("import.duplicate_in_file", lang, number=number,
                                                         first=seen_numbers[number])))
            continue
        seen_numbers[number] = line
        pending.append((line, draft))
    existing = _existing_certificates(session, body_id, [d.number.strip() for _, d in pending])
    fresh = [(line, d) for line, d in pending if not _same_as_existing(existing.get(d.number.strip()), d)]
    report.unchanged, pending = len(pending) - len(fresh), fresh
    progress("writing", 0, len(pending))
    if pending and not report.errors:
        # Fast path: the whole file validated set-wise and written with executemany/COPY. Any refusal rolls it
        # back and the rows are issued one by one below, so every bad row is named exactly as before.
        savepoint = session.begin_nested()
        try:
            report.created = issue_drafts(session, principal=principal, body_id=body_id,
                                          drafts=[d for _, d in pending], today=today)
            savepoint.commit()
            pending = []
        except DomainError:
            savepoint.rollback()
    for index, (line, draft) in enumerate(pending):
        if index % PROGRESS_EVERY == 0:
            progress("writing", index, len(pending))
        savepoint = session.begin_nested()
        try:
            issue_certificate(session, principal=principal, body_id=body_id, draft=draft, today=today)
            savepoint.commit()
            report.created += 1
        except DomainError as exc:
            savepoint.rollback()
            report.errors.append(RowError(row=line, field=exc.field, code=exc.code, message=exc.message(lang)))
    if not report.errors and not dry_run:
        digest = hashlib.sha256(data).hexdigest()
        batch = ImportBatch(body_id=body_id, file_sha256=digest, filename=filename[:200], rows=report.rows,
                            created=report.created, unchanged=report.unchanged, actor=principal.actor)
        session.add(batch)
        session.flush()
        record_event(session, type="import.completed", subject_type="body", subject_id=body_id, actor=principal.actor,
                     data={"file_sha256": digest, "filename": filename[:200], "rows": report.rows,
                           "created": report.created, "unchanged": report.unchanged})
        report.committed = True
    return report
