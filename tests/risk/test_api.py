"""The JSON API of complaints and risk: anyone files and follows a complaint (the secret shows the filing back),
regulators handle it; signals with evidence, warnings decided; errors as problem+json in the caller's language."""

from __future__ import annotations

import base64
from certbridge.db import write_session
from certbridge.risk.compute import recompute_all
from tests.risk.conftest import TODAY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
A1, A2 = "2021-N1QMS-1000001", "2022-N1QMS-1000002"


def test_anyone_files_by_api_follows_with_the_secret_and_the_regulator_handles_it(client, world):
    r = client.post("/api/v1/complaints", json={
        "subject_kind": "company", "subject_text": world.uscc["org1"], "kind": "misused_mark",
        "description": "包装上印有认证标志但查不到证书", "contact": "filer@example.cn",
        "evidence": [{"filename": "包装.png", "content_base64": base64.b64encode(PNG).decode()}]})
    assert r.status_code == 201, r.text
    filed = r.json()
    number, secret = filed["tracking_number"], filed["secret"]
    assert filed["status"] == "received" and filed["steps"][0]["step"] == "complaint.filed" and len(secret) >= 20
    public = client.get(f"/api/v1/complaints/track/{number}").json()
    assert public["status"] == "received" and "filing" not in public and "filer@example.cn" not in str(public)
    own = client.get(f"/api/v1/complaints/track/{number}", headers={"X-Complaint-Secret": secret}).json()
    assert own["filing"]["contact"] == "filer@example.cn" and own["filing"]["evidence"][0]["filename"] == "包装.png"
    wrong = client.get(f"/api/v1/complaints/track/{number}", headers={"X-Complaint-Secret": "x" * 22})
    assert wrong.status_code == 403 and wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["detail"] == "受理编号或查询密码不正确。"
    wrong_en = client.get(f"/api/v1/complaints/track/{number}", headers={"X-Complaint-Secret": "x" * 22,
                                                                        "Accept-Language": "en"})
    assert wrong_en.json()["detail"] == "The tracking number or its secret is wrong."
    assert client.get("/api/v1/complaints/track/TS20260101-AAAAAAAA").status_code == 404

    reg = world.auth("regulator")
    assert client.get("/api/v1/complaints", headers=world.auth("cb_a")).status_code == 403
    queue = client.get("/api/v1/complaints", params={"status": "open", "region": "450500"}, headers=reg).json()
    cid = next(c["id"] for c in queue["items"] if c["tracking_number"] == number)
    detail = client.get(f"/api/v1/complaints/{cid}", headers=reg).json()
    assert detail["organization_id"] == world.ids["org1"] and detail["allowed_actions"] == ["accept", "reject",
                                                                                           "transfer"]
    assert client.post(f"/api/v1/complaints/{cid}/accept", json={}).status_code == 401
    done = client.post(f"/api/v1/complaints/{cid}/accept", json={}, headers=reg).json()
    assert done["status"] == "accepted" and done["verify_due_on"]
    linked = client.post(f"/api/v1/complaints/{cid}/link", json={"target_type": "body",
                                                                 "target_id": world.ids["body_a"]}, headers=reg)
    assert linked.json()["links"] == [{"target_type": "body", "target_id": world.ids["body_a"]}]
    refused = client.post(f"/api/v1/complaints/{cid}/accept", json={}, headers=reg)
    assert refused.status_code == 409 and refused.json()["code"] == "complaint.transition"
    closed = client.post(f"/api/v1/complaints/{cid}/close", json={"result": "upheld", "note": "冒用标志属实"},
                         headers=reg).json()
    assert closed["status"] == "closed" and closed["result"] == "upheld" and closed["allowed_actions"] == []
    steps = [s["step"] for s in client.get(f"/api/v1/complaints/track/{number}").json()["steps"]]
    assert steps == ["complaint.filed", "complaint.accepted", "complaint.closed"]  # the link stays internal
    page = client.get(f"/complaints/track?number={number}").text  # the page shows the same progress
    assert "冒用标志属实" in page


def test_a_signed_in_caller_files_too_and_bad_filings_say_what_is_wrong(client, world):
    body = {"subject_kind": "product", "subject_text": "电热水壶", "kind": "product_quality", "description": "漏电",
            "anonymous": True}
    assert client.post("/api/v1/complaints", json=body, headers=world.auth("cb_a")).status_code == 201
    bad = client.post("/api/v1/complaints", json={**body, "evidence": [{"filename": "a.exe",
                                                                        "content_base64": "TVqQAAMAAAAE"}]})
    assert bad.status_code == 422 and bad.json()["code"] == "complaint.file_type"
    missing = client.post("/api/v1/complaints", json={**body, "anonymous": False})
    assert missing.status_code == 422 and missing.json()["code"] == "complaint.contact_or_anonymous"


def test_signals_warnings_and_parameters_by_api(client, sessions, world, issue):
    issue("00126Q25101R0M/4500", org="org1", start="2025-02-20", end="2025-02-21", auditors=(A1, A2))
    issue("00126Q25102R0M/4500", org="org2", start="2025-02-21", end="2025-02-22", auditors=(A1,))
    with write_session(sessions) as db:
        recompute_all(db, today=TODAY)
    reg = world.auth("regulator")
    a1 = client.get(f"/api/v1/risk/subjects/person/{world.ids['a1']}", headers=reg).json()
    double = next(s for s in a1["signals"] if s["signal"] == "double_booked")
    assert double["triggered"] and double["evidence"]["pairs"][0]["day"] == "2025-02-21" and double["weight"] == 400
    assert a1["score"] > 0 and [w["reason"] for w in a1["warnings"]] == ["double_booked"]
    assert client.get(f"/api/v1/risk/subjects/person/{world.ids['a1']}",
                      headers=world.auth("cb_a")).status_code == 403
    assert client.get("/api/v1/risk/subjects/person/999999", headers=reg).status_code == 404
    top = client.get("/api/v1/risk/scores", params={"type": "person"}, headers=reg).json()["items"]
    assert top[0]["subject_id"] == world.ids["a1"]
    open_ = client.get("/api/v1/risk/warnings", headers=reg).json()["items"]
    wid = next(w["id"] for w in open_ if w["subject_id"] == world.ids["a1"] and w["reason"] == "double_booked")
    refused = client.post(f"/api/v1/risk/warnings/{wid}/decide", json={"decision": "dismissed"}, headers=reg)
    assert refused.status_code == 422  # dismissing needs a reason
    decided = client.post(f"/api/v1/risk/warnings/{wid}/decide", json={"decision": "inspect"}, headers=reg).json()
    assert decided["status"] == "inspect" and decided["decided_by"]
    assert wid not in [w["id"] for w in client.get("/api/v1/risk/warnings", headers=reg).json()["items"]]
    params = {p["signal"]: p for p in client.get("/api/v1/risk/parameters", headers=reg).json()["items"]}
    assert params["late_report"]["weight"] == 150 and params["double_booked"]["warn"] is True
    put = client.put("/api/v1/risk/parameters/double_booked", json={"weight": 300, "threshold": 2,
                                                                     "window_days": 365, "warn": True}, headers=reg)
    assert put.status_code == 200 and put.json()["threshold"] == 2
    unknown = client.put("/api/v1/risk/parameters/nothing", json={"weight": 1, "threshold": 1, "window_days": 1},
                         headers=reg)
    assert unknown.status_code == 422 and unknown.json()["code"] == "risk.signal_unknown"
