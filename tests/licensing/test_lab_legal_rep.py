"""A lab's legal representative: asked for in its application (the ID number kept only as a keyed hash), shown
on its public record by name, and changed only through a 法定代表人变更 case — by the API and by the pages — that
updates the record when the licence is issued and publishes its 双公示 change record, as for a body."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.licensing.case_models import LicensingCase
from certbridge.licensing.models import LicensingRecord
from certbridge.registry.identity import fingerprint, identity_key
from certbridge.registry.models import Lab
from tests.leaks import visible_text
from tests.licensing.cases_helpers import LAB_APPLICATION, PDF
from tests.licensing.test_case_api import _applicant_key
from tests.web.conftest import post_form, sign_in

NEW_REP = "45050219880808456X"
OTHER_REP = "450502199009097895"


def _walk(client, url, operator, handler):
    assert client.post(f"{url}/steps", headers=operator, json={"action": "submit"}).status_code == 200
    for action in ("accept", "approve", "issue_licence"):
        r = client.post(f"{url}/steps", headers=handler, json={"action": action})
        assert r.status_code == 200, (action, r.text)


def test_a_lab_application_asks_for_the_representative_and_keeps_only_the_hash(client, settings, world):
    handler = world.auth("regulator")

    me = _applicant_key(client.app.state.sessions, "rep_lab")
    without = {k: v for k, v in LAB_APPLICATION.items() if k != "legal_representative_id_number"}
    r = client.post("/api/v1/licensing/cases", headers=me, json={"subject_type": "lab", "application": without})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "application.legal_representative_id_number"
    r = client.post("/api/v1/licensing/cases", headers=me,
                    json={"subject_type": "lab", "application": {**without, "legal_rep_fingerprint": "ab" * 32}})
    assert r.status_code == 422  # a client cannot hand in a hash of its own: the number is checked and hashed here
    r = client.post("/api/v1/licensing/cases", headers=me, json={"subject_type": "lab", "application": LAB_APPLICATION,
                                                                 "procedure": "commitment"})
    assert r.status_code == 201, r.text
    assert LAB_APPLICATION["legal_representative_id_number"] not in r.text
    url = f"/api/v1/licensing/cases/{r.json()['id']}"
    assert client.post(f"{url}/attachments", headers=me,
                       files={"file": ("质量手册.pdf", PDF, "application/pdf")}).status_code == 201
    _walk(client, url, me, handler)
    with read_session(client.app.state.sessions) as db:
        lab = db.get(Lab, db.get(LicensingCase, r.json()["id"]).subject_id)
        assert lab.legal_representative == "黄海"
        assert lab.legal_rep_fingerprint == fingerprint(identity_key(settings),
                                                        LAB_APPLICATION["legal_representative_id_number"])
        lab_id = lab.id
        assert not db.scalar(select(LedgerEvent.seq).where(
            LedgerEvent.body.contains(LAB_APPLICATION["legal_representative_id_number"])))
    public = client.get(f"/api/v1/labs/{lab_id}").json()
    assert public["legal_representative"] == "黄海" and "fingerprint" not in str(public)
    assert "黄海" in visible_text(client.get(f"/labs/{lab_id}").text)


def test_a_lab_changes_its_legal_representative_through_a_case(client, settings, world):
    operator, handler = world.auth("lab"), world.auth("regulator")
    change = {"kind": "change", "subject_type": "lab", "subject_id": world.ids["lab"], "procedure": "commitment",
              "application": {"legal_representative": "李新", "legal_representative_id_number": NEW_REP}}
    r = client.patch(f"/api/v1/labs/{world.ids['lab']}", headers=operator, json={"legal_representative": "李新"})
    assert r.status_code in (409, 422)  # not by the operator's own hand
    r = client.post("/api/v1/licensing/cases", headers=operator,
                    json={**change, "application": {"legal_representative": "李新"}})
    assert r.status_code == 422 and r.json()["code"] == "field.required"  # the ID document is needed too
    r = client.post("/api/v1/licensing/cases", headers=operator, json=change)
    assert r.status_code == 201, r.text
    case = r.json()
    assert NEW_REP not in r.text and case["application"]["legal_representative"] == "李新"
    _walk(client, f"/api/v1/licensing/cases/{case['id']}", operator, handler)

    expected = fingerprint(identity_key(settings), NEW_REP)
    with read_session(client.app.state.sessions) as db:
        lab = db.get(Lab, world.ids["lab"])
        row = db.get(LicensingCase, case["id"])
        record = db.get(LicensingRecord, row.licensing_record_id)
        events = list(db.scalars(select(LedgerEvent).where(LedgerEvent.type == "lab.legal_rep_changed")))
        assert (lab.legal_representative, lab.legal_rep_fingerprint) == ("李新", expected)
        assert record.kind == "change" and record.category == "普通" and record.legal_representative == "李新"
        assert "法定代表人变更为李新" in record.content and record.licence_number == lab.cma_number
        assert [(e.subject_id, e.public) for e in events] == [(str(world.ids["lab"]), False)]
        assert not db.scalar(select(LedgerEvent.seq).where(LedgerEvent.body.contains(NEW_REP)))
        record_id = record.id
    public = client.get(f"/api/v1/licensing/records/{record_id}", headers=handler).json()
    assert public["legal_representative"] == "李新"
    assert client.get(f"/api/v1/labs/{world.ids['lab']}").json()["legal_representative"] == "李新"

    again = client.post("/api/v1/licensing/cases", headers=operator, json=change)
    assert again.status_code == 422 and again.json()["code"] == "licensing_case.same_legal_rep"


def test_the_lab_operator_applies_for_the_change_on_the_form(app, client, world, settings):
    operator = TestClient(app)
    assert sign_in(operator, "lab").status_code == 303
    form = f"/licensing/apply?kind=change&subject_type=lab&subject_id={world.ids['lab']}"
    page = visible_text(operator.get(form).text)
    assert "新任法定代表人" in page and "法定代表人身份证或护照号码" in page
    data = {"kind": "change", "subject_type": "lab", "subject_id": str(world.ids["lab"]), "procedure": "general",
            "legal_representative": "王立", "legal_representative_id_number": "45050219900909789X"}
    refused = post_form(operator, form, "/licensing/apply", data=data)
    assert refused.status_code == 422 and "王立" in refused.text  # the form keeps the name, never the number
    assert "45050219900909789X" not in refused.text
    made = post_form(operator, form, "/licensing/apply", data={**data, "legal_representative_id_number": OTHER_REP})
    assert made.status_code == 303, made.text[:1500]
    case_page = operator.get(made.headers["location"]).text
    assert "王立" in visible_text(case_page) and OTHER_REP not in case_page
    with read_session(client.app.state.sessions) as db:
        case = db.scalar(select(LicensingCase).where(LicensingCase.subject_id == world.ids["lab"],
                                                     LicensingCase.kind == "change"))
        assert case.application["legal_rep_fingerprint"] == fingerprint(identity_key(settings), OTHER_REP)
