"""Fixtures of the risk and complaint tests: the page helpers of tests/web, and a certificate with its audit."""

from __future__ import annotations

from tests.web.conftest import make_certificate, signed_in  # noqa: F401  (fixtures shared with the page tests)
