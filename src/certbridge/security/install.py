"""Install the request-level defences on an application (listed in app.INSTALLERS)."""

from __future__ import annotations

from fastapi import FastAPI

from certbridge.api.lean import Defences
from certbridge.audit.middleware import AuditMiddleware
from certbridge.security.read_routing import ReadRoutingMiddleware, position_key
from certbridge.security.coverage import COSTLY, LOOKUP, SIGNIN, WRITE, RouteResolver, request_class
from certbridge.security.limiter import KeyQuotas, RateLimitMiddleware
from certbridge.security.middleware import (
    BodyLimitRetryMiddleware,
    ClientAddressMiddleware,
    SecurityHeadersMiddleware,
)
from certbridge.kit.periodic import add_background
from certbridge.security.ratelimit import TokenBucketLimiter
from certbridge.security.shared_limits import Buckets, SharedBuckets
from certbridge.security.writers import WriterGateMiddleware, make_gate
from certbridge.settings import Settings


def class_limiters(config: Settings, shared: SharedBuckets | None = None) -> dict[str, Buckets]:
    """Build one per-client limiter for each limited class of security/coverage.py from the settings."""
    budgets = {SIGNIN: (config.rate_limit_login_per_minute, config.rate_limit_login_burst),
               LOOKUP: (config.rate_limit_public_per_minute, config.rate_limit_public_burst),
               COSTLY: (config.rate_limit_costly_per_minute, config.rate_limit_costly_burst),
               WRITE: (config.rate_limit_write_per_minute, config.rate_limit_write_burst)}
    return {name: Buckets(TokenBucketLimiter(per_minute=rate, burst=burst, max_keys=config.rate_limit_max_clients),
                          shared, name)
            for name, (rate, burst) in budgets.items()}


def shared_buckets(app: FastAPI, config: Settings) -> SharedBuckets | None:
    """Return the Redis buckets every process shares (closed at shutdown), or None without CERTBRIDGE_REDIS_URL."""
    if not config.redis_url:
        return None
    shared = SharedBuckets(config.redis_url, prefix=config.redis_prefix, timeout=config.redis_timeout_seconds)

    async def close_at_shutdown(application, stop) -> None:
        await stop.wait()
        await shared.close()  # its connections belong to this event loop

    add_background(app, close_at_shutdown)
    return shared


def install(app: FastAPI, config: Settings | None = None) -> None:
    """Add client address, rate limits, body limit and write retries, audit and security headers."""
    config = config or app.state.settings
    shared = shared_buckets(app, config)
    limiters = class_limiters(config, shared)
    keys = KeyQuotas(default_per_minute=config.rate_limit_key_per_minute)
    key_limiter = Buckets(TokenBucketLimiter(per_minute=config.rate_limit_key_per_minute, burst=1,
                                             max_keys=config.rate_limit_max_clients), shared, "key")
    app.state.security = config
    app.state.rate_limits = {**limiters, "key": key_limiter}
    app.state.key_quotas = keys
    app.state.writer_gate = make_gate(app.state.settings, app.state.engine.dialect.name)
    # Added innermost first: the last one added wraps all the others. The writer gate is inside the body limit,
    # so a slow client's upload never holds a writer slot (security/writers.py).
    replica = getattr(app.state, "replica", None)
    routing = limit = None
    if replica is not None:  # innermost: it sees the request as the route will, after the client address
        routing = dict(replica=replica, primary=app.state.engine,
                       key=position_key(app.state.settings.resolved_secret_key()))
        app.add_middleware(ReadRoutingMiddleware, **routing)
    app.add_middleware(WriterGateMiddleware)
    app.add_middleware(BodyLimitRetryMiddleware, max_body_bytes=config.max_body_bytes, retries=config.write_retries)
    app.add_middleware(AuditMiddleware, login_paths=config.rate_limit_login_paths, logout_paths=config.logout_paths)
    limit = dict(limiters=limiters, keys=keys, key_limiter=key_limiter,
                 costly_weight=config.rate_limit_key_costly_weight, enabled=config.rate_limit_enabled)
    app.add_middleware(RateLimitMiddleware, **limit)
    client = dict(trusted_proxies=config.trusted_proxies)
    app.add_middleware(ClientAddressMiddleware, **client)
    public_url = getattr(app.state.settings, "public_url", "") or ""
    headers = dict(csp=config.content_security_policy, docs_csp=config.docs_content_security_policy,
                   hsts_max_age=config.hsts_max_age, https_public_url=public_url.startswith("https://"))
    app.add_middleware(SecurityHeadersMiddleware, **headers)
    # The lean path (security/lean.py, mounted by app.py in front of all of these) applies the same defences, with
    # the same settings and the very same buckets, to the public reads it answers itself.
    app.state.defences = Defences(
        client=ClientAddressMiddleware(None, **client), limit=RateLimitMiddleware(None, **limit),
        headers=SecurityHeadersMiddleware(None, **headers),
        routing=ReadRoutingMiddleware(None, **routing) if routing is not None else None, is_lookup=is_lookup)


def is_lookup(app, path: str) -> bool:
    """Tell whether the limiter counts a GET of `path` as a public look-up (the class the lean path applies)."""
    template = RouteResolver.for_app(app).resolve("GET", path)
    return request_class("GET", template, b"") == LOOKUP
