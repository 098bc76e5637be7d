"""The supplier-list page: upload a list, watch it being verified, read the answers, download the receipt."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from certbridge.api.deps import current_principal
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import read_session
from certbridge.errors import DomainError, NotFound
from certbridge.jobs.models import FINISHED, Job
from certbridge.opendata.bulk_documents import receipt_pdf, receipt_xlsx, row_cells
from certbridge.opendata.bulk_input import rows_from_file
from certbridge.opendata.bulk_jobs import verification_work
from certbridge.opendata.bulk_store import mark_started, new_token, started_job, stored_receipt
from certbridge.web.csrf import require_csrf
from certbridge.web.i18n import request_language
from certbridge.web.nav import NavEntry, add_nav_entry
from certbridge.web.posted import PostedForm
from certbridge.web.templating import render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
SHOWN_ROWS = 500  # rows listed on the page; the downloads hold all of them


@router.get("/verify-list")
def list_form(request: Request):
    """Show the upload form for a supplier list."""
    return render(request, "bulk/verify_list.html", {"errors": {}})


@router.post("/verify-list")
def submit_list(request: Request, form: PostedForm):
    """Read the uploaded list and verify it in a background job; go to its progress page."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "bulk/verify_list.html",
                      {"errors": {"file": t(request, "Choose a CSV or XLSX file.")}}, status_code=422)
    settings = request.app.state.settings
    data = upload.file.read(settings.import_max_file_bytes + 1)
    try:
        if len(data) > settings.import_max_file_bytes:
            raise DomainError("import.too_large", max_mb=settings.import_max_file_bytes // 2**20)
        rows = rows_from_file(upload.filename, data)
    except DomainError as exc:
        return render(request, "bulk/verify_list.html",
                      {"errors": {"file": exc.message(request_language(request))}}, status_code=422)
    token = new_token()
    principal = current_principal(request)  # anonymous visitors may verify lists too
    work = verification_work(request.app.state.sessions, settings=settings, token=token, rows=rows,
                             list_name=upload.filename)
    job_id = request.app.state.jobs.submit(kind="bulk.verify", principal=principal, work=work, title=upload.filename)
    mark_started(settings, token, job_id)
    return RedirectResponse(f"/verify-list/{token}", status_code=303)


@router.get("/verify-list/{token}")
def list_result(request: Request, token: str):
    """Show a list's progress while it is verified, then its answers and the receipt downloads."""
    settings = request.app.state.settings
    receipt = stored_receipt(settings, token)
    if receipt is None:
        job_id = started_job(settings, token)
        with read_session(request.app.state.sessions) as db:
            job = db.get(Job, job_id)
            if job is None:
                raise NotFound("bulk.not_found", id=token)
            view = request.app.state.jobs.view(job)
        if view["status"] in FINISHED and view["status"] != "succeeded":
            return render(request, "bulk/verify_list.html", {"errors": {}, "failed": True}, status_code=200)
        if view["status"] not in FINISHED:
            return render(request, "bulk/progress.html", {"job": view, "refresh": 2})
        receipt = stored_receipt(settings, token)
        if receipt is None:
            raise NotFound("bulk.not_found", id=token)
    lang = request_language(request)
    rows = [row_cells(r, lang) + [r["outcome"]] for r in receipt["rows"][:SHOWN_ROWS]]
    return render(request, "bulk/result.html", {"receipt": receipt, "rows": rows, "token": token,
                                                "shown": SHOWN_ROWS})


def _finished(request: Request, token: str) -> dict:
    receipt = stored_receipt(request.app.state.settings, token)
    if receipt is None:
        raise NotFound("bulk.not_found", id=token[:40])
    return receipt


@router.get("/verify-list/{token}/receipt.json")
def receipt_json_download(request: Request, token: str):
    """Download the signed receipt as JSON."""
    import json

    data = json.dumps(_finished(request, token), ensure_ascii=False, indent=1).encode("utf-8")
    return Response(data, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="bulk-receipt.json"'})


@router.get("/verify-list/{token}/receipt.xlsx")
def receipt_xlsx_download(request: Request, token: str):
    """Download the answers as a spreadsheet."""
    return Response(receipt_xlsx(_finished(request, token), request_language(request)),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="bulk-receipt.xlsx"'})


@router.get("/verify-list/{token}/receipt.pdf")
def receipt_pdf_download(request: Request, token: str):
    """Download the receipt as a PDF with the signed JSON inside."""
    return Response(receipt_pdf(_finished(request, token)), media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="bulk-receipt.pdf"'})


def install(app: FastAPI) -> None:
    """Mount the supplier-list pages and link them from the header."""
    add_routes(app, router)
    add_nav_entry(NavEntry("/verify-list", "Verify a supplier list", order=40))
