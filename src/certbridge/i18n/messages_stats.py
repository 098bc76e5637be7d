"""Messages of the statistics: dates, regions, measures and targets a request may get wrong."""

MESSAGES: dict[str, dict[str, str]] = {
    "stats.date_format": {"zh": "{value} 不是 YYYY-MM-DD 格式的日期。", "en": "{value} is not a YYYY-MM-DD date."},
    "stats.region_unknown": {"zh": "没有代码为 {code} 的行政区划（请用 6 位 GB/T 2260 代码，如 450500）。",
                             "en": "There is no region with code {code} (use a 6-digit GB/T 2260 code such as 450500)."},
    "stats.dimension_unknown": {"zh": "无法按“{dim}”分类统计（可用：{allowed}）。",
                                "en": "Figures cannot be broken down by “{dim}” (use one of: {allowed})."},
    "stats.measure_unknown": {"zh": "没有“{measure}”这一指标（可用：{allowed}）。",
                              "en": "There is no measure “{measure}” (use one of: {allowed})."},
    "stats.rebuilding": {"zh": "统计数据正在根据账本重建：账本共 {size} 条记录，统计已折叠至第 {folded} 条。"
                                 "后台重建完成后即可查看，请稍后再试。",
                         "en": "Statistics are being rebuilt from the log: it holds {size} entries and the statistics "
                               "are folded up to entry {folded}. They answer once the background rebuild is done; "
                               "try again shortly."},
    "stats.rebuilding_progress": {"zh": "统计数据正在根据账本重建：账本共 {size} 条记录，统计已折叠至第 {folded} 条，"
                                        "后台已重新折叠 {certificates} 张证书。重建完成后即可查看，请稍后再试。",
                                  "en": "Statistics are being rebuilt from the log: it holds {size} entries, the "
                                        "statistics are folded up to entry {folded} and the background rebuild has "
                                        "folded {certificates} certificates so far. They answer once it is done; "
                                        "try again shortly."},
    "stats.period_reversed": {"zh": "统计期间的起始日 {start} 晚于截止日 {end}。",
                              "en": "The period starts on {start}, after its end {end}."},
    "stats.period_too_long": {"zh": "统计期间最长 {years} 年。", "en": "A period may span at most {years} years."},
    "stats.threshold_invalid": {"zh": "目标值必须是 1 到 100000000 之间的整数，收到“{value}”。",
                                "en": "The threshold must be a whole number from 1 to 100000000, not “{value}”."},
    "stats.source_required": {"zh": "请填写目标的依据文件（如 北政办〔2018〕200号）。",
                              "en": "Enter the document the target comes from (e.g. 北政办〔2018〕200号)."},
    "stats.target_not_found": {"zh": "没有编号为 {id} 的目标。", "en": "There is no target no. {id}."},
    "stats.report_not_found": {"zh": "没有 {region} 在 {month} 的月度报告。",
                               "en": "There is no monthly report for {region} in {month}."},
    "stats.month_format": {"zh": "{value} 不是 YYYY-MM 格式的月份。", "en": "{value} is not a YYYY-MM month."},
    "stats.recompute_differs": {"zh": "从日志重算的 {count} 个数字与已存数字不一致。",
                                "en": "{count} figures recomputed from the log differ from the stored ones."},
    "stats.recompute_equal": {"zh": "从日志重算的 {count} 个数字与已存数字一致（树大小 {size}）。",
                              "en": "All {count} figures recomputed from the log equal the stored ones (tree size {size})."},
}
