"""Demo quality-infrastructure data: a standards catalogue with foreign standards and equivalences, proficiency
testing with restricted and lifted items, graded service certificates, and organization classes.

Everything goes through the real services (standards, proficiency, registry.schemes, certificates, orgclasses) in
ordinary write transactions, so every row has its ledger event. Deterministic from the seed and the as-of date.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.certificates.service import regrade_certificate
from certbridge.db import write_session
from certbridge.orgclasses.service import classify_organization
from certbridge.principal import SYSTEM
from certbridge.proficiency.service import define_pt_scheme, open_round, record_result
from certbridge.registry.models import Lab, Organization
from certbridge.registry.schemes import define_grade
from certbridge.standards.service import find_by_number, save_standard, set_equivalence

# number, year, title, English title, scheme, issuer, published, status, supersedes
CATALOGUE = (
    ("ISO 9001", "2015", "质量管理体系 要求", "Quality management systems — Requirements", "QMS", "ISO",
     date(2015, 9, 15), "current", None),
    ("ISO 14001", "2015", "环境管理体系 要求及使用指南", "Environmental management systems — Requirements with "
     "guidance for use", "EMS", "ISO", date(2015, 9, 15), "current", None),
    ("ISO 45001", "2018", "职业健康安全管理体系 要求及使用指南", "Occupational health and safety management "
     "systems — Requirements with guidance for use", "OHSMS", "ISO", date(2018, 3, 12), "current", None),
    ("ISO/IEC 27001", "2013", "信息技术 安全技术 信息安全管理体系 要求", "Information technology — Security "
     "techniques — Information security management systems — Requirements", "ISMS", "ISO/IEC", date(2013, 10, 1),
     "current", None),
    ("ISO/IEC 27001", "2022", "信息安全、网络安全和隐私保护 信息安全管理体系 要求", "Information security, "
     "cybersecurity and privacy protection — Information security management systems — Requirements", "ISMS",
     "ISO/IEC", date(2022, 10, 25), "current", "2013"),
    ("IEC 60335-1", "2020", "家用和类似用途电器 安全 第1部分：通用要求", "Household and similar electrical "
     "appliances — Safety — Part 1: General requirements", "CCC", "IEC", date(2020, 9, 1), "current", None),
    ("DIN EN ISO 9001", "2015", "质量管理体系 要求（德国国家标准）", "Qualitätsmanagementsysteme — Anforderungen",
     "QMS", "DIN (Germany)", date(2015, 11, 1), "current", None),
    ("JIS Q 9001", "2015", "质量管理体系 要求（日本工业标准）", "Quality management systems — Requirements "
     "(Japanese Industrial Standard)", "QMS", "JISC (Japan)", date(2015, 11, 20), "current", None),
    ("BS EN ISO 14001", "2015", "环境管理体系 要求及使用指南（英国国家标准）", "Environmental management systems "
     "(British Standard)", "EMS", "BSI (UK)", date(2015, 9, 30), "current", None),
    ("GB 4706.1", "2005", "家用和类似用途电器的安全 第1部分：通用要求", "Household and similar electrical "
     "appliances — Safety — Part 1: General requirements", "CCC", "SAC", date(2005, 8, 26), "current", None),
    ("GB 4706.1", "2024", "家用和类似用途电器的安全 第1部分：通用要求", "Household and similar electrical "
     "appliances — Safety — Part 1: General requirements", "CCC", "SAC", date(2024, 3, 15), "current", "2005"),
    ("GB/T 2828.1", "2012", "计数抽样检验程序 第1部分：按接收质量限（AQL）检索的逐批检验抽样计划", "Sampling "
     "procedures for inspection by attributes — Part 1", "VOL", "SAC", date(2012, 11, 5), "current", None),
    ("GB 5009.12", "2023", "食品安全国家标准 食品中铅的测定", "National food safety standard — Determination of "
     "lead in foods", "FSMS", "NHC", date(2023, 9, 6), "current", None),
    ("SJ/T 11363", "2006", "电子信息产品中有毒有害物质的限量要求", "Requirements for concentration limits for "
     "certain hazardous substances in electronic information products", "VOL", "MIIT", date(2006, 11, 6),
     "withdrawn", None),
)
# Chinese standard, foreign or international standard, degree, note
EQUIVALENCES = (
    ("GB/T 19001-2016", "ISO 9001:2015", "IDT", None),
    ("GB/T 24001-2016", "ISO 14001:2015", "IDT", None),
    ("GB/T 45001-2020", "ISO 45001:2018", "IDT", None),
    ("GB/T 22080-2016", "ISO/IEC 27001:2013", "IDT", None),
    ("GB/T 22080-2025", "ISO/IEC 27001:2022", "IDT", None),
    ("GB 4706.1-2024", "IEC 60335-1:2020", "MOD", "结构调整并增加我国电网与气候条件下的技术要求"),
    ("GB/T 19001-2016", "DIN EN ISO 9001:2015", "IDT", "经 ISO 9001:2015 对应"),
    ("GB/T 19001-2016", "JIS Q 9001:2015", "IDT", "经 ISO 9001:2015 对应"),
    ("GB/T 24001-2016", "BS EN ISO 14001:2015", "IDT", "经 ISO 14001:2015 对应"),
)
# GB/T 27922 商品售后服务评价体系: 五星级、四星级、三星级 (a graded service certification)
SERVICE_GRADES = (("5STAR", "五星级", "Five stars", 5), ("4STAR", "四星级", "Four stars", 4),
                  ("3STAR", "三星级", "Three stars", 3))
# (sector, employees, revenue 万元): industrial, software, retail, catering, construction (assets), property …
CLASS_SAMPLES = (("C38", 1200, 52000, None), ("C39", 420, 8000, None), ("C33", 60, 900, None),
                 ("C13", 12, 150, None), ("I65", 150, 3000, None), ("I65", 8, 40, None), ("F52", 80, 1500, None),
                 ("H62", 40, 600, None), ("E48", None, 9000, 6000), ("L72", 50, None, 2000), ("M74", 30, None, None),
                 ("G54", 350, 4000, None))


def _catalogue(session) -> int:
    made = 0
    for code, version, title, title_en, scheme, issuer, published, status, supersedes in CATALOGUE:
        save_standard(session, principal=SYSTEM, code=code, version=version, title=title, title_en=title_en,
                      scheme_code=scheme, issuer=issuer, published_on=published, status=status,
                      withdrawn_on=date(2021, 1, 1) if status == "withdrawn" else None, supersedes=supersedes,
                      transition_deadline=(date(2025, 10, 31) if code == "ISO/IEC 27001" else date(2026, 8, 1))
                      if supersedes else None)
        made += 1
    for chinese, other, degree, note in EQUIVALENCES:
        a, b = find_by_number(session, chinese), find_by_number(session, other)
        if a is not None and b is not None:
            set_equivalence(session, principal=SYSTEM, standard_id=a.id, foreign_id=b.id, degree=degree, note=note)
    return made


def _proficiency(session, rng: random.Random, as_of: date) -> int:
    domestic = define_pt_scheme(session, principal=SYSTEM, code="CNAS-T-DEMO", name="产品性能检测能力验证计划",
                                name_en="Product performance testing PT scheme", provider="中国合格评定国家认可中心")
    abroad = define_pt_scheme(session, principal=SYSTEM, code="APAC-PT-DEMO", name="亚太认可合作组织能力验证计划",
                              name_en="APAC proficiency testing programme", provider="APAC",
                              foreign_source="APAC MRA · 境外能力验证结果互认")
    labs = list(session.scalars(select(Lab).order_by(Lab.id).limit(8)))
    rounds = {}
    for index, when in enumerate((as_of - timedelta(days=400), as_of - timedelta(days=200), as_of - timedelta(days=60))):
        for scheme in (domestic, abroad):
            rounds[(scheme.code, index)] = open_round(session, principal=SYSTEM, scheme_id=scheme.id,
                                                      code=f"{when.year}-{index + 1:02d}", parameter="产品性能检测",
                                                      method="GB/T 2828.1-2012", held_on=when)
    # A story per lab: fine; unsatisfactory then lifted; unsatisfactory still standing; questionable; abroad.
    stories = (("satisfactory", "satisfactory", "satisfactory"), ("unsatisfactory", "satisfactory", None),
               (None, "satisfactory", "unsatisfactory"), ("satisfactory", "questionable", "satisfactory"),
               ("satisfactory", None, "unsatisfactory"), (None, None, "satisfactory"))
    made = 0
    for lab_index, lab in enumerate(labs):
        item = lab.capabilities[0].item if lab.capabilities else None
        if item is None:
            continue
        story = stories[lab_index % len(stories)]
        scheme = abroad if lab_index % 4 == 3 else domestic
        for index, outcome in enumerate(story):
            if outcome is None:
                continue
            z = {"satisfactory": round(rng.uniform(-1.8, 1.8), 2), "questionable": round(rng.uniform(2.1, 2.9), 2),
                 "unsatisfactory": round(rng.uniform(3.1, 4.5), 2)}[outcome]
            record_result(session, principal=SYSTEM, round_id=rounds[(scheme.code, index)].id, lab_id=lab.id,
                          outcome=outcome, item=item, z_score=z)
            made += 1
    return made


# Each grade is a service call and a ledger event (~1 ms): every valid certificate of a 10 M set was ~20 minutes of
# the build. The first ones by id show the feature at any size.
GRADED_AT_MOST = 10_000


def _graded_certificates(session, rng: random.Random, as_of: date) -> int:
    """Define graded and sector variants (SERVICE stars, QMS construction) and grade certificates in force."""
    for code, name, name_en, rank in SERVICE_GRADES:
        define_grade(session, principal=SYSTEM, scheme_code="SERVICE", code=code, name=name, name_en=name_en,
                     kind="grade", rank=rank)
    made = 0
    for cert_id in session.scalars(select(Certificate.id).where(
            Certificate.scheme_code == "SERVICE", Certificate.status == "valid").order_by(Certificate.id)
            .limit(GRADED_AT_MOST)):
        grade = rng.choices([g[0] for g in SERVICE_GRADES], weights=(2, 5, 3))[0]
        regrade_certificate(session, principal=SYSTEM, certificate_id=cert_id, grade=grade,
                            reason="依据 GB/T 27922 评价结果定级")
        made += 1
    # QMS sector variant: 工程建设施工企业质量管理 (GB/T 50430 on top of GB/T 19001), on every second QMS certificate.
    define_grade(session, principal=SYSTEM, scheme_code="QMS", code="CONSTRUCTION", kind="sector",
                 name="工程建设施工企业质量管理（GB/T 50430）", name_en="Construction enterprises (GB/T 50430)")
    qms = session.scalars(select(Certificate.id).where(Certificate.scheme_code == "QMS",
                                                      Certificate.status == "valid").order_by(Certificate.id)
                          .limit(2 * GRADED_AT_MOST))
    for index, cert_id in enumerate(qms):
        if index % 2 == 0:
            regrade_certificate(session, principal=SYSTEM, certificate_id=cert_id, grade="CONSTRUCTION",
                                reason="工程建设施工企业质量管理体系认证")
            made += 1
    return made


def _classes(session, rng: random.Random) -> int:
    orgs = list(session.scalars(select(Organization).order_by(Organization.id).limit(600)))
    made = 0
    for index, org in enumerate(orgs):
        if index % 5 == 4:
            continue  # some stay unclassified, as real registers are incomplete
        sector, employees, revenue, assets = CLASS_SAMPLES[rng.randrange(len(CLASS_SAMPLES))]
        jitter = rng.uniform(0.6, 1.6)
        scale = (lambda v: int(v * jitter) if v is not None else None)
        classify_organization(session, principal=SYSTEM, organization_id=org.id, sector_code=sector,
                              employees=scale(employees), revenue_10k=scale(revenue), assets_10k=scale(assets))
        made += 1
    return made


def build_qidata(sessions, *, seed: int, as_of: date) -> dict[str, int]:
    """Create the quality-infrastructure demo data; return how many of each were made."""
    rng = random.Random(f"{seed}:qidata")
    with write_session(sessions) as session:
        standards = _catalogue(session)
        results = _proficiency(session, rng, as_of)
        graded = _graded_certificates(session, rng, as_of)
        classified = _classes(session, rng)
    return {"catalogue_standards": standards, "proficiency_results": results, "graded_certificates": graded,
            "classified_organizations": classified}
