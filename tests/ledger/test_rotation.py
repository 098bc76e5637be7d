"""Key rotation: new checkpoints use the new key, every old checkpoint and token stays verifiable."""

from __future__ import annotations

import json

from certbridge.kit.signed_note import Verifier, open as open_note
from certbridge.ledger.keys import key_path, keys_dir
from certbridge.ledger.offline import verify_checkpoint_note
from tests.ledger.conftest import published_keys


def test_rotating_the_log_key_keeps_old_checkpoints_verifiable(client, issue, cli, settings, tmp_path):
    issue()
    old_note = client.get("/log/checkpoint").text
    old_key = published_keys(client, "log")[0]
    before_file = key_path(settings, "log").read_text()

    result = cli("ledger", "rotate-key", "--purpose", "log")
    assert result.exit_code == 0, result.output
    keys = {k["verifier_key"]: k for k in client.get("/api/v1/ledger/keys").json() if k["purpose"] == "log"}
    assert keys[old_key]["valid_until"] is not None
    new_key = next(k for k, v in keys.items() if v["valid_until"] is None)
    assert key_path(settings, "log").read_text() != before_file
    assert any(p.read_text() == before_file for p in (keys_dir(settings) / "retired").iterdir())

    issue()  # a write after rotation is signed by the new key only
    new_note = client.get("/log/checkpoint").text
    assert verify_checkpoint_note(new_note, log_keys=[new_key]).signed_by[0].startswith("certbridge.local/log+")
    assert open_note(old_note, [Verifier(old_key)]).sigs  # the old checkpoint still verifies with the old key
    assert not open_note(new_note, [Verifier(old_key), Verifier(new_key)]).unverified_sigs

    # The old and the new checkpoint are consistent, checked offline with both keys.
    old_size = int(old_note.split("\n")[1])
    proof = client.get("/api/v1/ledger/proof/consistency", params={"old": old_size}).json()
    for name, text in (("old.txt", old_note), ("new.txt", new_note), ("proof.json", json.dumps(proof))):
        (tmp_path / name).write_text(text)
    new_size = int(new_note.split("\n")[1])
    proof_new = client.get("/api/v1/ledger/proof/consistency", params={"old": old_size, "new": new_size}).json()
    (tmp_path / "proof.json").write_text(json.dumps(proof_new))
    result = cli("ledger", "check-consistency", tmp_path / "old.txt", tmp_path / "new.txt",
                 "--proof", tmp_path / "proof.json", "--key", old_key, "--key", new_key)
    assert result.exit_code == 0, result.output
    assert cli("ledger", "verify").exit_code == 0


def test_the_hand_over_checkpoint_carries_both_signatures(client, cli, sessions):
    from sqlalchemy import select

    from certbridge.db import read_session
    from certbridge.ledger.models import LedgerCheckpoint

    old_key = published_keys(client, "log")[0]
    assert cli("ledger", "rotate-key").exit_code == 0
    new_key = [k for k in published_keys(client, "log") if k != old_key][0]
    with read_session(sessions) as session:
        notes = list(session.scalars(select(LedgerCheckpoint.note).order_by(LedgerCheckpoint.id)))
    hand_over = next(n for n in notes if n.count("\u2014 certbridge.local/log ") == 2)
    assert len(open_note(hand_over, [Verifier(old_key), Verifier(new_key)]).sigs) == 2


def test_tokens_made_before_a_credential_key_rotation_stay_authentic(client, issue, cli):
    cert = issue()
    token = client.get(f"/api/v1/certificates/{cert['id']}/token").json()["token"]
    assert cli("ledger", "rotate-key", "--purpose", "credential").exit_code == 0
    new_token = client.get(f"/api/v1/certificates/{cert['id']}/token").json()["token"]
    assert new_token != token
    for t in (token, new_token):
        check = client.get("/api/v1/tokens/verify", params={"token": t}).json()
        assert check["authentic"] and check["valid_now"], check


def test_a_rotation_that_cannot_start_changes_nothing(client, cli, settings):
    keep = key_path(settings, "log").read_text()
    result = cli("ledger", "rotate-key", "--purpose", "nonsense")
    assert result.exit_code == 1 and "nonsense" in result.output
    assert key_path(settings, "log").read_text() == keep
