"""Who is acting: the identity every service call authorizes against and stamps on events."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "regulator", "cb_operator", "lab_operator", "inspector", "organization", "applicant", "public")


@dataclass(frozen=True)
class Principal:
    """An authenticated (or anonymous) caller and the scope it may write in."""

    role: str
    user_id: int | None = None
    username: str | None = None
    body_id: int | None = None
    lab_id: int | None = None
    organization_id: int | None = None
    person_id: int | None = None
    key_id: str | None = None
    client_ip: str | None = None
    read_only: bool = False

    @property
    def actor(self) -> str:
        """Return the actor string recorded on events (never a secret)."""
        if self.user_id is None:
            return "system" if self.role == "admin" else "anonymous"
        suffix = f"/key:{self.key_id}" if self.key_id else ""
        return f"user:{self.user_id}:{self.username}{suffix}"

    @property
    def is_regulator(self) -> bool:
        """Tell whether this principal has regulator (or admin) powers."""
        return self.role in ("admin", "regulator")


SYSTEM = Principal(role="admin", username="system")
ANONYMOUS = Principal(role="public")
