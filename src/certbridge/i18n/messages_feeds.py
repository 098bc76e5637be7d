"""Messages of watch-lists, the change feed and the bulk files (opendata/feeds)."""

MESSAGES: dict[str, dict[str, str]] = {
    "feeds.kind_unknown": {"zh": "无法关注“{kind}”：可关注的类型为 {kinds}。",
                           "en": "Cannot watch “{kind}”: watch one of {kinds}."},
    "feeds.target_not_found": {"zh": "要关注的{kind}记录 {id} 不存在，请填写记录编号（数字）。",
                               "en": "There is no {kind} record {id} to watch; give the record id (a number)."},
    "feeds.search_fields": {"zh": "保存的查询只能按这些字段筛选：{fields}（无法识别：{unknown}），且至少填写一项。",
                            "en": "A saved search filters on these fields only: {fields} (not understood: {unknown}), "
                                  "and needs at least one."},
    "feeds.search_json": {"zh": "保存的查询须为 JSON 对象，例如 {{\"scheme_code\": \"QMS\"}}；可用字段：{fields}。",
                          "en": "A saved search is a JSON object such as {{\"scheme_code\": \"QMS\"}}; fields: {fields}."},
    "feeds.webhook_url": {"zh": "Webhook 地址“{value}”无效：须为 http:// 或 https:// 开头的完整地址。",
                          "en": "The webhook URL “{value}” is not valid: give a full http:// or https:// address."},
    "feeds.email": {"zh": "电子邮件地址“{value}”无效。", "en": "The e-mail address “{value}” is not valid."},
    "feeds.cursor_range": {"zh": "账本位置 {value} 超出范围：须在 0 到 {size} 之间。",
                           "en": "Log position {value} is out of range: give 0 to {size}."},
    "feeds.too_many": {"zh": "关注项已达上限 {limit} 个，请先停止不再需要的关注。",
                       "en": "You already have {limit} watches, the most allowed; stop some you no longer need."},
    "feeds.needs_user": {"zh": "关注须以用户身份（登录或 API 密钥）创建。",
                         "en": "A watch belongs to a user: sign in or use an API key."},
    "feeds.watch_not_found": {"zh": "没有编号为 {id} 的关注项（或它不属于您）。",
                              "en": "There is no watch {id} (or it is not yours)."},
    "feeds.bulk_file_not_found": {"zh": "没有 {day} 的批量文件 {name}。", "en": "There is no bulk file {name} of {day}."},
    "feeds.log_moving": {"zh": "账本一直在写入，未能取得与签名检查点一致的快照；请稍后重试。",
                         "en": "The log kept moving: no snapshot matched a signed checkpoint; try again shortly."},
    "feeds.bulk_worker_failed": {"zh": "批量文件的写入进程失败，当天文件未生成（不留半成品）：{reason}",
                                 "en": "A process writing the bulk files failed; the day's files were not built "
                                       "(nothing half-written is left): {reason}"},
    "feeds.bulk_snapshot_differs": {"zh": "批量文件的写入进程读到的账本大小（{seen}）不是检查点的大小（{size}），"
                                          "当天文件未生成；请稍后重试。",
                                    "en": "A process writing the bulk files saw the log at size {seen}, not at the "
                                          "checkpoint's {size}; the day's files were not built: try again shortly."},
    "feeds.day_format": {"zh": "{value} 不是 YYYY-MM-DD 格式的日期。", "en": "{value} is not a YYYY-MM-DD date."},
    "feeds.bulk_built": {"zh": "{day} 的批量文件已生成：{folder}", "en": "The bulk files of {day} are built: {folder}"},
    "feeds.mirror_refused": {"zh": "镜像未通过校验，已拒绝：{reason}", "en": "The mirror is refused: {reason}"},
    "feeds.mirror_done": {"zh": "已重建只读镜像 {out}：截至 {day}，对应账本检查点大小 {size}，全部校验通过。",
                          "en": "Read-only mirror {out} rebuilt as of {day} (log checkpoint size {size}); every check passed."},
}
