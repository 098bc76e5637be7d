"""The OpenAPI document declares how to authenticate: the API key scheme per operation (the Authorize button)."""

from __future__ import annotations

KEY = [{"apiKey": []}, {"apiKeyHeader": []}]
# POSTs that change nothing and need no key: a check of a document anyone may hold (the body is the input,
# too large or structured for a query string). Each is public like GET /api/v1/verify: no security at all.
PUBLIC_POSTS = {("post", "/api/v1/receipts/verify"), ("post", "/api/v1/bulk-receipts/verify")}
# POSTs that change nothing, open to anyone, where a key is optional: it draws from the key's own daily quota
# instead of the anonymous address's (docs/opendata.md "Quotas").
KEY_OPTIONAL_POSTS = {("post", "/api/v1/bulk-verifications"), ("post", "/api/v1/bulk-verifications/file"),
                      ("post", "/api/v1/bulk-verifications/jobs")}
# Writes open to anyone, where a key is optional: filing a complaint (anonymous, or as the key's user).
PUBLIC_WRITES = {("post", "/api/v1/complaints")}
# Writes authenticated by a signature in the body, not by a key: a peer instance delivering its signed message
# (执法互助). No key scheme applies, so none is declared.
SIGNED_WRITES = {("post", "/api/v1/federation/messages")}


def test_the_document_declares_the_key_and_session_schemes(client):
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKeyHeader"]["in"] == "header" and schemes["apiKeyHeader"]["name"] == "X-API-Key"
    assert schemes["session"]["in"] == "cookie" and "pages" in schemes["session"]["description"]


def test_each_operation_says_whether_it_needs_a_key(client):
    paths = client.get("/openapi.json").json()["paths"]
    writes = [(m, p) for p, ops in paths.items() for m, op in ops.items()
              if m in ("post", "put", "patch", "delete")
              and (m, p) not in PUBLIC_POSTS | KEY_OPTIONAL_POSTS | PUBLIC_WRITES | SIGNED_WRITES]
    assert writes and all(paths[p][m].get("security") == KEY for m, p in writes), \
        [f"{m} {p}" for m, p in writes if paths[p][m].get("security") != KEY]
    assert paths["/api/v1/me"]["get"]["security"] == KEY
    assert paths["/api/v1/audit"]["get"]["security"] == KEY
    assert "security" not in paths["/api/v1/verify"]["get"]  # public: no key needed or used
    for m, p in PUBLIC_POSTS | SIGNED_WRITES:  # public reads by POST, signed deliveries: no key needed or used
        assert "security" not in paths[p][m], f"{m} {p}"
    for m, p in KEY_OPTIONAL_POSTS | PUBLIC_WRITES:
        assert paths[p][m]["security"] == [{}, *KEY], f"{m} {p}"
    # a read anyone may make, where a key shows more (private events): anonymous allowed, key optional
    assert paths["/api/v1/ledger/events/{seq}"]["get"]["security"] == [{}, *KEY]


def test_a_key_the_document_describes_works_and_none_is_refused(client, world):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=world.auth("regulator")).json()["username"] == "regulator"
    token = world.tokens["regulator"]
    assert client.get("/api/v1/me", headers={"X-API-Key": token}).json()["username"] == "regulator"
