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


def run_load(url: str, seconds: float, extra=()) -> Outcomes:
    """Run the reproduction's clients (plus any `extra` callables of (url, stop, outcomes)) for `seconds`."""
    outcomes, stop = Outcomes(), threading.Event()
    workers = [*(anonymous_suspends,) * 4, *(failed_sign_ins,) * 2, read_while, *extra]
    threads = [threading.Thread(target=w, args=(url, stop, outcomes), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
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
