"""Consumer alerts (消费警示): published by a regulator, shown on the portal, on the pages of the certificates
concerned and in Atom and JSON feeds. Publishing records a public `consumer_alert.published` event with the
whole alert; that log entry's inclusion proof (in a signed checkpoint) is the alert's signature."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.errors import InvalidInput
from certbridge.ledger.journal import record_event
from certbridge.policy import require_regulator
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody
from certbridge.risk.models import ConsumerAlert

LIMITS = {"title": 200, "summary": 4000, "advice": 4000, "products": 2000, "authority": 200}


def alert_state(a: ConsumerAlert) -> dict:
    """Return an alert as its log entry carries it (all of it: an alert is public)."""
    return {"title": a.title, "summary": a.summary, "advice": a.advice, "products": a.products,
            "certificate_ids": a.certificate_ids, "body_ids": a.body_ids, "authority": a.authority,
            "published_on": a.published_on, "withdrawn_on": a.withdrawn_on}


def _text(values: dict, name: str, required: bool) -> str | None:
    value = (values.get(name) or "").strip()
    if required and not value:
        raise InvalidInput("field.required", field=name)
    if len(value) > LIMITS[name]:
        raise InvalidInput("field.too_long", field=name, max=LIMITS[name])
    return value or None


def _certificates(session: Session, numbers: str | None) -> list[int]:
    ids = []
    for number in [n.strip().upper() for n in (numbers or "").replace("，", ",").replace("\n", ",").split(",")]:
        if not number:
            continue
        found = list(session.scalars(select(Certificate.id).where(Certificate.number == number)))
        if not found:
            raise InvalidInput("alert.certificate_unknown", field="certificates", number=number)
        ids.extend(found)
    return sorted(set(ids))


def _bodies(session: Session, codes: str | None) -> list[int]:
    ids = []
    for code in [c.strip() for c in (codes or "").replace("，", ",").split(",")]:
        if not code:
            continue
        body = session.scalar(select(CertificationBody).where(CertificationBody.code == code))
        if body is None:
            raise InvalidInput("alert.body_unknown", field="bodies", code=code)
        ids.append(body.id)
    return sorted(set(ids))


def publish_alert(session: Session, *, principal: Principal, title: str | None, summary: str | None,
                  advice: str | None, products: str | None = None, certificates: str | None = None,
                  bodies: str | None = None, authority: str | None = None, on: date | None = None) -> ConsumerAlert:
    """Publish an alert: what is concerned (certificate numbers, body codes, products) and what to do."""
    require_regulator(principal)
    values = {"title": title, "summary": summary, "advice": advice, "products": products, "authority": authority}
    cleaned = {name: _text(values, name, name in ("title", "summary", "advice", "authority"))
               for name in LIMITS}
    certificate_ids, body_ids = _certificates(session, certificates), _bodies(session, bodies)
    if not (certificate_ids or body_ids or cleaned["products"]):
        raise InvalidInput("alert.nothing_concerned", field="certificates")
    alert = ConsumerAlert(**cleaned, certificate_ids=certificate_ids, body_ids=body_ids,
                          published_on=on or date.today(), seq=-1)
    session.add(alert)
    session.flush()
    alert.seq = record_event(session, type="consumer_alert.published", subject_type="consumer_alert",
                             subject_id=alert.id, actor=principal.actor, data={"state": alert_state(alert)})
    session.flush()
    return alert


def published_alerts(session: Session, limit: int = 50) -> list[ConsumerAlert]:
    """Return the alerts in force, newest first."""
    return list(session.scalars(select(ConsumerAlert).where(ConsumerAlert.withdrawn_on.is_(None))
                                .order_by(ConsumerAlert.id.desc()).limit(limit)))


def alerts_for_certificate(session: Session, certificate_id: int) -> list[ConsumerAlert]:
    """Return the alerts in force that name a certificate or its issuing body."""
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        return []
    return [a for a in published_alerts(session, limit=500)
            if certificate_id in (a.certificate_ids or []) or cert.body_id in (a.body_ids or [])]


def alert_json(a: ConsumerAlert, base_url: str) -> dict:
    """Return an alert as a JSON Feed item."""
    return {"id": f"{base_url}/alerts/{a.id}", "url": f"{base_url}/alerts/{a.id}", "title": a.title,
            "content_text": f"{a.summary}\n\n{a.advice}", "date_published": f"{a.published_on.isoformat()}T00:00:00+08:00",
            "_certbridge": {"authority": a.authority, "products": a.products, "certificate_ids": a.certificate_ids,
                            "body_ids": a.body_ids, "log_seq": a.seq,
                            "proof": f"{base_url}/api/v1/ledger/events/{a.seq}/proof"}}


def json_feed(alerts: list[ConsumerAlert], base_url: str) -> dict:
    """Return the alerts as a JSON Feed 1.1 document."""
    return {"version": "https://jsonfeed.org/version/1.1", "title": "消费警示 Consumer alerts",
            "home_page_url": f"{base_url}/alerts", "feed_url": f"{base_url}/alerts.json",
            "items": [alert_json(a, base_url) for a in alerts]}


def atom_feed(alerts: list[ConsumerAlert], base_url: str) -> str:
    """Return the alerts as an Atom feed."""
    updated = max((a.published_on for a in alerts), default=date(2026, 1, 1)).isoformat() + "T00:00:00+08:00"
    entries = "".join(
        f"<entry><id>{escape(base_url)}/alerts/{a.id}</id><title>{escape(a.title)}</title>"
        f"<link href=\"{escape(base_url)}/alerts/{a.id}\"/><updated>{a.published_on.isoformat()}T00:00:00+08:00"
        f"</updated><author><name>{escape(a.authority)}</name></author>"
        f"<summary>{escape(a.summary)}</summary><content type=\"text\">{escape(a.advice)}</content></entry>"
        for a in alerts)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(base_url)}/alerts</id><title>消费警示 Consumer alerts</title><updated>{updated}</updated>"
            f'<link rel="self" href="{escape(base_url)}/alerts.atom"/>{entries}</feed>')
