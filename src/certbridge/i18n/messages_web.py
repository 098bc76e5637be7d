"""Message codes the web layer raises (page text itself lives in web/locale/*.po)."""

MESSAGES: dict[str, dict[str, str]] = {
    "fake_report.already_reviewed": {"zh": "举报 {id} 已处理", "en": "Report {id} was already reviewed"},
}
