"""The signed-token and QR features of `certbridge.credentials`, used by pages when that capability is present."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from sqlalchemy.orm import Session


def available() -> bool:
    """Tell whether the credentials capability (tokens, QR codes, receipts) is installed."""
    try:
        return all(find_spec(f"certbridge.credentials.{name}") is not None for name in ("service", "qr"))
    except ModuleNotFoundError:
        return False


def verification_url(settings, token: str) -> str:
    """Return the public URL a QR code points to."""
    return settings.public_url.rstrip("/") + "/v/" + token


def qr_for_certificate(session: Session, settings, certificate_id: int) -> dict[str, Any] | None:
    """Return {token, url, svg} for a certificate's QR code, or None without the credentials capability."""
    if not available():
        return None
    service = import_module("certbridge.credentials.service")
    qr = import_module("certbridge.credentials.qr")
    token = service.certificate_token(session, settings=settings, certificate_id=certificate_id)
    url = getattr(service, "verification_url", verification_url)(settings, token)
    return {"token": token, "url": url, "svg": qr.qr_svg(url)}


def check_token(session: Session, settings, token: str):
    """Return the online check of a token (TokenCheck), or None without the credentials capability."""
    if not available():
        return None
    service = import_module("certbridge.credentials.service")
    return service.verify_token_online(session, settings=settings, token=token)
