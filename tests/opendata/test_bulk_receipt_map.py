"""Bulk receipts carry state-map proofs: a dropped suspension or a forged "not found" fails offline, even when
the forger holds the platform's credential key."""

from __future__ import annotations

import base64
import copy

import pytest
from sqlalchemy import select

from certbridge.db import read_session
from certbridge.kit.canonical_json import canonical_bytes
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.keys import credential_signer
from certbridge.ledger.offline import OfflineCheckError
from certbridge.opendata.bulk_input import ListRow
from certbridge.opendata.bulk_receipt import BULK_CONTEXT, build_bulk_receipt, rows_root
from certbridge.opendata.bulk_receipt_check import verify_bulk_receipt
from certbridge.opendata.bulk_verify import summarize
from tests.opendata.test_bulk_verify import _keys


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
        signer.sign(BULK_CONTEXT + canonical_bytes(receipt))).decode("ascii")}
    return receipt


def test_a_receipt_proves_latest_events_and_unknown_numbers_from_the_map(suppliers, sessions, settings):
    receipt = _receipt(suppliers, sessions, settings)
    assert receipt["format"] == "certbridge-bulk-receipt/v2"
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
