"""The regulator's console page of declared relationships (回避): declaring one by registry record or by a party's name
and USCC, the list and its filters, withdrawing one with a reason (page and API) — after which draws and licensing
review teams no longer exclude the person for it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.registry.avoidance import declared_relationships
from certbridge.registry.models import InspectorRelationship
from tests.leaks import visible_text
from tests.web.conftest import post_form, sign_in

PAGE = "/regulator/relationships"
APPLICANT = ("广西申请检测有限公司", "91450503MAMEA76YXC")


def _page(client, query: str = "") -> str:
    return visible_text(client.get(PAGE + query).text)


def test_a_regulator_declares_filters_and_withdraws_relationships_on_the_console(client, world, sessions):
    sign_in(client, "regulator")
    home = client.get("/regulator").text
    assert f'href="{PAGE}"' in home and "回避申报" in visible_text(home)
    inspector = str(world.ids["inspector"])

    refused = post_form(client, PAGE, data={"person_id": inspector, "kind": "relative", "party_by": "record",
                                            "object_type": "organization", "record_number": "91450000NOTREAL001",
                                            "note": "配偶任职"})
    assert refused.status_code == 303
    again = client.get(refused.headers["location"]).text
    assert "找不到编号为“91450000NOTREAL001”的登记记录" in visible_text(again)
    assert 'value="91450000NOTREAL001"' in again and 'value="配偶任职"' in again  # the input comes back

    by_record = post_form(client, PAGE, data={"person_id": inspector, "kind": "relative", "party_by": "record",
                                              "object_type": "organization", "record_number": world.uscc["org2"],
                                              "note": "配偶任职"})
    assert "已登记关系申报" in visible_text(client.get(by_record.headers["location"]).text)
    by_party = post_form(client, PAGE, data={"person_id": inspector, "kind": "consulting", "party_by": "party",
                                             "party_name": APPLICANT[0], "party_uscc": APPLICANT[1]})
    assert by_party.status_code == 303
    listed = _page(client)
    assert "周敏 — 亲属：组织 北海格力电器配件有限公司" in listed
    assert f"周敏 — 曾提供咨询：{APPLICANT[0]}" in listed and APPLICANT[1] in listed

    assert "北海格力电器配件有限公司" not in _page(client, "?kind=consulting")
    assert APPLICANT[0] not in _page(client, "?party=格力")
    assert "北海格力电器配件有限公司" in _page(client, f"?party={world.uscc['org2']}")
    with read_session(sessions) as db:
        rel = db.scalar(select(InspectorRelationship).where(InspectorRelationship.party_uscc == APPLICANT[1]))
        rel_id = rel.id
        found = declared_relationships(db, [world.ids["inspector"]], on=date.today(), party_name=None,
                                       party_uscc=APPLICANT[1])
    assert list(found) == [world.ids["inspector"]]

    action = f"{PAGE}/{rel_id}/withdraw"
    no_reason = post_form(client, PAGE, action, data={"reason": " "})
    assert "必填" in visible_text(client.get(no_reason.headers["location"]).text)
    done = post_form(client, PAGE, action, data={"reason": "申报有误：未曾提供咨询"})
    assert "已撤回关系申报" in visible_text(client.get(done.headers["location"]).text)
    withdrawn = _page(client, "?status=withdrawn")
    assert APPLICANT[0] in withdrawn and "申报有误：未曾提供咨询" in withdrawn
    assert "北海格力电器配件有限公司" not in withdrawn
    assert APPLICANT[0] not in _page(client, "?status=in_force")
    with read_session(sessions) as db:
        assert declared_relationships(db, [world.ids["inspector"]], on=date.today(), party_name=APPLICANT[0],
                                      party_uscc=APPLICANT[1]) == {}
        event = db.scalar(select(LedgerEvent).where(LedgerEvent.type == "inspector.relationship_withdrawn"))
        assert event.public is False and event.subject_id == str(rel_id)

    english = visible_text(client.get(PAGE + "?lang=en").text)
    assert "Declared relationships" in english and "Withdraw the declaration" in english


def test_the_inspector_or_a_regulator_withdraws_through_the_api(client, world):
    inspector, regulator = world.auth("inspector"), world.auth("regulator")
    r = client.post(f"/api/v1/supervision/inspectors/{world.ids['inspector']}/relationships", headers=inspector,
                    json={"party_name": APPLICANT[0], "kind": "other", "declared_on": date.today().isoformat()})
    assert r.status_code == 201, r.text
    url = f"/api/v1/supervision/relationships/{r.json()['id']}/withdraw"
    assert client.post(url, headers=world.auth("cb_a"), json={"reason": "x"}).status_code == 403
    assert client.post(url, headers=inspector, json={"reason": ""}).status_code == 422
    done = client.post(url, headers=inspector, json={"reason": "关系已终止"})
    assert done.status_code == 200 and done.json()["withdrawn_on"] == date.today().isoformat()
    twice = client.post(url, headers=regulator, json={"reason": "再次撤回"})
    assert twice.status_code == 409 and twice.json()["code"] == "inspector.relationship_already_withdrawn"
    listed = client.get("/api/v1/supervision/relationships", headers=regulator, params={"status": "withdrawn"})
    assert [x["withdrawal_reason"] for x in listed.json()] == ["关系已终止"]
    assert client.get("/api/v1/supervision/relationships", headers=inspector).status_code == 403
    entry = client.get(f"/api/v1/supervision/inspectors/{world.ids['inspector']}", headers=inspector).json()
    assert entry["relationships"][-1]["withdrawal_reason"] == "关系已终止"
