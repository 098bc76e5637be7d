"""A signed receipt of a certificate issued under accreditation carries its accreditation label — the accreditation
body, the number and whether an IAF MLA signatory covers it, as verification shows it — in JSON and PDF, and the
receipt checker proves the label from the log (a forged label, re-signed with the platform's own key, fails)."""

from __future__ import annotations

import copy

import pytest

from certbridge.credentials.receipt_check import extract_receipt, verify_receipt
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.offline import OfflineCheckError
from tests.credentials.test_receipt_fields import _api_check, _resign
from tests.international.test_international import _foreign_body, _foreign_certificate, _issue


def test_a_receipt_carries_and_proves_the_accreditation_label(client, world, sessions, settings):
    body = _foreign_body(client, world)
    cert = _issue(client, world, body["id"], _foreign_certificate("GB-Q-2001", accreditation_body="UKAS",
                                                                  accreditation_number="UKAS 0001")).json()
    plain = _issue(client, world, body["id"], _foreign_certificate("GB-Q-2002")).json()
    integrate_pending(sessions, settings=settings)
    shown = client.get("/api/v1/verify", params={"number": "GB-Q-2001"}).json()["certificates"][0]["accreditation"]

    receipt = client.get(f"/api/v1/certificates/{cert['id']}/receipt.json").json()
    label = receipt["certificate"]["accreditation"]
    assert (label["body"], label["number"], label["covered"]) == ("UKAS", "UKAS 0001", True)
    assert label["recognized"]["arrangement"] == shown["arrangement"] == "IAF MLA"
    assert label["scope"] == {"main": "17021-1", "sub": "QMS"} and label["label"]["zh"] == shown["label"]
    assert "UKAS is an IAF MLA signatory for QMS" in label["label"]["en"]
    assert verify_receipt(receipt)["certificate"]["accreditation"] == label
    assert _api_check(client, receipt)["valid"] is True
    assert "accreditation" not in client.get(f"/api/v1/certificates/{plain['id']}/receipt.json").json()["certificate"]

    pdf = client.get(f"/api/v1/certificates/{cert['id']}/receipt.pdf")
    assert pdf.status_code == 200 and extract_receipt(pdf.content)["certificate"]["accreditation"] == label

    for field, forge in (("accreditation.covered", lambda a: a.update(covered=False)),
                         ("accreditation.number", lambda a: a.update(number="UKAS 9999")),
                         ("accreditation.scope", lambda a: a["scope"].update(sub="EMS")),
                         ("accreditation.label", lambda a: a["label"].update(en="Covered by everything"))):
        forged = copy.deepcopy(receipt)
        forge(forged["certificate"]["accreditation"])
        with pytest.raises(OfflineCheckError) as err:
            verify_receipt(_resign(settings, forged))
        assert err.value.code == "receipt.claim_differs" and err.value.params["field"] == field
    assert "accreditation_body" not in receipt["context"]  # UKAS as seeded: the packaged reference proves it

    # the regulator records that UKAS's MLA signature for management systems ended: the next receipt says "not
    # covered", proven by UKAS's own events; dropping them (to fall back on the reference) is caught
    ukas = client.get("/api/v1/accreditation-bodies/UKAS").json()
    scopes = [{**row, "signatory_until": "2020-01-01"} if row["main_scope"] == "17021-1" else row
              for row in ukas["scopes"]]
    r = client.put("/api/v1/accreditation-bodies/UKAS", headers=world.auth("regulator"),
                   json={**{k: ukas[k] for k in ("name", "name_en", "country", "website", "note")}, "scopes": scopes})
    assert r.status_code == 200, r.text
    integrate_pending(sessions, settings=settings)
    later = client.get(f"/api/v1/certificates/{cert['id']}/receipt.json").json()
    assert later["certificate"]["accreditation"]["covered"] is False and later["context"]["accreditation_body"]
    assert "not covered by mutual recognition" in later["certificate"]["accreditation"]["label"]["en"]
    assert verify_receipt(later)["certificate"]["accreditation"]["covered"] is False
    stripped = copy.deepcopy(later)
    stripped["context"].pop("accreditation_body")
    with pytest.raises(OfflineCheckError) as err:
        verify_receipt(_resign(settings, stripped))
    assert err.value.code == "receipt.claim_differs" and err.value.params["field"] == "accreditation.recognized"
