"""The certificate state machine (DOMAIN.md): valid ⇄ suspended → withdrawn; valid → cancelled; → expired."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from certbridge.accreditation.service import code_of
from certbridge.certificates.holders import holder_of
from certbridge.certificates.effective_status import ENDED_BODY_STATUSES, OPEN_STATUSES
from certbridge.certificates.effective_status_sql import add_months_sql
from certbridge.certificates.models import Certificate
from certbridge.certificates.schemas import CertificateIn, RenewIn, ScopeChangeIn, StatusChangeIn
from certbridge.certificates.service import _sites, get_certificate, issue_certificate
from certbridge.certificates.snapshots import sites_state
from certbridge.certificates.status_context import load_context
from certbridge.errors import Conflict, InvalidInput, RuleViolation
from certbridge.ledger.journal import record_event
from certbridge.kit.dates import add_months
from certbridge.policy import require_body_operator
from certbridge.principal import SYSTEM, Principal
from certbridge.registry.models import Organization, Scheme, Standard
from certbridge.registry.restrictions import impose_restriction

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "suspend": (frozenset({"valid"}), "suspended"),
    "restore": (frozenset({"suspended"}), "valid"),
    "withdraw": (frozenset({"valid", "suspended"}), "withdrawn"),
    "cancel": (frozenset({"valid"}), "cancelled"),
    "expire": (frozenset({"valid", "suspended"}), "expired"),
}


def allowed_actions(cert: Certificate) -> list[str]:
    """Return the lifecycle actions a certificate's status allows (renew and scope change included)."""
    actions = [name for name, (sources, _) in TRANSITIONS.items() if cert.status in sources]
    if cert.status == "valid":
        actions.append("change_scope")
    if cert.status in ("valid", "suspended", "expired"):
        actions.append("renew")
    return actions


def _transition(session: Session, principal: Principal, certificate_id: int, action: str,
                change: StatusChangeIn, today: date | None) -> tuple[Certificate, date]:
    cert = get_certificate(session, certificate_id, for_update=True)
    require_body_operator(principal, cert.body_id)
    if change.expected_version is not None and change.expected_version != cert.version:
        raise Conflict("certificate.stale", current=cert.version, expected=change.expected_version)
    sources, target = TRANSITIONS[action]
    if cert.status not in sources:
        raise RuleViolation("certificate.transition", action=action, status=cert.status, target=target)
    on = change.on or today or date.today()
    if on < cert.status_changed_on:
        raise InvalidInput("certificate.date_before_last_change", field="on", date=on,
                           last=cert.status_changed_on)
    if on > (today or date.today()):
        raise InvalidInput("certificate.date_in_future", field="on", date=on)
    return cert, on


def _apply(session: Session, principal: Principal, cert: Certificate, status: str, on: date, reason: str,
           extra: dict | None = None) -> Certificate:
    cert.status, cert.status_reason, cert.status_changed_on = status, reason, on
    if status != "suspended":
        cert.suspended_until = None
    session.flush()
    state = {"status": status, "status_reason": reason, "status_changed_on": on.isoformat(),
             "suspended_until": cert.suspended_until.isoformat() if cert.suspended_until else None}
    record_event(session, type=f"certificate.{status}", subject_type="certificate", subject_id=cert.id,
                 actor=principal.actor, data={"state": state, **(extra or {})})
    return cert


def suspend_certificate(session: Session, *, principal: Principal, certificate_id: int, change: StatusChangeIn,
                        today: date | None = None) -> Certificate:
    """Suspend a valid certificate for at most the scheme's maximum."""
    cert, on = _transition(session, principal, certificate_id, "suspend", change, today)
    scheme = session.get(Scheme, cert.scheme_code)
    longest = add_months(on, scheme.max_suspension_months)
    until = change.until or longest
    if until <= on:
        raise InvalidInput("date.order", field="until", start=on, end=until)
    if until > longest:
        raise InvalidInput("certificate.suspension_too_long", field="until", months=scheme.max_suspension_months,
                           latest=longest.isoformat())
    until = min(until, cert.expires_on)
    cert.suspended_until = until
    return _apply(session, principal, cert, "suspended", on, change.reason)


def restore_certificate(session: Session, *, principal: Principal, certificate_id: int, change: StatusChangeIn,
                        today: date | None = None) -> Certificate:
    """Restore a suspended certificate corrected within its suspension."""
    cert, on = _transition(session, principal, certificate_id, "restore", change, today)
    if cert.suspended_until is not None and on > cert.suspended_until:
        raise RuleViolation("certificate.suspension_ended", until=cert.suspended_until.isoformat())
    if on > cert.expires_on:
        raise RuleViolation("certificate.past_expiry", expires_on=cert.expires_on.isoformat())
    return _apply(session, principal, cert, "valid", on, change.reason)


def withdraw_certificate(session: Session, *, principal: Principal, certificate_id: int, change: StatusChangeIn,
                         today: date | None = None) -> Certificate:
    """Withdraw (revoke) a certificate; the holder's own fault blocks re-application per the scheme.

    A withdrawal because the body's approval ended (cause `body_revoked`) blocks nothing: the holder is not at
    fault, and the scheme's grace period (`body_revoked_grace_months`) was its time to move to another body.
    """
    cert, on = _transition(session, principal, certificate_id, "withdraw", change, today)
    _apply(session, principal, cert, "withdrawn", on, change.reason, {"cause": change.cause})
    scheme = session.get(Scheme, cert.scheme_code)
    months = scheme.reapply_block_months if change.cause == "holder" else 0
    if months:
        impose_restriction(
            session, principal=None, actor=principal.actor, subject_type="organization",
            subject_id=cert.organization_id, kind="reapplication_block",
            reason=change.reason, starts_on=on, ends_on=add_months(on, months),
            source=f"certificate:{cert.id}", data={"scheme": cert.scheme_code, "cause": change.cause},
        )
    return cert


def cancel_certificate(session: Session, *, principal: Principal, certificate_id: int, change: StatusChangeIn,
                       today: date | None = None) -> Certificate:
    """Cancel a valid certificate (holder request, product discontinued, rule change)."""
    cert, on = _transition(session, principal, certificate_id, "cancel", change, today)
    return _apply(session, principal, cert, "cancelled", on, change.reason)


def expire_certificate(session: Session, *, principal: Principal, certificate_id: int, change: StatusChangeIn,
                       today: date | None = None) -> Certificate:
    """Mark a certificate expired at the end of its validity."""
    cert, on = _transition(session, principal, certificate_id, "expire", change, today)
    if on < cert.expires_on and change.reason != "renewed":
        raise RuleViolation("certificate.not_yet_expired", expires_on=cert.expires_on.isoformat())
    return _apply(session, principal, cert, "expired", on, change.reason)


def change_scope(session: Session, *, principal: Principal, certificate_id: int, change: ScopeChangeIn,
                 today: date | None = None) -> Certificate:
    """Extend or reduce a valid certificate's scope (and sites)."""
    cert = get_certificate(session, certificate_id, for_update=True)
    require_body_operator(principal, cert.body_id)
    if change.expected_version is not None and change.expected_version != cert.version:
        raise Conflict("certificate.stale", current=cert.version, expected=change.expected_version)
    if cert.status != "valid":
        raise RuleViolation("certificate.transition", action="change_scope", status=cert.status, target="valid")
    cert.scope, cert.scope_en = change.scope.strip(), change.scope_en
    if change.sites is not None:
        cert.sites = _sites(session, change.sites)
    session.flush()
    record_event(session, type="certificate.scope_changed", subject_type="certificate", subject_id=cert.id,
                 actor=principal.actor,
                 data={"state": {"scope": cert.scope, "scope_en": cert.scope_en, "sites": sites_state(cert)},
                       "reason": change.reason})
    return cert


def renew_certificate(session: Session, *, principal: Principal, certificate_id: int, renewal: RenewIn,
                      today: date | None = None) -> Certificate:
    """Issue the next cycle linked to the old certificate; the old one ends as expired (renewed)."""
    old = get_certificate(session, certificate_id, for_update=True)
    require_body_operator(principal, old.body_id)
    if old.status not in ("valid", "suspended", "expired"):
        raise RuleViolation("certificate.transition", action="renew", status=old.status, target="valid")
    successor = session.scalar(select(Certificate.id).where(Certificate.previous_id == old.id))
    if successor is not None:
        raise RuleViolation("certificate.already_renewed", successor=successor)
    org = session.get(Organization, old.organization_id)
    standard = session.get(Standard, old.standard_id) if old.standard_id else None
    draft = CertificateIn(
        number=renewal.number, scheme=old.scheme_code,
        standard_code=standard.code if standard else None, standard_version=standard.version if standard else None,
        holder=holder_of(org, old), country=old.country,
        accreditation_body=code_of(session, old.accreditation_body_id), accreditation_number=old.accreditation_number,
        scope=renewal.scope or old.scope, scope_en=old.scope_en, product=old.product,
        certification_mode=old.certification_mode, grade=old.grade, issued_on=renewal.issued_on,
        expires_on=renewal.expires_on,
        sites=[{"name": s.name, "address": s.address, "region_code": s.region_code, "scope": s.scope}
               for s in old.sites],
        audits=renewal.audits,
    )
    if old.status != "expired":
        _apply(session, principal, old, "expired", max(renewal.issued_on, old.status_changed_on), "renewed",
               {"renewed_by_number": renewal.number})
    return issue_certificate(session, principal=principal, body_id=old.body_id, draft=draft, today=today,
                             previous=old, event_type="certificate.renewed")


def _due_ids(session: Session, on: date, ctx, limit: int | None = None) -> list[int]:
    """Return the open certificates a date-driven change may have reached by `on` (a superset, cheap to find)."""
    lapsed = [sid for sid, (_, deadline) in ctx.standards.items() if deadline is not None and deadline < on]
    ended = [bid for bid, (status, _, _) in ctx.bodies.items() if status in ENDED_BODY_STATUSES]
    return list(session.scalars(select(Certificate.id).where(
        Certificate.status.in_(OPEN_STATUSES),
        or_(Certificate.expires_on < on, and_(Certificate.status == "suspended", Certificate.suspended_until < on),
            Certificate.standard_id.in_(lapsed), Certificate.body_id.in_(ended)),
    ).order_by(Certificate.id).limit(limit)))


def _overdue_select(session: Session, on: date):
    """Return the statement of valid management-system certificates whose surveillance is overdue on `on`."""
    system_schemes = session.scalars(select(Scheme.code).where(Scheme.kind == "system")).all()
    interval = (select(Scheme.surveillance_interval_months).where(Scheme.code == Certificate.scheme_code)
                .correlate(Certificate).scalar_subquery())
    return select(Certificate.id).where(
        Certificate.status == "valid", Certificate.scheme_code.in_(system_schemes),
        add_months_sql(func.coalesce(Certificate.last_surveillance_on, Certificate.issued_on), interval) < on,
    ).order_by(Certificate.id)


def sweep_pending(session: Session, *, on: date) -> bool:
    """Tell whether `sweep_due` may find anything to record on `on` (two reads; writes nothing)."""
    ctx = load_context(session)
    return bool(_due_ids(session, on, ctx, limit=1)) or session.scalar(_overdue_select(session, on).limit(1)) is not None


_CAUSES = {"suspension_not_corrected": "holder", "body_revoked_grace_over": "body_revoked",
           "body_withdrawn_grace_over": "body_revoked"}


def sweep_due(session: Session, *, on: date, principal: Principal = SYSTEM) -> dict[str, int]:
    """Record what the calendar forces by `on`, as events: what `effective_status.verdict` says is due.

    Expiry (end date, or the standard's transition deadline), withdrawal after an uncorrected suspension or
    at the end of the grace period after the body's revocation — each recorded on the date it took effect —
    and suspension for overdue surveillance. Idempotent: a certificate another sweep already moved is skipped.
    """
    counts = {"expired": 0, "withdrawn": 0, "suspended": 0}
    ctx = load_context(session)
    _record_due(session, on, ctx, principal, counts)
    if _suspend_overdue(session, on, principal, counts):
        _record_due(session, on, ctx, principal, counts)  # a suspension that ran out before `on`
    return counts


def _record_due(session: Session, on: date, ctx, principal: Principal, counts: dict[str, int]) -> None:
    """Record the date-driven change the verdict finds due, for every certificate that may have one."""
    for cid in _due_ids(session, on, ctx):
        cert = get_certificate(session, cid, for_update=True)
        result = ctx.verdict(cert, on)
        if result.due is None:
            continue
        extra = {"due_on": result.due.first_day.isoformat()}
        if result.due.code in _CAUSES:
            extra["cause"] = _CAUSES[result.due.code]
        _apply(session, principal, cert, result.status, result.since, result.status_reason, extra)
        counts[result.status] += 1


def _suspend_overdue(session: Session, on: date, principal: Principal, counts: dict[str, int]) -> int:
    """Suspend valid management-system certificates whose surveillance is overdue; return how many."""
    done = 0
    overdue = session.scalars(_overdue_select(session, on)).all()
    for cid in overdue:
        cert = get_certificate(session, cid, for_update=True)
        scheme = session.get(Scheme, cert.scheme_code)
        since = cert.last_surveillance_on or cert.issued_on
        deadline = add_months(since, scheme.surveillance_interval_months)
        if cert.status == "valid" and deadline < on:
            cert.suspended_until = min(add_months(deadline, scheme.max_suspension_months), cert.expires_on)
            _apply(session, principal, cert, "suspended", max(deadline, cert.status_changed_on),
                   "surveillance_overdue")
            counts["suspended"] += 1
            done += 1
    return done


__all__ = [
    "TRANSITIONS", "allowed_actions", "suspend_certificate", "restore_certificate", "withdraw_certificate",
    "cancel_certificate", "expire_certificate", "change_scope", "renew_certificate", "sweep_due", "sweep_pending",
]
