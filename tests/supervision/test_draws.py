"""Draws on a real database: commit before reveal, every avoidance rule, once a year per matter, replacement."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.errors import RuleViolation
from certbridge.ledger.journal import LedgerEvent
from certbridge.principal import SYSTEM
from certbridge.registry import people, restrictions
from certbridge.supervision import directory, draws, plans
from certbridge.supervision.drawing import digest_of, run_draw, verify_export
from certbridge.supervision.freeze import freeze_inputs
from certbridge.supervision.models import InspectionTask

TODAY = date.today()


def _events(sessions, type_, subject_id=None):
    with read_session(sessions) as s:
        stmt = select(LedgerEvent).where(LedgerEvent.type == type_).order_by(LedgerEvent.seq)
        if subject_id is not None:
            stmt = stmt.where(LedgerEvent.subject_id == str(subject_id))
        return [(e.seq, e.data) for e in s.scalars(stmt)]


def test_draw_end_to_end_through_the_api(client, world, certify, inspectors, sessions):
    certify(6)
    inspectors(5)
    reg = world.auth("regulator")
    matter = client.post("/api/v1/supervision/matters", headers=reg, json={
        "code": "RZ-ORG-01", "name": "获证组织证书使用检查", "kind": "key", "subject_type": "organization",
        "legal_basis": "《认证认可条例》", "content": "认证证书和标志使用", "method": "现场检查"})
    assert matter.status_code == 201, matter.text
    assert client.get("/api/v1/supervision/matters").json()[0]["code"] == "RZ-ORG-01"  # the list is public
    plan = client.post("/api/v1/supervision/plans", headers=reg, json={
        "year": TODAY.year, "name": "年度计划", "authority": "北海市市场监督管理局", "region_code": "450500"})
    assert plan.status_code == 201, plan.text
    assert plan.json()["class_ratios"] == {"A": "0.05", "B": "0.1", "C": "0.3", "D": "0.7"}
    batch = client.post(f"/api/v1/supervision/plans/{plan.json()['id']}/batches", headers=reg, json={
        "name": "第一批", "matter_id": matter.json()["id"], "starts_on": f"{TODAY.year}-01-02",
        "ends_on": f"{TODAY.year}-12-31", "class_counts": {"B": 3}})
    assert batch.status_code == 201, batch.text
    committed = client.post(f"/api/v1/supervision/batches/{batch.json()['id']}/draws", headers=reg, json={})
    assert committed.status_code == 201, committed.text
    draw = committed.json()
    assert draw["status"] == "committed" and draw["seed"] is None and len(draw["seed_sha256"]) == 64
    before = client.get(f"/api/v1/supervision/draws/{draw['id']}/export").json()
    assert before["seed"] is None and digest_of(before["inputs"]) == draw["inputs_sha256"]
    assert len(before["inputs"]["objects"]) == 6 and len(before["inputs"]["inspectors"]) == 6

    revealed = client.post(f"/api/v1/supervision/draws/{draw['id']}/reveal", headers=reg, json={}).json()
    assert revealed["status"] == "revealed"
    assert hashlib.sha256(bytes.fromhex(revealed["seed"])).hexdigest() == draw["seed_sha256"]
    assert len(revealed["selected"]) == 3
    assert all(len(s["inspectors"]) >= 2 and s["name"].startswith("北海示例") for s in revealed["selected"])
    assert client.get(f"/api/v1/supervision/draws/{draw['id']}/verify").json() == {
        "draw_id": draw["id"], "ok": True, "problems": []}
    exported = client.get(f"/api/v1/supervision/draws/{draw['id']}/export").json()
    assert verify_export(exported) == []

    trail = client.get(f"/api/v1/supervision/draws/{draw['id']}/trail").json()
    types = [t["type"] for t in trail]
    assert types[0] == "draw.committed" and types[1] == "draw.revealed"
    assert types.count("inspection_task.assigned") == 3
    assert trail[0]["data"]["state"]["seed_sha256"] == draw["seed_sha256"] and "seed" not in trail[0]["data"]["state"]

    # the inspector sees exactly the tasks they were drawn for
    mine = client.get("/api/v1/supervision/tasks", headers=world.auth("inspector")).json()["items"]
    expected = sum(1 for s in revealed["selected"] for i in s["inspectors"] if i["key"] == f"person:{world.ids['inspector']}")
    assert len(mine) == expected
    assert all(t["credit_class"] is None for t in mine)  # classes stay internal
    everything = client.get("/api/v1/supervision/tasks", headers=reg).json()["items"]
    assert len(everything) == 3 and all(t["credit_class"] == "B" for t in everything)


def test_commit_and_reveal_cannot_share_a_transaction(sessions, certify, inspectors, batch):
    certify(3)
    inspectors(3)
    ids = batch(class_counts={"B": 1})
    with pytest.raises(RuleViolation) as err:
        with write_session(sessions) as s:
            draw = draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"])
            draws.reveal_draw(s, principal=SYSTEM, draw_id=draw.id)
    assert err.value.code == "draw.reveal_same_transaction"


def _avoidance_world(run, certify, inspectors, sessions):
    orgs = certify(4)
    pool = inspectors(6)

    def setup(s):
        names = {o: directory.get_object(s, "organization", o).name for o in orgs}
        colleague = people.register_person(s, principal=SYSTEM, name="同单位专家", kind="inspector",
                                           employer=names[orgs[0]], region_code="450500")
        directory.declare_relationship(s, principal=SYSTEM, person_id=pool[1], object_type="organization",
                                       object_id=orgs[1], kind="relative", declared_on=TODAY - timedelta(days=30))
        directory.record_past_inspection(s, principal=SYSTEM, person_id=pool[2], object_type="organization",
                                         object_id=orgs[2], inspected_on=TODAY - timedelta(days=60), source="纸质档案")
        restrictions.impose_restriction(s, principal=SYSTEM, subject_type="person", subject_id=pool[3],
                                        kind="barred", reason="出具虚假检查结论", starts_on=TODAY - timedelta(days=1),
                                        ends_on=None)
        return colleague.id

    colleague = run(setup)
    return orgs, pool, colleague


def test_every_avoidance_rule_is_applied_with_its_reason(run, sessions, certify, inspectors, batch):
    orgs, pool, colleague = _avoidance_world(run, certify, inspectors, sessions)
    ids = batch(class_counts={"B": 4})
    with read_session(sessions) as s:
        b = plans.get_batch(s, ids["batch"])
        inputs, _ = freeze_inputs(s, plan=b.plan, batch=b, matter=plans.get_matter(s, ids["matter"]), on=TODAY)
    assert inputs["conflicts"] == sorted([
        [f"person:{colleague}", f"organization:{orgs[0]}", "same_employer"],
        [f"person:{pool[1]}", f"organization:{orgs[1]}", "declared_relationship"],
        [f"person:{pool[2]}", f"organization:{orgs[2]}", "recent_inspection"],
        [f"person:{pool[3]}", "*", "barred"],
    ])
    # choose a seed under which the walk meets every conflicted inspector, so each exclusion is exercised
    wanted = {"same_employer", "declared_relationship", "recent_inspection"}
    seed = next(bytes([k, 7]) * 16 for k in range(256)
                if wanted <= {r for item in run_draw(inputs, bytes([k, 7]) * 16)["selected"] for _, r in item["excluded"]})
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"], seed=seed).id)
    run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id))

    with read_session(sessions) as s:
        tasks = {t.object_id: [i.person_id for i in t.inspectors]
                 for t in s.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw_id))}
    assert set(tasks) == set(orgs)
    assert colleague not in tasks[orgs[0]] and pool[1] not in tasks[orgs[1]] and pool[2] not in tasks[orgs[2]]
    assert all(pool[3] not in staff and len(staff) == 2 for staff in tasks.values())
    excluded = [d for _, d in _events(sessions, "draw.inspector_excluded", draw_id)]
    assert {d["reason"] for d in excluded} == wanted | {"barred"}
    assert {"object": "*", "inspector": f"person:{pool[3]}", "reason": "barred", "replaced": False} in excluded
    assert all(d["replaced"] for d in excluded if d["object"] != "*")


def test_the_same_matter_is_not_drawn_twice_for_an_object_in_a_year(run, certify, inspectors, batch):
    orgs = certify(4)
    inspectors(4)
    first = batch(class_counts={"B": 2})
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=first["batch"]).id)
    run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id))
    drawn = run(lambda s: sorted(t.object_key for t in s.scalars(
        select(InspectionTask).where(InspectionTask.draw_id == draw_id))))
    second = batch(class_counts={"B": 4}, matter_id=first["matter"])
    again = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=second["batch"]).inputs)
    assert again["excluded_objects"] == [[key, "matter_checked_this_year"] for key in drawn]
    assert sorted(k for k, _ in again["objects"]) == sorted(f"organization:{o}" for o in orgs
                                                            if f"organization:{o}" not in drawn)
    other_matter = batch(class_counts={"B": 4}, code="RZ-ORG-02")
    fresh = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=other_matter["batch"]).inputs)
    assert len(fresh["objects"]) == 4 and fresh["excluded_objects"] == []


def test_a_redraw_with_the_same_inputs_and_seed_gives_the_same_list(run, certify, inspectors, batch):
    certify(8)
    inspectors(5)
    ids = batch(class_counts={"B": 3})
    seed = b"\x11" * 32
    first = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"], seed=seed))
    run(lambda s: draws.cancel_draw(s, principal=SYSTEM, draw_id=first.id, reason="抽取前发现名录未更新"))
    second = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"], seed=seed))
    assert (second.seed_commitment, second.inputs_digest) == (first.seed_commitment, first.inputs_digest)
    revealed = run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=second.id).outputs)
    assert revealed == run_draw(first.inputs, seed)
    assert run(lambda s: draws.verify_draw(s, draws.get_draw(s, second.id))) == []


def test_a_batch_has_one_live_draw_and_a_cancelled_one_publishes_its_seed(client, world, run, certify, inspectors,
                                                                           batch):
    certify(3)
    inspectors(3)
    ids = batch(class_counts={"B": 1})
    reg = world.auth("regulator")
    first = client.post(f"/api/v1/supervision/batches/{ids['batch']}/draws", headers=reg, json={}).json()
    dup = client.post(f"/api/v1/supervision/batches/{ids['batch']}/draws", headers=reg, json={})
    assert dup.status_code == 409 and dup.json()["code"] == "draw.batch_already_drawn"
    cancelled = client.post(f"/api/v1/supervision/draws/{first['id']}/cancel", headers=reg,
                            json={"reason": "名录错误"}).json()
    assert cancelled["status"] == "cancelled"
    assert hashlib.sha256(bytes.fromhex(cancelled["seed"])).hexdigest() == first["seed_sha256"]
    assert client.post(f"/api/v1/supervision/batches/{ids['batch']}/draws", headers=reg, json={}).status_code == 201


def test_a_named_beacon_must_be_given_at_the_reveal_and_is_mixed_in(client, world, certify, inspectors, batch):
    certify(5)
    inspectors(3)
    ids = batch(class_counts={"B": 2})
    reg = world.auth("regulator")
    draw = client.post(f"/api/v1/supervision/batches/{ids['batch']}/draws", headers=reg,
                       json={"beacon_source": "中国福利彩票双色球下一期开奖号码"}).json()
    missing = client.post(f"/api/v1/supervision/draws/{draw['id']}/reveal", headers=reg, json={})
    assert missing.status_code == 422 and "双色球" in missing.json()["detail"]
    ok = client.post(f"/api/v1/supervision/draws/{draw['id']}/reveal", headers=reg,
                     json={"beacon_value": "03 07 12 19 25 31 + 09"})
    assert ok.status_code == 200, ok.text
    exported = client.get(f"/api/v1/supervision/draws/{draw['id']}/export").json()
    assert exported["beacon"] == "03 07 12 19 25 31 + 09" and verify_export(exported) == []
    without = {**exported, "beacon": None}
    ranks = [s["rank"] for s in run_draw(exported["inputs"], bytes.fromhex(exported["seed"]))["selected"]]
    assert ranks != [s["rank"] for s in exported["outputs"]["selected"]] and verify_export(without)


def test_a_barred_inspector_is_replaced_after_the_draw_and_the_draw_still_verifies(client, world, run, sessions,
                                                                                   certify, inspectors, batch):
    certify(3)
    inspectors(6)
    ids = batch(class_counts={"B": 1})
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"]).id)
    run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id))
    reg = world.auth("regulator")
    task = client.get("/api/v1/supervision/tasks", headers=reg, params={"draw_id": draw_id}).json()["items"][0]
    leaving = task["inspectors"][0]["person_id"]
    bar = client.post(f"/api/v1/credit/people/{leaving}/bar", headers=reg, json={
        "kind": "lifetime", "reason": "严重违法", "decision_number": "北市监禁〔2026〕1号"})
    assert bar.status_code == 201, bar.text
    replaced = client.post(f"/api/v1/supervision/tasks/{task['id']}/replace-inspector", headers=reg,
                           json={"person_id": leaving, "reason": "终身禁入"}).json()
    active = [i["person_id"] for i in replaced["inspectors"] if i["active"]]
    assert leaving not in active and len(active) == 2
    assert [i for i in replaced["inspectors"] if i["person_id"] == leaving][0]["removed_reason"] == "终身禁入"
    assert client.get(f"/api/v1/supervision/draws/{draw_id}/verify").json()["ok"] is True
    exported = client.get(f"/api/v1/supervision/draws/{draw_id}/export").json()
    assert len(exported["replacements"]) == 1 and verify_export(exported) == []
    tampered = {**exported, "replacements": [{**exported["replacements"][0], "replacement": f"person:{leaving}"}]}
    assert verify_export(tampered)


def test_plans_need_two_inspectors_and_general_matters_cap_the_ratio(client, world, run, certify):
    reg = world.auth("regulator")
    low = client.post("/api/v1/supervision/plans", headers=reg, json={
        "year": TODAY.year, "name": "x", "authority": "y", "inspectors_per_object": 1})
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "inspectors_per_object"
    out_of_band = client.post("/api/v1/supervision/plans", headers=reg, json={
        "year": TODAY.year, "name": "x", "authority": "y", "class_ratios": {"A": "0.08"}})
    assert out_of_band.status_code == 422 and out_of_band.json()["code"] == "plan.ratio_outside_bounds"
    below_default = client.post("/api/v1/supervision/plans", headers=reg, json={
        "year": TODAY.year, "name": "x", "authority": "y", "default_ratio": "0.03"})
    assert below_default.json()["code"] == "plan.default_ratio_minimum"
    matter = client.post("/api/v1/supervision/matters", headers=reg, json={
        "code": "YB-01", "name": "一般事项", "kind": "general", "subject_type": "organization", "legal_basis": "x",
        "content": "x", "method": "书面检查", "max_ratio": "0.1"}).json()
    plan = client.post("/api/v1/supervision/plans", headers=reg, json={
        "year": TODAY.year, "name": "x", "authority": "y"}).json()
    # The plan's default class ratios (D 0.7) and a general matter's 10 % cap used to rule each other out, so no
    # batch of a general matter could be saved: the cap now limits every class instead.
    first = client.post(f"/api/v1/supervision/plans/{plan['id']}/batches", headers=reg, json={
        "name": "b", "matter_id": matter["id"], "starts_on": f"{TODAY.year}-03-01", "ends_on": f"{TODAY.year}-04-01"})
    assert first.status_code == 201, first.text
    over = client.post(f"/api/v1/supervision/plans/{plan['id']}/batches", headers=reg, json={
        "name": "b", "matter_id": matter["id"], "starts_on": f"{TODAY.year}-03-01", "ends_on": f"{TODAY.year}-04-01",
        "class_ratios": {"C": "0.3"}})
    assert over.status_code == 409 and over.json()["code"] == "batch.ratio_over_matter_cap"
    assert "0.1" in over.json()["detail"] and "C" in over.json()["detail"]
    within = client.post(f"/api/v1/supervision/plans/{plan['id']}/batches", headers=reg, json={
        "name": "b", "matter_id": matter["id"], "starts_on": f"{TODAY.year}-03-01", "ends_on": f"{TODAY.year}-04-01",
        "class_ratios": {"A": "0.05", "B": "0.08", "C": "0.1", "D": "0.1"}})
    assert within.status_code == 201, within.text


def test_a_general_matter_draws_every_class_at_most_at_its_cap(run, certify, inspectors, batch):
    certify(12)
    inspectors(3)
    ids = batch(matter_kind="general", max_ratio="0.1", code="YB-ORG-01")
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"]).id)
    inputs = run(lambda s: draws.get_draw(s, draw_id).inputs)
    assert inputs["ratios"] == {"A": "0.05", "B": "0.1", "C": "0.1", "D": "0.1"} and inputs["default_ratio"] == "0.05"
    revealed = run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id).outputs)
    assert revealed["quotas"]["B"] == {"eligible": 12, "ratio": "0.1", "drawn": 2}


def test_object_directory_filters_by_region_scheme_and_kind(client, world, certify):
    certify(2)
    reg = world.auth("regulator")
    orgs = client.get("/api/v1/supervision/objects", headers=reg, params={"kind": "organization",
                                                                           "region": "450000"}).json()["items"]
    assert len(orgs) == 2 and orgs[0]["certificates"][0]["scheme"] == "QMS" and orgs[0]["credit_class"] == "B"
    assert client.get("/api/v1/supervision/objects", headers=reg,
                      params={"kind": "organization", "scheme": "EMS"}).json()["items"] == []
    assert client.get("/api/v1/supervision/objects", headers=reg,
                      params={"kind": "organization", "region": "440000"}).json()["items"] == []
    bodies = client.get("/api/v1/supervision/objects", headers=reg, params={"kind": "body", "field": "PRD-CCC"})
    assert [b["name"] for b in bodies.json()["items"]] == ["北部湾质量认证中心有限公司"]
    labs = client.get("/api/v1/supervision/objects", headers=reg, params={"kind": "lab", "region": "450500"})
    assert [x["name"] for x in labs.json()["items"]] == ["北海市产品质量检验所"]
    assert client.get("/api/v1/supervision/objects", headers=world.auth("cb_a")).status_code == 403
    inspectors = client.get("/api/v1/supervision/inspectors", headers=reg).json()["items"]
    assert inspectors[0]["employer"] == "北海市市场监督管理局" and inspectors[0]["history"] == []
