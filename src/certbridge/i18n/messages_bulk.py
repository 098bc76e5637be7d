"""Messages of the bulk-issue path (certificates.bulk)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "bulk.stale_batch": {
        "zh": "批量数据准备后，账本已被其他写入改变（预期位置 {expected}，实际 {found}），请重新准备后再提交",
        "en": "The ledger moved after this batch was prepared (expected position {expected}, found {found}); "
              "prepare it again",
    },
    "bulk.duplicate": {
        "zh": "批量数据中的证书编号或统一社会信用代码与已有记录重复：{detail}",
        "en": "A certificate number or USCC in the batch duplicates an existing record: {detail}",
    },
}
