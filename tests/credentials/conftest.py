"""Credential tests share the ledger helpers (issuing through the API, the CLI, published keys)."""

from tests.ledger.conftest import act, cli, issue, payload  # noqa: F401
