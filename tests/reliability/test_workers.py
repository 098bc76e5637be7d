"""Several server processes on one database and one Redis: shared limits, shared sessions, one leader per job.

Two `certbridge serve` processes (forked from one pre-imported parent) share the test's database and a real
Redis (CERTBRIDGE_TEST_REDIS_URL, default redis://127.0.0.1:6379/0; each test its own key prefix). A client
alternating between them meets one rate limit and one API-key quota, not two; a browser session opened on one
is valid on the other and signing out on either ends it on both; each background job runs in exactly one of
them, and when that process is SIGKILLed the other takes the ledger integrator over within seconds and
integrates what was written meanwhile, every event once (the ledger verifies). `serve --workers 2` serves.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import httpx
import pytest
from sqlalchemy import text

from certbridge.auth.service import create_user
from certbridge.db import make_sessionmaker, write_session
from certbridge.principal import SYSTEM
from tests.reliability.conftest import Server, Warm, alive, assert_ledger_verifies, free_port
from tests.web.conftest import csrf_from, sign_in

REDIS_URL = os.environ.get("CERTBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
JOBS = {"ledger", "status-sweep", "credit-follow", "stats-fold", "stats-reports", "feeds-delivery", "daily-files",
        "federation-follow", "federation-outbox", "risk-daily"}
LOOKUP = "/api/v1/organizations/{id}"  # a look-up: limited per client address, or per API key


def redis_or_skip():
    """Return a Redis client, or skip with the reason (it runs here and in CI: a skip is visible in the summary)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    return client


@pytest.fixture
def shared(instance):
    """Servers on this instance sharing a Redis key prefix and tight limits; the Redis keys removed after."""
    client = redis_or_skip()
    prefix = f"cbtest-{uuid.uuid4().hex[:10]}"
    instance.env.update({"CERTBRIDGE_REDIS_URL": REDIS_URL, "CERTBRIDGE_REDIS_PREFIX": prefix,
                         "CERTBRIDGE_RATE_LIMIT_PUBLIC_PER_MINUTE": "1", "CERTBRIDGE_RATE_LIMIT_PUBLIC_BURST": "4",
                         "CERTBRIDGE_RATE_LIMIT_KEY_PER_MINUTE": "10", "CERTBRIDGE_LEADER_POLL_SECONDS": "0.5"})
    parent = Warm(instance)  # forks the servers with the environment above
    servers: list[Server] = []
    try:
        yield (lambda: servers.append(Server(instance, warm=parent).start()) or servers[-1]), client, prefix, parent
    finally:
        for server in servers:
            server.kill()
        parent.close()
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()


def leads(server: Server) -> set[str]:
    """Return the background jobs a server says it runs (GET /healthz)."""
    return set(httpx.get(server.url + "/healthz", timeout=5).json()["leads"])


def wait_for(check, timeout: float, what: str):
    """Poll `check()` until it returns something true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_servers_share_limits_sessions_and_one_leader_per_job(instance, world, shared):
    start, redis_client, prefix, parent = shared
    a = start()

    # Each job has exactly one runner: the first server leads them all, the second none.
    wait_for(lambda: leads(a) == JOBS, 10, f"the first server should run every job, runs {leads(a)}")
    b = start()
    assert leads(b) == set()

    # One rate limit: 4 look-ups at once per client address over both servers, then 429 on either.
    path = LOOKUP.format(id=world.ids["org1"])
    answers = [httpx.get(server.url + path, timeout=10) for server in (a, b, a, b)]
    assert [r.status_code for r in answers] == [200] * 4, [r.text[:200] for r in answers]
    assert [int(r.headers["RateLimit-Remaining"]) for r in answers] == [3, 2, 1, 0]
    for server in (a, b):
        refused = httpx.get(server.url + path, timeout=10)
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited.lookup"
    assert redis_client.exists(f"{prefix}:rl:lookup:127.0.0.1") and redis_client.ttl(f"{prefix}:rl:lookup:127.0.0.1") > 0

    # One API-key quota: 10 requests a minute (a burst of 10), counted across both servers.
    key = {"Authorization": f"Bearer {world.tokens['regulator']}"}
    codes = [httpx.get(server.url + path, headers=key, timeout=10).status_code for server in (a, b) * 5]
    assert codes == [200] * 10
    over = httpx.get(b.url + path, headers=key, timeout=10)
    assert over.status_code == 429 and over.json()["code"] == "rate_limited.key", over.text

    # One browser session: opened on A, valid on B; signed out on B, over on A too.
    with httpx.Client(timeout=10) as browser:
        signed = sign_in(_Based(browser, a.url), "cb_a")
        assert signed.status_code == 303, signed.text[:300]
        page = browser.get(b.url + "/cb", follow_redirects=False)
        assert page.status_code == 200 and "退出" in page.text
        out = browser.post(b.url + "/logout", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
        assert out.status_code == 303
        again = browser.get(a.url + "/cb", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].startswith("/login")

    # Kill the leader: B takes the integrator (and every other job) over within seconds …
    a.kill()
    started = time.monotonic()
    wait_for(lambda: leads(b) == JOBS, 10, "the surviving server did not take the jobs over")
    assert time.monotonic() - started < 5
    # … and integrates what another process writes meanwhile (no request of B's integrates it), each event once.
    engine = instance.engine()
    try:
        with write_session(make_sessionmaker(engine)) as session:
            for n in range(3):
                create_user(session, principal=SYSTEM, username=f"late_{n}", display_name=f"late {n}", role="regulator",
                            password="a long enough password 1")

        def integrated():
            with engine.connect() as conn:
                size = conn.execute(text("SELECT size FROM ledger_tree WHERE id = 1")).scalar()
                count = conn.execute(text("SELECT count(*) FROM ledger_event")).scalar()
            assert size <= count, "the tree holds more leaves than there are events"
            return size == count

        wait_for(integrated, 10, "the new leader did not integrate the events written after the take-over")
    finally:
        engine.dispose()
    b.kill()
    assert_ledger_verifies(instance)

    serve_two_workers(parent)


class _Based:
    """An httpx client seen through one base URL (the page helpers take paths)."""

    def __init__(self, client: httpx.Client, base: str) -> None:
        self.client, self.base = client, base

    def get(self, path, **kwargs):
        return self.client.get(self.base + path, **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(self.base + path, **kwargs)


def serve_two_workers(parent: Warm) -> None:
    """`serve --workers 2` (forked from the warm parent): both workers answer, each job runs in one of them."""
    port = free_port()
    pid = parent.run("serve", "--port", str(port), "--workers", "2")
    url = f"http://127.0.0.1:{port}"
    try:
        def both_answer():
            seen = set()
            for _ in range(20):
                try:
                    seen.add(frozenset(httpx.get(url + "/healthz", timeout=5).json()["leads"]))
                except httpx.TransportError:
                    return None
            return seen if len(seen) == 2 else None  # each job runs in one worker: their answers differ

        first, second = wait_for(both_answer, 60, "serve --workers 2 did not answer from two processes")
        assert first | second == JOBS and not first & second
        workers = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent_of(int(p)) == pid]
        assert len(workers) == 2, workers
    finally:
        os.kill(pid, signal.SIGTERM)  # the supervisor passes it on and exits once both workers have
        wait_for(lambda: not alive(pid), 30, "serve --workers 2 did not stop on SIGTERM")


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
