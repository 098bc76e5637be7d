"""Demo data for open data: what the demo labs are qualified to test, and a supplier list to try.

Each demo lab gets a handful of common test items with their standards (through `registry.labs.update_lab`, so
the changes are events like any other), so the public-service directory (`/directory`) finds labs by "铅",
"大肠菌群", "泄漏电流" …; and `<data_dir>/demo-supplier-list.csv` holds a 40-row supplier list drawn from the
data set — by USCC, by certificate number, by exact name, by a name written as people do, and some unknown —
to upload at `/verify-list`.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import select

from certbridge.certificates.models import Certificate
from certbridge.db import read_session, write_session
from certbridge.kit.spreadsheet import write_csv_bytes
from certbridge.principal import SYSTEM
from certbridge.registry.labs import update_lab
from certbridge.registry.models import Lab, Organization

TEST_ITEMS = (
    ("食品", "铅的测定", "GB 5009.12-2023"), ("食品", "镉的测定", "GB 5009.15-2023"),
    ("食品", "大肠菌群计数", "GB 4789.3-2016"), ("食品", "菌落总数测定", "GB 4789.2-2022"),
    ("家用电器", "泄漏电流", "GB 4706.1-2005"), ("家用电器", "电气强度（耐压试验）", "GB 4706.1-2005"),
    ("人造板", "甲醛释放量", "GB/T 17657-2022"), ("纺织品", "pH 值", "GB/T 7573-2009"),
    ("建筑材料", "抗压强度", "GB/T 50081-2019"), ("电线电缆", "导体电阻", "GB/T 3048.4-2007"),
    ("玩具", "可迁移元素", "GB 6675.4-2014"), ("水质", "化学需氧量", "HJ 828-2017"),
)


def build_opendata_demo(sessions, *, seed: int, data_dir: Path) -> dict[str, int]:
    """Give the demo labs test items and write a supplier list to try; return what was made."""
    rng = random.Random(f"{seed}:opendata")
    with write_session(sessions) as session:
        labs = list(session.scalars(select(Lab).order_by(Lab.id)))
        for lab in labs:
            items = [{"category": c.category, "item": c.item, "standard": c.standard} for c in lab.capabilities]
            items += [{"category": c, "item": i, "standard": s} for c, i, s in rng.sample(TEST_ITEMS, 4)]
            update_lab(session, principal=SYSTEM, lab_id=lab.id, changes={"capabilities": items})
    with read_session(sessions) as session:
        picks = list(session.execute(select(Certificate.number, Organization.uscc, Organization.name).join(
            Organization, Organization.id == Certificate.organization_id).order_by(Certificate.id).limit(400)))
    rows = []
    for i in range(40 if picks else 0):
        number, uscc, name = picks[rng.randrange(len(picks))]
        k = i % 5
        rows.append([name, "", ""] if k == 0 else ["", uscc or "", ""] if k == 1 else ["", "", number] if k == 2
                    else [name[2:], "", ""] if k == 3 else [f"示例虚构供应商{i}号商行", "", ""])
    path = Path(data_dir) / "demo-supplier-list.csv"
    path.write_bytes(write_csv_bytes(["供应商名称", "统一社会信用代码", "证书编号"], rows))
    return {"lab_items": 4 * len(labs), "supplier_rows": len(rows)}
