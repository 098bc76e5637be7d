"""POST /api/v1/bulk-verifications: verify a supplier list (JSON rows or a file) and get one signed receipt."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from certbridge.api.deps import Lang
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.errors import InvalidInput
from certbridge.ledger.deps import LedgerDB
from certbridge.opendata.bulk_documents import receipt_pdf, receipt_xlsx
from certbridge.opendata.bulk_input import MAX_SYNC_ROWS, rows_from_file, rows_from_items
from certbridge.opendata.bulk_receipt import build_bulk_receipt
from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt
from certbridge.credentials.service import credential_verifier_keys
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.proofs import log_verifier_keys
from certbridge.i18n.catalog import render

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


def _answer(receipt: dict[str, Any], fmt: str, lang: str) -> Response | dict[str, Any]:
    if fmt == "xlsx":
        return Response(receipt_xlsx(receipt, lang), headers={"Content-Disposition":
                        'attachment; filename="bulk-receipt.xlsx"'},
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt == "pdf":
        return Response(receipt_pdf(receipt), media_type="application/pdf",
                        headers={"Content-Disposition": 'attachment; filename="bulk-receipt.pdf"'})
    return receipt


@router.post("/bulk-verifications", summary="Verify a supplier list (JSON rows) and get a signed receipt")
def verify_list(request: Request, db: LedgerDB, lang: Lang, item: Annotated[ListIn, Body()], format: Format = "json"):
    """Match each row to an organization and its certificates' effective status; sign one receipt for the list."""
    rows = rows_from_items([r.model_dump() for r in item.rows])
    receipt = build_bulk_receipt(db, settings=request.app.state.settings, rows=rows, list_name=item.name)
    return _answer(receipt, format, lang)


@router.post("/bulk-verifications/file", summary="Verify a supplier list file (CSV UTF-8/GBK, XLSX)")
def verify_list_file(request: Request, db: LedgerDB, lang: Lang,
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
    receipt = build_bulk_receipt(db, settings=settings, rows=rows, list_name=file.filename or "")
    return _answer(receipt, format, lang)


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
