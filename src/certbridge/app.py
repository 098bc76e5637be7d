"""The application factory: builds engine, routers and handlers from settings; nothing at import time."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from certbridge.api import lean
from certbridge.api.openapi_security import document_security
from certbridge.api.problems import install_problem_handlers
from certbridge.api.routing import LazyAPIRoute, add_routes
from certbridge.accreditation import api as accreditation_api
from certbridge.accreditation import pages as accreditation_pages
from certbridge.audit import api as audit_api
from certbridge.auth import api as auth_api
from certbridge.auth import pages as auth_pages
from certbridge.certificates import api as certificates_api
from certbridge.certificates import background as certificate_background
from certbridge.certificates import pages as certificate_pages
from certbridge.complaints import api as complaints_api
from certbridge.complaints import pages as complaint_pages
from certbridge.credentials import api as credentials_api
from certbridge.credentials import pages as credential_pages
from certbridge.credit import api as credit_api
from certbridge.credit import pages as credit_pages
from certbridge.db import make_engine, make_sessionmaker
from certbridge import federation
from certbridge.federation import api as federation_api
from certbridge.federation import assistance_api as federation_assistance_api
from certbridge.federation import recognition_api as federation_recognition_api
from certbridge.jobs import api as jobs_api
from certbridge.jobs import pages as job_pages
from certbridge.jobs import runner as job_runner
from certbridge.ledger import api as ledger_api
from certbridge.ledger import background as ledger_background
from certbridge.licensing import api as licensing_api
from certbridge.licensing import case_api as licensing_case_api
from certbridge.licensing import pages as licensing_pages
from certbridge.opendata import api_bulk as opendata_bulk_api
from certbridge.opendata import directory_api as opendata_directory_api
from certbridge.opendata import feeds
from certbridge.opendata import iaf_api as opendata_iaf_api
from certbridge.opendata import pages_bulk as opendata_bulk_pages
from certbridge.opendata import pages_directory as opendata_directory_pages
from certbridge.opendata.feeds import api as feeds_api
from certbridge.orgclasses import api as orgclass_api
from certbridge.proficiency import api as proficiency_api
from certbridge.proficiency import pages as proficiency_pages
from certbridge.registry import api as registry_api
from certbridge.registry import pages as registry_pages
from certbridge.risk import api as risk_api
from certbridge.risk import pages as risk_pages
from certbridge.security import install as security_install
from certbridge.replicas import open_replica
from certbridge.settings import Settings
from certbridge.standards import api as standards_api
from certbridge.standards import pages as standards_pages
from certbridge.stats import api as stats_api
from certbridge.stats import pages as stats_pages
from certbridge.supervision import api as supervision_api
from certbridge.supervision import pages as supervision_pages
from certbridge.web import install as page_kit
from certbridge.zones import api as zones_api
from certbridge.zones import pages as zone_pages

# The whole app, listed once. Each capability contributes a JSON router; order is the order of the OpenAPI document.
API_ROUTERS = (
    certificates_api, registry_api, auth_api, audit_api, ledger_api, credentials_api, supervision_api, credit_api,
    licensing_api, licensing_case_api, jobs_api, standards_api, proficiency_api, orgclass_api, opendata_bulk_api,
    opendata_directory_api, opendata_iaf_api, feeds_api, stats_api, accreditation_api, zones_api, complaints_api,
    risk_api, federation_api, federation_assistance_api, federation_recognition_api,
)
# Then everything that needs more than a router, in mount order: request defences, the page kit, each capability's
# pages (routers, nav entries, dashboard panels, slots), and background work. Each exposes install(app).
INSTALLERS = (
    security_install, page_kit, auth_pages, job_pages, certificate_pages, complaint_pages, credential_pages,
    registry_pages, supervision_pages, credit_pages, risk_pages, licensing_pages, standards_pages, proficiency_pages,
    opendata_bulk_pages, opendata_directory_pages, stats_pages, zone_pages, accreditation_pages,
    ledger_background, certificate_background, job_runner,
    feeds, federation,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the certbridge application for one instance."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    # A server's writer waits for SQLite's lock no longer than for a writer slot (security/writers.py): past
    # that it is answered 503 request.busy instead of holding its slot and thread.
    busy_ms = min(settings.sqlite_busy_timeout_ms, int(settings.write_wait_seconds * 1000))
    engine = make_engine(settings.resolved_database_url(), busy_timeout_ms=busy_ms)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        held = getattr(app.state, "verify_connection", None)  # see certificates.api.loop_connection
        if held:
            held.close()
        readers = getattr(app.state, "verify_readers", None)  # see certificates.api.loop_readers
        if readers is not None:
            readers.close()
        if app.state.replica is not None:
            app.state.replica.close()
        engine.dispose()

    app = FastAPI(
        title="certbridge API",
        version="1",
        description=(
            "认证认可信息公开平台 — verify certificates, read the registries, and (with an API key) issue and "
            "maintain certificates. Errors are application/problem+json in Chinese (default) or English "
            "(Accept-Language: en). Lists paginate with an opaque `cursor`."
        ),
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # served from packaged assets by certbridge.web.api_docs (no CDN)
        # FastAPI asks OpenTelemetry on every request whether a provider is configured (three environment look-ups
        # and as many calls, ~5 % of a lean verification): only when the operator wants its instrumentation.
        telemetry=None if settings.opentelemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.router.route_class = LazyAPIRoute  # the app's own routes (/healthz, /docs) too: analysed on first use
    app.state.settings = settings
    app.state.engine = engine
    app.state.replica = open_replica(settings) if engine.dialect.name == "postgresql" else None
    app.state.sessions = make_sessionmaker(engine)
    install_problem_handlers(app)
    for module in API_ROUTERS:
        add_routes(app, module.router)
    for module in INSTALLERS:
        module.install(app)
    if not settings.background_work:  # every installer's own switch for its periodic work
        app.state.status_sweep = False
        app.state.ledger_interval = None
        app.state.credit_follow_interval = None
        app.state.stats_fold = app.state.stats_reports = app.state.feeds_deliverer = False
        app.state.federation_follower = app.state.federation_outbox = False
        app.state.risk_daily = False
    document_security(app)
    # Outermost: the hottest public reads answered with the same defences, without the full stack (api/lean.py).
    lean.install(app, certificates_api.LEAN_READS)
    return app
