"""Security settings (env prefix CERTBRIDGE_), declared once and passed to the middleware at install time."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LOGIN_PATHS = [r"^/(web/)?(auth/)?(login|signin)/?$", r"^/api/v1/(auth/)?(login|sessions?)/?$"]
LOGOUT_PATHS = [r"^/(web/)?(auth/)?(logout|signout)/?$", r"^/api/v1/(auth/)?logout/?$"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# The interactive docs load Swagger UI / ReDoc from /static-docs (packaged) with an inline bootstrap script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


class SecuritySettings(BaseSettings):
    """Limits and headers; each field can be set as CERTBRIDGE_<NAME> (lists as JSON)."""

    model_config = SettingsConfigDict(env_prefix="CERTBRIDGE_", extra="ignore")

    rate_limit_enabled: bool = Field(default=True, description="Turn per-client rate limiting on or off.")
    # Which routes are in which class is declared in security/coverage.py; these are the budgets per client.
    rate_limit_login_per_minute: int = Field(default=10, ge=1, description="Sign-in attempts per client.")
    rate_limit_login_burst: int = Field(default=10, ge=1, description="Sign-in attempts allowed at once.")
    rate_limit_public_per_minute: int = Field(default=300, ge=1, description="Public look-ups per client.")
    rate_limit_public_burst: int = Field(default=60, ge=1, description="Public look-ups allowed at once.")
    rate_limit_costly_per_minute: int = Field(
        default=20, ge=1, description="PDFs, QR images, tokens, receipts, exports and imports per client.")
    rate_limit_costly_burst: int = Field(default=10, ge=1, description="Costly requests allowed at once.")
    rate_limit_write_per_minute: int = Field(default=120, ge=1, description="Other writes per client.")
    rate_limit_write_burst: int = Field(default=60, ge=1, description="Other writes allowed at once.")
    rate_limit_key_per_minute: int = Field(
        default=3000, ge=1, description="Requests per minute of an API key without a quota of its own.")
    rate_limit_key_costly_weight: int = Field(
        default=20, ge=1, description="How many requests of a key's quota one costly request counts as.")
    rate_limit_login_paths: list[str] = Field(default_factory=lambda: list(LOGIN_PATHS))
    rate_limit_max_clients: int = Field(default=100_000, ge=100, description="Clients remembered per limit.")
    logout_paths: list[str] = Field(default_factory=lambda: list(LOGOUT_PATHS))
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed.")
    max_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    write_retries: int = Field(default=3, ge=0, le=10, description="Retries of a write hit by a lock conflict.")
    content_security_policy: str = Field(default=CSP)
    docs_content_security_policy: str = Field(default=DOCS_CSP)
    hsts_max_age: int = Field(default=31_536_000, ge=0, description="Strict-Transport-Security max-age on https.")
