"""Words for codes the system writes itself (status reasons, audit kinds, roles, actors), so no page shows a code."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # certificate status reasons written by the system (people type the others, which are shown as typed)
    "status_reason.validity_ended": {"zh": "有效期届满", "en": "validity period ended"},
    "status_reason.renewed": {"zh": "已换发新证书", "en": "replaced by a renewed certificate"},
    "status_reason.suspension_not_corrected": {"zh": "暂停期满未纠正", "en": "not corrected by the end of the suspension"},
    "status_reason.surveillance_overdue": {"zh": "监督审核逾期未实施", "en": "surveillance audit overdue"},
    # audit kinds and methods
    "audit_kind.initial": {"zh": "初次认证", "en": "initial certification"},
    "audit_kind.surveillance": {"zh": "监督审核", "en": "surveillance"},
    "audit_kind.recertification": {"zh": "再认证", "en": "recertification"},
    "audit_kind.special": {"zh": "特殊审核", "en": "special audit"},
    "audit_method.FS01": {"zh": "FS01 现场审核", "en": "FS01 on-site"},
    "audit_method.FS02": {"zh": "FS02 远程审核", "en": "FS02 remote"},
    "audit_method.FS03": {"zh": "FS03 现场结合远程", "en": "FS03 combined"},
    # who acted, as a person reads it (actor ids such as user:2:regulator are never shown)
    "role.admin": {"zh": "系统管理员", "en": "administrator"},
    "role.regulator": {"zh": "监管部门", "en": "regulator"},
    "role.cb_operator": {"zh": "认证机构", "en": "certification body"},
    "role.lab_operator": {"zh": "检验检测机构", "en": "laboratory"},
    "role.inspector": {"zh": "执法检查人员", "en": "inspector"},
    "role.system": {"zh": "系统自动", "en": "the system"},
    "role.anonymous": {"zh": "公众", "en": "the public"},
    # subjects of events, without their ids
    "subject.organization": {"zh": "获证组织", "en": "organization"},
    "subject.certificate": {"zh": "证书", "en": "certificate"},
    "subject.body": {"zh": "认证机构", "en": "certification body"},
    "subject.person": {"zh": "人员", "en": "person"},
    "subject.lab": {"zh": "检验检测机构", "en": "laboratory"},
    # events on a draw's public trail
    "event.draw.committed": {"zh": "抽取已承诺（公布种子摘要）", "en": "draw committed (seed digest published)"},
    "event.draw.revealed": {"zh": "抽取已揭晓", "en": "draw revealed"},
    "event.draw.cancelled": {"zh": "抽取已取消", "en": "draw cancelled"},
    "event.draw.inspector_excluded": {"zh": "检查人员回避", "en": "inspector recused"},
    "event.inspection_task.assigned": {"zh": "检查任务已分派", "en": "inspection task assigned"},
    "event.inspection_task.inspector_replaced": {"zh": "检查人员已更换", "en": "inspector replaced"},
    "event.inspection.finding_recorded": {"zh": "检查发现已记录", "en": "finding recorded"},
    "event.inspection.result_recorded": {"zh": "检查结果已录入", "en": "inspection result recorded"},
    "event.inspection.result_published": {"zh": "检查结果已公示", "en": "inspection result published"},
    "subject.draw": {"zh": "抽取", "en": "draw"},
    "subject.inspection_task": {"zh": "检查任务", "en": "inspection task"},
    # the lab operator's console
    "auth.lab_only": {"zh": "此页面仅供检验检测机构的账号使用", "en": "This page is for laboratory accounts only"},
    "ui.lab.lead": {"zh": "本机构的资质认定、批准的检验检测项目，以及可由本机构维护的信息。",
                    "en": "Your lab's qualification, its approved test items, and the particulars you keep up to date."},
    "ui.lab.qualification": {"zh": "资质认定", "en": "Qualification"},
    "ui.lab.regulator_only": {"zh": "状态和有效期由监管部门维护", "en": "Status and validity are kept by the regulator"},
    "ui.lab.keys": {"zh": "API 密钥", "en": "API keys"},
    "ui.lab.item_count": {"zh": "共 {count} 项", "en": "{count} in all"},
    "ui.lab.edit": {"zh": "修改机构信息和检验检测项目", "en": "Change particulars and test items"},
    "ui.lab.saved": {"zh": "已保存", "en": "Saved"},
    # list totals and sorting
    "list.bad_sort": {"zh": "无法按「{value}」排序，可用：{allowed}", "en": "Cannot sort by '{value}'; use one of {allowed}"},
    "list.bad_page": {"zh": "页码应在 1 到 {max} 之间", "en": "The page must be between 1 and {max}"},
    "ui.list.total": {"zh": "共 {count} 条", "en": "{count} in all"},
    "ui.list.total_capped": {"zh": "超过 {count} 条（只计到 {count} 条，请缩小范围）",
                             "en": "More than {count} (counted up to {count}; narrow the search)"},
    "ui.list.sort_by": {"zh": "排序", "en": "Sort by"},
    "ui.list.sort_default": {"zh": "默认", "en": "default"},
    "ui.list.sort.number": {"zh": "证书编号", "en": "number"},
    "ui.list.sort.holder": {"zh": "获证组织", "en": "holder"},
    "ui.list.sort.issued_on": {"zh": "颁证日期", "en": "issue date"},
    "ui.list.sort.expires_on": {"zh": "到期日期", "en": "expiry date"},
    "ui.list.sort.status": {"zh": "状态", "en": "status"},
    "ui.list.ascending": {"zh": "升序", "en": "ascending"},
    "ui.list.descending": {"zh": "降序", "en": "descending"},
    # the time zone every page shows times in
    "ui.time_zone": {"zh": "北京时间", "en": "China Standard Time"},
}
