"""First end-to-end checks of issuing and verifying."""

from tests.world import certificate_payload


def test_issue_then_verify_valid(client, world):
    r = client.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=world.auth("cb_a"),
                    json=certificate_payload(world))
    assert r.status_code == 201, r.text
    v = client.get("/api/v1/verify", params={"number": "00126Q26001R0M/4500"}).json()
    assert v["outcome"] == "valid"
    assert v["certificates"][0]["holder"]["uscc"] == world.uscc["org1"]
