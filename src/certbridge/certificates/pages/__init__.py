"""Pages of the certificates capability: the public portal (search, verify, certificates, organizations,
directories of bodies and labs with their certificates) and the certification body's console."""

from __future__ import annotations

from fastapi import FastAPI

from certbridge.api.routing import add_routes
from certbridge.certificates.pages import console, dashboard, directories, imports, issue, lifecycle, public
from certbridge.certificates.export_job import KIND as EXPORT_KIND
from certbridge.certificates.uploads import discard_session_uploads
from certbridge.jobs.pages import JobKind, describe_kind
from certbridge.web.dashboard import register_panel_provider
from certbridge.web.i18n import N_
from certbridge.web.nav import NavEntry, add_nav_entry
from certbridge.web.slots import fill_slot

NAV = (
    NavEntry("/", N_("Search certificates"), order=10),
    NavEntry("/verify", N_("Verify"), order=20),
    NavEntry("/bodies", N_("Certification bodies"), order=30),
    NavEntry("/labs", N_("Labs"), order=40),
    NavEntry("/cb", N_("My certificates"), roles=("cb_operator",), area="cb", order=10),
    NavEntry("/cb/import", N_("Bulk upload"), roles=("cb_operator",), area="cb", order=20),
)


def install(app: FastAPI) -> None:
    """Mount the portal and console pages (issue before console: /cb/certificates/new is not an id)."""
    for module in (public, directories, issue, imports, console, lifecycle):
        add_routes(app, module.router)
    for entry in NAV:
        add_nav_entry(entry)
    register_panel_provider(dashboard.certificates_panel)
    fill_slot("session.ended", discard_session_uploads)
    describe_kind(EXPORT_KIND, JobKind(title=N_("Exporting %(title)s"), back="/cb", back_label=N_("My certificates")))
