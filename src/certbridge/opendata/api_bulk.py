"""POST /api/v1/bulk-verifications: verify a supplier list (JSON rows or a file) and get one signed receipt."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Body, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, CurrentPrincipal, Lang, ReadDB, WriteDB, client_ip
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.errors import InvalidInput, RuleViolation
from certbridge.jobs.models import Job
from certbridge.opendata.bulk_jobs import verification_work
from certbridge.opendata.bulk_store import mark_started, new_token, started_job, stored_receipt
from certbridge.ledger.deps import LedgerDB
from certbridge.opendata.bulk_documents import receipt_json, receipt_pdf, receipt_xlsx
from certbridge.opendata.bulk_input import MAX_SYNC_ROWS, rows_from_file, rows_from_items
from certbridge.opendata.bulk_receipt import build_bulk_receipt
from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt
from certbridge.credentials.service import credential_verifier_keys
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.proofs import log_verifier_keys
from certbridge.i18n.catalog import render
from certbridge.opendata.quotas import charge, limits_for, set_key_quota, subject_of, today_cst, usage_of

router = APIRouter(prefix="/api/v1", tags=["open data"], responses=PROBLEM_RESPONSES)
Format = Annotated[Literal["json", "xlsx", "pdf"], Query(description="json (default), xlsx or pdf (JSON embedded)")]


class ListRowIn(BaseModel):
    """One supplier: any of name, USCC and certificate number; optionally a required scheme or standard."""

    name: str = Field("", max_length=200, examples=["北海格力电器配件有限公司"])
    uscc: str = Field("", max_length=40)
    number: str = Field("", max_length=60, description="Certificate number")
    scheme: str = Field("", max_length=20, description="Required scheme code, e.g. QMS or CCC")
    standard: str = Field("", max_length=60, description="Required standard: GB/T 19001-2016 or ISO 9001:2015")


class ListIn(BaseModel):
    """A supplier list to verify."""

    name: str = Field("", max_length=200, description="What the list is called (kept in the receipt)")
    rows: list[ListRowIn] = Field(min_length=1, max_length=MAX_SYNC_ROWS)


def _charge(request: Request, principal, rows: int) -> dict[str, str]:
    """Count the call against the caller's daily quotas (or refuse it, 429); return the headers saying what is left."""
    used = charge(request.app.state.sessions, request.app.state.settings,
                  subject=subject_of(principal, client_ip(request)), rows=rows)
    return {"Quota-Requests-Remaining": str(used["remaining"]["requests"]),
            "Quota-Rows-Remaining": str(used["remaining"]["rows"]), "Quota-Reset": str(used["reset"])}


def _answer(receipt: dict[str, Any], fmt: str, lang: str, headers: dict[str, str]) -> Response:
    if fmt == "xlsx":
        return Response(receipt_xlsx(receipt, lang), headers={**headers, "Content-Disposition":
                        'attachment; filename="bulk-receipt.xlsx"'},
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt == "pdf":
        return Response(receipt_pdf(receipt), media_type="application/pdf",
                        headers={**headers, "Content-Disposition": 'attachment; filename="bulk-receipt.pdf"'})
    return Response(receipt_json(receipt), media_type="application/json", headers=headers)


RECEIPT_MEDIA = {200: {"description": "The signed receipt: JSON (format=json), XLSX or PDF", "content": {
    "application/json": {"schema": {"type": "object"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


@router.post("/bulk-verifications", summary="Verify a supplier list (JSON rows) and get a signed receipt",
             responses=RECEIPT_MEDIA)
def verify_list(request: Request, db: LedgerDB, lang: Lang, principal: CurrentPrincipal,
                item: Annotated[ListIn, Body()], format: Format = "json"):
    """Match each row to an organization and its certificates' effective status; sign one receipt for the list."""
    rows = rows_from_items([r.model_dump() for r in item.rows])
    headers = _charge(request, principal, len(rows))
    receipt = build_bulk_receipt(db, settings=request.app.state.settings, rows=rows, list_name=item.name)
    return _answer(receipt, format, lang, headers)


@router.post("/bulk-verifications/file", summary="Verify a supplier list file (CSV UTF-8/GBK, XLSX)",
             responses=RECEIPT_MEDIA)
def verify_list_file(request: Request, db: LedgerDB, lang: Lang, principal: CurrentPrincipal,
                     file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK) or XLSX")],
                     format: Format = "json"):
    """Read a list file by its Chinese or English headers, verify it, and sign one receipt."""
    settings = request.app.state.settings
    data = file.file.read(settings.import_max_file_bytes + 1)
    if len(data) > settings.import_max_file_bytes:
        raise InvalidInput("import.too_large", field="file", max_mb=settings.import_max_file_bytes // 2**20)
    rows = rows_from_file(file.filename or "list.csv", data)
    if len(rows) > MAX_SYNC_ROWS:
        raise InvalidInput("bulk.use_job", field="file", max=MAX_SYNC_ROWS)
    headers = _charge(request, principal, len(rows))
    receipt = build_bulk_receipt(db, settings=settings, rows=rows, list_name=file.filename or "")
    return _answer(receipt, format, lang, headers)


@router.post("/bulk-verifications/jobs", status_code=202, summary="Verify a long supplier list in the background")
def start_list_job(request: Request, lang: Lang, principal: CurrentPrincipal,
                   file: Annotated[UploadFile, File(description="CSV (UTF-8 or GBK) or XLSX, up to 50,000 rows")]):
    """Queue a list of up to 50,000 rows; poll GET /api/v1/bulk-verifications/{token} for progress and receipt."""
    settings = request.app.state.settings
    data = file.file.read(settings.import_max_file_bytes + 1)
    if len(data) > settings.import_max_file_bytes:
        raise InvalidInput("import.too_large", field="file", max_mb=settings.import_max_file_bytes // 2**20)
    rows = rows_from_file(file.filename or "list.csv", data)
    headers = _charge(request, principal, len(rows))
    token = new_token()
    work = verification_work(request.app.state.sessions, settings=settings, token=token, rows=rows,
                             list_name=file.filename or "")
    job_id = request.app.state.jobs.submit(kind="bulk.verify", principal=principal, work=work,
                                           title=file.filename or "list")
    mark_started(settings, token, job_id)
    return JSONResponse({"token": token, "rows": len(rows), "status_url": f"/api/v1/bulk-verifications/{token}"},
                        status_code=202, headers=headers)


@router.get("/bulk-verifications/{token}", summary="A background list verification: progress, then the receipt")
def list_job(request: Request, db: ReadDB, lang: Lang, token: Annotated[str, Path(max_length=40)],
             format: Format = "json"):
    """Return {status, done, total} while the list is verified, then the receipt (JSON, XLSX or PDF)."""
    settings = request.app.state.settings
    receipt = stored_receipt(settings, token)
    if receipt is not None:
        return _answer(receipt, format, lang, {})
    job = db.get(Job, started_job(settings, token))
    view = request.app.state.jobs.view(job) if job is not None else {"status": "failed", "done": 0, "total": 0}
    if view["status"] in ("failed", "interrupted"):
        raise RuleViolation("bulk.failed")
    return {"status": view["status"], "done": view["done"], "total": view["total"]}


class BulkCheckOut(BaseModel):
    """The verdict on a bulk receipt checked with this instance's keys."""

    valid: bool
    code: str
    message: str
    summary: dict[str, int] | None = None


@router.post("/bulk-receipts/verify", response_model=BulkCheckOut, summary="Check a bulk receipt")
def check_bulk_receipt(request: Request, db: LedgerDB, lang: Lang, receipt: Annotated[dict[str, Any], Body()]):
    """Check a bulk receipt's signature, checkpoint, rows and summary with this instance's keys."""
    try:
        result = verify_bulk_receipt(receipt, credential_keys=credential_verifier_keys(db, request.app.state.settings),
                                     log_keys=log_verifier_keys(db))
    except OfflineCheckError as exc:
        return {"valid": False, "code": exc.code, "message": render(exc.code, lang, **exc.params)}
    summary = render("bulk.summary", lang, **result["summary"])
    return {"valid": True, "code": "bulk_receipt.ok", "message": render("bulk_receipt.ok", lang, summary=summary),
            "summary": result["summary"]}


class QuotaOut(BaseModel):
    """The caller's daily quotas of the open-data API and what it used today (China Standard Time)."""

    subject: str = Field(description="key:<key id>, or ip:<address> for anonymous callers")
    day: str
    limits: dict[str, int] = Field(description="requests and rows per day")
    used: dict[str, int]


@router.get("/quota", response_model=QuotaOut, summary="My open-data quotas and today's use")
def my_quota(request: Request, db: ReadDB, principal: CurrentPrincipal):
    """Return the caller's daily quotas (its API key's, or its address's when anonymous) and today's use."""
    subject = subject_of(principal, client_ip(request))
    day = today_cst()
    return {"subject": subject, "day": day.isoformat(), "limits": limits_for(db, request.app.state.settings, subject),
            "used": usage_of(db, subject, day)}


class KeyQuotaIn(BaseModel):
    """An API key's own daily quotas; null keeps the instance default."""

    requests_per_day: int | None = Field(None, ge=1, le=100_000_000)
    rows_per_day: int | None = Field(None, ge=1, le=100_000_000)


@router.put("/keys/{key_id}/quota", response_model=KeyQuotaIn, summary="Set an API key's daily quotas (admins)")
def put_key_quota(key_id: Annotated[str, Path(min_length=1, max_length=16)], db: WriteDB,
                  principal: AuthedPrincipal, item: KeyQuotaIn):
    """Give an API key its own daily open-data quotas (administrators only)."""
    quota = set_key_quota(db, principal=principal, key_id=key_id, requests_per_day=item.requests_per_day,
                          rows_per_day=item.rows_per_day)
    return {"requests_per_day": quota.requests_per_day, "rows_per_day": quota.rows_per_day}
