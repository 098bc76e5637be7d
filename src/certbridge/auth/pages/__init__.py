"""Pages of the auth capability: sign-in and sign-out, and a user's API keys; the browser sign-in session."""

from __future__ import annotations

from fastapi import FastAPI

from certbridge.api.routing import add_routes
from certbridge.auth.pages import account, register, sign_in
from certbridge.auth.sessions import current_session_id, display_name, session_resolver
from certbridge.web.i18n import N_
from certbridge.web.nav import NavEntry, add_nav_entry


def install(app: FastAPI) -> None:
    """Mount the sign-in and key pages and let the kit and the API resolve the browser's sign-in session."""
    add_routes(app, sign_in.router)
    add_routes(app, account.router)
    add_routes(app, register.router)
    add_nav_entry(NavEntry("/account/keys", N_("API keys"), roles=("cb_operator", "regulator", "admin", "lab_operator"),
                           area="account", order=10))
    app.state.session_principal = session_resolver
    app.state.session_id_of = current_session_id
    app.state.session_user_name = display_name
