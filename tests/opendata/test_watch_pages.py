"""The console page of watches: add one (a refused form keeps its fields), see notifications, replay, saved searches."""

from __future__ import annotations

import re

from certbridge.opendata.feeds.queueing import queue_pending
from tests.opendata.conftest import issue_certificate, suspend
from tests.world import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _sign_in(client, username: str) -> None:
    token = CSRF.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code in (302, 303), r.text


def test_console_adds_a_watch_keeps_a_refused_form_and_shows_notifications(client, world, sessions):
    _sign_in(client, "org")
    page = client.get("/account/watches")
    assert page.status_code == 200
    token = CSRF.search(page.text).group(1)
    refused = client.post("/account/watches", data={"kind": "certificate", "target": "999999", "label": "我的供应商",
                                                    "csrf_token": token})
    assert refused.status_code == 404
    assert "999999" in refused.text and "我的供应商" in refused.text  # what was typed stays
    assert "不存在" in refused.text
    added = client.post("/account/watches", data={"kind": "organization", "target": str(world.ids["org1"]),
                                                  "label": "本公司", "csrf_token": token}, follow_redirects=True)
    assert added.status_code == 200 and "本公司" in added.text
    cert = issue_certificate(client, world, "00126Q26001R0M/4801")
    suspend(client, world, cert["id"])
    queue_pending(sessions)
    text = client.get("/account/watches").text
    assert "certificate.suspended" in text and "certificate.issued" in text


def test_a_saved_search_matches_by_fields_and_a_replay_sends_again_as_retry(client, world, sessions):
    auth = world.auth("regulator")
    search = client.post("/api/v1/watches", headers=auth, json={
        "kind": "search", "target": {"scheme_code": "QMS", "body_id": world.ids["body_a"]}}).json()
    elsewhere = client.post("/api/v1/watches", headers=auth, json={
        "kind": "search", "target": {"region_code": "110101"}}).json()
    cert = issue_certificate(client, world, "00126Q26001R0M/4802")
    queue_pending(sessions)
    seen = client.get(f"/api/v1/watches/{search['id']}/deliveries", headers=auth).json()
    assert [(d["event_type"], d["subject"]) for d in seen] == [("certificate.issued", f"certificate:{cert['id']}")]
    assert client.get(f"/api/v1/watches/{elsewhere['id']}/deliveries", headers=auth).json() == []
    r = client.post(f"/api/v1/watches/{search['id']}/replay", headers=auth, json={"from_seq": 0})
    assert r.status_code == 200 and r.json()["cursor"] == 0 and "secret" not in r.json()
    queue_pending(sessions)
    again = client.get(f"/api/v1/watches/{search['id']}/deliveries", headers=auth).json()
    assert len(again) == 1  # one delivery row per event and channel: a replay re-opens it, never duplicates it
    r = client.post(f"/api/v1/watches/{search['id']}/replay", headers=auth, json={"from_seq": 10**9})
    assert r.status_code == 422 and r.json()["code"] == "feeds.cursor_range"
    assert client.get(f"/api/v1/watches/{search['id']}/deliveries", headers=world.auth("cb_a")).status_code == 404
