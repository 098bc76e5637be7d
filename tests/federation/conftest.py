"""Three real instances for the federation tests: regions A and B and a national instance N.

Each is `certbridge serve` on a loopback port with its own database and data directory (its own keys). On
SQLite all three are copies of the suite's template; on PostgreSQL, A and N are PostgreSQL copies and B is a
fresh SQLite database seeded in-process — a mixed federation. N follows A through `Tamperer`, a proxy in the
test process that can withhold or alter one feed entry, to show what a dishonest path is caught doing. The
trio is module-scoped: the tests share it and each only adds data.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from certbridge.db import make_engine
from tests.conftest import BACKEND, copy_database, seed_database
from tests.reliability.conftest import Instance, Server, Warm, free_port
from tests.world import World


@dataclass
class Node:
    """One running instance: its name, URL, seeded world and (once read) its identity."""

    name: str
    server: Server
    world: World
    identity: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Return the base URL."""
        return self.server.url

    def get(self, path: str, role: str | None = None, **params) -> httpx.Response:
        """GET a path, as a seeded role if given."""
        return httpx.get(self.url + path, params=params, headers=self.world.auth(role) if role else None, timeout=60)

    def post(self, path: str, role: str, payload: dict | None = None) -> httpx.Response:
        """POST JSON as a seeded role."""
        return httpx.post(self.url + path, json=payload, headers=self.world.auth(role), timeout=60)


class Tamperer:
    """A proxy to one instance that passes everything through, or withholds / alters one change-feed entry."""

    def __init__(self, target: str) -> None:
        self.target, self.mode, self.seq = target, "honest", None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the stdlib's name
                upstream = httpx.get(proxy.target + self.path, timeout=60)
                body = upstream.content
                if self.path.startswith("/api/v1/feed") and proxy.mode != "honest":
                    body = proxy.rewrite(upstream.json())
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", upstream.headers.get("content-type", "application/json"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def rewrite(self, page: dict) -> bytes:
        """Withhold or alter the entry `self.seq` of a feed page."""
        items = []
        for item in page["items"]:
            if item["seq"] == self.seq and self.mode == "withhold":
                continue
            if item["seq"] == self.seq and self.mode == "tamper":
                item["event"] = item["event"].replace('"status":"valid"', '"status":"withdrawn"')
            items.append(item)
        return json.dumps({**page, "items": items}, ensure_ascii=False).encode("utf-8")


def _fresh_sqlite(path: Path):
    """Return a new SQLite database, migrated and seeded like the template (PostgreSQL runs mix it in)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    world = seed_database(engine)
    engine.dispose()
    return url, world


@pytest.fixture(scope="module")
def trio(template, tmp_path_factory):
    """Start A, B and N, connect them (B and N follow A; A and B witness each other), and yield them."""
    root = tmp_path_factory.mktemp("federation")
    copies, nodes = [], {}
    # One parent imports the code once; the three servers are forked from it with their own environment.
    warm = Warm(Instance(template["url"], root, {**os.environ, "PYTHONUNBUFFERED": "1"}))
    specs = {"a": "a.region.test", "b": "b.region.test", "n": "nation.test"}
    servers = {}
    for key, name in specs.items():
        data_dir = root / key
        data_dir.mkdir()
        if key == "b" and BACKEND == "postgresql":
            url, world = _fresh_sqlite(root / "b.db")
        else:
            gen = copy_database(template["url"], prefix=template["prefix"], target=root / f"{key}.db")
            url, world = next(gen), template["world"]
            copies.append(gen)
        port = free_port()
        env = {**os.environ, "CERTBRIDGE_DATABASE_URL": url, "CERTBRIDGE_DATA_DIR": str(data_dir),
               "CERTBRIDGE_SECRET_KEY": "test-secret-key", "CERTBRIDGE_LANG": "en", "PYTHONUNBUFFERED": "1",
               "CERTBRIDGE_INSTANCE_NAME": name, "CERTBRIDGE_PUBLIC_URL": f"http://127.0.0.1:{port}",
               "CERTBRIDGE_FEDERATION_FOLLOW_SECONDS": "1" if key == "b" else "3600",
               "CERTBRIDGE_BULK_FILES_DAILY": "false", "CERTBRIDGE_FEDERATION_OUTBOX_SECONDS": "0.2",
               "CERTBRIDGE_FEDERATION_OUTBOX_RETRY_MAX_SECONDS": "1"}
        servers[key] = Server(Instance(url, data_dir, env), port, warm=warm)
        servers[key].pid = warm.run("serve", "--port", str(port), env={k: v for k, v in env.items()
                                                                      if k.startswith("CERTBRIDGE_")})
        nodes[key] = Node(name, servers[key], world)
    try:
        for node in nodes.values():
            node.server.wait_ready()
            node.identity = node.get("/api/v1/federation/identity").json()
        a, b, n = nodes["a"], nodes["b"], nodes["n"]
        tamperer = Tamperer(a.url)

        def connect(follower: Node, peer: Node, url: str, **extra) -> None:
            r = follower.post("/api/v1/federation/peers", "admin", {
                "name": peer.name, "base_url": url, "log_key": peer.identity["log_key"], **extra})
            assert r.status_code == 201, r.text

        connect(b, a, a.url, role="region", region_code="450500", label="A 市场监管局",
                witness_key=a.identity["witness_key"])
        connect(a, b, b.url, role="region", witness_key=b.identity["witness_key"])
        connect(n, a, tamperer.url, role="region", witness=False)
        yield {"a": a, "b": b, "n": n, "tamperer": tamperer}
    finally:
        for server in servers.values():
            server.kill()
        warm.close()
        for gen in copies:
            gen.close()
