"""Declared relationships keep a reviewer off an applicant's review team, and the handler sees why."""

from __future__ import annotations

from datetime import date, timedelta

from certbridge.db import write_session
from certbridge.principal import SYSTEM
from certbridge.registry import people
from tests.licensing.cases_helpers import LAB_APPLICATION, applicant, filed


def _expert(sessions, name: str, employer: str = "广西大学") -> int:
    with write_session(sessions) as db:
        return people.register_person(db, principal=SYSTEM, name=name, kind="expert", employer=employer).id


def test_reviewers_who_declared_a_relationship_with_the_applicant_are_recused(client, sessions, settings, world):
    handler = world.auth("regulator")
    ex_staff, cousin, old, clean1 = (_expert(sessions, n) for n in ("甲前", "乙亲", "丙旧", "丁清"))
    today = date.today()
    declarations = [
        (ex_staff, {"party_uscc": LAB_APPLICATION["uscc"].lower(), "kind": "former_employee"}),
        (cousin, {"party_name": "北海市 海洋检测技术有限公司", "kind": "relative"}),  # spacing does not matter
        (old, {"party_uscc": LAB_APPLICATION["uscc"], "kind": "consulting",
               "declared_on": (today - timedelta(days=800)).isoformat(),
               "ends_on": (today - timedelta(days=30)).isoformat()}),  # over: no longer a reason
    ]
    for person_id, body in declarations:
        r = client.post(f"/api/v1/supervision/inspectors/{person_id}/relationships", headers=handler,
                        json={"declared_on": (today - timedelta(days=1)).isoformat(), **body})
        assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/supervision/inspectors/{clean1}/relationships", headers=handler,
                    json={"kind": "relative", "declared_on": today.isoformat()})
    assert r.status_code == 422 and r.json()["code"] == "inspector.relationship_party"
    r = client.post(f"/api/v1/supervision/inspectors/{clean1}/relationships", headers=handler,
                    json={"kind": "relative", "declared_on": today.isoformat(), "party_uscc": "91450503MAMEA76YX0"})
    assert r.status_code == 422 and r.json()["code"] == "inspector.relationship_uscc"

    case_id = filed(sessions, applicant(sessions), data_dir=settings.data_dir)
    url = f"/api/v1/licensing/cases/{case_id}"
    assert client.post(f"{url}/steps", headers=handler, json={"action": "accept"}).status_code == 200
    r = client.post(f"{url}/steps", headers=handler,
                    json={"action": "assign_review", "team": [ex_staff, cousin, old, clean1]})
    assert r.status_code == 200, r.text
    team = r.json()["team"]
    assert [m["name"] for m in team["members"]] == ["丙旧", "丁清"]
    assert {p["name"]: p["reason"] for p in team["recused"]} == {"甲前": "declared_former_employee",
                                                                 "乙亲": "declared_relative"}
    page = client.get(f"/licensing/cases/{case_id}", headers=handler).text  # the handler sees why
    assert "甲前（申报曾在申请人处任职）" in page and "乙亲（申报与申请人有亲属关系）" in page

    entry = client.get(f"/api/v1/supervision/inspectors/{ex_staff}", headers=handler).json()
    assert entry["relationships"][0]["object"] == f"({LAB_APPLICATION['uscc']})"
    assert entry["relationships"][0]["kind"] == "former_employee"


def test_a_spot_check_draw_counts_a_declaration_naming_the_object(sessions, world):
    """A declaration by party name (made while the party applied for its licence) recuses from its spot checks."""
    from certbridge.supervision.directory import declare_relationship
    from certbridge.supervision.freeze import conflicts_for
    from certbridge.registry.models import Person

    person_id = _expert(sessions, "己咨")
    with write_session(sessions) as db:
        declare_relationship(db, principal=SYSTEM, person_id=person_id, kind="consulting", party_name="示例 认证 机构",
                             declared_on=date(2026, 1, 5))
        person = db.get(Person, person_id)
        found = conflicts_for(db, kind="body", names={"body:7": "示例认证机构", "body:8": "另一机构"},
                              inspectors=[person], on=date(2026, 6, 1), recent_months=0)
    assert found == [[f"person:{person_id}", "body:7", "declared_relationship"]]
