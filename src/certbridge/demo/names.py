"""Words synthetic names are made of: organization names, people, addresses, scopes and products.

Organization names follow the registered-name rule (企业名称登记管理规定): administrative-division prefix +
trade name (字号, 2–4 characters; 2 is common, so two-character searches such as 华为 or 格力 matter) +
industry + organizational form. Everything is drawn from a `random.Random`, so a seed fixes every name.
"""

from __future__ import annotations

import random

from certbridge.demo.draws import Weighted, between, pick

# Characters that make up trade names; pairs drawn from here read like real 字号 (鑫源, 华泰, 恒达 …).
BRAND_CHARS = (
    "华泰恒达鑫源宏盛隆兴丰瑞祥和昌利德信通海天金银峰永安宝顺佳美新创联合中盈广富远腾飞龙凤嘉诚明"
    "光辉煌锦绣晨星东方南北西正大康健力威博科智达凯越嘉骏豪威腾骐骥辰宇宙鼎峻岳川江河湖洲汇聚融"
    "贵启航远图卓越优品尚雅致精工匠心立本固基同创共赢志远恒昌茂林森禾田丰谷粮润泽清源绿洲蓝海碧"
)
# Two-character brands, some of them well-known household names, so `华为`-style queries hit real data.
FAMOUS_BRANDS = ("华为", "格力", "美的", "海尔", "联想", "比亚迪", "海信", "长虹", "格兰仕", "娃哈哈", "伊利",
                 "蒙牛", "三一", "中联", "徐工", "宁德", "福耀", "安踏", "李宁", "九阳", "苏泊尔", "老板",
                 "方太", "立白", "纳爱斯", "青岛啤酒", "燕京", "双汇", "金龙鱼", "鲁花")
INDUSTRIES = (
    # (industry words for the name, industry label, typical scope, typical product)
    ("电子科技", "电子", "电子元器件的设计、生产和销售", "电子元器件"),
    ("电器", "家电", "家用电器的设计、生产和售后服务", "家用电器"),
    ("机械制造", "机械", "通用机械设备的设计、制造和服务", "通用机械设备"),
    ("精密机械", "机械", "精密机械零部件的加工", "精密机械零部件"),
    ("汽车零部件", "汽车", "汽车零部件的生产", "汽车零部件"),
    ("电线电缆", "电工", "电线电缆的生产", "电线电缆"),
    ("建材", "建材", "建筑材料的生产和销售", "建筑材料"),
    ("建设工程", "建筑", "房屋建筑工程施工总承包", None),
    ("化工", "化工", "化工产品（不含危险化学品）的生产", "化工产品"),
    ("塑料制品", "轻工", "塑料制品的生产", "塑料制品"),
    ("纺织", "纺织", "纺织品的生产和销售", "纺织品"),
    ("服装", "纺织", "服装的设计和生产", "服装"),
    ("食品", "食品", "预包装食品的生产", "预包装食品"),
    ("海产品", "食品", "冷冻水产品的加工", "冷冻水产品"),
    ("农业科技", "农业", "蔬菜、水果的种植和销售", "蔬菜水果"),
    ("茶业", "农业", "茶叶的种植、加工和销售", "茶叶"),
    ("医疗器械", "医疗", "第二类医疗器械的生产", "医疗器械"),
    ("软件", "信息技术", "计算机软件的开发和技术服务", None),
    ("信息技术", "信息技术", "信息系统集成和运维服务", None),
    ("物流", "物流", "普通货物道路运输和仓储服务", None),
    ("物业管理", "服务", "物业管理服务", None),
    ("酒店管理", "服务", "酒店住宿和餐饮服务", None),
    ("环保科技", "环保", "污水处理设备的生产和环保工程服务", "环保设备"),
    ("新能源", "能源", "光伏组件的生产", "光伏组件"),
    ("玩具", "轻工", "儿童玩具的生产", "玩具"),
    ("家具", "轻工", "办公家具的设计和生产", "家具"),
    ("钢铁", "冶金", "钢材的冶炼和轧制", "钢材"),
    ("船舶修造", "船舶", "船舶修理和建造", None),
)
FORMS = (("有限公司", 62), ("股份有限公司", 12), ("有限责任公司", 10), ("集团有限公司", 4), ("厂", 4),
         ("合作社", 3), ("分公司", 3), ("个体工商户", 2))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国志文辉斌鹏宇浩凯晨欣怡子涵雨轩梓睿"
STREETS = ("人民路", "解放路", "中山路", "建设路", "北京路", "长江路", "和平路", "新华路", "工业大道", "科技园路",
           "开发区大道", "滨海大道", "四川路", "云南路", "湖南路", "朝阳路", "东风路", "迎宾大道")
PARKS = ("", "", "", "工业园", "高新区", "经济开发区", "科技园")
MODELS = ("A", "B", "C", "K", "M", "S", "X", "Z")
_FORMS = Weighted.of(FORMS)


def person_name(rng: random.Random) -> str:
    """Return a Chinese personal name (surname + one or two given characters)."""
    given = pick(rng, GIVEN) + (pick(rng, GIVEN) if rng.random() < 0.7 else "")
    return pick(rng, SURNAMES) + given


def brand(rng: random.Random) -> str:
    """Return a trade name of 2 (most), 3 or 4 characters."""
    roll = rng.random()
    if roll < 0.03:
        return pick(rng, FAMOUS_BRANDS)
    text = pick(rng, BRAND_CHARS) + pick(rng, BRAND_CHARS)
    if roll >= 0.70:
        text += pick(rng, BRAND_CHARS) if roll < 0.92 else pick(rng, BRAND_CHARS) + pick(rng, BRAND_CHARS)
    return text


def form(rng: random.Random) -> str:
    """Return an organizational form, weighted as registered names are."""
    return _FORMS.draw(rng)


def organization_name(rng: random.Random, place: str, industry: tuple, brand_name: str | None = None) -> str:
    """Return a registered organization name: place + trade name + industry + form."""
    name = f"{place}{brand_name or brand(rng)}{industry[0]}{form(rng)}"
    if name.endswith("分公司"):
        name = name[:-3] + pick(rng, ("", "第一", "第二")) + "分公司"
    return name


def address(rng: random.Random, full_region: str) -> str:
    """Return a street address inside a region."""
    return f"{full_region}{pick(rng, PARKS)}{pick(rng, STREETS)}{between(rng, 1, 999)}号"


def product(rng: random.Random, industry: tuple, trademark: str, manufacturer: str) -> dict[str, str]:
    """Return the product particulars a product certificate carries."""
    model = f"{pick(rng, MODELS)}{between(rng, 10, 9999)}"
    return {"name": industry[3] or "工业产品", "model": f"{model}、{model}-{between(rng, 1, 9)}",
            "trademark": trademark, "manufacturer": manufacturer, "factory": manufacturer}
