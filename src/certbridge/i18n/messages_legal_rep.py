"""Messages of a body's legal-representative change through a licensing case (法定代表人变更)."""

MESSAGES: dict[str, dict[str, str]] = {
    "licensing_case.same_legal_rep": {
        "zh": "所填证件号码与现任法定代表人相同：法定代表人变更须填写新任法定代表人的证件号码。",
        "en": "This ID number is the current legal representative's: a change needs the new representative's number."},
}
