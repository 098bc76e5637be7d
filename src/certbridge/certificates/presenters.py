"""Turn certificates into their public output shapes (shared by the API and pages)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import orjson

from sqlalchemy.orm import Session

from certbridge.certificates.models import STATUSES, Certificate
from certbridge.certificates.verification import Verification, public_certificate
from certbridge.certificates.workflow import allowed_actions
from certbridge.i18n.catalog import has_message, render
from certbridge.registry.models import CertificationBody, Organization, Standard


def summary(session: Session, cert: Certificate, lang: str, on: date | None = None) -> dict[str, Any]:
    """Return a certificate's public summary with its status meaning."""
    on = on or date.today()
    body = session.get(CertificationBody, cert.body_id)
    org = session.get(Organization, cert.organization_id)
    view = public_certificate(session, cert, body, org, on)
    view["status_meaning"] = status_meaning(view["status"], lang)
    view["reasons"] = reason_texts(view["reasons"], lang)
    view["accreditation"] = labelled(view["accreditation"], lang)
    return view


def labelled(accreditation: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """Return a certificate's accreditation with its label (MLA-covered or not) in a language."""
    if accreditation is None:
        return None
    scope = accreditation["sub_scope"] or (f"ISO/IEC {accreditation['main_scope']}" if accreditation["main_scope"]
                                           else render("accreditation.scope_any", lang))
    key = "accreditation.covered" if accreditation["covered"] else "accreditation.not_covered"
    return {**accreditation, "label": render(key, lang, body=accreditation["body"],
                                             arrangement=accreditation["arrangement"] or "", scope=scope)}


def detail(session: Session, cert: Certificate, lang: str) -> dict[str, Any]:
    """Return everything public about a certificate."""
    view = summary(session, cert, lang)
    std = session.get(Standard, cert.standard_id) if cert.standard_id else None
    view.update(
        version=cert.version, standard=f"{std.code}-{std.version}" if std else None,
        holder_address=cert.holder_address, scope_en=cert.scope_en, product=cert.product,
        certification_mode=cert.certification_mode, previous_id=cert.previous_id,
        last_surveillance_on=cert.last_surveillance_on,
        sites=[{"name": s.name, "address": s.address, "region_code": s.region_code, "scope": s.scope} for s in cert.sites],
        audits=[{"kind": a.kind, "method": a.method, "start_on": a.start_on, "end_on": a.end_on,
                 "auditors": [{"person_id": x.person_id, "registration_number": x.registration_number, "role": x.role}
                              for x in a.auditors]} for a in cert.audits],
        allowed_actions=allowed_actions(cert),
    )
    return view


def reason_texts(reasons: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Return a verdict's reasons with their text in a language."""
    return [{"code": r["code"], "params": r["params"], "text": _text(r["code"], lang, r["params"])} for r in reasons]


def _text(code: str, lang: str, params: dict[str, Any]) -> str:
    try:
        return reason_text(code, lang, tuple(params.items()))
    except TypeError:  # a parameter that cannot be a cache key (a list): rendered as it is
        return render(f"effective.{code}", lang, **params)


@lru_cache(maxsize=16384)
def reason_text(code: str, lang: str, params: tuple[tuple[str, Any], ...]) -> str:
    """Return one reason's text (cached: the same reasons — an end date, a revoked body — recur on many answers)."""
    return render(f"effective.{code}", lang, **dict(params))


@lru_cache(maxsize=64)
def status_meaning(status: str, lang: str) -> str:
    """Return a status's word in a language (有效, 过期 …)."""
    return render(f"status.{status}", lang)


def with_meaning(view: dict[str, Any], lang: str) -> dict[str, Any]:
    """Return a public view with its status meaning and reason texts, keys in CertificateSummary's order."""
    out = {"id": view["id"], "number": view["number"], "status": view["status"],
           "status_meaning": status_meaning(view["status"], lang)}
    out.update(view)
    if view["reasons"]:
        out["reasons"] = reason_texts(view["reasons"], lang)
    if view.get("accreditation"):
        out["accreditation"] = labelled(view["accreditation"], lang)
    return out


def verdict_number(result: Verification, certs: list[dict[str, Any]], lang: str) -> str:
    """Return the certificate number(s) a verdict names: the one asked about, or — asked by 统一社会信用代码 —
    the numbers of the certificates the verdict is about (the valid ones when any is valid)."""
    if result.query.get("number"):
        return result.query["number"]
    named = [c["number"] for c in certs if c.get("valid_now")] if result.outcome == "valid" else []
    return ("、" if lang == "zh" else ", ").join(named or [c["number"] for c in certs])


@lru_cache(maxsize=1024)
def status_reason_words(reason: str | None, lang: str) -> str:
    """Return a status reason as words: system codes (validity_ended …) from the catalog, typed text as is."""
    if not reason:
        return ""
    return render(f"status_reason.{reason}", lang) if has_message(f"status_reason.{reason}") else reason


def verification_view(result: Verification, lang: str) -> dict[str, Any]:
    """Return a verification answer with its explanation in a language."""
    certs = [with_meaning(item, lang) for item in result.certificates]
    first = certs[0] if certs else {}
    warnings = ("；" if lang == "zh" else "; ").join(
        r["text"] for c in certs if c["valid_now"] for r in c["reasons"]) if result.reason == "valid_with_warnings" else ""
    message = render(f"verify.{result.reason}", lang, warnings=warnings, number=verdict_number(result, certs, lang),
                     body=result.query.get("body") or "", uscc=result.query.get("uscc") or "",
                     status=first.get("status_meaning", ""), date=first.get("status_changed_on", ""),
                     reason=status_reason_words(first.get("status_reason"), lang), count=len(certs))
    return {"outcome": result.outcome, "reason": result.reason, "message": message, "query": result.query,
            "certificates": certs}


def verification_json(view: dict[str, Any]) -> bytes:
    """Serialise a verification answer as the API sends it (VerificationOut's shape, compact UTF-8 JSON).

    orjson writes the same bytes as `json.dumps(view, ensure_ascii=False, separators=(",", ":"))` for what a view
    holds (strings, integers, booleans, None, lists, dicts with string keys), ten times faster.
    """
    return orjson.dumps(view)


def status_options(lang: str) -> list[tuple[str, str]]:
    """Return (status, word) for certificate statuses, for status filters."""
    return [(s, render(f"status.{s}", lang)) for s in STATUSES]
