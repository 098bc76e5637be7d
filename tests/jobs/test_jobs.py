"""Background jobs and writer slots, as a user of the server notices them.

- A job's progress is visible while it runs (API and page), then its result; only its starter (and regulators)
  may see it.
- Stopping the server interrupts a running import: its transaction rolls back (nothing of the file is written)
  and the job says `interrupted`.
- When every writer slot is taken, a write is answered 503 `request.busy` with Retry-After within the bound,
  while reads keep being answered.
"""

from __future__ import annotations

import threading
import time

import anyio
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from certbridge.app import create_app
from certbridge.auth.models import User
from certbridge.auth.service import principal_for
from certbridge.certificates import importer
from certbridge.certificates.importer import import_certificates
from certbridge.certificates.models import Certificate
from certbridge.db import read_session, write_session
from certbridge.errors import DomainError
from certbridge.jobs.models import Job
from certbridge.jobs.runner import JobContext, Outcome
from certbridge.settings import Settings
from tests.reliability.test_crash_import import import_file


def _operator(sessions, world):
    with read_session(sessions) as db:
        return principal_for(db.get(User, world.ids["user_cb_a"]))


def _certificates(sessions) -> int:
    with read_session(sessions) as db:
        return db.scalar(select(func.count()).select_from(Certificate))


def test_a_jobs_progress_then_its_result_are_shown_to_its_starter_only(client, app, world):
    runner, gate = app.state.jobs, threading.Event()

    def work(ctx: JobContext) -> Outcome:
        ctx.progress("checking", 40, 100)
        assert gate.wait(30)
        return Outcome("succeeded", {"report": None, "rows": 100})

    job_id = runner.submit(kind="import.check", principal=_operator(app.state.sessions, world), work=work,
                           title="many.csv", body_id=world.ids["body_a"])
    deadline = time.monotonic() + 30
    while (seen := client.get(f"/api/v1/jobs/{job_id}", headers=world.auth("cb_a")).json())["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert (seen["stage"], seen["done"], seen["total"], seen["title"]) == ("checking", 40, 100, "many.csv")
    assert client.get(f"/api/v1/jobs/{job_id}", headers=world.auth("cb_b")).status_code == 404
    assert client.get(f"/api/v1/jobs/{job_id}").status_code == 401
    gate.set()
    assert runner.wait_idle(30)
    done = client.get(f"/api/v1/jobs/{job_id}", headers=world.auth("regulator")).json()
    assert done["status"] == "succeeded" and done["result"] == {"report": None, "rows": 100}
    assert done["finished_at"] is not None


def test_stopping_interrupts_a_running_import_and_nothing_of_it_is_written(app, world, tmp_path, monkeypatch):
    sessions, runner = app.state.sessions, app.state.jobs
    path = import_file(tmp_path, 300, 5, taken=set(world.uscc.values()))
    operator, before = _operator(sessions, world), _certificates(sessions)
    writing = threading.Event()

    def work(ctx: JobContext) -> Outcome:
        def progress(stage: str, done: int, total: int) -> None:
            if stage == "writing" and done:  # rows written in the transaction: hold here until the stop comes
                writing.set()
                while True:
                    ctx.progress(stage, done, total)  # raises once the server stops
                    time.sleep(0.01)

        with write_session(sessions) as db:
            ctx.bind(db)
            import_certificates(db, principal=operator, body_id=world.ids["body_a"], filename=path.name,
                                data=path.read_bytes(), progress=progress)
        return Outcome()

    # The set-wise fast path writes the whole file in one call; take the row-by-row path (what it falls back to)
    # so the stop comes with rows already written in the job's transaction.
    def no_fast_path(*args, **kwargs):
        raise DomainError("import.fast_path_declined")

    monkeypatch.setattr(importer, "issue_drafts", no_fast_path)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 50)  # a progress report after 50 rows are written
    job_id = runner.submit(kind="import.run", principal=operator, work=work, title=path.name)
    assert writing.wait(60), "the import never started writing"
    runner.stop(10)
    with read_session(sessions) as db:
        job = db.get(Job, job_id)
        assert (job.status, job.error_code) == ("interrupted", "job.interrupted")
    assert _certificates(sessions) == before


def test_a_write_that_finds_every_slot_taken_is_answered_busy_while_reads_go_on(database_url, tmp_path, world,
                                                                               monkeypatch):
    # The refusal's audit record waits for a slot too, after the answer has left; a test client only returns
    # when the application is done, so that wait is shortened here to see the answer's own timing.
    monkeypatch.setattr("certbridge.audit.middleware.AUDIT_WAIT_SECONDS", 0.5)
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, secret_key="test-secret-key",
                        writer_slots=1, write_wait_seconds=0.3)
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            held, release = threading.Event(), threading.Event()

            async def hold_the_slot():
                async with app.state.writer_gate.slot():
                    held.set()
                    while not release.is_set():
                        await anyio.sleep(0.01)

            client.portal.start_task_soon(hold_the_slot)
            assert held.wait(10)
            started = time.monotonic()
            busy = client.post("/api/v1/certificates/1/suspend", json={"reason": "x"}, headers=world.auth("cb_a"))
            waited = time.monotonic() - started
            read = client.get("/api/v1/schemes")
            release.set()
            assert busy.status_code == 503 and busy.json()["code"] == "request.busy", busy.text
            assert busy.headers["retry-after"].isdigit()
            assert 0.3 <= waited < 3  # the bound (0.3 s), plus the audit record's shortened wait
            assert read.status_code == 200
            freed = client.post("/api/v1/certificates/1/suspend", json={"reason": "x"}, headers=world.auth("cb_a"))
            assert freed.status_code != 503
    finally:
        app.state.engine.dispose()
