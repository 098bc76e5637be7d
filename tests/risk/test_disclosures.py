"""Bodies' public commitments and annual reports: filed by the body, public on its page and in the API, due by a
rule kept as data; a report filed late or missing is the `late_report` risk signal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.principal import SYSTEM
from certbridge.risk.compute import recompute_all
from certbridge.risk.disclosures import file_annual_report, late_report, set_report_rule
from certbridge.risk.models import RiskSignal
from tests.web.conftest import csrf_from

LAST_YEAR = date.today().year - 1


def test_a_body_publishes_its_commitment_and_annual_report_and_the_public_sees_them(client, sessions, world,
                                                                                    signed_in):
    body_a, reg = world.ids["body_a"], world.auth("regulator")
    assert client.put("/api/v1/risk/disclosure-rule", json={"due_month": 3, "due_day": 31, "first_year": LAST_YEAR},
                      headers=reg).status_code == 200
    before = client.get(f"/api/v1/bodies/{body_a}/disclosures").json()
    assert before["commitment"] is None and before["annual_reports"] == []
    overdue = date.today() > date(LAST_YEAR + 1, 3, 31)
    assert [m["year"] for m in before["missing_reports"]] == ([LAST_YEAR] if overdue else [])
    url = f"/api/v1/bodies/{body_a}/commitment"
    assert client.post(url, json={"text": "承诺"}, headers=world.auth("cb_b")).status_code == 403  # not its body
    assert client.post(url, json={"text": "承诺"}).status_code == 401
    r = client.post(url, json={"text": "本机构承诺：所有审核均到现场实施。"}, headers=world.auth("cb_a"))
    assert r.status_code == 201 and r.json()["commitment"]["text"] == "本机构承诺：所有审核均到现场实施。"
    report = client.post(f"/api/v1/bodies/{body_a}/annual-reports", json={"year": LAST_YEAR, "text": "全年运行平稳"},
                         headers=world.auth("cb_a"))
    assert report.status_code == 201, report.text
    filed = report.json()["annual_reports"][0]
    assert filed["year"] == LAST_YEAR and filed["late"] is overdue and report.json()["missing_reports"] == []
    assert set(filed["figures"]) == {"certificates_issued", "auditors", "complaints_received", "complaints_handled"}
    assert filed["figures"]["auditors"] >= 1
    again = client.post(f"/api/v1/bodies/{body_a}/annual-reports", json={"year": LAST_YEAR, "text": "重复"},
                        headers=world.auth("cb_a"))
    assert again.status_code == 409 and again.json()["code"] == "disclosure.already_filed"
    this_year = client.post(f"/api/v1/bodies/{body_a}/annual-reports", json={"year": LAST_YEAR + 1, "text": "未结束"},
                            headers=world.auth("cb_a"))
    assert this_year.status_code == 422 and this_year.json()["code"] == "disclosure.year_range"
    page = client.get(f"/bodies/{body_a}").text
    assert "所有审核均到现场实施" in page and "全年运行平稳" in page and "公开承诺" in page

    signed_in("cb_a")  # the console form: a new commitment replaces the old on the public page
    form = client.get("/cb/disclosures").text
    r = client.post("/cb/disclosures/commitment", data={"csrf_token": csrf_from(form), "text": "新的承诺：不出具虚假结论"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(f"/bodies/{body_a}").text
    assert "新的承诺：不出具虚假结论" in page and "所有审核均到现场实施" not in page


def test_late_and_missing_reports_are_a_signal_and_on_time_ones_are_not(sessions, world):
    body_a, body_b = world.ids["body_a"], world.ids["body_b"]
    with write_session(sessions) as db:
        set_report_rule(db, principal=SYSTEM, due_month=3, due_day=31, first_year=2023)
        file_annual_report(db, principal=SYSTEM, body_id=body_a, year=2023, text="按时", on=date(2024, 3, 30))
        file_annual_report(db, principal=SYSTEM, body_id=body_a, year=2024, text="逾期", on=date(2025, 4, 20))
        file_annual_report(db, principal=SYSTEM, body_id=body_b, year=2023, text="按时", on=date(2024, 3, 31))
    with read_session(sessions) as db:
        found = late_report(db, "body", None, date(2025, 6, 1), 1095)
        assert found[body_a] == (1.0, {"reports": [{"year": 2024, "due_on": "2025-03-31", "filed_on": "2025-04-20",
                                                    "days_late": 20}]})
        assert found[body_b][1]["reports"] == [{"year": 2024, "due_on": "2025-03-31", "filed_on": None,
                                                "days_late": 62}]
        assert late_report(db, "body", [body_a], date(2025, 3, 31), 1095) == {}  # not due yet on the due day
        assert body_b not in late_report(db, "body", None, date(2025, 6, 1), 30)  # due date out of the window
    with write_session(sessions) as db:  # the signal goes through the signal definitions into the score
        recompute_all(db, today=date(2025, 6, 1))
    with read_session(sessions) as db:
        row = db.scalar(select(RiskSignal).where(RiskSignal.subject_type == "body", RiskSignal.subject_id == body_b,
                                                 RiskSignal.signal == "late_report"))
        assert row.triggered and row.value == 1
