"""Settings declared once and passed in; nothing reads the environment elsewhere."""

from __future__ import annotations

import hashlib
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from certbridge.kit.tabular import TableLimits

# Defaults of the request defences (security/): sign-in and sign-out paths, content security policies.
LOGIN_PATHS = [r"^/(web/)?(auth/)?(login|signin)/?$", r"^/api/v1/(auth/)?(login|sessions?)/?$"]
LOGOUT_PATHS = [r"^/(web/)?(auth/)?(logout|signout)/?$", r"^/api/v1/(auth/)?logout/?$"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")
# The interactive docs load Swagger UI / ReDoc from /static-docs (packaged) with an inline bootstrap script.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


class Settings(BaseSettings):
    """Runtime configuration of one certbridge instance (env prefix CERTBRIDGE_)."""

    model_config = SettingsConfigDict(env_prefix="CERTBRIDGE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file, keys and exports live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to SQLite in the data directory."
    )
    instance_name: str = Field(
        default="", description="Origin name used in checkpoints; unset: the one stored with the keys, else derived "
                                "from public_url's host, else certbridge-<8 hex>.local unique to this data directory.")
    public_url: str = Field(default="http://127.0.0.1:8000",
                            description="Base URL printed on QR codes; serve/demo use the served address if unset.")
    secret_key: str | None = Field(default=None, description="Session signing key; generated if unset.")
    default_language: str = Field(default="zh", description="zh or en.")
    page_size_max: int = Field(default=200, description="Largest page a list endpoint returns.")
    sqlite_busy_timeout_ms: int = Field(default=30_000, description="How long SQLite writers wait for the lock.")
    sign_in_lockout_free: int = Field(
        default=5, ge=1, description="Failed passwords of one account before it is locked for a while.")
    sign_in_lockout_base_seconds: int = Field(
        default=30, ge=1, description="First lock after the free failures; it doubles with each further failure.")
    sign_in_lockout_max_seconds: int = Field(default=900, ge=1, description="Longest lock of an account.")
    sign_in_lockout_forget_seconds: int = Field(
        default=86_400, ge=60, description="Failures older than this no longer count.")
    writer_slots: int = Field(default=0, ge=0, le=64, description="Requests writing at once (0: 1 on SQLite, 8 on "
                              "PostgreSQL); the others wait without holding a thread.")
    write_wait_seconds: float = Field(default=10.0, gt=0, le=300, description="How long a write request waits for "
                                      "a writer slot before it is answered 503 request.busy.")
    background_work: bool = Field(
        default=True, description="Run the periodic background work in this process: the certificate status sweep "
        "(10 s after start, then daily), the ledger's background integration, witness cosigning and integrity "
        "monitor, the daily risk recompute. Turn off in a process that should only answer requests (another process does that work); writes "
        "are still integrated and followed by credit as they are answered, and background jobs still run.")
    shutdown_grace_seconds: float = Field(default=5.0, gt=0, le=300, description="How long `serve` lets requests in "
                                          "flight finish after SIGTERM before it closes them.")
    workday_overrides: Path | None = Field(
        default=None, description="TOML file of holidays and make-up working days for years not covered."
    )
    import_max_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1024,
                                       description="Largest bulk-import file (API, web, CLI); larger is refused (413).")
    import_max_cell_chars: int = Field(default=10_000, ge=100, description="Most characters in one imported cell.")
    complaints_per_address_per_day: int = Field(
        default=5, ge=1, le=1000, description="Complaints one client address may file per day (then 409).")
    import_max_row_chars: int = Field(default=50_000, ge=1_000, description="Most characters in one imported row.")

    # Online licensing (licensing/): the authority named on decisions, attachments, and e-mail notices.
    licensing_authority: str = Field(default="国家认证认可监督管理委员会",
                                     description="Licensing authority named on decisions and 双公示 records.")
    licensing_authority_uscc: str = Field(default="11100000190748334U",
                                          description="The licensing authority's unified social credit code.")
    licensing_attachment_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest file attached to a licensing case.")
    licensing_handler_email: str | None = Field(
        default=None, description="Address told when a licensing case needs a handler (unset: console only).")
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mail notices (unset: no e-mail).")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    smtp_sender: str = Field(default="certbridge@localhost", description="From address of e-mail notices.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS with the SMTP server.")
    smtp_username: str | None = Field(default=None, description="SMTP user name (unset: no login).")
    smtp_password: str | None = Field(default=None, description="SMTP password.")

    # Request defences (security/): rate limits per class and per API key, proxies, body size, headers.
    # A PostgreSQL streaming replica for public reads (replicas.py, docs/operations.md "A read replica").
    replica_url: str | None = Field(default=None, description="URL of a PostgreSQL streaming replica of the "
                                    "database; public reads (verify, search, statistics, tiles, proofs, directories) "
                                    "go there, a writer's own reads to the primary until the replica has replayed "
                                    "its write. Unset: every read goes to the primary.")
    replica_max_lag_seconds: float = Field(default=30.0, ge=0, description="A replica further behind than this "
                                           "answers nothing: public reads go to the primary until it catches up.")
    replica_sticky_seconds: float = Field(default=300.0, gt=0, description="After a client's write, its public "
                                          "reads wait for the replica to replay past the write for at most this "
                                          "long (then the lag limit alone decides).")
    rate_limit_enabled: bool = Field(default=True, description="Turn per-client rate limiting on or off.")
    opentelemetry: bool = Field(default=False, description="Let FastAPI's own OpenTelemetry instrumentation look "
                                "for configured providers (on every request); off, none is looked for.")
    stats_fold_inline: bool = Field(default=False, description="Fold each write's events into the statistics in "
                                    "the transaction that signs its checkpoint (off, the default: the background "
                                    "fold folds the writes of every few seconds in one batch, and a statistics "
                                    "read folds what is left before it answers).")
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
    # Daily quotas of the open-data API (opendata/quotas.py); a key may have its own (PUT /api/v1/keys/{id}/quota).
    opendata_anonymous_requests_per_day: int = Field(
        default=50, ge=1, description="Bulk verifications per day of an anonymous client address.")
    opendata_anonymous_rows_per_day: int = Field(
        default=500, ge=1, description="Supplier-list rows per day of an anonymous client address.")
    opendata_key_requests_per_day: int = Field(
        default=10_000, ge=1, description="Bulk verifications per day of an API key without a quota of its own.")
    opendata_key_rows_per_day: int = Field(
        default=200_000, ge=1, description="Supplier-list rows per day of an API key without a quota of its own.")
    rate_limit_login_paths: list[str] = Field(default_factory=lambda: list(LOGIN_PATHS))
    rate_limit_max_clients: int = Field(default=100_000, ge=100, description="Clients remembered per limit.")
    # Several server processes (docs/operations.md "Several processes"): the limits in a shared Redis, one leader
    # per background job.
    redis_url: str | None = Field(
        default=None, description="Redis holding the rate limits and API-key quotas of every server process "
                                  "(redis://host:6379/0); unset: each process counts on its own.")
    redis_prefix: str = Field(default="certbridge", description="Prefix of this instance's keys in Redis.")
    redis_timeout_seconds: float = Field(default=0.5, gt=0, description="Longest wait for Redis on a request.")
    leader_poll_seconds: float = Field(
        default=1.0, gt=0, le=60, description="How often a process asks to lead a background job (take-over time).")
    logout_paths: list[str] = Field(default_factory=lambda: list(LOGOUT_PATHS))
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed.")
    max_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, description="Largest request body accepted.")
    write_retries: int = Field(default=3, ge=0, le=10, description="Retries of a write hit by a lock conflict.")
    content_security_policy: str = Field(default=CSP)
    docs_content_security_policy: str = Field(default=DOCS_CSP)
    hsts_max_age: int = Field(default=31_536_000, ge=0, description="Strict-Transport-Security max-age on https.")
    stapled_status_days: int = Field(default=7, ge=1, le=90, description="How many days from its checkpoint a "
                                     "stapled status proof (ledger/stapled.py) is presented as fresh.")
    # Watch-lists, webhooks and bulk files (opendata/feeds).
    feeds_poll_seconds: float = Field(default=2.0, gt=0, le=3600, description="How often the deliverer looks for "
                                      "new events and due webhooks.")
    feeds_retry_base_seconds: float = Field(default=30.0, gt=0, le=86_400, description="Wait before a webhook's "
                                            "first retry; it doubles with each further attempt.")
    feeds_retry_max_attempts: int = Field(default=8, ge=1, le=30, description="Webhook attempts before a delivery "
                                          "is marked failed (a replay sends it again).")
    feeds_webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="How long one webhook "
                                                 "POST may take.")
    feeds_webhook_allow_private: bool = Field(default=False, description="Let webhooks reach loopback and private "
                                              "(intranet) addresses; link-local, multicast and reserved ones stay "
                                              "refused. Off: public addresses only.")
    # Federation between instances (federation/).
    federation_follow_seconds: float = Field(default=30.0, gt=0, le=86_400, description="How often each peer's "
                                             "newest checkpoint and change feed are read and proven.")
    federation_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="How long one request to "
                                              "a peer may take.")
    federation_outbox_seconds: float = Field(default=10.0, gt=0, le=3600, description="How often the outbox of "
                                             "signed messages to peers (assistance requests and answers) is sent; "
                                             "also the wait before a failed message's first retry.")
    federation_outbox_retry_max_seconds: float = Field(default=3600.0, gt=0, le=86_400, description="The longest "
                                                       "wait between two attempts to deliver one message (the wait "
                                                       "doubles with each failed attempt up to this).")
    bulk_files_dir: Path | None = Field(default=None, description="Where the daily bulk files are written and "
                                        "served from; unset: <data_dir>/bulk.")
    bulk_files_daily: bool = Field(default=True, description="Build the day's bulk files in the background shortly "
                                   "after local midnight.")
    bulk_files_processes: int = Field(default=0, ge=0, le=64, description="Processes writing the daily bulk files "
                                      "(tables split into fixed id ranges); 0: one per CPU core; 1: in the building "
                                      "process. The files' bytes do not depend on it.")
    smtp_url: str | None = Field(default=None, description="smtp://host:port (or smtps://user:password@host:port) "
                                 "for watch-list e-mail; unset: no e-mail is sent.")
    smtp_from: str = Field(default="certbridge@localhost", description="Sender address of watch-list e-mail.")

    def import_limits(self) -> TableLimits:
        """Return the per-cell and per-row limits of bulk imports."""
        return TableLimits(max_cell_chars=self.import_max_cell_chars, max_row_chars=self.import_max_row_chars)

    @model_validator(mode="after")
    def _default_instance_name(self) -> Settings:
        """Fill an unset instance name: stored with the keys, the public host, or unique to this data directory."""
        if not self.instance_name:
            # Through __dict__, so model_fields_set still tells a configured name from a default one.
            self.__dict__["instance_name"] = default_instance_name(self.data_dir, self.public_url,
                                                                   "public_url" in self.model_fields_set)
        return self

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'certbridge.db').resolve()}"

    def resolved_bulk_dir(self) -> Path:
        """Return the folder of the bulk files."""
        return self.bulk_files_dir or self.data_dir / "bulk"

    def ensure_data_dir(self) -> Path:
        """Create the data directory if needed and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def resolved_secret_key(self) -> str:
        """Return the session key, creating a persistent one in the data directory on first use."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "session.key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


INSTANCE_NAME_FILE = "instance-name"  # in <data_dir>/keys, written with the first key
LEGACY_INSTANCE_NAME = "certbridge.local"  # the default before names were unique: existing data dirs keep it


def default_instance_name(data_dir: Path, public_url: str, public_url_set: bool) -> str:
    """Return the instance name to use when none is configured (reads files, writes none).

    The name stored with the keys wins, so an instance's log origin never changes; a data directory whose keys
    predate that file keeps the old shared default. Otherwise the configured public URL's host names the
    instance (two public instances never share a host), else a name derived from this machine and data directory.
    """
    keys = data_dir / "keys"
    try:
        stored = (keys / INSTANCE_NAME_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        stored = ""
    if stored:
        return stored
    if (keys / "log.key").exists():
        return LEGACY_INSTANCE_NAME
    host = (urlsplit(public_url).hostname or "") if public_url_set else ""
    if host and host not in ("localhost", "127.0.0.1", "::1", "0.0.0.0"):
        return host
    seed = f"{socket.gethostname()}:{data_dir.resolve()}".encode()
    return f"certbridge-{hashlib.sha256(seed).hexdigest()[:8]}.local"
