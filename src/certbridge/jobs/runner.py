"""The in-process job runner: one worker thread per server process, jobs queued in order, persisted in `job`.

A request that starts long work (a bulk import, its check) records a `job` row and hands the work to the
runner, then answers at once (the page redirects to the job's status). The worker thread runs one job at a time
outside the request thread pool, so reads never wait on it and it never takes a thread a request needs.

* Progress (stage, rows done of total) is kept in memory while a job runs — the job's own transaction may hold
  the SQLite write lock, so it cannot also write progress rows — and the row records the start and the end
  (status, result, error code). `JobRunner.view` merges the two.
* A job's work runs in its own transaction(s), all or nothing: the import commits every row or none.
* Shutdown (`stop`, called by the application's lifespan on SIGTERM): no new job starts, the running one is
  interrupted — between rows by `JobContext.check`, inside a statement by the driver's interrupt/cancel — so
  its transaction rolls back and it is marked `interrupted`. Queued jobs are marked `interrupted` too.
* At start-up, jobs a dead process on this host left `queued`/`running` are marked `interrupted`: a killed
  process's transaction was rolled back by the database, so nothing of them was written.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from certbridge.db import utcnow, write_session
from certbridge.errors import DomainError
from certbridge.jobs.models import FINISHED, Job
from certbridge.principal import Principal

log = logging.getLogger("certbridge.jobs")
STOP_WAIT_SECONDS = 5.0


class JobInterrupted(Exception):
    """The server is stopping: the job gives up, its transaction rolls back."""


class JobsStopping(DomainError):
    """A job submitted while the server stops: refused (503), never queued to be lost."""

    status = 503
    default_code = "job.stopping"


@dataclass
class Outcome:
    """What a job's work returns: its final status, a JSON-able result and, on failure, a message code."""

    status: str = "succeeded"
    result: dict[str, Any] = field(default_factory=dict)
    error_code: str | None = None


class JobContext:
    """Handed to a job's work: report progress, check for interruption, register the connection in use."""

    def __init__(self, runner: JobRunner, job_id: int) -> None:
        self.runner = runner
        self.job_id = job_id
        self._driver = None

    def progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        """Record how far the job got (kept in memory; shown by the status page and API)."""
        self.runner._live[self.job_id] = {"stage": stage[:40], "done": int(done), "total": int(total)}
        self.check()

    def check(self) -> None:
        """Raise JobInterrupted if the server is stopping."""
        if self.runner.stopping.is_set():
            raise JobInterrupted()

    def bind(self, session: Session) -> Session:
        """Remember the session's driver connection, so a shutdown can interrupt the statement it runs."""
        self._driver = session.connection().connection.driver_connection
        return session

    def interrupt(self) -> None:
        """Abort the statement running on the bound connection (SQLite interrupt, PostgreSQL cancel)."""
        driver = self._driver
        if driver is None:
            return
        try:
            (getattr(driver, "interrupt", None) or driver.cancel)()
        except Exception:  # the statement may have just finished; the job sees `stopping` at its next check
            log.debug("could not interrupt job %s", self.job_id, exc_info=True)


Work = Callable[[JobContext], Outcome]


def _runner_name() -> str:
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobRunner:
    """Run submitted jobs one at a time on a daemon thread of this process (see the module docstring)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.name = _runner_name()
        self.stopping = threading.Event()
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._live: dict[int, dict[str, Any]] = {}
        self._current: JobContext | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._pending = 0

    def start(self) -> None:
        """Mark what dead processes left unfinished as interrupted, and start the worker thread."""
        with self._lock:
            if self._thread is not None:
                return
            self.mark_orphans()
            self._thread = threading.Thread(target=self._work_loop, name="certbridge-jobs", daemon=True)
            self._thread.start()

    def mark_orphans(self) -> int:
        """Mark jobs left queued or running by a process of this host that no longer runs; return how many."""
        host = self.name.rsplit(":", 1)[0]
        count = 0
        with write_session(self.sessions) as session:
            for job in session.scalars(select(Job).where(Job.status.in_(("queued", "running")))):
                owner_host, _, pid = job.runner.rpartition(":")
                if owner_host == host and pid.isdigit() and not _pid_alive(int(pid)) or not job.runner:
                    job.status, job.error_code, job.finished_at = "interrupted", "job.interrupted", utcnow()
                    count += 1
        return count

    def submit(self, *, kind: str, principal: Principal, work: Work, title: str = "",
               body_id: int | None = None) -> int:
        """Record a queued job and hand its work to the worker; return the job's id."""
        if self.stopping.is_set():
            raise JobsStopping()
        self.start()
        with write_session(self.sessions) as session:
            job = Job(kind=kind, status="queued", title=title[:200], actor=principal.actor[:120],
                      user_id=principal.user_id, body_id=body_id, runner=self.name, stage="queued", done=0, total=0)
            session.add(job)
            session.flush()
            job_id = job.id
        self._live[job_id] = {"stage": "queued", "done": 0, "total": 0}
        with self._idle:
            self._pending += 1
        self._queue.put((job_id, work))
        return job_id

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until every submitted job has finished; tell whether that happened within `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def view(self, job: Job) -> dict[str, Any]:
        """Return a job's status as shown to users: the row, with live progress if it runs in this process."""
        out = {"id": job.id, "kind": job.kind, "status": job.status, "title": job.title, "stage": job.stage,
               "done": job.done, "total": job.total, "result": job.result, "error_code": job.error_code,
               "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at}
        live = self._live.get(job.id)
        if live is not None and job.status not in FINISHED:
            out.update(live)
        return out

    def stop_soon(self) -> None:
        """Stop taking jobs and interrupt the running one, without waiting (safe in a signal handler).

        `serve` calls this as soon as SIGTERM arrives, so a job holding the SQLite write lock rolls back and
        lets the requests still in flight finish their writes within the grace period.
        """
        self.stopping.set()
        current = self._current
        if current is not None:
            current.interrupt()

    def stop(self, wait_seconds: float = STOP_WAIT_SECONDS) -> None:
        """Stop taking jobs, interrupt the running one, wait a little for it to roll back and be marked."""
        self.stop_soon()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(wait_seconds)

    # --- the worker thread -----------------------------------------------------------------------------------

    def _work_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            job_id, work = item
            try:
                self._run(job_id, work)
            except Exception:  # the row could not be updated; never let the worker die
                log.exception("job %s: could not record its outcome", job_id)
            finally:
                self._done_one()
        while True:  # stopping: what is still queued never starts
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                try:
                    self._finish(item[0], Outcome("interrupted", {}, "job.interrupted"))
                finally:
                    self._done_one()

    def _done_one(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def _run(self, job_id: int, work: Work) -> None:
        if self.stopping.is_set():
            self._finish(job_id, Outcome("interrupted", {}, "job.interrupted"))
            return
        with write_session(self.sessions) as session:
            job = session.get(Job, job_id)
            job.status, job.stage, job.started_at = "running", "running", utcnow()
        ctx = JobContext(self, job_id)
        self._current = ctx
        try:
            outcome = work(ctx)
        except JobInterrupted:
            outcome = Outcome("interrupted", {}, "job.interrupted")
        except Exception:
            if self.stopping.is_set():  # a statement interrupted by the shutdown
                outcome = Outcome("interrupted", {}, "job.interrupted")
            else:
                log.exception("job %s failed", job_id)
                outcome = Outcome("failed", {}, "job.failed")
        finally:
            self._current = None
        self._finish(job_id, outcome)

    def _finish(self, job_id: int, outcome: Outcome) -> None:
        live = self._live.get(job_id, {})
        with write_session(self.sessions) as session:
            job = session.get(Job, job_id)
            job.status, job.result, job.error_code = outcome.status, outcome.result or None, outcome.error_code
            job.stage = outcome.status
            job.done, job.total = live.get("done", 0), live.get("total", 0)
            job.finished_at = utcnow()
        self._live.pop(job_id, None)


def get_job(session: Session, job_id: int) -> Job | None:
    """Return a job by id, or None."""
    return session.get(Job, job_id)


def install(app) -> None:
    """Give the application a job runner, started with it and stopped (interrupting its job) at shutdown."""
    app.state.jobs = JobRunner(app.state.sessions)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application):
        async with inner(application) as state:
            await anyio.to_thread.run_sync(application.state.jobs.start)
            try:
                yield state
            finally:
                await anyio.to_thread.run_sync(application.state.jobs.stop)

    app.router.lifespan_context = lifespan
