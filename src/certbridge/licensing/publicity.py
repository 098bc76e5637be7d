"""The 双公示 field layouts (XK_ licensing, CF_ penalty) and their CSV and XLSX files.

Field codes follow the national "双公示" data standard as it is used across provincial credit platforms
(信用中国 exchange templates): XK_XDR_MC … XK_LYDWDM, BZ for licensing; CF_XDR_MC … CF_SJLYDM, BZ for
penalties. docs/supervision.md lists which codes were confirmed against several independent sources and
which were inferred. Codes are the header row; the XLSX adds the Chinese names as a second header row.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from certbridge.kit.spreadsheet import write_csv_bytes, xlsx_cells
from certbridge.licensing.models import LicensingRecord

PARTY_CATEGORY = {"legal_person": "法人及非法人组织", "individual_business": "个体工商户", "natural_person": "自然人"}
STATUS_CODE = {"valid": "1", "invalid": "2"}  # XK_ZT: 1 有效, 2 无效

XK_FIELDS: list[tuple[str, str]] = [
    ("XK_XDR_MC", "行政相对人名称"),
    ("XK_XDR_LB", "行政相对人类别"),
    ("XK_XDR_SHXYM", "行政相对人代码_1(统一社会信用代码)"),
    ("XK_XDR_GSZC", "行政相对人代码_2(工商注册号)"),
    ("XK_XDR_ZZJG", "行政相对人代码_3(组织机构代码)"),
    ("XK_XDR_SWDJ", "行政相对人代码_4(税务登记号)"),
    ("XK_XDR_SYDW", "行政相对人代码_5(事业单位证书号)"),
    ("XK_XDR_SHZZ", "行政相对人代码_6(社会组织登记证号)"),
    ("XK_FRDB", "法定代表人"),
    ("XK_FR_ZJLX", "法定代表人证件类型"),
    ("XK_FR_ZJHM", "法定代表人证件号码"),
    ("XK_XDR_ZJLX", "证件类型"),
    ("XK_XDR_ZJHM", "证件号码"),
    ("XK_XKWS", "行政许可决定文书名称"),
    ("XK_WSH", "行政许可决定文书号"),
    ("XK_XKLB", "许可类别"),
    ("XK_XKZS", "许可证书名称"),
    ("XK_XKBH", "许可编号"),
    ("XK_NR", "许可内容"),
    ("XK_JDRQ", "许可决定日期"),
    ("XK_YXQZ", "有效期自"),
    ("XK_YXQZI", "有效期至"),
    ("XK_XKJG", "许可机关"),
    ("XK_XKJGDM", "许可机关统一社会信用代码"),
    ("XK_ZT", "当前状态(1有效,2无效)"),
    ("XK_LYDW", "数据来源单位"),
    ("XK_LYDWDM", "数据来源单位统一社会信用代码"),
    ("BZ", "备注"),
]

CF_FIELDS: list[tuple[str, str]] = [
    ("CF_XDR_MC", "行政相对人名称"),
    ("CF_XDR_LB", "行政相对人类别"),
    ("CF_XDR_SHXYM", "行政相对人代码_1(统一社会信用代码)"),
    ("CF_XDR_GSZC", "行政相对人代码_2(工商注册号)"),
    ("CF_XDR_ZZJG", "行政相对人代码_3(组织机构代码)"),
    ("CF_XDR_SWDJ", "行政相对人代码_4(税务登记号)"),
    ("CF_XDR_SYDW", "行政相对人代码_5(事业单位证书号)"),
    ("CF_XDR_SHZZ", "行政相对人代码_6(社会组织登记证号)"),
    ("CF_FRDB", "法定代表人"),
    ("CF_FR_ZJLX", "法定代表人证件类型"),
    ("CF_FR_ZJHM", "法定代表人证件号码"),
    ("CF_XDR_ZJLX", "证件类型"),
    ("CF_XDR_ZJHM", "证件号码"),
    ("CF_WSH", "行政处罚决定书文号"),
    ("CF_WFXW", "违法行为类型"),
    ("CF_SY", "违法事实"),
    ("CF_YJ", "处罚依据"),
    ("CF_CFLB", "处罚类别"),
    ("CF_NR", "处罚内容"),
    ("CF_NR_FK", "罚款金额(万元)"),
    ("CF_NR_WFFF", "没收违法所得、没收非法财物的金额(万元)"),
    ("CF_NR_ZKDX", "暂扣或吊销证照名称及编号"),
    ("CF_JDRQ", "处罚决定日期"),
    ("CF_YXQ", "处罚有效期"),
    ("CF_GSJZQ", "公示截止期"),
    ("CF_CFJG", "处罚机关"),
    ("CF_CFJGDM", "处罚机关统一社会信用代码"),
    ("CF_SJLY", "数据来源单位"),
    ("CF_SJLYDM", "数据来源单位统一社会信用代码"),
    ("BZ", "备注"),
]


def cell_text(value: Any) -> str:
    """Render a value as the layouts want it: ISO dates, plain decimals (万元), empty for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def licensing_row(record: LicensingRecord, status: str) -> dict[str, str]:
    """Return a licensing record as one XK_ row."""
    values = {
        "XK_XDR_MC": record.party_name, "XK_XDR_LB": PARTY_CATEGORY.get(record.party_type, record.party_type),
        "XK_XDR_SHXYM": record.party_uscc, "XK_FRDB": record.legal_representative,
        "XK_XKWS": record.document_name, "XK_WSH": record.document_number, "XK_XKLB": record.category,
        "XK_XKZS": record.licence_name, "XK_XKBH": record.licence_number, "XK_NR": record.content,
        "XK_JDRQ": record.decided_on, "XK_YXQZ": record.valid_from, "XK_YXQZI": record.valid_to,
        "XK_XKJG": record.authority, "XK_XKJGDM": record.authority_uscc, "XK_ZT": STATUS_CODE[status],
        "XK_LYDW": record.data_source, "XK_LYDWDM": record.data_source_uscc, "BZ": record.remarks,
    }
    return {code: cell_text(values.get(code)) for code, _ in XK_FIELDS}


def write_csv(fields: list[tuple[str, str]], rows: Iterable[dict[str, str]]) -> bytes:
    """Write rows as UTF-8 CSV (with BOM, for Excel) under a header of field codes."""
    return write_csv_bytes([code for code, _ in fields], ([row.get(code, "") for code, _ in fields] for row in rows))


def write_xlsx(fields: list[tuple[str, str]], rows: Iterable[dict[str, str]], title: str) -> bytes:
    """Write rows as an XLSX sheet: field codes, then Chinese names, then one row per record."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([code for code, _ in fields])
    sheet.append([label for _, label in fields])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx_cells(sheet, [row.get(code, "") for code, _ in fields]))  # text, never a formula
    sheet.freeze_panes = "A3"
    for index, (code, _) in enumerate(fields, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(code) + 4)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
