"""The house rules that keep the code livable, checked so they cannot quietly rot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "certbridge"

# A package may import only from packages listed for it (and from the core modules below).
# `ledger.journal` is the one door into the ledger: the event writer every capability appends through.
CORE = {"db", "errors", "ledger.journal", "principal", "policy", "settings", "i18n", "kit", "tables", "migrate"}
ALLOWED = {
    "kit": set(),
    "registry": set(),
    "certificates": {"registry"},
    "auth": {"registry"},
    "ledger": {"registry", "certificates", "auth"},
    "credentials": {"registry", "certificates", "ledger"},
    "supervision": {"registry", "certificates", "credit", "licensing", "ledger"},
    "credit": {"registry", "certificates", "licensing"},
    "licensing": {"registry", "certificates"},
    "complaints": {"registry", "certificates"},
    "stats": {"registry", "certificates"},
    "opendata": {"registry", "certificates", "ledger"},
    "audit": {"registry", "auth"},
    "security": {"registry", "auth", "audit"},
    "demo": {"registry", "certificates", "auth", "ledger", "credentials", "supervision", "credit", "licensing"},
    "backup": {"ledger"},
}
# The shells: they gather every capability for HTTP, pages, the command line and the schema history.
SHELLS = {"api", "web", "cli", "migrations", "i18n"}


def test_every_package_has_a_place():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    unplaced = sorted(packages - set(ALLOWED) - SHELLS)
    assert not unplaced, f"packages with no dependency rule in tests/test_architecture.py ALLOWED: {unplaced}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "certbridge.ledger" and all(
                alias.name == "journal" for alias in node.names):
            found.add("ledger.journal")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("certbridge.ledger.journal"):
            found.add("ledger.journal")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("certbridge."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("certbridge."):
                    found.add(alias.name.split(".")[1])
    return found


def _package_files():
    for package, allowed in ALLOWED.items():
        folder = SRC / package
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            yield package, allowed, path


@pytest.mark.parametrize(("package", "allowed", "path"), list(_package_files()),
                         ids=lambda v: str(v.relative_to(SRC)) if isinstance(v, Path) else None)
def test_dependencies_point_one_way(package, allowed, path):
    if path.name in ("api.py", "pages.py"):  # HTTP edges may gather what they present, pages use the web shell
        allowed = allowed | {"api", "ledger", "credentials", "auth", "web"}
    bad = _imports(path) - allowed - CORE - {package}
    if package == "kit":
        bad = _imports(path) - {"kit"}
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}; allowed: {sorted(allowed)}"


def test_services_never_commit():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parts[-2] in ("cli", "api", "web", "migrations", "demo", "bench") or path.name in (
                "db.py", "migrate.py", "app.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if ".commit()" in text and "savepoint" not in text:
            offenders.append(str(path.relative_to(SRC)))
    assert not offenders, f"services must flush, never commit (the request owns the transaction): {offenders}"


def test_modules_stay_readable():
    too_long = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path.name.startswith("messages"):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > 500:
            too_long.append(f"{path.relative_to(SRC)} ({lines} lines)")
    assert not too_long, f"split these modules (keep them under ~400 lines): {too_long}"


def test_public_functions_have_docstrings():
    missing = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                if ast.get_docstring(node) is None:
                    missing.append(f"{path.relative_to(SRC)}:{node.name}")
    assert not missing, f"public functions need a one-line docstring: {missing}"
