"""Start-up: routes analysed on first use (the OpenAPI document unchanged), no Alembic when the schema is current."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.routing import APIRoute, iter_route_contexts

from certbridge.api.routing import ANALYSED, LazyAPIRoute
from certbridge.db import make_engine
from certbridge.migrate import alembic_config, database_revisions, script_heads, upgrade_if_needed

SRC = Path(__file__).resolve().parents[1] / "src" / "certbridge"

_FRESH = """
import json, sys
from certbridge.api.routing import LazyAPIRoute
from certbridge.app import create_app

app = create_app()
app.state.status_sweep = False
routes = [r for r in app.routes if isinstance(r, LazyAPIRoute)]
out = {"routes": len(routes), "analysed_at_start": sum(r.analysed for r in routes)}
if sys.argv[1] == "verify":
    from starlette.testclient import TestClient
    with TestClient(app) as client:
        out["status"] = client.get("/api/v1/verify?number=NO-SUCH-CERTIFICATE").status_code
        out["analysed_by_lean"] = sorted(r.path for r in routes if r.analysed)  # the lean path answered it
        out["full_status"] = client.get("/api/v1/certificates/999999999").status_code  # not on the lean path
    out["analysed"] = sorted(r.path for r in routes if r.analysed)
else:
    if sys.argv[1] == "reverse":  # every route analysed, last first, before the document is built
        for route in reversed(routes):
            route.dependant
    out["openapi"] = json.dumps(app.openapi(), ensure_ascii=False)
print(json.dumps(out))
"""


def _fresh_process(settings, mode: str) -> dict:
    env = {**os.environ, "CERTBRIDGE_DATABASE_URL": settings.database_url,
           "CERTBRIDGE_DATA_DIR": str(settings.data_dir), "CERTBRIDGE_SECRET_KEY": "test-secret-key",
           "CERTBRIDGE_INSTANCE_NAME": settings.instance_name}
    done = subprocess.run([sys.executable, "-c", _FRESH, mode], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_server_analyses_only_the_routes_it_answers(settings):
    out = _fresh_process(settings, "verify")
    assert out["routes"] > 300 and out["analysed_at_start"] == 0
    assert out["status"] == 200 and out["analysed_by_lean"] == []  # api/lean.py answers without FastAPI's route
    assert out["full_status"] == 404
    assert out["analysed"] == ["/api/v1/certificates/{certificate_id}"]


def test_the_openapi_document_is_the_same_whenever_routes_are_analysed(settings, app):
    first_use = _fresh_process(settings, "fresh")
    all_first = _fresh_process(settings, "reverse")
    assert first_use["analysed_at_start"] == 0
    assert first_use["openapi"] == all_first["openapi"]
    assert first_use["openapi"] == json.dumps(app.openapi(), ensure_ascii=False)


def test_every_route_is_lazy_and_every_router_is_certbridges(app):
    eager = [rc.path for rc in iter_route_contexts(app.routes)
             if isinstance(rc.original_route, APIRoute) and not isinstance(rc.original_route, LazyAPIRoute)]
    assert not eager, f"routes declared on a router that is not certbridge.api.routing.APIRouter: {eager}"
    direct = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if p.name != "routing.py" and re.search(
        r"^from fastapi import [^\n]*\bAPIRouter\b", p.read_text(encoding="utf-8"), re.M)]
    assert not direct, f"use certbridge.api.routing.APIRouter in {direct}"


def test_a_lazy_route_knows_everything_the_analysis_sets():
    def endpoint(number: str) -> dict:
        return {}

    eager = {"path", "endpoint", "name", "path_regex", "path_format", "param_convertors", "methods",
             "include_in_schema"}
    assert set(vars(APIRoute("/x/{number}", endpoint))) <= ANALYSED | eager
    lazy = LazyAPIRoute("/x/{number}", endpoint, methods=["GET"])
    assert getattr(lazy, "original_router", None) is None and not lazy.analysed  # probing does not analyse
    assert [p.name for p in lazy.dependant.path_params] == ["number"] and lazy.analysed


def test_the_newest_revisions_are_read_without_alembic():
    from alembic.script import ScriptDirectory

    assert script_heads() == frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_a_current_database_is_not_migrated_again_and_a_new_one_is(settings, tmp_path):
    engine = make_engine(settings.database_url)
    try:
        assert database_revisions(engine) == script_heads()
        assert upgrade_if_needed(engine) is False
    finally:
        engine.dispose()
    fresh = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert database_revisions(fresh) == frozenset()
        assert upgrade_if_needed(fresh) is True
        assert database_revisions(fresh) == script_heads() and upgrade_if_needed(fresh) is False
    finally:
        fresh.dispose()
