"""Security tests start from the seeded world plus one certificate per body, a suspended one, and a read-only key.

`database_url` is overridden here so the root fixtures (settings, app, client, sessions) run on a clone of
this richer template; `seeded` tells the tests its ids, numbers and secrets.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from certbridge.auth.models import User
from certbridge.auth.service import create_api_key, principal_for
from certbridge.certificates.schemas import CertificateIn, StatusChangeIn
from certbridge.certificates.service import issue_certificate
from certbridge.certificates.workflow import suspend_certificate
from certbridge.db import make_engine, make_sessionmaker, write_session
from certbridge.principal import SYSTEM
from certbridge.registry import bodies, people
from tests.conftest import BACKEND, _pg_admin, _pg_url, copy_database
from tests.security import matrix_capabilities, matrix_web
from tests.world import certificate_payload


def _seed(url: str, world) -> dict:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    out: dict = {}
    with write_session(factory) as session:
        cb_a = principal_for(session.get(User, world.ids["user_cb_a"]))
        cb_b = principal_for(session.get(User, world.ids["user_cb_b"]))
        cert_a = issue_certificate(session, principal=cb_a, body_id=world.ids["body_a"],
                                   draft=CertificateIn.model_validate(certificate_payload(world)))
        suspended = issue_certificate(session, principal=cb_a, body_id=world.ids["body_a"], draft=CertificateIn.model_validate(
            certificate_payload(world, number="00126Q26002R0M/4500")))
        suspend_certificate(session, principal=cb_a, certificate_id=suspended.id,
                            change=StatusChangeIn(reason="监督审核未按期实施", on=date.today() - timedelta(days=30)))
        cert_b = issue_certificate(session, principal=cb_b, body_id=world.ids["body_b"], draft=CertificateIn.model_validate(
            certificate_payload(world, number="00213Q26001R0M", org="org2", auditors=("2019-N1QMS-2000001",))))
        extra = people.register_person(session, principal=SYSTEM, name="孙丽", kind="auditor",
                                       body_id=world.ids["body_a"],
                                       registrations=[{"number": "2023-N1QMS-1000009", "field": "QMS"}])
        # a certificate of a body whose approval was revoked, for the transfer route
        exited = bodies.approve_body(session, principal=SYSTEM, code="00777", approval_number="CNCA-R-2010-777",
                                     name="已撤销认证有限公司", fields=["SYS-QMS"], approved_on=date(2010, 1, 4))
        people.register_person(session, principal=SYSTEM, name="钱进", kind="auditor", body_id=exited.id,
                               registrations=[{"number": "2020-N1QMS-7000001", "field": "QMS"}])
        cert_exited = issue_certificate(session, principal=SYSTEM, body_id=exited.id, draft=CertificateIn.model_validate(
            certificate_payload(world, number="00777Q26001", auditors=("2020-N1QMS-7000001",))))
        bodies.set_body_status(session, principal=SYSTEM, body_id=exited.id, status="revoked", reason="出具虚假认证证书")
        out["cert_exited"] = cert_exited.id
        ro = create_api_key(session, principal=SYSTEM, user_id=world.ids["user_cb_a"], name="read-only", read_only=True)
        reg_ro = create_api_key(session, principal=SYSTEM, user_id=world.ids["user_regulator"], name="ro",
                                read_only=True)
        out.update(cert_a=cert_a.id, cert_a_number=cert_a.number, cert_suspended=suspended.id, cert_b=cert_b.id,
                   cert_b_number=cert_b.number, person_extra=extra.id, extra_registration="2023-N1QMS-1000009",
                   token_cb_a_ro=ro.token, key_cb_a_ro=ro.key.key_id, token_regulator_ro=reg_ro.token,
                   key_regulator_ro=reg_ro.key.key_id)
        for part in (matrix_capabilities, matrix_web):
            out.update(part.seed(session, world, dict(out)))
    if BACKEND == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return out


@pytest.fixture(scope="session")
def security_template(template, tmp_path_factory):
    """Build the richer template once per session, as a copy of the base template."""
    if BACKEND == "postgresql":
        name = f"{template['prefix']}_sec"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template["prefix"]}_tpl"'))
        admin.dispose()
        url = _pg_url(name)
    else:
        target = tmp_path_factory.mktemp("security") / "security.db"
        shutil.copyfile(Path(template["url"].removeprefix("sqlite:///")), target)
        url = f"sqlite:///{target}"
    seeded = _seed(url, template["world"])
    return {"url": url, "seeded": seeded, "name": url.rsplit("/", 1)[1]}


@pytest.fixture
def database_url(template, security_template, tmp_path):
    """Return a fresh clone of the security template for this test."""
    yield from copy_database(security_template["url"], prefix=template["prefix"], target=tmp_path / "certbridge.db")


@pytest.fixture
def seeded(security_template) -> dict:
    """Return ids, numbers and secrets of what the security template adds to the world."""
    return security_template["seeded"]


@pytest.fixture
def app(app):
    """The application with the watch-list deliverer off: it writes in the background (watch cursors, deliveries),
    which would change the snapshots these tests compare around each request."""
    app.state.feeds_deliverer = False
    return app
