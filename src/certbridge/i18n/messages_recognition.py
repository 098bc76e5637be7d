"""Messages of 监管互认, the mutual recognition of supervision between federated instances
(federation/recognition.py, credit/recognized.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "recognition.source.spot_check": {"zh": "来自 {peer} 的抽查结果", "en": "Spot-check result from {peer}"},
    "recognition.source.penalty": {"zh": "来自 {peer} 的行政处罚", "en": "Penalty decided by {peer}"},
    "recognition.switched_on": {"zh": "已认可 {peer} 的抽查结果和行政处罚：现有 {counted} 条计入本实例。",
                                "en": "{peer}'s spot-check results and penalties are recognized: {counted} count "
                                      "here now."},
    "recognition.switched_off": {"zh": "已停止认可 {peer} 的抽查结果和行政处罚：今后的抽取和信用、风险不再计入"
                                       "（已提交的抽取保留其输入）。",
                                 "en": "{peer}'s spot-check results and penalties are no longer recognized: new draws, "
                                       "credit and risk stop counting them (committed draws keep their inputs)."},
}
