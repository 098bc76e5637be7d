"""The house rules that keep the code livable, checked so they cannot quietly rot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "certbridge"

# A package may import only from packages listed for it (and from the core modules below).
# `ledger.journal` is the one door into the ledger: the event writer every capability appends through.
CORE = {"db", "errors", "ledger.journal", "principal", "policy", "settings", "i18n", "kit", "tables", "migrate",
        "replicas"}
ALLOWED = {
    "kit": set(),
    "registry": set(),
    "certificates": {"registry", "jobs", "accreditation"},  # verification says whether an MLA covers it
    "accreditation": {"registry"},
    "zones": {"registry", "certificates", "stats"},
    "auth": {"registry"},
    "ledger": {"registry", "certificates", "auth"},
    "credentials": {"registry", "certificates", "ledger", "accreditation"},  # receipts carry the MLA label
    "supervision": {"registry", "certificates", "credit", "licensing", "ledger", "risk"},
    "credit": {"registry", "certificates", "licensing", "jobs"},
    "licensing": {"registry", "certificates"},
    "complaints": {"registry", "certificates", "licensing"},
    "risk": {"registry", "certificates", "complaints", "credit"},
    "stats": {"registry", "certificates", "ledger", "orgclasses"},  # ledger: the key signs monthly reports
    "opendata": {"registry", "certificates", "ledger", "credentials", "jobs", "auth", "credit", "supervision",
                 "accreditation"},
    "audit": {"registry", "auth"},
    "security": {"registry", "auth", "audit"},
    "demo": {"registry", "certificates", "auth", "ledger", "credentials", "supervision", "credit", "licensing",
             "standards", "proficiency", "orgclasses", "opendata", "stats",
             "complaints", "risk", "accreditation", "zones"},
    "backup": {"ledger"},
    "jobs": set(),
    "proficiency": {"registry"},
    "standards": {"registry", "certificates", "proficiency"},
    "orgclasses": {"registry", "certificates"},
    "federation": {"registry", "certificates", "ledger"},
}
# The two kits every capability builds on: `api/` for JSON routes, `web/` for pages. They know no capability,
# except that api/deps resolves API keys and records the audit trail through auth and audit.
KITS = {"api": {"auth", "audit", "web"}, "web": {"api"}}
# The shells: they gather every capability for the command line and the schema history.
SHELLS = {"cli", "migrations", "i18n"}
# The only modules that may look modules up by name (lazily): where the CLI is assembled.
ASSEMBLY = {"cli/main.py"}


def test_every_package_has_a_place():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    unplaced = sorted(packages - set(ALLOWED) - set(KITS) - SHELLS)
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
    allowed = allowed | set(KITS)  # a capability may use the two kits
    if path.name == "api.py":  # a JSON edge may gather what it presents
        allowed = allowed | {"ledger", "credentials", "auth"}
    bad = _imports(path) - allowed - CORE - {package}
    if package == "kit":
        bad = _imports(path) - {"kit"}
    assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}; allowed: {sorted(allowed)}"


@pytest.mark.parametrize("kit", sorted(KITS))
def test_kits_know_no_capability(kit):
    offenders = []
    for path in sorted((SRC / kit).rglob("*.py")):
        bad = _imports(path) - KITS[kit] - CORE - {kit}
        if bad:
            offenders.append(f"{path.relative_to(SRC)} imports {sorted(bad)}")
    assert not offenders, f"the {kit}/ kit must stay domain-free (core, kit/ and {sorted(KITS[kit])}): {offenders}"


def test_every_page_lives_in_its_capability():
    kit_pages = [str(p.relative_to(SRC)) for p in (SRC / "web").rglob("*.py") if "@router." in p.read_text("utf-8")]
    assert sorted(kit_pages) == ["web/dashboard.py", "web/language.py"], (
        f"pages belong in <capability>/pages.py or pages/; the kit serves only the dashboard frame and the language "
        f"switch: {kit_pages}")


def test_modules_are_looked_up_by_name_only_where_the_app_is_assembled():
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if "import_module(" in p.read_text("utf-8") and str(p.relative_to(SRC)) not in ASSEMBLY]
    assert not offenders, f"import what you use (the import graph must show the whole app): {offenders}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, known: set[str]) -> set[str]:
    """Modules imported when the module itself is imported (not inside functions)."""
    out = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("certbridge"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("certbridge"))
    return {m for m in out if m in known}


def test_no_import_cycles():
    files = {_module_name(p): p for p in SRC.rglob("*.py") if "migrations" not in p.parts}
    graph = {name: _top_level_imports(path, set(files)) for name, path in files.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert not cycles, f"import cycles: {cycles}"


def test_services_never_commit():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.parts[-2] in ("cli", "api", "web", "pages", "migrations", "demo", "bench") or path.name in (
                "pages.py",) or path.name in (
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
