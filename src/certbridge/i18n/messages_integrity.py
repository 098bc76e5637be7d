"""Messages of the integrity guard: signing only what the log proves, the monitor, receipt chains."""

MESSAGES: dict[str, dict[str, str]] = {
    "ledger.append_over_hole": {
        "zh": "追溯日志缺少第 {seq} 号事件（已被删除），为免覆盖空洞，拒绝写入。请运行 certbridge ledger verify 并修复数据库",
        "en": "Log event {seq} is missing (deleted); nothing is written over the hole. Run certbridge ledger verify "
              "and repair the database"},
    "integrity.degraded": {
        "zh": "追溯日志完整性检查发现问题，服务器已停止签发令牌、回执和检查点：{problem}",
        "en": "The log integrity check found a problem, so this server signs no tokens, receipts or checkpoints: {problem}"},
    "integrity.warning": {
        "zh": "注意：本平台的追溯日志完整性检查发现异常，以下结果暂不能作为证明，请稍后再核验或联系平台运营方",
        "en": "Warning: this platform's log integrity check found a problem; do not rely on this answer as proof "
              "until it is resolved (check again later or contact the operator)"},
    "integrity.unknown": {"zh": "原因未记录", "en": "no reason recorded"},
    "integrity.event_missing": {"zh": "日志第 {seq} 号事件缺失（已被删除）", "en": "Log event {seq} is missing (deleted)"},
    "integrity.leaf_hash": {"zh": "日志第 {seq} 号事件的内容与其叶哈希不符（内容被改动）",
                            "en": "Log event {seq}'s body does not hash to its leaf hash (it was edited)"},
    "integrity.event_beyond_head": {"zh": "日志中有第 {seq} 号事件，但日志头只记录了 {head} 条",
                                    "en": "The log holds event {seq} but its head counts only {head} events"},
    "integrity.stored_hash": {"zh": "存储的哈希树第 {index} 号哈希（叶 {leaf} 起）与由事件重算的不符",
                              "en": "Stored tree hash {index} (from leaf {leaf}) differs from the one recomputed from the events"},
    "integrity.tree_root": {"zh": "哈希树（大小 {size}）的根与存储的子树哈希不符",
                            "en": "The tree's root (size {size}) does not match its stored subtree hashes"},
    "integrity.tree_beyond_log": {"zh": "哈希树大小 {tree} 超过了日志的 {head} 条事件",
                                  "en": "The tree's size {tree} exceeds the log's {head} events"},
    "integrity.checkpoint": {"zh": "最新检查点（大小 {size}）与哈希树（大小 {tree}）不一致",
                             "en": "The latest checkpoint (size {size}) does not match the tree (size {tree})"},
    "integrity.checkpoint_signature": {"zh": "最新检查点（大小 {size}）没有有效的日志密钥签名",
                                       "en": "The latest checkpoint (size {size}) has no valid log key signature"},
    "integrity.row_missing": {"zh": "表 {table} 缺少第 {id} 行，而日志中有它的事件",
                              "en": "Table {table} has no row {id}, though the log has events of it"},
    "integrity.row_unlogged": {"zh": "表 {table} 第 {id} 行在日志中没有任何事件：绕过服务写入",
                               "en": "Table {table}, row {id} has no event in the log: written behind the services' back"},
    "integrity.row_differs": {"zh": "表 {table} 第 {id} 行的「{field}」与日志不符：绕过服务改动",
                              "en": "Table {table}, row {id}: '{field}' differs from the log (edited behind the services' back)"},
    "health.ok": {"zh": "运行正常", "en": "Healthy"},
    "credential.not_in_log": {
        "zh": "证书 {id} 在追溯日志中没有颁发事件（疑为绕过服务直接写入数据库），平台不为其签发令牌或回执",
        "en": "Certificate {id} has no issue event in the log (it looks written straight into the database); "
              "no token or receipt is signed for it"},
    "credential.row_differs": {
        "zh": "证书 {id} 的数据（{fields}）与追溯日志不符（疑为绕过服务改动），平台不为其签发令牌或回执",
        "en": "Certificate {id}'s record ({fields}) differs from its log (edited behind the services' back); "
              "no token or receipt is signed for it"},
    "token.not_in_log": {
        "zh": "令牌签名是真的，但这张证书在追溯日志中没有颁发事件，不能视为有效证书",
        "en": "The token's signature is genuine, but the certificate has no issue event in the log: do not treat it as valid"},
    "token.log_differs": {
        "zh": "令牌签名是真的，但证书数据（{fields}）与追溯日志不符，不能视为有效证书",
        "en": "The token's signature is genuine, but the certificate's record ({fields}) differs from its log: "
              "do not treat it as valid"},
    "receipt.chain_start": {"zh": "回执的第一个事件 {seq} 不是证书的颁发事件：缺少前面的事件",
                            "en": "The receipt's first event {seq} is not the certificate's issue event: earlier events are missing"},
    "receipt.chain_broken": {
        "zh": "事件 {seq} 指向的前一事件是 {prev}，而回执中它前面是 {given}：中间的事件被删去",
        "en": "Event {seq} names {prev} as its previous event, but the receipt has {given} before it: an event was left out"},
    "receipt.claim_unproven": {"zh": "回执所述「{field}」没有日志事件可以证明",
                               "en": "The receipt states '{field}', which none of its events prove"},
    "receipt.statement_differs": {"zh": "回执的陈述（{lang}）与其所述字段不符：陈述被改动",
                                  "en": "The receipt's statement ({lang}) is not what its fields say: it was altered"},
    "receipt.event_dropped": {
        "zh": "回执缺少日志第 {seq} 号事件（在其检查点之内）：回执不完整，所述状态不可信",
        "en": "The receipt leaves out log event {seq} (within its checkpoint): it is incomplete and its status cannot be trusted"},
    "receipt.ok_online": {
        "zh": "回执有效：由本平台签发，{events} 个事件与所述状态「{status}」均经日志核验，且没有遗漏事件",
        "en": "The receipt checks out: signed by this platform, its {events} events and the stated status "
              "'{status}' proven by the log, with no event left out"},
    "receipt.fields_unproven": {
        "zh": "注意：这是旧格式回执（2026-12-06 之前），其统一社会信用代码和认证机构没有日志事件证明",
        "en": "Note: a receipt in the old form (before 2026-12-06): its USCC and certification body are not proven by log events"},
    "receipt.tail_note": {
        "zh": "离线核验无法证明回执之后（或末尾）没有被略去的事件；要确认没有遗漏，请提交到 POST /api/v1/receipts/verify 在线核验",
        "en": "Offline, nobody can prove that no event was left off the end of the receipt; to confirm none was, "
              "check it online with POST /api/v1/receipts/verify"},
    "ledger.verify.event_missing": {"zh": "日志第 {seq} 号事件缺失（已被删除）",
                                    "en": "Event {seq} is missing from the log (deleted)"},
}
