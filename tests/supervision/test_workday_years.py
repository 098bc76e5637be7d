"""Deadlines into years whose holiday notice nobody entered: computed, marked provisional everywhere they are shown,
and recomputed when the notice is entered (CLI, console page). Today's clock is December 2026."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from certbridge.cli.main import app as cli_app
from certbridge.credit import penalties
from certbridge.credit.schemas import PenaltyIn
from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.licensing.parameters import set_publicity_setting
from certbridge.principal import SYSTEM
from certbridge.supervision import tasks
from certbridge.supervision.workday_years import calendar_years, set_year_notice
from tests.credit.conftest import penalty_body  # noqa: F401
from tests.supervision.test_pages import post
from tests.supervision.test_tasks import as_inspector, drawn_tasks
from tests.web.conftest import sign_in

# A notice for 2027 as the State Council might publish it (for the test only: 4 January made a day off).
NOTICE_2027 = {"holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"], "workdays": ["2027-01-09"],
               "names": {"2027-01-01": "元旦"}, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）"}


def _task_completed_in_december(run, certify, inspectors, batch):
    drawn = drawn_tasks(run, certify, inspectors, batch, year=2026, on=date(2026, 11, 2))
    task_id, _, staff = drawn[0]
    run(lambda s: tasks.record_result(s, principal=as_inspector(staff[0]), task_id=task_id, result="corrected",
                                      completed_on=date(2026, 12, 10), today=date(2026, 12, 11)))
    return task_id


def test_a_result_completed_in_december_2026_gets_a_provisional_deadline_in_2027(run, client, world, certify,
                                                                                   inspectors, batch):
    task_id = _task_completed_in_december(run, certify, inspectors, batch)
    reg = world.auth("regulator")
    view = client.get(f"/api/v1/supervision/tasks/{task_id}", headers=reg).json()
    assert view["publication_due_on"] == "2027-01-08" and view["publication_due_provisional"] is True
    assert "暂定" in view["warnings"][0] and "2027" in view["warnings"][0]
    en = client.get(f"/api/v1/supervision/tasks/{task_id}", headers={**reg, "Accept-Language": "en"}).json()
    assert en["warnings"][0].startswith("Provisional deadline")
    assert client.get("/api/v1/supervision/overdue", headers=reg).json()["spot_checks"] == []  # not due yet
    sign_in(client, "regulator")
    page = client.get("/regulator/supervision/tasks?status=completed").text
    assert "2027-01-08 <span class=\"badge badge-warn\">（暂定）</span>" in page and "全国年节及纪念日放假办法" in page
    assert "2027-01-08 <span class=\"badge badge-warn\">(provisional)</span>" in client.get(
        "/regulator/supervision/tasks?status=completed&lang=en").text


def test_a_penalty_decided_in_december_is_provisional_and_never_refused(run, client, world, penalty_body):  # noqa: F811
    reg = world.auth("regulator")
    body = penalty_body(decided_on="2026-12-04", samr=True, decision_number="国市监处罚〔2026〕20号")
    r = client.post("/api/v1/credit/penalties", headers=reg, json=body)
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["publication_due_on"] == "2027-01-04" and p["publication_due_provisional"] is True  # 20 working days
    assert p["withdrawal_due_on"] is None and p["withdrawal_due_provisional"] is False
    sign_in(client, "regulator")
    console = client.get("/regulator/credit").text
    assert "2027-01-04 <span class=\"badge badge-warn\">（暂定）</span>" in console


def test_entering_the_notice_recomputes_every_provisional_deadline_and_clears_the_mark(
        run, client, world, sessions, certify, inspectors, batch, penalty_body):  # noqa: F811
    task_id = _task_completed_in_december(run, certify, inspectors, batch)
    december = PenaltyIn(**penalty_body(decided_on="2026-12-25", decision_number="北市监处罚〔2026〕30号"))
    p2026 = run(lambda s: penalties.record_penalty(s, principal=SYSTEM, item=december, today=date(2026, 12, 28)).id)
    next_year = PenaltyIn(**penalty_body(decided_on="2027-12-24", decision_number="北市监处罚〔2027〕1号"))
    p2027 = run(lambda s: penalties.record_penalty(s, principal=SYSTEM, item=next_year, today=date(2027, 12, 24)).id)
    run(lambda s: set_publicity_setting(s, principal=SYSTEM, key="licensing_publication_workdays", value=20))
    approval = {"body": {"code": "00998", "approval_number": "CNCA-R-2026-098", "name": "广西暂定认证有限公司",
                         "fields": ["SYS-QMS"], "approved_on": "2026-12-04", "valid_until": "2032-12-03",
                         "uscc": "91450100MA6K5774XG", "region_code": "450100"},
                "decision": {"document_number": "国认监认字〔2026〕98号", "decided_on": "2026-12-04",
                             "authority": "国家认证认可监督管理委员会", "authority_uscc": "11100000190748334U"}}
    r = client.post("/api/v1/licensing/bodies", headers=world.auth("regulator"), json=approval)
    assert r.status_code == 201, r.text
    record = r.json()["record"]
    assert record["publication_due_on"] == "2027-01-04" and record["publication_due_provisional"] is True

    before = run(lambda s: {y["year"]: (y["source"], y["provisional_deadlines"])
                            for y in calendar_years(s, today=date(2026, 12, 6))})
    assert before[2026] == ("package", 0) and before[2027] == ("provisional", 4) and before[2028][0] == "provisional"

    _, changed = run(lambda s: set_year_notice(s, principal=SYSTEM, year=2027, table=NOTICE_2027))
    reg = world.auth("regulator")
    task = client.get(f"/api/v1/supervision/tasks/{task_id}", headers=reg).json()
    # 4 January off, Saturday 9 January worked: the notice, not the rule, decides now
    assert task["publication_due_on"] == "2027-01-09" and task["publication_due_provisional"] is False
    assert task["warnings"] == []
    dec = client.get(f"/api/v1/credit/penalties/{p2026}", headers=reg).json()
    assert dec["publication_due_on"] == "2027-01-07" and dec["publication_due_provisional"] is False
    late = client.get(f"/api/v1/credit/penalties/{p2027}", headers=reg).json()
    assert late["publication_due_on"].startswith("2028-01") and late["publication_due_provisional"] is True
    assert "2028" in late["warnings"][0]  # 2027 is official now; 2028 is not
    rec = client.get(f"/api/v1/licensing/records/{record['id']}", headers=reg).json()
    assert rec["publication_due_on"] == "2027-01-05" and rec["publication_due_provisional"] is False
    assert changed == {"inspection_result": 1, "penalty_publication": 2, "licensing_publication": 1}
    with read_session(sessions) as s:
        types = [e.type for e in s.scalars(select(LedgerEvent).order_by(LedgerEvent.seq.desc()).limit(5))]
        entered = s.scalar(select(LedgerEvent.subject_id).where(LedgerEvent.type == "workdays.notice_entered"))
    assert types.count("deadline.recomputed") == 4 and entered == "2027"
    after = run(lambda s: {y["year"]: y for y in calendar_years(s, today=date(2026, 12, 6))})
    assert after[2027]["source"] == "notice" and after[2027]["notice"].startswith("国务院办公厅")
    assert after[2028]["provisional_deadlines"] == 1


def test_the_console_page_lists_the_years_and_enters_a_notice(run, client, world, certify, inspectors, batch):
    task_id = _task_completed_in_december(run, certify, inspectors, batch)
    sign_in(client, "regulator")
    page = client.get("/regulator/workdays").text
    assert "工作日历" in page and "暂定（按放假办法推算，无调休）" in page and "官方通知（随软件提供）" in page
    bad = post(client, "/regulator/workdays", "/regulator/workdays", {
        "year": "2027", "holidays": "2027-01-01、2027-13-01", "workdays": "2027-01-09", "source": "国办通知"})
    refused = client.get(bad.headers["location"]).text
    assert "2027-13-01 不是 YYYY-MM-DD 格式的日期" in refused
    assert "2027-01-01、2027-13-01" in refused  # the input comes back
    r = post(client, "/regulator/workdays", "/regulator/workdays", {
        "year": "2027", "holidays": "2027-01-01, 2027-01-02\n2027-01-03；2027-01-04", "workdays": "2027-01-09",
        "source": "国务院办公厅关于2027年部分节假日安排的通知"})
    done = client.get(r.headers["location"]).text
    assert "已录入 2027 年放假安排；重新计算了 1 个期限。" in done
    assert re.search(r"2027</td>\s*<td[^>]*><span class=\"badge badge-ok\">官方通知（已录入）", done)
    view = client.get(f"/api/v1/supervision/tasks/{task_id}", headers=world.auth("regulator")).json()
    assert view["publication_due_on"] == "2027-01-09" and not view["publication_due_provisional"]
    sign_in(client, "inspector")
    assert client.get("/regulator/workdays").status_code == 403


def test_the_cli_shows_the_years_and_enters_a_notice_from_a_file(run, monkeypatch, tmp_path, settings, certify,
                                                                 inspectors, batch):
    task_id = _task_completed_in_december(run, certify, inspectors, batch)
    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CERTBRIDGE_SECRET_KEY", "test-secret-key")
    runner = CliRunner()
    shown = runner.invoke(cli_app, ["workdays", "show"], env={"CERTBRIDGE_LANG": "zh", "COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert re.search(r"2027\s*│\s*暂定", shown.output)
    notice = tmp_path / "notice.toml"
    notice.write_text('[years.2027]\nsource = "国办通知"\nholidays = ["2027-01-01", "2027-01-02", "2027-01-03", '
                      '"2027-01-04"]\nworkdays = ["2027-01-09"]\n', encoding="utf-8")
    entered = runner.invoke(cli_app, ["workdays", "set-year", "2027", "--file", str(notice)],
                            env={"CERTBRIDGE_LANG": "zh"})
    assert entered.exit_code == 0, entered.output
    assert "重新计算了 1 个期限" in entered.output
    assert run(lambda s: tasks.get_task(s, task_id).publication_due_on) == date(2027, 1, 9)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('holidays = ["2027-01-01"]\nworkdays = ["2027-01-05"]\n', encoding="utf-8")
    refused = runner.invoke(cli_app, ["workdays", "set-year", "2027", "--file", str(wrong)],
                            env={"CERTBRIDGE_LANG": "zh"})
    assert refused.exit_code == 1 and "调休上班日必须是周六或周日" in refused.output
