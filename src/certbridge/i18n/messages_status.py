"""Messages of certificates' effective status (certificates/effective_status.py): code → Chinese and English."""

MESSAGES: dict[str, dict[str, str]] = {
    # reasons that explain a status other than valid
    "effective.expired": {"zh": "已过期（有效期至 {date}）", "en": "Expired (valid until {date})"},
    "effective.standard_transition_over": {
        "zh": "标准换版过渡期已结束：{standard} 的过渡期于 {deadline} 届满，证书已失效",
        "en": "The standard's transition period is over: {standard} could be used until {deadline}; "
              "the certificate has lapsed"},
    "effective.suspended": {"zh": "自 {date} 起暂停（{reason}），最迟至 {until}；暂停期间视为无效",
                            "en": "Suspended since {date} ({reason}) until {until} at the latest; "
                                  "a suspended certificate counts as not valid"},
    "effective.suspension_not_corrected": {"zh": "暂停期于 {date} 届满仍未纠正，证书已撤销",
                                           "en": "Not corrected by the end of its suspension on {date}: withdrawn"},
    "effective.withdrawn": {"zh": "已于 {date} 撤销（{reason}）", "en": "Withdrawn on {date} ({reason})"},
    "effective.cancelled": {"zh": "已于 {date} 注销（{reason}）", "en": "Cancelled on {date} ({reason})"},
    "effective.body_revoked_grace_over": {
        "zh": "发证机构已被撤销批准（{date}），证书转换期已于 {until} 结束，证书不再有效",
        "en": "The issuing body's approval was revoked ({date}); the period to move the certificate ended on "
              "{until}: it is no longer valid"},
    "effective.body_withdrawn_grace_over": {
        "zh": "发证机构的批准已注销（{date}），证书转换期已于 {until} 结束，证书不再有效",
        "en": "The issuing body's approval was withdrawn ({date}); the period to move the certificate ended on "
              "{until}: it is no longer valid"},
    "effective.not_yet_in_force": {"zh": "尚未生效（发证日期 {date}）", "en": "Not yet in force (issued on {date})"},
    # warnings on a certificate that may still be valid
    "effective.body_revoked": {
        "zh": "发证机构已被撤销批准（{date}）；证书在转换期内（至 {until}）仍有效，持证组织须转换认证机构",
        "en": "The issuing body's approval was revoked ({date}); the certificate stays valid during the transfer "
              "period (until {until}) and its holder must move to another body"},
    "effective.body_withdrawn": {
        "zh": "发证机构的批准已注销（{date}）；证书在转换期内（至 {until}）仍有效，持证组织须转换认证机构",
        "en": "The issuing body's approval was withdrawn ({date}); the certificate stays valid during the transfer "
              "period (until {until}) and its holder must move to another body"},
    "effective.body_suspended": {"zh": "发证机构的批准自 {date} 起暂停，暂停期间不得发证；已发证书不受影响",
                                 "en": "The issuing body's approval has been suspended since {date}: it may issue "
                                       "nothing meanwhile; certificates already issued are not affected"},
    "effective.body_approval_lapsed": {"zh": "发证机构的批准已于 {date} 到期",
                                       "en": "The issuing body's approval ran out on {date}"},
    "effective.standard_superseded": {"zh": "标准已换版：{standard} 只可使用至 {deadline}，须在此前完成转换",
                                      "en": "The standard has been superseded: {standard} may be used until "
                                            "{deadline}; the certificate must move to the new version by then"},
    "effective.uscc_unverified": {"zh": "信用代码未通过校验，待核实（{uscc}）",
                                  "en": "The unified social credit code failed its checksum and awaits a manual "
                                        "check ({uscc})"},
    "effective.holder_dishonesty_list": {"zh": "持证组织已列入严重违法失信名单，请谨慎",
                                         "en": "The holder is on the serious-dishonesty list: be careful"},
    "effective.holder_permanent_exit": {"zh": "持证组织已被永久退出，请谨慎",
                                        "en": "The holder has been permanently excluded: be careful"},
    # the verification answer when a valid certificate carries warnings
    "verify.valid_with_warnings": {"zh": "证书 {number} 真实有效，但请注意：{warnings}",
                                   "en": "Certificate {number} is genuine and valid, but note: {warnings}"},
    # errors
    "body.status_date_in_future": {"zh": "批准状态变更日期 {date} 不能晚于今天",
                                   "en": "The date of the approval's status change ({date}) cannot be in the future"},
}
