"""The licensing-case JSON API: an applicant with an API key files, attaches, submits, answers a 补正 and follows
its deadline; a handler works the queue — with the same rules, problems and ledger events as the pages."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.auth.service import create_api_key, register_applicant
from certbridge.db import read_session, write_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.principal import SYSTEM
from tests.licensing.cases_helpers import LAB_APPLICATION, PDF
from tests.licensing.test_cases import _experts


def _applicant_key(sessions, username: str) -> dict[str, str]:
    with write_session(sessions) as db:
        user = register_applicant(db, username=username, display_name="申请人", password="correct-horse-9")
        token = create_api_key(db, principal=SYSTEM, user_id=user.id, name="api").token
    return {"Authorization": f"Bearer {token}"}


def test_an_applicant_and_a_handler_walk_a_case_through_the_api(client, sessions, world):
    me = _applicant_key(sessions, "api_lab")
    handler = world.auth("regulator")
    r = client.post("/api/v1/licensing/cases", headers=me, json={"subject_type": "lab", "application": LAB_APPLICATION,
                                                                 "contact_email": "lab@example.com"})
    assert r.status_code == 201, r.text
    case = r.json()
    url = f"/api/v1/licensing/cases/{case['id']}"
    assert case["state"] == "draft" and case["number"].startswith("XK-") and case["actions"] == ["submit", "withdraw"]

    r = client.post(f"{url}/steps", headers={**me, "Accept-Language": "en"}, json={"action": "submit"})
    assert r.status_code == 422 and r.json()["code"] == "licensing_case.attachments_required"
    r = client.post(f"{url}/attachments", headers=me, files={"file": ("质量手册.pdf", PDF, "application/pdf")})
    assert r.status_code == 201 and r.json()["size"] == len(PDF) and len(r.json()["sha256"]) == 64
    r = client.post(f"{url}/attachments", headers=me, files={"file": ("x.exe", b"MZ\x90\x00", "application/pdf")})
    assert r.status_code == 422
    r = client.post(f"{url}/steps", headers=me, json={"action": "submit"})
    assert r.status_code == 200 and r.json()["state"] == "submitted" and r.json()["due_on"]
    assert r.json()["days_left"] is not None and r.json()["holder"] is None  # no handler has taken it yet

    other = _applicant_key(sessions, "api_other")
    assert client.get(url, headers=other).status_code == 404  # another applicant's case is not there
    assert client.get("/api/v1/licensing/cases", headers=other).json() == []
    r = client.post(f"{url}/steps", headers=me, json={"action": "accept"})
    assert r.status_code == 403  # a handler's step
    queue = client.get("/api/v1/licensing/cases", headers=handler).json()
    assert [c["number"] for c in queue] == [case["number"]] and queue[0]["kind"] == "application"

    r = client.post(f"{url}/steps", headers=handler, json={"action": "request_correction", "note": " "})
    assert r.status_code == 422 and r.json()["code"] == "field.required"
    r = client.post(f"{url}/steps", headers=handler,
                    json={"action": "request_correction", "note": "缺少授权签字人的任命文件"})
    assert r.status_code == 200 and r.json()["state"] == "correcting" and r.json()["due_on"] is None
    mine = client.get(url, headers=me).json()
    assert mine["missing"] == "缺少授权签字人的任命文件" and mine["holder"] == "applicant"
    assert mine["actions"] == ["resubmit", "withdraw"]
    r = client.post(f"{url}/attachments", headers=me, files={"file": ("任命文件.pdf", PDF + b"%2", "application/pdf")})
    assert r.status_code == 201
    assert client.post(f"{url}/steps", headers=me, json={"action": "resubmit"}).json()["state"] == "submitted"

    r = client.post(f"{url}/steps", headers=handler, json={"action": "approve"})
    assert r.status_code == 409 and r.json()["code"] == "licensing_case.transition"
    assert client.post(f"{url}/steps", headers=handler, json={"action": "accept"}).json()["state"] == "accepted"
    experts = _experts(sessions, world)
    r = client.post(f"{url}/steps", headers=handler, json={"action": "assign_review", "team": experts})
    assert r.status_code == 200, r.text
    team = r.json()["team"]
    assert [m["name"] for m in team["members"]] == ["孙评", "吴专"]
    assert team["recused"][0]["reason"] == "same_employer"
    for action, note in (("record_findings", "符合要求"), ("approve", None), ("issue_licence", None)):
        r = client.post(f"{url}/steps", headers=handler, json={"action": action, "note": note})
        assert r.status_code == 200, (action, r.text)
    done = client.get(url, headers=me).json()
    assert done["state"] == "licensed" and done["licence_number"] and done["subject_id"]
    assert [s["action"] for s in done["steps"]] == [
        "file", "submit", "request_correction", "resubmit", "accept", "assign_review", "record_findings",
        "approve", "issue_licence"]
    with read_session(sessions) as db:
        types = list(db.scalars(select(LedgerEvent.type).where(LedgerEvent.subject_type == "licensing_case",
                                                                 LedgerEvent.subject_id == str(case["id"]))))
    assert types.count("licensing_case.attached") == 2 and types[-1] == "licensing_case.issue_licence"
    assert client.get(url).status_code == 401
