"""The accreditation label of a signed receipt: issued under accreditation, by which accreditation body and number,
and whether an IAF MLA / ILAC MRA signatory covers it on the receipt's day — as verification shows it.

The builder states it (``certificate.accreditation``) and carries the accreditation body's public events
(``context.accreditation_body``) with their inclusion proofs; the checker folds those events and proves from them,
and from the certificate's own events, every part of the label: the body's code and names, the accreditation
number, the deciding scope row (the sub-scope named like the scheme decides over the whole main scope), its
arrangement and dates, "covered" on the receipt's day, and the label text, regenerated. One part is taken as
signed, not proven: the main scope (ISO/IEC 17021-1 or 17065) follows the scheme's kind, which the certificate's
events do not carry; the checker only requires it to be one of the two and consistent with the sub-scope.

The accreditation bodies the schema is seeded with (accreditation/reference.py, ids 1…n in that order) have no
event until a regulator records or imports them again: for those the receipt carries no events and the checker
folds the packaged reference instead. Like any receipt without map proofs for a subject, a receipt whose
accreditation body's later events were dropped is not caught offline (POST /api/v1/receipts/verify checks the log).
"""

from __future__ import annotations

from typing import Any

from certbridge.accreditation.coverage import KIND_TO_MAIN_SCOPE, scheme_scope
from certbridge.accreditation.reference import ACCREDITATION_BODIES
from certbridge.kit.dates import iso_or_none
from certbridge.i18n.catalog import render
from certbridge.ledger.offline import OfflineCheckError

MAIN_SCOPES = frozenset(KIND_TO_MAIN_SCOPE.values())


def reference_state(body_id: int | None) -> dict[str, Any] | None:
    """Return a seeded accreditation body's state as its events would carry it (None: not a seeded id)."""
    if not isinstance(body_id, int) or not 1 <= body_id <= len(ACCREDITATION_BODIES):
        return None
    b = ACCREDITATION_BODIES[body_id - 1]
    return {"code": b["code"], "name": b["name"], "name_en": b["name_en"], "country": b["country"],
            "website": b["website"], "note": b.get("note"),
            "scopes": [[main, sub, arrangement, iso_or_none(since), iso_or_none(until)]
                       for main, sub, arrangement, since, until in b["scopes"]]}


def deciding_row(scopes: list[list[Any]], main: str, sub: str) -> list[Any] | None:
    """Return the folded scope row ([main, sub, arrangement, since, until]) that decides for a main/sub-scope."""
    rows = [r for r in scopes if r[0] == main and r[1] in {sub, ""}]
    rows.sort(key=lambda r: r[1], reverse=True)  # the specific sub-scope first
    return rows[0] if rows else None


def label(claim: dict[str, Any], lang: str) -> str:
    """Return the label sentence of an accreditation claim in a language (builder and checker alike)."""
    scope = claim["scope"]["sub"] or f"ISO/IEC {claim['scope']['main']}"
    recognized = claim.get("recognized") or {}
    key = "accreditation.covered" if claim["covered"] else "accreditation.not_covered"
    return render(key, lang, body=claim["body"], arrangement=recognized.get("arrangement") or "", scope=scope)


def accreditation_claim(body_state: dict[str, Any], *, number: str | None, kind: str, scheme_code: str,
                        on: str) -> dict[str, Any]:
    """Return the receipt's accreditation claim from the accreditation body's folded state, on a day (ISO)."""
    main, sub = scheme_scope(kind, scheme_code)
    return _claim(body_state, number=number, main=main, sub=sub, on=on)


def _claim(body_state: dict[str, Any], *, number: str | None, main: str, sub: str, on: str) -> dict[str, Any]:
    row = deciding_row(body_state.get("scopes") or [], main, sub)
    recognized = None
    if row is not None and row[2]:
        recognized = {"arrangement": row[2], "since": row[3], "until": row[4]}
    covered = bool(recognized and recognized["since"] and recognized["since"][:10] <= on
                   and (not recognized["until"] or recognized["until"][:10] >= on))
    claim = {"body": body_state.get("code"), "body_name": body_state.get("name"),
             "body_name_en": body_state.get("name_en"), "number": number, "scope": {"main": main, "sub": sub},
             "recognized": recognized, "covered": covered}
    claim["label"] = {lang: label(claim, lang) for lang in ("zh", "en")}
    return claim


def check_accreditation(claim: Any, body_state: dict[str, Any], cert_state: dict[str, Any], on: str) -> None:
    """Prove an accreditation claim from the folded events of its body and certificate; raise what differs."""
    if not isinstance(claim, dict) or not isinstance(claim.get("scope"), dict):
        raise OfflineCheckError("receipt.format")
    main, sub = claim["scope"].get("main"), claim["scope"].get("sub")
    scheme = cert_state.get("scheme_code") or ""
    if main not in MAIN_SCOPES or sub != scheme_scope("system" if main == "17021-1" else "product", scheme)[1]:
        raise OfflineCheckError("receipt.claim_differs", field="accreditation.scope", claim=f"{main}/{sub}",
                                log=scheme)
    wanted = _claim(body_state, number=cert_state.get("accreditation_number"), main=main, sub=sub, on=on)
    for key in ("body", "body_name", "body_name_en", "number", "recognized", "covered", "label"):
        if claim.get(key) != wanted[key]:
            raise OfflineCheckError("receipt.claim_differs", field=f"accreditation.{key}", claim=claim.get(key),
                                    log=wanted[key])
    extra = sorted(set(claim) - set(wanted))
    if extra:
        raise OfflineCheckError("receipt.claim_unproven", field=f"accreditation.{extra[0]}")
