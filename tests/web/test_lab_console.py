"""The lab operator has a console: their lab, its approved scope, and the particulars they may change."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.registry.models import Lab
from tests.leaks import leaks, visible_text
from tests.web.conftest import post_form, sign_in


def test_the_lab_account_lands_on_its_console_and_can_change_its_test_items(client, sessions, world):
    landed = sign_in(client, "lab")
    assert landed.status_code == 303 and landed.headers["location"].startswith("/lab")
    page = client.get("/lab")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "北海市产品质量检验所" in text and "241500340123" in text and "我的实验室" in text
    assert not leaks(text), leaks(text)
    saved = post_form(client, "/lab", data={"name": "北海市产品质量检验所", "address": "北海市海城区 1 号",
                                            "region_code": "", "capabilities": "食品 | 铅的测定 | GB 5009.12-2023"})
    assert saved.status_code == 303
    assert "铅的测定" in client.get("/lab").text
    with read_session(sessions) as db:
        lab = db.scalar(select(Lab).where(Lab.id == world.ids["lab"]))
        assert [c.item for c in lab.capabilities] == ["铅的测定"] and lab.address == "北海市海城区 1 号"


def test_a_half_typed_test_item_is_refused_and_the_form_keeps_what_was_typed(client, world):
    sign_in(client, "lab")
    refused = post_form(client, "/lab", data={"name": "北海市产品质量检验所", "capabilities": "食品 |"})
    assert refused.status_code == 422
    assert "食品 |" in refused.text


def test_other_accounts_get_no_lab_console(client):
    sign_in(client, "cb_a")
    assert client.get("/lab").status_code == 403
