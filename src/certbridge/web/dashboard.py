"""The regulator's dashboard: panels of what needs action, from providers each capability adds.

A provider is `callable(session, principal, lang) -> list[DashboardPanel]`; register it once from your
capability's install(app) with `register_panel_provider(fn)`. Each panel shows a title and items; an item
is a label, a count and a link, with a tone ("ok", "warn", "bad") that colours it (words carry the meaning).
The page itself (`/regulator`) is the kit's: it only gathers what the providers say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.orm import Session

from certbridge.api.deps import ReadDB
from certbridge.api.routing import APIRouter
from certbridge.principal import Principal
from certbridge.web.guards import regulator
from certbridge.web.i18n import request_language
from certbridge.web.templating import render

router = APIRouter(include_in_schema=False)


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


def tone(count: int, bad: bool = False) -> str:
    """Return the tone of an item: ok when nothing waits, else warn (or bad when `bad`)."""
    return "ok" if count == 0 else ("bad" if bad else "warn")


def dashboard_panels(session: Session, principal: Principal, lang: str) -> list[DashboardPanel]:
    """Collect every provider's panels, in order."""
    panels: list[DashboardPanel] = []
    for provider in PANEL_PROVIDERS:
        panels.extend(provider(session, principal, lang))
    return sorted(panels, key=lambda p: p.order)


@router.get("/regulator")
def dashboard(request: Request, db: ReadDB):
    """Show what needs a regulator's action today."""
    principal = regulator(request)
    return render(request, "regulator/dashboard.html",
                  {"panels": dashboard_panels(db, principal, request_language(request))})
