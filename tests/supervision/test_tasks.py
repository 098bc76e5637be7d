"""Tasks: inspectors record findings and results, publication by the legal deadline, overdue list, credit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from certbridge.errors import RuleViolation
from certbridge.principal import SYSTEM, Principal
from certbridge.registry import restrictions
from certbridge.supervision import draws, tasks
from certbridge.supervision.models import InspectionTask
from tests.jobs.follow import recompute_summary


def drawn_tasks(run, certify, inspectors, batch, *, year, on, n=2, issued_on=None):
    certify(n, issued_on=issued_on or date(year - 1, 6, 1), seed=year)
    inspectors(3)
    ids = batch(year=year, class_counts={"B": n})
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"], on=on).id)
    run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id))
    return run(lambda s: [(t.id, t.object_id, [i.person_id for i in t.inspectors]) for t in s.scalars(
        select(InspectionTask).where(InspectionTask.draw_id == draw_id).order_by(InspectionTask.id))])


def as_inspector(person_id):
    return Principal(role="inspector", user_id=99, username="insp", person_id=person_id)


@pytest.mark.parametrize(("completed_on", "due_on"), [
    (date(2024, 9, 27), date(2024, 10, 30)),  # National Day 2024: 29 Sep and 12 Oct are make-up working days
    (date(2025, 1, 20), date(2025, 2, 21)),  # Spring Festival 2025: 28 Jan–4 Feb off, 26 Jan and 8 Feb worked
    (date(2026, 2, 13), date(2026, 3, 19)),  # Spring Festival 2026: 15–23 Feb off, 14 and 28 Feb worked
], ids=["national-day-2024", "spring-festival-2025", "spring-festival-2026"])
def test_results_are_due_20_working_days_after_completion(run, certify, inspectors, batch, completed_on, due_on):
    drawn = drawn_tasks(run, certify, inspectors, batch, year=completed_on.year,
                        on=date(completed_on.year, 1, 5 if completed_on.month < 3 else 2))
    task_id, _, staff = drawn[0]
    task = run(lambda s: tasks.record_result(s, principal=as_inspector(staff[0]), task_id=task_id, result="no_problem",
                                             completed_on=completed_on, today=completed_on))
    assert task.publication_due_on == due_on
    late = run(lambda s: tasks.overdue_results(s, on=due_on))
    assert late == []
    assert [t.id for t in run(lambda s: tasks.overdue_results(s, on=date.fromordinal(due_on.toordinal() + 1)))] == [task_id]


def test_inspectors_see_and_record_only_their_own_tasks(run, client, world, certify, inspectors, batch):
    drawn = drawn_tasks(run, certify, inspectors, batch, year=date.today().year, on=date.today(), n=3)
    me = world.ids["inspector"]
    mine = [t for t in drawn if me in t[2]]
    others = [t for t in drawn if me not in t[2]]
    headers = world.auth("inspector")
    listed = client.get("/api/v1/supervision/tasks", headers=headers).json()["items"]
    assert sorted(t["id"] for t in listed) == sorted(t[0] for t in mine)
    for task_id, *_ in others:
        assert client.get(f"/api/v1/supervision/tasks/{task_id}", headers=headers).status_code == 404
        r = client.post(f"/api/v1/supervision/tasks/{task_id}/findings", headers=headers, json={"text": "x"})
        assert r.status_code == 404
    if mine:
        task_id = mine[0][0]
        r = client.post(f"/api/v1/supervision/tasks/{task_id}/findings", headers=headers,
                        json={"text": "证书使用规范，现场标志与证书范围一致"})
        assert r.status_code == 200 and r.json()["findings"][0]["text"].startswith("证书使用规范")
        r = client.post(f"/api/v1/supervision/tasks/{task_id}/result", headers=headers,
                        json={"result": "no_problem", "completed_on": date.today().isoformat()})
        assert r.status_code == 200 and r.json()["result_label"] == "未发现问题"
        again = client.post(f"/api/v1/supervision/tasks/{task_id}/findings", headers=headers, json={"text": "x"})
        assert again.status_code == 409 and again.json()["code"] == "inspection.task_closed"
    assert client.get("/api/v1/supervision/tasks", headers=world.auth("cb_a")).status_code == 403


def test_a_barred_inspector_cannot_record_findings(run, certify, inspectors, batch):
    drawn = drawn_tasks(run, certify, inspectors, batch, year=date.today().year, on=date.today())
    task_id, _, staff = drawn[0]
    run(lambda s: restrictions.impose_restriction(
        s, principal=SYSTEM, subject_type="person", subject_id=staff[0], kind="lifetime_ban", reason="终身禁入",
        starts_on=date.today(), ends_on=None))
    with pytest.raises(RuleViolation) as err:
        run(lambda s: tasks.add_finding(s, principal=as_inspector(staff[0]), task_id=task_id, text="x"))
    assert err.value.code == "inspection.inspector_barred" and "终身禁入" in err.value.message("zh")


def test_published_results_carry_the_required_fields_and_failures_feed_credit(run, client, world, certify,
                                                                              inspectors, batch):
    drawn = drawn_tasks(run, certify, inspectors, batch, year=date.today().year, on=date.today())
    reg = world.auth("regulator")
    (passed_id, passed_org, _), (failed_id, failed_org, _) = drawn
    for task_id, result in ((passed_id, "no_problem"), (failed_id, "refused_serious")):
        r = client.post(f"/api/v1/supervision/tasks/{task_id}/result", headers=reg,
                        json={"result": result, "completed_on": date.today().isoformat()})
        assert r.status_code == 200, r.text
    assert client.get("/api/v1/public/spot-checks").json()["items"] == []  # nothing public before publication
    assert client.post(f"/api/v1/supervision/tasks/{failed_id}/publish", headers=world.auth("inspector")).status_code == 403
    assert client.post(f"/api/v1/supervision/tasks/{failed_id}/publish", headers=reg).status_code == 200
    public = client.get("/api/v1/public/spot-checks").json()["items"]
    assert len(public) == 1
    item = public[0]
    assert item["authority"] == "北海市市场监督管理局" and item["check_type_label"] == "双随机"
    assert item["date"] == date.today().isoformat() and item["result_label"] == "不配合检查情节严重"
    assert "credit_class" not in item
    recompute_summary(client, reg)
    failed = client.get(f"/api/v1/credit/records/organization/{failed_org}", headers=reg).json()
    passed = client.get(f"/api/v1/credit/records/organization/{passed_org}", headers=reg).json()
    assert failed["score"] == 700 and failed["credit_class"] == "C"
    assert failed["factors"]["points"] == {"check_refused_serious": 400}
    assert passed["score"] == 200 and passed["credit_class"] == "A"
