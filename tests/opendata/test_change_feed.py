"""The change feed replayed from zero equals the log: every index once, public bodies as hashed, private redacted."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select

from certbridge.db import read_session
from certbridge.ledger.journal import LedgerEvent
from tests.opendata.conftest import issue_certificate, suspend


def _log(sessions):
    with read_session(sessions) as session:
        return [(e.seq, e.public, e.body, base64.b64encode(e.leaf_hash).decode()) for e in
                session.scalars(select(LedgerEvent).order_by(LedgerEvent.seq))]


def _replay(client, limit):
    items, after = [], -1
    while True:
        page = client.get(f"/api/v1/feed?after={after}&limit={limit}").json()
        items += page["items"]
        after = page["next_after"]
        if page["complete"]:
            return items


def _as_log(items):
    return [(i["seq"], i["public"], i.get("event"), i["leaf_hash"]) for i in items]


def test_feed_replayed_from_zero_equals_the_log(client, world, sessions):
    cert = issue_certificate(client, world, "00126Q26001R0M/4601")
    suspend(client, world, cert["id"])
    log = _log(sessions)
    assert any(not public for _, public, _, _ in log), "the seeded world has private events to redact"
    items = _replay(client, limit=7)
    expected = [(seq, public, body if public else None, leaf) for seq, public, body, leaf in log]
    assert _as_log(items) == expected
    private = next(i for i in items if not i["public"])
    assert set(private) == {"seq", "leaf_hash", "public"}  # nothing of a private event but its hash


def test_server_sent_events_stream_the_same_items_and_resume(client, world, sessions):
    issue_certificate(client, world, "00126Q26001R0M/4602")
    log = _log(sessions)
    r = client.get("/api/v1/feed/stream?until_caught_up=true")
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [block for block in r.text.split("\n\n") if block.startswith("id: ")]
    items = [json.loads(block.split("data: ", 1)[1]) for block in events]
    assert _as_log(items) == [(s, p, b if p else None, h) for s, p, b, h in log]
    assert [int(block.split("\n")[0][4:]) for block in events] == [s for s, *_ in log]
    resumed = client.get("/api/v1/feed/stream?until_caught_up=true", headers={"Last-Event-ID": str(len(log) - 2)})
    assert [json.loads(b.split("data: ", 1)[1])["seq"] for b in resumed.text.split("\n\n") if b.startswith("id: ")] \
        == [len(log) - 1]


def test_atom_feed_lists_public_changes_newest_first(client, world):
    cert = issue_certificate(client, world, "00126Q26001R0M/4603")
    suspend(client, world, cert["id"])
    r = client.get("/feed.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    titles = [t.split("</title>")[0] for t in r.text.split("<title>")[2:]]
    assert titles[0].endswith(f"certificate.suspended certificate:{cert['id']}")
    assert "user.created" not in r.text  # private events stay out
