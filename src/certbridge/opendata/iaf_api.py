"""IAF CertSearch files over the API: a body's certificates in the upload template, and an import of one."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from certbridge.api.deps import AuthedPrincipal, Lang, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.errors import Forbidden
from certbridge.api.problems import PROBLEM_RESPONSES, PROBLEM_TYPE
from certbridge.certificates.importer import ImportReport, import_certificates
from certbridge.errors import InvalidInput
from certbridge.i18n.catalog import render
from certbridge.kit.tabular import TableError
from certbridge.opendata.iaf import export_iaf_xlsx, iaf_to_import_csv
from certbridge.policy import require_authenticated

router = APIRouter(prefix="/api/v1", tags=["open data"], responses=PROBLEM_RESPONSES)


@router.get("/bodies/{body_id}/certificates/iaf.xlsx", summary="A body's certificates in IAF CertSearch's template",
            response_class=Response, responses={200: {"content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
                    {"schema": {"type": "string", "format": "binary"}}}, "description": "The upload workbook"}})
def iaf_export(body_id: Id, db: ReadDB, principal: AuthedPrincipal):
    """Return the body's certificates as an IAF CertSearch upload workbook (its operators and regulators)."""
    require_authenticated(principal)  # a read: a read-only key of the body or of a regulator may fetch it
    if not principal.is_regulator and (principal.role != "cb_operator" or principal.body_id != body_id):
        raise Forbidden("auth.other_body" if principal.role == "cb_operator" else "auth.cb_only")
    data = export_iaf_xlsx(db, body_id=body_id, on=date.today())
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="iaf-certsearch.xlsx"'})


@router.post("/bodies/{body_id}/certificates/import-iaf", response_model=ImportReport,
             summary="Import an IAF CertSearch upload file")
def iaf_import(request: Request, body_id: Id, db: WriteDB, principal: AuthedPrincipal, lang: Lang,
               file: Annotated[UploadFile, File(description="IAF CertSearch certification template (XLSX or CSV)")],
               dry_run: Annotated[bool, Query(description="Validate and report without writing")] = False):
    """Translate an IAF CertSearch file (USCC from Certified Entity Unique ID, ISO standards) and import it."""
    settings = request.app.state.settings
    data = file.file.read(settings.import_max_file_bytes + 1)
    if len(data) > settings.import_max_file_bytes:
        raise InvalidInput("import.too_large", field="file", max_mb=settings.import_max_file_bytes // 2**20)
    try:
        translated = iaf_to_import_csv(file.filename or "iaf.xlsx", data)
    except TableError as exc:
        raise InvalidInput(exc.code, field="file", **exc.params) from None
    report = import_certificates(db, principal=principal, body_id=body_id, filename=f"{file.filename or 'iaf'}.csv",
                                 data=translated, dry_run=dry_run, lang=lang, max_bytes=settings.import_max_file_bytes,
                                 limits=settings.import_limits())
    if dry_run or report.errors:
        db.rollback()
    if report.errors:
        body = report.model_dump(mode="json")
        body.update(type=PROBLEM_TYPE + "import.rejected", title=render("title.422", lang), status=422,
                    code="import.rejected", detail=render("import.rejected", lang, count=len(report.errors)))
        return JSONResponse(body, status_code=422, media_type="application/problem+json")
    return report
