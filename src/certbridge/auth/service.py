"""Users and keys: create, authenticate, revoke. Passwords use argon2; keys are random and SHA-256 hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.auth.models import ApiKey, User
from certbridge.db import utcnow
from certbridge.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from certbridge.ledger.journal import record_event
from certbridge.policy import require_admin, require_authenticated, require_writer
from certbridge.principal import ROLES, Principal
from certbridge.registry.models import CertificationBody, Lab, Organization, Person

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps timing equal for unknown users (made on first sign-in, not at import:
    one argon2 hash costs ~0.5 s of start-up)."""
    return _hasher.hash("certbridge-dummy-password")

MAX_QUOTA = 1_000_000  # requests per minute a key may be given
SCOPE_FIELD = {"cb_operator": "body_id", "lab_operator": "lab_id", "organization": "organization_id",
               "inspector": "person_id"}
SCOPE_MODEL = {"body_id": CertificationBody, "lab_id": Lab, "organization_id": Organization, "person_id": Person}


def principal_for(user: User, *, key_id: str | None = None, client_ip: str | None = None,
                  read_only: bool = False) -> Principal:
    """Return the principal a user acts as."""
    return Principal(role=user.role, read_only=read_only, user_id=user.id, username=user.username,
                     body_id=user.body_id, lab_id=user.lab_id, organization_id=user.organization_id,
                     person_id=user.person_id, key_id=key_id, client_ip=client_ip)


def check_password_strength(password: str) -> None:
    """Refuse passwords shorter than 10 characters."""
    if len(password or "") < 10:
        raise InvalidInput("auth.password_too_short", field="password", min=10)


def create_user(session: Session, *, principal: Principal, username: str, display_name: str, role: str,
                password: str | None = None, body_id: int | None = None, lab_id: int | None = None,
                organization_id: int | None = None, person_id: int | None = None) -> User:
    """Create a user with a role and, for scoped roles, the record it acts for."""
    require_admin(principal)
    username = (username or "").strip().lower()
    if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise InvalidInput("auth.username_format", field="username")
    if role not in ROLES or role == "public":
        raise InvalidInput("auth.role_unknown", field="role", role=role)
    if session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("auth.username_taken", field="username", username=username)
    scope = {"body_id": body_id, "lab_id": lab_id, "organization_id": organization_id, "person_id": person_id}
    needed = SCOPE_FIELD.get(role)
    if needed and scope[needed] is None:
        raise InvalidInput("auth.scope_required", field=needed, role=role)
    for name, value in scope.items():
        if value is not None and session.get(SCOPE_MODEL[name], value) is None:
            raise InvalidInput("auth.scope_unknown", field=name, id=value)
    if password is not None:
        check_password_strength(password)
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=_hasher.hash(password) if password else None, **scope)
    session.add(user)
    session.flush()
    record_event(session, type="user.created", subject_type="user", subject_id=user.id, actor=principal.actor,
                 public=False, data={"state": {"username": username, "role": role, **scope}})
    return user


def register_applicant(session: Session, *, username: str, display_name: str, password: str,
                       actor: str = "anonymous") -> User:
    """Let anyone open an applicant account (role `applicant`, no scope) to apply for a licence online."""
    username = (username or "").strip().lower()
    if not username or len(username) > 60 or not username.replace("_", "").replace("-", "").replace(
            ".", "").isalnum():
        raise InvalidInput("auth.username_format", field="username")
    if not (display_name or "").strip():
        raise InvalidInput("field.required", field="display_name")
    check_password_strength(password)
    if session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("auth.username_taken", field="username", username=username)
    user = User(username=username, display_name=display_name.strip()[:100], role="applicant",
                password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    record_event(session, type="user.registered", subject_type="user", subject_id=user.id, actor=actor,
                 public=False, data={"state": {"username": username, "role": "applicant"}})
    return user


def set_password(session: Session, *, principal: Principal, user_id: int, password: str) -> None:
    """Set a user's password (the user or an admin)."""
    require_writer(principal)
    if principal.user_id != user_id:
        require_admin(principal)
    check_password_strength(password)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("auth.user_not_found", id=user_id)
    user.password_hash = _hasher.hash(password)
    session.flush()
    record_event(session, type="user.password_set", subject_type="user", subject_id=user.id,
                 actor=principal.actor, public=False, data={})


def authenticate_password(session: Session, username: str, password: str) -> User:
    """Return the user whose credentials these are, or raise the same error for any failure."""
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _dummy_hash(), password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise Unauthenticated("auth.bad_credentials") from None
    if user is None or not user.active or not user.password_hash:
        raise Unauthenticated("auth.bad_credentials")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: the full token is shown once and never stored."""

    key: ApiKey
    token: str


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(session: Session, *, principal: Principal, user_id: int, name: str,
                   read_only: bool = False, quota_per_minute: int | None = None) -> NewKey:
    """Create an API key for a user (the user or an admin); return its token once.

    `quota_per_minute` gives the key its own rate limit (requests per minute); only an administrator sets it,
    otherwise the instance default applies (CERTBRIDGE_RATE_LIMIT_KEY_PER_MINUTE).
    """
    require_writer(principal)
    if principal.user_id != user_id or quota_per_minute is not None:
        require_admin(principal)
    if quota_per_minute is not None and not 1 <= quota_per_minute <= MAX_QUOTA:
        raise InvalidInput("auth.quota_range", field="quota_per_minute", max=MAX_QUOTA)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("auth.user_not_found", id=user_id)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(key_id=key_id, secret_hash=_secret_hash(secret), user_id=user.id, name=name.strip(),
                 read_only=read_only, quota_per_minute=quota_per_minute)
    session.add(key)
    session.flush()
    record_event(session, type="api_key.created", subject_type="user", subject_id=user.id, actor=principal.actor,
                 public=False, data={"key_id": key_id, "name": key.name, "read_only": read_only,
                                         "quota_per_minute": quota_per_minute})
    return NewKey(key, f"cbk_{key_id}_{secret}")


def revoke_api_key(session: Session, *, principal: Principal, key_id: str) -> ApiKey:
    """Revoke an API key (its owner or an admin)."""
    require_writer(principal)
    key = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    if key is None:
        raise NotFound("auth.key_not_found", key_id=key_id)
    if key.user_id != principal.user_id and principal.role != "admin":
        raise Forbidden("auth.forbidden")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
        record_event(session, type="api_key.revoked", subject_type="user", subject_id=key.user_id,
                     actor=principal.actor, public=False, data={"key_id": key_id})
    return key


def key_quota(session: Session, token: str) -> tuple[str, int | None] | None:
    """Return (key id, own quota or None) of a valid, unrevoked key token of an active user; None otherwise."""
    parts = (token or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "cbk" or len(parts[1]) > 16:
        return None
    row = session.execute(select(ApiKey.key_id, ApiKey.secret_hash, ApiKey.revoked_at, ApiKey.quota_per_minute,
                                 User.active).join(User, User.id == ApiKey.user_id)
                          .where(ApiKey.key_id == parts[1])).first()
    if row is None or row.revoked_at is not None or not row.active:
        return None
    if not hmac.compare_digest(row.secret_hash, _secret_hash(parts[2])):
        return None
    return row.key_id, row.quota_per_minute


def authenticate_api_key(session: Session, token: str, *, client_ip: str | None = None) -> Principal:
    """Return the principal of a valid, unrevoked API key token."""
    parts = (token or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "cbk":
        raise Unauthenticated("auth.bad_key")
    key = session.scalar(select(ApiKey).where(ApiKey.key_id == parts[1]))
    if key is None or not hmac.compare_digest(key.secret_hash, _secret_hash(parts[2])):
        raise Unauthenticated("auth.bad_key")
    if key.revoked_at is not None:
        raise Unauthenticated("auth.key_revoked")
    user = session.get(User, key.user_id)
    if user is None or not user.active:
        raise Unauthenticated("auth.bad_key")
    return principal_for(user, key_id=key.key_id, client_ip=client_ip, read_only=key.read_only)


def list_api_keys(session: Session, *, principal: Principal, user_id: int) -> list[ApiKey]:
    """List a user's keys (never their secrets)."""
    require_authenticated(principal)
    if principal.user_id != user_id:
        require_admin(principal)
    return list(session.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id)))
