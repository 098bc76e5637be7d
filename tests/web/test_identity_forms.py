"""The regulator's forms take ID documents and refuse a banned person or an exited body under a new record."""

from __future__ import annotations

import random

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.kit.uscc import generate_uscc
from certbridge.registry.models import CertificationBody, Person
from tests.web.conftest import post_form

ID_NUMBER = "11010519491231002X"


def _person(client, number, body, id_number=ID_NUMBER):
    return post_form(client, "/regulator/people/new", data={
        "name": "孙伟", "kind": "auditor", "body_id": str(body), "number": number, "field": "QMS",
        "id_number": id_number})


def test_banned_person_cannot_be_registered_again_from_the_console(client, sessions, world, signed_in):
    signed_in("regulator")
    first = _person(client, "2023-N1QMS-3000001", world.ids["body_a"])
    assert first.status_code == 303, first.text
    person_id = int(first.headers["location"].rsplit("/", 1)[1])
    r = client.post(f"/api/v1/credit/people/{person_id}/bar", headers=world.auth("regulator"),
                    json={"kind": "lifetime", "reason": "出具虚假认证结论，情节严重", "decision_number": "国市监认罚〔2026〕9号"})
    assert r.status_code == 201, r.text
    again = _person(client, "2026-N1QMS-3000009", world.ids["body_b"], id_number="110105 19491231 002x")
    assert again.status_code == 409
    assert "终身禁入" in again.text and "国市监认罚〔2026〕9号" in again.text
    assert ID_NUMBER not in again.text and "002x" not in again.text  # the number is not echoed back
    bad = _person(client, "2026-N1QMS-3000010", world.ids["body_b"], id_number="110105194912310021")
    assert bad.status_code == 422 and "校验位" in bad.text
    with read_session(sessions) as db:
        assert db.scalar(select(Person.id_fingerprint).where(Person.id == person_id)) not in (None, ID_NUMBER)


def test_exited_body_cannot_be_approved_again_from_the_console(client, sessions, world, signed_in):
    signed_in("regulator")
    uscc = generate_uscc(random.Random(7), region="450502")

    def approve(code, number, rep=ID_NUMBER, code_uscc=uscc):
        return post_form(client, "/regulator/bodies/new", data={
            "code": code, "approval_number": number, "name": f"认证中心{code}", "uscc": code_uscc,
            "approved_on": "2020-01-02", "fields": "SYS-QMS", "legal_representative_id_number": rep})

    first = approve("00901", "CNCA-R-2020-901")
    assert first.status_code == 303, first.text
    with read_session(sessions) as db:
        body_id = db.scalar(select(CertificationBody.id).where(CertificationBody.code == "00901"))
    r = client.post(f"/api/v1/credit/bodies/{body_id}/revoke", headers=world.auth("regulator"),
                    json={"reason": "出具虚假认证证书", "decision_number": "国认监罚〔2026〕3号", "permanent_exit": True})
    assert r.status_code == 200, r.text
    again = approve("00902", "CNCA-R-2026-902", rep="")
    assert again.status_code == 409 and "永久退出" in again.text and uscc in again.text
    same_rep = approve("00903", "CNCA-R-2026-903", code_uscc=generate_uscc(random.Random(8), region="450502"))
    assert same_rep.status_code == 409 and "法定代表人" in same_rep.text
