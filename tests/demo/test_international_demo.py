"""The demo holds a foreign body whose accredited certificates verify with the MLA label (one not covered), a
Chinese body's overseas certificate, a demonstration zone with figures and a regional brand on certificates."""

from __future__ import annotations

from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.certificates.verification import verify_number
from certbridge.db import read_session
from certbridge.ledger.replay import KINDS, replay_kind
from certbridge.zones.figures import zone_figures
from certbridge.zones.service import list_zones
from tests.demo.conftest import AS_OF
from tests.demo.test_dataset import _sessions


def test_the_demo_shows_international_recognition_and_a_zone(demo_settings):
    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        covered = verify_number(session, "GB-QMS-204311", on=AS_OF).certificates[0]
        assert covered["accreditation"]["covered"] and covered["body"]["code"] == "FGB001"
        assert covered["holder"]["uscc"] is None and covered["holder"]["country"] == "GB"
        assert verify_number(session, "GB-IPMS-3001", on=AS_OF).certificates[0]["accreditation"]["covered"] is False
        assert session.scalar(select(Certificate.id).where(Certificate.country == "VN")) is not None
        [zone] = list_zones(session)
        figures = zone_figures(session, zone, AS_OF)
        assert figures.certificates > 0 and figures.recent
        assert session.scalar(select(Certificate.id).where(Certificate.brand_code == zone.code)) is not None
        for kind in KINDS:  # the new keys replay like every other
            if kind.subject_type in ("certificate", "organization", "body"):
                assert not list(replay_kind(session, kind))
    engine.dispose()
