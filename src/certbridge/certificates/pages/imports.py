"""Certification-body console: bulk upload with a row-by-row preview before anything is written."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.certificates.importer import COLUMN_ALIASES, ImportReport, import_certificates
from certbridge.certificates.pages import forms as cb_forms
from certbridge.certificates.pages import sample as cb_sample
from certbridge.certificates.uploads import discard_upload, stage_upload, staged_upload
from certbridge.db import write_session
from certbridge.i18n.catalog import render as render_message
from certbridge.kit.spreadsheet import write_csv_bytes
from certbridge.web.csrf import live_session_id, require_csrf
from certbridge.web.guards import cb_operator, rehearsal
from certbridge.web.i18n import request_language
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


class _Refused(Exception):
    """Raised inside the import transaction so that a file with errors writes nothing."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import refused")
        self.report = report


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
async def preview(request: Request):
    """Check every row of an uploaded file without writing anything, and keep a clean file for confirmation."""
    principal = cb_operator(request)
    lang = request_language(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return render(request, "cb/import.html", {"columns": _columns(), "report": None,
                                                  "errors": {"file": t(request, "Choose a CSV, XLSX or JSON file.")}},
                      status_code=422)
    settings = request.app.state.settings
    data = await upload.read(settings.import_max_file_bytes + 1)
    filename = upload.filename
    with rehearsal(request) as rdb:
        report = import_certificates(rdb, principal=principal, body_id=principal.body_id, filename=filename,
                                     data=data, dry_run=True, lang=lang, max_bytes=settings.import_max_file_bytes,
                                     limits=settings.import_limits())
    staged = None
    if not report.errors and report.rows:
        with write_session(request.app.state.sessions) as wdb:
            staged = stage_upload(wdb, principal=principal, session_id=live_session_id(request),
                                  body_id=principal.body_id, filename=filename, data=data, rows=report.rows).id
    return render(request, "cb/import.html", {
        "columns": _columns(), "report": report, "rows": _report_rows(report, lang), "upload_id": staged,
    }, status_code=_refusal_status(report) if report.errors else 200)


@router.post("/cb/import/{upload_id}")
async def confirm(request: Request, upload_id: Id):
    """Import the previewed file for real: all rows or none."""
    principal = cb_operator(request)
    lang = request_language(request)
    try:
        with write_session(request.app.state.sessions) as wdb:
            upload = staged_upload(wdb, principal=principal, session_id=live_session_id(request),
                                   upload_id=upload_id)
            settings = request.app.state.settings
            report = import_certificates(wdb, principal=principal, body_id=principal.body_id,
                                         filename=upload.filename, data=upload.data, lang=lang,
                                         max_bytes=settings.import_max_file_bytes, limits=settings.import_limits())
            if report.errors:
                raise _Refused(report)
            discard_upload(wdb, principal=principal, upload=upload)
    except _Refused as refused:
        # The data changed since the preview (e.g. a number was taken meanwhile): show why, write nothing.
        return render(request, "cb/import.html", {"columns": _columns(), "report": refused.report,
                                                  "rows": _report_rows(refused.report, lang), "upload_id": None},
                      status_code=422)
    return redirect(request, "/cb", flash=t(request, "Imported %(created)s new certificate(s); %(unchanged)s were "
                                                     "already registered unchanged.", created=report.created,
                                            unchanged=report.unchanged))
