"""The lean path (api/lean.py) on a real streaming replica: the same routing, labels and answers as the full stack.

An app with its lean path and the same app without it, on one primary and its replica: after a write, with the
replica paused, the writer (who reads its own write on the primary) and anyone else (who reads the replica's
past, labelled with the checkpoint it reflects) get the same status, headers in order and bytes from both.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from certbridge.app import create_app
from tests.conftest import BACKEND
from tests.replica.test_replica_reads import replicated  # noqa: F401 - the fixture
from tests.security.test_lean_reads import HOLDER, SEARCH, VERIFY, lean_layer, without_lean_path
from tests.world import certificate_payload

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="a streaming replica needs the PostgreSQL pass")

NUMBER = "00126Q26101R0M/4500"


def test_lean_reads_go_where_the_full_stacks_go_and_say_so(replica_server, replicated, world):  # noqa: F811
    writer = world.auth("cb_a")
    quiet = replicated.model_copy(update={"background_work": False})  # no checkpoint signed between two answers
    lean_app, full_app = create_app(quiet), without_lean_path(create_app(quiet))
    for application in (lean_app, full_app):  # a stopped clock: both apps' buckets count alike
        for buckets in application.state.rate_limits.values():
            buckets.local.clock = lambda: 1000.0
    with TestClient(lean_app) as lean, TestClient(full_app) as full:
        issued = full.post(f"/api/v1/bodies/{world.ids['body_a']}/certificates", headers=writer,
                           json=certificate_payload(world, number=NUMBER))
        assert issued.status_code == 201, issued.text
        replica_server.catch_up()
        replica_server.pause()
        try:
            changed = full.post(f"/api/v1/certificates/{issued.json()['id']}/suspend", headers=writer,
                                json={"reason": "测试原因"})
            assert changed.status_code == 200, changed.text
            position = changed.headers["certbridge-write-lsn"]
            paths = [f"{VERIFY}?number={quote(NUMBER, safe='')}", HOLDER + world.uscc["org1"],
                     f"{SEARCH}?q={quote(NUMBER, safe='')}"]
            for who, headers, source, status in (("writer", {"Certbridge-Min-LSN": position}, "primary", "suspended"),
                                                 ("anyone", {}, "replica", "valid")):
                for path in paths:
                    for client in (lean, full):
                        client.cookies.clear()
                    a, b = lean.get(path, headers=headers), full.get(path, headers=headers)
                    assert (a.status_code, a.headers.raw, a.content) == (b.status_code, b.headers.raw, b.content), (
                        who, path)
                    assert a.headers["certbridge-read-from"] == source, (who, path)
                    assert int(a.headers["certbridge-checkpoint"]) >= 0
                    if path.startswith(VERIFY + "?"):
                        assert a.json()["certificates"][0]["status"] == status, who
        finally:
            replica_server.resume()
        assert all(lean_layer(lean_app).answered[p] >= 2 for p in (VERIFY, HOLDER, SEARCH))
