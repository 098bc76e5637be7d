"""Bulk receipts carry state-map proofs of what each verdict rests on: a dropped suspension or a forged "not
found" fails offline, even when the forger holds the platform's credential key."""

from __future__ import annotations

import base64
import copy
import json

import pytest
from sqlalchemy import select

from certbridge.certificates.bulk import issue_drafts
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, StatusChangeIn
from certbridge.certificates.workflow import suspend_certificate
from certbridge.db import read_session, write_session
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.keys import credential_signer
from certbridge.ledger.offline import OfflineCheckError
from certbridge.ledger.proofs import latest_checkpoint
from certbridge.opendata import bulk_map_proof
from certbridge.opendata.bulk_input import ListRow
from certbridge.opendata.bulk_receipt import bulk_context, build_bulk_receipt, rows_root
from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt
from certbridge.opendata.bulk_verify import summarize
from certbridge.principal import SYSTEM
from tests.opendata.test_bulk_verify import _keys
from tests.world import certificate_payload


def _receipt(suppliers, sessions, settings):
    rows = [ListRow(2, number=suppliers.numbers[0]), ListRow(3, uscc=suppliers.usccs[1]),
            ListRow(4, number="00126Q99NOSUCH", name="无此公司商行"), ListRow(5, number=suppliers.numbers[2])]
    with read_session(sessions) as session:
        return build_bulk_receipt(session, settings=settings, rows=rows, list_name="list.csv")


def _resign(receipt, settings):
    """Do what a forger with the platform's credential key would: make rows, root, summary agree and sign."""
    receipt["rows_root"] = rows_root(receipt["rows"])
    receipt["summary"] = summarize(receipt["rows"])
    receipt.pop("signature")
    signer = credential_signer(settings)
    receipt["signature"] = {"key": f"{signer.name}+{signer.key_id:08x}", "value": base64.b64encode(
        signer.sign(bulk_context(receipt["format"]) + canonical_bytes(receipt))).decode("ascii")}
    return receipt


def _issue_seq(sessions, cert_id):
    """Return the index and leaf hash of a certificate's first (issue) event."""
    with read_session(sessions) as session:
        seq, leaf = session.execute(
            select(LedgerEvent.seq, LedgerEvent.leaf_hash).where(LedgerEvent.subject_type == "certificate",
                                                                 LedgerEvent.subject_id == str(cert_id))
            .order_by(LedgerEvent.seq)).first()
    return seq, base64.b64encode(bytes(leaf)).decode()


def _fails(receipt, sessions, settings, code):
    """Assert the offline check, with the instance's own keys, refuses a receipt with `code`."""
    with pytest.raises(OfflineCheckError) as caught:
        verify_bulk_receipt(receipt, **_keys(sessions, settings))
    assert caught.value.code == code


@pytest.fixture
def second_holding(suppliers, sessions, settings, world):
    """Supplier 5 also holds a second certificate, since suspended: a valid row shows it beside its valid one."""
    payload = certificate_payload(world, number="00126Q28SECOND", issued_on="2025-04-01")
    payload["holder"] = {"name": suppliers.names[5], "uscc": suppliers.usccs[5]}
    with write_session(sessions) as session:
        issue_drafts(session, principal=SYSTEM, body_id=world.ids["body_a"],
                     drafts=[CertificateIn.model_validate(payload)])
        second = session.scalar(select(Certificate.id).where(Certificate.number == "00126Q28SECOND"))
        suspend_certificate(session, principal=SYSTEM, certificate_id=second,
                            change=StatusChangeIn(reason="监督审核未按期进行"))
    integrate_pending(sessions, settings=settings)
    return second


def test_a_receipt_proves_latest_events_and_unknown_numbers_from_the_map(suppliers, sessions, settings):
    receipt = _receipt(suppliers, sessions, settings)
    assert receipt["format"] == "certbridge-bulk-receipt/v3"
    assert [r["outcome"] for r in receipt["rows"]] == ["not_valid", "valid", "not_found", "valid"]
    checked = verify_bulk_receipt(receipt, **_keys(sessions, settings))
    assert checked["map_checked"] is True
    assert checked["map"]["certificates"] == 3 and checked["map"]["absent_numbers"] == 1
    assert checked["map"]["bodies"] >= 1


def test_a_dropped_suspension_fails_even_signed_with_the_credential_key(suppliers, sessions, settings):
    receipt = _receipt(suppliers, sessions, settings)
    cert = receipt["rows"][0]["certificates"][0]
    assert cert["status"] == "suspended"
    with read_session(sessions) as session:  # the certificate's issue event, before its suspension
        issued_seq, issued_leaf = session.execute(
            select(LedgerEvent.seq, LedgerEvent.leaf_hash).where(LedgerEvent.subject_type == "certificate",
                                                                 LedgerEvent.subject_id == str(cert["id"]))
            .order_by(LedgerEvent.seq)).first()
    name = f"certificate:{cert['body']['code']}:{cert['number']}"
    for also_map in (False, True):
        forged = copy.deepcopy(receipt)
        row = forged["rows"][0]
        row["certificates"][0].update(status="valid", valid=True, reasons=[], last_seq=issued_seq)
        row["outcome"] = "valid"
        if also_map:  # and the map entry made to name the issue event too
            forged["state"]["certificates"][name] = [issued_seq, base64.b64encode(bytes(issued_leaf)).decode()]
        _resign(forged, settings)
        with pytest.raises(OfflineCheckError) as caught:
            verify_bulk_receipt(forged, **_keys(sessions, settings))
        assert caught.value.code == "bulk_receipt.map_latest"


def test_a_forged_not_found_fails_even_signed_with_the_credential_key(suppliers, sessions, settings):
    receipt = _receipt(suppliers, sessions, settings)
    forged = copy.deepcopy(receipt)
    row = forged["rows"][3]  # a number that exists, answered as unknown
    row.update(certificates=[], organization=None, outcome="not_found", match="none",
               notes=[*row["notes"], "number_unknown"])
    forged["state"]["certificates"] = {k: v for k, v in forged["state"]["certificates"].items()
                                       if not k.endswith(suppliers.numbers[2])}
    _resign(forged, settings)
    with pytest.raises(OfflineCheckError) as caught:  # the proof was made for other names
        verify_bulk_receipt(forged, **_keys(sessions, settings))
    assert caught.value.code == "bulk_receipt.map_proof"


def test_a_stripped_map_proof_fails(suppliers, sessions, settings):
    forged = copy.deepcopy(_receipt(suppliers, sessions, settings))
    forged["state"] = None
    _resign(forged, settings)
    with pytest.raises(OfflineCheckError) as caught:
        verify_bulk_receipt(forged, **_keys(sessions, settings))
    assert caught.value.code == "bulk_receipt.map_missing"


def test_a_valid_row_proves_its_valid_certificates_not_the_holders_others(suppliers, second_holding, sessions,
                                                                          settings):
    rows = [ListRow(2, uscc=suppliers.usccs[5]), ListRow(3, number="00126Q28SECOND")]
    with read_session(sessions) as session:
        receipt = build_bulk_receipt(session, settings=settings, rows=rows)
    shown = receipt["rows"][0]["certificates"]
    assert receipt["rows"][0]["outcome"] == "valid"
    assert [(c["number"], c["status"]) for c in shown] == [(suppliers.numbers[5], "valid"),
                                                          ("00126Q28SECOND", "suspended")]
    code = shown[0]["body"]["code"]
    # row 2 proves its valid certificate; row 3 asked for the suspended one by number: not valid, so proven
    assert sorted(receipt["state"]["certificates"]) == sorted(
        [f"certificate:{code}:{suppliers.numbers[5]}", f"certificate:{code}:00126Q28SECOND"])
    checked = verify_bulk_receipt(receipt, **_keys(sessions, settings))
    assert checked["map"]["certificates"] == 2

    with read_session(sessions) as session:  # the same holder alone: the suspended one beside it is not proven
        alone = build_bulk_receipt(session, settings=settings, rows=rows[:1])
    assert list(alone["state"]["certificates"]) == [f"certificate:{code}:{suppliers.numbers[5]}"]
    assert verify_bulk_receipt(alone, **_keys(sessions, settings))["map"]["certificates"] == 1

    # but the moment the suspended one is shown valid, the verdict rests on it and the map must prove it
    issue_seq, issue_leaf = _issue_seq(sessions, second_holding)
    for also_map in (False, True):
        forged = copy.deepcopy(alone)
        forged["rows"][0]["certificates"][1].update(status="valid", valid=True, reasons=[], last_seq=issue_seq,
                                                    in_checkpoint=True)
        if also_map:
            forged["state"]["certificates"][f"certificate:{code}:00126Q28SECOND"] = [issue_seq, issue_leaf]
        _fails(_resign(forged, settings), sessions, settings, "bulk_receipt.map_proof")
    # nor does a status that says valid under a verdict that says not valid escape the proof
    forged = copy.deepcopy(alone)
    forged["rows"][0]["certificates"][1].update(status="valid", reasons=[], last_seq=issue_seq)
    _fails(_resign(forged, settings), sessions, settings, "bulk_receipt.map_proof")
    forged = copy.deepcopy(alone)  # and a verdict flag that is not a plain true or false is refused
    forged["rows"][0]["certificates"][1]["valid"] = 0
    _fails(_resign(forged, settings), sessions, settings, "bulk_receipt.row_outcome")


def test_every_row_showing_a_proven_certificate_is_checked_not_only_one(suppliers, sessions, settings):
    rows = [ListRow(2, number=suppliers.numbers[0]), ListRow(3, uscc=suppliers.usccs[0])]
    with read_session(sessions) as session:
        receipt = build_bulk_receipt(session, settings=settings, rows=rows)
    assert [r["outcome"] for r in receipt["rows"]] == ["not_valid", "not_valid"]
    assert verify_bulk_receipt(receipt, **_keys(sessions, settings))["map"]["certificates"] == 1
    cert = receipt["rows"][0]["certificates"][0]
    issue_seq, _ = _issue_seq(sessions, cert["id"])
    for forged_row in (0, 1):  # the suspension dropped from one row's copy only, the other left honest
        forged = json.loads(json.dumps(receipt))  # as a checker reads it: each row its own copy
        forged["rows"][forged_row]["certificates"][0].update(status="valid", valid=True, reasons=[],
                                                             last_seq=issue_seq)
        forged["rows"][forged_row]["outcome"] = "valid"
        _fails(_resign(forged, settings), sessions, settings, "bulk_receipt.map_latest")


def test_a_v2_receipt_proves_every_certificate_shown_and_is_still_checked(suppliers, second_holding, sessions,
                                                                          settings):
    rows = [ListRow(2, uscc=suppliers.usccs[5])]
    with read_session(sessions) as session:
        receipt = build_bulk_receipt(session, settings=settings, rows=rows)
        cp = latest_checkpoint(session)
        every = bulk_map_proof.build_state(session, size=cp.size, map_root=bytes(cp.map_root),
                                           rows=receipt["rows"], every=True)
    assert len(every["certificates"]) == 2 and len(receipt["state"]["certificates"]) == 1
    v2 = _resign({**copy.deepcopy(receipt), "format": "certbridge-bulk-receipt/v2", "state": every}, settings)
    assert verify_bulk_receipt(v2, **_keys(sessions, settings))["map"]["certificates"] == 2
    # a v3 proof (the valid certificate only) passed off as a v2 receipt does not hold
    short = _resign({**copy.deepcopy(receipt), "format": "certbridge-bulk-receipt/v2"}, settings)
    _fails(short, sessions, settings, "bulk_receipt.map_proof")


def test_a_proof_bit_flipped_or_cut_fails(suppliers, sessions, settings):
    receipt = _receipt(suppliers, sessions, settings)
    proof = base64.b64decode(receipt["state"]["map_proof"])
    for damaged in (proof[:-1], proof + b"\x00", proof[:40] + bytes([proof[40] ^ 1]) + proof[41:],
                    bytes([proof[0] ^ 1]) + proof[1:]):
        forged = copy.deepcopy(receipt)
        forged["state"]["map_proof"] = base64.b64encode(damaged).decode()
        _fails(_resign(forged, settings), sessions, settings, "bulk_receipt.map_proof")


def test_latest_events_read_by_last_seq_are_those_the_events_search_finds(suppliers, sessions, settings):
    with write_session(sessions) as session:  # a suspension not yet in any checkpoint: its last_seq is after it
        later = session.scalar(select(Certificate.id).where(Certificate.number == suppliers.numbers[2]))
        suspend_certificate(session, principal=SYSTEM, certificate_id=later,
                            change=StatusChangeIn(reason="监督审核未按期进行"))
    receipt = _receipt(suppliers, sessions, settings)
    size = receipt["tree_size"]
    shown = [c for row in receipt["rows"] for c in row["certificates"]]
    assert any(c["id"] == later and c["last_seq"] >= size for c in shown)
    misnamed = [dict(c, last_seq=shown[0]["last_seq"]) for c in shown[1:]]  # another certificate's event
    with read_session(sessions) as session:
        for certificates in (shown, misnamed, [dict(c, last_seq=None) for c in shown]):
            ids = sorted({c["id"] for c in certificates})
            assert bulk_map_proof._latest_certificates(session, certificates, size) == bulk_map_proof._latest(
                session, "certificate", ids, size)
    assert verify_bulk_receipt(receipt, **_keys(sessions, settings))["map_checked"] is True
