"""Spot-check pages: public results and draws, the regulator's workflow end to end, the inspector's tasks."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.supervision.models import InspectionTask, SpotCheckDraw
from tests.leaks import visible_text
from tests.web.conftest import csrf_from, sign_in

YEAR = date.today().year


def post(client, page, action, data):
    token = csrf_from(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=False)


def test_a_regulator_runs_a_draw_from_the_pages_and_the_public_sees_it(client, world, sessions, certify, inspectors):
    certify(4)
    inspectors(3)
    assert "信息公示" in client.get("/").text  # the public nav entry
    assert sign_in(client, "regulator").status_code == 303
    page = client.get("/regulator/supervision")
    assert page.status_code == 200 and "抽查事项清单" in page.text and "双随机一公开" in page.text
    r = post(client, "/regulator/supervision", "/regulator/supervision/matters", {
        "code": "RZ-ORG-09", "name": "证书使用检查", "kind": "key", "subject_type": "organization",
        "legal_basis": "《认证认可条例》", "content": "证书和标志", "method": "现场检查"})
    assert r.status_code == 303
    bad = post(client, "/regulator/supervision", "/regulator/supervision/matters", {
        "code": "RZ-ORG-10", "name": "一般", "kind": "general", "subject_type": "organization",
        "legal_basis": "x", "content": "x", "method": "x"})
    assert "一般检查事项必须规定抽查比例上限" in client.get(bad.headers["location"]).text
    r = post(client, "/regulator/supervision", "/regulator/supervision/plans", {
        "year": str(YEAR), "name": "年度计划", "authority": "北海市市场监督管理局", "region_code": "450500"})
    plan_url = r.headers["location"]
    assert plan_url.startswith("/regulator/supervision/plans/")
    with read_session(sessions) as s:
        matter_id = s.scalar(select(InspectionTask.id).limit(1))  # none yet
    assert matter_id is None
    r = post(client, plan_url, plan_url + "/batches", {
        "name": "第一批", "matter_id": "1", "check_type": "random", "starts_on": f"{YEAR}-01-02",
        "ends_on": f"{YEAR}-12-31", "count_B": "2"})
    assert "已保存" in client.get(r.headers["location"]).text
    plan_page = client.get(plan_url).text
    action = re.search(r'action="(/regulator/supervision/batches/\d+/draw)"', plan_page).group(1)
    r = post(client, plan_url, action, {"beacon_source": ""})
    draw_url = r.headers["location"]
    committed = client.get(draw_url).text
    assert "已承诺" in committed and "种子承诺" in committed and "揭晓并抽取" in committed
    r = post(client, draw_url, draw_url + "/reveal", {})
    revealed = client.get(r.headers["location"]).text
    assert "已复核：重新抽取结果一致" in revealed
    trail = visible_text(revealed)  # the trail names its events in words, never by code (newcomer)
    assert "抽取已揭晓" in trail and "draw.revealed" not in trail
    with read_session(sessions) as s:
        draw_id = s.scalar(select(SpotCheckDraw.id))
        task_id = s.scalar(select(InspectionTask.id).order_by(InspectionTask.id))
    public = client.get(f"/publicity/draws/{draw_id}")
    assert public.status_code == 200 and "已复核" in public.text
    client.post(f"/api/v1/supervision/tasks/{task_id}/result", headers=world.auth("regulator"),
                json={"result": "corrected", "completed_on": date.today().isoformat()})
    tasks_page = client.get("/regulator/supervision/tasks?status=completed").text
    assert "发现问题已责令改正" in tasks_page
    r = post(client, "/regulator/supervision/tasks?status=completed",
             f"/regulator/supervision/tasks/{task_id}/publish", {})
    assert r.status_code == 303
    results = client.get("/publicity/spot-checks").text
    assert "发现问题已责令改正" in results and "北海市市场监督管理局" in results and "双随机" in results
    english = client.get("/publicity/spot-checks?lang=en").text
    assert "Problems found, correction ordered" in english


def test_the_inspector_records_a_result_on_their_own_task(client, world, run, certify, inspectors, batch):
    from certbridge.principal import SYSTEM
    from certbridge.supervision import draws

    certify(3)
    inspectors(1)  # two inspectors in all: the world's is on every task
    ids = batch(class_counts={"B": 1})
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"]).id)
    run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id))
    assert sign_in(client, "inspector").status_code == 303
    listing = client.get("/inspector/tasks").text
    assert "我的检查任务" in listing
    task_url = re.search(r'href="(/inspector/tasks/\d+)"', listing).group(1)
    r = post(client, task_url, task_url + "/findings", {"text": "现场使用的证书与登记一致"})
    assert "现场使用的证书与登记一致" in client.get(r.headers["location"]).text
    r = post(client, task_url, task_url + "/result", {"result": "no_problem",
                                                       "completed_on": date.today().isoformat()})
    page = client.get(r.headers["location"]).text
    assert "未发现问题" in page and "待公示" in page
    assert client.get("/regulator/supervision").status_code == 403


def test_the_dashboard_shows_overdue_publications(client, run, certify, inspectors, batch):
    from certbridge.principal import SYSTEM
    from certbridge.supervision import draws, tasks

    certify(2, issued_on=date(2024, 1, 10))
    inspectors(2)
    ids = batch(year=2024, class_counts={"B": 1})
    draw_id = run(lambda s: draws.commit_draw(s, principal=SYSTEM, batch_id=ids["batch"], on=date(2024, 3, 1)).id)
    run(lambda s: draws.reveal_draw(s, principal=SYSTEM, draw_id=draw_id))
    task_id = run(lambda s: s.scalar(select(InspectionTask.id)))
    run(lambda s: tasks.record_result(s, principal=SYSTEM, task_id=task_id, result="no_problem",
                                      completed_on=date(2024, 3, 5), today=date(2024, 3, 5)))
    sign_in(client, "regulator")
    dashboard = client.get("/regulator").text
    count = re.search(r"抽查结果逾期未公示.*?<p class=\"stat\">(\d+)</p>", dashboard, re.S)
    assert count and count.group(1) == "1", dashboard[dashboard.find("抽查结果逾期未公示") - 300:][:800]
