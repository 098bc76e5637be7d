"""The certificates capability's dashboard panel: certificates suspended today, surveillance overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, and_, func, literal, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.effective_status_sql import status_filter
from certbridge.certificates.models import Certificate
from certbridge.kit.dates import add_months
from certbridge.principal import Principal
from certbridge.registry.models import Scheme
from certbridge.web.dashboard import DashboardItem, DashboardPanel, tone
from certbridge.web.i18n import gettext


def certificates_panel(session: Session, principal: Principal, lang: str,
                       today: date | None = None) -> list[DashboardPanel]:
    """Certificates suspended today, and valid ones with surveillance overdue — by effective status, so each count
    is what the list it links to shows (a suspension past its end is already withdrawn there)."""
    today = today or date.today()
    on = literal(today, Date)
    suspended = session.scalar(select(func.count()).select_from(Certificate).where(
        status_filter("suspended", on))) or 0
    overdue_surveillance = 0
    schemes = list(session.scalars(select(Scheme).where(Scheme.kind == "system")))
    for scheme in schemes:
        # Due = (last surveillance or issue date) + interval; overdue when that is before today.
        cutoff = add_months(today, -scheme.surveillance_interval_months)
        overdue_surveillance += session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.scheme_code == scheme.code, status_filter("valid", on),
            or_(and_(Certificate.last_surveillance_on.is_(None), Certificate.issued_on < cutoff),
                Certificate.last_surveillance_on < cutoff))) or 0
    g = lambda msg, **kw: gettext(lang, msg, **kw)  # noqa: E731
    return [DashboardPanel(g("Certificates"), [
        DashboardItem(g("Suspended today (not valid for any public purpose)"), suspended, "/?status=suspended",
                      tone(suspended, bad=True)),
        DashboardItem(g("Valid management-system certificates with surveillance overdue"), overdue_surveillance,
                      None, tone(overdue_surveillance)),
    ], order=20)]
