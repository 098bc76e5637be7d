"""Webhooks never reach the deployment's own network (#20): refused at registration and again at each send,
the connection pinned to the address that was checked; an intranet deployment may allow private targets."""

from __future__ import annotations

import ipaddress
import socket

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from certbridge.app import create_app
from certbridge.db import read_session
from certbridge.opendata.feeds import targets
from certbridge.opendata.feeds.models import FeedDelivery
from certbridge.opendata.feeds.queueing import queue_pending
from certbridge.opendata.feeds.sending import send_due
from tests.opendata.conftest import Receiver, body_of, issue_certificate, suspend

PUBLIC = "93.184.216.34"


@pytest.mark.parametrize(("address", "kind", "with_private_allowed"), [
    ("127.0.0.1", "loopback", None), ("::1", "loopback", None), ("::ffff:127.0.0.1", "loopback", None),
    ("10.1.2.3", "private", None), ("172.16.0.9", "private", None), ("192.168.1.1", "private", None),
    ("fd12:3456::1", "private", None), ("100.64.0.1", "reserved", None),
    ("169.254.169.254", "link_local", "link_local"), ("fe80::1", "link_local", "link_local"),
    ("224.0.0.1", "multicast", "multicast"), ("ff02::1", "multicast", "multicast"),
    ("0.0.0.0", "unspecified", "unspecified"), ("240.0.0.1", "reserved", "reserved"),
    (PUBLIC, None, None), ("2606:2800:220:1:248:1893:25c8:1946", None, None)])
def test_which_addresses_a_webhook_may_reach(address, kind, with_private_allowed):
    ip = ipaddress.ip_address(address)
    assert targets.refused_kind(ip, allow_private=False) == kind
    assert targets.refused_kind(ip, allow_private=True) == with_private_allowed


def _fake_dns(monkeypatch, answers: dict[str, str]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(targets.socket, "getaddrinfo", getaddrinfo)


def _watch(client, world, cert_id: int, url: str, lang: str = "zh"):
    return client.post("/api/v1/watches", headers={**world.auth("regulator"), "Accept-Language": lang},
                       json={"kind": "certificate", "target": str(cert_id), "webhook_url": url})


def test_internal_targets_are_refused_when_a_watch_is_added(client, world, monkeypatch):
    _fake_dns(monkeypatch, {"hooks.internal.example": "10.20.30.40"})
    cert = issue_certificate(client, world, "00126Q26001R0M/4601")
    for url, address in (("http://127.0.0.1:8080/hook", "127.0.0.1"), ("http://localhost/hook", "127.0.0.1"),
                         ("http://[::1]:9000/x", "::1"), ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
                         ("https://hooks.internal.example/in", "10.20.30.40")):
        r = _watch(client, world, cert["id"], url)
        assert r.status_code == 422, (url, r.text)
        problem = r.json()
        assert problem["code"] == "feeds.webhook_address_refused" and address in problem["detail"]
        assert "不能作为推送目标" in problem["detail"]
    r = _watch(client, world, cert["id"], "http://10.0.0.8/hook", lang="en")
    assert "a private address, which cannot receive webhooks" in r.json()["detail"]
    r = _watch(client, world, cert["id"], "http://no-such-host.invalid/hook")
    assert r.status_code == 422 and r.json()["code"] == "feeds.webhook_unresolvable"
    assert client.get("/api/v1/watches", headers=world.auth("regulator")).json() == []  # nothing was added


def _deliver(app) -> None:
    queue_pending(app.state.sessions)
    with httpx.Client(timeout=5, follow_redirects=False) as http:
        send_due(app.state.sessions, settings=app.state.settings, http=http)


def _webhook_delivery(app) -> tuple[str, int, str | None]:
    with read_session(app.state.sessions) as session:
        row = session.scalars(select(FeedDelivery).where(FeedDelivery.channel == "webhook")).one()
        return row.status, row.attempts, row.last_error


def test_a_name_that_turns_private_after_registration_gets_no_request(settings, world, monkeypatch):
    """DNS rebinding: public when the watch was added, 127.0.0.1 at the send — nothing is sent, the log says why."""
    receiver = Receiver()
    port = receiver.server.server_address[1]
    _fake_dns(monkeypatch, {"rebind.example": PUBLIC})
    app = create_app(settings.model_copy(update={"bulk_files_daily": False}))
    app.state.feeds_deliverer = False
    try:
        with TestClient(app) as client:
            cert = issue_certificate(client, world, "00126Q26001R0M/4602")
            assert _watch(client, world, cert["id"], f"http://rebind.example:{port}/hook").status_code == 201
            suspend(client, world, cert["id"])
            _fake_dns(monkeypatch, {"rebind.example": "127.0.0.1"})
            _deliver(app)
            delivery = _webhook_delivery(app)
    finally:
        app.state.engine.dispose()
        receiver.close()
    assert receiver.requests == []
    # retried later (the name may turn public again); the delivery log says why nothing went out
    assert delivery == ("pending", 1, "refused: feeds.webhook_address_refused 127.0.0.1")


def test_an_allowed_intranet_send_connects_to_the_checked_address_and_keeps_the_name(settings, world, monkeypatch):
    """With private targets allowed, the send goes to the address checked (the client never resolves the name
    itself: `hook.intranet.example` resolves nowhere else) with the name in the Host header."""
    receiver = Receiver()
    port = receiver.server.server_address[1]
    _fake_dns(monkeypatch, {"hook.intranet.example": "127.0.0.1"})
    app = create_app(settings.model_copy(update={"bulk_files_daily": False, "feeds_webhook_allow_private": True}))
    app.state.feeds_deliverer = False
    try:
        with TestClient(app) as client:
            cert = issue_certificate(client, world, "00126Q26001R0M/4603")
            r = _watch(client, world, cert["id"], f"http://hook.intranet.example:{port}/hook")
            assert r.status_code == 201, r.text
            r = _watch(client, world, cert["id"], "http://169.254.169.254/latest")
            assert r.status_code == 422 and "链路本地地址" in r.json()["detail"]  # metadata stays out of reach
            suspend(client, world, cert["id"])
            _deliver(app)
            delivery = _webhook_delivery(app)
    finally:
        app.state.engine.dispose()
        receiver.close()
    assert delivery[0] == "delivered", delivery
    headers, _ = receiver.requests[0]
    assert headers["host"] == f"hook.intranet.example:{port}"
    assert body_of(receiver.requests[0])["type"] == "certificate.suspended"


def test_https_sends_keep_the_name_for_the_certificate_check():
    pinned = targets.check_target("https://user:pw@[2606:2800:220:1:248:1893:25c8:1946]:8443/h?x=1",
                                  allow_private=False)
    assert pinned.url == "https://[2606:2800:220:1:248:1893:25c8:1946]:8443/h?x=1"
    assert pinned.extensions == {"sni_hostname": "2606:2800:220:1:248:1893:25c8:1946"}
    assert pinned.headers == {"Host": "[2606:2800:220:1:248:1893:25c8:1946]:8443"}
