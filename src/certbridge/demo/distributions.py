"""How the synthetic data set is shaped: scheme mix, regions, bodies, lifetimes, statuses.

Scheme weights are the end-of-2024 valid-certificate counts from DOMAIN.md, split where the official
figure covers several schemes; regions follow population weighted by how industrial a province is, with
Beihai (450500) over-represented so the city's own view of the demo is well populated.
"""

from __future__ import annotations

# Valid certificates by scheme, end of 2024 (thousands): DOMAIN.md "Scale".
SCHEME_WEIGHTS = {
    "QMS": 973, "EMS": 537, "OHSMS": 486, "FSMS": 43, "HACCP": 28, "ISMS": 46, "ITSMS": 23, "ENMS": 24,
    "IPMS": 27, "MMS": 5, "CCC": 567, "ORGANIC": 69, "GAP": 30, "VOL": 940, "GREEN": 133, "PREMIUM": 34,
    "SERVICE": 77,
}
# Certificate-number letters by scheme (management systems: CB code + letter + year + sequence + R cycle …).
SCHEME_LETTERS = {"QMS": "Q", "EMS": "E", "OHSMS": "S", "FSMS": "F", "HACCP": "H", "ISMS": "I", "ITSMS": "IT",
                  "ENMS": "En", "IPMS": "IP", "MMS": "M", "ORGANIC": "OP", "GAP": "GAP", "VOL": "V",
                  "GREEN": "GP", "PREMIUM": "HP", "SERVICE": "SV"}
# CCC product categories (4 digits) by industry label.
CCC_CATEGORIES = {"电工": "0101", "家电": "0701", "电子": "0907", "汽车": "1101", "轻工": "2201",
                  "建材": "2101", "医疗": "0911", "能源": "1601", "机械": "0302", "冶金": "1303"}
# Province population (millions, 2020 census) × an industrial factor → share of certified organizations.
PROVINCE_WEIGHTS = {
    "11": 22 * 1.3, "12": 14 * 1.2, "13": 75, "14": 35 * 0.8, "15": 24 * 0.7, "21": 43, "22": 24 * 0.8,
    "23": 32 * 0.7, "31": 25 * 1.5, "32": 85 * 1.6, "33": 65 * 1.7, "34": 61, "35": 41 * 1.3, "36": 45,
    "37": 102 * 1.2, "41": 99, "42": 58, "43": 66, "44": 126 * 1.6, "45": 50, "46": 10 * 0.8, "50": 32,
    "51": 84, "52": 39 * 0.7, "53": 47 * 0.7, "54": 4 * 0.4, "61": 40, "62": 25 * 0.6, "63": 6 * 0.5,
    "64": 7 * 0.7, "65": 26 * 0.6,
}
BEIHAI = "450500"
BEIHAI_SHARE = 0.015  # of organizations

# Chance that a certificate cycle is renewed into the next one, by scheme kind.
RENEWAL = {"system": 0.72, "product": 0.80, "service": 0.70}
# How a chain's last cycle ends when its validity ran out before today, and how a current cycle stands.
ENDED_OUTCOMES = (("expired", 0.80), ("withdrawn", 0.11), ("cancelled", 0.09))
CURRENT_OUTCOMES = (("valid", 0.925), ("suspended", 0.035), ("withdrawn", 0.022), ("cancelled", 0.018))
EPISODE_SUSPENSION = 0.03  # a cycle with a suspension that was corrected (restored)
FIRST_YEAR = 2004

WITHDRAW_REASONS = ("监督审核发现严重不符合且未在规定期限内纠正", "获证组织出现重大质量事故",
                    "暂停期满未纠正", "获证组织拒绝接受监督审核", "获证组织提供虚假材料")
CANCEL_REASONS = ("获证组织申请注销", "产品停产", "获证组织注销登记", "认证依据变更，获证组织不能满足")
SUSPEND_REASONS = ("监督审核未按期实施", "获证组织未按规定使用认证标志", "产品抽查不合格",
                   "获证组织申请暂停")
RESTORE_REASON = "已完成整改，经审核恢复"

# Bodies: (count, fields, weight range) — a few national generalists, specialists, and many small bodies.
BODY_PROFILES = (
    (6, ("SYS-QMS", "SYS-EMS", "SYS-OHSMS", "SYS-FOOD", "SYS-ISMS", "SYS-OTHER", "PRD-CCC", "PRD-FOOD", "PRD-VOL",
         "PRD-GREEN", "SRV-GEN"), 40.0),
    (14, ("SYS-QMS", "SYS-EMS", "SYS-OHSMS", "PRD-CCC", "PRD-VOL"), 12.0),
    (10, ("SYS-FOOD", "PRD-FOOD", "SYS-QMS"), 4.0),
    (8, ("SYS-ISMS", "SYS-QMS", "SYS-OTHER"), 4.0),
    (6, ("PRD-VOL", "PRD-GREEN", "SRV-GEN"), 6.0),
    (76, ("SYS-QMS", "SYS-EMS", "SYS-OHSMS"), 1.0),
)
BODY_WORDS = ("中国质量认证中心", "方圆标志认证集团", "中标合信认证", "华夏认证中心", "北京世标认证中心",
              "中环联合认证中心", "兴原认证中心", "中国船级社质量认证", "上海质量体系审核中心", "广州赛宝认证中心",
              "中鉴认证", "中国检验认证集团", "北京国金衡信认证", "南京国环有机产品认证中心",
              "中国网络安全审查认证和市场监管大数据中心", "杭州万泰认证", "深圳华测认证", "北京中经科环质量认证")
BUREAU_SUFFIX = "市场监督管理局"
