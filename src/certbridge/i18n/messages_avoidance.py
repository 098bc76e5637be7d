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
