"""Messages of input hygiene: upload size limits, text encodings, invisible characters removed on import."""

_ACCEPTED_ZH = "只接受 UTF-8（可带 BOM）或 GBK/GB18030 编码"
_ACCEPTED_EN = "only UTF-8 (with or without BOM) and GBK/GB18030 are accepted"

MESSAGES: dict[str, dict[str, str]] = {
    "import.too_large": {"zh": "文件超过 {max_mb} MB 上限，请拆分后分批上传",
                         "en": "The file exceeds the {max_mb} MB limit; split it and upload the parts"},
    "import.row_too_long": {"zh": "第 {row} 行共超过 {max} 个字符，超出单行上限，请检查是否有多余内容",
                            "en": "Row {row} holds more than {max} characters in all, over the per-row limit; check it for stray content"},
    "import.encoding": {
        "zh": f"无法确定文件的文字编码，{_ACCEPTED_ZH}；日文 Shift-JIS、繁体 Big5 等编码的文件请先在 Excel 或记事本中另存为 UTF-8 CSV",
        "en": f"The file's text encoding cannot be determined with certainty; {_ACCEPTED_EN} — save Shift-JIS, Big5 "
              "or other files as UTF-8 CSV first"},
    "import.encoding_utf16": {
        "zh": f"文件是 UTF-16 编码（Excel“Unicode 文本”），{_ACCEPTED_ZH}；请另存为“CSV UTF-8（逗号分隔）”",
        "en": f"The file is UTF-16 (Excel \"Unicode Text\"); {_ACCEPTED_EN} — save it as \"CSV UTF-8 (Comma delimited)\""},
    "import.binary": {"zh": f"文件含有二进制内容，不是文本 CSV；{_ACCEPTED_ZH}的 CSV",
                      "en": f"The file holds binary content and is not a text CSV; {_ACCEPTED_EN}"},
    "import.invisible_removed": {
        "zh": "第 {row} 行「{column}」中的不可见字符（零宽空格、BOM、方向控制符等）已删除",
        "en": "Row {row}, '{column}': invisible characters (zero-width spaces, BOMs, direction controls …) were removed"},
}
