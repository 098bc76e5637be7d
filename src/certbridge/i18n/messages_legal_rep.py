"""Messages of a body's or lab's legal-representative change through a licensing case (法定代表人变更)."""

MESSAGES: dict[str, dict[str, str]] = {
    "licensing_case.same_legal_rep": {
        "zh": "所填证件号码与现任法定代表人相同：法定代表人变更须填写新任法定代表人的证件号码。",
        "en": "This ID number is the current legal representative's: a change needs the new representative's number."},
    "lab.legal_rep_through_case": {
        "zh": "法定代表人只能通过经批准的变更申请（法定代表人变更）调整，请在「许可申请」中申请变更。",
        "en": "A lab's legal representative changes only through an approved licensing case: apply for a change."},
}
