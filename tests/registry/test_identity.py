"""Bans and exits bind the identity, not the record (DOMAIN.md "Identity, bans and exits")."""

from __future__ import annotations

import random

from sqlalchemy import select

from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.uscc import generate_uscc
from certbridge.registry.models import Person
from tests.world import certificate_payload

ID_NUMBER = "11010519491231002X"
SAME_ID_WRITTEN_OTHERWISE = "１１０１０５ １９４９１２３１ ００２x"  # full-width digits, spaces, lower-case x


def _register(client, world, name, body, number, id_number=ID_NUMBER, lang="zh"):
    return client.post("/api/v1/people", headers={**world.auth("regulator"), "Accept-Language": lang},
                       json={"name": name, "kind": "auditor", "body_id": world.ids[body], "id_number": id_number,
                             "registrations": [{"number": number, "field": "QMS"}]})


def _ban_for_life(client, world, person_id):
    r = client.post(f"/api/v1/credit/people/{person_id}/bar", headers=world.auth("regulator"),
                    json={"kind": "lifetime", "reason": "出具虚假认证结论，情节严重", "decision_number": "国市监认罚〔2026〕9号"})
    assert r.status_code == 201, r.text


def test_lifetime_banned_auditor_cannot_come_back_as_a_new_record(client, world):
    first = _register(client, world, "孙伟", "body_a", "2023-N1QMS-3000001")
    assert first.status_code == 201, first.text
    _ban_for_life(client, world, first.json()["id"])

    again = _register(client, world, "孙伟", "body_b", "2026-N1QMS-3000009", id_number=SAME_ID_WRITTEN_OTHERWISE)
    assert again.status_code == 409
    assert again.json()["code"] == "person.identity_banned"
    assert "终身禁入" in again.json()["detail"] and "国市监认罚〔2026〕9号" in again.json()["detail"]
    english = _register(client, world, "Sun Wei", "body_b", "2026-N1QMS-3000009", lang="en")
    assert "a lifetime ban" in english.json()["detail"]
    # the number he held is his identity too, whatever ID document (or none) comes with it
    reused = _register(client, world, "孙伟", "body_b", "2023-N1QMS-3000001", id_number="450502198001011239")
    assert reused.status_code == 409 and reused.json()["code"] == "person.identity_banned"


def test_banned_person_with_a_second_record_cannot_lead_another_bodys_audit(client, world):
    first = _register(client, world, "孙伟", "body_a", "2023-N1QMS-3000001")
    second = _register(client, world, "孙伟", "body_b", "2024-N1QMS-4000002", id_number=SAME_ID_WRITTEN_OTHERWISE)
    assert second.status_code == 201, second.text  # not banned yet: a second record is allowed
    _ban_for_life(client, world, first.json()["id"])

    payload = certificate_payload(world, number="00213Q26000001", auditors=("2024-N1QMS-4000002",))
    r = client.post(f"/api/v1/bodies/{world.ids['body_b']}/certificates", headers=world.auth("cb_b"), json=payload)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "auditor.identity_banned"
    assert "终身禁入" in r.json()["detail"] and "2024-N1QMS-4000002" in r.json()["detail"]
    registrations = client.get(f"/api/v1/people/{second.json()['id']}").json()["registrations"]
    assert [r["status"] for r in registrations] == ["revoked"]  # the bar revoked every record's registrations
    moved = client.post(f"/api/v1/people/{second.json()['id']}/registrations", headers=world.auth("regulator"),
                        json={"number": "2026-N1EMS-4000003", "field": "EMS"})
    assert moved.status_code == 409 and moved.json()["code"] == "person.identity_banned"


def test_id_number_is_checked_and_never_stored_in_clear(client, world, sessions):
    bad = _register(client, world, "周杰", "body_a", "2023-N1QMS-3000005", id_number="110105194912310021")
    assert bad.status_code == 422 and bad.json()["code"] == "identity.id_number_checksum"
    assert bad.json()["errors"][0]["field"] == "id_number"
    ok = _register(client, world, "周杰", "body_a", "2023-N1QMS-3000005")
    assert ok.status_code == 201 and "id_number" not in ok.json()
    with sessions() as s:
        stored = s.get(Person, ok.json()["id"]).id_fingerprint
        assert len(stored) == 64 and ID_NUMBER not in stored
        bodies = s.scalars(select(LedgerEvent.body)).all()
    assert not [b for b in bodies if ID_NUMBER in b or ID_NUMBER.lower() in b]


def test_person_registered_before_ids_were_asked_gets_one_later(client, world):
    # a1 was registered without an ID document (old rows have none); recording it binds a later ban to it
    r = client.put(f"/api/v1/people/{world.ids['a1']}/id-document", headers=world.auth("regulator"),
                   json={"id_number": ID_NUMBER})
    assert r.status_code == 200, r.text
    _ban_for_life(client, world, world.ids["a1"])
    again = _register(client, world, "李明", "body_b", "2026-N1QMS-5000001")
    assert again.status_code == 409 and again.json()["code"] == "person.identity_banned"


def _approve(client, world, code, number, uscc, rep=None):
    payload = {"code": code, "approval_number": number, "name": f"认证中心{code}", "fields": ["SYS-QMS"],
               "approved_on": "2020-01-02", "uscc": uscc}
    if rep:
        payload["legal_representative_id_number"] = rep
    return client.post("/api/v1/bodies", headers=world.auth("regulator"), json=payload)


def test_permanently_exited_body_cannot_be_approved_again_under_a_new_code(client, world):
    uscc = generate_uscc(random.Random(7), region="450502")
    body = _approve(client, world, "00901", "CNCA-R-2020-901", uscc, rep=ID_NUMBER)
    assert body.status_code == 201, body.text
    r = client.post(f"/api/v1/credit/bodies/{body.json()['id']}/revoke", headers=world.auth("regulator"),
                    json={"reason": "出具虚假认证证书", "decision_number": "国认监罚〔2026〕3号", "permanent_exit": True})
    assert r.status_code == 200, r.text

    again = _approve(client, world, "00902", "CNCA-R-2026-902", uscc)
    assert again.status_code == 409 and again.json()["code"] == "body.identity_exited"
    assert uscc in again.json()["detail"] and "永久退出" in again.json()["detail"]
    other_code = generate_uscc(random.Random(8), region="450502")
    same_rep = _approve(client, world, "00903", "CNCA-R-2026-903", other_code, rep=SAME_ID_WRITTEN_OTHERWISE)
    assert same_rep.status_code == 409 and same_rep.json()["code"] == "body.legal_rep_exited"
    fresh = _approve(client, world, "00904", "CNCA-R-2026-904", other_code, rep="450502198001011239")
    assert fresh.status_code == 201, fresh.text
