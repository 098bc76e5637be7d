"""Consumer alerts: a regulator publishes one; it shows on the portal, on the certificates it concerns and in
the Atom and JSON feeds, and its log entry (with an inclusion proof) signs it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from tests.web.conftest import post_form


def test_a_published_alert_shows_on_the_certificate_page_and_in_both_feeds(client, signed_in, sessions,
                                                                           make_certificate):
    cert_id = make_certificate("00126Q25301R0M/4500")
    other_id = make_certificate("00126Q25302R0M/4500")
    assert "消费警示" not in client.get(f"/certificates/{cert_id}").text.split("<footer")[0]
    signed_in("regulator")
    r = post_form(client, "/regulator/alerts", data={"title": "", "summary": "x", "advice": "y",
                                                     "certificates": "NOPE-1", "authority": "北海市市场监督管理局"},
                  follow_redirects=True)
    assert 'id="f-title-error"' in r.text  # the message stands next to the empty title
    r = post_form(client, "/regulator/alerts", data={"title": "警惕冒用认证证书的电热水壶", "summary": "检出漏电隐患",
                                                     "advice": "立即停止使用并联系销售者退货",
                                                     "certificates": "NOPE-1", "authority": "北海市市场监督管理局"},
                  follow_redirects=True)
    assert "没有编号为 NOPE-1 的证书" in r.text and "检出漏电隐患" in r.text  # refused, the fields kept
    r = post_form(client, "/regulator/alerts", data={"title": "警惕冒用认证证书的电热水壶", "summary": "检出漏电隐患",
                                                     "advice": "立即停止使用并联系销售者退货",
                                                     "certificates": "00126Q25301R0M/4500",
                                                     "products": "XX 牌电热水壶 型号 K-1", "authority": "北海市市场监督管理局"})
    assert r.status_code == 303 and r.headers["location"].startswith("/alerts/")
    alert_page = client.get(r.headers["location"]).text
    assert "立即停止使用并联系销售者退货" in alert_page and "/proof" in alert_page
    page = client.get(f"/certificates/{cert_id}").text
    assert "警惕冒用认证证书的电热水壶" in page and "立即停止使用并联系销售者退货" in page
    assert "警惕冒用认证证书的电热水壶" not in client.get(f"/certificates/{other_id}").text
    feed = client.get("/alerts.json")
    assert feed.headers["content-type"].startswith("application/feed+json")
    item, = feed.json()["items"]
    assert item["title"] == "警惕冒用认证证书的电热水壶" and item["_certbridge"]["certificate_ids"] == [cert_id]
    atom = ET.fromstring(client.get("/alerts.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.find("a:entry/a:title", ns).text == "警惕冒用认证证书的电热水壶"
    with read_session(sessions) as db:
        event = db.scalar(select(LedgerEvent).where(LedgerEvent.type == "consumer_alert.published"))
        assert event.public and event.seq == item["_certbridge"]["log_seq"]
        assert json.loads(event.body)["data"]["state"]["advice"] == "立即停止使用并联系销售者退货"
    assert "警惕冒用认证证书的电热水壶" in client.get("/alerts").text


def test_only_regulators_publish_alerts(client, signed_in):
    assert client.get("/regulator/alerts", follow_redirects=False).status_code == 303
    signed_in("cb_a")
    assert client.get("/regulator/alerts").status_code == 403
