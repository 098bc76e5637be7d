"""Follow an API request that started a background job (202 + Location) to the job's outcome."""

from __future__ import annotations


def finished_job(client, response, headers: dict[str, str], timeout: float = 60.0) -> dict:
    """Wait for the job a 202 answer started and return it as `GET /api/v1/jobs/{id}` shows it."""
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
    assert client.app.state.jobs.wait_idle(timeout), "the job did not finish"
    job = client.get(response.headers["location"], headers=headers).json()
    assert job["status"] == "succeeded", job
    return job


def recompute_summary(client, headers: dict[str, str], **params) -> dict:
    """Recompute credit through the API (a background job) and return what it did."""
    r = client.post("/api/v1/credit/recompute", headers=headers, params=params)
    return finished_job(client, r, headers)["result"]["summary"]
