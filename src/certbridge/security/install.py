"""Install the request-level defences on an application (listed in app.INSTALLERS)."""

from __future__ import annotations

from fastapi import FastAPI

from certbridge.audit.middleware import AuditMiddleware
from certbridge.security.read_routing import ReadRoutingMiddleware, position_key
from certbridge.security.coverage import COSTLY, LOOKUP, SIGNIN, WRITE
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
    if replica is not None:  # innermost: it sees the request as the route will, after the client address
        app.add_middleware(ReadRoutingMiddleware, replica=replica, primary=app.state.engine,
                           key=position_key(app.state.settings.resolved_secret_key()))
    app.add_middleware(WriterGateMiddleware)
    app.add_middleware(BodyLimitRetryMiddleware, max_body_bytes=config.max_body_bytes, retries=config.write_retries)
    app.add_middleware(AuditMiddleware, login_paths=config.rate_limit_login_paths, logout_paths=config.logout_paths)
    app.add_middleware(RateLimitMiddleware, limiters=limiters, keys=keys, key_limiter=key_limiter,
                       costly_weight=config.rate_limit_key_costly_weight, enabled=config.rate_limit_enabled)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=config.trusted_proxies)
    public_url = getattr(app.state.settings, "public_url", "") or ""
    app.add_middleware(SecurityHeadersMiddleware, csp=config.content_security_policy,
                       docs_csp=config.docs_content_security_policy, hsts_max_age=config.hsts_max_age,
                       https_public_url=public_url.startswith("https://"))
