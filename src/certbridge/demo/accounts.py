"""Demo accounts: one per role, with passwords and API keys, created through `auth.service`."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from certbridge.auth.service import create_api_key, create_user
from certbridge.db import write_session
from certbridge.demo.registries import RegistrySnapshot
from certbridge.principal import SYSTEM
from certbridge.registry.models import CertificationBody


def create_demo_accounts(sessions, snapshot: RegistrySnapshot) -> list[dict]:
    """Create an admin, a regulator, operators of a few bodies, an inspector, a lab operator and an applicant."""
    biggest = sorted(snapshot.bodies, key=lambda b: (-b.weight, b.id))
    beihai = next((b for b in snapshot.bodies if b.region_code.startswith("4505")), biggest[0])
    ccc = next(b for b in biggest if b.ccc_code is not None)
    chosen = [biggest[0], beihai, ccc] + [b for b in biggest[1:] if b not in (beihai, ccc)][:1]
    wanted = [("admin", "admin", {}), ("regulator", "regulator", {})]
    unique = {b.id: b for b in chosen}.values()
    wanted += [(f"cb{b.code}", "cb_operator", {"body_id": b.id}) for b in unique]
    wanted += [("inspector", "inspector", {"person_id": snapshot.inspectors[0]}),
               ("lab", "lab_operator", {"lab_id": snapshot.labs[0]}), ("applicant", "applicant", {})]
    out = []
    with write_session(sessions) as session:
        for username, role, scope in wanted:
            password = secrets.token_urlsafe(9)
            user = create_user(session, principal=SYSTEM, username=username, display_name=username, role=role,
                               password=password, **scope)
            key = create_api_key(session, principal=SYSTEM, user_id=user.id, name="demo")
            body_name = None
            if "body_id" in scope:
                body_name = session.scalar(select(CertificationBody.name).where(CertificationBody.id == scope["body_id"]))
            out.append({"username": username, "role": role, "password": password, "api_key": key.token,
                        "scope": scope, "body": body_name})
    return out
