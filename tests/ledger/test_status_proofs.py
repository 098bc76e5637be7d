"""Status and absence proofs: the latest state of a certificate, or that it never existed, checked offline."""

from __future__ import annotations

import base64
import json

from sqlalchemy import text

from certbridge.db import read_session
from certbridge.kit import state_map as sm
from certbridge.kit.signed_note import Verifier, open as open_note, parse_checkpoint
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.state_map import MAP_LINE, TIME_LINE, fold_log, map_position, verify_map
from tests.ledger.conftest import published_keys


def _body_code(client, world) -> str:
    return client.get(f"/api/v1/bodies/{world.ids['body_a']}").json()["code"]


def _status(client, **query):
    r = client.get("/api/v1/ledger/status", params=query)
    assert r.status_code == 200, r.text
    return r.json()


def _check(cli, tmp_path, bundle, key, *args, command="verify-status"):
    path = tmp_path / "status.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return cli(command, "--bundle", path, "--key", key, *args)


def test_a_suspended_certificate_is_proven_suspended_offline(client, world, issue, act, cli, tmp_path):
    cert = issue()
    act(cert["id"], "suspend")
    code = _body_code(client, world)
    bundle = _status(client, certificate=f"{code}:{cert['number']}")
    assert bundle["present"] and len(bundle["events"]) == 2
    key = published_keys(client, "log")[0]
    name = f"certificate:{code}:{cert['number']}"
    result = _check(cli, tmp_path, bundle, key, "--name", name)
    assert result.exit_code == 0, result.output
    assert f"“{name}” is suspended, with 2 events" in result.output
    zh = cli("verify-status", "--bundle", tmp_path / "status.json", "--key", key, lang="zh")
    assert zh.exit_code == 0 and "最新状态为 suspended" in zh.output
    # asked about another certificate, the same bundle proves nothing about it
    other = _check(cli, tmp_path, bundle, key, "--name", f"certificate:{code}:ANOTHER")
    assert other.exit_code == 1 and "not “certificate:" in other.output


def test_a_bundle_that_drops_the_suspension_is_caught(client, world, issue, act, cli, tmp_path):
    cert = issue()
    act(cert["id"], "suspend")
    bundle = _status(client, certificate=f"{_body_code(client, world)}:{cert['number']}")
    key = published_keys(client, "log")[0]
    dropped = dict(bundle, events=bundle["events"][:1], inclusion_proofs=bundle["inclusion_proofs"][:1])
    result = _check(cli, tmp_path, dropped, key)
    assert result.exit_code == 1 and "a later event was left out" in result.output
    # the issue event's state edited back to "valid" no longer hashes into the log
    edited = dict(bundle, events=[bundle["events"][0], bundle["events"][1].replace('"suspended"', '"valid"')])
    result = _check(cli, tmp_path, edited, key)
    assert result.exit_code == 1 and "inclusion proof" in result.output


def test_absence_is_proven_and_presence_is_not_mistaken_for_it(client, world, issue, cli, tmp_path):
    cert = issue()
    code = _body_code(client, world)
    key = published_keys(client, "log")[0]
    missing = _status(client, certificate=f"{code}:NEVER-ISSUED-1")
    assert missing["present"] is False and missing["events"] == []
    result = _check(cli, tmp_path, missing, key, command="verify-absence")
    assert result.exit_code == 0, result.output
    assert f"the log has no public event of “certificate:{code}:NEVER-ISSUED-1”" in result.output
    present = _status(client, certificate=f"{code}:{cert['number']}")
    result = _check(cli, tmp_path, present, key, command="verify-absence")
    assert result.exit_code == 1  # verify-absence fails for a certificate that exists
    # an absence claim for an existing certificate cannot be made from its own proof
    faked = dict(present, present=False, events=[], inclusion_proofs=[])
    result = _check(cli, tmp_path, faked, key, command="verify-absence")
    assert result.exit_code == 1 and "events" in result.output


def test_a_proof_against_the_wrong_root_or_stale_checkpoint_fails(client, world, issue, act, cli, tmp_path):
    first = issue()
    second = issue()
    code = _body_code(client, world)
    key = published_keys(client, "log")[0]
    old = _status(client, certificate=f"{code}:{first['number']}")
    act(first["id"], "suspend")
    new = _status(client, certificate=f"{code}:{second['number']}")
    # the old map proof presented under the new checkpoint: its root has moved on
    mixed = dict(old, checkpoint=new["checkpoint"], tree_size=new["tree_size"])
    result = _check(cli, tmp_path, mixed, key)
    assert result.exit_code == 1
    assert "does not lead to the map root" in result.output or "inclusion proof" in result.output
    # a fresh proof is refused once its checkpoint is older than the holder's validity window
    result = _check(cli, tmp_path, new, key, "--max-age-days", "0.0000001")
    assert result.exit_code == 1 and "fetch a fresh proof" in result.output
    assert _check(cli, tmp_path, new, key, "--max-age-days", "3").exit_code == 0


def test_bad_requests_say_what_is_wrong(client):
    r = client.get("/api/v1/ledger/status", params={"certificate": "no-colon"}, headers={"Accept-Language": "en"})
    assert r.status_code == 422 and "body code:certificate number" in r.json()["detail"]
    r = client.get("/api/v1/ledger/status", headers={"Accept-Language": "en"})
    assert r.status_code == 422 and "exactly one subject" in r.json()["detail"]


def test_checkpoints_carry_the_map_and_stay_plain_c2sp(client, issue):
    issue()
    note = client.get("/log/checkpoint").text
    # a verifier that knows nothing of the map opens and parses it as any C2SP checkpoint
    cp = parse_checkpoint(open_note(note, [Verifier(k) for k in published_keys(client, "log")]).text)
    names = [line.split(" ")[0] for line in cp.extensions]
    assert names == [MAP_LINE, TIME_LINE]


def test_the_map_is_derived_from_the_log_alone_and_a_changed_leaf_is_caught(client, issue, act, app):
    for _ in range(5):
        cert = issue()
    act(cert["id"], "withdraw")
    sessions = app.state.sessions
    with read_session(sessions) as session:
        events = [(e.seq, e.subject_type, e.subject_id, e.public, e.body, bytes(e.leaf_hash))
                  for e in session.query(LedgerEvent).order_by(LedgerEvent.seq)]
        size, root = map_position(session)
    assert size == len(events)
    assert fold_log(events) == root  # a monitor replaying the log gets the server's root
    with read_session(sessions) as session:
        assert verify_map(session) == []
    note = client.get("/log/checkpoint").text
    assert f"{MAP_LINE} {base64.b64encode(root).decode()}" in note
    # a server that rewrites one leaf (the withdrawn certificate back to its issue event) gets another root
    with sessions.begin() as session:
        path, chunk = session.execute(text("SELECT path, chunk FROM ledger_map_chunk ORDER BY length(path) DESC "
                                           "LIMIT 1")).one()
        entries = sm.decode_chunk(bytes(chunk))
        i = next(i for i, e in enumerate(entries) if isinstance(e, sm.Leaf))
        entries[i] = sm.Leaf(entries[i].key, bytes(32))
        session.execute(text("UPDATE ledger_map_chunk SET chunk = :c WHERE path = :p"),
                        {"c": sm.encode_chunk(entries), "p": bytes(path)})
    with read_session(sessions) as session:
        assert [code for code, _ in verify_map(session)] == ["statemap.verify.chunks"]


def test_a_bulk_batch_is_folded_in_bounded_transactions_and_the_next_checkpoint_carries_the_map(app, issue):
    from certbridge.db import write_session
    from certbridge.ledger import integrate as integration
    from certbridge.ledger.journal import EventDraft, record_events

    issue()
    sessions, settings = app.state.sessions, app.state.settings
    drafts = [EventDraft("bench.note", "organization", str(900_000 + i), "test", {"state": {"n": i}})
              for i in range(integration.FOLD_INLINE + 5)]
    with write_session(sessions) as session:
        record_events(session, drafts)
    result = integration.integrate_pending(sessions, settings=settings, max_leaves=integration.FOLD_INLINE + 5)
    with read_session(sessions) as session:
        size, root = map_position(session)
        tree = session.connection().exec_driver_sql("SELECT size FROM ledger_tree").scalar()
        assert size == tree == result.size
        assert verify_map(session) == []
    cp = parse_checkpoint(open_note(client_note(app), [Verifier(k) for k in keys_of(app)]).text)
    assert cp.size == size and cp.extensions[0] == f"{MAP_LINE} {base64.b64encode(root).decode()}"


def client_note(app) -> str:
    from certbridge.ledger.proofs import latest_checkpoint

    with read_session(app.state.sessions) as session:
        return latest_checkpoint(session).note


def keys_of(app) -> list[str]:
    from certbridge.ledger.proofs import log_verifier_keys

    with read_session(app.state.sessions) as session:
        return log_verifier_keys(session)
