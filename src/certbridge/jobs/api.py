"""GET /api/v1/jobs/{id}: a background job's status, progress and result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Request
from pydantic import BaseModel, Field

from certbridge.api.deps import AuthedPrincipal, ReadDB
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.jobs.access import visible_job

router = APIRouter(prefix="/api/v1", tags=["jobs"], responses=PROBLEM_RESPONSES)


class JobOut(BaseModel):
    """A background job: queued → running → succeeded | failed | interrupted."""

    id: int
    kind: str = Field(description="import.check (a file checked, nothing written), import.run (the import), "
                                  "export.certificates (a body's XLSX export) or credit.recompute")
    status: str = Field(description="queued, running, succeeded, failed or interrupted (the server stopped; "
                                    "nothing of the job was written)")
    title: str = Field(description="What the job works on, e.g. the file name")
    stage: str = Field(description="What the job is doing now")
    done: int = Field(description="Rows done so far")
    total: int = Field(description="Rows in all (0 until known)")
    result: dict[str, Any] | None = Field(description="The outcome once finished: for imports, the import report "
                                                      "with every refused row; for a recompute, `summary` "
                                                      "(entries_added, subjects, class_changes); for an export, "
                                                      "`rows` and `filename` (downloaded from /jobs/{id}/file)")
    error_code: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/jobs/{job_id}", response_model=JobOut, summary="Read a background job's progress and result")
def read_job(job_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, db: ReadDB,
             principal: AuthedPrincipal):
    """Return a job started by the caller (or any job, for regulators), with its live progress."""
    job = visible_job(db, principal=principal, job_id=job_id)
    return request.app.state.jobs.view(job)
