"""Two regions and a national instance as real processes: a certificate issued in A is found from B with its
source; A's mirror is proven complete, and an entry withheld or altered on the way is detected, not mirrored;
B cosigns A's checkpoints as a witness."""

from __future__ import annotations

import pytest

from tests.federation.waiting import poll
from tests.world import certificate_payload

pytestmark = pytest.mark.slow


def issue(node, number: str) -> dict:
    """Issue a certificate in body A of `node`'s world and return it."""
    r = node.post(f"/api/v1/bodies/{node.world.ids['body_a']}/certificates", "cb_a",
                  certificate_payload(node.world, number=number, issued_on="2026-03-01"))
    assert r.status_code == 201, r.text
    return r.json()


def peer(node, name: str) -> dict:
    """Return `node`'s view of its peer `name`."""
    peers = node.get("/api/v1/federation/peers", "regulator").json()
    return next(p for p in peers if p["name"] == name)


def test_certificate_issued_in_a_is_found_from_b_with_its_source(trio):
    a, b = trio["a"], trio["b"]
    cert = issue(a, "00126Q26FED1R0M")
    assert b.get("/api/v1/certificates", q="00126Q26FED1R0M").json()["items"] == []  # not B's own

    def found():
        items = b.get("/api/v1/certificates", q="00126Q26FED1R0M", peers="true").json().get("peer_items")
        return items or None

    (item,) = poll(found, what="B's background follower to mirror A's new certificate")
    assert item["source"]["instance"] == "a.region.test"
    assert item["source"]["label"] == "A 市场监管局"
    assert item["source"]["region_code"] == "450500"
    checkpoint = a.get("/api/v1/ledger/checkpoint").text
    assert item["source"]["checkpoint_size"] <= int(checkpoint.split("\n")[1])
    assert item["source"]["problem"] is None
    got = item["certificate"]
    assert (got["number"], got["status"], got["id"]) == ("00126Q26FED1R0M", "valid", cert["id"])
    assert got["holder_name"] == "北海市海城区示例电子有限公司"
    assert got["holder_uscc"] == a.world.uscc["org1"]
    assert got["body_code"] == "00126"
    # by the holder's USCC too, and on the search page with the source named
    by_uscc = b.get("/api/v1/federation/certificates", q=a.world.uscc["org1"]).json()["items"]
    assert "00126Q26FED1R0M" in {i["certificate"]["number"] for i in by_uscc}
    page = b.get("/", q="00126Q26FED1R0M", peers="1", lang="en").text
    assert "From peer instances" in page and "a.region.test" in page and "00126Q26FED1R0M" in page
    # the regulator's console lists the peer with its proven checkpoint and no finding
    console = httpx_page(b, "/regulator/federation")
    assert "a.region.test" in console and "data-problem" not in console


def httpx_page(node, path: str) -> str:
    """Return a console page read with the regulator's API key."""
    r = node.get(path, "regulator", lang="en")
    assert r.status_code == 200, r.text
    return r.text


def test_b_cosigns_a_checkpoints_as_witness(trio):
    a = trio["a"]
    issue(a, "00126Q26FED2R0M")
    note = poll(lambda: (lambda t: t if "\u2014 b.region.test/witness " in t else None)(
        a.get("/api/v1/ledger/checkpoint").text), what="B's cosignature on A's checkpoint")
    assert note.startswith("a.region.test/log\n")


def test_mirror_is_proven_complete_and_a_withheld_or_altered_entry_is_detected(trio):
    a, n, tamperer = trio["a"], trio["n"], trio["tamperer"]
    peer_id = peer(n, "a.region.test")["id"]
    tamperer.mode = "honest"
    r = n.post(f"/api/v1/federation/peers/{peer_id}/sync", "regulator")
    assert r.status_code == 200, r.text
    proven = r.json()
    size = int(a.get("/api/v1/ledger/checkpoint").text.split("\n")[1])
    # the node's own background rounds may have brought some or all of the events already: what matters is that
    # the mirror is proven up to A's checkpoint
    assert proven["problem"] is None and proven["size"] == size
    view = peer(n, "a.region.test")
    assert view["verified_size"] == size and view["problem"] is None
    assert view["checkpoint"].startswith(f"a.region.test/log\n{size}\n")

    # an entry withheld on the way: the whole-log audit names the missing index
    feed = a.get("/api/v1/feed", after=-1, limit=1000).json()["items"]
    target = next(i["seq"] for i in feed if i["public"] and '"status":"valid"' in i.get("event", ""))
    tamperer.mode, tamperer.seq = "withhold", target
    found = n.post(f"/api/v1/federation/peers/{peer_id}/audit", "regulator").json()
    assert found["problem"] == "withheld" and f"expected index {target}" in found["detail"]
    assert peer(n, "a.region.test")["problem"] == "withheld"
    # a round reads only entries it has not proven yet and cannot see this one: the audit's finding stands
    assert n.post(f"/api/v1/federation/peers/{peer_id}/sync", "regulator").status_code == 200
    assert peer(n, "a.region.test")["problem"] == "withheld"

    # an entry altered on the way (valid → withdrawn): its body no longer hashes to its leaf
    tamperer.mode = "tamper"
    found = n.post(f"/api/v1/federation/peers/{peer_id}/audit", "regulator").json()
    assert found["problem"] == "tampered" and f"index {target}" in found["detail"]
    # only a clean audit of the whole feed clears an audit's finding
    tamperer.mode = "honest"
    assert n.post(f"/api/v1/federation/peers/{peer_id}/audit", "regulator").json()["problem"] is None
    assert peer(n, "a.region.test")["problem"] is None

    # a new certificate behind a withheld entry is not mirrored: nothing of a round that fails is accepted
    issue(a, "00126Q26FED3R0M")
    tamperer.mode = "withhold"
    tamperer.seq = int(a.get("/api/v1/ledger/checkpoint").text.split("\n")[1]) - 1
    found = n.post(f"/api/v1/federation/peers/{peer_id}/sync", "regulator").json()
    assert found["problem"] == "withheld"
    assert peer(n, "a.region.test")["verified_size"] == size
    assert n.get("/api/v1/federation/certificates", q="00126Q26FED3R0M").json()["items"] == []
    console = httpx_page(n, "/regulator/federation")
    assert 'data-problem="withheld"' in console

    # the honest path again: the next round proves and mirrors it, and clears the finding
    tamperer.mode = "honest"
    ok = n.post(f"/api/v1/federation/peers/{peer_id}/sync", "regulator").json()
    assert ok["problem"] is None and ok["size"] > size
    (item,) = n.get("/api/v1/federation/certificates", q="00126Q26FED3R0M").json()["items"]
    assert item["source"]["instance"] == "a.region.test" and item["source"]["checkpoint_size"] == ok["size"]
