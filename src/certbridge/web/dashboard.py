"""The regulator's dashboard: panels of what needs action, from providers other capabilities can add.

A provider is `callable(session, principal, lang) -> list[DashboardPanel]`; register it once from your
capability's install(app) with `register_panel_provider(fn)`. Each panel shows a title and items; an item
is a label, a count and a link, with a tone ("ok", "warn", "bad") that colours it (words carry the meaning).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from certbridge.certificates.models import Certificate
from certbridge.principal import Principal
from certbridge.registry.models import CertificationBody, Lab, Scheme
from certbridge.web.fake_reports import count_open_reports
from certbridge.web.i18n import gettext

LAPSE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class DashboardItem:
    """One line of a panel: a translated label, a count and where to act on it."""

    label: str
    count: int
    href: str | None = None
    tone: str = "warn"  # ok | warn | bad
    detail: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DashboardPanel:
    """A titled group of items on the dashboard."""

    title: str
    items: list[DashboardItem]
    order: int = 100


PanelProvider = Callable[[Session, Principal, str], list[DashboardPanel]]
PANEL_PROVIDERS: list[PanelProvider] = []


def register_panel_provider(provider: PanelProvider) -> None:
    """Add a panel provider to the regulator dashboard (idempotent)."""
    if provider not in PANEL_PROVIDERS:
        PANEL_PROVIDERS.append(provider)


def _tone(count: int, bad: bool = False) -> str:
    return "ok" if count == 0 else ("bad" if bad else "warn")


def approvals_panel(session: Session, principal: Principal, lang: str,
                    today: date | None = None) -> list[DashboardPanel]:
    """Bodies whose approval lapses within 90 days or has lapsed, and labs whose qualification does."""
    today = today or date.today()
    horizon = today + timedelta(days=LAPSE_WINDOW_DAYS)
    soon = list(session.scalars(select(CertificationBody).where(
        CertificationBody.status.in_(("approved", "suspended")), CertificationBody.valid_until.is_not(None),
        CertificationBody.valid_until >= today, CertificationBody.valid_until <= horizon)
        .order_by(CertificationBody.valid_until)))
    lapsed = list(session.scalars(select(CertificationBody).where(
        CertificationBody.status.in_(("approved", "suspended")), CertificationBody.valid_until < today)))
    labs_soon = session.scalar(select(func.count()).select_from(Lab).where(
        Lab.status == "valid", Lab.valid_until >= today, Lab.valid_until <= horizon)) or 0
    g = lambda msg, **kw: gettext(lang, msg, **kw)  # noqa: E731
    return [DashboardPanel(g("Approvals"), [
        DashboardItem(g("Body approvals lapsing within %(days)s days", days=LAPSE_WINDOW_DAYS), len(soon),
                      "/regulator/bodies?lapsing=1", _tone(len(soon)),
                      [f"{b.name} — {b.valid_until.isoformat()}" for b in soon[:5]]),
        DashboardItem(g("Body approvals already lapsed but still marked approved"), len(lapsed),
                      "/regulator/bodies?lapsed=1", _tone(len(lapsed), bad=True), [b.name for b in lapsed[:5]]),
        DashboardItem(g("Lab qualifications lapsing within %(days)s days", days=LAPSE_WINDOW_DAYS), labs_soon,
                      "/regulator/labs", _tone(labs_soon)),
    ], order=10)]


def certificates_panel(session: Session, principal: Principal, lang: str,
                       today: date | None = None) -> list[DashboardPanel]:
    """Suspensions past their end not yet withdrawn, and surveillance overdue on valid certificates."""
    today = today or date.today()
    overdue_suspensions = session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.status == "suspended", Certificate.suspended_until < today)) or 0
    overdue_surveillance = 0
    schemes = list(session.scalars(select(Scheme).where(Scheme.kind == "system")))
    from certbridge.kit.dates import add_months

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
                      "/?status=suspended", _tone(overdue_suspensions, bad=True)),
        DashboardItem(g("Valid management-system certificates with surveillance overdue"), overdue_surveillance,
                      None, _tone(overdue_surveillance)),
    ], order=20)]


def reports_panel(session: Session, principal: Principal, lang: str) -> list[DashboardPanel]:
    """Fake-certificate reports waiting for review."""
    count = count_open_reports(session)
    return [DashboardPanel(gettext(lang, "Public reports"), [
        DashboardItem(gettext(lang, "Fake-certificate reports to review"), count, "/regulator/reports?status=new",
                      _tone(count)),
    ], order=30)]


register_panel_provider(approvals_panel)
register_panel_provider(certificates_panel)
register_panel_provider(reports_panel)


def dashboard_panels(session: Session, principal: Principal, lang: str) -> list[DashboardPanel]:
    """Collect every provider's panels, in order."""
    panels: list[DashboardPanel] = []
    for provider in PANEL_PROVIDERS:
        panels.extend(provider(session, principal, lang))
    return sorted(panels, key=lambda p: p.order)
