"""国民经济行业分类 GB/T 4754-2017: the 20 sections (门类 A–T) and 97 divisions (大类), as reference data.

A sector code is the section letter, optionally followed by the two-digit division: "C", "C38". Sections F to T
are the tertiary industry (服务业) — the default for an organization's service-company flag.
"""

from __future__ import annotations

import re

SECTIONS: dict[str, tuple[str, str, range]] = {
    "A": ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery", range(1, 6)),
    "B": ("采矿业", "Mining", range(6, 13)),
    "C": ("制造业", "Manufacturing", range(13, 44)),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water production and supply", range(44, 47)),
    "E": ("建筑业", "Construction", range(47, 51)),
    "F": ("批发和零售业", "Wholesale and retail trade", range(51, 53)),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and postal services", range(53, 61)),
    "H": ("住宿和餐饮业", "Accommodation and catering", range(61, 63)),
    "I": ("信息传输、软件和信息技术服务业", "Information transmission, software and IT services", range(63, 66)),
    "J": ("金融业", "Finance", range(66, 70)),
    "K": ("房地产业", "Real estate", range(70, 71)),
    "L": ("租赁和商务服务业", "Leasing and business services", range(71, 73)),
    "M": ("科学研究和技术服务业", "Scientific research and technical services", range(73, 76)),
    "N": ("水利、环境和公共设施管理业", "Water conservancy, environment and public facilities management",
          range(76, 80)),
    "O": ("居民服务、修理和其他服务业", "Residential, repair and other services", range(80, 83)),
    "P": ("教育", "Education", range(83, 84)),
    "Q": ("卫生和社会工作", "Health and social work", range(84, 86)),
    "R": ("文化、体育和娱乐业", "Culture, sports and entertainment", range(86, 91)),
    "S": ("公共管理、社会保障和社会组织", "Public administration, social security and social organizations",
          range(91, 97)),
    "T": ("国际组织", "International organizations", range(97, 98)),
}

DIVISIONS: dict[str, str] = dict(zip((f"{n:02d}" for n in range(1, 98)), (
    "农业", "林业", "畜牧业", "渔业", "农、林、牧、渔专业及辅助性活动",
    "煤炭开采和洗选业", "石油和天然气开采业", "黑色金属矿采选业", "有色金属矿采选业", "非金属矿采选业",
    "开采专业及辅助性活动", "其他采矿业",
    "农副食品加工业", "食品制造业", "酒、饮料和精制茶制造业", "烟草制品业", "纺织业", "纺织服装、服饰业",
    "皮革、毛皮、羽毛及其制品和制鞋业", "木材加工和木、竹、藤、棕、草制品业", "家具制造业", "造纸和纸制品业",
    "印刷和记录媒介复制业", "文教、工美、体育和娱乐用品制造业", "石油、煤炭及其他燃料加工业",
    "化学原料和化学制品制造业", "医药制造业", "化学纤维制造业", "橡胶和塑料制品业", "非金属矿物制品业",
    "黑色金属冶炼和压延加工业", "有色金属冶炼和压延加工业", "金属制品业", "通用设备制造业", "专用设备制造业",
    "汽车制造业", "铁路、船舶、航空航天和其他运输设备制造业", "电气机械和器材制造业",
    "计算机、通信和其他电子设备制造业", "仪器仪表制造业", "其他制造业", "废弃资源综合利用业",
    "金属制品、机械和设备修理业",
    "电力、热力生产和供应业", "燃气生产和供应业", "水的生产和供应业",
    "房屋建筑业", "土木工程建筑业", "建筑安装业", "建筑装饰、装修和其他建筑业",
    "批发业", "零售业",
    "铁路运输业", "道路运输业", "水上运输业", "航空运输业", "管道运输业", "多式联运和运输代理业",
    "装卸搬运和仓储业", "邮政业",
    "住宿业", "餐饮业",
    "电信、广播电视和卫星传输服务", "互联网和相关服务", "软件和信息技术服务业",
    "货币金融服务", "资本市场服务", "保险业", "其他金融业",
    "房地产业",
    "租赁业", "商务服务业",
    "研究和试验发展", "专业技术服务业", "科技推广和应用服务业",
    "水利管理业", "生态保护和环境治理业", "公共设施管理业", "土地管理业",
    "居民服务业", "机动车、电子产品和日用产品修理业", "其他服务业",
    "教育",
    "卫生", "社会工作",
    "新闻和出版业", "广播、电视、电影和录音制作业", "文化艺术业", "体育", "娱乐业",
    "中国共产党机关", "国家机构", "人民政协、民主党派", "社会保障", "群众团体、社会团体和其他成员组织",
    "基层群众自治组织及其他组织",
    "国际组织",
)))
TERTIARY = frozenset("FGHIJKLMNOPQRST")
_CODE = re.compile(r"^([A-T])(\d{2})?$")


def normalize_sector(value: str | None) -> str | None:
    """Return the sector code ("C", "C38") for "C", "c38", "C 38" or a bare division "38"; None if not one.

    A division given with the wrong section ("A38") is not a sector code.
    """
    text = (value or "").replace(" ", "").upper()
    if text.isdigit() and len(text) == 2:
        section = next((s for s, (_zh, _en, divs) in SECTIONS.items() if int(text) in divs), None)
        return f"{section}{text}" if section else None
    match = _CODE.match(text)
    if not match:
        return None
    section, division = match.groups()
    if division and int(division) not in SECTIONS[section][2]:
        return None
    return text


def sector_name(code: str | None, lang: str = "zh") -> str:
    """Return "C 制造业 · 38 电气机械和器材制造业" (English section names; divisions are named in Chinese)."""
    if not code:
        return ""
    zh, en, _ = SECTIONS[code[0]]
    head = f"{code[0]} {zh if lang == 'zh' else en}"
    return f"{head} · {code[1:]} {DIVISIONS[code[1:]]}" if len(code) == 3 else head
