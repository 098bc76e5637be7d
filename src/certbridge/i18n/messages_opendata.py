"""Messages of open data (certbridge.opendata): bulk verification, quotas, directory, IAF files."""

MESSAGES: dict[str, dict[str, str]] = {
    # bulk verification: input
    "bulk.empty": {"zh": "名单中没有任何数据行", "en": "The list has no rows"},
    "bulk.too_many_rows": {"zh": "名单最多 {max} 行，请拆分后分批核验", "en": "A list may have at most {max} rows; split it"},
    "bulk.cell_too_long": {"zh": "第 {row} 行「{field}」过长（最多 {max} 个字符）",
                           "en": "Row {row}: “{field}” is too long (at most {max} characters)"},
    "bulk.no_columns": {"zh": "未找到可识别的列（企业名称、统一社会信用代码或证书编号）；文件的列为：{columns}",
                        "en": "No column we recognise (company name, USCC or certificate number); the file's columns "
                              "are: {columns}"},
    "bulk.not_found": {"zh": "找不到这次名单核验（编号 {id}），或链接已失效", "en": "There is no list verification {id}, "
                       "or the link is no longer valid"},
    "bulk.not_ready": {"zh": "名单仍在核验中，请稍后再下载回执", "en": "The list is still being verified; download the "
                       "receipt once it is done"},
    "bulk.failed": {"zh": "名单核验未能完成，请重新提交", "en": "The list could not be verified; submit it again"},
    "bulk.use_job": {"zh": "超过 {max} 行的名单请上传文件（后台核验）", "en": "Lists over {max} rows are uploaded as a "
                     "file and verified in the background"},
    # bulk verification: answers
    "bulk.outcome.valid": {"zh": "有有效证书", "en": "Valid certificate"},
    "bulk.outcome.not_valid": {"zh": "无有效证书", "en": "No valid certificate"},
    "bulk.outcome.no_certificate": {"zh": "无符合要求的证书", "en": "No certificate meeting the requirement"},
    "bulk.outcome.ambiguous": {"zh": "匹配到多家组织，请确认", "en": "Several organizations fit; please choose"},
    "bulk.outcome.not_found": {"zh": "未找到", "en": "Not found"},
    "bulk.match.uscc": {"zh": "统一社会信用代码", "en": "USCC"},
    "bulk.match.number": {"zh": "证书编号", "en": "Certificate number"},
    "bulk.match.name_exact": {"zh": "名称完全一致", "en": "Exact name"},
    "bulk.match.name_fuzzy": {"zh": "名称相似", "en": "Similar name"},
    "bulk.match.ambiguous": {"zh": "不确定", "en": "Ambiguous"},
    "bulk.match.none": {"zh": "无匹配", "en": "No match"},
    "bulk.note.uscc_invalid": {"zh": "统一社会信用代码格式错误", "en": "The USCC is malformed"},
    "bulk.note.uscc_unknown": {"zh": "统一社会信用代码未登记", "en": "No organization has this USCC"},
    "bulk.note.number_unknown": {"zh": "证书编号不存在", "en": "No certificate has this number"},
    "bulk.note.number_several_holders": {"zh": "该证书编号属于多家组织", "en": "Certificates of several holders have "
                                         "this number"},
    "bulk.note.name_several": {"zh": "多家组织同名", "en": "Several organizations have this name"},
    "bulk.note.nothing_to_match": {"zh": "该行没有名称、信用代码或证书编号", "en": "The row has no name, USCC or "
                                   "certificate number"},
    "bulk.summary": {"zh": "共 {rows} 行：有效 {valid}，无有效证书 {not_valid}，无符合要求的证书 {no_certificate}，"
                           "待确认 {ambiguous}，未找到 {not_found}",
                     "en": "{rows} rows: valid {valid}, no valid certificate {not_valid}, none meeting the requirement "
                           "{no_certificate}, ambiguous {ambiguous}, not found {not_found}"},
    "bulk.col.row": {"zh": "行号", "en": "Row"},
    "bulk.col.input": {"zh": "名单内容", "en": "As listed"},
    "bulk.col.outcome": {"zh": "结论", "en": "Answer"},
    "bulk.col.match": {"zh": "匹配方式", "en": "Matched by"},
    "bulk.col.organization": {"zh": "组织", "en": "Organization"},
    "bulk.col.uscc": {"zh": "统一社会信用代码", "en": "USCC"},
    "bulk.col.certificate": {"zh": "证书编号", "en": "Certificate"},
    "bulk.col.status": {"zh": "证书状态", "en": "Status"},
    "bulk.col.reasons": {"zh": "说明", "en": "Reasons"},
    "bulk.sheet.rows": {"zh": "核验结果", "en": "Results"},
    "bulk.sheet.receipt": {"zh": "回执", "en": "Receipt"},
    "bulk.pdf.title": {"zh": "供应商名单认证核验回执", "en": "Supplier list verification receipt"},
    "bulk.pdf.issued": {"zh": "出具", "en": "Issued"},
    "bulk.pdf.list": {"zh": "名单", "en": "List"},
    "bulk.pdf.list_hash": {"zh": "名单摘要 SHA-256", "en": "List digest SHA-256"},
    "bulk.pdf.summary": {"zh": "结果", "en": "Results"},
    "bulk.pdf.checkpoint": {"zh": "日志检查点", "en": "Log checkpoint"},
    "bulk.pdf.rows_root": {"zh": "结果默克尔根", "en": "Rows Merkle root"},
    "bulk.pdf.signature": {"zh": "平台签名", "en": "Platform signature"},
    "bulk.pdf.howto": {"zh": "离线核对：certbridge verify-bulk-receipt 本文件.pdf --key <平台凭证公钥> --log-key <日志公钥>"
                             " [--list 名单文件]。本回执内嵌签名的 JSON。",
                       "en": "Check offline: certbridge verify-bulk-receipt this.pdf --key <credential key> --log-key "
                             "<log key> [--list your-list-file]. The signed JSON is embedded in this PDF."},
    # bulk receipt: offline check
    "bulk_receipt.format": {"zh": "这不是批量核验回执（certbridge-bulk-receipt/v1、v2 或 v3）",
                            "en": "This is not a bulk verification receipt (certbridge-bulk-receipt/v1, v2 or v3)"},
    "bulk_receipt.map_missing": {"zh": "检查点含状态映射根，回执却没有状态映射证明",
                                 "en": "The checkpoint carries a state-map root but the receipt has no state-map proof"},
    "bulk_receipt.map_proof": {"zh": "回执的状态映射证明不成立：{detail}",
                               "en": "The receipt's state-map proof does not hold: {detail}"},
    "bulk_receipt.map_latest": {"zh": "证书 {number} 在该检查点的最新事件不是回执所列的 {seq} 号：有事件被略去",
                                "en": "Certificate {number}: its latest event as of the checkpoint is not event {seq} "
                                      "the receipt names — an event was left out"},
    "bulk_receipt.map_absent": {"zh": "回执称编号 {number} 查无证书，但认证机构 {body} 名下有此编号的证书",
                                "en": "The receipt says number {number} matched no certificate, but body {body} has a "
                                      "certificate with that number"},
    "bulk_receipt.map_ok": {"zh": "状态映射证明成立：{certificates} 张证书的最新事件、{absent_numbers} 个查无编号在 "
                                  "{bodies} 家机构下均不存在",
                            "en": "State-map proof holds: the latest event of {certificates} certificates, and "
                                  "{absent_numbers} unknown numbers absent under all {bodies} bodies"},
    "bulk_receipt.map_unchecked": {"zh": "此回执未带状态映射证明（v1 回执或检查点无状态映射行），未核对最新事件",
                                   "en": "This receipt carries no state-map proof (a v1 receipt, or a checkpoint with no "
                                         "map line): latest events were not checked"},
    "bulk_receipt.row_count": {"zh": "回执含 {rows} 行，却声明 {stated} 行", "en": "The receipt holds {rows} rows but "
                               "states {stated}"},
    "bulk_receipt.rows_root": {"zh": "回执各行与其默克尔根不符：行被改动、增删或重排",
                               "en": "The rows do not give the stated Merkle root: rows were changed, added, dropped "
                                     "or reordered"},
    "bulk_receipt.summary": {"zh": "回执的汇总与各行不符", "en": "The summary does not agree with the rows"},
    "bulk_receipt.row_outcome": {"zh": "第 {row} 行的结论与其证书不符", "en": "Row {row}: the answer does not agree "
                                 "with its certificates"},
    "bulk_receipt.other_list": {"zh": "回执对应的不是这份名单（名单摘要不同）",
                                "en": "The receipt answers another list (the list digest differs)"},
    "bulk_receipt.ok": {"zh": "批量回执有效：{summary}", "en": "The bulk receipt checks out: {summary}"},
    "bulk_receipt.list_ok": {"zh": "回执对应的正是这份名单", "en": "The receipt answers exactly this list"},
    "bulk_receipt.status_note": {"zh": "各证书状态由平台签名声明；如需由日志事件逐一证明，请下载该证书的单证回执",
                                 "en": "Each certificate's status is stated under the platform's signature; for a "
                                       "proof from its log events, download that certificate's own receipt"},
}
MESSAGES.update({
    "quota.exceeded": {"zh": "已用完今日配额「{quota}」（{limit}），将于 {resets_at}（北京时间）重置；如需更多，请申请 API 密钥或联系管理员提高配额",
                       "en": "Today's quota “{quota}” ({limit}) is used up; it resets at {resets_at} (China Standard "
                             "Time). For more, use an API key or ask the administrator for a higher quota"},
    "quota.range": {"zh": "「{field}」须在 1 到 {max} 之间", "en": "“{field}” must be between 1 and {max}"},
    "quota.no_such_key": {"zh": "没有编号为 {key_id} 的 API 密钥", "en": "There is no API key {key_id}"},
})
MESSAGES.update({
    "directory.need_parameter": {"zh": "请填写要检测的产品或参数，或标准（方法）", "en": "Give a product or test parameter, or "
                                 "a standard (method)"},
    "directory.unknown_scheme": {"zh": "没有代码为「{scheme}」的认证项目（例如 QMS、CCC）", "en": "There is no scheme "
                                 "“{scheme}” (e.g. QMS, CCC)"},
})
