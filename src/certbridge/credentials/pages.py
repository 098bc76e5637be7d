"""Pages of the credentials capability: the QR-code landing page, and the signed QR code on a certificate's page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter, add_routes
from certbridge.certificates.models import Certificate
from certbridge.certificates.presenters import summary
from certbridge.credentials.licence_tokens import check_licence_token, find_licence, licence_token, licence_url
from certbridge.credentials.qr import qr_svg
from certbridge.credentials.service import certificate_token, verification_url, verify_token_online
from certbridge.ledger.integrity import IntegrityHalt
from certbridge.registry import choices as lookups
from certbridge.settings import Settings
from certbridge.web.i18n import request_language
from certbridge.web.slots import fill_slot
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/v/{token}")
def token_landing(request: Request, db: ReadDB, token: str):
    """Check a signed QR token: is it authentic, and is the certificate valid now?"""
    lang = request_language(request)
    check = verify_token_online(db, settings=request.app.state.settings, token=token[:2000])
    cert_view = None
    if check is not None and check.certificate_id:
        cert = db.get(Certificate, check.certificate_id)
        if cert is not None:
            cert_view = summary(db, cert, lang)
    return render(request, "portal/token.html", {
        "check": check, "c": cert_view,
        "scheme_names": lookups.scheme_names(db, lang),
    }, status_code=200 if check.authentic else 400)


def certificate_qr(*, session: Session, settings: Settings, certificate_id: int, **_: Any) -> dict[str, Any]:
    """Fill the certificate page's slot: its signed token, the URL a QR code opens and the QR code as SVG.

    No QR code when the server may not sign for this certificate (its row differs from its log, or the
    integrity monitor found the log damaged): the page shows without one.
    """
    try:
        token = certificate_token(session, settings=settings, certificate_id=certificate_id)
    except IntegrityHalt:
        return {"qr": None, "credentials": True}
    url = verification_url(settings, token)
    return {"qr": {"token": token, "url": url, "svg": qr_svg(url)}, "credentials": True}


@router.get("/v/l/{token}")
def licence_landing(request: Request, db: ReadDB, token: str):
    """Check a licence's signed QR token: is it authentic, and is the licence in force now?"""
    check = check_licence_token(db, settings=request.app.state.settings, token=token[:2000])
    return render(request, "portal/licence_token.html", {"check": check},
                  status_code=200 if check.authentic else 400)


def licence_qr(*, session: Session, settings: Settings, kind: str, number: str, **_: Any) -> dict[str, Any]:
    """Fill the licence page's slot: the licence's signed token, the URL its QR code opens and the QR as SVG."""
    holder = find_licence(session, kind, number)
    if holder is None:
        return {}
    token = licence_token(settings, holder)
    url = licence_url(settings, token)
    return {"qr": {"token": token, "url": url, "svg": qr_svg(url)}}


def install(app: FastAPI) -> None:
    """Mount the QR landing pages and put the signed QR code on every certificate and licence page."""
    add_routes(app, router)
    fill_slot("certificate.page", certificate_qr)
    fill_slot("licence.page", licence_qr)
