"""Consumer alert pages: the public list, one alert, the Atom and JSON feeds, the regulator's publishing form,
and what an alert adds to the pages of the certificates it concerns (the `certificate.page` slot)."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response

from certbridge.api.deps import ReadDB
from certbridge.api.params import Id
from certbridge.api.routing import APIRouter
from certbridge.certificates.models import Certificate
from certbridge.db import write_session
from certbridge.errors import DomainError, NotFound
from certbridge.registry.models import CertificationBody
from certbridge.risk.alerts import alerts_for_certificate, atom_feed, json_feed, publish_alert, published_alerts
from certbridge.risk.models import ConsumerAlert
from certbridge.web.csrf import require_csrf
from certbridge.web.forms import text
from certbridge.web.guards import regulator
from certbridge.web.page_actions import form_done
from certbridge.web.posted import PostedForm
from certbridge.web.templating import redirect, render, t

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
FIELDS = ("title", "summary", "advice", "products", "certificates", "bodies", "authority")


def _base(request: Request) -> str:
    return str(request.app.state.settings.public_url).rstrip("/")


@router.get("/alerts")
def alerts_page(request: Request, db: ReadDB):
    """List the consumer alerts in force."""
    return render(request, "risk/alerts.html", {"alerts": published_alerts(db)})


@router.get("/alerts.json")
def alerts_json(request: Request, db: ReadDB):
    """The alerts as a JSON Feed."""
    return JSONResponse(json_feed(published_alerts(db), _base(request)), media_type="application/feed+json")


@router.get("/alerts.atom")
def alerts_atom(request: Request, db: ReadDB):
    """The alerts as an Atom feed."""
    return Response(atom_feed(published_alerts(db), _base(request)), media_type="application/atom+xml")


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, db: ReadDB, alert_id: Id):
    """Show one alert with the certificates and bodies concerned and its log entry (its signature)."""
    alert = db.get(ConsumerAlert, alert_id)
    if alert is None:
        raise NotFound("not_found")
    certificates = [db.get(Certificate, i) for i in alert.certificate_ids or []]
    bodies = [db.get(CertificationBody, i) for i in alert.body_ids or []]
    return render(request, "risk/alert.html", {"a": alert, "certificates": [c for c in certificates if c],
                                                 "bodies": [b for b in bodies if b]})


@router.get("/regulator/alerts")
def alert_form(request: Request, db: ReadDB):
    """The form to publish a consumer alert, and the alerts published."""
    regulator(request)
    return render(request, "risk/alerts_manage.html", {"alerts": published_alerts(db)})


@router.post("/regulator/alerts")
def alert_publish(request: Request, form: PostedForm):
    """Publish a consumer alert into the log; a refused form comes back filled in."""
    principal = regulator(request)
    try:
        with write_session(request.app.state.sessions) as session:
            alert = publish_alert(session, principal=principal, **{name: text(form, name) for name in FIELDS})
            alert_id = alert.id
    except DomainError as exc:
        return form_done(request, "/regulator/alerts", exc, form)
    return redirect(request, f"/alerts/{alert_id}", flash=t(request, "The alert is published."))


def certificate_alerts(*, session, certificate_id: int, **_context) -> dict:
    """Slot `certificate.page`: the alerts in force that concern this certificate or its body."""
    return {"alerts": [{"id": a.id, "title": a.title, "advice": a.advice, "published_on": a.published_on}
                       for a in alerts_for_certificate(session, certificate_id)]}
