"""Reference data: certification fields, schemes with their rules, standards, regions.

Scheme rules are data (DOMAIN.md "configurable"): validity, suspension maximum, surveillance interval,
re-application blocks. A regulator changes them per instance; these are the national defaults.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from certbridge.principal import SYSTEM, Principal
from certbridge.registry import schemes
from certbridge.registry.models import Scheme
from certbridge.registry.regions import load_regions

FIELDS = [
    # code, kind, zh, en
    ("SYS-QMS", "system", "质量管理体系", "Quality management systems"),
    ("SYS-EMS", "system", "环境管理体系", "Environmental management systems"),
    ("SYS-OHSMS", "system", "职业健康安全管理体系", "Occupational health and safety management systems"),
    ("SYS-FOOD", "system", "食品农产品管理体系", "Food and agricultural management systems"),
    ("SYS-ISMS", "system", "信息安全与信息技术服务管理体系", "Information security and IT service management"),
    ("SYS-OTHER", "system", "其他管理体系（能源、知识产权、测量）", "Other management systems (energy, IP, measurement)"),
    ("PRD-CCC", "product", "强制性产品认证", "China Compulsory Certification"),
    ("PRD-FOOD", "product", "食品农产品认证（有机、良好农业规范）", "Food and agricultural products (organic, GAP)"),
    ("PRD-VOL", "product", "自愿性工业产品认证", "Voluntary industrial product certification"),
    ("PRD-GREEN", "product", "绿色产品与高端品质认证", "Green product and premium-quality certification"),
    ("SRV-GEN", "service", "服务认证", "Service certification"),
]

SCHEMES = [
    # code, zh, en, kind, field, mandatory, validity years, max suspension months, number pattern
    ("QMS", "质量管理体系认证", "Quality management system", "system", "SYS-QMS", False, 3, 6, None),
    ("EMS", "环境管理体系认证", "Environmental management system", "system", "SYS-EMS", False, 3, 6, None),
    ("OHSMS", "职业健康安全管理体系认证", "OH&S management system", "system", "SYS-OHSMS", False, 3, 6, None),
    ("FSMS", "食品安全管理体系认证", "Food safety management system", "system", "SYS-FOOD", False, 3, 6, None),
    ("HACCP", "危害分析与关键控制点体系认证", "HACCP system", "system", "SYS-FOOD", False, 3, 6, None),
    ("ISMS", "信息安全管理体系认证", "Information security management system", "system", "SYS-ISMS", False, 3, 6, None),
    ("ITSMS", "信息技术服务管理体系认证", "IT service management system", "system", "SYS-ISMS", False, 3, 6, None),
    ("ENMS", "能源管理体系认证", "Energy management system", "system", "SYS-OTHER", False, 3, 6, None),
    ("IPMS", "知识产权管理体系认证", "Intellectual property management system", "system", "SYS-OTHER", False, 3, 6, None),
    ("MMS", "测量管理体系认证", "Measurement management system", "system", "SYS-OTHER", False, 3, 6, None),
    ("CCC", "强制性产品认证", "China Compulsory Certification", "product", "PRD-CCC", True, 5, 12, r"\d{16}"),
    ("ORGANIC", "有机产品认证", "Organic products", "product", "PRD-FOOD", False, 1, 6, None),
    ("GAP", "良好农业规范认证", "Good agricultural practice", "product", "PRD-FOOD", False, 1, 6, None),
    ("VOL", "自愿性产品认证", "Voluntary product certification", "product", "PRD-VOL", False, 5, 6, None),
    ("GREEN", "绿色产品认证", "Green product", "product", "PRD-GREEN", False, 5, 6, None),
    ("PREMIUM", "高端品质认证", "Premium quality", "product", "PRD-GREEN", False, 3, 6, None),
    ("SERVICE", "服务认证", "Service certification", "service", "SRV-GEN", False, 3, 6, None),
]

STANDARDS = [
    # scheme, code, version, title, published, superseded-by (code, version), transition deadline
    ("QMS", "GB/T 19001", "2016", "质量管理体系 要求", date(2016, 12, 30)),
    ("EMS", "GB/T 24001", "2016", "环境管理体系 要求及使用指南", date(2016, 10, 13)),
    ("OHSMS", "GB/T 45001", "2020", "职业健康安全管理体系 要求及使用指南", date(2020, 3, 6)),
    ("FSMS", "GB/T 22000", "2006", "食品安全管理体系 食品链中各类组织的要求", date(2006, 3, 1)),
    ("HACCP", "GB/T 27341", "2009", "危害分析与关键控制点（HACCP）体系 食品生产企业通用要求", date(2009, 2, 17)),
    ("ISMS", "GB/T 22080", "2016", "信息技术 安全技术 信息安全管理体系 要求", date(2016, 8, 29)),
    ("ITSMS", "GB/T 24405.1", "2009", "信息技术 服务管理 第1部分：规范", date(2009, 9, 30)),
    ("ENMS", "GB/T 23331", "2020", "能源管理体系 要求及使用指南", date(2020, 11, 19)),
    ("IPMS", "GB/T 29490", "2023", "企业知识产权合规管理体系 要求", date(2023, 8, 6)),
    ("MMS", "GB/T 19022", "2003", "测量管理体系 测量过程和测量设备的要求", date(2003, 9, 15)),
    ("CCC", "CNCA-C01-01", "2014", "强制性产品认证实施规则 电线电缆", date(2014, 8, 20)),
    ("ORGANIC", "GB/T 19630", "2019", "有机产品 生产、加工、标识与管理体系要求", date(2019, 8, 30)),
    ("GAP", "GB/T 20014", "2013", "良好农业规范", date(2013, 12, 31)),
    ("VOL", "CQC-C0101", "2020", "自愿性产品认证实施规则", date(2020, 1, 1)),
    ("GREEN", "GB/T 33761", "2017", "绿色产品评价通则", date(2017, 5, 12)),
    ("PREMIUM", "T/CAQI", "2023", "高端品质认证实施规则", date(2023, 1, 1)),
    ("SERVICE", "GB/T 27922", "2011", "商品售后服务评价体系", date(2011, 12, 30)),
]
# ISO/IEC 27001:2022 replaced the 2013 edition with a transition that ended on 2025-10-31.
SUPERSEDED = [("ISMS", "GB/T 22080", "2025", "网络安全技术 信息安全管理体系 要求", date(2025, 4, 25), "2016",
               date(2025, 10, 31))]


def load_reference(session: Session, principal: Principal = SYSTEM) -> bool:
    """Load regions, fields, schemes and standards into an empty database; return False if already there."""
    load_regions(session)
    if session.scalar(select(Scheme.code).limit(1)) is not None:
        return False
    for code, kind, name, name_en in FIELDS:
        schemes.define_field(session, principal=principal, code=code, kind=kind, name=name, name_en=name_en)
    for code, name, name_en, kind, field, mandatory, years, suspension, pattern in SCHEMES:
        schemes.define_scheme(session, principal=principal, code=code, name=name, name_en=name_en, kind=kind,
                              field_code=field, mandatory=mandatory, validity_years=years,
                              max_suspension_months=12 if code == "CCC" else suspension, number_pattern=pattern)
    published = {}
    for scheme, code, version, title, on in STANDARDS:
        std = schemes.publish_standard(session, principal=principal, scheme_code=scheme, code=code, version=version,
                                       title=title, published_on=on)
        published[(code, version)] = std
    for scheme, code, version, title, on, old_version, deadline in SUPERSEDED:
        schemes.publish_standard(session, principal=principal, scheme_code=scheme, code=code, version=version,
                                 title=title, published_on=on, supersedes_id=published[(code, old_version)].id,
                                 transition_deadline=deadline)
    return True
