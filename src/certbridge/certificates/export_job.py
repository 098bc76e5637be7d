"""A body's certificate export as a background job: the XLSX is written by the job runner, never in a request.

`POST /cb/export` (certificates/pages/console.py) starts an `export.certificates` job and redirects to the job
page (/jobs/{id}), which shows the rows written while it runs and a download link when it is done. The export
reads in its own read transaction (a reader never waits for a writer on SQLite's WAL or PostgreSQL), so it takes
no writer slot and no request thread, however big the body's register is.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from certbridge.certificates.export import export_certificates
from certbridge.certificates.models import Certificate
from certbridge.db import read_session
from certbridge.jobs.files import final_name, result_file, sweep_old
from certbridge.jobs.runner import JobContext, Outcome, Work

KIND = "export.certificates"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_work(sessions, data_dir: Path, *, body_id: int, body_code: str) -> Work:
    """Return the work of an export job: every certificate of the body as an XLSX file kept with the job."""

    def work(ctx: JobContext) -> Outcome:
        sweep_old(data_dir)
        with read_session(sessions) as db:
            total = db.scalar(select(func.count()).select_from(Certificate).where(Certificate.body_id == body_id))
            ctx.progress("exporting", 0, total or 0)
            with result_file(data_dir, ctx.job_id, ".xlsx") as partial:
                count = export_certificates(db, partial, body_id=body_id, suffix=".xlsx",
                                            progress=lambda done: ctx.progress("exporting", done, total or 0))
                ctx.progress("exporting", count, total or 0)
        return Outcome("succeeded", {
            "file": final_name(partial), "media_type": XLSX, "rows": count,
            "filename": f"certificates-{body_code}-{date.today().isoformat()}.xlsx"})

    return work
