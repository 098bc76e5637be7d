"""Install the request-level defences on an application (listed in app.INSTALLERS)."""

from __future__ import annotations

import re

from fastapi import FastAPI

from certbridge.audit.middleware import AuditMiddleware
from certbridge.security.config import SecuritySettings
from certbridge.security.middleware import (
    BodyLimitRetryMiddleware,
    ClientAddressMiddleware,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
)
from certbridge.security.ratelimit import LimitRule, TokenBucketLimiter
from certbridge.security.writers import WriterGateMiddleware, make_gate


def limit_rules(config: SecuritySettings) -> list[LimitRule]:
    """Build the sign-in and public look-up limits from the settings."""
    login = TokenBucketLimiter(per_minute=config.rate_limit_login_per_minute, burst=config.rate_limit_login_burst,
                               max_keys=config.rate_limit_max_clients)
    public = TokenBucketLimiter(per_minute=config.rate_limit_public_per_minute,
                                burst=config.rate_limit_public_burst, max_keys=config.rate_limit_max_clients)
    return [
        LimitRule("login", frozenset({"POST"}), [re.compile(p) for p in config.rate_limit_login_paths], login),
        LimitRule("public", frozenset({"GET", "HEAD"}), [re.compile(p) for p in config.rate_limit_public_paths],
                  public),
    ]


def install(app: FastAPI, config: SecuritySettings | None = None) -> None:
    """Add client address, rate limits, body limit and write retries, audit and security headers."""
    config = config or SecuritySettings()
    rules = limit_rules(config)
    app.state.security = config
    app.state.rate_limits = {rule.name: rule.limiter for rule in rules}
    app.state.writer_gate = make_gate(app.state.settings, app.state.engine.dialect.name)
    # Added innermost first: the last one added wraps all the others. The writer gate is inside the body limit,
    # so a slow client's upload never holds a writer slot (security/writers.py).
    app.add_middleware(WriterGateMiddleware)
    app.add_middleware(BodyLimitRetryMiddleware, max_body_bytes=config.max_body_bytes, retries=config.write_retries)
    app.add_middleware(AuditMiddleware, login_paths=config.rate_limit_login_paths, logout_paths=config.logout_paths)
    app.add_middleware(RateLimitMiddleware, rules=rules, enabled=config.rate_limit_enabled)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=config.trusted_proxies)
    public_url = getattr(app.state.settings, "public_url", "") or ""
    app.add_middleware(SecurityHeadersMiddleware, csp=config.content_security_policy,
                       docs_csp=config.docs_content_security_policy, hsts_max_age=config.hsts_max_age,
                       https_public_url=public_url.startswith("https://"))
