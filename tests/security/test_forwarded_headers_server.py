"""Over a real `certbridge serve` process: X-Forwarded-For counts only from configured proxies.

uvicorn on its own believes X-Forwarded-For from 127.0.0.1; a forged header then chose the address the rate
limits and the audit trail saw. These tests talk to the server over loopback, as a local client or a tunnel
would, with and without CERTBRIDGE_TRUSTED_PROXIES.
"""

from __future__ import annotations

import os
import time

import httpx
import pytest
from sqlalchemy import select

from certbridge.audit.models import AuditRecord
from certbridge.db import make_engine, make_sessionmaker, read_session
from tests.reliability.conftest import Instance, Server

pytestmark = pytest.mark.slow


@pytest.fixture
def serve(database_url, tmp_path):
    """Start `certbridge serve` on this test's database with tight look-up limits (extra env per call)."""
    started: list[Server] = []

    def launch(**env: str) -> Server:
        data_dir = tmp_path / f"data{len(started)}"
        data_dir.mkdir()
        instance = Instance(database_url=database_url, data_dir=data_dir, env={
            **os.environ, "CERTBRIDGE_DATABASE_URL": database_url, "CERTBRIDGE_DATA_DIR": str(data_dir),
            "CERTBRIDGE_SECRET_KEY": "test-secret-key", "CERTBRIDGE_RATE_LIMIT_PUBLIC_PER_MINUTE": "3",
            "CERTBRIDGE_RATE_LIMIT_PUBLIC_BURST": "3", **env})
        server = Server(instance)
        started.append(server)
        return server.launch()

    yield launch
    for server in started:
        server.kill()


def lookups(server: Server, forged: list[str]) -> list[int]:
    """Send one look-up per forged X-Forwarded-For value; return the statuses."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        return [http.get("/api/v1/verify", params={"number": "X"}, headers={"X-Forwarded-For": ip}).status_code
                for ip in forged]


def refused_write_address(server: Server, database_url: str, forged: str) -> str | None:
    """Send an anonymous write with a forged X-Forwarded-For; return the address its audit record holds."""
    r = httpx.post(f"{server.url}/api/v1/certificates/1/suspend", json={}, timeout=30,
                   headers={"X-Forwarded-For": forged, "User-Agent": forged})  # the agent finds the record
    assert r.status_code == 401
    engine = make_engine(database_url)
    deadline = time.monotonic() + 30  # the refusal is audited just after the response is sent
    try:
        while True:
            with read_session(make_sessionmaker(engine)) as db:
                found = db.scalar(select(AuditRecord.client_ip).where(AuditRecord.action == "write",
                                                                      AuditRecord.user_agent == forged))
            if found is not None or time.monotonic() > deadline:
                return found
            time.sleep(0.05)
    finally:
        engine.dispose()


def test_forwarded_for_counts_only_from_a_configured_proxy(serve, database_url):
    # Two servers on the same database, started together: no proxy configured (the default), and 127.0.0.1
    # configured as the proxy.
    plain, proxied = serve(), serve(CERTBRIDGE_TRUSTED_PROXIES='["127.0.0.1/32"]')
    plain.wait_ready()
    assert lookups(plain, [f"203.0.113.{i}" for i in range(4)]) == [200, 200, 200, 429]  # one bucket: ours
    assert refused_write_address(plain, database_url, "203.0.113.77") == "127.0.0.1"
    proxied.wait_ready()
    assert lookups(proxied, [f"203.0.113.{i}" for i in range(4)]) == [200] * 4  # four clients behind the proxy
    assert lookups(proxied, ["203.0.113.9"] * 4) == [200, 200, 200, 429]
    assert refused_write_address(proxied, database_url, "203.0.113.78") == "203.0.113.78"
