"""The issue #16 reproduction: a few anonymous requests must never freeze the server.

A real `certbridge serve` process on this test's database (loopback, a free port). Four clients loop on an
anonymous `POST /api/v1/certificates/8/suspend` (refused, but audited) and two on a failed `POST /login` with a
valid CSRF token, while a reader asks `GET /api/v1/schemes` every 100 ms. Before the fix the sign-in wrote to
SQLite on the event loop and deadlocked against the other writers: the reads got no answer for minutes and the
process ignored SIGTERM. Every read must now be answered within READ_BOUND seconds, nothing may answer a 5xx
other than an explicit 503 `request.busy`, and SIGTERM must end the process within a few seconds.
"""

from __future__ import annotations

import re
import signal
import threading
import time

import httpx

from tests.reliability.conftest import assert_database_sound
from tests.reliability.test_crash_import import PREFIX, import_file
from tests.world import PASSWORD

READ_BOUND = 2.0
LOAD_SECONDS = 8.0
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Outcomes:
    """What every client got: read latencies and any answer no client should ever see."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reads: list[float] = []
        self.bad: list[str] = []
        self.writes = 0

    def answer(self, what: str, response: httpx.Response) -> None:
        with self.lock:
            self.writes += 1
            if response.status_code >= 500 and not (response.status_code == 503
                                                     and "request.busy" in response.text):
                self.bad.append(f"{what}: {response.status_code} {response.text[:200]}")

    def failure(self, what: str, exc: BaseException) -> None:
        with self.lock:
            self.bad.append(f"{what}: {type(exc).__name__} {exc}")


def _loop(stop: threading.Event, what: str, outcomes: Outcomes, send) -> None:
    while not stop.is_set():
        try:
            outcomes.answer(what, send())
        except httpx.HTTPError as exc:
            outcomes.failure(what, exc)


def anonymous_suspends(url: str, stop: threading.Event, outcomes: Outcomes) -> None:
    """Loop on an anonymous suspension (refused with 401, and audited)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        _loop(stop, "anonymous suspend", outcomes,
              lambda: client.post("/api/v1/certificates/8/suspend", json={"reason": "冻结测试"}))


def failed_sign_ins(url: str, stop: threading.Event, outcomes: Outcomes) -> None:
    """Loop on a sign-in with a valid CSRF token and a wrong password."""
    with httpx.Client(base_url=url, timeout=30) as client:
        try:
            token = TOKEN.search(client.get("/login").text).group(1)
        except httpx.HTTPError as exc:
            outcomes.failure("sign-in form", exc)
            return
        _loop(stop, "failed sign-in", outcomes,
              lambda: client.post("/login", data={"username": "cb_a", "password": "wrong", "csrf_token": token}))


def read_while(url: str, stop: threading.Event, outcomes: Outcomes, path: str = "/api/v1/schemes") -> None:
    """Ask for a public list every 100 ms; keep each latency (a timeout counts as the whole wait)."""
    with httpx.Client(base_url=url, timeout=READ_BOUND * 5) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = client.get(path)
                if response.status_code != 200:
                    outcomes.failure("public read", AssertionError(f"{response.status_code} {response.text[:200]}"))
            except httpx.HTTPError as exc:
                outcomes.failure("public read", exc)
            with outcomes.lock:
                outcomes.reads.append(time.monotonic() - started)
            time.sleep(0.1)


def run_load(url: str, seconds: float, extra=(), until=None, at_most: float = 0) -> Outcomes:
    """Run the reproduction's clients (plus any `extra` callables of (url, stop, outcomes)) for `seconds`.

    With `until`, keep going past `seconds` until it returns True (at most `at_most` seconds in all).
    """
    outcomes, stop = Outcomes(), threading.Event()
    workers = [*(anonymous_suspends,) * 4, *(failed_sign_ins,) * 2, read_while, *extra]
    threads = [threading.Thread(target=w, args=(url, stop, outcomes), daemon=True) for w in workers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    while until is not None and not until() and time.monotonic() - started < at_most:
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client is still waiting for an answer a minute later"
    return outcomes


def stop_with_sigterm(server, within: float = 10.0) -> float:
    """Send SIGTERM and return how long the process took to exit (fails past `within`)."""
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(timeout=within)
    except Exception:
        raise AssertionError(f"the server ignored SIGTERM for {within} s") from None
    # uvicorn shuts down, then re-raises the signal it caught, so a clean stop ends "killed by SIGTERM" (or 0)
    assert code in (0, -signal.SIGTERM), f"the server exited with {code} on SIGTERM"
    logs = "".join(p.read_text(errors="replace") for p in server.instance.data_dir.glob("serve-*.log"))
    assert "Traceback" not in logs, logs[-3000:]
    return time.monotonic() - started


def test_anonymous_writes_and_failed_sign_ins_never_freeze_public_reads(servers, instance):
    instance.env["CERTBRIDGE_RATE_LIMIT_ENABLED"] = "false"  # every attempt reaches the application
    server = servers().start()
    outcomes = run_load(server.url, LOAD_SECONDS)
    assert outcomes.bad == []
    assert outcomes.writes > 20, "the writers barely ran: the load proves nothing"
    assert len(outcomes.reads) >= 10
    assert max(outcomes.reads) < READ_BOUND, sorted(outcomes.reads)[-5:]
    stop_with_sigterm(server)


# --- the load test: anonymous writes, failed sign-ins and a bulk import through the web, with public reads ---

IMPORT_ROWS = 2000
JOB = re.compile(r"/cb/import/jobs/(\d+)")


class Importer:
    """A certification-body operator who signs in and imports a file through the console's background jobs."""

    def __init__(self, url: str, path, outcomes: Outcomes) -> None:
        self.url, self.path, self.outcomes = url, path, outcomes
        self.final: str | None = None  # where the import's job page led in the end
        self.seconds: float | None = None

    def _follow(self, client: httpx.Client, response: httpx.Response, deadline: float) -> httpx.Response:
        assert response.status_code == 303 and JOB.search(response.headers["location"]), response.text[:300]
        while True:
            page = client.get(response.headers["location"])
            if 'id="job-progress"' not in page.text:
                return page
            assert time.monotonic() < deadline, "the import job did not finish in time"
            time.sleep(0.2)

    def __call__(self, url: str, stop: threading.Event, outcomes: Outcomes) -> None:
        started = time.monotonic()
        deadline = started + 240
        try:
            with httpx.Client(base_url=url, timeout=30) as client:
                token = TOKEN.search(client.get("/login").text).group(1)
                signed = client.post("/login", data={"username": "cb_a", "password": PASSWORD, "csrf_token": token})
                assert signed.status_code == 303, signed.text[:300]
                token = TOKEN.search(client.get("/cb/import").text).group(1)
                with open(self.path, "rb") as fh:
                    sent = client.post("/cb/import", data={"csrf_token": token},
                                       files={"file": ("load.csv", fh.read(), "text/csv")})
                checked = self._follow(client, sent, deadline)
                action = re.search(r'action="(/cb/import/\d+)"', checked.text)
                assert action, checked.text[-2000:]
                run = client.post(action.group(1), data={"csrf_token": TOKEN.search(checked.text).group(1)})
                done = self._follow(client, run, deadline)
                assert done.status_code == 303, done.text[-2000:]
                self.final = done.headers["location"]
        except (AssertionError, httpx.HTTPError) as exc:
            outcomes.failure("import", exc)
        self.seconds = time.monotonic() - started


def count_imported(instance) -> int:
    """Count the load file's certificates in the database."""
    from sqlalchemy import text

    engine = instance.engine()
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM certificate WHERE number LIKE :p"),
                                {"p": PREFIX + "%"}).scalar()
    finally:
        engine.dispose()


def test_load_every_public_read_answers_in_time_while_writers_and_an_import_run(servers, instance, world, tmp_path):
    instance.env["CERTBRIDGE_RATE_LIMIT_ENABLED"] = "false"
    server = servers().start()
    path = import_file(tmp_path, IMPORT_ROWS, 16, taken=set(world.uscc.values()))
    importer = Importer(server.url, path, None)
    extra = (importer, lambda u, s, o: read_while(u, s, o, "/api/v1/certificates?q=北海市"),
             lambda u, s, o: read_while(u, s, o, f"/api/v1/verify?number={PREFIX}000001R0M"))
    started = time.monotonic()
    outcomes = run_load(server.url, LOAD_SECONDS, extra=extra, until=lambda: importer.seconds is not None,
                        at_most=240)
    assert outcomes.bad == [], outcomes.bad[:10]
    assert importer.final == "/cb", "the import did not end on the console"
    assert count_imported(instance) == IMPORT_ROWS  # all of the file, once
    assert len(outcomes.reads) >= 30 and outcomes.writes > 20
    assert max(outcomes.reads) < READ_BOUND, sorted(outcomes.reads)[-5:]
    print(f"\nload: {len(outcomes.reads)} reads, slowest {max(outcomes.reads):.3f} s; {outcomes.writes} writes; "
          f"import of {IMPORT_ROWS} rows in {importer.seconds:.1f} s; {time.monotonic() - started:.1f} s in all")
    stop_with_sigterm(server)
    assert_database_sound(instance)


def test_sigterm_during_an_import_job_stops_at_once_and_writes_nothing(servers, instance, world, tmp_path):
    server = servers().start()
    path = import_file(tmp_path, 8000, 17, taken=set(world.uscc.values()))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        token = TOKEN.search(client.get("/login").text).group(1)
        assert client.post("/login", data={"username": "cb_a", "password": PASSWORD,
                                           "csrf_token": token}).status_code == 303
        token = TOKEN.search(client.get("/cb/import").text).group(1)
        sent = client.post("/cb/import", data={"csrf_token": token},
                           files={"file": ("big.csv", path.read_bytes(), "text/csv")})
        job = JOB.search(sent.headers["location"]).group(1)
        deadline = time.monotonic() + 60
        while "job-progress" in (page := client.get(f"/cb/import/jobs/{job}").text) and "/ 8000" not in page:
            assert time.monotonic() < deadline, "the check job never got going"
            time.sleep(0.02)
    took = stop_with_sigterm(server)
    assert took < 10
    engine = instance.engine()
    try:
        from sqlalchemy import text

        with engine.connect() as conn:
            status = conn.execute(text("SELECT status FROM job WHERE id = :id"), {"id": int(job)}).scalar()
            staged = conn.execute(text("SELECT count(*) FROM web_upload")).scalar()
    finally:
        engine.dispose()
    # Either the check was interrupted (rolled back, nothing staged) or it had just finished before the signal.
    assert status in ("interrupted", "succeeded"), status
    assert status == "succeeded" or staged == 0
    assert count_imported(instance) == 0
    assert_database_sound(instance)
