"""Helpers for feed tests: a real local HTTP receiver for webhooks, and certificates issued through the API."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.world import certificate_payload


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
