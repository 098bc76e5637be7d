"""Foreign certification bodies: registered, not approved — no CNCA approval number, no USCC.

A foreign body is keyed by its country and the identifier of its home register (company number, SIRET …).
It gets a code of its own, `F` + country + a three-digit sequence (`FGB001`), which never collides with the
five-digit codes of Chinese bodies; its approval-number slot carries its home-register key `GB-01234567`, so
every place that names a body by code or approval number (verification `body=`, the directory) finds it.
Its certificates keep the body's own numbers, unique per body like any body's (docs/international.md).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certbridge.errors import Conflict, InvalidInput
from certbridge.registry.countries import check_country
from certbridge.kit.text_input import normalize_identifier
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.bodies import check_fields
from certbridge.registry.models import BodyField, CertificationBody
from certbridge.registry.snapshots import body_state


def register_foreign_body(session: Session, *, principal: Principal, country: str, foreign_id: str, name: str,
                          fields: list[str], registered_on: date, name_en: str | None = None,
                          address: str | None = None) -> CertificationBody:
    """Register a foreign certification body by its country and home-register id (regulators)."""
    require_regulator(principal)
    country = check_country(country)
    if country == "CN":
        raise InvalidInput("body.foreign_is_domestic", field="country")
    foreign_id = normalize_identifier(foreign_id or "", upper=True)
    if not foreign_id:
        raise InvalidInput("field.required", field="foreign_id")
    key = f"{country}-{foreign_id}"
    if len(key) > 30:
        raise InvalidInput("field.too_long", field="foreign_id", max=27)
    if session.scalar(select(CertificationBody.id).where(CertificationBody.approval_number == key)):
        raise Conflict("body.approval_number_taken", field="foreign_id", value=key)
    if not (name or "").strip():
        raise InvalidInput("field.required", field="name")
    taken = session.scalar(select(func.count()).select_from(CertificationBody).where(
        CertificationBody.code.like(f"F{country}%"))) or 0
    body = CertificationBody(
        code=f"F{country}{taken + 1:03d}", approval_number=key, name=name.strip(), name_en=name_en or name.strip(),
        uscc=None, foreign_invested=False, region_code=None, address=address, status="approved",
        approved_on=registered_on, valid_until=None, status_changed_on=registered_on, country=country,
        foreign_id=foreign_id)
    body.fields = [BodyField(field_code=c) for c in check_fields(session, fields)]
    session.add(body)
    session.flush()
    record_event(session, type="body.registered_foreign", subject_type="body", subject_id=body.id,
                 actor=principal.actor, data={"state": body_state(body)})
    return body
