"""Bulk upload as background jobs: the check of a file and its import run on the job runner, never in a request.

`POST /cb/import` starts an `import.check` job (every row checked in a transaction that is rolled back; a clean
file is staged for confirmation) and `POST /cb/import/{upload_id}` an `import.run` job (all rows or none); both
redirect to `/cb/import/jobs/{id}` (certificates/pages/imports.py), which shows the progress while the job runs
(the page refreshes itself) and the report when it is done. Public reads never wait on either: the job runs on its own thread, and a reader on
SQLite's WAL or PostgreSQL never waits for a writer.
"""

from __future__ import annotations

from certbridge.certificates.importer import ImportReport, import_certificates
from certbridge.db import write_session
from certbridge.jobs.runner import JobContext, Outcome
from certbridge.kit.tabular import TableLimits
from certbridge.principal import Principal
from certbridge.certificates.uploads import discard_upload, stage_upload, staged_upload


def _outcome(report: ImportReport, **extra) -> Outcome:
    result = {"report": report.model_dump(mode="json"), **extra}
    if report.errors:
        return Outcome("failed", result, "import.rejected")
    return Outcome("succeeded", result)


def check_work(sessions, *, principal: Principal, session_id: int, filename: str, data: bytes, lang: str,
               max_bytes: int, limits: TableLimits | None = None):
    """Return the work of an `import.check` job: every row checked, nothing written; a clean file staged."""

    def work(ctx: JobContext) -> Outcome:
        db = sessions()
        try:
            if db.get_bind().dialect.name == "sqlite":  # a rehearsal: the services run, then everything rolls back
                db.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            ctx.bind(db)
            report = import_certificates(db, principal=principal, body_id=principal.body_id, filename=filename,
                                         data=data, dry_run=True, lang=lang, max_bytes=max_bytes, limits=limits,
                                         progress=ctx.progress)
        finally:
            db.rollback()
            db.close()
        staged = None
        if not report.errors and report.rows:
            ctx.check()
            with write_session(sessions) as wdb:
                staged = stage_upload(wdb, principal=principal, session_id=session_id, body_id=principal.body_id,
                                      filename=filename, data=data, rows=report.rows).id
        return _outcome(report, upload_id=staged)

    return work


class _Refused(Exception):
    """Raised inside the import transaction so that a file with errors writes nothing."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import refused")
        self.report = report


def run_work(sessions, *, principal: Principal, session_id: int | None, upload_id: int, lang: str, max_bytes: int,
             limits: TableLimits | None = None):
    """Return the work of an `import.run` job: the staged file imported in one transaction, all rows or none."""

    def work(ctx: JobContext) -> Outcome:
        try:
            with write_session(sessions) as wdb:
                ctx.bind(wdb)
                upload = staged_upload(wdb, principal=principal, session_id=session_id, upload_id=upload_id)
                report = import_certificates(wdb, principal=principal, body_id=principal.body_id,
                                             filename=upload.filename, data=upload.data, lang=lang,
                                             max_bytes=max_bytes, limits=limits, progress=ctx.progress)
                if report.errors:
                    raise _Refused(report)
                ctx.check()  # the last moment to give up: after this, the commit
                discard_upload(wdb, principal=principal, upload=upload)
        except _Refused as refused:
            # The data changed since the check (e.g. a number was taken meanwhile): say why, write nothing.
            return _outcome(refused.report)
        return _outcome(report)

    return work
