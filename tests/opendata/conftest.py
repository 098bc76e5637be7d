"""Open-data tests: a registry of suppliers issued in bulk; a real local HTTP receiver for webhooks."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from certbridge.certificates.bulk import issue_drafts
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, StatusChangeIn
from certbridge.certificates.workflow import suspend_certificate
from certbridge.db import write_session
from certbridge.kit.uscc import generate_uscc
from certbridge.ledger.integrate import integrate_pending
from certbridge.principal import SYSTEM
from tests.world import certificate_payload

CHARS = "宏泰瑞丰鑫源恒通华晟嘉盛永兴德润安康博远金鼎天成卓越"
TRADES = ("电子", "机械", "食品", "化工", "纺织", "建材")


@dataclass
class Suppliers:
    """The organizations made: name, USCC and certificate number, by index; and the look-alike pair."""

    names: list[str] = field(default_factory=list)
    usccs: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    twins: tuple[str, str] = ("北海市星光电子有限公司", "北海星光电子有限公司")


def make_suppliers(sessions, settings, world, count: int = 300) -> Suppliers:
    """Issue one QMS certificate to each of `count` new organizations (and two look-alikes), suspend the first
    one's, and sign a checkpoint."""
    rng = random.Random(20)
    out = Suppliers()
    pairs = [a + b for a in CHARS for b in CHARS if a != b]
    rng.shuffle(pairs)
    drafts = []
    for i in range(count):
        name = f"广西{pairs[i]}{TRADES[i % len(TRADES)]}有限公司"
        uscc = generate_uscc(rng, region="450502")
        number = f"00126Q26{i:04d}R0M"
        out.names.append(name)
        out.usccs.append(uscc)
        out.numbers.append(number)
        payload = certificate_payload(world, number=number)
        payload["holder"] = {"name": name, "uscc": uscc}
        drafts.append(CertificateIn.model_validate(payload))
    for j, twin in enumerate(out.twins):
        payload = certificate_payload(world, number=f"00126Q27{j:04d}R0M")
        payload["holder"] = {"name": twin, "uscc": generate_uscc(rng, region="450502")}
        drafts.append(CertificateIn.model_validate(payload))
    with write_session(sessions) as session:
        issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"], drafts=drafts)
        first = session.scalar(select(Certificate.id).where(Certificate.number == out.numbers[0]))
        suspend_certificate(session, principal=SYSTEM, certificate_id=first,
                            change=StatusChangeIn(reason="监督审核未按期进行"))
    integrate_pending(sessions, settings=settings)
    return out


@pytest.fixture
def suppliers(sessions, settings, world) -> Suppliers:
    """Return 300 suppliers with a valid QMS certificate each, in the log and under a checkpoint."""
    return make_suppliers(sessions, settings, world)


class Receiver:
    """A webhook receiver on 127.0.0.1: records every request; answers 500 to the first `fail_first` ones."""

    def __init__(self, fail_first: int = 0) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(500 if len(receiver.requests) <= receiver.fail_first else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[tuple[dict[str, str], bytes]]:
        """Wait until `count` requests arrived (fails the test after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, f"receiver got {len(self.requests)} requests, wanted {count}"
        return self.requests

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """Return a receiver that answers 500 once, then 200."""
    r = Receiver(fail_first=1)
    yield r
    r.close()


def issue_certificate(client, world, number: str) -> dict:
    """Issue a certificate as body A through the API."""
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                    json=certificate_payload(world, number=number))
    assert r.status_code == 201, r.text
    return r.json()


def suspend(client, world, cert_id: int) -> None:
    """Suspend a certificate as body A."""
    r = client.post(f"/api/v1/certificates/{cert_id}/suspend", headers=world.auth("cb_a"), json={"reason": "监督审核未按期实施"})
    assert r.status_code == 200, r.text


def body_of(request) -> dict:
    """Return a recorded request's JSON body."""
    return json.loads(request[1])
