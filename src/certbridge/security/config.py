"""Security settings (env prefix CERTBRIDGE_), declared once and passed to the middleware at install time."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LOGIN_PATHS = [r"^/(web/)?(auth/)?(login|signin)/?$", r"^/api/v1/(auth/)?(login|sessions?)/?$"]
LOGOUT_PATHS = [r"^/(web/)?(auth/)?(logout|signout)/?$", r"^/api/v1/(auth/)?logout/?$"]
PUBLIC_LOOKUP_PATHS = [
    r"^/api/v1/verify(/|$)", r"^/api/v1/certificates/?$", r"^/api/v1/organizations/?$",
    r"^/api/v1/credentials/verify", r"^/(verify|search|v|c)(/|$)",
    r"^/\?(.*&)?(q|status|scheme|body|region)=[^&]",  # the home page when it searches (see LimitRule.matches)
]
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
    rate_limit_login_per_minute: int = Field(default=10, ge=1, description="Sign-in attempts per client.")
    rate_limit_login_burst: int = Field(default=10, ge=1, description="Sign-in attempts allowed at once.")
    rate_limit_public_per_minute: int = Field(default=300, ge=1, description="Public look-ups per client.")
    rate_limit_public_burst: int = Field(default=60, ge=1, description="Public look-ups allowed at once.")
    rate_limit_login_paths: list[str] = Field(default_factory=lambda: list(LOGIN_PATHS))
    rate_limit_public_paths: list[str] = Field(default_factory=lambda: list(PUBLIC_LOOKUP_PATHS))
    rate_limit_max_clients: int = Field(default=100_000, ge=100, description="Clients remembered per limit.")
    logout_paths: list[str] = Field(default_factory=lambda: list(LOGOUT_PATHS))
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed.")
    max_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    write_retries: int = Field(default=3, ge=0, le=10, description="Retries of a write hit by a lock conflict.")
    content_security_policy: str = Field(default=CSP)
    docs_content_security_policy: str = Field(default=DOCS_CSP)
    hsts_max_age: int = Field(default=31_536_000, ge=0, description="Strict-Transport-Security max-age on https.")
