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


# The kit's own link; every capability adds its links from its install(app) with add_nav_entry.
NAV: list[NavEntry] = [
    NavEntry("/regulator", "Dashboard", roles=REGULATORS, area="regulator", order=10),
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
