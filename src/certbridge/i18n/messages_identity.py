"""Messages of identity, bans and exits (registry.identity, people, bodies) and of body exits' certificates."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ban_kind.barred": {"zh": "禁入", "en": "a bar"},
    "ban_kind.lifetime_ban": {"zh": "终身禁入", "en": "a lifetime ban"},
    "ban_kind.permanent_exit": {"zh": "永久退出", "en": "permanent exit"},
    "identity.id_number_format": {
        "zh": "证件号码格式不对：应为 18 位居民身份证号码（最后一位可为 X）或 5–20 位字母数字的护照号码",
        "en": "ID number not recognized: expected an 18-character national ID (last may be X) or a passport "
              "number of 5–20 letters and digits",
    },
    "identity.id_number_checksum": {
        "zh": "居民身份证号码校验位不对（GB 11643-1999），请核对",
        "en": "The national ID number fails its check character (GB 11643-1999); please check it",
    },
    "identity.fingerprint_format": {
        "zh": "证件指纹应为 64 位十六进制字符（不得填写证件号码明文）",
        "en": "An ID fingerprint is 64 hexadecimal characters (never the ID number itself)",
    },
    "person.identity_banned": {
        "zh": "该人员已被{ban}（{reason}；决定 {source}；至 {until}），不得以新的人员记录或注册号重新登记、聘用或参与审核",
        "en": "This person is under {ban} ({reason}; decision {source}; until {until}) and may not be registered, "
              "employed or put on an audit again under a new record or registration number",
    },
    "auditor.identity_banned": {
        "zh": "审核员 {name}（{number}）本人已被{ban}（{reason}；决定 {source}；至 {until}），不得担任审核组成员",
        "en": "Auditor {name} ({number}) is, as a person, under {ban} ({reason}; decision {source}; until {until}) "
              "and may not lead or join an audit",
    },
    "body.identity_exited": {
        "zh": "统一社会信用代码 {uscc} 的认证机构已被永久退出（{reason}；决定 {source}），不得以新的代码或批准号重新批准",
        "en": "The certification body with USCC {uscc} was permanently exited ({reason}; decision {source}) and may "
              "not be approved again under a new code or approval number",
    },
    "body.legal_rep_exited": {
        "zh": "该法定代表人所代表的认证机构已被永久退出（{reason}；决定 {source}），其新的申请不予批准",
        "en": "This legal representative's certification body was permanently exited ({reason}; decision "
              "{source}); a new application under them cannot be approved",
    },
    "body.exit_certificate_withdrawn": {
        "zh": "发证机构已被撤销批准（{decided_on}），宽限期至 {grace_until} 内未转换到其他认证机构",
        "en": "The issuing body's approval was revoked ({decided_on}) and the certificate was not transferred to "
              "another body by {grace_until}",
    },
    "certificate.transfer_not_open": {
        "zh": "只有发证机构已被撤销批准或永久退出、仍在宽限期内的有效证书才能转换到其他认证机构",
        "en": "Only a valid certificate of a body whose approval was revoked (or which exited), within the grace "
              "period, can be transferred to another body",
    },
    "certificate.transfer_grace_over": {
        "zh": "证书 {number} 的宽限期已于 {last_day} 结束（发证机构于 {decided_on} 被撤销批准），不能再转换，证书已失效；"
              "持证组织可向其他认证机构重新申请认证",
        "en": "The grace period of certificate {number} ended on {last_day} (its body's approval was revoked on "
              "{decided_on}); it can no longer be transferred and is no longer valid — the holder may apply to "
              "another body for a new certification",
    },
    "certificate.transfer_same_body": {
        "zh": "转换须由另一家已获批准的认证机构接收",
        "en": "A transfer must go to another approved certification body",
    },
    "person.identity_recorded": {
        "zh": "该人员已登记了另一证件，不能改写（如确需更正，请另行处理）",
        "en": "This person already has another ID document recorded; it cannot be overwritten",
    },
}
