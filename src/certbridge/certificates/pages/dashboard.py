"""The certificates capability's dashboard panel: suspensions overdue for withdrawal, surveillance overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.kit.dates import add_months
from certbridge.principal import Principal
from certbridge.registry.models import Scheme
from certbridge.web.dashboard import DashboardItem, DashboardPanel, tone
from certbridge.web.i18n import gettext


def certificates_panel(session: Session, principal: Principal, lang: str,
                       today: date | None = None) -> list[DashboardPanel]:
    """Suspensions past their end not yet withdrawn, and surveillance overdue on valid certificates."""
    today = today or date.today()
    overdue_suspensions = session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.status == "suspended", Certificate.suspended_until < today)) or 0
    overdue_surveillance = 0
    schemes = list(session.scalars(select(Scheme).where(Scheme.kind == "system")))
    for scheme in schemes:
        # Due = (last surveillance or issue date) + interval; overdue when that is before today.
        cutoff = add_months(today, -scheme.surveillance_interval_months)
        overdue_surveillance += session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.status == "valid", Certificate.scheme_code == scheme.code,
            or_(and_(Certificate.last_surveillance_on.is_(None), Certificate.issued_on < cutoff),
                Certificate.last_surveillance_on < cutoff))) or 0
    g = lambda msg, **kw: gettext(lang, msg, **kw)  # noqa: E731
    return [DashboardPanel(g("Certificates"), [
        DashboardItem(g("Suspended past the end of their suspension, not yet withdrawn"), overdue_suspensions,
                      "/?status=suspended", tone(overdue_suspensions, bad=True)),
        DashboardItem(g("Valid management-system certificates with surveillance overdue"), overdue_surveillance,
                      None, tone(overdue_surveillance)),
    ], order=20)]
