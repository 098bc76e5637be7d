"""Which limit class every route is in, declared once, and how a raw request finds its route.

The limiter keys on the request as the application will understand it: the route template the router picks
(`/api/v1/certificates/{certificate_id}/receipt.pdf`, not the raw path) and the decoded query parameters
(`/?%71=共田` is a search for 共田). Every route the app serves must fall under a line of COVERAGE
(tests/security/test_limit_coverage.py enumerates the routes); there is no catch-all for reads, so a new page
or endpoint has to be placed here before the suite passes.

Classes:
- signin: password checks (argon2, ~0.1 s each) — a small budget per client address;
- lookup: searches and look-ups of the public registry by number, code, name or id — what a scraper repeats;
- costly: PDFs, QR images, signed tokens and their checks, receipts, exports, draw re-computation, bulk
  imports and recomputations — each costs tens of milliseconds to seconds of CPU;
- write: every other change (cheap to refuse, but each one takes the write lock);
- read: a trivial read (a form, a directory, a console page, a checkpoint) — not limited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

SIGNIN, LOOKUP, COSTLY, WRITE, READ = "signin", "lookup", "costly", "write", "read"
LIMITED = (SIGNIN, LOOKUP, COSTLY, WRITE)
READS = frozenset({"GET", "HEAD"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The home page is a plain page until it searches; then it is a look-up (the parameters of web/portal.py).
HOME_SEARCH_PARAMS = frozenset({"q", "status", "scheme", "body", "region"})

# (methods, route-template pattern, class); the first line that matches a route decides.
COVERAGE: list[tuple[frozenset[str], str, str]] = [
    (WRITES, r"^/login$", SIGNIN),
    (WRITES, r"^/register$", SIGNIN),  # opening an applicant account hashes a password like a sign-in
    # costly reads: documents, images, signatures, receipts, exports, re-computations
    (READS, r"\.(pdf|png|svg|xlsx|csv)$", COSTLY),
    (READS, r"/receipt\.json$", COSTLY),
    (READS, r"^/api/v1/certificates/\{certificate_id\}/stapled-status$", COSTLY),  # proofs under a checkpoint
    (READS, r"^/api/v1/certificates/\{certificate_id\}/token$", COSTLY),
    (READS, r"^/api/v1/tokens/verify$", COSTLY),
    (READS, r"^/v/\{token\}$", COSTLY),
    (READS, r"^/v/l/\{token\}$", COSTLY),  # a licence's signed QR token, checked online
    (READS, r"/export$", COSTLY),
    (READS, r"^/api/v1/supervision/draws/\{draw_id\}/verify$", COSTLY),
    (READS, r"^/bulk/\{day\}/\{name\}$", COSTLY),  # daily bulk files: up to gigabytes each
    # costly writes: bulk work
    (WRITES, r"/import(/\{upload_id\}|-iaf)?$", COSTLY),
    (WRITES, r"^/api/v1/credit/recompute$", COSTLY),
    (WRITES, r"^/api/v1/bulk-(verifications(/file|/jobs)?|receipts/verify)$", COSTLY),  # a whole supplier list
    (READS, r"^/api/v1/bulk-verifications/\{token\}$", COSTLY),  # a finished list's receipt (rendered)
    (WRITES, r"^/verify-list$", COSTLY),
    (WRITES, r"/import(/\{upload_id\})?$", COSTLY),
    (WRITES, r"^/(api/v1|regulator)/credit/recompute$", COSTLY),  # starts a background job
    (WRITES, r"^/cb/export$", COSTLY),  # starts a background export job
    (READS, r"^/jobs/\{job_id\}/file$", COSTLY),  # an export's file
    (WRITES, r"^/api/v1/federation/peers/\{peer_id\}/(sync|audit)$", COSTLY),  # reads and proves a peer's feed
    (WRITES, r"^/regulator/risk/recompute$", COSTLY),
    # look-ups of the public registry and the log (by number, code, name, id; proofs and tiles)
    (READS, r"^/api/v1/verify(/|$)", LOOKUP),
    (READS, r"^/api/v1/certificates(/\{certificate_id\}(/history(/\{seq\}/proof)?)?)?$", LOOKUP),
    (READS, r"^/api/v1/organizations(/\{organization_id\})?$", LOOKUP),
    (READS, r"^/api/v1/uscc/\{code\}$", LOOKUP),
    (READS, r"^/api/v1/public/", LOOKUP),
    (READS, r"^/api/v1/ledger/(proof/|events/|checkpoints/|status$)", LOOKUP),
    (READS, r"^/log/tile/", LOOKUP),
    (READS, r"^/(api/v1/feed(/stream)?|feed\.atom)$", LOOKUP),  # the change feed: pages of the log
    (READS, r"^/(verify|certificates/\{certificate_id\}|organizations/\{organization_id\})$", LOOKUP),
    (READS, r"^/publicity(/|$)", LOOKUP),
    (READS, r"^/licences/\{number\}$", LOOKUP),  # a licence's public page, by its number
    (READS, r"^/api/v1/standards/(search|\{standard_id\})$", LOOKUP),
    (READS, r"^/standards(/\{standard_id\})?$", LOOKUP),
    (READS, r"^/api/v1/(coverage|proficiency/unsatisfactory|labs/\{lab_id\}/proficiency)$", LOOKUP),
    (READS, r"^(/api/v1)?/directory(/|$)", LOOKUP),  # the public-service directory's searches
    (READS, r"^/(api/v1/)?stats(/|$)", LOOKUP),  # statistics: sums over the daily deltas, any date and region
    (READS, r"^/(api/v1/)?zones(/\{code\})?$", LOOKUP),  # a zone's figures: sums over the statistics' deltas
    (READS, r"^/complaints/track$", LOOKUP),  # a look-up by tracking number
    (READS, r"^/api/v1/complaints/track/\{tracking_number\}$", LOOKUP),  # the same, in JSON
    (READS, r"^/api/v1/bodies/\{body_id\}/disclosures$", LOOKUP),  # a body's commitment and annual reports
    (READS, r"^/alerts(\.atom|\.json|/\{alert_id\})?$", LOOKUP),  # consumer alerts and their feeds
    (READS, r"^/(api/v1/federation/certificates|federation/search)$", LOOKUP),  # the peers' certificates
    # every other write
    (WRITES, r"", WRITE),
    # trivial reads, each named: directories, forms, console pages, the log's checkpoint, the docs
    (READS, r"^/$", READ),  # the home page; a look-up as soon as it searches (request_class)
    (READS, r"^/(openapi\.json|docs|docs/oauth2-redirect|redoc|static|lang/\{code\}|login|report|report/thanks|complaints/new)$",
     READ),
    (READS, r"^/(bodies|labs)(/\{(body|lab)_id\})?$", READ),
    (READS, r"^/api/v1/(bodies|labs|people)(/\{(body|lab|person)_id\})?$", READ),
    (READS, r"^/api/v1/(schemes|standards|regions|restrictions|me|users|users/\{user_id\}/keys|audit)$", READ),
    (READS, r"^/api/v1/ledger/(checkpoint|keys|witnesses)$", READ),
    (READS, r"^/log/checkpoint$", READ),
    (READS, r"^/api/v1/supervision/", READ),
    (READS, r"^/api/v1/(complaints|risk)(/|$)", READ),  # regulators' queues and signals: indexed reads
    (READS, r"^/api/v1/credit/(penalties|penalties/\{penalty_id\}|dishonesty-list|settings)$", READ),
    (READS, r"^/api/v1/credit/records/\{subject_type\}/\{subject_id\}$", READ),
    (READS, r"^/api/v1/licensing/records(/\{record_id\})?$", READ),
    (READS, r"^/api/v1/licensing/cases(/\{case_id\})?$", READ),  # one's own cases, or the handlers' queue
    (READS, r"^/api/v1/publicity/settings$", READ),
    (READS, r"^/(account|cb|regulator|inspector|lab)(/|$)", READ),
    (READS, r"^/(register|licensing)(/|$)", READ),  # the applicant's form and cases, the handlers' queue
    (READS, r"^/api/v1/(bulk|watches|watches/\{watch_id\}/deliveries)$", READ),
    (READS, r"^/open-data$", READ),
    (READS, r"^/api/v1/jobs/\{job_id\}$", READ),  # a job's progress: one primary-key read
    (READS, r"^/api/v1/(proficiency/schemes|reference/organization-classes)$", READ),  # small reference lists
    (READS, r"^/verify-list(/\{token\})?$", READ),  # the form; a list's progress or its stored answers
    (READS, r"^/api/v1/(accreditation-bodies(/\{code\})?|brands)$", READ),  # small reference lists
    (READS, r"^/api/v1/quota$", READ),  # the caller's quotas: two primary-key reads
    (READS, r"^/(api/v1/)?jobs/\{job_id\}$", READ),  # a job's progress: one primary-key read
    (READS, r"^/api/v1/federation/(identity|peers)$", READ),  # our keys; the peer list (a few rows)
    (READS, r"^/api/v1/federation/assistance(/\{assistance_id\})?$", READ),  # regulators' requests: indexed reads
    (READS, r"^/api/v1/federation/recognized$", READ),  # the peers' mirrored results and penalties (监管互认)
    (READS, r"^/healthz$", READ),  # the integrity monitor's last finding, kept in memory
    (READS, r"^/static-docs$", READ),  # packaged Swagger UI / ReDoc assets
]
_COMPILED = [(methods, re.compile(pattern), cls) for methods, pattern, cls in COVERAGE]


def route_class(method: str, template: str) -> str | None:
    """Return the declared limit class of a route (by method and template), or None if it is not declared."""
    method = "GET" if method == "HEAD" else method
    for methods, pattern, cls in _COMPILED:
        if method in methods and pattern.search(template):
            return cls
    return None


def request_class(method: str, template: str | None, query: bytes = b"") -> str:
    """Return the limit class of a request to a route: the route's class, the home page's by its parameters."""
    if template is None:
        return READ  # no route: a 404 or 405 costs nothing
    if template == "/" and method in READS:
        params = parse_qsl(query.decode("latin-1"), keep_blank_values=False)
        return LOOKUP if any(k in HOME_SEARCH_PARAMS and v.strip() for k, v in params) else READ
    return route_class(method, template) or READ


@dataclass(frozen=True)
class _Route:
    template: str
    methods: frozenset[str] | None  # None: a mount, any method
    pattern: re.Pattern


class RouteResolver:
    """Find the template of the route the router will pick for a path, in the router's own order."""

    def __init__(self, routes: list[tuple[str, frozenset[str] | None]]) -> None:
        from starlette.routing import compile_path

        self._by_segment: dict[str, list[_Route]] = {}
        self._wild: list[_Route] = []
        for template, methods in routes:
            if methods is None:
                pattern = re.compile("^" + re.escape(template.rstrip("/")) + "(/.*)?$")
            else:
                pattern = compile_path(template)[0]
            route = _Route(template, methods, pattern)
            first = template.lstrip("/").split("/", 1)[0]
            if "{" in first:
                self._wild.append(route)
                for bucket in self._by_segment.values():
                    bucket.append(route)
            else:
                self._by_segment.setdefault(first, list(self._wild)).append(route)

    @classmethod
    def for_app(cls, app) -> RouteResolver:
        """Build the resolver from an application's routes (including the routers it includes).

        Listing the routes of included routers makes FastAPI build every route's effective context (a third of
        a second for this app); apps built from the same routers (every test, every worker) share one listing.
        """
        from fastapi.routing import iter_route_contexts

        key = _routes_key(app.routes)
        cached = _LISTINGS.get(key[0])
        if cached is not None and cached[0] == key[1]:
            return cls(cached[1])
        out = []
        for rc in iter_route_contexts(app.routes):
            methods = frozenset(rc.methods) if rc.methods else None
            out.append((rc.path, methods))
        if len(_LISTINGS) >= 8:
            _LISTINGS.pop(next(iter(_LISTINGS)))
        _LISTINGS[key[0]] = (key[1], out)
        return cls(out)

    def resolve(self, method: str, path: str) -> str | None:
        """Return the template of the route serving (method, path), or None if none does."""
        first = path.lstrip("/").split("/", 1)[0]
        candidates = self._by_segment.get(first, self._wild)
        method = "GET" if method == "HEAD" else method
        partial = None
        for route in candidates:
            if route.pattern.match(path):
                if route.methods is None or method in route.methods:
                    return route.template
                partial = partial or route.template
        return partial


# Route listings by the shape of an app's top-level routes; each entry keeps the routers it names alive, so an
# id in a key can never be reused by another router while the entry exists.
_LISTINGS: dict[tuple, tuple[tuple, list[tuple[str, frozenset[str] | None]]]] = {}


def _routes_key(routes) -> tuple[tuple, tuple]:
    """Return (key, the objects whose ids the key holds) for an app's top-level routes."""
    parts, held = [], []
    for route in routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            context = getattr(route, "include_context", None)
            version = router._get_routes_version() if hasattr(router, "_get_routes_version") else len(router.routes)
            parts.append(("include", id(router), version, getattr(context, "prefix", None)))
            held.append(router)
        else:
            methods = getattr(route, "methods", None)
            parts.append((type(route).__name__, getattr(route, "path", None), frozenset(methods or ()), id(route)
                          if not hasattr(route, "path") else None))
            if not hasattr(route, "path"):
                held.append(route)
    return tuple(parts), tuple(held)
