"""The page of a background job (export, recompute): its progress while it runs, then its result or download.

`GET /jobs/{id}` refreshes itself while the job runs; once it succeeded it shows the counts the job reported
(`result["summary"]`) and, for a job that wrote a file (`result["file"]`), a download link to
`GET /jobs/{id}/file`. Both follow the job's access rule (jobs/access.py): the user who started it, or a
regulator; anyone else gets 404. A capability describes its kinds with `describe_kind` (title, where to go back,
labels of the summary's counts). Bulk-upload jobs keep their own page (/cb/import/jobs/{id}) with the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from certbridge.api.params import Id
from certbridge.api.routing import APIRouter, add_routes
from certbridge.db import read_session
from certbridge.errors import NotFound
from certbridge.jobs.access import visible_job
from certbridge.jobs.files import find_result
from certbridge.jobs.models import FINISHED
from certbridge.web.guards import signed_in
from certbridge.web.i18n import N_, gettext
from certbridge.web.i18n import request_language
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 1  # how often a running job's page reloads itself


@dataclass(frozen=True)
class JobKind:
    """How a kind of job is shown: its title (a msgid with %(title)s), where to go back, its counts' labels."""

    title: str
    back: str = "/"
    back_label: str = N_("Back")
    labels: dict[str, str] = field(default_factory=dict)


KINDS: dict[str, JobKind] = {}


def describe_kind(kind: str, job_kind: JobKind) -> None:
    """Say how the job page shows jobs of `kind` (called by the capability's install)."""
    KINDS[kind] = job_kind


def _view(request: Request, job_id: int) -> dict:
    principal = signed_in(request)
    with read_session(request.app.state.sessions) as db:
        job = visible_job(db, principal=principal, job_id=job_id)
        return request.app.state.jobs.view(job)


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: Id) -> Response:
    """Show a job: its progress while it runs (the page refreshes itself), then its outcome."""
    view = _view(request, job_id)
    lang = request_language(request)
    kind = KINDS.get(view["kind"], JobKind(title=N_("Background job %(title)s")))
    result = view["result"] or {}
    summary = [(gettext(lang, kind.labels.get(key, key)), value)
               for key, value in (result.get("summary") or {}).items()]
    running = view["status"] not in FINISHED
    has_file = view["status"] == "succeeded" and find_result(request.app.state.settings.data_dir,
                                                             result.get("file")) is not None
    return render(request, "jobs/job.html", {
        "job": view, "heading": gettext(lang, kind.title, title=view["title"]), "back": kind.back,
        "back_label": gettext(lang, kind.back_label), "summary": summary, "running": running,
        "refresh": REFRESH_SECONDS if running else None, "has_file": has_file,
        "expired": view["status"] == "succeeded" and bool(result.get("file")) and not has_file,
        "filename": result.get("filename"), "rows": result.get("rows"),
    })


@router.get("/jobs/{job_id}/file")
def job_file(request: Request, job_id: Id) -> Response:
    """Download the file a finished job wrote (an export), under the name it was given."""
    view = _view(request, job_id)
    result = view["result"] or {}
    path = find_result(request.app.state.settings.data_dir, result.get("file")) if view["status"] == "succeeded" \
        else None
    if path is None:
        raise NotFound("job.no_file", id=job_id)
    return FileResponse(path, media_type=result.get("media_type") or "application/octet-stream",
                        filename=result.get("filename") or path.name, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Mount the job pages."""
    add_routes(app, router)
