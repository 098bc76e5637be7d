"""Daily quotas of the open-data API: per API key as data, per address when anonymous, 429 saying which and when."""

from __future__ import annotations

import pytest

from certbridge.app import create_app
from fastapi.testclient import TestClient
from tests.conftest import with_environment


@pytest.fixture
def tight_client(settings, monkeypatch):
    """A client of an instance whose anonymous callers may verify 3 rows a day."""
    monkeypatch.setenv("CERTBRIDGE_OPENDATA_ANONYMOUS_ROWS_PER_DAY", "3")
    app = create_app(with_environment(settings))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_anonymous_callers_have_a_small_daily_quota_and_are_told_when_it_resets(tight_client, world):
    first = tight_client.post("/api/v1/bulk-verifications", json={"rows": [{"uscc": world.uscc["org1"]}] * 2})
    assert first.status_code == 200, first.text
    assert first.headers["Quota-Rows-Remaining"] == "1"
    refused = tight_client.post("/api/v1/bulk-verifications", json={"rows": [{"uscc": world.uscc["org1"]}] * 2},
                                headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    problem = refused.json()
    assert problem["code"] == "quota.exceeded" and "rows_per_day" in problem["detail"]
    assert "China Standard Time" in problem["detail"] and int(refused.headers["Retry-After"]) > 0
    mine = tight_client.get("/api/v1/quota").json()
    assert mine["limits"]["rows"] == 3 and mine["used"] == {"requests": 1, "rows": 2}
    # a key draws from its own quota, which an administrator sets as data
    keyed = tight_client.post("/api/v1/bulk-verifications", json={"rows": [{"uscc": world.uscc["org1"]}] * 2},
                              headers=world.auth("regulator"))
    assert keyed.status_code == 200
    key_id = world.tokens["regulator"].split("_")[1]
    assert tight_client.put(f"/api/v1/keys/{key_id}/quota", json={"rows_per_day": 3},
                            headers=world.auth("regulator")).status_code == 403
    r = tight_client.put(f"/api/v1/keys/{key_id}/quota", json={"rows_per_day": 3}, headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    over = tight_client.post("/api/v1/bulk-verifications", json={"rows": [{"uscc": world.uscc["org1"]}] * 2},
                             headers=world.auth("regulator"))
    assert over.status_code == 429 and over.json()["code"] == "quota.exceeded"
    assert tight_client.get("/api/v1/quota", headers=world.auth("regulator")).json()["limits"]["rows"] == 3
