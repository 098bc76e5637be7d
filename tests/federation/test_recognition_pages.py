"""The 监管互认 panel of the federation console: a peer's mirrored spot-check result shows with its source label;
the button switches recognition on (the result then counts in credit) and off again."""

from __future__ import annotations

from datetime import date

from certbridge.db import write_session
from certbridge.federation.peers import add_peer
from certbridge.federation.recognition import mirror_round
from certbridge.kit.signed_note import generate_key
from certbridge.principal import SYSTEM
from certbridge.settings import Settings
from tests.web.conftest import post_form, sign_in

TODAY = date.today().isoformat()


def _peer_with_a_result(sessions, world) -> None:
    """Connect a peer and mirror one published result of it about org1 (as a proven round would)."""
    with write_session(sessions) as session:
        peer = add_peer(session, principal=SYSTEM, settings=Settings(instance_name="certbridge.local"),
                        name="b.pages.test", base_url="http://127.0.0.1:9", label="乙市市场监管局",
                        log_key=generate_key("b.pages.test/log")[1], witness=False)
        event = {"seq": 41, "type": "inspection.result_published", "subject": {"type": "inspection_task", "id": "7"},
                 "data": {"state": {"status": "published", "published_on": TODAY},
                          "public": {"id": 7, "authority": "乙市市场监督管理局", "check_type": "random", "date": TODAY,
                                     "result": "refused_serious", "object_name": "北海市海城区示例电子有限公司",
                                     "object_uscc": world.uscc["org1"], "object_type": "organization",
                                     "matter": "证书使用检查", "matter_code": "RZ-ORG-PG", "published_on": TODAY}}}
        mirror_round(session, peer, [event], size=50, root=bytes(32))


def test_the_console_shows_a_peers_result_with_its_source_and_switches_recognition(client, sessions, world):
    _peer_with_a_result(sessions, world)
    assert sign_in(client, "regulator").status_code == 303
    page = client.get("/regulator/federation").text
    assert "监管互认" in page and "来自 乙市市场监管局 的抽查结果" in page and "不配合检查情节严重" in page
    assert 'data-recognition="off"' in page and "认可其监管结果" in page
    action = next(line for line in page.splitlines() if "/recognition" in line).split('action="')[1].split('"')[0]
    r = post_form(client, "/regulator/federation", action, {"recognize": "on"})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "已认可 乙市市场监管局 的抽查结果和行政处罚：现有 1 条计入本实例" in page
    assert 'data-recognition="on"' in page and "停止认可" in page
    record = client.get(f"/api/v1/credit/records/organization/{world.ids['org1']}",
                        headers=world.auth("regulator")).json()
    assert [(r["kind"], r["label"]) for r in record["recognized"]] == [
        ("check_refused_serious", "来自 乙市市场监管局 的抽查结果")]
    assert record["factors"]["points"]["check_refused_serious"] > 0
    risk = client.get(f"/regulator/risk/organization/{world.ids['org1']}").text
    assert 'data-signal="failed_checks"' in risk and "来自 乙市市场监管局 的抽查结果: " in risk
    r = post_form(client, "/regulator/federation", action, {"recognize": "off"})
    page = client.get(r.headers["location"]).text
    assert "已停止认可 乙市市场监管局" in page and 'data-recognition="off"' in page
    record = client.get(f"/api/v1/credit/records/organization/{world.ids['org1']}",
                        headers=world.auth("regulator")).json()
    assert record["recognized"] == [] and "check_refused_serious" not in record["factors"]["points"]


def _penalty_event(seq: int, kind: str, state: dict) -> dict:
    return {"seq": seq, "type": kind, "subject": {"type": "penalty", "id": "3"}, "data": {"state": state}}


def test_a_recognized_penalty_stops_counting_when_the_peer_repairs_it_and_unknown_parties_never_count(
        client, sessions, world):
    from certbridge.credit.scoring import credit_record, refresh_credit
    from certbridge.federation.models import FederationPeer
    from certbridge.federation.recognition import recognized_records, set_recognition

    _peer_with_a_result(sessions, world)
    with write_session(sessions) as session:
        peer = session.query(FederationPeer).filter_by(name="b.pages.test").one()
        set_recognition(session, principal=SYSTEM, peer_id=peer.id, on=True)
        decided = {"subject_type": "organization", "subject_id": 99, "party_uscc": world.uscc["org2"],
                   "party_name": "北海格力电器配件有限公司", "decision_number": "乙市监处罚〔2026〕9号",
                   "violation_type": "冒用认证证书", "decided_on": TODAY, "minor": False, "authority": "乙市市场监督管理局"}
        stranger = {**decided, "party_uscc": "91450502MA5KXXXX0Y", "decision_number": "乙市监处罚〔2026〕10号"}
        unlinked = {**decided, "subject_type": None, "subject_id": None, "party_uscc": world.uscc["org1"],
                    "decision_number": "乙市监处罚〔2026〕11号"}  # the peer found no record; here org1 has the USCC
        mirror_round(session, peer, [_penalty_event(60, "penalty.decided", decided),
                                     {**_penalty_event(61, "penalty.decided", stranger), "subject": {
                                         "type": "penalty", "id": "4"}},
                                     {**_penalty_event(62, "penalty.decided", unlinked), "subject": {
                                         "type": "penalty", "id": "5"}}], size=70, root=bytes(32))
        refresh_credit(session, principal=SYSTEM)
        record = credit_record(session, "organization", world.ids["org2"])
        assert [(r["kind"], r["label"], r["source"]["seq"]) for r in record["recognized"]] == [
            ("penalty", "来自 乙市市场监管局 的行政处罚", 60)]
        counts = {r["fields"].get("decision_number"): r["counts"] for r in recognized_records(session)}
        assert counts["乙市监处罚〔2026〕9号"] is True and counts["乙市监处罚〔2026〕10号"] is False
        assert counts["乙市监处罚〔2026〕11号"] is True
        assert [r["source"]["seq"] for r in credit_record(session, "organization", world.ids["org1"])["recognized"]
                if r["kind"] == "penalty"] == [62]
        mirror_round(session, peer, [_penalty_event(75, "penalty.repaired", {"repaired_on": TODAY})],
                     size=80, root=bytes(32))
        refresh_credit(session, principal=SYSTEM)
        assert credit_record(session, "organization", world.ids["org2"])["recognized"] == []


def test_the_command_switches_recognition_by_peer_name(settings, sessions, world):
    from typer.testing import CliRunner

    from certbridge.cli.main import app as cli_app
    from certbridge.federation.recognition import recognized_records

    _peer_with_a_result(sessions, world)
    env = {"CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_DATABASE_URL": settings.database_url,
           "CERTBRIDGE_LANG": "en", "COLUMNS": "200"}
    on = CliRunner().invoke(cli_app, ["federation", "recognize", "b.pages.test", "--on"], env=env)
    assert on.exit_code == 0, on.output
    assert "b.pages.test" in on.output and "1 results and penalties count here" in on.output
    with write_session(sessions) as session:
        assert [r["counts"] for r in recognized_records(session)] == [True]
    off = CliRunner().invoke(cli_app, ["federation", "recognize", "b.pages.test", "--off"], env=env)
    assert off.exit_code == 0 and "(before: 1)" in off.output, off.output
    with write_session(sessions) as session:
        assert [r["counts"] for r in recognized_records(session)] == [False]
    unknown = CliRunner().invoke(cli_app, ["federation", "recognize", "nobody.test", "--on"], env=env)
    assert unknown.exit_code != 0
