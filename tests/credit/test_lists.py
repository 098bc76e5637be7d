"""Lists bite everywhere: issuing, auditor assignment, verification flags, listing periods, body revocation."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from certbridge.credit.lists import end_expired_listings
from certbridge.ledger.journal import LedgerEvent
from certbridge.kit.dates import add_months
from certbridge.principal import SYSTEM
from tests.jobs.follow import recompute_summary
from tests.world import certificate_payload

TODAY = date.today()


def issue(client, world, number, org="org1", role="cb_a", body="body_a", auditors=("2021-N1QMS-1000001",)):
    return client.post(f"/api/v1/bodies/{world.ids[body]}/certificates", headers=world.auth(role),
                       json=certificate_payload(world, number=number, org=org, auditors=auditors))


def listing(client, world, listed_on=None, subject_type="organization", subject_id=None):
    body = {"subject_type": subject_type, "subject_id": subject_id or world.ids["org1"],
            "reason": "伪造认证证书，情节严重", "decision_number": "北市监失信〔2024〕2号",
            "authority": "北海市市场监督管理局"}
    if listed_on:
        body["listed_on"] = listed_on.isoformat()
    return client.post("/api/v1/credit/dishonesty-list", headers=world.auth("regulator"), json=body)


def test_a_listed_organization_is_refused_and_flagged_everywhere(client, world):
    existing = issue(client, world, "LIST-1").json()
    r = listing(client, world)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "listed" and r.json()["ends_on"] == (add_months(TODAY, 36) - timedelta(days=1)).isoformat()
    refused = issue(client, world, "LIST-2")
    assert refused.status_code == 409 and refused.json()["code"] == "holder.dishonesty_list"
    assert "伪造认证证书" in refused.json()["detail"]
    by_number = client.get("/api/v1/verify", params={"number": existing["number"]}).json()
    assert by_number["outcome"] == "valid" and by_number["reason"] == "holder_listed"
    assert by_number["certificates"][0]["holder"]["flags"] == ["dishonesty_list"]
    by_holder = client.get(f"/api/v1/verify/holder/{world.uscc['org1']}").json()
    assert by_holder["certificates"][0]["holder"]["flags"] == ["dishonesty_list"]
    assert client.get(f"/api/v1/organizations/{world.ids['org1']}").json()["flags"] == ["dishonesty_list"]
    public = client.get("/api/v1/public/dishonesty-list").json()["items"]
    assert [(i["party_name"], i["status"]) for i in public] == [("北海市海城区示例电子有限公司", "listed")]
    again = listing(client, world)
    assert again.status_code == 409 and again.json()["code"] == "dishonesty.already_listed"
    # the other organization is untouched
    assert issue(client, world, "LIST-3", org="org2").status_code == 201


def test_early_removal_needs_a_year_and_met_obligations(client, world):
    reg = world.auth("regulator")
    recent = listing(client, world, listed_on=TODAY - timedelta(days=200)).json()
    too_early = client.post(f"/api/v1/credit/dishonesty-list/{recent['id']}/remove", headers=reg,
                            json={"obligations_met": True, "reason": "已履行"})
    assert too_early.status_code == 409 and too_early.json()["code"] == "dishonesty.removal_too_early"
    assert recent["earliest_removal_on"] in too_early.json()["detail"]
    other = listing(client, world, listed_on=TODAY - timedelta(days=400), subject_id=world.ids["org2"]).json()
    unmet = client.post(f"/api/v1/credit/dishonesty-list/{other['id']}/remove", headers=reg,
                        json={"obligations_met": False, "reason": "申请移出"})
    assert unmet.status_code == 409 and unmet.json()["code"] == "dishonesty.obligations_unmet"
    assert issue(client, world, "EARLY-1", org="org2").status_code == 409
    removed = client.post(f"/api/v1/credit/dishonesty-list/{other['id']}/remove", headers=reg,
                          json={"obligations_met": True, "reason": "已缴清罚款并整改到位"})
    assert removed.json()["status"] == "removed_early"
    assert issue(client, world, "EARLY-2", org="org2").status_code == 201
    assert [i["id"] for i in client.get("/api/v1/public/dishonesty-list").json()["items"]] == [recent["id"]]


def test_a_listing_ends_by_itself_after_three_years(client, world, run, sessions):
    old = listing(client, world, listed_on=add_months(TODAY, -36) - timedelta(days=5)).json()
    assert old["status"] == "ended"
    assert client.get("/api/v1/public/dishonesty-list").json()["items"] == []
    assert issue(client, world, "OLD-1").status_code == 201
    assert run(lambda s: end_expired_listings(s, principal=SYSTEM)) == 1
    assert run(lambda s: end_expired_listings(s, principal=SYSTEM)) == 0
    ended = run(lambda s: [e.data for e in s.scalars(select(LedgerEvent).where(LedgerEvent.type == "dishonesty.ended"))])
    assert ended[0]["state"]["removal_kind"] == "ended"


def test_a_barred_auditor_loses_registrations_and_cannot_be_put_on_an_audit(client, world):
    reg = world.auth("regulator")
    r = client.post(f"/api/v1/credit/people/{world.ids['a1']}/bar", headers=reg, json={
        "kind": "false_conclusion", "reason": "出具虚假认证结论", "decision_number": "国市监处罚〔2026〕7号"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "barred" and r.json()["ends_on"] == (add_months(TODAY, 60) - timedelta(days=1)).isoformat()
    person = client.get(f"/api/v1/people/{world.ids['a1']}").json()
    assert [x["status"] for x in person["registrations"]] == ["revoked"]
    refused = issue(client, world, "BAR-1")  # the bar is named, not only the registration it revoked
    assert refused.status_code == 409 and refused.json()["code"] == "auditor.barred"
    life = client.post(f"/api/v1/credit/people/{world.ids['a2']}/bar", headers=reg, json={
        "kind": "lifetime", "reason": "多次出具虚假结论", "decision_number": "国市监处罚〔2026〕8号"}).json()
    assert life["kind"] == "lifetime_ban" and life["ends_on"] is None
    assert issue(client, world, "BAR-2", auditors=("2022-N1QMS-1000002",)).status_code == 409
    twice = client.post(f"/api/v1/credit/people/{world.ids['a2']}/bar", headers=reg, json={
        "kind": "lifetime", "reason": "x", "decision_number": "x"})
    assert twice.status_code == 409 and twice.json()["code"] == "bar.already_barred"


def test_a_revoked_body_can_issue_nothing_and_shows_revoked(client, world):
    cert = issue(client, world, "REV-0", role="cb_b", body="body_b", auditors=("2019-N1QMS-2000001",)).json()
    r = client.post(f"/api/v1/credit/bodies/{world.ids['body_b']}/revoke", headers=world.auth("regulator"), json={
        "reason": "出具虚假认证结论", "decision_number": "国市监处罚〔2026〕9号", "permanent_exit": True})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked" and r.json()["restrictions"] == ["permanent_exit"]
    refused = issue(client, world, "REV-1", role="cb_b", body="body_b", auditors=("2019-N1QMS-2000001",))
    assert refused.status_code == 409 and refused.json()["code"] == "body.not_approved"
    verified = client.get("/api/v1/verify", params={"number": cert["number"]}).json()
    assert verified["certificates"][0]["body"]["status"] == "revoked"


def test_listing_makes_the_subject_class_d(client, world):
    listing(client, world)
    reg = world.auth("regulator")
    record = client.get(f"/api/v1/credit/records/organization/{world.ids['org1']}", headers=reg).json()
    assert record["credit_class"] == "D" and record["factors"]["listed"] is True  # at once, not at the recompute
    assert recompute_summary(client, reg)["class_changes"] == 0
