"""The accreditation bodies the schema is seeded with (migration 0015accreditation).

Names, countries and which main scopes / sub-scopes each body is recognized for follow the IAF and ILAC
signatory lists in outline; the **dates are illustrative** (round dates near the real signings), and so is the
choice of sub-scopes left unrecognized. Regulators keep the real list current through the API, the console page
or an import (docs/international.md). A row: (main scope, sub-scope or "", arrangement or None, since, until).
"""

from __future__ import annotations

from datetime import date

_NOTE = "示例日期（以 IAF/ILAC 名录为准） · illustrative dates (check the IAF/ILAC lists)"


def _ms(since: date, *subs: str, unrecognized: tuple[str, ...] = ("",)) -> list[tuple]:
    """Management-system scopes: the sub-scopes recognized under the IAF MLA since a date, and the accredited
    but unrecognized ones ("" = other management systems)."""
    return ([("17021-1", s, "IAF MLA", since, None) for s in subs]
            + [("17021-1", s, None, None, None) for s in unrecognized])


def _rest(product: date, lab: date, *, inspection: date | None = None) -> list[tuple]:
    rows = [("17065", "", "IAF MLA", product, None), ("17025", "", "ILAC MRA", lab, None)]
    if inspection:
        rows.append(("17020", "", "ILAC MRA", inspection, None))
    return rows


ACCREDITATION_BODIES = [
    {"code": "CNAS", "name": "中国合格评定国家认可委员会",
     "name_en": "China National Accreditation Service for Conformity Assessment", "country": "CN",
     "website": "https://www.cnas.org.cn", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "OHSMS", "FSMS", "ISMS", "ENMS", "MDMS")
     + _rest(date(2004, 10, 1), date(2001, 11, 1), inspection=date(2004, 10, 1))},
    {"code": "UKAS", "name": "英国皇家认可委员会", "name_en": "United Kingdom Accreditation Service", "country": "GB",
     "website": "https://www.ukas.com", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "OHSMS", "FSMS", "ISMS", "ENMS", "MDMS")
     + _rest(date(2004, 10, 1), date(2000, 11, 2), inspection=date(2012, 10, 1))},
    {"code": "DAKKS", "name": "德国认可委员会", "name_en": "Deutsche Akkreditierungsstelle", "country": "DE",
     "website": "https://www.dakks.de", "note": _NOTE,
     "scopes": _ms(date(2010, 1, 1), "QMS", "EMS", "OHSMS", "FSMS", "ISMS", "ENMS")
     + _rest(date(2010, 1, 1), date(2010, 1, 1))},
    {"code": "ANAB", "name": "美国国家认可委员会", "name_en": "ANSI National Accreditation Board", "country": "US",
     "website": "https://anab.ansi.org", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "OHSMS", "FSMS", "ISMS", "MDMS")
     + _rest(date(2010, 10, 1), date(2001, 11, 1))},
    {"code": "JAB", "name": "日本认可委员会", "name_en": "Japan Accreditation Board", "country": "JP",
     "website": "https://www.jab.or.jp", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "FSMS", "ISMS") + _rest(date(2006, 10, 1), date(2001, 11, 1))},
    {"code": "JAS-ANZ", "name": "澳大利亚-新西兰联合认可委员会",
     "name_en": "Joint Accreditation System of Australia and New Zealand", "country": "AU",
     "website": "https://www.jas-anz.org", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "OHSMS", "FSMS", "ISMS")
     + [("17065", "", "IAF MLA", date(2004, 10, 1), None)]},
    {"code": "COFRAC", "name": "法国认可委员会", "name_en": "Comité français d'accréditation", "country": "FR",
     "website": "https://www.cofrac.fr", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "FSMS") + _rest(date(2004, 10, 1), date(2000, 11, 2))},
    {"code": "KAB", "name": "韩国认可委员会", "name_en": "Korea Accreditation Board", "country": "KR",
     "website": "https://www.kab.or.kr", "note": _NOTE,
     "scopes": _ms(date(1998, 1, 22), "QMS", "EMS", "OHSMS")},
]
