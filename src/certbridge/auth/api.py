"""User and API-key endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from certbridge.api.deps import AuthedPrincipal, ReadDB, WriteDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.auth import service
from certbridge.auth.models import User
from certbridge.policy import require_admin, require_authenticated

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=PROBLEM_RESPONSES)


class UserIn(BaseModel):
    """A user to create."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=60)
    display_name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "regulator", "cb_operator", "lab_operator", "inspector", "organization"]
    password: str | None = Field(default=None, min_length=10, max_length=200)
    body_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    lab_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    organization_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    person_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class UserOut(BaseModel):
    """A user (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    body_id: int | None
    lab_id: int | None
    organization_id: int | None
    person_id: int | None
    active: bool


class KeyIn(BaseModel):
    """A key to create."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    read_only: bool = False
    quota_per_minute: int | None = Field(
        default=None, ge=1, le=1_000_000,
        description="Requests per minute for this key (administrators only); default: the instance's key quota")


class KeyOut(BaseModel):
    """A key's public particulars."""

    key_id: str
    name: str
    read_only: bool
    created_at: datetime
    revoked_at: datetime | None
    quota_per_minute: int | None = Field(description="The key's own quota; null: the instance default")


class NewKeyOut(KeyOut):
    """A new key: `token` is shown this once and never again."""

    token: str = Field(description="Send as Authorization: Bearer <token>")


def _key(k) -> dict:
    return {"key_id": k.key_id, "name": k.name, "read_only": k.read_only, "created_at": k.created_at,
            "revoked_at": k.revoked_at, "quota_per_minute": k.quota_per_minute}


def _user(u: User) -> dict:
    return {c: getattr(u, c) for c in UserOut.model_fields}


@router.get("/me", response_model=UserOut, summary="Who am I")
def me(db: ReadDB, principal: AuthedPrincipal):
    """Return the calling user."""
    require_authenticated(principal)
    return _user(db.get(User, principal.user_id))


@router.get("/users", response_model=list[UserOut], summary="List users")
def list_users(db: ReadDB, principal: AuthedPrincipal):
    """List users (admins)."""
    require_admin(principal)
    return [_user(u) for u in db.scalars(select(User).order_by(User.id))]


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a user")
def create_user(item: UserIn, db: WriteDB, principal: AuthedPrincipal):
    """Create a user with a role and scope (admins)."""
    return _user(service.create_user(db, principal=principal, **item.model_dump()))


@router.get("/users/{user_id}/keys", response_model=list[KeyOut], summary="List a user's API keys")
def list_keys(user_id: Id, db: ReadDB, principal: AuthedPrincipal):
    """List a user's API keys (the user or an admin)."""
    return [_key(k) for k in service.list_api_keys(db, principal=principal, user_id=user_id)]


@router.post("/users/{user_id}/keys", response_model=NewKeyOut, status_code=201, summary="Create an API key")
def create_key(user_id: Id, item: KeyIn, db: WriteDB, principal: AuthedPrincipal):
    """Create an API key; the token is returned once."""
    new = service.create_api_key(db, principal=principal, user_id=user_id, name=item.name, read_only=item.read_only,
                                 quota_per_minute=item.quota_per_minute)
    return {**_key(new.key), "token": new.token}


@router.post("/keys/{key_id}/revoke", response_model=KeyOut, summary="Revoke an API key")
def revoke_key(key_id: Annotated[str, Path(min_length=1, max_length=16)], db: WriteDB, principal: AuthedPrincipal):
    """Revoke an API key (its owner or an admin)."""
    return _key(service.revoke_api_key(db, principal=principal, key_id=key_id))
