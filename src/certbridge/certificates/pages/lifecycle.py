"""Certification-body console: every lifecycle action, rehearsed first so the confirmation says what will happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.certificates import workflow
from certbridge.certificates.models import Certificate
from certbridge.certificates.pages import forms as cb_forms
from certbridge.certificates.pages.console import own_certificate
from certbridge.certificates.schemas import AuditIn, RenewIn, ScopeChangeIn, StatusChangeIn
from certbridge.certificates.service import get_certificate, record_audit
from certbridge.db import write_session
from certbridge.errors import DomainError, NotFound
from certbridge.kit.dates import add_months
from certbridge.registry.models import Scheme
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import domain_errors, pydantic_errors, split_general, text
from certbridge.web.guards import cb_operator, rehearsal
from certbridge.web.i18n import N_, gettext, request_language
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])


@dataclass(frozen=True)
class Action:
    """A lifecycle action: its input model, the service that performs it, and the words around it."""

    model: type[BaseModel]
    title: str
    button: str
    done: str
    run: Callable[..., Certificate]
    argument: str = "change"


def _status(fn):
    return lambda db, principal, cid, item: fn(db, principal=principal, certificate_id=cid, change=item)


ACTIONS: dict[str, Action] = {
    "suspend": Action(StatusChangeIn, N_("Suspend certificate"), N_("Suspend"), N_("The certificate is suspended."),
                      _status(workflow.suspend_certificate)),
    "restore": Action(StatusChangeIn, N_("Restore certificate"), N_("Restore"), N_("The certificate is valid again."),
                      _status(workflow.restore_certificate)),
    "withdraw": Action(StatusChangeIn, N_("Withdraw certificate"), N_("Withdraw"),
                       N_("The certificate is withdrawn."), _status(workflow.withdraw_certificate)),
    "cancel": Action(StatusChangeIn, N_("Cancel certificate"), N_("Cancel certificate"),
                     N_("The certificate is cancelled."), _status(workflow.cancel_certificate)),
    "expire": Action(StatusChangeIn, N_("Mark certificate expired"), N_("Mark expired"),
                     N_("The certificate is marked expired."), _status(workflow.expire_certificate)),
    "renew": Action(RenewIn, N_("Renew certificate"), N_("Renew"), N_("The new certificate is issued."),
                    lambda db, p, cid, item: workflow.renew_certificate(db, principal=p, certificate_id=cid,
                                                                        renewal=item)),
    "change_scope": Action(ScopeChangeIn, N_("Edit scope and sites"), N_("Change scope"),
                           N_("The scope is changed."),
                           lambda db, p, cid, item: workflow.change_scope(db, principal=p, certificate_id=cid,
                                                                          change=item)),
    "audit": Action(AuditIn, N_("Record an audit"), N_("Record audit"), N_("The audit is recorded."),
                    lambda db, p, cid, item: record_audit(db, principal=p, certificate_id=cid, audit=item)),
}


def _payload(action: str, form: Any, cert: Certificate) -> dict[str, Any]:
    if action == "renew":
        audit = cb_forms.audit_from_form(form)
        data = {"number": text(form, "number").upper(), "issued_on": text(form, "issued_on") or None,
                "expires_on": text(form, "expires_on") or None, "scope": text(form, "scope") or None,
                "audits": [audit] if audit else []}
        return cb_forms.drop_blank_required(data)
    if action == "audit":
        return cb_forms.drop_blank_required({"audits": [cb_forms.audit_from_form(form) or {}]})["audits"][0]
    version = text(form, "expected_version")
    expected = int(version) if version.isdigit() else None
    if action == "change_scope":
        rows = cb_forms.site_rows(form)
        return {"scope": text(form, "scope"), "scope_en": text(form, "scope_en") or None,
                "sites": cb_forms.sites_from_form(form, rows), "reason": text(form, "reason"),
                "expected_version": expected}
    data = {"reason": text(form, "reason"), "on": text(form, "on") or None, "expected_version": expected}
    if action == "suspend":
        data["until"] = text(form, "until") or None
    if action == "withdraw":
        data["cause"] = text(form, "cause") or "holder"
    return data


def _outcome(db: Session, action: str, before: dict[str, Any], cert: Certificate, item: BaseModel) -> dict[str, Any]:
    """Read what a (rehearsed) action did, for the confirmation and the flash message."""
    scheme = db.get(Scheme, before["scheme"])
    out = {"number": before["number"], "scheme": scheme.code, "on": cert.status_changed_on.isoformat(),
           "until": cert.suspended_until.isoformat() if cert.suspended_until else None,
           "months": scheme.max_suspension_months,
           "latest": add_months(cert.status_changed_on, scheme.max_suspension_months).isoformat(),
           "old_scope": before["scope"], "new_scope": cert.scope, "sites": len(cert.sites)}
    if action == "withdraw":
        months = scheme.reapply_block_months if getattr(item, "cause", None) == "holder" else 0
        out["block_months"] = months
        out["block_until"] = add_months(cert.status_changed_on, months).isoformat() if months else None
    if action == "renew":
        out.update(new_number=cert.number, cycle=cert.cycle, issued_on=cert.issued_on.isoformat(),
                   expires_on=cert.expires_on.isoformat())
    if action == "audit":
        out.update(kind=item.kind, start=item.start_on.isoformat(), end=item.end_on.isoformat(),
                   count=len(item.auditors))
        if item.kind == "surveillance" and cert.last_surveillance_on:
            out["due"] = add_months(cert.last_surveillance_on, scheme.surveillance_interval_months).isoformat()
    return out


def consequences(action: str, o: dict[str, Any], lang: str) -> list[str]:
    """Say exactly what an action does, with its dates, in the page language."""
    g = lambda msg: gettext(lang, msg, **o)  # noqa: E731
    if action == "suspend":
        return [g("Certificate %(number)s will show as suspended (not valid) in public search from %(on)s until "
                  "%(until)s."),
                g("A %(scheme)s certificate may be suspended for at most %(months)s months, that is until %(latest)s "
                  "at the latest; if it is not restored by then it must be withdrawn.")]
    if action == "restore":
        return [g("Certificate %(number)s will show as valid again in public search from %(on)s.")]
    if action == "withdraw":
        lines = [g("Certificate %(number)s will be withdrawn from %(on)s. This is final: it can never be restored.")]
        if o.get("block_months"):
            lines.append(g("No certification body may accept the holder's application for %(scheme)s for "
                           "%(block_months)s months, until %(block_until)s."))
        return lines
    if action == "cancel":
        return [g("Certificate %(number)s will be cancelled from %(on)s. This is final: it can never be restored.")]
    if action == "expire":
        return [g("Certificate %(number)s will be marked expired from %(on)s. This is final; to continue, renew it.")]
    if action == "renew":
        return [g("A new certificate %(new_number)s (cycle %(cycle)s) will be issued on %(issued_on)s, valid until "
                  "%(expires_on)s."),
                g("The current certificate %(number)s will be marked expired (renewed) and link to the new one.")]
    if action == "change_scope":
        return [g("The public scope will change from “%(old_scope)s” to “%(new_scope)s”."),
                g("The certificate will list %(sites)s site(s).")]
    lines = [g("An audit from %(start)s to %(end)s with %(count)s auditor(s) will be recorded on %(number)s.")]
    if o.get("due"):
        lines.append(g("The next surveillance will be due by %(due)s."))
    return lines


def _defaults(action: str, cert: Certificate, scheme: Scheme) -> dict[str, str]:
    today = date.today().isoformat()
    values = {"on": today, "expected_version": str(cert.version)}
    if action == "suspend":
        values["until"] = min(add_months(date.today(), scheme.max_suspension_months), cert.expires_on).isoformat()
    if action == "expire":
        values["reason"] = "validity_ended"
        values["on"] = max(cert.expires_on, cert.status_changed_on).isoformat() if cert.expires_on <= date.today() \
            else today
    if action == "change_scope":
        values.update(scope=cert.scope, scope_en=cert.scope_en or "", reason="")
        for i, s in enumerate(cert.sites):
            values.update({f"sites[{i}].name": s.name, f"sites[{i}].address": s.address,
                           f"sites[{i}].region_code": s.region_code or "", f"sites[{i}].scope": s.scope or ""})
    if action == "renew":
        values.update(issued_on=today, scope=cert.scope, **{"audits[0].kind": "recertification"})
    if action == "audit":
        values.update({"audits[0].kind": "surveillance", "audits[0].start_on": today})
    return values


def _page(request, db, cert, action, values, *, errors=None, general=None, step="form", lines=None, status_code=200):
    lang = request_language(request)
    scheme = db.get(Scheme, cert.scheme_code)
    rows = max(cb_forms.SITE_ROWS, len(cert.sites) + 1, cb_forms.site_rows(values) if values else 0)
    if not lines and step == "form":
        preview = {"number": cert.number, "scheme": scheme.code, "on": values.get("on") or date.today().isoformat(),
                   "until": values.get("until"), "months": scheme.max_suspension_months,
                   "latest": add_months(date.today(), scheme.max_suspension_months).isoformat()}
        lines = consequences(action, preview, lang) if action in ("suspend", "restore", "cancel", "expire") else []
    spec = ACTIONS[action]
    return render(request, "cb/action.html", {
        "c": cert, "action": action, "title": gettext(lang, spec.title), "button": gettext(lang, spec.button),
        "values": values, "errors": errors or {}, "general": general, "step": step, "lines": lines or [],
        "rows": rows, "audit_required": action == "audit", "scheme": scheme,
    }, status_code=status_code)


@router.get("/cb/certificates/{certificate_id}/{action}")
def action_form(request: Request, db: ReadDB, certificate_id: Id, action: str):
    """Show an action's form with what it will do."""
    principal = cb_operator(request)
    if action not in ACTIONS:
        raise NotFound("not_found")
    cert = own_certificate(db, principal, certificate_id)
    return _page(request, db, cert, action, _defaults(action, cert, db.get(Scheme, cert.scheme_code)))


@router.post("/cb/certificates/{certificate_id}/{action}")
def action_submit(request: Request, form: PostedForm, db: ReadDB, certificate_id: Id, action: str):
    """Rehearse the action and show its consequences (step=review), or perform it (step=confirm)."""
    principal = cb_operator(request)
    if action not in ACTIONS:
        raise NotFound("not_found")
    lang = request_language(request)
    cert = own_certificate(db, principal, certificate_id)
    values = cb_forms.form_values(form)
    if form.get("add_site"):
        return _page(request, db, cert, action, values)
    spec = ACTIONS[action]
    labels = cb_forms.labels(lang, cb_forms.site_rows(form))
    if action == "audit":
        labels.update({k.removeprefix("audits[0]."): v for k, v in labels.items() if k.startswith("audits[0].")})
    try:
        item = spec.model.model_validate(_payload(action, form, cert))
    except ValidationError as exc:
        raw = pydantic_errors(exc, lang, labels)
        if action == "audit":
            raw = {("audits[0]." + k if not k.startswith("audits") else k): v for k, v in raw.items()}
        errors, general = split_general(raw, set(labels))
        return _page(request, db, cert, action, values, errors=errors, general=general, status_code=422)
    before = {"number": cert.number, "scheme": cert.scheme_code, "scope": cert.scope}
    confirm = text(form, "step") == "confirm"
    try:
        if confirm:
            with write_session(request.app.state.sessions) as wdb:
                result = spec.run(wdb, principal, cert.id, item)
                outcome, target = _outcome(wdb, action, before, result, item), result.id
        else:
            with rehearsal(request) as rdb:
                result = spec.run(rdb, principal, cert.id, item)
                outcome = _outcome(rdb, action, before, result, item)
    except DomainError as exc:
        errors, general = split_general(
            domain_errors(exc, lang, labels, cb_forms.ALIASES, cb_forms.CODE_FIELDS), set(labels))
        return _page(request, db, get_certificate(db, cert.id), action, values, errors=errors, general=general,
                     status_code=exc.status)
    if confirm:
        return redirect(request, f"/cb/certificates/{target}", flash=gettext(lang, spec.done))
    return _page(request, db, cert, action, values, step="review", lines=consequences(action, outcome, lang))
