"""Credit records are built from ledger events; scores, decay and bands are data; the monthly recompute."""

from __future__ import annotations

from datetime import date

from typer.testing import CliRunner

from certbridge.cli.main import app as cli
from certbridge.credit.scoring import recompute_credit
from certbridge.ledger.journal import record_event
from certbridge.principal import SYSTEM
from tests.jobs.follow import recompute_summary
from tests.world import certificate_payload


def record(client, world, subject_id=None, subject_type="organization"):
    reg = world.auth("regulator")
    return client.get(f"/api/v1/credit/records/{subject_type}/{subject_id or world.ids['org1']}", headers=reg).json()


def recompute(client, world):
    return recompute_summary(client, world.auth("regulator"))


def test_a_subject_with_no_history_is_class_b(client, world):
    assert record(client, world)["credit_class"] == "B" and record(client, world)["score"] == 300


def test_suspension_and_withdrawal_for_the_holders_fault_raise_the_risk(client, world):
    cert = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                       json=certificate_payload(world)).json()
    client.post(f"/api/v1/certificates/{cert['id']}/suspend", headers=world.auth("cb_a"), json={"reason": "监督审核未按期"})
    recompute(client, world)
    assert record(client, world)["factors"]["points"] == {"certificate_suspended": 80}
    client.post(f"/api/v1/certificates/{cert['id']}/withdraw", headers=world.auth("cb_a"),
                json={"reason": "暂停期满未整改", "cause": "holder"})
    recompute(client, world)
    got = record(client, world)
    assert got["score"] == 300 + 80 + 250 and got["credit_class"] == "C"


def test_penalties_count_until_withdrawn(client, world, penalty_body):
    reg = world.auth("regulator")
    p = client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(decided_on=date.today().isoformat()))
    recompute(client, world)
    assert record(client, world)["score"] == 500
    client.post(f"/api/v1/credit/penalties/{p.json()['id']}/withdraw", headers=reg,
                json={"decision_changed_on": date.today().isoformat(), "reason": "行政复议撤销"})
    recompute(client, world)
    assert record(client, world)["score"] == 300


def test_old_facts_count_half_then_not_at_all(run, client, world, penalty_body):
    client.post("/api/v1/credit/penalties", headers=world.auth("regulator"), json=penalty_body())  # 2024-09-27
    run(lambda s: recompute_credit(s, principal=SYSTEM, today=date(2025, 6, 1)))
    assert record(client, world)["score"] == 500
    run(lambda s: recompute_credit(s, principal=SYSTEM, today=date(2025, 11, 1)))
    assert record(client, world)["score"] == 400
    run(lambda s: recompute_credit(s, principal=SYSTEM, today=date(2027, 10, 1)))
    assert record(client, world)["score"] == 300


def test_bands_are_data_a_regulator_can_change(client, world, penalty_body):
    reg = world.auth("regulator")
    client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(decided_on=date.today().isoformat()))
    recompute(client, world)
    assert record(client, world)["credit_class"] == "B"  # 500
    bad = client.put("/api/v1/credit/settings/bands", headers=reg,
                     json={"value": {"A": [0, 200], "B": [250, 450], "C": [451, 700], "D": [701, 1000]}})
    assert bad.status_code == 422 and bad.json()["code"] == "credit.bands_gap"
    ok = client.put("/api/v1/credit/settings/bands", headers=reg,
                    json={"value": {"A": [0, 200], "B": [201, 450], "C": [451, 700], "D": [701, 1000]}})
    assert ok.status_code == 200
    assert client.get("/api/v1/credit/settings", headers=reg).json()["bands"]["B"] == [201, 450]
    recompute(client, world)
    assert record(client, world)["credit_class"] == "C"
    assert client.put("/api/v1/credit/settings/bands", headers=world.auth("cb_a"), json={"value": {}}).status_code == 403


def test_upheld_complaints_join_through_the_ledger_hook(run, client, world):
    run(lambda s: record_event(s, type="complaint.upheld", subject_type="complaint", subject_id=1, actor="system",
                               data={"state": {"status": "upheld"}, "organization_id": world.ids["org2"],
                                     "body_id": world.ids["body_a"], "upheld_on": date.today().isoformat()}))
    recompute(client, world)
    assert record(client, world, world.ids["org2"])["factors"]["points"] == {"complaint_upheld": 80}
    assert record(client, world, world.ids["body_a"], "body")["score"] == 380


def test_monthly_recompute_from_the_command_line(client, world, settings, monkeypatch, penalty_body):
    client.post("/api/v1/credit/penalties", headers=world.auth("regulator"),
                json=penalty_body(decided_on=date.today().isoformat()))
    monkeypatch.setenv("CERTBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CERTBRIDGE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CERTBRIDGE_LANG", "en")
    result = CliRunner().invoke(cli, ["credit", "recompute"])
    assert result.exit_code == 0, result.output
    assert "Credit recomputed" in result.output
    assert record(client, world)["score"] == 500
