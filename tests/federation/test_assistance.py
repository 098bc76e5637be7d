"""执法互助 between real instances: region A's regulator asks region B's for assistance; the request and every step
of its answer travel as messages signed with the sending instance's log key, through a durable outbox.

A and B are peers both ways; the national instance N follows A but is no peer of B. Messages captured from A's
outbox (as anyone on the path could) are tampered with, replayed and forged to show each is refused."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from certbridge.db import make_engine
from certbridge.federation.assistance import due_date, is_overdue
from certbridge.federation.assistance_models import AssistanceRequest
from certbridge.federation.assistance_notes import Message, new_message_id, sign_message
from certbridge.federation.assistance_outbox import retry_delay
from certbridge.kit.signed_note import Signer, generate_key
from certbridge.settings import Settings

from tests.federation.waiting import poll

pytestmark = pytest.mark.slow
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def peer_id(node, name: str) -> int:
    """Return the id under which `node` knows its peer `name`."""
    return next(p["id"] for p in node.get("/api/v1/federation/peers", "regulator").json() if p["name"] == name)


def ask(a, b, **extra) -> dict:
    """Send an assistance request from A's regulator to B and return it."""
    payload = {"peer_id": peer_id(a, b.name), "kind": "investigation", "subject_type": "organization",
               "subject_key": a.world.uscc["org1"], "subject_name": "北海市海城区示例电子有限公司",
               "text": "请协查该企业在贵辖区的生产场所是否与证书覆盖范围一致。", "working_days": 10,
               "attachments": [{"name": "线索材料.pdf", "sha256": SHA}], **extra}
    r = a.post("/api/v1/federation/assistance", "regulator", payload)
    assert r.status_code == 201, r.text
    return r.json()


def view(node, assistance_id: int) -> dict:
    """Return one request as `node`'s regulator sees it."""
    r = node.get(f"/api/v1/federation/assistance/{assistance_id}", "regulator")
    assert r.status_code == 200, r.text
    return r.json()


def inbox(node, message_id: str) -> list[dict]:
    """Return `node`'s received requests with that message id."""
    return [r for r in node.get("/api/v1/federation/assistance", "regulator", box="in").json()
            if r["message_id"] == message_id]


class Status(dict):
    """A request seen while polling: false until its status is the one waited for."""

    def __init__(self, got: dict, wanted: str) -> None:
        super().__init__(got)
        self.wanted = wanted

    def __bool__(self) -> bool:
        return self["status"] == self.wanted


def status_is(node, assistance_id: int, status: str) -> Status:
    """Return the request, true once its status is `status` (for poll, which then shows what it was)."""
    return Status(view(node, assistance_id), status)


def outbox_note(node, message_id: str) -> str:
    """Read a signed message out of `node`'s outbox table, as someone on the path would capture it."""
    engine = make_engine(node.server.instance.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT note FROM federation_outbox WHERE message_id = :m"),
                                {"m": message_id}).scalar_one()
    finally:
        engine.dispose()


def deliver(node, note: str, lang: str = "en"):
    """POST a signed message to `node` as a peer does: no cookie, no key."""
    import httpx

    return httpx.post(node.url + "/api/v1/federation/messages", json={"note": note},
                      headers={"Accept-Language": lang}, timeout=60)


def test_a_request_goes_out_and_its_answer_comes_back(trio):
    a, b = trio["a"], trio["b"]
    sent = ask(a, b)
    assert sent["direction"] == "out" and sent["peer"] == b.name and sent["status"] in ("sent", "delivered")
    assert date.fromisoformat(sent["due_on"]) >= date.fromisoformat(sent["created_at"][:10])
    poll(lambda: status_is(a, sent["id"], "delivered"), what="A's outbox to deliver the request to B")

    (got,) = poll(lambda: inbox(b, sent["message_id"]), what="the request in B's inbox")
    assert (got["peer"], got["status"], got["kind"], got["overdue"]) == (a.name, "delivered", "investigation", False)
    assert got["subject"] == {"type": "organization", "key": a.world.uscc["org1"], "name": "北海市海城区示例电子有限公司"}
    assert got["text"] == sent["text"] and got["attachments"] == [{"name": "线索材料.pdf", "sha256": SHA}]
    assert got["due_on"] == sent["due_on"] and got["working_days"] == 10
    page = b.get("/regulator/federation/assistance", "regulator", lang="en").text
    assert f'data-assistance="{got["id"]}" data-status="delivered"' in page and a.name in page

    r = b.post(f"/api/v1/federation/assistance/{got['id']}/accept", "regulator", {"text": ""})
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    poll(lambda: status_is(a, sent["id"], "accepted"), what="B's acceptance to reach A")

    answer = {"text": "经现场核查，生产场所与证书范围一致。", "attachments": [{"name": "核查笔录.pdf", "sha256": SHA}]}
    r = b.post(f"/api/v1/federation/assistance/{got['id']}/answer", "regulator", answer)
    assert r.status_code == 200 and r.json()["status"] == "answered", r.text
    done = poll(lambda: status_is(a, sent["id"], "answered"), what="B's answer to reach A")
    assert done["answer"] == answer["text"] and done["answer_attachments"] == answer["attachments"]
    assert done["overdue"] is False
    detail = a.get(f"/regulator/federation/assistance/{sent['id']}", "regulator", lang="en").text
    assert answer["text"] in detail and 'data-status="answered"' in detail

    # answered is final on B: it cannot be refused afterwards
    r = b.post(f"/api/v1/federation/assistance/{got['id']}/refuse", "regulator", {"text": "不予协助"})
    assert r.status_code == 409, r.text
    # only the instance asked decides: A cannot answer its own request
    r = a.post(f"/api/v1/federation/assistance/{sent['id']}/answer", "regulator", {"text": "x"})
    assert r.status_code == 409, r.text
    # none of it is public: the request and the answer are private events in both logs
    for node in (a, b):
        feed = node.get("/api/v1/feed", after=-1, limit=1000).text
        assert "协查该企业" not in feed and answer["text"] not in feed


def test_a_refusal_carries_its_reason_back(trio):
    a, b = trio["a"], trio["b"]
    sent = ask(a, b, kind="enforcement", subject_type="certificate", subject_key="00126Q26AST1R0M")
    (got,) = poll(lambda: inbox(b, sent["message_id"]), what="the request in B's inbox")
    r = b.post(f"/api/v1/federation/assistance/{got['id']}/refuse", "regulator", {"text": ""})
    assert r.status_code == 422 and r.json()["detail"] == "拒绝协查请求须说明理由。"
    r = b.post(f"/api/v1/federation/assistance/{got['id']}/refuse", "regulator", {"text": "该证书不在本辖区。"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    refused = poll(lambda: status_is(a, sent["id"], "refused"), what="B's refusal to reach A")
    assert refused["reason"] == "该证书不在本辖区。" and refused["overdue"] is False
    # the operator's command line lists it too
    run = a.server.instance.run("federation", "assistance", "--box", "out", "--json")
    assert run.returncode == 0, run.stderr
    listed = {r["message_id"]: r for r in json.loads(run.stdout)}
    assert listed[sent["message_id"]]["status"] == "refused" and listed[sent["message_id"]]["peer"] == b.name
    run = a.server.instance.run("federation", "send-outbox")
    assert run.returncode == 0 and "0 message(s) delivered" in run.stdout, run.stdout + run.stderr


def test_b_down_then_back_gets_the_request_once(trio):
    a, b = trio["a"], trio["b"]
    server = b.server
    server.kill()
    try:
        sent = ask(a, b, kind="notification", subject_type="body", subject_key="00126")
        later = ask(a, b, kind="evidence", subject_type="body", subject_key="00126")
        retried = poll(lambda: (lambda v: v if v["outbox"][0]["attempts"] >= 2 else None)(view(a, sent["id"])),
                       what="A's outbox to try B at least twice")
        assert retried["status"] == "sent" and retried["outbox"][0]["last_error"]
        assert retried["outbox"][0]["delivered_at"] is None
    finally:
        env = {k: v for k, v in server.instance.env.items() if k.startswith("CERTBRIDGE_")}
        server.pid = server.warm.run("serve", "--port", str(server.port), env=env)
        server.wait_ready()
    poll(lambda: status_is(a, later["id"], "delivered"), what="A's outbox to deliver once B is back")
    assert view(a, sent["id"])["status"] == "delivered"
    (first,), (second,) = inbox(b, sent["message_id"]), inbox(b, later["message_id"])  # each taken once
    assert first["id"] < second["id"]  # and in the order they were asked: the later one waited behind the first
    assert view(a, later["id"])["outbox"][0]["attempts"] == 1  # it was never sent ahead of the first


def test_tampered_replayed_and_stranger_messages_are_refused(trio):
    a, b, n = trio["a"], trio["b"], trio["n"]
    sent = ask(a, b)
    (got,) = poll(lambda: inbox(b, sent["message_id"]), what="the request in B's inbox")
    note = outbox_note(a, sent["message_id"])

    # one character of the body changed on the way: the signature no longer holds
    tampered = note.replace('"working_days":10', '"working_days":90')
    assert tampered != note
    r = deliver(b, tampered)
    assert r.status_code == 403, r.text
    assert "not signed by the key of the peer “a.region.test”" in r.json()["detail"]
    zh = deliver(b, tampered, lang="zh")
    assert zh.status_code == 403 and "签名不是对等实例“a.region.test”的密钥所签" in zh.json()["detail"]

    # the same message again: taken once, nothing changes (the outbox's retry after a lost answer is this)
    r = deliver(b, note)
    assert r.status_code == 200 and r.json() == {"id": sent["message_id"], "type": "assistance.request",
                                                 "duplicate": True, "assistance_id": None}
    assert len(inbox(b, sent["message_id"])) == 1
    # replayed to another instance that knows A (N follows A): it was addressed to B, so N refuses it
    r = deliver(n, note)
    assert r.status_code == 422 and "addressed to “b.region.test”" in r.json()["detail"], r.text
    assert n.get("/api/v1/federation/assistance", "regulator").json() == []

    # an instance B has not connected, signing with its own key: refused, named
    stranger = Signer(generate_key("stranger.test/log")[0])
    forged = sign_message(stranger, Message("stranger.test", b.name, new_message_id(), "assistance.request",
                                            {"kind": "evidence"}))
    r = deliver(b, forged)
    assert r.status_code == 403 and "“stranger.test” is not a connected peer" in r.json()["detail"], r.text
    # a message claiming to come from A, signed with another key of the same name: refused
    impostor = Signer(generate_key("a.region.test/log")[0])
    forged = sign_message(impostor, Message(a.name, b.name, new_message_id(), "assistance.request", {"kind": "x"}))
    r = deliver(b, forged)
    assert r.status_code == 403 and "a.region.test" in r.json()["detail"]
    # not a federation message at all
    r = deliver(b, "hello\n\n— a.region.test/log AAAA\n")
    assert r.status_code == 422
    assert [i["message_id"] for i in b.get("/api/v1/federation/assistance", "regulator", box="in").json()
            ].count(sent["message_id"]) == 1


def test_the_due_date_counts_chinese_working_days_and_an_open_request_becomes_overdue():
    # across the National Day holidays (1–7 October 2026), with Saturday 10 October a make-up working day (调休)
    assert due_date(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert due_date(date(2026, 10, 9), 1) == date(2026, 10, 10) and due_date(date(2026, 10, 10), 1) == date(2026, 10, 12)
    request = AssistanceRequest(status="accepted", due_on=date(2026, 10, 12))
    assert not is_overdue(request, date(2026, 10, 12)) and is_overdue(request, date(2026, 10, 13))
    request.status = "answered"
    assert not is_overdue(request, date(2027, 1, 1))


def test_the_outbox_waits_longer_after_each_failure_up_to_its_limit():
    settings = Settings(federation_outbox_seconds=10, federation_outbox_retry_max_seconds=60)
    assert [retry_delay(settings, n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]
