"""Messages of declared relationships (registry/avoidance.py): declaring one, and a reviewer recused for one."""

MESSAGES: dict[str, dict[str, str]] = {
    "inspector.relationship_party": {
        "zh": "请指明关系对象：登记在册的组织、认证机构或检验检测机构（object_type 与 object_id），或对方名称、统一社会信用代码。",
        "en": "Say whom the relationship is with: a registered organization, body or lab (object_type and object_id), "
              "or the party's name or USCC."},
    "inspector.relationship_uscc": {"zh": "统一社会信用代码“{value}”无效。", "en": "The USCC “{value}” is not valid."},
    "licensing_case.recusal.declared_relative": {"zh": "申报与申请人有亲属关系",
                                                 "en": "declared a family tie to the applicant"},
    "licensing_case.recusal.declared_consulting": {"zh": "申报曾为申请人提供咨询",
                                                   "en": "declared consulting for the applicant"},
    "licensing_case.recusal.declared_former_employee": {"zh": "申报曾在申请人处任职",
                                                        "en": "declared the applicant a former employer"},
    "licensing_case.recusal.declared_shareholding": {"zh": "申报持有申请人股份",
                                                     "en": "declared a shareholding in the applicant"},
    "licensing_case.recusal.declared_other": {"zh": "申报与申请人有其他利害关系",
                                              "en": "declared another relationship with the applicant"},
}
MESSAGES.update({
    "inspector.relationship_record_unknown": {
        "zh": "找不到编号为“{number}”的登记记录：组织填统一社会信用代码，认证机构填机构代码或批准号，检验检测机构填资质认定证书编号。",
        "en": "No registered record numbered “{number}”: give an organization's USCC, a body's code or approval number, "
              "or a lab's CMA number."},
    "inspector.relationship_not_found": {"zh": "找不到编号为 {id} 的关系申报", "en": "No declared relationship {id}"},
    "inspector.relationship_already_withdrawn": {"zh": "该关系申报已于 {on} 撤回", "en": "This declaration was withdrawn on {on}"},
    "inspector.relationship_declared": {"zh": "已登记关系申报：该人员将回避相关抽查和许可评审。",
                                        "en": "The relationship is declared: the person will recuse from that party's "
                                              "spot checks and licensing reviews."},
    "inspector.relationship_withdrawn": {"zh": "已撤回关系申报。", "en": "The declaration is withdrawn."},
})
