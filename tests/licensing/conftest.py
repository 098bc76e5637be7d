"""Licensing tests reuse the credit helpers (the 双公示 export covers penalties too)."""

from tests.credit.conftest import penalty_body, run  # noqa: F401
