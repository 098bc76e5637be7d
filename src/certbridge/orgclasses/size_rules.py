"""统计上大中小微型企业划分办法（2017）(国统字〔2017〕213号): thresholds per industry, as data.

Indicators: X 从业人员 (employees, persons), Y 营业收入 (revenue, 万元), Z 资产总额 (assets, 万元). Each class
lists the lower limits of its indicators. Large, medium and small must meet every listed lower limit, otherwise
the enterprise falls one class; micro needs to meet only one of the indicators (i.e. falls below small).
"""

from __future__ import annotations

from dataclasses import dataclass

SIZE_CLASSES = ("large", "medium", "small", "micro")
SIZE_NAMES = {"large": ("大型", "large"), "medium": ("中型", "medium"), "small": ("小型", "small"),
              "micro": ("微型", "micro")}


@dataclass(frozen=True)
class IndustryRule:
    """The lower limits of one industry's large, medium and small classes, per indicator."""

    key: str
    name: str
    name_en: str
    limits: dict[str, tuple[int, int, int]]  # indicator -> (large, medium, small) lower limits


def _rule(key, name, name_en, **limits):
    return IndustryRule(key, name, name_en, limits)


# Indicator keys: employees (X), revenue_10k (Y), assets_10k (Z).
RULES: dict[str, IndustryRule] = {r.key: r for r in (
    _rule("agriculture", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery",
          revenue_10k=(20000, 500, 50)),
    _rule("industrial", "工业", "Industry (mining, manufacturing, utilities)",
          employees=(1000, 300, 20), revenue_10k=(40000, 2000, 300)),
    _rule("construction", "建筑业", "Construction", revenue_10k=(80000, 6000, 300), assets_10k=(80000, 5000, 300)),
    _rule("wholesale", "批发业", "Wholesale", employees=(200, 20, 5), revenue_10k=(40000, 5000, 1000)),
    _rule("retail", "零售业", "Retail", employees=(300, 50, 10), revenue_10k=(20000, 500, 100)),
    _rule("transport", "交通运输业", "Transport", employees=(1000, 300, 20), revenue_10k=(30000, 3000, 200)),
    _rule("storage", "仓储业", "Storage", employees=(200, 100, 20), revenue_10k=(30000, 1000, 100)),
    _rule("postal", "邮政业", "Postal services", employees=(1000, 300, 20), revenue_10k=(30000, 2000, 100)),
    _rule("accommodation", "住宿业", "Accommodation", employees=(300, 100, 10), revenue_10k=(10000, 2000, 100)),
    _rule("catering", "餐饮业", "Catering", employees=(300, 100, 10), revenue_10k=(10000, 2000, 100)),
    _rule("telecom", "信息传输业", "Information transmission", employees=(2000, 100, 10),
          revenue_10k=(100000, 1000, 100)),
    _rule("software", "软件和信息技术服务业", "Software and information technology services",
          employees=(300, 100, 10), revenue_10k=(10000, 1000, 50)),
    _rule("real_estate", "房地产开发经营", "Real estate development", revenue_10k=(200000, 1000, 100),
          assets_10k=(10000, 5000, 2000)),
    _rule("property_mgmt", "物业管理", "Property management", employees=(1000, 300, 100),
          revenue_10k=(5000, 1000, 500)),
    _rule("leasing_business", "租赁和商务服务业", "Leasing and business services", employees=(300, 100, 10),
          assets_10k=(120000, 8000, 100)),
    _rule("other", "其他未列明行业", "Other industries not listed", employees=(300, 100, 10)),
)}

# GB/T 4754-2017 divisions (or whole sections) to the classification's industry; K70 splits into 房地产开发经营
# (7010) and 物业管理 (7020) below division level, so it is given explicitly and defaults to development.
_SECTION_INDUSTRY = {"A": "agriculture", "B": "industrial", "C": "industrial", "D": "industrial",
                     "E": "construction", "H": "accommodation", "L": "leasing_business", "K": "real_estate"}
_DIVISION_INDUSTRY = {"51": "wholesale", "52": "retail", **{d: "transport" for d in ("53", "54", "55", "56", "57",
                                                                                       "58")},
                      "59": "storage", "60": "postal", "61": "accommodation", "62": "catering", "63": "telecom",
                      "64": "telecom", "65": "software"}


def industry_for_sector(sector_code: str | None) -> str | None:
    """Return the classification industry a GB/T 4754 sector code falls in ("other" when none is listed)."""
    if not sector_code:
        return None
    division = sector_code[1:3]
    return _DIVISION_INDUSTRY.get(division) or _SECTION_INDUSTRY.get(sector_code[0]) or "other"


def size_class(industry: str, *, employees: int | None = None, revenue_10k: int | None = None,
               assets_10k: int | None = None) -> str | None:
    """Return large|medium|small|micro by the industry's thresholds, or None when an indicator it needs is missing.

    A micro enterprise needs only one indicator below the small limits, so one known low indicator is enough
    to say "micro"; any higher class needs every indicator of the industry.
    """
    rule = RULES[industry]
    given = {"employees": employees, "revenue_10k": revenue_10k, "assets_10k": assets_10k}
    values = {k: given[k] for k in rule.limits}
    if any(v is not None and v < rule.limits[k][2] for k, v in values.items()):
        return "micro"
    if any(v is None for v in values.values()):
        return None
    for index, name in enumerate(SIZE_CLASSES[:3]):
        if all(values[k] >= limits[index] for k, limits in rule.limits.items()):
            return name
    return "micro"  # pragma: no cover - every value meets the small limits here
