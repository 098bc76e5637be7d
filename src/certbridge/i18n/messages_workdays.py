"""Messages of the working-day calendar: provisional deadlines, entering a year's holiday notice, the year list."""

MESSAGES: dict[str, dict[str, str]] = {
    "workdays.provisional_deadline": {
        "zh": "暂定期限：{year} 年的国务院节假日安排通知尚未录入，此期限按《全国年节及纪念日放假办法》规定的法定节假日推算"
              "（周末休息，未计调休）；录入通知后将自动重新计算。",
        "en": "Provisional deadline: the State Council holiday notice for {year} has not been entered, so this deadline "
              "is counted with the statutory holidays of the national holiday measures (weekends off, no make-up "
              "working days); it is recomputed automatically once the notice is entered.",
    },
    "workdays.notice_invalid": {
        "zh": "放假安排有误：{detail}", "en": "The holiday schedule is not valid: {detail}",
    },
    "workdays.notice_saved": {
        "zh": "已录入 {year} 年放假安排；重新计算了 {count} 个期限。",
        "en": "The {year} holiday schedule is entered; {count} deadlines were recomputed.",
    },
    "workdays.recomputed": {"zh": "重新计算了 {count} 个期限。", "en": "{count} deadlines were recomputed."},
    "workdays.dates_format": {"zh": "{value} 不是 YYYY-MM-DD 格式的日期。", "en": "{value} is not a YYYY-MM-DD date."},
    "workdays.date_outside_year": {"zh": "{value} 不在 {year} 年内。", "en": "{value} is not in {year}."},
    "workdays.no_holidays": {
        "zh": "请填写 {year} 年放假通知中的全部放假日期（含周末）。",
        "en": "Enter every day off of the {year} notice (weekends included).",
    },
    "workdays.date_both": {"zh": "{value} 不能既是放假日又是调休上班日。",
                           "en": "{value} cannot be both a day off and a make-up working day."},
    "workdays.makeup_not_weekend": {"zh": "调休上班日必须是周六或周日：{value} 不是。",
                                    "en": "Make-up working days are Saturdays or Sundays: {value} is not."},
    "workdays.unknown_keys": {"zh": "文件中有无法识别的项：{keys}（可用 holidays、workdays、names、source）。",
                              "en": "The file has keys that are not understood: {keys} (use holidays, workdays, "
                                    "names, source)."},
    "ui.provisional": {"zh": "（暂定）", "en": "(provisional)"},
    "ui.provisional_deadlines": {"zh": "暂定期限（放假通知未录入）", "en": "Provisional deadlines (holiday notice not entered)"},
    "ui.workdays": {"zh": "工作日历", "en": "Working-day calendar"},
    "ui.workdays_intro": {
        "zh": "法定期限按工作日计算。尚未录入国务院放假通知的年份为“暂定”：按《全国年节及纪念日放假办法》推算法定节假日，"
              "周末休息，不计调休；其间计算的期限都标为暂定。录入通知后，所有暂定期限将重新计算。",
        "en": "Legal time limits are counted in working days. A year whose State Council holiday notice has not been "
              "entered is provisional: its statutory holidays follow the national holiday measures by rule, weekends "
              "are off and there are no make-up working days; every deadline counted through it is marked "
              "provisional. Entering the notice recomputes them all.",
    },
    "ui.workdays_year": {"zh": "年份", "en": "Year"},
    "ui.workdays_source": {"zh": "来源", "en": "Source"},
    "ui.workdays_notice": {"zh": "通知", "en": "Notice"},
    "ui.workdays_entered": {"zh": "录入", "en": "Entered"},
    "ui.workdays_provisional_count": {"zh": "暂定期限数", "en": "Provisional deadlines"},
    "workdays.source.notice": {"zh": "官方通知（已录入）", "en": "Official notice (entered)"},
    "workdays.source.package": {"zh": "官方通知（随软件提供）", "en": "Official notice (packaged)"},
    "workdays.source.override": {"zh": "官方通知（本地覆盖文件）", "en": "Official notice (override file)"},
    "workdays.source.provisional": {"zh": "暂定（按放假办法推算，无调休）",
                                    "en": "Provisional (statutory holidays by rule, no make-up days)"},
    "ui.workdays_enter": {"zh": "录入年度放假通知", "en": "Enter a year's holiday notice"},
    "ui.workdays_holidays": {"zh": "放假日期（含周末，逗号或换行分隔）",
                             "en": "Days off (weekends included; comma or line separated)"},
    "ui.workdays_makeup": {"zh": "调休上班日期（周六或周日）", "en": "Make-up working days (Saturdays or Sundays)"},
    "ui.workdays_notice_source": {"zh": "通知名称、文号和日期", "en": "Notice title, number and date"},
    "ui.workdays_enter_hint": {
        "zh": "只照抄 www.gov.cn 上的官方通知，不要录入预测。例：2027-01-01, 2027-01-02, 2027-01-03",
        "en": "Copy only the official notice from www.gov.cn, never a forecast. E.g. 2027-01-01, 2027-01-02, 2027-01-03",
    },
}
