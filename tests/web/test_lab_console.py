"""The lab operator has a console: their lab, its approved scope, and the particulars they may change."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.registry.models import Lab
from tests.leaks import leaks, visible_text
from tests.web.conftest import post_form, sign_in


def test_the_lab_account_lands_on_its_console_and_can_change_its_particulars_but_not_its_test_items(
        client, sessions, world):
    landed = sign_in(client, "lab")
    assert landed.status_code == 303 and landed.headers["location"].startswith("/lab")
    page = client.get("/lab")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "北海市产品质量检验所" in text and "241500340123" in text and "我的实验室" in text
    assert not leaks(text), leaks(text)
    assert 'name="capabilities"' not in page.text and "/licensing/apply?kind=change" in page.text
    with read_session(sessions) as db:
        before = [c.item for c in db.get(Lab, world.ids["lab"]).capabilities]
    saved = post_form(client, "/lab", data={"name": "北海市产品质量检验所", "address": "北海市海城区 1 号",
                                            "region_code": "", "capabilities": "食品 | 铅的测定 | GB 5009.12-2023"})
    assert saved.status_code == 303
    with read_session(sessions) as db:
        lab = db.scalar(select(Lab).where(Lab.id == world.ids["lab"]))
        assert [c.item for c in lab.capabilities] == before and lab.address == "北海市海城区 1 号"


def test_the_operator_cannot_change_its_test_items_through_the_api(client, world):
    r = client.patch(f"/api/v1/labs/{world.ids['lab']}", headers=world.auth("lab"),
                     json={"capabilities": [{"category": "食品", "item": "铅的测定"}]})
    assert r.status_code == 409 and r.json()["code"] == "lab.scope_through_case", r.text


def test_other_accounts_get_no_lab_console(client):
    sign_in(client, "cb_a")
    assert client.get("/lab").status_code == 403
