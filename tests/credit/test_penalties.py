"""Penalties: 双公示 fields, publication within 7 (SAMR 20) working days, withdrawal in 3, periods, repair."""

from __future__ import annotations

from datetime import date

import pytest

from certbridge.credit import penalties
from certbridge.credit.schemas import PenaltyIn
from certbridge.errors import RuleViolation
from certbridge.principal import SYSTEM


def test_a_penalty_keeps_every_field_and_amounts_in_wan_yuan(client, world, penalty_body):
    body = penalty_body(categories=["罚款", "没收违法所得"], fine_wan="12.5", confiscation_wan="0.345678",
                        remarks="当事人已缴清罚没款")
    r = client.post("/api/v1/credit/penalties", headers=world.auth("regulator"), json=body)
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["fine_wan"] == "12.5" and p["confiscation_wan"] == "0.345678"
    assert p["subject_type"] == "organization" and p["subject_id"] == world.ids["org1"]  # found by USCC
    assert p["status"] == "unpublished" and p["minor"] is False
    assert p["publication_ends_on"] == "2027-09-27"  # public 3 years
    # National Day 2024: 29 Sep (Sunday) and 12 Oct (Saturday) are make-up working days
    assert p["publication_due_on"] == "2024-10-12"


def test_samr_penalties_have_20_working_days_and_minor_ones_stay_public_3_months(client, world, penalty_body):
    samr = client.post("/api/v1/credit/penalties", headers=world.auth("regulator"),
                       json=penalty_body(samr=True, decision_number="国市监处罚〔2024〕3号")).json()
    assert samr["publication_due_on"] == "2024-10-30"
    minor = client.post("/api/v1/credit/penalties", headers=world.auth("regulator"),
                        json=penalty_body(categories=["警告"], fine_wan=None, content="警告",
                                          decision_number="北市监处罚〔2024〕89号")).json()
    assert minor["minor"] is True and minor["publication_ends_on"] == "2024-12-27"


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"categories": ["罚款"], "fine_wan": None}, "penalty.fine_required", "fine_wan"),
    ({"categories": ["警告"], "fine_wan": "1"}, "penalty.fine_without_category", "categories"),
    ({"categories": ["没收违法所得"], "fine_wan": None}, "penalty.confiscation_required", "confiscation_wan"),
    ({"categories": ["吊销许可证件"], "fine_wan": None}, "penalty.licence_required", "licence_affected"),
    ({"party_uscc": None}, "penalty.uscc_required", "party_uscc"),
    ({"authority_uscc": "11450500398259791I"}, "uscc.bad_character", "authority_uscc"),
])
def test_penalty_fields_are_checked(client, world, penalty_body, changes, code, field):
    r = client.post("/api/v1/credit/penalties", headers=world.auth("regulator"), json=penalty_body(**changes))
    assert r.status_code == 422 and r.json()["code"] == code and r.json()["errors"][0]["field"] == field


def test_only_regulators_record_penalties(client, world, penalty_body):
    assert client.post("/api/v1/credit/penalties", json=penalty_body()).status_code == 401
    assert client.post("/api/v1/credit/penalties", headers=world.auth("cb_a"), json=penalty_body()).status_code == 403


def test_publication_is_public_until_its_end_and_late_publication_is_marked(client, world, penalty_body):
    reg = world.auth("regulator")
    p = client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body()).json()
    assert client.get(f"/api/v1/credit/penalties/{p['id']}").status_code == 404  # not public yet
    published = client.post(f"/api/v1/credit/penalties/{p['id']}/publish", headers=reg, json={"on": "2024-10-14"})
    assert published.json()["published_late"] is True and published.json()["status"] == "published"
    public = client.get("/api/v1/public/penalties").json()["items"]
    assert [x["decision_number"] for x in public] == ["北市监处罚〔2024〕88号"]
    ended = client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(
        categories=["警告"], fine_wan=None, decision_number="北市监处罚〔2024〕90号", publish=True)).json()
    assert ended["status"] == "ended"  # 3 months for a warning are long over
    assert [x["id"] for x in client.get("/api/v1/public/penalties").json()["items"]] == [p["id"]]


def test_withdrawal_is_due_in_3_working_days_and_removes_the_penalty(run, client, world, penalty_body):
    reg = world.auth("regulator")
    p = client.post("/api/v1/credit/penalties", headers=reg, json=penalty_body(publish=True)).json()
    on_time = run(lambda s: penalties.withdraw_penalty(s, principal=SYSTEM, penalty_id=p["id"],
                                                       decision_changed_on=date(2025, 9, 30), reason="复议撤销",
                                                       on=date(2025, 10, 11)))
    # National Day 2025: 1–8 Oct off, Saturday 11 Oct worked: the third working day after 30 Sep
    assert on_time.withdrawal_due_on == date(2025, 10, 11)
    view = client.get(f"/api/v1/credit/penalties/{p['id']}", headers=reg).json()
    assert view["status"] == "withdrawn" and view["withdrawal_reason"] == "复议撤销"
    assert client.get("/api/v1/public/penalties").json()["items"] == []
    again = client.post(f"/api/v1/credit/penalties/{p['id']}/withdraw", headers=reg,
                        json={"decision_changed_on": "2025-09-30", "reason": "x"})
    assert again.status_code == 409 and again.json()["code"] == "publicity.already_withdrawn"


def test_repair_waits_6_months_or_a_year_for_food_drugs_and_special_equipment(run, penalty_body):
    def record(sector, number):
        item = PenaltyIn(**penalty_body(sector=sector, decision_number=number))
        p = penalties.record_penalty
        return run(lambda s: p(s, principal=SYSTEM, item=item, today=date(2025, 1, 10)).id)

    general, food = record("general", "A-1"), record("food", "A-2")
    for pid in (general, food):
        run(lambda s: penalties.publish_penalty(s, principal=SYSTEM, penalty_id=pid, on=date(2025, 1, 10)))
    with pytest.raises(RuleViolation) as err:
        run(lambda s: penalties.repair_penalty(s, principal=SYSTEM, penalty_id=general, reason="已整改",
                                               on=date(2025, 7, 9)))
    assert err.value.code == "penalty.repair_too_early" and "2025-07-10" in err.value.message("zh")
    repaired = run(lambda s: penalties.repair_penalty(s, principal=SYSTEM, penalty_id=general, reason="已整改",
                                                      on=date(2025, 7, 10)))
    assert repaired.repaired_on == date(2025, 7, 10)
    with pytest.raises(RuleViolation) as err:
        run(lambda s: penalties.repair_penalty(s, principal=SYSTEM, penalty_id=food, reason="已整改",
                                               on=date(2025, 12, 1)))
    assert "2026-01-10" in err.value.message("en")
