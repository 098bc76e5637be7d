"""zh/en message templates for the problem codes emitted by ``kit.uscc``; params fill the braces."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "uscc.length": {
        "zh": "统一社会信用代码应为 18 位，实际为 {length} 位。请对照营业执照或登记证书重新填写，注意不要漏位、多位或夹带空格。",
        "en": "A unified social credit code has 18 characters, but {length} were entered. "
        "Copy it again from the business licence or registration certificate, without spaces.",
    },
    "uscc.bad_character": {
        "zh": "第 {position} 位的“{char}”不能出现在统一社会信用代码中：代码只由数字和大写字母组成，"
        "且不使用 I、O、Z、S、V。请核对原件（常见误录：字母 O 应为数字 0，字母 I 应为数字 1）。",
        "en": "Character {position}, \"{char}\", cannot appear in a unified social credit code: it uses "
        "only digits and capital letters other than I, O, Z, S and V. Check the original "
        "(a letter O is usually the digit 0, a letter I the digit 1).",
    },
    "uscc.region_not_digits": {
        "zh": "第 3–8 位是登记管理机关的行政区划代码，只能是数字，实际为“{region}”。请核对原件后重新填写。",
        "en": "Characters 3–8 are the registering authority's region code and must be digits, "
        "but they are \"{region}\". Check the original and enter the code again.",
    },
    "uscc.check_character": {
        "zh": "第 18 位校验码应为“{expected}”，实际为“{actual}”，代码很可能有录入错误。请逐位核对原件；"
        "如确认与证照一致，可提交并标记为“需人工核验”。",
        "en": "The check character (18th) should be \"{expected}\" but is \"{actual}\", so the code was "
        "probably mistyped. Compare it with the original character by character; if it matches "
        "the licence exactly, submit it and it will be flagged for manual verification.",
    },
    "uscc.org_code_check": {
        "zh": "第 17 位（组织机构代码校验码）应为“{expected}”，实际为“{actual}”，第 9–17 位很可能有录入错误。"
        "请逐位核对原件；如确认与证照一致，可提交并标记为“需人工核验”。",
        "en": "Character 17, the check of the embedded organization code, should be \"{expected}\" but "
        "is \"{actual}\", so characters 9–17 were probably mistyped. Compare them with the original; "
        "if they match the licence exactly, submit it and it will be flagged for manual verification.",
    },
    "uscc.unknown_authority": {
        "zh": "前两位“{prefix}”不是已知的登记管理部门和机构类别组合。代码仍可提交，但请确认前两位填写无误。",
        "en": "The first two characters, \"{prefix}\", are not a known registration authority and entity "
        "type. The code can still be submitted, but please confirm those two characters.",
    },
}
