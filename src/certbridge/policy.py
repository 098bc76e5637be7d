"""The write policy: who may write where. Every service write calls one of these first."""

from __future__ import annotations

from certbridge.errors import Forbidden, Unauthenticated
from certbridge.principal import Principal


def require_authenticated(principal: Principal) -> None:
    """Refuse anonymous callers."""
    if principal.role == "public" or (principal.user_id is None and principal.role != "admin"):
        raise Unauthenticated("auth.required")


def require_writer(principal: Principal) -> None:
    """Refuse anonymous callers and read-only keys."""
    require_authenticated(principal)
    if principal.read_only:
        raise Forbidden("auth.read_only_key")


def require_regulator(principal: Principal) -> None:
    """Refuse anyone but a regulator or admin."""
    require_writer(principal)
    if not principal.is_regulator:
        raise Forbidden("auth.regulator_only")


def require_regulator_reader(principal: Principal) -> None:
    """Refuse anyone but a regulator or admin; unlike writes, a read-only key may read."""
    require_authenticated(principal)
    if not principal.is_regulator:
        raise Forbidden("auth.regulator_only")


def require_admin(principal: Principal) -> None:
    """Refuse anyone but an admin."""
    require_writer(principal)
    if principal.role != "admin":
        raise Forbidden("auth.admin_only")


def require_body_operator(principal: Principal, body_id: int) -> None:
    """Refuse anyone but an operator of this certification body (regulators may act for any body)."""
    require_writer(principal)
    if principal.is_regulator:
        return
    if principal.role != "cb_operator":
        raise Forbidden("auth.cb_only")
    if principal.body_id != body_id:
        raise Forbidden("auth.other_body")


def require_lab_operator(principal: Principal, lab_id: int) -> None:
    """Refuse anyone but an operator of this lab (or a regulator)."""
    require_writer(principal)
    if principal.is_regulator:
        return
    if principal.role != "lab_operator" or principal.lab_id != lab_id:
        raise Forbidden("auth.other_lab")
