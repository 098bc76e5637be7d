"""Every error code the code can raise has a message in Chinese and English."""

from __future__ import annotations

import ast
from pathlib import Path

from certbridge.i18n.catalog import _all_messages, render

SRC = Path(__file__).resolve().parents[1] / "src" / "certbridge"
ERROR_CLASSES = {"InvalidInput", "RuleViolation", "NotFound", "Conflict", "Unauthenticated", "Forbidden",
                 "DomainError", "TableError"}


def _raised_codes():
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERROR_CLASSES
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                yield node.args[0].value, f"{path.relative_to(SRC)}:{node.lineno}"


def test_every_raised_code_has_both_languages():
    messages = _all_messages()
    missing = [f"{code} ({where})" for code, where in _raised_codes()
               if code not in messages or not messages[code].get("zh") or not messages[code].get("en")]
    assert not missing, f"add these codes to a message catalog in zh and en: {missing}"


def test_catalog_templates_render_without_leftover_braces():
    for code, entry in _all_messages().items():
        for lang in ("zh", "en"):
            assert entry.get(lang), f"{code} lacks {lang}"
    assert render("certificate.number_taken", "en", body="X", number="1") == "X already has a certificate numbered 1"
    assert render("no.such.code", "zh") == "no.such.code"
