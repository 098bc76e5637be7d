"""Messages of the ledger and credentials: code → Chinese and English text. Parameters in {braces}."""

MESSAGES: dict[str, dict[str, str]] = {
    # ledger: errors a caller can cause
    "ledger.no_checkpoint": {"zh": "追溯日志尚未签发检查点，请稍后再试",
                             "en": "The log has not signed a checkpoint yet; try again in a moment"},
    "ledger.checkpoint_not_found": {"zh": "没有树大小为 {size} 的已签名检查点",
                                    "en": "No signed checkpoint of tree size {size}"},
    "ledger.size_not_integrated": {"zh": "日志目前只有 {have} 条已入树的事件，无法给出大小为 {size} 的证明",
                                   "en": "The tree holds {have} events; there is no proof for size {size} yet"},
    "ledger.index_out_of_range": {"zh": "事件序号 {index} 不在大小为 {size} 的树中（应小于树大小）",
                                  "en": "Event index {index} is not in a tree of size {size} (it must be smaller)"},
    "ledger.sizes_out_of_order": {"zh": "一致性证明要求 1 ≤ 旧大小（{old}）≤ 新大小（{new}）",
                                  "en": "A consistency proof needs 1 ≤ old size ({old}) ≤ new size ({new})"},
    "ledger.event_not_found": {"zh": "找不到序号为 {seq} 的事件", "en": "No event with seq {seq}"},
    "ledger.event_not_yet_in_checkpoint": {
        "zh": "事件 {seq} 尚未包含在检查点中（检查点大小 {size}），请稍后再下载证明",
        "en": "Event {seq} is not yet in a checkpoint (size {size}); download the proof again shortly"},
    "ledger.not_this_certificate": {"zh": "事件 {seq} 不属于证书 {id} 的公开历史",
                                    "en": "Event {seq} is not part of certificate {id}'s public history"},
    "ledger.tile_not_found": {"zh": "瓦片 {path} 不存在（尚未生成或路径不规范）",
                              "en": "Tile {path} does not exist (not yet in the tree, or a non-canonical path)"},
    "ledger.key_purpose": {"zh": "密钥用途「{purpose}」未知，可选：{allowed}",
                           "en": "Unknown key purpose '{purpose}'; choose one of: {allowed}"},
    "ledger.instance_name": {"zh": "实例名称「{name}」不能用作密钥名：不得含空格或“+”",
                             "en": "Instance name '{name}' cannot name a key: no spaces or '+' allowed"},
    "ledger.key_file_name": {"zh": "密钥文件 {path} 属于「{found}」，而本实例应为「{expected}」；实例名称变了吗？",
                             "en": "Key file {path} belongs to '{found}', but this instance is '{expected}'; "
                                   "did the instance name change?"},
    "ledger.key_not_current": {
        "zh": "本服务器的 {purpose} 密钥（{path}）不是日志当前登记的密钥，拒绝签名。请从主服务器复制密钥文件，"
              "或用 certbridge ledger rotate-key 轮换。当前登记：{expected}",
        "en": "This server's {purpose} key ({path}) is not the log's recorded key, so it will not sign. Copy the "
              "key file from the primary server, or rotate with certbridge ledger rotate-key. Recorded: {expected}"},
    "ledger.rotation_pending": {"zh": "已有未完成的密钥轮换（{path}）；请先检查该文件",
                                "en": "A key rotation is pending ({path}); check that file first"},
    "ledger.no_key_to_rotate": {"zh": "还没有 {purpose} 密钥可以轮换；先运行 certbridge ledger integrate",
                                "en": "There is no {purpose} key to rotate yet; run certbridge ledger integrate first"},
    "ledger.bad_verifier_key": {"zh": "验证公钥格式不正确：{detail}", "en": "Malformed verifier key: {detail}"},
    "ledger.witness_url": {"zh": "见证人地址「{url}」应以 http:// 或 https:// 开头",
                           "en": "Witness URL '{url}' must start with http:// or https://"},
    "ledger.witness_known": {"zh": "见证人 {name} 已配置", "en": "Witness {name} is already configured"},
    "ledger.witness_not_found": {"zh": "找不到编号为 {id} 的见证人", "en": "No witness with id {id}"},
    "ledger.log_key_known": {"zh": "已信任日志 {origin} 的这个公钥", "en": "This key of log {origin} is already trusted"},
    "ledger.witnessed_log_not_found": {"zh": "本实例未见证日志 {origin}", "en": "This instance does not witness log {origin}"},
    # ledger: the stored log is damaged
    "ledger.hash_missing": {"zh": "日志存储缺少哈希 {index}：数据被删除或损坏",
                            "en": "Stored hash {index} is missing: the log was damaged or rows were deleted"},
    "ledger.event_missing": {"zh": "日志缺少序号为 {seq} 的事件：数据被删除或损坏",
                             "en": "Event {seq} is missing from the log: rows were deleted or damaged"},
    "ledger.tree_missing": {"zh": "缺少日志树状态行；请运行 certbridge db upgrade",
                            "en": "The tree state row is missing; run certbridge db upgrade"},
    "ledger.head_behind_tree": {"zh": "事件计数（{head}）小于已入树大小（{tree}）：日志被截断",
                                "en": "The event count ({head}) is below the tree size ({tree}): the log was truncated"},
    # ledger verify
    "ledger.verify.title": {"zh": "追溯日志校验", "en": "Ledger verification"},
    "ledger.verify.phase.log": {"zh": "事件与哈希树", "en": "events and hash tree"},
    "ledger.verify.phase.state": {"zh": "重放 {kind}", "en": "replaying {kind}"},
    "ledger.verify.summary": {
        "zh": "事件 {events} 条 · 已入树 {tree} · 检查点 {checkpoints} 个 · 重放对象 {subjects} 个",
        "en": "{events} events · {tree} in the tree · {checkpoints} checkpoints · {subjects} subjects replayed"},
    "ledger.verify.ok": {"zh": "全部通过：日志完整，签名有效，当前数据与日志重放结果一致。",
                         "en": "All checks passed: the log is intact, signatures verify, and the current rows "
                               "are exactly what replaying the log gives."},
    "ledger.verify.failed": {"zh": "发现 {count} 个问题：", "en": "{count} problem(s) found:"},
    "ledger.verify.more": {"zh": "……另有 {count} 个同类问题未列出", "en": "… and {count} more of this kind"},
    "ledger.verify.seq_gap": {"zh": "事件序号不连续：应为 {expected}，实际为 {found}",
                              "en": "Event sequence has a gap: expected {expected}, found {found}"},
    "ledger.verify.leaf_hash": {"zh": "事件 {seq} 的内容与其叶哈希不符：事件内容被改动",
                                "en": "Event {seq}'s body does not hash to its leaf hash: the body was altered"},
    "ledger.verify.body_unreadable": {"zh": "事件 {seq} 的内容不是有效的 JSON", "en": "Event {seq}'s body is not valid JSON"},
    "ledger.verify.column_differs": {
        "zh": "事件 {seq} 的列「{field}」与已哈希的内容不符：内容为 {body}，列为 {column}",
        "en": "Event {seq}'s column '{field}' differs from its hashed body: body {body}, column {column}"},
    "ledger.verify.head_size": {"zh": "日志头记录 {head} 条事件，实际有 {events} 条",
                                "en": "The log head says {head} events, but there are {events}"},
    "ledger.verify.stored_hash": {
        "zh": "存储哈希 {index}（叶 {leaf} 起）与重算结果不符：应为 {expected}，实际为 {found}",
        "en": "Stored hash {index} (from leaf {leaf}) differs from the recomputed one: expected {expected}, "
              "found {found}"},
    "ledger.verify.tree_root": {"zh": "树状态行的根哈希与重算的大小为 {size} 的树不符",
                                "en": "The tree row's root hash differs from the recomputed tree of size {size}"},
    "ledger.verify.tree_beyond_events": {"zh": "树大小为 {tree}，但只有 {events} 条事件可以重算",
                                         "en": "The tree size is {tree}, but only {events} events can be recomputed"},
    "ledger.verify.checkpoint_root": {"zh": "检查点 #{id}（大小 {size}）的根哈希与重算的树不符",
                                      "en": "Checkpoint #{id} (size {size}) does not match the recomputed tree"},
    "ledger.verify.checkpoint_signature": {"zh": "检查点 #{id}（大小 {size}）没有密钥 {key} 的有效签名",
                                           "en": "Checkpoint #{id} (size {size}) has no valid signature by {key}"},
    "ledger.verify.checkpoint_key_period": {"zh": "检查点 #{id}（大小 {size}）签发时密钥 {key} 不在有效期内",
                                            "en": "Checkpoint #{id} (size {size}) was signed outside key {key}'s "
                                                  "period of use"},
    "ledger.verify.checkpoint_beyond_tree": {"zh": "检查点 #{id} 的大小 {size} 超出了事件数量",
                                             "en": "Checkpoint #{id} has size {size}, beyond the events"},
    "ledger.verify.cosignature": {"zh": "检查点 #{id}（大小 {size}）上的见证签名无效：{line}",
                                  "en": "Invalid witness cosignature on checkpoint #{id} (size {size}): {line}"},
    "ledger.verify.no_checkpoint": {"zh": "日志还没有任何检查点", "en": "The log has no checkpoint"},
    "ledger.verify.latest_checkpoint": {"zh": "最新检查点（大小 {size}）与树状态（大小 {tree}）不一致",
                                        "en": "The latest checkpoint (size {size}) disagrees with the tree "
                                              "(size {tree})"},
    "ledger.verify.state_mismatch": {
        "zh": "表 {table} 第 {id} 行的字段「{field}」与日志重放结果不符：日志为 {expected}，数据库为 {found}",
        "en": "Table {table}, id {id}, field '{field}' differs from the log: log says {expected}, row has {found}"},
    "ledger.verify.row_missing": {"zh": "表 {table} 缺少第 {id} 行，而日志中有它的事件",
                                  "en": "Table {table} has no row {id}, though the log has its events"},
    "ledger.verify.row_unlogged": {"zh": "表 {table} 第 {id} 行在日志中没有任何事件：绕过服务写入",
                                   "en": "Table {table}, row {id} has no event in the log: written behind the "
                                         "services' back"},
    # offline checks
    "offline.ok_inclusion": {"zh": "通过：事件 {index} 包含在 {origin} 大小为 {size} 的已签名检查点中",
                             "en": "OK: event {index} is included in {origin}'s signed checkpoint of size {size}"},
    "offline.ok_consistency": {"zh": "通过：{origin} 大小为 {new} 的检查点是 {old} 的延续（只追加，未改写）",
                               "en": "OK: {origin}'s checkpoint of size {new} extends the one of size {old} "
                                     "(append-only, nothing rewritten)"},
    "offline.signed_by": {"zh": "签名密钥：{keys}", "en": "Signed by: {keys}"},
    "offline.cosigned_by": {"zh": "见证人：{keys}", "en": "Cosigned by: {keys}"},
    "offline.bad_base64": {"zh": "字段「{field}」不是有效的 base64", "en": "Field '{field}' is not valid base64"},
    "offline.bad_key": {"zh": "公钥格式不正确：{detail}", "en": "Malformed key: {detail}"},
    "offline.no_key": {"zh": "请用 --key 提供日志的验证公钥", "en": "Give the log's verifier key with --key"},
    "offline.not_signed_by_key": {"zh": "检查点没有所给公钥的签名：不可信",
                                  "en": "The checkpoint is not signed by the key you gave: do not trust it"},
    "offline.bad_note": {"zh": "检查点格式或签名无效：{detail}", "en": "Invalid checkpoint note or signature: {detail}"},
    "offline.origin_mismatch": {"zh": "检查点来源「{origin}」与公钥名称不符",
                                "en": "Checkpoint origin '{origin}' does not match the key's name"},
    "offline.too_few_cosignatures": {"zh": "只有 {have} 个有效见证签名，要求至少 {want} 个",
                                     "en": "Only {have} valid witness cosignature(s); {want} required"},
    "offline.bad_bundle": {"zh": "证明文件不完整或格式不正确", "en": "The proof file is incomplete or malformed"},
    "offline.bad_event": {"zh": "事件内容不是有效的 JSON", "en": "The event body is not valid JSON"},
    "offline.size_mismatch": {"zh": "证明针对大小 {bundle} 的树，而检查点大小为 {checkpoint}；请下载对应大小的证明",
                              "en": "The proof is for a tree of size {bundle}, the checkpoint has size "
                                    "{checkpoint}; download the proof for that size"},
    "offline.leaf_mismatch": {"zh": "事件 {index} 的内容与所述叶哈希不符：内容被改动",
                              "en": "Event {index}'s body does not match the stated leaf hash: it was altered"},
    "offline.seq_mismatch": {"zh": "事件内容中的序号 {seq} 与证明序号 {index} 不符",
                             "en": "The event's own seq {seq} differs from the proof's index {index}"},
    "offline.inclusion_failed": {"zh": "包含证明不成立：{detail}", "en": "The inclusion proof fails: {detail}"},
    "offline.different_logs": {"zh": "两个检查点来自不同的日志：{old} 与 {new}",
                               "en": "The checkpoints come from different logs: {old} and {new}"},
    "offline.proof_sizes": {"zh": "证明针对 {proof_old}→{proof_new}，而检查点为 {old}→{new}",
                            "en": "The proof is for {proof_old}→{proof_new}, the checkpoints are {old}→{new}"},
    "offline.consistency_failed": {"zh": "一致性证明不成立：日志可能被改写或分叉（{detail}）",
                                   "en": "The consistency proof fails: the log may have been rewritten or forked "
                                         "({detail})"},
    "offline.file_unreadable": {"zh": "无法读取文件 {path}：{detail}", "en": "Cannot read {path}: {detail}"},
    # credentials: tokens
    "token.valid": {"zh": "证书真实有效：令牌由本平台签发，证书当前状态为「有效」",
                    "en": "Genuine and valid: the token was issued by this platform and the certificate is valid now"},
    "token.authentic": {"zh": "令牌签名有效（仅证明真实性，不代表证书当前有效；当前状态请在线核验）",
                        "en": "The token's signature is genuine (authenticity only: it says nothing about the "
                              "certificate's current status; check online for that)"},
    "token.not_valid": {"zh": "令牌是真的，但证书当前状态为「{status}」，不能视为有效证书",
                        "en": "The token is genuine, but the certificate is now {status}: it is not valid"},
    "token.outdated": {"zh": "令牌是真的，但证书信息已变更（{fields}），请以平台上的最新记录为准",
                       "en": "The token is genuine but the certificate has changed since ({fields}); rely on the "
                             "current record on the platform"},
    "token.certificate_missing": {"zh": "令牌是真的，但平台上已没有这张证书",
                                  "en": "The token is genuine, but the platform no longer has this certificate"},
    "token.malformed": {"zh": "这不是有效的证书令牌（可能被截断或篡改）",
                        "en": "This is not a valid certificate token (it may be cut short or tampered with)"},
    "token.bad_signature": {"zh": "令牌签名无效：内容被篡改或为伪造", "en": "Invalid signature: the token was altered or forged"},
    "token.unknown_key": {"zh": "令牌由未知密钥签名，无法确认真伪", "en": "The token is signed by an unknown key; it cannot be trusted"},
    "token.other_issuer": {"zh": "令牌由其他平台签发，请到签发平台核验",
                           "en": "The token was issued by another platform; verify it there"},
    "token.offline_note": {"zh": "注意：离线核验只证明令牌真实，不说明证书现在是否有效（可能已暂停或撤销）",
                           "en": "Note: an offline check proves authenticity only, not that the certificate is "
                                 "valid now (it may have been suspended or withdrawn since)"},
    # credentials: receipts
    "receipt.statement": {
        "zh": "{body}颁发的证书 {number}（获证组织：{holder}）于 {at} 的状态为「{status}」，依据追溯日志 {origin} "
              "大小为 {size} 的检查点。",
        "en": "Certificate {number} issued by {body} to {holder} was {status} at {at}, per checkpoint {size} of "
              "the log {origin}."},
    "receipt.not_yet_in_log": {"zh": "证书 {id} 的最新变更尚未写入已签名的检查点，请几秒后再试",
                               "en": "Certificate {id}'s latest change is not in a signed checkpoint yet; try again "
                                     "in a few seconds"},
    "receipt.ok": {"zh": "回执有效：签名、检查点、{events} 个事件的包含证明与所述状态「{status}」全部核验通过",
                   "en": "The receipt checks out: signature, checkpoint, inclusion of {events} event(s) and the "
                         "stated status ({status}) all verify"},
    "receipt.embedded_keys": {"zh": "警告：未提供公钥，使用了回执自带的公钥——这只证明回执未被改动，不证明签发者身份。"
                                    "请用 --key 和 --log-key 提供平台公布的公钥。",
                              "en": "Warning: no keys given, so the receipt's own keys were used — this proves it "
                                    "was not altered, not who issued it. Give the platform's published keys with "
                                    "--key and --log-key."},
    "receipt.format": {"zh": "这不是 certbridge 核验回执（格式不符或内容不全）",
                       "en": "This is not a certbridge verification receipt (wrong format or incomplete)"},
    "receipt.bad_signature": {"zh": "回执签名无效：内容被改动或为伪造", "en": "Invalid receipt signature: it was altered or forged"},
    "receipt.unknown_key": {"zh": "回执由未提供的密钥 {key} 签名", "en": "The receipt is signed by key {key}, which you did not give"},
    "receipt.event_not_in_log": {"zh": "事件 {seq} 不在所附检查点中：{detail}",
                                 "en": "Event {seq} is not in the enclosed checkpoint: {detail}"},
    "receipt.event_foreign": {"zh": "事件 {seq} 不属于这张证书", "en": "Event {seq} is not about this certificate"},
    "receipt.event_order": {"zh": "事件 {seq} 顺序不对", "en": "Event {seq} is out of order"},
    "receipt.no_embedded_json": {"zh": "PDF 中没有找到内嵌的 receipt.json；请用 PDF 阅读器导出附件后再核验",
                                 "en": "No embedded receipt.json found in the PDF; export the attachment with a PDF "
                                       "reader and check that"},
    "receipt.no_events": {"zh": "回执中没有证书的事件", "en": "The receipt holds no event of the certificate"},
    "receipt.claim_differs": {"zh": "回执所述「{field}」为 {claim}，而日志给出 {log}",
                              "en": "The receipt states {field} = {claim}, but the log gives {log}"},
    "receipt.pdf.title": {"zh": "认证证书核验回执", "en": "Certificate Verification Receipt"},
    "receipt.pdf.scan": {"zh": "扫码在线核验当前状态", "en": "Scan to check the current status"},
    "receipt.pdf.valid": {"zh": "核验结果：{status}", "en": "Result: {status}"},
    "receipt.pdf.not_valid": {"zh": "核验结果：无效（{status}）", "en": "Result: NOT valid ({status})"},
    "receipt.pdf.number": {"zh": "证书编号", "en": "Number"},
    "receipt.pdf.body": {"zh": "认证机构", "en": "Body"},
    "receipt.pdf.holder": {"zh": "获证组织", "en": "Holder"},
    "receipt.pdf.uscc": {"zh": "统一社会信用代码", "en": "USCC"},
    "receipt.pdf.scheme": {"zh": "认证项目", "en": "Scheme"},
    "receipt.pdf.validity": {"zh": "有效期", "en": "Validity"},
    "receipt.pdf.status": {"zh": "当前状态", "en": "Status"},
    "receipt.pdf.log": {"zh": "追溯日志检查点", "en": "Log checkpoint"},
    "receipt.pdf.events": {"zh": "证书事件（日志序号）", "en": "Certificate events (log indexes)"},
    "receipt.pdf.witnesses": {"zh": "见证人联署数", "en": "Witness cosignatures"},
    "receipt.pdf.credential_key": {"zh": "签发公钥", "en": "Signing key"},
    "receipt.pdf.signature": {"zh": "回执签名（Ed25519）", "en": "Receipt signature (Ed25519)"},
    "receipt.pdf.howto": {
        "zh": "离线核验：本 PDF 内嵌已签名的 receipt.json（附件）。取出后运行 certbridge verify-receipt receipt.json "
              "--key <平台凭证公钥> --log-key <平台日志公钥>，无需联网、无需信任平台服务器。",
        "en": "Offline check: this PDF embeds the signed receipt.json (attachment). Extract it and run certbridge "
              "verify-receipt receipt.json --key <credential key> --log-key <log key>; no network, no trust in "
              "the server needed."},
}
