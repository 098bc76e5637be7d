"""Bulk import of a standards catalogue (CSV in UTF-8/GBK, XLSX or JSON), all or nothing, with row-level errors.

Columns (Chinese or English headers): 标准号 (with or without the year: "GB/T 19001-2016", "ISO 9001:2015"),
年代号, 标准名称, 英文名称, 认证项目, 发布机构, 发布日期, 状态 (现行/被代替/废止), 废止日期, 代替版本 (the year this
version replaces), 过渡期截止日期, 对应国际标准 and 一致性程度 (IDT/MOD/NEQ). The caller rolls the transaction back
when the report has errors, so a file with one bad row changes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from certbridge.errors import DomainError
from certbridge.i18n.catalog import render
from certbridge.kit.tabular import TableError, TableLimits, read_table
from certbridge.kit.text_input import strip_invisible
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.standards.service import find_by_number, save_standard, set_equivalence

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("标准号", "标准编号", "Standard Number", "Number"),
    "version": ("年代号", "版本", "Version", "Year"),
    "title": ("标准名称", "中文名称", "Title"),
    "title_en": ("英文名称", "English Title", "Title (English)"),
    "scheme": ("认证项目", "Scheme"),
    "issuer": ("发布机构", "Issuer", "Publisher"),
    "published_on": ("发布日期", "Published", "Publication Date"),
    "status": ("状态", "Status"),
    "withdrawn_on": ("废止日期", "Withdrawn", "Withdrawal Date"),
    "supersedes": ("代替版本", "代替", "Supersedes"),
    "transition_deadline": ("过渡期截止日期", "Transition Deadline"),
    "equivalent": ("对应国际标准", "对应国外标准", "Equivalent", "Equivalent Standard"),
    "degree": ("一致性程度", "Degree", "Equivalence"),
}
_ALIASES = {a.lower(): name for name, aliases in COLUMNS.items() for a in (name, *aliases)}
STATUS_WORDS = {"": "current", "现行": "current", "current": "current", "被代替": "superseded",
                "superseded": "superseded", "废止": "withdrawn", "withdrawn": "withdrawn"}
_YEAR_TAIL = re.compile(r"^(.*?\d)\s*[-:—]\s*((?:19|20)\d{2})$")


class CatalogueError(BaseModel):
    """One problem with one row."""

    row: int
    field: str | None
    code: str
    message: str


class CatalogueReport(BaseModel):
    """What a catalogue import did (or would do)."""

    filename: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    equivalences: int = 0
    dry_run: bool = False
    committed: bool = False
    errors: list[CatalogueError] = []


def split_number(text: str, version: str | None) -> tuple[str, str | None]:
    """Split "GB/T 19001-2016" into ("GB/T 19001", "2016"); a separate version column wins."""
    text = " ".join((text or "").split())
    match = _YEAR_TAIL.match(text)
    if version:
        return (match.group(1) if match and match.group(2) == version else text), version
    return (match.group(1), match.group(2)) if match else (text, None)


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-")[:10])
    except ValueError:
        raise _RowProblem("standard.date_format", name, value=value) from None


class _RowProblem(Exception):
    def __init__(self, message_code: str, field: str | None, **params: Any) -> None:
        super().__init__(message_code)
        self.code, self.field, self.params = message_code, field, params


def _row_values(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = _ALIASES.get(str(key).strip().lower())
        if name:
            out[name] = strip_invisible(value).strip() if isinstance(value, str) else value
    return out


def import_catalogue(session: Session, *, principal: Principal, filename: str, data: bytes, dry_run: bool = False,
                     lang: str = "zh", max_bytes: int = 20 * 1024 * 1024) -> CatalogueReport:
    """Check every row and save the entries; the caller commits only when the report has no errors."""
    require_regulator(principal)
    report = CatalogueReport(filename=filename[:200], dry_run=dry_run)

    def fail(row: int, message_code: str, field: str | None = None, **params: Any) -> None:
        report.errors.append(CatalogueError(row=row, field=field, code=message_code,
                                            message=render(message_code, lang, **{"field": field, **params})))

    if len(data) > max_bytes:
        fail(0, "import.too_large", max_mb=max(1, max_bytes // 1024 // 1024))
        return report
    try:
        table = read_table(filename, data, TableLimits(max_rows=50_000))
    except TableError as exc:
        fail(exc.params.get("row", 0), exc.code, exc.params.get("column"), **exc.params)
        return report
    report.rows = len(table.rows)
    if not table.rows:
        fail(0, "import.empty")
        return report
    seen: dict[tuple[str, str], int] = {}
    for line, raw in table.rows:
        row = _row_values(raw)
        try:
            code, version = split_number(str(row.get("code") or ""), str(row.get("version") or "").strip() or None)
            if not code:
                raise _RowProblem("field.required", "code")
            if not version:
                raise _RowProblem("standard.version_missing", "version", code=code)
            if (code, version) in seen:
                raise _RowProblem("standard.duplicate_in_file", "code", code=code, version=version,
                                  first=seen[(code, version)])
            seen[(code, version)] = line
            status = STATUS_WORDS.get(str(row.get("status") or "").strip().lower())
            if status is None:
                raise _RowProblem("standard.status_unknown", "status", value=row.get("status"))
            if not str(row.get("scheme") or "").strip():
                raise _RowProblem("field.required", "scheme")
            savepoint = session.begin_nested()
            try:
                std, created = save_standard(
                    session, principal=principal, code=code, version=version, title=str(row.get("title") or ""),
                    scheme_code=str(row.get("scheme")), title_en=row.get("title_en"), issuer=row.get("issuer"),
                    published_on=_date(row.get("published_on"), "published_on"), status=status,
                    withdrawn_on=_date(row.get("withdrawn_on"), "withdrawn_on"),
                    supersedes=str(row.get("supersedes") or "").strip() or None,
                    transition_deadline=_date(row.get("transition_deadline"), "transition_deadline"))
                equivalent = str(row.get("equivalent") or "").strip()
                if equivalent:
                    other = find_by_number(session, equivalent)
                    if other is None:
                        raise _RowProblem("standard.equivalent_unknown", "equivalent", value=equivalent)
                    set_equivalence(session, principal=principal, standard_id=std.id, foreign_id=other.id,
                                    degree=str(row.get("degree") or ""), note=None)
                    report.equivalences += 1
                savepoint.commit()
            except (DomainError, _RowProblem):
                savepoint.rollback()
                raise
            report.created += created
            report.updated += not created
        except _RowProblem as exc:
            fail(line, exc.code, exc.field, **exc.params)
        except DomainError as exc:
            report.errors.append(CatalogueError(row=line, field=exc.field, code=exc.code, message=exc.message(lang)))
    if not report.errors and not dry_run:
        record_event(session, type="standard.catalogue_imported", subject_type="standard", subject_id="catalogue",
                     actor=principal.actor, data={"filename": filename[:200], "rows": report.rows,
                                                  "created": report.created, "updated": report.updated})
        report.committed = True
    return report
