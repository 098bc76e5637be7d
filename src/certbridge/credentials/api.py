"""Credential endpoints: a certificate's signed token and QR code, receipts, and the online token check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from certbridge.api.deps import Lang, ReadDB
from certbridge.api.params import Id
from certbridge.api.problems import PROBLEM_RESPONSES
from certbridge.api.routing import APIRouter
from certbridge.certificates.schemas import VerdictReason
from certbridge.certificates.presenters import reason_texts
from certbridge.credentials.qr import qr_png, qr_svg
from certbridge.credentials.receipt_online import check_receipt_online
from certbridge.credentials.receipts import build_receipt, receipt_pdf
from certbridge.credentials.service import (
    certificate_token,
    credential_verifier_keys,
    verification_url,
    verify_token_online,
)
from certbridge.errors import RuleViolation
from certbridge.i18n.catalog import render
from certbridge.ledger import stapled
from certbridge.ledger.deps import LedgerDB

router = APIRouter(prefix="/api/v1", tags=["credentials"], responses=PROBLEM_RESPONSES)

PNG = {200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}, "description": "PNG"}}
SVG = {200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "SVG"}}
PDF = {200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
             "description": "A one-page PDF with the signed receipt JSON embedded"}}
# Tokens change only when the certificate's token fields or the key change: a short cache is safe.
SHORT_CACHE = {"Cache-Control": "public, max-age=300"}


class TokenOut(BaseModel):
    """A certificate's signed token and the URL its QR code carries."""

    token: str = Field(description="base64url(payload).base64url(signature), see docs/ledger.md")
    url: str = Field(description="Verification URL printed as the QR code")
    keys: list[str] = Field(description="This instance's credential verifier keys, to check tokens offline")


class TokenCheckOut(BaseModel):
    """The online verdict on a token."""

    authentic: bool = Field(description="Signed by this instance's credential key")
    valid_now: bool = Field(description="Authentic, and the certificate is valid today with the same data")
    reason: str = Field(examples=["token.valid"])
    message: str = Field(description="The verdict in the caller's language")
    status: str | None = Field(description="The certificate's status now")
    certificate_id: int | None
    changed_fields: list[str] = Field(description="Token fields that no longer match the certificate")
    payload: dict | None = Field(description="What the token says (see docs/ledger.md for the keys)")
    integrity_warning: str | None = Field(None, description="Set when this server's integrity monitor found its "
                                                            "log damaged: the answer cannot be fully trusted")
    reasons: list[VerdictReason] = Field(default=[], description="Why the status is what it is, and warnings "
                                                                 "(docs/effective-status.md)")



class ReceiptCheckOut(BaseModel):
    """The verdict on a receipt, checked against this server's keys and its log."""

    valid: bool = Field(description="Signed by this instance, every stated field proven by the events it carries, "
                                    "and no event of the certificate, its holder or its body left out")
    complete: bool = Field(description="No event up to the receipt's checkpoint is missing from it")
    reason: str = Field(examples=["receipt.ok"])
    message: str = Field(description="The verdict in the caller's language")
    certificate_id: int | None
    status: str | None = Field(description="The status the receipt proves (as of its checkpoint)")
    tree_size: int | None


@router.get("/certificates/{certificate_id}/token", response_model=TokenOut, summary="Signed token of a certificate")
def token(certificate_id: Id, db: ReadDB, request: Request):
    """Return the certificate's compact signed token and its verification URL."""
    settings = request.app.state.settings
    value = certificate_token(db, settings=settings, certificate_id=certificate_id)
    return JSONResponse({"token": value, "url": verification_url(settings, value),
                         "keys": credential_verifier_keys(db, settings)}, headers=SHORT_CACHE)


@router.get("/certificates/{certificate_id}/qr.svg", responses=SVG, summary="QR code (SVG)")
def qr_code_svg(certificate_id: Id, db: ReadDB, request: Request):
    """Return the certificate's QR code as SVG (it carries the verification URL with the signed token)."""
    settings = request.app.state.settings
    url = verification_url(settings, certificate_token(db, settings=settings, certificate_id=certificate_id))
    return Response(qr_svg(url), media_type="image/svg+xml", headers=SHORT_CACHE)


@router.get("/certificates/{certificate_id}/qr.png", responses=PNG, summary="QR code (PNG)")
def qr_code_png(certificate_id: Id, db: ReadDB, request: Request,
                scale: Annotated[int, Query(ge=1, le=20, description="Pixels per module")] = 6):
    """Return the certificate's QR code as PNG."""
    settings = request.app.state.settings
    url = verification_url(settings, certificate_token(db, settings=settings, certificate_id=certificate_id))
    return Response(qr_png(url, scale=scale), media_type="image/png", headers=SHORT_CACHE)


@router.get("/certificates/{certificate_id}/receipt.json", summary="Signed verification receipt (JSON)")
def receipt_json(certificate_id: Id, db: LedgerDB, request: Request) -> dict:
    """Return a signed receipt of the certificate's status now, with its proofs; check it with verify-receipt."""
    receipt = build_receipt(db, settings=request.app.state.settings, certificate_id=certificate_id)
    name = f"receipt-{certificate_id}-{receipt['issued_at'][:10]}.json"
    return JSONResponse(receipt, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                          "Cache-Control": "no-store"})


@router.get("/certificates/{certificate_id}/receipt.pdf", responses=PDF, summary="Verification receipt (PDF)")
def receipt_as_pdf(certificate_id: Id, db: LedgerDB, request: Request):
    """Return the one-page PDF receipt (Chinese and English), with the signed JSON embedded in it."""
    receipt = build_receipt(db, settings=request.app.state.settings, certificate_id=certificate_id)
    name = f"receipt-{certificate_id}-{receipt['issued_at'][:10]}.pdf"
    return Response(receipt_pdf(receipt), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/tokens/verify", response_model=TokenCheckOut, summary="Verify a certificate token online")
def verify(db: ReadDB, lang: Lang, request: Request,
           token: Annotated[str, Query(min_length=1, max_length=2000, description="The token from the QR code")]):
    """Check a token's signature and the certificate's current status: only a valid certificate verifies."""
    check = verify_token_online(db, settings=request.app.state.settings, token=token)
    status = render(f"status.{check.status}", lang) if check.status else ""
    return {"authentic": check.authentic, "valid_now": check.valid_now, "reason": check.reason,
            "message": render(check.reason, lang, status=status, fields=", ".join(check.changed_fields)),
            "status": check.status, "certificate_id": check.certificate_id,
            "changed_fields": list(check.changed_fields), "payload": check.payload,
            "integrity_warning": None if check.integrity_ok else render("integrity.warning", lang),
            "reasons": reason_texts(list(check.reasons), lang)}


@router.post("/receipts/verify", response_model=ReceiptCheckOut, summary="Verify a receipt against this server")
def verify_receipt_online(db: ReadDB, lang: Lang, request: Request,
                          receipt: Annotated[dict, Body(description="The receipt JSON (certbridge-receipt/v1)")]):
    """Check a receipt with this instance's keys and log: what `verify-receipt` checks, plus no dropped event."""
    return check_receipt_online(db, settings=request.app.state.settings, receipt=receipt, lang=lang)


class StapledStatusOut(BaseModel):
    """A certificate's stapled status proof: its status as of a signed checkpoint, checked offline."""

    format: str = Field(examples=["certbridge-stapled-status/v2"])
    name: str = Field(description="The certificate's state-map name, certificate:<body code>:<number>")
    text: str = Field(description="The proof as QR-ready text (CBS1: + Base45 of DEFLATE); check it with "
                                  "certbridge verify-status --stapled")
    bytes: int = Field(description="The compressed proof's size in bytes (before Base45)")
    valid_days: int = Field(description="Days from the checkpoint it is presented as fresh")
    valid_until: str | None = Field(description="The checkpoint's time plus valid_days (UTC)")
    proof: dict = Field(description="The same proof as JSON (docs/ledger.md, 'Stapled status')")


def _stapled(db, request: Request, certificate_id: int) -> tuple[dict, str]:
    days = request.app.state.settings.stapled_status_days
    proof = stapled.stapled_status(db, stapled.certificate_name(db, certificate_id), valid_days=days)
    return proof, stapled.encode(proof)


@router.get("/certificates/{certificate_id}/stapled-status", response_model=StapledStatusOut,
            summary="Stapled status proof")
def stapled_status(certificate_id: Id, db: LedgerDB, request: Request):
    """Return a fresh status proof of the certificate for its holder to staple to the certificate (QR, PDF)."""
    proof, text = _stapled(db, request, certificate_id)
    until = stapled.valid_until(proof)
    return JSONResponse({"format": stapled.FORMAT, "name": proof["name"], "text": text,
                         "bytes": stapled.packed_size(text), "valid_days": proof["valid_days"],
                         "valid_until": until.isoformat() if until else None, "proof": proof},
                        headers={"Cache-Control": "no-store"})


@router.get("/certificates/{certificate_id}/stapled-status.png", responses=PNG, summary="Stapled status QR (PNG)")
def stapled_status_qr(certificate_id: Id, db: LedgerDB, request: Request,
                      scale: Annotated[int, Query(ge=1, le=20, description="Pixels per module")] = 3):
    """Return a QR code that carries the stapled status proof itself (no URL: a verifier needs no network)."""
    import segno

    _, text = _stapled(db, request, certificate_id)
    try:
        image = qr_png(text, scale=scale, error="l")
    except segno.DataOverflowError:  # beyond version 40-L: the proof goes in the JSON (and a PDF) instead
        raise RuleViolation("statemap.stapled_too_big", size=stapled.packed_size(text)) from None
    return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})
