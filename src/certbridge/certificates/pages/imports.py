"""Certification-body console: bulk upload with a row-by-row preview before anything is written.

The check and the import run as background jobs (certificates/pages/import_jobs.py); these handlers only start them.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.certificates.importer import COLUMN_ALIASES, ImportReport
from certbridge.certificates.pages import forms as cb_forms
from certbridge.certificates.pages import sample as cb_sample
from certbridge.certificates.pages.import_jobs import check_work, run_work
from certbridge.certificates.uploads import staged_upload
from certbridge.db import read_session
from certbridge.i18n.catalog import render as render_message
from certbridge.jobs.access import visible_job
from certbridge.jobs.models import FINISHED
from certbridge.kit.spreadsheet import write_csv_bytes
from certbridge.policy import require_body_operator
from certbridge.web.csrf import live_session_id, require_csrf
from certbridge.web.guards import cb_operator
from certbridge.web.i18n import request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
REFRESH_SECONDS = 1  # how often a job's page reloads itself while the job runs


def _columns() -> list[tuple[str, str]]:
    return [(name, " / ".join(aliases)) for name, aliases in COLUMN_ALIASES.items()]


def _field_labels(lang: str) -> dict[str, str]:
    labels = cb_forms.labels(lang, 1)  # the importer names fields "holder.uscc", "audits.0.start_on" …
    return {**labels, **{k.replace("[0]", ".0"): v for k, v in labels.items()},
            "auditors": labels["audits[0].auditors"]}


def _report_rows(report: ImportReport, lang: str) -> list[dict]:
    labels = _field_labels(lang)
    grouped: dict[int, list[dict]] = {}
    for err in report.errors:
        field = err.field or next((f for prefix, f in cb_forms.CODE_FIELDS.items() if err.code.startswith(prefix)), "")
        label = labels.get(field, field)
        message = err.message
        if err.code in ("validation.missing", "validation.string_too_short", "field.required") and field in labels:
            message = render_message("field.required", lang, field=label)  # every required text needs 1+ char
        grouped.setdefault(err.row, []).append({"field": label, "message": message})
    return [{"row": row, "problems": problems} for row, problems in sorted(grouped.items())]


def _refusal_status(report: ImportReport) -> int:
    # A file over the size limit is 413 (Content Too Large); every other refusal is 422.
    return 413 if any(err.code == "import.too_large" for err in report.errors) else 422


@router.get("/cb/import")
def import_form(request: Request):
    """Show the upload form and the columns a file may have."""
    cb_operator(request)
    return render(request, "cb/import.html", {"columns": _columns(), "report": None})


@router.get("/cb/import/sample.csv")
def sample_csv(request: Request, db: ReadDB):
    """Download a sample CSV with our column names and one row this body can import as it is."""
    principal = cb_operator(request)
    row = cb_sample.sample_row(db, principal.body_id)
    return Response(write_csv_bytes(cb_sample.COLUMNS, [row]), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="certificates-sample.csv"'})


@router.post("/cb/import")
def preview(request: Request, form: PostedForm):
    """Check every row of an uploaded file in a background job (nothing written); show its progress, then the report."""
    principal = cb_operator(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "cb/import.html", {"columns": _columns(), "report": None,
                                                  "errors": {"file": t(request, "Choose a CSV, XLSX or JSON file.")}},
                      status_code=422)
    require_body_operator(principal, principal.body_id)  # refused now (a read-only key), not later in the job
    settings = request.app.state.settings
    data = upload.file.read(settings.import_max_file_bytes + 1)  # spooled by the form parser; read in this thread
    work = check_work(request.app.state.sessions, principal=principal, session_id=live_session_id(request),
                      filename=upload.filename, data=data, lang=request_language(request),
                      max_bytes=settings.import_max_file_bytes, limits=settings.import_limits())
    job_id = request.app.state.jobs.submit(kind="import.check", principal=principal, work=work,
                                           title=upload.filename, body_id=principal.body_id)
    return RedirectResponse(f"/cb/import/jobs/{job_id}", status_code=303)


@router.post("/cb/import/{upload_id}")
def confirm(request: Request, upload_id: Id):
    """Import the checked file for real in a background job (all rows or none); show its progress."""
    principal = cb_operator(request)
    session_id = live_session_id(request)
    with read_session(request.app.state.sessions) as db:  # a file that is not there is refused now, not in the job
        upload = staged_upload(db, principal=principal, session_id=session_id, upload_id=upload_id)
        filename = upload.filename
    require_body_operator(principal, principal.body_id)
    work = run_work(request.app.state.sessions, principal=principal, session_id=session_id, upload_id=upload_id,
                    lang=request_language(request), max_bytes=request.app.state.settings.import_max_file_bytes,
                    limits=request.app.state.settings.import_limits())
    job_id = request.app.state.jobs.submit(kind="import.run", principal=principal, work=work, title=filename,
                                           body_id=principal.body_id)
    return RedirectResponse(f"/cb/import/jobs/{job_id}", status_code=303)


def _rows(result: dict | None, lang: str) -> tuple[ImportReport | None, list]:
    if not result or "report" not in result:
        return None, []
    report = ImportReport.model_validate(result["report"])
    return report, _report_rows(report, lang)


@router.get("/cb/import/jobs/{job_id}")
def job_page(request: Request, job_id: Id) -> Response:
    """Show an upload's job: its progress while it runs, then the report (and the confirmation, or the result)."""
    principal = cb_operator(request)
    with read_session(request.app.state.sessions) as db:
        job = visible_job(db, principal=principal, job_id=job_id)
        view = request.app.state.jobs.view(job)
    if view["status"] not in FINISHED:
        return render(request, "cb/import_job.html", {"job": view, "refresh": REFRESH_SECONDS})
    report, rows = _rows(view["result"], request_language(request))
    if view["kind"] == "import.run" and view["status"] == "succeeded" and report is not None:
        return redirect(request, "/cb", flash=t(request, "Imported %(created)s new certificate(s); %(unchanged)s "
                                                         "were already registered unchanged.",
                                                created=report.created, unchanged=report.unchanged))
    return render(request, "cb/import.html", {
        "columns": _columns(), "report": report, "rows": rows, "job": view,
        "upload_id": (view["result"] or {}).get("upload_id") if view["kind"] == "import.check" else None,
    }, status_code=200 if view["status"] == "succeeded" else _refusal_status(report) if report else 422)
