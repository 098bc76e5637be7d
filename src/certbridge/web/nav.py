"""The navigation bar: a list other capabilities append one entry to (see docs/web.md)."""

from __future__ import annotations

from dataclasses import dataclass

from certbridge.principal import Principal

REGULATORS = ("regulator", "admin")


@dataclass(frozen=True)
class NavEntry:
    """One link in the header; `label` is a gettext msgid (English) with zh/en entries in web/locale."""

    href: str
    label: str
    roles: tuple[str, ...] | None = None  # None: everyone, signed in or not
    area: str = "public"  # public | cb | regulator | account — groups links in the header
    order: int = 100


NAV: list[NavEntry] = [
    NavEntry("/", "Search certificates", order=10),
    NavEntry("/verify", "Verify", order=20),
    NavEntry("/bodies", "Certification bodies", order=30),
    NavEntry("/labs", "Labs", order=40),
    NavEntry("/report", "Report a fake certificate", order=90),
    NavEntry("/cb", "My certificates", roles=("cb_operator",), area="cb", order=10),
    NavEntry("/cb/import", "Bulk upload", roles=("cb_operator",), area="cb", order=20),
    NavEntry("/regulator", "Dashboard", roles=REGULATORS, area="regulator", order=10),
    NavEntry("/regulator/bodies", "Bodies", roles=REGULATORS, area="regulator", order=20),
    NavEntry("/regulator/labs", "Labs", roles=REGULATORS, area="regulator", order=30),
    NavEntry("/regulator/people", "People", roles=REGULATORS, area="regulator", order=40),
    NavEntry("/regulator/schemes", "Schemes", roles=REGULATORS, area="regulator", order=50),
    NavEntry("/regulator/restrictions", "Restrictions", roles=REGULATORS, area="regulator", order=60),
    NavEntry("/regulator/reports", "Fake reports", roles=REGULATORS, area="regulator", order=70),
    NavEntry("/account/keys", "API keys", roles=("cb_operator", "regulator", "admin", "lab_operator"),
             area="account", order=10),
]


def add_nav_entry(entry: NavEntry) -> None:
    """Add a link to the header (call once from your capability's install(app))."""
    if all(e.href != entry.href for e in NAV):
        NAV.append(entry)


def visible_entries(principal: Principal, path: str) -> list[dict]:
    """Return the entries a principal sees, in order, marking the one the current page belongs to."""
    shown = [e for e in NAV if e.roles is None or principal.role in e.roles]
    shown.sort(key=lambda e: (("public", "cb", "regulator", "account").index(e.area)
                              if e.area in ("public", "cb", "regulator", "account") else 9, e.order))
    best = max((e.href for e in shown if path == e.href or (e.href != "/" and path.startswith(e.href + "/"))),
               key=len, default=None)
    return [{"href": e.href, "label": e.label, "area": e.area, "current": e.href == best} for e in shown]
