"""Rate limits by route class (security/coverage.py): per client address, or per API key with its own quota.

Anonymous callers and signed-in pages share one budget per class and client address. A request carrying a
valid API key draws from that key's bucket instead (its own `quota_per_minute`, or the instance default), so
a buyer with a key is not throttled like a scraper; a costly request counts as several. Every limited
response carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`
(draft-ietf-httpapi-ratelimit-headers); a refusal is a 429 with `Retry-After` in the caller's language.
The buckets are this process's own, or shared by every process in Redis (security/shared_limits.py); when the
configured Redis is down, look-ups fall back to this process's buckets and everything else is refused (503).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import anyio

from certbridge.auth.service import key_quota
from certbridge.db import read_session
from certbridge.security.coverage import LOOKUP, READ, SIGNIN, RouteResolver, request_class
from certbridge.security.ratelimit import Verdict, client_key, retry_after_header
from certbridge.security.responses import send_refusal
from certbridge.security.shared_limits import Buckets

KEY_CACHE_SECONDS = 30.0
UNAVAILABLE_RETRY = "5"  # seconds a caller is asked to wait while the shared limits cannot be read  # how long a verified key (or a token that is not one) is remembered for limiting


def bearer_token(scope) -> str | None:
    """Return the API key a request presents (Authorization: Bearer or X-API-Key), if any."""
    api_key = None
    for name, value in scope.get("headers", []):
        name = name.lower()
        if name == b"authorization":
            text = value.decode("latin-1")
            if text[:7].lower() == "bearer ":
                return text[7:].strip() or None
        elif name == b"x-api-key":
            api_key = value.decode("latin-1").strip() or None
    return api_key


def key_burst(per_minute: int) -> int:
    """Return how many requests a key may send at once: a tenth of its minute, at least ten."""
    return max(10, per_minute // 10)


class KeyQuotas:
    """Tell which valid API key a request carries and its quota, checking the database at most every 30 s."""

    def __init__(self, *, default_per_minute: int, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.default = default_per_minute
        self.max_entries = max_entries
        self.clock = clock
        self._seen: OrderedDict[str, tuple[float, tuple[str, int] | None]] = OrderedDict()
        self._lock = threading.Lock()

    def _lookup(self, sessions, token: str) -> tuple[str, int] | None:
        with read_session(sessions) as session:
            found = key_quota(session, token)
        if found is None:
            return None
        key_id, own = found
        return key_id, own or self.default

    async def identify(self, scope) -> tuple[str, int] | None:
        """Return (key id, requests per minute) of the valid key the request carries, or None."""
        token = bearer_token(scope)
        if not token or len(token) > 200:
            return None
        digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        now = self.clock()
        with self._lock:
            cached = self._seen.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        # Never on the event loop: the check reads the database in a worker thread.
        found = await anyio.to_thread.run_sync(self._lookup, scope["app"].state.sessions, token)
        with self._lock:
            self._seen[digest] = (now + KEY_CACHE_SECONDS, found)
            self._seen.move_to_end(digest)
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
        return found

    def forget(self) -> None:
        """Forget every remembered key (after a quota change, in tests)."""
        with self._lock:
            self._seen.clear()


def _headers(verdict: Verdict, per_minute: int) -> list[tuple[bytes, bytes]]:
    return [(b"ratelimit-limit", str(verdict.limit).encode()),
            (b"ratelimit-remaining", str(max(0, verdict.remaining)).encode()),
            (b"ratelimit-reset", str(verdict.reset).encode()),
            (b"ratelimit-policy", f"{verdict.limit};w={max(1, round(verdict.limit * 60 / per_minute))}".encode())]


class RateLimitMiddleware:
    """Refuse a caller over its budget for the route's class with 429; tell every limited caller what is left."""

    def __init__(self, app, *, limiters: dict[str, Buckets], keys: KeyQuotas,
                 key_limiter: Buckets, costly_weight: int, enabled: bool = True) -> None:
        self.app = app
        self.limiters = limiters
        self.keys = keys
        self.key_limiter = key_limiter
        self.weights = {"costly": float(costly_weight)}
        self.enabled = enabled
        self._resolver: RouteResolver | None = None

    def resolver(self, scope) -> RouteResolver:
        """Return the route resolver, built from the application's routes on first use."""
        if self._resolver is None:
            self._resolver = RouteResolver.for_app(scope["app"])
        return self._resolver

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        template = self.resolver(scope).resolve(method, scope["path"])
        cls = request_class(method, template, scope.get("query_string", b""))
        if cls == READ:
            await self.app(scope, receive, send)
            return
        headers = await self.admit(scope, send, cls)
        if headers is None:
            return

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": list(message.get("headers", [])) + headers}
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def admit(self, scope, send, cls: str) -> list[tuple[bytes, bytes]] | None:
        """Take a limited request's tokens: return the RateLimit-* headers its answer carries, or None when it was
        refused (429, or 503 while the shared limits cannot be read), the refusal sent through `send`."""
        key = await self.keys.identify(scope) if cls != SIGNIN else None
        fail_closed = cls != LOOKUP  # Redis down: reads degrade to this process's buckets, the rest is refused
        if key is not None:
            key_id, per_minute = key
            verdict = await self.key_limiter.take(key_id, self.weights.get(cls, 1.0), per_minute=per_minute,
                                                  burst=key_burst(per_minute), fail_closed=fail_closed)
            code = "rate_limited.key"
        else:
            limiter = self.limiters[cls]
            per_minute = limiter.per_minute
            verdict = await limiter.take(client_key((scope.get("state") or {}).get("client_ip")),
                                         fail_closed=fail_closed)
            code = f"rate_limited.{cls}"
        if verdict is None:
            await send_refusal(scope, send, status=503, code="rate_limit.unavailable",
                               headers={"Retry-After": UNAVAILABLE_RETRY})
            return None
        headers = _headers(verdict, per_minute)
        if verdict.wait > 0:
            retry = retry_after_header(verdict.wait)
            extra = {k.decode(): v.decode() for k, v in headers}
            await send_refusal(scope, send, status=429, code=code, headers={**extra, "Retry-After": retry},
                               retry_after=retry, limit=per_minute)
            return None
        return headers
