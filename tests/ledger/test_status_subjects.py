"""Persons (auditor registrations), labs and organizations by USCC in the state map: status and absence proofs
checked offline, names that change, and the map and event chains rebuilt from the log alone."""

from __future__ import annotations

import json

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from certbridge.ledger.state_map import fold_log, map_position, verify_map
from tests.ledger.conftest import published_keys


def _status(client, **query):
    r = client.get("/api/v1/ledger/status", params=query)
    assert r.status_code == 200, r.text
    return r.json()


def _check(cli, tmp_path, bundle, key, *args, command="verify-status"):
    path = tmp_path / "status.json"
    path.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    return cli(command, "--bundle", path, "--key", key, *args)


def _register_auditor(client, world, number):
    r = client.post("/api/v1/people", headers=world.auth("regulator"),
                    json={"name": "韦明", "kind": "auditor", "body_id": world.ids["body_a"],
                          "registrations": [{"number": number, "field": "QMS"}]})
    assert r.status_code == 201, r.text
    return r.json()


def test_an_auditor_registration_is_proven_then_proven_revoked_and_an_unknown_number_proven_absent(
        client, world, cli, tmp_path):
    _register_auditor(client, world, "2025-N1QMS-7000001")
    key = published_keys(client, "log")[0]
    bundle = _status(client, person="2025-n1qms-7000001")  # typed in lower case: the number as registered
    assert bundle["name"] == "person:2025-N1QMS-7000001" and bundle["present"]
    result = _check(cli, tmp_path, bundle, key, "--name", "person:2025-N1QMS-7000001")
    assert result.exit_code == 0, result.output
    assert "“person:2025-N1QMS-7000001” is valid" in result.output
    r = client.post("/api/v1/registrations/2025-N1QMS-7000001/revoke", headers=world.auth("regulator"),
                    json={"reason": "出具虚假认证结论"})
    assert r.status_code == 200, r.text
    revoked = _status(client, person="2025-N1QMS-7000001")
    assert len(revoked["events"]) == 2
    result = _check(cli, tmp_path, revoked, key)
    assert result.exit_code == 0 and "is revoked, with 2 events" in result.output
    # the old bundle (registration still valid) under the new checkpoint: the revocation cannot be left out
    stale = dict(bundle, checkpoint=revoked["checkpoint"], tree_size=revoked["tree_size"])
    assert _check(cli, tmp_path, stale, key).exit_code == 1
    absent = _status(client, person="2025-N1QMS-7999999")
    assert not absent["present"]
    result = _check(cli, tmp_path, absent, key, command="verify-absence")
    assert result.exit_code == 0 and "no public event of “person:2025-N1QMS-7999999”" in result.output
    # a present registration's bundle renamed to the absent number proves nothing about it
    renamed = dict(bundle, name="person:2025-N1QMS-7999999")
    assert _check(cli, tmp_path, renamed, key, command="verify-absence").exit_code == 1


def test_an_inspector_is_not_public_so_not_in_the_map(client, world):
    r = client.post("/api/v1/people", headers=world.auth("regulator"),
                    json={"name": "黄强", "kind": "inspector", "employer": "北海市市场监督管理局",
                          "registrations": [{"number": "JC-2025-000123", "field": "QMS"}]})
    assert r.status_code == 201, r.text
    assert not _status(client, person="JC-2025-000123")["present"]


def test_a_lab_is_proven_by_its_cma_number(client, world, cli, tmp_path):
    key = published_keys(client, "log")[0]
    r = client.patch(f"/api/v1/labs/{world.ids['lab']}", headers=world.auth("regulator"),
                     json={"address": "广西北海市海城区四川路 8 号"})
    assert r.status_code == 200, r.text
    bundle = _status(client, lab="241500340123")
    assert bundle["present"] and len(bundle["events"]) >= 2
    result = _check(cli, tmp_path, bundle, key)
    assert result.exit_code == 0 and "“lab:241500340123” is valid" in result.output
    assert json.loads(bundle["events"][-1])["prev_hash"]  # chained by hash, not only by index
    assert not _status(client, lab="241500349999")["present"]


def test_an_organization_is_named_by_its_uscc_and_keeps_a_corrected_one_provable(client, world, cli, tmp_path):
    key = published_keys(client, "log")[0]
    uscc = world.uscc["org1"]
    bundle = _status(client, organization=uscc)
    assert bundle["name"] == f"organization:{uscc}" and bundle["present"]
    assert _status(client, organization=str(world.ids["org1"]))["name"] == f"organization:{uscc}"  # by id too
    assert _check(cli, tmp_path, bundle, key).exit_code == 0
    # a USCC that no organization has: a provable "not found"
    unknown = "91450500MA5L0XXXX1"
    assert _check(cli, tmp_path, _status(client, organization=unknown), key, command="verify-absence").exit_code == 0
    # the USCC corrected: the new one is proven; the old one proves it was given up, and by which event
    from certbridge.kit.uscc import generate_uscc
    import random

    new = generate_uscc(random.Random(7), region="450502")
    r = client.patch(f"/api/v1/organizations/{world.ids['org1']}", headers=world.auth("regulator"),
                     json={"uscc": new})
    assert r.status_code == 200, r.text
    assert _check(cli, tmp_path, _status(client, organization=new), key).exit_code == 0
    old = _status(client, organization=uscc)
    result = _check(cli, tmp_path, old, key)
    assert result.exit_code == 0 and f"changed it to: organization:{new}" in result.output


def test_the_map_with_every_kind_is_derived_from_the_log_alone(client, world, app, issue):
    issue()
    _register_auditor(client, world, "2025-N1QMS-7000002")
    from certbridge.kit.uscc import generate_uscc
    import random

    client.patch(f"/api/v1/organizations/{world.ids['org2']}", headers=world.auth("regulator"),
                 json={"uscc": generate_uscc(random.Random(8), region="450502")})
    with read_session(app.state.sessions) as session:
        events = [(e.seq, e.subject_type, e.subject_id, e.public, e.body, bytes(e.leaf_hash))
                  for e in session.query(LedgerEvent).order_by(LedgerEvent.seq)]
        _, root = map_position(session)
        assert verify_map(session) == []
    assert fold_log(events) == root


def test_an_edited_chain_link_is_caught_by_the_audit(client, world, app):
    _register_auditor(client, world, "2025-N1QMS-7000003")
    client.post("/api/v1/registrations/2025-N1QMS-7000003/revoke", headers=world.auth("regulator"),
                json={"reason": "测试"})
    from sqlalchemy import text

    sessions = app.state.sessions
    with sessions.begin() as session:
        seq, body = session.execute(text("SELECT seq, body FROM ledger_event WHERE type = "
                                         "'person.registration_revoked' ORDER BY seq DESC LIMIT 1")).one()
        event = json.loads(body)
        event["prev"] = event["prev"] - 1
        session.execute(text("UPDATE ledger_event SET body = :b WHERE seq = :s"),
                        {"b": json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":")), "s": seq})
    with read_session(sessions) as session:
        codes = [code for code, _ in verify_map(session)]
    assert "statemap.verify.chain" in codes


def test_an_event_written_with_a_forged_link_is_caught_by_the_integrity_monitor(client, world, app, settings):
    """A server that writes a new event whose `prev_hash` names no real predecessor (so that a stapled proof could
    pass off invented history) is caught by the background monitor, hashes and tree being otherwise sound."""
    import base64
    from datetime import datetime, timezone

    from certbridge.db import write_session
    from certbridge.ledger.background import run_integrity_check
    from certbridge.ledger.journal import EventDraft, append_prepared, event_body, leaf_hash, log_size

    person = _register_auditor(client, world, "2025-N1QMS-7000004")
    sessions = app.state.sessions
    with write_session(sessions) as session:
        seq = log_size(session)
        prev = session.connection().exec_driver_sql(
            f"SELECT max(seq) FROM ledger_event WHERE subject_type = 'person' AND subject_id = '{person['id']}'"
            f" AND public").scalar()
        at = datetime.now(timezone.utc)
        draft = EventDraft("person.registration_added", "person", str(person["id"]), "system",
                           {"state": {"registrations": [["2025-N1QMS-7000004", "QMS", None, "valid", None]]}})
        body = event_body(seq, draft, at, prev, base64.b64encode(bytes(32)).decode())
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f") if session.bind.dialect.name == "sqlite" else at
        append_prepared(session, [(seq, draft.type, "person", str(person["id"]), "system", stamp, True,
                                   body.decode(), leaf_hash(body))])
    run_integrity_check(app)
    health = client.get("/healthz", headers={"Accept-Language": "en"})
    assert health.status_code == 503
    assert any(p["code"] == "statemap.verify.chain" and p["params"]["seq"] == seq for p in health.json()["problems"])
