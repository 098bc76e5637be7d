"""Helpers for certificate tests: issue through the API as body A."""

from __future__ import annotations

import pytest

from tests.world import certificate_payload


@pytest.fixture
def issue(client, world):
    """Issue a certificate as body A and return its detail JSON."""

    def _issue(**overrides):
        r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                        json=certificate_payload(world, **overrides))
        assert r.status_code == 201, r.text
        return r.json()

    return _issue


@pytest.fixture
def act(client, world):
    """Run a lifecycle action as a role and return the response."""

    def _act(cert_id: int, action: str, role: str = "cb_a", lang: str = "zh", **body):
        body.setdefault("reason", "测试原因")
        headers = {**world.auth(role), "Accept-Language": lang}
        return client.post(f"/api/v1/certificates/{cert_id}/{action}", headers=headers, json=body)

    return _act
