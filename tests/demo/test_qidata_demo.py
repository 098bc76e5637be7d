"""The demo holds standards with equivalences, proficiency results (a restriction standing, one lifted), graded
certificates found by grade, and classified organizations whose coverage sums to the certified total."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from certbridge.certificates.models import Certificate
from certbridge.db import read_session
from certbridge.certificates.verification import verify_number
from certbridge.zones.figures import zone_figures
from certbridge.zones.service import list_zones
from certbridge.ledger.replay import replay_kind, KINDS
from certbridge.orgclasses.coverage import certified_count, coverage
from certbridge.proficiency.models import PtResult
from certbridge.proficiency.queries import restricted_items
from certbridge.registry.models import LabCapability, Organization
from certbridge.standards.models import StandardEquivalence
from certbridge.standards.service import search_standards
from tests.demo.conftest import AS_OF
from tests.demo.test_dataset import _sessions


def test_the_demo_has_standards_proficiency_grades_and_classes(demo_settings):
    engine, sessions = _sessions(demo_settings)
    with read_session(sessions) as session:
        assert [s.code for s in search_standards(session, "9001")] == [
            "GB/T 19001", "ISO 9001", "DIN EN ISO 9001", "JIS Q 9001"]
        assert session.scalar(select(func.count()).select_from(StandardEquivalence)) >= 9
        linked = session.scalar(select(func.count()).select_from(LabCapability)
                                .where(LabCapability.standard_id.is_not(None)))
        assert linked >= 8  # every demo lab tests to GB/T 2828.1-2012, now in the catalogue
        outcomes = Counter(session.scalars(select(PtResult.outcome)))
        assert outcomes["satisfactory"] and outcomes["questionable"] and outcomes["unsatisfactory"]
        labs = sorted(set(session.scalars(select(PtResult.lab_id))))
        restricted = [lab for lab in labs if restricted_items(session, lab)]
        lifted = [lab for lab in labs if lab not in restricted and session.scalar(
            select(func.count()).select_from(PtResult).where(PtResult.lab_id == lab,
                                                              PtResult.outcome == "unsatisfactory"))]
        assert restricted and lifted
        grades = Counter(session.scalars(select(Certificate.grade).where(Certificate.grade.is_not(None))))
        assert set(grades) <= {"5STAR", "4STAR", "3STAR", "CONSTRUCTION"} and sum(grades.values()) >= 3
        classes = Counter(session.scalars(select(Organization.size_class)))
        assert {"large", "medium", "small", "micro"} <= set(classes)
        total = certified_count(session, AS_OF)
        for by in ("size_class", "sector", "region_group", "service_company"):
            groups = coverage(session, AS_OF, by)
            assert sum(groups.values()) == total and total > 0
        for kind in KINDS:  # the regrading and classifying went through the services: the log replays
            if kind.subject_type in ("certificate", "organization"):
                assert list(replay_kind(session, kind)) == []
    engine.dispose()


def test_the_demo_shows_international_recognition_and_a_zone(demo_settings):
    """A foreign body's accredited certificates verify with the MLA label (one not covered); an overseas
    certificate, a zone with figures and a branded certificate are there."""
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
    engine.dispose()
