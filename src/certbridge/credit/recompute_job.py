"""The credit recompute as a background job: started from the regulator console or the API, never run in a request.

The job reads new events into credit entries, then rescores the subjects a chunk at a time, each chunk in its own
short write transaction (with its class-change events), so writers wait at most one chunk for the write lock,
and finally records `credit.recomputed` with what it did. Rescoring is idempotent: a job interrupted between
chunks leaves every subject either rescored or as it was, and the next recompute finishes the work.
"""

from __future__ import annotations

from datetime import date

from certbridge.credit.scoring import record_recomputed, recompute_subjects, rescore
from certbridge.db import write_session
from certbridge.jobs.runner import JobContext, Outcome, Work
from certbridge.principal import Principal

KIND = "credit.recompute"
CHUNK = 500


def recompute_work(sessions, *, principal: Principal, subject_type: str | None = None,
                   subject_id: int | None = None, chunk: int = CHUNK) -> Work:
    """Return the work of a recompute job: the summary (entries added, subjects, class changes) as its result."""

    def work(ctx: JobContext) -> Outcome:
        today = date.today()
        ctx.progress("reading")
        with write_session(sessions) as db:
            ctx.bind(db)
            subjects, added = recompute_subjects(db, today=today, subject_type=subject_type, subject_id=subject_id)
        changes = 0
        ctx.progress("rescoring", 0, len(subjects))
        for start in range(0, len(subjects), chunk):
            with write_session(sessions) as db:
                ctx.bind(db)
                changes += rescore(db, principal=principal, subjects=subjects[start:start + chunk], today=today)
            ctx.progress("rescoring", min(start + chunk, len(subjects)), len(subjects))
        summary = {"entries_added": added, "subjects": len(subjects), "class_changes": changes}
        with write_session(sessions) as db:
            record_recomputed(db, principal=principal, today=today, summary=summary)
        return Outcome("succeeded", {"summary": summary})

    return work
