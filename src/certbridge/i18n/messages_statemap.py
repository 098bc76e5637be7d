"""Messages of the state map: status and absence proofs, and their offline check."""

MESSAGES: dict[str, dict[str, str]] = {
    "statemap.one_subject": {
        "zh": "请只给出一个对象：certificate（机构代码:证书编号）、body（机构代码）、organization（统一社会信用代码）、"
              "person（人员注册号）或 lab（资质认定证书编号）",
        "en": "Give exactly one subject: certificate (body code:certificate number), body (body code), organization "
              "(USCC), person (registration number) or lab (CMA number)"},
    "statemap.certificate_form": {
        "zh": "“{value}”的格式不对：证书写作“机构代码:证书编号”，例如 00126:CN-2024-0001",
        "en": "“{value}” is not in the expected form: a certificate is “body code:certificate number”, e.g. "
              "00126:CN-2024-0001"},
    "statemap.not_ready": {
        "zh": "状态映射尚未追上日志（最新检查点大小 {size}），请稍后再取状态证明",
        "en": "The state map has not caught up with the log yet (latest checkpoint size {size}); ask for the "
              "status proof again shortly"},
    "statemap.inconsistent": {
        "zh": "“{name}”的状态映射与数据库记录不一致，平台不出具证明；完整性监测会报告此问题",
        "en": "The state map and the records disagree about “{name}”, so no proof is served; the integrity "
              "monitor reports it"},
    "statemap.other_subject": {
        "zh": "证明针对的是“{bundle}”，而不是所查的“{asked}”",
        "en": "The proof is about “{bundle}”, not “{asked}” that you asked about"},
    "statemap.no_map_line": {
        "zh": "检查点（大小 {size}）没有状态映射行，不能证明当前状态",
        "en": "The checkpoint (size {size}) carries no state-map line, so it cannot prove a current status"},
    "statemap.stale": {
        "zh": "证明所依据的检查点签于 {as_of}，已超过 {days} 天的有效期，请取新的证明",
        "en": "The proof's checkpoint was signed at {as_of}, more than {days} days ago; fetch a fresh proof"},
    "statemap.proof_failed": {
        "zh": "状态映射证明不成立：{detail}", "en": "The state-map proof does not hold: {detail}"},
    "statemap.absent_with_events": {
        "zh": "映射证明“{name}”不存在，但证明包里却附有事件：证明包自相矛盾",
        "en": "The map proves “{name}” absent, yet the bundle carries events: it contradicts itself"},
    "statemap.events_missing": {
        "zh": "映射显示“{name}”存在，但证明包缺少其事件或事件的包含证明",
        "en": "The map shows “{name}” exists, but the bundle lacks its events or their inclusion proofs"},
    "statemap.latest_mismatch": {
        "zh": "证明包的最后一个事件（第 {seq} 号）不是“{name}”的最新事件：有更晚的事件被略去",
        "en": "The bundle's last event ({seq}) is not the latest event of “{name}”: a later event was left out"},
    "statemap.chain_broken": {
        "zh": "事件链在第 {seq} 号事件处断开（对象不同、顺序不对或前序编号不符）",
        "en": "The event chain breaks at event {seq} (another subject, out of order, or a wrong predecessor)"},
    "statemap.body_missing": {
        "zh": "证明包缺少“{name}”发证机构的状态证明（或机构对不上），无法得出证书的有效状态",
        "en": "The bundle lacks the status proof of the issuing body of “{name}” (or it is another body), so the "
              "certificate's effective status cannot be derived"},
    "statemap.body_other_checkpoint": {
        "zh": "“{name}”发证机构的状态证明依据的是另一个检查点", "en": "The issuing body's proof of “{name}” is "
                                                                "under another checkpoint"},
    "statemap.no_time": {
        "zh": "检查点（大小 {size}）没有签署时间行，无法得出当日的有效状态",
        "en": "The checkpoint (size {size}) carries no signing time, so the status on its day cannot be derived"},
    "statemap.stapled_absent": {
        "zh": "“{name}”在日志中没有公开事件，不能出具随附状态证明（可取不存在证明）",
        "en": "“{name}” has no public event in the log, so there is no stapled status (ask for an absence proof)"},
    "statemap.stapled_form": {
        "zh": "这不是证书的随附状态证明（应以 CBS1: 开头，格式 certbridge-stapled-status/v1）",
        "en": "This is not a certificate's stapled status proof (it starts with CBS1:, format "
              "certbridge-stapled-status/v1)"},
    "statemap.stapled_too_big": {
        "zh": "该证书的随附状态证明有 {size} 字节，超出二维码容量（40-L 版本约 2,900 字节）；请改用 JSON 文本",
        "en": "This certificate's stapled proof is {size} bytes, beyond a QR code's capacity (about 2,900 bytes at "
              "version 40-L); use its JSON text instead"},
    "statemap.tail_unproven": {
        "zh": "回执缺少“{name}”的状态映射证明，无法证明其后没有更晚的事件",
        "en": "The receipt lacks the state-map proof of “{name}”, so it cannot show that no later event exists"},
    "statemap.tail_dropped": {
        "zh": "回执所附“{name}”的最后一个事件不是检查点时的最新事件：有更晚的事件被略去",
        "en": "The last event the receipt carries for “{name}” is not its latest as of the checkpoint: a later "
              "event was left out"},
    "statemap.tail_proven": {
        "zh": "状态映射证明：证书、持有者和发证机构所附的最后一个事件均为检查点时的最新事件（没有略去后续事件）",
        "en": "State map: the last event carried for the certificate, its holder and its body is each one's "
              "latest as of the checkpoint (no later event left out)"},
    "statemap.effective": {
        "zh": "截至检查点当日（{day}，中国标准时间）的有效状态：{status}（记录状态 {recorded}）",
        "en": "Effective status on the checkpoint's day ({day}, China Standard Time): {status} (recorded: "
              "{recorded})"},
    "statemap.stapled_valid": {
        "zh": "有效，截至 {day}（检查点 {size}，见证：{witnesses}）；本证明可用至 {fresh}",
        "en": "Valid as of {day} (checkpoint {size}, witnessed by {witnesses}); this proof is fresh until {fresh}"},
    "statemap.stapled_not_valid": {
        "zh": "无效：截至 {day}（检查点 {size}，见证：{witnesses}），证书状态为 {status}",
        "en": "Not valid: as of {day} (checkpoint {size}, witnessed by {witnesses}) the certificate is {status}"},
    "statemap.stapled_no_witness": {"zh": "无", "en": "none"},
    "statemap.today_differs": {
        "zh": "注意：按证明中的日期，今天（{day}）该证书已是 {status}",
        "en": "Note: by the dates the proof carries, today ({day}) the certificate is {status}"},
    "statemap.ok_present": {
        "zh": "状态证明有效：截至检查点（大小 {size}，签于 {as_of}），“{name}”的最新状态为 {status}，共 {events} 个事件",
        "en": "Status proof holds: as of the checkpoint (size {size}, signed {as_of}), “{name}” is {status}, "
              "with {events} events"},
    "statemap.ok_absent": {
        "zh": "不存在证明有效：截至检查点（大小 {size}，签于 {as_of}），日志中没有“{name}”的任何公开事件",
        "en": "Absence proof holds: as of the checkpoint (size {size}, signed {as_of}), the log has no public "
              "event of “{name}”"},
    "statemap.history_partial": {
        "zh": "注意：部分事件早于前序编号机制，无法证明所示历史完整（最新状态仍经证明）",
        "en": "Note: some events predate predecessor links, so the history shown is not proven complete (the "
              "latest state still is)"},
    "statemap.name_given_up": {
        "zh": "注意：该名称已不再属于此对象——上述最新事件将其改为：{names}（此证明显示名称被放弃时的状态）",
        "en": "Note: the subject no longer holds this name — the latest event above changed it to: {names} (this "
              "proof shows the state when the name was given up)"},
    "statemap.verify.chain": {
        "zh": "第 {seq} 号事件的前序（prev / prev_hash）不是同一对象的上一个公开事件：事件链被改动过",
        "en": "Event {seq} names a predecessor (prev / prev_hash) that is not its subject's previous public event: "
              "the chain was altered"},
    "statemap.stapled_old_form": {
        "zh": "这是旧格式（CBS1:）的随附状态证明，所依据的映射版本已被取代；请持证人重新获取（CBS2:）",
        "en": "This is a stapled proof in the old form (CBS1:), under a map version since replaced; ask the holder "
              "for a fresh one (CBS2:)"},
    "statemap.stapled_not_latest": {
        "zh": "以所附最后一个事件重建的映射路径到不了检查点的映射根：有更晚的事件被略去、事件被改动，或证明属于另一个检查点（{detail}）",
        "en": "The map path rebuilt with the last event carried does not lead to the checkpoint's map root: a later "
              "event was left out, an event was changed, or the proof is another checkpoint's ({detail})"},
    "statemap.stapled_incomplete": {
        "zh": "随附状态证明所附事件不足以确定“{name}”的{field}：证明不完整",
        "en": "The stapled proof's events do not settle the {field} of “{name}”: the proof is incomplete"},
    "statemap.on_date": {"zh": "{date} 当日的状态：{status}", "en": "Status on {date}: {status}"},
    "statemap.verify.behind": {
        "zh": "状态映射只折叠了 {size} 个事件，而哈希树有 {tree} 个（下次入树时会追上）",
        "en": "The state map has folded {size} events while the tree holds {tree} (the next integration catches up)"},
    "statemap.verify.replayed_root": {
        "zh": "由日志重放得到的状态映射根（大小 {size}）与存储的不符：映射被改动过",
        "en": "The state-map root replayed from the log (size {size}) differs from the stored one: the map was altered"},
    "statemap.verify.chunks": {
        "zh": "由存储的映射分块重算的根（大小 {size}）与记录的根不符：某个映射叶被改动过",
        "en": "The root recomputed from the stored map chunks (size {size}) differs from the recorded root: a map "
              "leaf was altered"},
    "statemap.verify.checkpoint": {
        "zh": "最新检查点（大小 {size}）中的状态映射根与存储的不符",
        "en": "The state-map root in the latest checkpoint (size {size}) differs from the stored one"},
}
