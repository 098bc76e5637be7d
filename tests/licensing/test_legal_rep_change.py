"""法定代表人变更 as a licensing change case: the body's record takes the new representative (as a keyed hash)
when the licence is issued, with its private event; the 双公示 record names the new representative."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.licensing.case_models import LicensingCase
from certbridge.licensing.models import LicensingRecord
from certbridge.registry.identity import fingerprint, identity_key
from certbridge.registry.models import CertificationBody

WEIGHTS, CHECK = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), "10X98765432"


def _national_id(first17: str) -> str:
    return first17 + CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def test_a_body_changes_its_legal_representative_through_a_case(client, settings, world):
    operator, handler = world.auth("cb_a"), world.auth("regulator")
    new_rep = _national_id("45050219800101123")
    change = {"kind": "change", "subject_type": "body", "subject_id": world.ids["body_a"], "procedure": "commitment",
              "application": {"legal_representative": "李新", "legal_representative_id_number": new_rep}}
    r = client.post("/api/v1/licensing/cases", headers=operator,
                    json={**change, "application": {"legal_representative": "李新"}})
    assert r.status_code == 422 and r.json()["code"] == "field.required"  # the ID document is needed too
    r = client.post("/api/v1/licensing/cases", headers=operator,
                    json={**change, "application": {**change["application"], "legal_representative_id_number": "1"}})
    assert r.status_code == 422 and r.json()["code"].startswith("identity.")
    r = client.post("/api/v1/licensing/cases", headers=operator, json=change)
    assert r.status_code == 201, r.text
    case = r.json()
    url = f"/api/v1/licensing/cases/{case['id']}"
    assert new_rep not in r.text and case["application"]["legal_representative"] == "李新"
    assert client.post(f"{url}/steps", headers=operator, json={"action": "submit"}).status_code == 200
    for action in ("accept", "approve", "issue_licence"):
        r = client.post(f"{url}/steps", headers=handler, json={"action": action})
        assert r.status_code == 200, (action, r.text)

    expected = fingerprint(identity_key(settings), new_rep)
    with read_session(client.app.state.sessions) as db:
        body = db.get(CertificationBody, world.ids["body_a"])
        row = db.get(LicensingCase, case["id"])
        record = db.get(LicensingRecord, row.licensing_record_id)
        events = list(db.scalars(select(LedgerEvent).where(LedgerEvent.type == "body.legal_rep_changed")))
        assert body.legal_rep_fingerprint == expected
        assert new_rep not in str(row.application)
        assert record.kind == "change" and record.legal_representative == "李新"
        assert "法定代表人变更为李新" in record.content
        assert [(e.subject_id, e.public) for e in events] == [(str(world.ids["body_a"]), False)]
        assert not db.scalar(select(LedgerEvent.seq).where(LedgerEvent.body.contains(new_rep)))

    again = client.post("/api/v1/licensing/cases", headers=operator, json=change)
    assert again.status_code == 422 and again.json()["code"] == "licensing_case.same_legal_rep"
