"""Public portal: the search box, verification, certificate and organization pages."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Request
from sqlalchemy import select

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.certificates.api import PEER_SEARCH_SLOT
from certbridge.certificates.models import STATUSES, Certificate
from certbridge.certificates.presenters import detail, status_options, summary, verification_view
from certbridge.certificates.queries import CertificateFilter
from certbridge.certificates.pages.listing import certificate_list
from certbridge.certificates.service import get_certificate
from certbridge.certificates.verification import verify_holder, verify_number
from certbridge.errors import DomainError
from certbridge.kit.query_kind import classify_query
from certbridge.ledger.journal import subject_history
from certbridge.registry import choices as lookups
from certbridge.registry.models import CertificationBody, SchemeGrade, Standard
from certbridge.registry.restrictions import active_restrictions
from certbridge.registry.service import get_organization
from certbridge.web.csrf import require_csrf
from certbridge.web.i18n import request_language
from certbridge.web.slots import slot_values
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
PAGE_SIZE = 20
VERDICT_TONE = {"valid": "ok", "not_valid": "bad", "not_found": "bad"}


def _clean(value: str | None, limit: int = 100) -> str | None:
    value = (value or "").strip()[:limit]
    return value or None


def search_filter(request: Request) -> tuple[CertificateFilter, dict[str, str]]:
    """Read the search box and filters from the query string (ignoring values that cannot match)."""
    qp = request.query_params
    status = qp.get("status") if qp.get("status") in STATUSES else None
    region = qp.get("region") if (qp.get("region") or "").isdigit() and len(qp.get("region")) == 6 else None
    body = qp.get("body") if (qp.get("body") or "").isdigit() and len(qp.get("body")) < 10 else None
    values = {"q": _clean(qp.get("q")), "status": status, "scheme": _clean(qp.get("scheme"), 20), "body": body,
              "region": region}
    flt = CertificateFilter(q=values["q"], status=status, scheme=values["scheme"], body_id=int(body) if body else None,
                            region_code=region)
    return flt, {k: v for k, v in values.items() if v}


@router.get("/")
def home(request: Request, db: ReadDB):
    """Show the search box and, when asked, the matching certificates a page at a time."""
    lang = request_language(request)
    flt, values = search_filter(request)
    cursor = request.query_params.get("cursor")
    results, next_url, verdict, problem = [], None, None, None
    searched = bool(values)
    listing = {"total": None, "sort": None, "list_values": values, "first_url": None}
    if searched:
        try:
            listing = certificate_list(request, db, flt, base="/", values=values, page_size=PAGE_SIZE)
            certs, next_url = listing["certificates"], listing["next_url"]
        except DomainError as exc:
            certs, problem = [], exc.message(lang)
        results = [summary(db, c, lang) for c in certs]
        if flt.q and not cursor:
            kind, term = classify_query(flt.q)
            if kind == "number":
                answer = verify_number(db, term)
                if answer.outcome != "not_found" or not results:
                    verdict = verification_view(answer, lang)
            elif kind == "uscc":
                verdict = verification_view(verify_holder(db, term), lang)
    peers = request.query_params.get("peers") == "1"
    peer_items = (slot_values(PEER_SEARCH_SLOT, session=db, q=flt.q).get("peer_items", [])
                  if peers and flt.q and not cursor else [])
    return render(request, "portal/home.html", {
        "peers": peers, "peer_items": peer_items,
        "values": values, "searched": searched, "results": results, "next_url": next_url,
        "first_url": listing["first_url"], "verdict": verdict, "total": listing["total"],
        "sort": listing["sort"], "list_values": listing["list_values"],
        "verdict_tone": VERDICT_TONE.get(verdict["outcome"]) if verdict else None, "problem": problem,
        "schemes": lookups.scheme_options(db, lang), "scheme_names": lookups.scheme_names(db, lang),
        "bodies": lookups.body_options(db, lang), "statuses": status_options(lang),
        "regions": lookups.region_options(db),
    })


@router.get("/verify")
def verify(request: Request, db: ReadDB, number: str | None = None, body: str | None = None):
    """Verify a certificate number (optionally from one body) and explain the answer."""
    lang = request_language(request)
    number, body = _clean(number, 60), _clean(body, 30)
    verdict = verification_view(verify_number(db, number, body), lang) if number else None
    return render(request, "portal/verify.html", {
        "number": number or "", "body": body or "", "verdict": verdict,
        "verdict_tone": VERDICT_TONE.get(verdict["outcome"]) if verdict else None,
        "scheme_names": lookups.scheme_names(db, lang),
    })


def certificate_history(db, certificate_id: int) -> list[dict]:
    """Return a certificate's public events, oldest first, as the page shows them."""
    out = []
    for event in subject_history(db, "certificate", certificate_id):
        if not event.public:
            continue
        data = event.data
        state = data.get("state", {})
        out.append({"seq": event.seq, "type": event.type.removeprefix("certificate."), "at": event.at,
                    "on": state.get("status_changed_on") or (state.get("issued_on") if event.type in (
                        "certificate.issued", "certificate.renewed") else None),
                    "status": state.get("status"), "reason": state.get("status_reason"),
                    "until": state.get("suspended_until"), "scope": state.get("scope"),
                    "audit": data.get("audit"), "change_reason": data.get("reason")})
    return out


@router.get("/certificates/{certificate_id}")
def certificate_page(request: Request, db: ReadDB, certificate_id: Id):
    """Show everything public about a certificate: holder, scope, sites, dates, status and its history."""
    lang = request_language(request)
    cert = get_certificate(db, certificate_id)
    view = detail(db, cert, lang)
    body = db.get(CertificationBody, cert.body_id)
    standard = db.get(Standard, cert.standard_id) if cert.standard_id else None
    successor = db.scalar(select(Certificate.id).where(Certificate.previous_id == cert.id))
    extras = slot_values("certificate.page", session=db, settings=request.app.state.settings, certificate_id=cert.id)
    grade = db.get(SchemeGrade, (cert.scheme_code, cert.grade)) if cert.grade else None
    return render(request, "portal/certificate.html", {
        "grade": f"{cert.grade} · {grade.name if lang == 'zh' else grade.name_en}" if grade else cert.grade,
        "c": view, "body": body, "body_name": lookups.body_name(body, lang), "standard": standard,
        "scheme_name": lookups.scheme_names(db, lang).get(cert.scheme_code, cert.scheme_code),
        "region": lookups.region_name(db, cert.region_code), "history": certificate_history(db, cert.id),
        "successor_id": successor, "qr": extras.get("qr"), "credentials": extras.get("credentials", False),
        "alerts": extras.get("alerts", []),
        "sites": [{**s, "region": lookups.region_name(db, s["region_code"])} for s in view["sites"]],
    })


@router.get("/organizations/{organization_id}")
def organization_page(request: Request, db: ReadDB, organization_id: Id):
    """Show an organization, the lists it is on, and all its certificates."""
    lang = request_language(request)
    org = get_organization(db, organization_id)
    if org.merged_into_id:
        target = get_organization(db, org.merged_into_id)
        org = target
    today = date.today()
    flags = active_restrictions(db, "organization", org.id, today, ("dishonesty_list", "permanent_exit"))
    certs = list(db.scalars(select(Certificate).where(Certificate.organization_id == org.id)
                            .order_by(Certificate.status != "valid", Certificate.expires_on.desc(), Certificate.id)
                            .limit(500)))
    views = [summary(db, c, lang) for c in certs]
    return render(request, "portal/organization.html", {
        "org": org, "flags": flags, "region": lookups.region_name(db, org.region_code),
        "certificates": views, "scheme_names": lookups.scheme_names(db, lang),
        "valid_count": sum(1 for v in views if v["valid_now"]),  # the effective status (effective-status.md)
    })
