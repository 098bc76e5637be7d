"""`certbridge ledger verify`: a clean log passes; every kind of edit behind the services' back is named."""

from __future__ import annotations

import json

from sqlalchemy import text

from certbridge.db import write_session


def _sql(sessions, statement: str, **params) -> None:
    with write_session(sessions) as session:
        session.execute(text(statement), params)


def _verify(cli, *extra: str, lang: str = "en"):
    return cli("ledger", "verify", *extra, lang=lang)


def test_a_log_written_only_through_services_verifies(client, issue, act, cli):
    cert = issue()
    act(cert["id"], "suspend")
    act(cert["id"], "restore")
    act(cert["id"], "scope", scope="电子元器件的设计、生产和销售")
    result = _verify(cli)
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.output
    assert "certificate" not in result.output.split("passed")[1]


def test_a_certificate_row_edited_with_raw_sql_is_named(client, issue, act, cli, sessions):
    cert = issue()
    act(cert["id"], "withdraw", cause="holder")
    _sql(sessions, "UPDATE certificate SET status = 'valid', status_reason = NULL WHERE id = :id", id=cert["id"])
    result = _verify(cli)
    assert result.exit_code == 1
    assert f"Table certificate, id {cert['id']}, field 'status' differs from the log: " \
           f'log says "withdrawn", row has "valid"' in result.output
    assert "field 'status_reason'" in result.output
    zh = _verify(cli, lang="zh")
    assert zh.exit_code == 1 and f"表 certificate 第 {cert['id']} 行的字段「status」与日志重放结果不符" in zh.output


def test_edits_to_registry_rows_are_named_too(client, world, cli, sessions):
    _sql(sessions, "UPDATE certification_body SET name = '冒名认证有限公司' WHERE id = :id", id=world.ids["body_b"])
    _sql(sessions, "UPDATE person_registration SET status = 'valid' WHERE number = '2020-N1QMS-1000003'")
    _sql(sessions, "DELETE FROM restriction WHERE subject_type = 'person'")
    report = json.loads(_verify(cli, "--json").output)
    assert not report["ok"]
    found = {(p["code"], p.get("table"), str(p.get("id")), p.get("field")) for p in report["problems"]}
    assert ("ledger.verify.state_mismatch", "certification_body", str(world.ids["body_b"]), "name") in found
    assert any(code == "ledger.verify.row_missing" and table == "restriction" for code, table, _, _ in found)


def test_a_row_inserted_behind_the_services_back_has_no_events(client, world, cli, sessions):
    _sql(sessions, "INSERT INTO restriction (subject_type, subject_id, kind, reason, starts_on, data) "
                   "VALUES ('organization', :org, 'dishonesty_list', '伪造', '2026-01-01', '{}')", org=world.ids["org2"])
    report = json.loads(_verify(cli, "--json").output)
    assert [p for p in report["problems"] if p["code"] == "ledger.verify.row_unlogged" and p["table"] == "restriction"]


def test_an_edited_event_body_breaks_its_leaf_hash(client, issue, cli, sessions):
    cert = issue()
    seq = client.get(f"/api/v1/certificates/{cert['id']}/history").json()[0]["seq"]
    _sql(sessions, "UPDATE ledger_event SET body = replace(body, '00126Q26001R0M', '00126Q26999R0M') "
                   "WHERE seq = :seq", seq=seq)
    result = _verify(cli, "--no-replay")
    assert result.exit_code == 1
    assert f"Event {seq}'s body does not hash to its leaf hash" in result.output


def test_an_event_column_that_disagrees_with_its_hashed_body_is_named(client, issue, cli, sessions):
    cert = issue()
    seq = client.get(f"/api/v1/certificates/{cert['id']}/history").json()[0]["seq"]
    _sql(sessions, "UPDATE ledger_event SET actor = 'user:1:admin' WHERE seq = :seq", seq=seq)
    result = _verify(cli, "--no-replay")
    assert result.exit_code == 1 and f"Event {seq}'s column 'actor' differs from its hashed body" in result.output


def test_a_tampered_stored_hash_and_a_tampered_checkpoint_are_caught(client, issue, cli, sessions):
    issue()
    _sql(sessions, "UPDATE ledger_hash SET hash = :h WHERE idx = 3", h=b"\x07" * 32)
    _sql(sessions, "UPDATE ledger_checkpoint SET note = replace(note, 'certbridge.local/log\n', "
                   "'certbridge.local/log\nx\n') WHERE id = (SELECT MIN(id) FROM ledger_checkpoint)")
    report = json.loads(_verify(cli, "--json", "--no-replay").output)
    codes = {p["code"] for p in report["problems"]}
    assert "ledger.verify.stored_hash" in codes
    assert "ledger.verify.checkpoint_signature" in codes


def test_a_deleted_event_is_a_gap(client, issue, cli, sessions):
    issue()
    _sql(sessions, "DELETE FROM ledger_event WHERE seq = 5")
    report = json.loads(_verify(cli, "--json", "--no-replay").output)
    codes = {p["code"] for p in report["problems"]}
    assert {"ledger.verify.seq_gap", "ledger.verify.head_size"} <= codes
