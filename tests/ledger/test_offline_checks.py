"""Offline checks from the CLI: proof bundles and consistency, with no database and no trust in the server."""

from __future__ import annotations

import json

from certbridge.kit.signed_note import Signer, format_checkpoint, generate_key, sign
from certbridge.ledger.keys import log_signer
from tests.ledger.conftest import published_keys


def _history_bundle(client, issue, act):
    cert = issue()
    act(cert["id"], "suspend")
    seq = client.get(f"/api/v1/certificates/{cert['id']}/history").json()[-1]["seq"]
    r = client.get(f"/api/v1/certificates/{cert['id']}/history/{seq}/proof")
    assert r.status_code == 200
    return cert, seq, r.json()


def test_a_downloaded_bundle_checks_out_offline_and_fails_when_tampered(client, issue, act, cli, tmp_path):
    cert, seq, bundle = _history_bundle(client, issue, act)
    key = published_keys(client, "log")[0]
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(bundle))
    ok = cli("ledger", "check-inclusion", "--bundle", path, "--key", key)
    assert ok.exit_code == 0, ok.output
    assert f"OK: event {seq} is included in certbridge.local/log's signed checkpoint" in ok.output
    assert f"certificate.suspended · certificate {cert['id']}" in ok.output
    zh = cli("ledger", "check-inclusion", "--bundle", path, "--key", key, lang="zh")
    assert zh.exit_code == 0 and "通过" in zh.output

    tampered = dict(bundle, event=bundle["event"].replace('"suspended"', '"valid"'))
    path.write_text(json.dumps(tampered))
    result = cli("ledger", "check-inclusion", "--bundle", path, "--key", key)
    assert result.exit_code == 1 and "does not match the stated leaf hash" in result.output
    path.write_text(json.dumps(dict(tampered, leaf_hash=None)))
    result = cli("ledger", "check-inclusion", "--bundle", path, "--key", key)
    assert result.exit_code == 1 and "inclusion proof fails" in result.output


def test_a_bundle_signed_by_another_key_is_not_trusted(client, issue, act, cli, tmp_path):
    _, _, bundle = _history_bundle(client, issue, act)
    impostor = Signer(generate_key("certbridge.local/log")[0])
    text = bundle["checkpoint"].split("\n\n")[0] + "\n"
    forged = dict(bundle, checkpoint=sign(text, [impostor]))
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(forged))
    result = cli("ledger", "check-inclusion", "--bundle", path, "--key", published_keys(client, "log")[0])
    assert result.exit_code == 1 and "not signed by the key you gave" in result.output
    result = cli("ledger", "check-inclusion", "--bundle", path, "--key", "nonsense")
    assert result.exit_code == 1 and "Malformed key" in result.output


def test_a_checkpoint_saved_earlier_is_extended_by_the_next_one(client, issue, cli, tmp_path):
    issue()
    old = tmp_path / "old.txt"
    saved = cli("ledger", "checkpoint")
    assert saved.exit_code == 0
    old.write_text(saved.output)
    issue()
    new = tmp_path / "new.txt"
    new.write_text(client.get("/api/v1/ledger/checkpoint").text)
    old_size, new_size = int(old.read_text().split("\n")[1]), int(new.read_text().split("\n")[1])
    proof = tmp_path / "proof.json"
    proof.write_text(client.get("/api/v1/ledger/proof/consistency",
                                params={"old": old_size, "new": new_size}).text)
    key = published_keys(client, "log")[0]
    result = cli("ledger", "check-consistency", old, new, "--proof", proof, "--key", key)
    assert result.exit_code == 0, result.output
    assert f"checkpoint of size {new_size} extends the one of size {old_size}" in result.output

    # A rewritten history: same key (stolen), same size, different root — the proof cannot connect them.
    bad = tmp_path / "rewritten.txt"
    lines = new.read_text().split("\n")
    stolen = log_signer(client.app.state.settings)
    bad.write_text(sign(format_checkpoint(lines[0], new_size, b"\x01" * 32), [stolen]))
    result = cli("ledger", "check-consistency", old, bad, "--proof", proof, "--key", key)
    assert result.exit_code == 1 and "consistency proof fails" in result.output


def test_the_api_explains_impossible_proofs(client, world, issue):
    cert = issue()
    other = issue()
    size = int(client.get("/api/v1/ledger/checkpoint").text.split("\n")[1])
    r = client.get("/api/v1/ledger/proof/inclusion", params={"index": size, "size": size})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    r = client.get("/api/v1/ledger/proof/inclusion", params={"index": 0, "size": size + 10},
                   headers={"Accept-Language": "en"})
    assert r.status_code == 404 and f"The tree holds {size} events" in r.json()["detail"]
    r = client.get("/api/v1/ledger/proof/consistency", params={"old": size + 1, "new": size})
    assert r.status_code == 422
    seq = client.get(f"/api/v1/certificates/{other['id']}/history").json()[0]["seq"]
    r = client.get(f"/api/v1/certificates/{cert['id']}/history/{seq}/proof")
    assert r.status_code == 404 and r.json()["code"] == "ledger.not_this_certificate"
    assert client.get("/api/v1/ledger/events/999999").status_code == 404
    assert client.get(f"/api/v1/ledger/checkpoints/{size}").text.startswith("certbridge.local/log\n")
    assert client.get("/api/v1/ledger/checkpoints/999999").status_code == 404
