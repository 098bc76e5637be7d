"""Message codes the web layer raises (page text itself lives in web/locale/*.po)."""

MESSAGES: dict[str, dict[str, str]] = {
    "restriction.subject_not_found": {
        "zh": "找不到「{value}」对应的对象，请填写统一社会信用代码、机构代码或批准号、或人员注册号",
        "en": "Nothing matches '{value}': give a unified social credit code, a body code or approval number, or a "
              "registration number"},
    "fake_report.already_reviewed": {"zh": "举报 {id} 已处理", "en": "Report {id} was already reviewed"},
}
