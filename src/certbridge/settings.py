"""Settings declared once and passed in; nothing reads the environment elsewhere."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from certbridge.kit.tabular import TableLimits


class Settings(BaseSettings):
    """Runtime configuration of one certbridge instance (env prefix CERTBRIDGE_)."""

    model_config = SettingsConfigDict(env_prefix="CERTBRIDGE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where the SQLite file, keys and exports live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to SQLite in the data directory."
    )
    instance_name: str = Field(default="certbridge.local", description="Origin name used in checkpoints.")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Base URL printed on QR codes.")
    secret_key: str | None = Field(default=None, description="Session signing key; generated if unset.")
    default_language: str = Field(default="zh", description="zh or en.")
    page_size_max: int = Field(default=200, description="Largest page a list endpoint returns.")
    sqlite_busy_timeout_ms: int = Field(default=30_000, description="How long SQLite writers wait for the lock.")
    writer_slots: int = Field(default=0, ge=0, le=64, description="Requests writing at once (0: 1 on SQLite, 8 on "
                              "PostgreSQL); the others wait without holding a thread.")
    write_wait_seconds: float = Field(default=10.0, gt=0, le=300, description="How long a write request waits for "
                                      "a writer slot before it is answered 503 request.busy.")
    shutdown_grace_seconds: float = Field(default=5.0, gt=0, le=300, description="How long `serve` lets requests in "
                                          "flight finish after SIGTERM before it closes them.")
    workday_overrides: Path | None = Field(
        default=None, description="TOML file of holidays and make-up working days for years not covered."
    )
    import_max_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1024,
                                       description="Largest bulk-import file (API, web, CLI); larger is refused (413).")
    import_max_cell_chars: int = Field(default=10_000, ge=100, description="Most characters in one imported cell.")
    import_max_row_chars: int = Field(default=50_000, ge=1_000, description="Most characters in one imported row.")

    def import_limits(self) -> TableLimits:
        """Return the per-cell and per-row limits of bulk imports."""
        return TableLimits(max_cell_chars=self.import_max_cell_chars, max_row_chars=self.import_max_row_chars)

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'certbridge.db').resolve()}"

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
