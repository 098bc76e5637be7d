"""Who may see a job: the user who started it, and regulators (who oversee every body's work)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from certbridge.errors import NotFound
from certbridge.jobs.models import Job
from certbridge.policy import require_authenticated
from certbridge.principal import Principal


def visible_job(session: Session, *, principal: Principal, job_id: int) -> Job:
    """Return a job the caller may see; anyone else's is simply not there (404)."""
    require_authenticated(principal)
    job = session.get(Job, job_id)
    if job is None or not (principal.is_regulator or (job.user_id is not None and job.user_id == principal.user_id)):
        raise NotFound("job.not_found", id=job_id)
    return job
