"""Pages of the registry capability: the regulator's registers of bodies, labs, people, schemes and restrictions,
and the lab operator's console."""

from __future__ import annotations

from fastapi import FastAPI

from certbridge.api.routing import add_routes
from certbridge.registry.pages import bodies, lab, registers, restrictions
from certbridge.web.dashboard import register_panel_provider
from certbridge.web.i18n import N_
from certbridge.web.nav import REGULATORS, NavEntry, add_nav_entry

NAV = (
    NavEntry("/regulator/bodies", N_("Bodies"), roles=REGULATORS, area="regulator", order=20),
    NavEntry("/regulator/labs", N_("Labs"), roles=REGULATORS, area="regulator", order=30),
    NavEntry("/regulator/people", N_("People"), roles=REGULATORS, area="regulator", order=40),
    NavEntry("/regulator/schemes", N_("Schemes"), roles=REGULATORS, area="regulator", order=50),
    NavEntry("/regulator/restrictions", N_("Restrictions"), roles=REGULATORS, area="regulator", order=60),
    NavEntry("/lab", N_("My lab"), roles=("lab_operator",), area="account", order=5),
)


def install(app: FastAPI) -> None:
    """Mount the registry console pages, their header links and the approvals panel."""
    for module in (bodies, registers, restrictions, lab):
        add_routes(app, module.router)
    for entry in NAV:
        add_nav_entry(entry)
    register_panel_provider(bodies.approvals_panel)
