"""Every page of the web matrix, opened by every role allowed to, in Chinese and English, reads as people-words:
no message code, unfilled placeholder, actor id (`user:2:regulator`, `organization:431`) or raw enum value.

The security template holds what the newcomer pages leaked on: a revealed draw with its public trail, tasks,
penalties, list entries, reports (see matrix_web.seed).
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.leaks import context_of, leaks, visible_text
from tests.security.matrix_web import CASES, Page
from tests.security.test_authorization_matrix import _send_web, _setup, _values

PAGES = [c for c in CASES if isinstance(c, Page) and c.method == "GET" and "{action}" not in c.path
         and not c.path.endswith((".xlsx", ".csv", ".json", ".pdf", ".png", ".svg", "/export"))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_shows_an_internal_code(lang, client, world, seeded, sessions):
    v = _values(world, seeded, sessions)
    found: list[str] = []
    for case in PAGES:
        _setup(case, client, v)
        for role in sorted(case.allow):
            response = _send_web(client, _in(case, lang), role, world, seeded, v)
            if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            text = visible_text(response.text)
            found += [f"{case.path} as {role}: {leak!r} in …{context_of(text, leak)}…" for leak in leaks(text, lang)]
    assert not found, "\n".join(sorted(set(found)))


def _in(case: Page, lang: str) -> Page:
    """The same page asked for in a language (?lang=)."""
    query = case.query
    return dataclasses.replace(case, query=lambda v: {**(query(v) if callable(query) else query or {}), "lang": lang})
