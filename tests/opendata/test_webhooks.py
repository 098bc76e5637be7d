"""A watched certificate's suspension reaches a real HTTP receiver as a signed webhook, across a restart."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient

from certbridge.app import create_app
from certbridge.opendata.feeds.webhooks import verify_signature
from tests.opendata.conftest import body_of, issue_certificate, suspend


def _fast(settings):
    return settings.model_copy(update={"feeds_poll_seconds": 0.05, "feeds_retry_base_seconds": 0.2,
                                       "bulk_files_daily": False,
                                       "feeds_webhook_allow_private": True})  # the receiver is on 127.0.0.1


def test_suspension_reaches_the_receiver_signed_after_a_restart_and_a_retry(settings, world, receiver):
    settings = _fast(settings)
    first = create_app(settings)
    first.state.feeds_deliverer = False  # the server stops before it delivers anything
    with TestClient(first) as client:
        cert = issue_certificate(client, world, "00126Q26001R0M/4501")
        r = client.post("/api/v1/watches", headers=world.auth("regulator"),
                        json={"kind": "certificate", "target": str(cert["id"]), "label": "供应商 A",
                              "webhook_url": receiver.url})
        assert r.status_code == 201, r.text
        watch = r.json()
        suspend(client, world, cert["id"])
    first.state.engine.dispose()
    assert receiver.requests == []

    second = create_app(settings)  # a new process on the same database
    with TestClient(second) as client:
        failed, retried = receiver.wait_for(2)[:2]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the second send's outcome is recorded
            deliveries = client.get(f"/api/v1/watches/{watch['id']}/deliveries?channel=webhook",
                                    headers=world.auth("regulator")).json()
            if deliveries[0]["status"] != "pending":
                break
            time.sleep(0.05)
        notes = client.get(f"/api/v1/watches/{watch['id']}/deliveries?channel=console",
                           headers=world.auth("regulator")).json()
    second.state.engine.dispose()

    for headers, body in (failed, retried):
        assert verify_signature(watch["secret"], headers["certbridge-signature"], body)
        assert not verify_signature("another-secret", headers["certbridge-signature"], body)
    sent = body_of(retried)
    assert sent["type"] == "certificate.suspended"
    assert sent["subject"] == {"type": "certificate", "id": str(cert["id"])}
    assert json.loads(sent["event"])["data"]["state"]["status"] == "suspended"
    assert sent["watch"]["label"] == "供应商 A"
    # the same delivery twice: the second send says it is a retry
    assert failed[0]["certbridge-delivery"] == retried[0]["certbridge-delivery"]
    assert (failed[0]["certbridge-retry"], retried[0]["certbridge-retry"]) == ("0", "1")
    assert [d["status"] for d in deliveries] == ["delivered"] and deliveries[0]["attempts"] == 2
    assert [n["event_type"] for n in notes] == ["certificate.suspended"]
    assert len(receiver.requests) == 2  # delivered once: never sent again


def test_a_tampered_body_fails_the_signature(settings, world, receiver):
    settings = _fast(settings)
    receiver.fail_first = 0
    app = create_app(settings)
    with TestClient(app) as client:
        cert = issue_certificate(client, world, "00126Q26001R0M/4502")
        watch = client.post("/api/v1/watches", headers=world.auth("org"),
                            json={"kind": "organization", "target": str(world.ids["org1"]),
                                  "webhook_url": receiver.url}).json()
        suspend(client, world, cert["id"])
        headers, body = receiver.wait_for(1)[0]
    app.state.engine.dispose()
    assert body_of((headers, body))["type"] == "certificate.suspended"  # reached through the holder
    assert verify_signature(watch["secret"], headers["certbridge-signature"], body)
    assert not verify_signature(watch["secret"], headers["certbridge-signature"], body.replace(b"suspended", b"valid"))


def test_bad_watches_are_refused_with_the_reason(client, world):
    auth = world.auth("regulator")
    r = client.post("/api/v1/watches", headers=auth, json={"kind": "lab-order", "target": "1"})
    assert r.status_code == 422 and r.json()["code"] == "feeds.kind_unknown"
    r = client.post("/api/v1/watches", headers=auth, json={"kind": "certificate", "target": "999999"})
    assert r.status_code == 404 and r.json()["code"] == "feeds.target_not_found"
    r = client.post("/api/v1/watches", headers=auth, json={"kind": "body", "target": str(world.ids["body_a"]),
                                                          "webhook_url": "ftp://example.com/x"})
    assert r.status_code == 422 and r.json()["code"] == "feeds.webhook_url"
    r = client.post("/api/v1/watches", headers=auth, json={"kind": "search", "target": {"colour": "red"}})
    assert r.status_code == 422 and r.json()["code"] == "feeds.search_fields"
    assert client.post("/api/v1/watches", json={"kind": "body", "target": "1"}).status_code == 401
