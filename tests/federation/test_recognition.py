"""监管互认 between real instances: region B inspects and penalizes organizations that A knows too; with
recognition of B switched on in A, A's next draw of the same matter leaves them out (with B's log index and
checkpoint in its committed inputs), and A's credit and risk count them labelled with B as their source;
switched off, new draws, credit and risk stop counting them while the committed draw keeps its inputs."""

from __future__ import annotations

import random
from datetime import date

import pytest

from certbridge.kit.uscc import generate_uscc
from tests.federation.test_instances import peer
from tests.world import certificate_payload

pytestmark = pytest.mark.slow

TODAY = date.today()
MATTER = {"code": "RZ-ORG-MR", "name": "获证组织证书使用检查", "kind": "key", "subject_type": "organization",
          "legal_basis": "《认证认可条例》第二十九条", "content": "证书和认证标志使用", "method": "现场检查"}
AUTHORITY_USCC = "11450500398259791C"


def ok(response, status: int = 200) -> dict:
    """Return the JSON of a response that must have `status`."""
    assert response.status_code == status, response.text
    return response.json()


def certify(node, org: str, number: str, **holder) -> None:
    """Issue a certificate to a world organization (or the holder given), so it is in the node's directory."""
    payload = certificate_payload(node.world, number=number, org=org, issued_on="2026-03-01")
    if holder:
        payload["holder"] = {**holder, "region_code": "450502"}
    ok(node.post(f"/api/v1/bodies/{node.world.ids['body_a']}/certificates", "cb_a", payload), 201)


def prepare(node, number_prefix: str) -> dict:
    """Give a node the matter, a plan of the year, a second inspector and certified organizations."""
    certify(node, "org1", f"{number_prefix}1")
    certify(node, "org2", f"{number_prefix}2")
    ok(node.post("/api/v1/people", "regulator", {"name": "吴检", "kind": "inspector",
                                                  "employer": "北海市市场监督管理局", "region_code": "450500"}), 201)
    matter = ok(node.post("/api/v1/supervision/matters", "regulator", MATTER), 201)
    plan = ok(node.post("/api/v1/supervision/plans", "regulator", {
        "year": TODAY.year, "name": "年度抽查计划", "authority": "北海市市场监督管理局", "region_code": "450500"}), 201)
    return {"matter": matter["id"], "plan": plan["id"]}


def commit(node, setup: dict, name: str) -> dict:
    """Add a batch drawing every organization and commit its draw; return the draw's export."""
    batch = ok(node.post(f"/api/v1/supervision/plans/{setup['plan']}/batches", "regulator", {
        "name": name, "matter_id": setup["matter"], "check_type": "random",
        "class_counts": {c: 1000 for c in "ABCD"},
        "starts_on": f"{TODAY.year}-01-02", "ends_on": f"{TODAY.year}-12-31"}), 201)
    draw = ok(node.post(f"/api/v1/supervision/batches/{batch['id']}/draws", "regulator", {}), 201)
    return ok(node.get(f"/api/v1/supervision/draws/{draw['id']}/export"))


@pytest.fixture(scope="module")
def supervised(trio):
    """B inspects org1 and org2 for the matter (problems found, published) and penalizes org2; A prepares its own
    plan for the same matter. Return what the tests need."""
    a, b = trio["a"], trio["b"]
    b_setup = prepare(b, "00126Q26MRB")
    a_setup = prepare(a, "00126Q26MRA")
    certify(a, "org1", "00126Q26MRA3", name="北海市仅甲地有限公司",  # known in A only: always drawable there
            uscc=generate_uscc(random.Random(21), region="450502"))
    export = commit(b, b_setup, "B 第一批")
    ok(b.post(f"/api/v1/supervision/draws/{export['draw_id']}/reveal", "regulator", {}))
    tasks = ok(b.get("/api/v1/supervision/tasks", "regulator", draw_id=export["draw_id"]))["items"]
    checked = {t["object_uscc"]: t for t in tasks}
    assert {a.world.uscc["org1"], a.world.uscc["org2"]} <= set(checked)
    for uscc in (a.world.uscc["org1"], a.world.uscc["org2"]):
        task = checked[uscc]
        ok(b.post(f"/api/v1/supervision/tasks/{task['id']}/result", "regulator",
                  {"result": "corrected", "completed_on": TODAY.isoformat()}))
        ok(b.post(f"/api/v1/supervision/tasks/{task['id']}/publish", "regulator"))
    penalty = ok(b.post("/api/v1/credit/penalties", "regulator", {
        "party_name": "北海格力电器配件有限公司", "party_uscc": b.world.uscc["org2"], "decision_number": "B市监处罚〔2026〕7号",
        "violation_type": "冒用认证证书", "facts": "在产品包装上使用已撤销的认证证书编号",
        "legal_basis": "《认证认可条例》第七十一条", "categories": ["警告", "罚款"], "content": "警告，罚款人民币五千元",
        "fine_wan": "0.5", "decided_on": TODAY.isoformat(), "authority": "B 市市场监督管理局",
        "authority_uscc": AUTHORITY_USCC}), 201)
    b_id = peer(a, b.name)["id"]
    ok(a.post(f"/api/v1/federation/peers/{b_id}/sync", "regulator"))
    return {"a": a, "b": b, "a_setup": a_setup, "b_id": b_id, "penalty": penalty,
            "org1": a.world.ids["org1"], "org2": a.world.ids["org2"]}


def _recognition(s, on: bool) -> dict:
    return ok(s["a"].post(f"/api/v1/federation/peers/{s['b_id']}/recognition", "regulator", {"recognize": on}))


def _credit(s, org: str) -> dict:
    return ok(s["a"].get(f"/api/v1/credit/records/organization/{s[org]}", "regulator"))


def _risk(s, org: str) -> dict:
    return ok(s["a"].get(f"/api/v1/risk/subjects/organization/{s[org]}", "regulator"))


def test_recognition_counts_a_peers_results_and_penalties_in_draws_credit_and_risk_and_stops_when_off(supervised):
    s = supervised
    a, b = s["a"], s["b"]
    keys = {f"organization:{s['org1']}", f"organization:{s['org2']}"}
    # mirrored from B's proven log, but not counted while recognition is off
    items = ok(a.get("/api/v1/federation/recognized", "regulator"))["items"]
    mine = [i for i in items if i["source"]["instance"] == b.name]
    assert {(i["kind"], i["uscc"]) for i in mine} >= {("spot_check", b.world.uscc["org1"]),
                                                     ("spot_check", b.world.uscc["org2"]),
                                                     ("penalty", b.world.uscc["org2"])}
    assert not any(i["counts"] for i in mine)
    assert all(i["source"]["checkpoint_size"] > i["source"]["seq"] for i in mine)
    off_before = commit(a, s["a_setup"], "A 未认可")
    assert not keys & {k for k, _ in off_before["inputs"]["excluded_objects"]}
    assert "recognized_exclusions" not in off_before["inputs"]
    assert _credit(s, "org2")["recognized"] == []

    switched = _recognition(s, True)
    assert switched["recognize"] is True and switched["counted"] >= 3
    draw_on = commit(a, s["a_setup"], "A 已认可")
    inputs = draw_on["inputs"]
    assert {k for k, why in inputs["excluded_objects"] if why == "peer_checked_this_year"} >= keys
    assert not keys & {k for k, _ in inputs["objects"]}
    sources = {row[0]: row for row in inputs["recognized_exclusions"]}
    for key in keys:
        _key, instance, peer_seq, checkpoint_size, checkpoint_root, _local_seq = sources[key]
        assert instance == b.name and peer_seq < checkpoint_size and checkpoint_root
    # the exclusion and its source are in the committed inputs: the draw reveals and verifies as any other
    ok(a.post(f"/api/v1/supervision/draws/{draw_on['draw_id']}/reveal", "regulator", {}))
    assert ok(a.get(f"/api/v1/supervision/draws/{draw_on['draw_id']}/verify"))["ok"] is True

    credit = _credit(s, "org2")
    labels = {(r["kind"], r["label"]) for r in credit["recognized"]}
    assert ("penalty", f"来自 {b.name} 的行政处罚") in labels
    assert ("check_corrected", f"来自 {b.name} 的抽查结果") in labels
    assert credit["factors"]["points"].get("penalty", 0) > 0
    assert all(r["source"]["instance"] == b.name for r in credit["recognized"])
    risk = {sig["signal"]: sig for sig in _risk(s, "org2")["signals"]}
    assert any(c.get("source") == b.name for c in risk["failed_checks"]["evidence"]["checks"])
    assert [b.name in str(p[2]) for p in risk["penalties"]["evidence"]["penalties"]] == [True]

    switched = _recognition(s, False)
    assert switched["recognize"] is False and switched["counted"] == 0
    draw_off = commit(a, s["a_setup"], "A 停止认可")
    assert not keys & {k for k, _ in draw_off["inputs"]["excluded_objects"]}
    assert "recognized_exclusions" not in draw_off["inputs"]
    kept = ok(a.get(f"/api/v1/supervision/draws/{draw_on['draw_id']}/export"))
    assert kept["inputs"] == inputs  # committed inputs stay as they were
    assert _credit(s, "org2")["recognized"] == []
    assert "penalty" not in _credit(s, "org2")["factors"]["points"]
    risk = {sig["signal"]: sig for sig in _risk(s, "org2")["signals"]}
    assert "penalties" not in risk
