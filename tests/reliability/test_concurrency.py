"""Several certification bodies' clients writing at once through two real servers on one database.

Four operators (two per body, each with its own API key) issue and change certificates in parallel threads
against two `certbridge serve` processes sharing the test's database — on SQLite that is two processes
contending for one file's write lock. Then pairs of operators of the same body race on one certificate with
the same expected_version. Nothing may answer 5xx or mention "database is locked"; of two racing writers one
wins and the other gets a clear 409 `certificate.stale` (no lost update); every acknowledged write is in the
database; the ledger verifies.
"""

from __future__ import annotations

import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
from sqlalchemy import text

from certbridge.auth.service import create_api_key, create_user
from certbridge.db import make_sessionmaker, write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.principal import SYSTEM
from tests.reliability.conftest import assert_database_sound, assert_ledger_verifies
from tests.world import certificate_payload

# CERTBRIDGE_CONCURRENCY_SCALE=n explores n times the certificates and n+1 operators per body.
SCALE = int(os.environ.get("CERTBRIDGE_CONCURRENCY_SCALE", "1"))
PER_CLIENT = 6 * SCALE
PER_BODY = 1 + SCALE
RACES = 3  # per body
AUDITORS = {"body_a": ("2021-N1QMS-1000001",), "body_b": ("2019-N1QMS-2000001",)}
CODES = {"body_a": "00126", "body_b": "00213"}
NEW_HOLDER = generate_uscc(random.Random(11), region="450503")
# Issued a month ago: a certificate whose surveillance is long overdue would be suspended and withdrawn by the
# servers' own date-driven sweep while the clients work, and their next write would (rightly) be stale.
ISSUED_ON = date.today() - timedelta(days=30)


@dataclass
class Operator:
    """One client: a body operator's API key and the server it talks to."""

    name: str
    body: str
    token: str
    url: str


def add_operators(instance, world) -> dict[str, str]:
    """Create more operators (each with its own API key) for bodies A and B; return their tokens."""
    engine = instance.engine()
    try:
        with write_session(make_sessionmaker(engine)) as session:
            tokens = {}
            for name, body in [(f"cb_{b}{n}", f"body_{b}") for n in range(2, PER_BODY + 1) for b in "ab"]:
                user = create_user(session, principal=SYSTEM, username=name, display_name=name,
                                   role="cb_operator", body_id=world.ids[body])
                tokens[name] = create_api_key(session, principal=SYSTEM, user_id=user.id, name="concurrency").token
            return tokens
    finally:
        engine.dispose()


class Log:
    """Every response any client got, kept for the checks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.responses: list[tuple[str, str, int, str]] = []

    def keep(self, who: str, what: str, response: httpx.Response) -> httpx.Response:
        with self.lock:
            self.responses.append((who, what, response.status_code, response.text))
        return response


def client_work(op: Operator, world, log: Log) -> list[dict]:
    """Issue certificates for the operator's body, then suspend, restore and re-scope each; return the 2xx."""
    done = []
    headers = {"Authorization": f"Bearer {op.token}", "Accept-Language": "en"}
    with httpx.Client(base_url=op.url, headers=headers, timeout=60) as http:
        for i in range(PER_CLIENT):
            number = f"{CODES[op.body]}Q30{op.name.upper().replace('_', '')}{i:03d}"
            payload = certificate_payload(world, number=number, org="org1" if i % 2 else "org2",
                                          auditors=AUDITORS[op.body], issued_on=ISSUED_ON.isoformat())
            payload["audits"][0].update(start_on=(ISSUED_ON - timedelta(days=9)).isoformat(),
                                        end_on=(ISSUED_ON - timedelta(days=8)).isoformat())
            if i == 0:  # everyone's first certificate is for the same holder, not registered yet
                payload["holder"] = {"name": "北海市同时获证有限公司", "uscc": NEW_HOLDER, "address": "广西北海市银海区"}
            r = log.keep(op.name, "issue", http.post(f"/api/v1/bodies/{world.ids[op.body]}/certificates", json=payload))
            if r.status_code != 201:
                continue
            cert = r.json()
            done.append({"id": cert["id"], "number": number, "status": "valid", "scope": cert["scope"]})
            for action, body in (("suspend", {"reason": f"{op.name} 暂停 {i}"}),
                                 ("restore", {"reason": f"{op.name} 恢复 {i}"}),
                                 ("scope", {"scope": f"{op.name} 范围 {i}", "reason": "范围变更"})):
                r = log.keep(op.name, action, http.post(f"/api/v1/certificates/{cert['id']}/{action}",
                                                        json={**body, "expected_version": cert["version"]}))
                if r.is_success:
                    cert = r.json()
                    done[-1].update(status=cert["status"], scope=cert["scope"], version=cert["version"])
    return done


def race(a: Operator, b: Operator, cert: dict, log: Log, round_: int) -> tuple[httpx.Response, httpx.Response]:
    """Two operators re-scope one certificate at the same moment, both from the same version."""
    barrier = threading.Barrier(2)

    def one(op: Operator) -> httpx.Response:
        headers = {"Authorization": f"Bearer {op.token}", "Accept-Language": "en"}
        with httpx.Client(base_url=op.url, headers=headers, timeout=60) as http:
            http.get(f"/api/v1/certificates/{cert['id']}")  # connection open before the barrier
            barrier.wait()
            return log.keep(op.name, "race", http.post(
                f"/api/v1/certificates/{cert['id']}/scope",
                json={"scope": f"{op.name} 竞争 {round_}", "reason": "并发", "expected_version": cert["version"]}))

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(one, (a, b))
    return first, second


def test_concurrent_clients_lose_nothing_and_racing_writers_get_one_clear_409(instance, servers, world):
    tokens = {**world.tokens, **add_operators(instance, world)}
    one, two = servers(warm=True), servers(warm=True)
    one.launch(), two.launch()
    one.wait_ready(), two.wait_ready()
    names = {b: [f"cb_{b}"] + [f"cb_{b}{n}" for n in range(2, PER_BODY + 1)] for b in "ab"}
    operators = {b: [Operator(name, f"body_{b}", tokens[name], (one, two)[i % 2].url) for i, name in enumerate(names[b])]
                 for b in "ab"}
    everyone = operators["a"] + operators["b"]
    log = Log()
    with ThreadPoolExecutor(len(everyone)) as pool:
        results = dict(zip((op.name for op in everyone), pool.map(lambda op: client_work(op, world, log), everyone)))

    # Two operators of one body (on different servers) race on the same certificate; both bodies at once.
    def races_of(b: str):
        a, other = operators[b][:2]
        return [(cert, *race(a, other, cert, log, n)) for n, cert in enumerate(results[a.name][:RACES])]

    with ThreadPoolExecutor(2) as pool:
        races = [r for rs in pool.map(races_of, "ab") for r in rs]

    bad = [(who, what, status, body[:300]) for who, what, status, body in log.responses
           if status >= 500 or "database is locked" in body.lower()]
    assert bad == []
    # Without races every write of a client is its own: all of them must have gone through.
    assert all(status < 300 for _, what, status, _ in log.responses if what != "race"), \
        [r[:3] + (r[3][:200],) for r in log.responses if r[2] >= 300 and r[1] != "race"]
    for cert, first, second in races:
        outcomes = sorted([first.status_code, second.status_code])
        assert outcomes == [200, 409], (first.text, second.text)
        loser = first if first.status_code == 409 else second
        winner = second if loser is first else first
        assert loser.json()["code"] == "certificate.stale"
        assert loser.headers["content-type"] == "application/problem+json"
        cert.update(scope=winner.json()["scope"], version=winner.json()["version"])

    one.kill(), two.kill()
    assert_database_sound(instance)
    assert_ledger_verifies(instance)
    engine = instance.engine()
    try:
        with engine.connect() as conn:
            for name, done in results.items():
                assert len(done) == PER_CLIENT, name
                for cert in done:
                    row = conn.execute(text("SELECT number, status, scope, version FROM certificate WHERE id = :id"),
                                       {"id": cert["id"]}).one()
                    assert (row.number, row.status, row.scope, row.version) == (
                        cert["number"], cert["status"], cert["scope"], cert["version"])
            holders = conn.execute(text("SELECT id FROM organization WHERE uscc = :u"), {"u": NEW_HOLDER}).all()
            assert len(holders) == 1  # registered once, though every client's first certificate raced to it
            assert conn.execute(text("SELECT count(*) FROM certificate WHERE organization_id = :o"),
                                {"o": holders[0].id}).scalar() == len(results)
    finally:
        engine.dispose()
