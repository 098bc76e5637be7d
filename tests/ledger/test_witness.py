"""Witnessing (C2SP tlog-witness) between two certbridge instances on two databases, fork attempts included."""

from __future__ import annotations

import base64
import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from certbridge.db import read_session, write_session
from certbridge.ledger.journal import EventDraft, LedgerEvent, record_events
from certbridge.kit.merkle import reference_consistency_proof, root_from_leaves
from certbridge.kit.signed_note import CosignatureVerifier, format_checkpoint, generate_key, open as open_note, sign
from certbridge.kit.signed_note import Signer, Verifier
from certbridge.ledger.integrate import integrate_pending
from certbridge.ledger.keys import log_signer, witness_cosigner
from certbridge.ledger.models import WitnessedLog
from certbridge.ledger.offline import check_inclusion
from certbridge.ledger.witness import trust_log
from certbridge.ledger.status_check import check_status
from certbridge.ledger.witnessing import add_witness, request_cosignatures
from certbridge.principal import SYSTEM
from tests.ledger.conftest import open_checkpoint, published_keys

WITNESS_URL = "http://witness.test/witness"


@pytest.fixture
def pair(app, witness_app):
    """Return (log client, witness client), the log asking the witness and the witness trusting the log."""
    app.state.ledger_interval = None  # no background task: the test decides when witnesses are asked
    with TestClient(app) as log_client, TestClient(witness_app, base_url="http://witness.test") as w_client:
        app.state.witness_http = w_client
        log_key = published_keys(log_client, "log")[0]
        with write_session(witness_app.state.sessions) as session:
            trust_log(session, principal=SYSTEM, origin="certbridge.local/log", verifier_key=log_key)
        with write_session(app.state.sessions) as session:
            add_witness(session, principal=SYSTEM, url=WITNESS_URL,
                        verifier_key=witness_cosigner(witness_app.state.settings).verifier_key)
        integrate_pending(app.state.sessions, settings=app.state.settings)  # "witness added" is in the log too
        yield log_client, w_client


def _grow(app, count: int) -> None:
    with write_session(app.state.sessions) as session:
        record_events(session, [EventDraft("test.appended", "test", str(i), "system", {"i": i}) for i in range(count)])
    integrate_pending(app.state.sessions, settings=app.state.settings)


def _witnessed(witness_app) -> tuple[int, bytes]:
    """Return the (size, root) the witness last cosigned for our log."""
    with read_session(witness_app.state.sessions) as session:
        row = session.scalar(select(WitnessedLog))
        return row.size, row.root_hash


def _post(w_client, old: int, proof: list[bytes], note: str):
    body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
    return w_client.post("/witness/add-checkpoint", content=body.encode())


def test_the_witness_cosigns_and_the_log_serves_the_cosignature(app, witness_app, pair):
    log_client, w_client = pair
    outcomes = request_cosignatures(app.state.sessions, http=w_client)
    assert [o.ok for o in outcomes] == [True], outcomes
    note = log_client.get("/log/checkpoint").text
    witness_key = witness_cosigner(witness_app.state.settings).verifier_key
    opened = open_note(note, [CosignatureVerifier(witness_key)])
    assert opened.sigs[0].name == "witness.test/witness" and opened.sigs[0].timestamp > 0
    size = open_checkpoint(log_client).size
    assert _witnessed(witness_app)[0] == size
    # Grow the log: the witness checks the consistency proof from what it saw before and cosigns again.
    _grow(app, 40)
    assert [o.ok for o in request_cosignatures(app.state.sessions, http=w_client)] == [True]
    assert _witnessed(witness_app)[0] == size + 40
    bundle = log_client.get("/api/v1/ledger/events/3/proof").json()
    result = check_inclusion(bundle, log_keys=published_keys(log_client, "log"), witness_keys=[witness_key],
                             min_cosignatures=1)
    assert result["cosigned_by"] == (f"witness.test/witness+{CosignatureVerifier(witness_key).key_id:08x}",)
    assert log_client.get("/api/v1/ledger/witnesses").json()[0]["last_size"] == size + 40
    # the witness cosigned the state map with the tree: the cosigned note carries the map line, and an absence
    # proof checks against a checkpoint a plain C2SP witness accepted (a background write may have signed a newer
    # one since, not yet cosigned: so the cosignature itself is asserted on the note above)
    note = log_client.get("/log/checkpoint").text
    cosigned = open_note(note, [CosignatureVerifier(witness_key)])
    if cosigned.sigs:
        assert "\ncertbridge-state-map/v2 " in cosigned.text
    assert "\ncertbridge-state-map/v2 " in opened.text
    absent = log_client.get("/api/v1/ledger/status", params={"certificate": "00000:NEVER"}).json()
    proven = check_status(absent, log_keys=published_keys(log_client, "log"), witness_keys=[witness_key])
    assert proven["present"] is False


def test_the_witness_refuses_forks_stale_sizes_and_strangers(app, witness_app, pair):
    log_client, w_client = pair
    request_cosignatures(app.state.sessions, http=w_client)
    seen_size, seen_root = _witnessed(witness_app)
    signer = log_signer(app.state.settings)  # a log that turned bad still holds its key
    forged_root = os.urandom(32)
    fork = sign(format_checkpoint("certbridge.local/log", seen_size + 5, forged_root), [signer])
    honest_proof = [base64.b64decode(h) for h in log_client.get(
        "/api/v1/ledger/proof/consistency", params={"old": seen_size - 1}).json()["proof"]]

    r = _post(w_client, seen_size, honest_proof[:2], fork)
    assert r.status_code == 422 and "consistency" in r.text
    same_size = sign(format_checkpoint("certbridge.local/log", seen_size, forged_root), [signer])
    r = _post(w_client, seen_size, [], same_size)
    assert r.status_code == 409 and r.text == f"{seen_size}\n"
    assert r.headers["content-type"].startswith("text/x.tlog.size")
    r = _post(w_client, 0, [], fork)  # stale: the witness tells the size it has
    assert r.status_code == 409 and r.text == f"{seen_size}\n"
    assert _post(w_client, 0, [], sign(format_checkpoint("elsewhere/log", 1, forged_root), [signer])).status_code == 404
    stranger = Signer(generate_key("certbridge.local/log")[0])
    assert _post(w_client, seen_size, [], sign(format_checkpoint("certbridge.local/log", seen_size + 1, forged_root),
                                                [stranger])).status_code == 403
    assert _post(w_client, seen_size + 9, [], fork).status_code == 400
    assert w_client.post("/witness/add-checkpoint", content=b"hello").status_code == 400
    assert _witnessed(witness_app) == (seen_size, seen_root)  # nothing refused changed its view


def test_a_split_view_is_detected_by_the_honest_log(app, witness_app, pair):
    log_client, w_client = pair
    request_cosignatures(app.state.sessions, http=w_client)
    seen = _witnessed(witness_app)[0]
    with read_session(app.state.sessions) as session:
        leaves = list(session.scalars(select(LedgerEvent.leaf_hash).order_by(LedgerEvent.seq)))
    # A consistent-looking fork shown to the witness: the true prefix plus three invented events.
    forked = leaves + [os.urandom(32) for _ in range(3)]
    note = sign(format_checkpoint("certbridge.local/log", len(forked), root_from_leaves(forked)),
                [log_signer(app.state.settings)])
    assert _post(w_client, seen, reference_consistency_proof(forked, seen), note).status_code == 200
    # The real log moves on differently; the witness will not cosign it, and the log says why.
    _grow(app, 1)
    outcome = request_cosignatures(app.state.sessions, http=w_client)[0]
    assert not outcome.ok and "bigger than ours" in outcome.detail
    assert "fork" in log_client.get("/api/v1/ledger/witnesses").json()[0]["last_error"]
    opened = open_note(log_client.get("/log/checkpoint").text,
                       [CosignatureVerifier(witness_cosigner(witness_app.state.settings).verifier_key)]
                       + [Verifier(k) for k in published_keys(log_client, "log")])
    assert [s.name for s in opened.sigs] == ["certbridge.local/log"]  # no cosignature on the real checkpoint
