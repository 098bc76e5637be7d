"""Messages of case deadlines counted again after a holiday notice (licensing/case_deadlines.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "licensing_case.action.deadline_recomputed": {"zh": "期限重新计算", "en": "Deadline recomputed"},
    "licensing_case.notice.deadline_recomputed": {
        "zh": "因录入 {year} 年放假通知（{source}），许可申请 {number} 本环节期限由 {was} 调整为 {due_on}。",
        "en": "The {year} holiday notice ({source}) was entered: the current step of licensing case {number} is now "
              "due by {due_on} instead of {was}."},
}
