"""Which database a request reads from when a replica is configured, and what the answer says about it.

A public read (a GET of a route in the `lookup` class: verify, search, statistics, tiles, proofs, directories)
is marked in the request's state with the WAL position its client must see: the primary's position after the
client's last write, remembered per client (API key, sign-in session, else address) and carried by the client
itself (the `cb_lsn` cookie, or a `Certbridge-Min-LSN` header an API client echoes from `Certbridge-Write-LSN`)
so that another server process honours it too. What the client carries is a position token the server signed
(`sign_position`: the position and an HMAC under a key derived from the instance's secret key): a position a
client made up — a huge one would send all its reads to the primary, which the replica is there to spare — or
one another instance signed is ignored, as if none were sent. `api.deps.db_read` (and the verify path on the
loop) then reads from the replica only if it has replayed that far. After every write request the primary's
position is taken (in a worker thread) and handed back to the client, signed. Public answers carry
`Certbridge-Checkpoint` (the size of the latest checkpoint in the database that answered) and
`Certbridge-Read-From` (replica or primary).
"""

from __future__ import annotations

import base64
import hmac

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from certbridge.replicas import Replica, client_key, format_lsn, parse_lsn, primary_lsn
from certbridge.security.coverage import LOOKUP, READS, WRITES, RouteResolver, request_class

LSN_COOKIE = "cb_lsn"
LSN_HEADER = b"certbridge-min-lsn"
SESSION_COOKIE = "cb_session"  # web.csrf.SESSION_COOKIE: who signed in (only its hash is kept here)
MAX_TOKEN = 100  # characters: a longer header or cookie is not a position token


def position_key(secret_key: str) -> bytes:
    """Return the key positions are signed with, derived from the instance's secret key (one use, one key)."""
    return hmac.digest(secret_key.encode("utf-8"), b"certbridge replica read position", "sha256")


def _mac(key: bytes, position: str) -> str:
    digest = hmac.digest(key, b"cb-lsn|" + position.encode("ascii"), "sha256")[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign_position(key: bytes, lsn: int) -> str:
    """Return the token a client carries for a WAL position: "<position>.<signature>"."""
    position = format_lsn(lsn)
    return f"{position}.{_mac(key, position)}"


def read_position(key: bytes, token: str | None) -> int:
    """Return the position a token signed with `key` carries; 0 (no position) for a missing, forged or foreign one."""
    if not token or len(token) > MAX_TOKEN:
        return 0
    position, _, mac = token.strip().rpartition(".")
    if not position or not position.isascii() or not hmac.compare_digest(mac, _mac(key, position)):
        return 0
    return parse_lsn(position)


def _client(scope, headers: dict[bytes, bytes], cookies: dict[str, str]) -> str:
    """Return the key a client's writes are remembered under: its API key, its session, else its address."""
    auth = headers.get(b"authorization", b"").decode("latin-1")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get(b"x-api-key", b"").decode(
        "latin-1")
    if token:
        return client_key("key:" + token)
    if cookies.get(SESSION_COOKIE):
        return client_key("session:" + cookies[SESSION_COOKIE])
    return client_key("address:" + str((scope.get("state") or {}).get("client_ip") or (scope.get("client") or
                                                                                        ("",))[0]))


class ReadRoutingMiddleware:
    """Mark public reads for the replica, hand writers their position, label public answers."""

    def __init__(self, app, *, replica: Replica, primary, key: bytes) -> None:
        self.app = app
        self.replica = replica
        self.primary = primary
        self.key = key  # position_key(the instance's secret key)
        self._resolver: RouteResolver | None = None

    async def __call__(self, scope, receive, send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or (method not in READS and method not in WRITES):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        state = scope.setdefault("state", {})
        key = _client(scope, headers, cookies)
        if method in READS:
            if self._resolver is None:
                self._resolver = RouteResolver.for_app(scope["app"])
            template = self._resolver.resolve(method, scope["path"])
            if request_class(method, template, scope.get("query_string", b"")) == LOOKUP:
                state["replica_needs"] = self._needs(key, headers, cookies)

        async def send_labelled(message):  # (the lean path labels its answers with `labels`, security/lean.py)
            if message["type"] == "http.response.start":
                extra = []
                if method in WRITES and message["status"] < 400:
                    lsn = await run_in_threadpool(primary_lsn, self.primary)
                    self.replica.remember_write(key, lsn)
                    text = sign_position(self.key, lsn)
                    extra += [(b"certbridge-write-lsn", text.encode()),
                              (b"set-cookie", f"{LSN_COOKIE}={text}; Path=/; Max-Age="
                                              f"{int(self.replica.sticky_seconds)}; HttpOnly; SameSite=Lax".encode())]
                extra += self.labels(state)
                if extra:
                    message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_labelled)

    def _needs(self, key: str, headers: dict[bytes, bytes], cookies: dict[str, str]) -> int:
        carried = headers.get(LSN_HEADER, b"").decode("latin-1")
        return max(self.replica.needed_lsn(key), read_position(self.key, carried),
                   read_position(self.key, cookies.get(LSN_COOKIE)))

    def public_read_needs(self, scope) -> int:
        """Return the WAL position a public read (a GET of a look-up) must see: what `__call__` marks it with."""
        headers = dict(scope.get("headers") or [])
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        return self._needs(_client(scope, headers, cookies), headers, cookies)

    @staticmethod
    def labels(state: dict) -> list[tuple[bytes, bytes]]:
        """Return the headers saying which database answered a public read and the checkpoint it reflects."""
        source = state.get("read_from")
        if source is None:
            return []
        # 0: no checkpoint signed yet
        return [(b"certbridge-read-from", source.encode()),
                (b"certbridge-checkpoint", str(state.get("checkpoint") or 0).encode())]
