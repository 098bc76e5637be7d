"""/docs and /redoc render the API's operations with every request outside the server refused (offline)."""

from __future__ import annotations

import pytest

# The documents are the OpenAPI schema and static bundles: the same on either backend.
pytestmark = pytest.mark.once_on_sqlite


def _offline(page, server):
    """Refuse every request that does not go to the test server, as a machine with no internet would."""
    refused = []

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            refused.append((r.request.resource_type, r.request.url))
            r.abort()

    page.context.route("**/*", route)
    page.set_default_timeout(90_000)  # the OpenAPI document and the 1 MB bundles take a while on a busy machine
    return refused


def test_swagger_ui_renders_operations_offline(page, server):
    refused = _offline(page, server)
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert "/api/v1/certificates" in page.inner_text("body")
    assert refused == []  # nothing was even asked of a CDN


def test_redoc_renders_operations_offline(page, server):
    refused = _offline(page, server)
    page.goto("/redoc")
    page.locator("[data-section-id^='operation/']").first.wait_for(state="attached")
    assert page.locator("[data-section-id^='operation/']").count() > 20
    assert "Verify a certificate" in page.inner_text("body")
    # Only ReDoc's own "powered by" logo image is asked of its site (and refused by the CSP): no code, no style.
    assert [url for kind, url in refused if kind != "image"] == []
