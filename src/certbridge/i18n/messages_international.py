"""Messages of international recognition: accreditation bodies, foreign bodies and holders, zones and brands."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # the verdict on a certificate's accreditation (verify answers, certificate pages, receipts)
    "accreditation.covered": {
        "zh": "认可证书：由 {body}（{arrangement} 签署方）认可，覆盖 {scope}，国际互认",
        "en": "Accredited certificate: {body} is an {arrangement} signatory for {scope}; internationally recognized"},
    "accreditation.not_covered": {
        "zh": "认可证书：由 {body} 认可，但该认可机构在此日期不是覆盖 {scope} 的 IAF MLA/ILAC MRA 签署方，不在国际互认范围内",
        "en": "Accredited by {body}, but {body} is not an IAF MLA/ILAC MRA signatory for {scope} on this date: "
              "not covered by mutual recognition"},
    "accreditation.scope_any": {"zh": "该范围", "en": "this scope"},
    # errors
    "accreditation.body_not_found": {"zh": "未找到认可机构 {code}", "en": "No accreditation body {code}"},
    "accreditation.body_unknown": {"zh": "认可机构 {code} 不在认可机构名录中",
                                   "en": "Accreditation body {code} is not in the list of accreditation bodies"},
    "accreditation.scheme_not_accredited": {
        "zh": "认可机构 {code} 不认可 {scheme} 所属的范围", "en": "Accreditation body {code} does not accredit the "
                                                                "scope {scheme} falls in"},
    "accreditation.code_format": {"zh": "认可机构代码 {value} 格式不正确（2–20 位大写字母、数字或连字符）",
                                  "en": "Accreditation body code {value} is malformed (2–20 capitals, digits, hyphens)"},
    "accreditation.main_scope": {"zh": "主范围 {value} 无效，可选：{allowed}",
                                 "en": "Main scope {value} is not one of: {allowed}"},
    "accreditation.sub_scope": {"zh": "子范围 {value} 无效，可选：{allowed}",
                                "en": "Sub-scope {value} is not one of: {allowed}"},
    "accreditation.arrangement": {"zh": "互认协议 {value} 无效（IAF MLA 或 ILAC MRA）",
                                  "en": "Arrangement {value} is neither IAF MLA nor ILAC MRA"},
    "accreditation.signatory_dates": {"zh": "互认协议与签署日期须同时填写或同时留空",
                                      "en": "An arrangement and its signing date go together"},
    "accreditation.scope_repeated": {"zh": "同一主范围和子范围重复出现", "en": "A main scope and sub-scope appear twice"},
    "accreditation.bad_date": {"zh": "{field} 的日期 {value} 无效（应为 YYYY-MM-DD）",
                               "en": "{field}: {value} is not a date (YYYY-MM-DD)"},
    "country.format": {"zh": "国家或地区代码 {value} 无效（ISO 3166-1 两位字母）",
                       "en": "Country code {value} is not an ISO 3166-1 alpha-2 code"},
    "holder.foreign_has_no_uscc": {"zh": "境外获证组织没有统一社会信用代码，请填写其注册地的登记号",
                                   "en": "A foreign holder has no USCC: give its home-register id instead"},
    "body.foreign_is_domestic": {"zh": "境内认证机构须经批准（CNCA-R），不能登记为境外机构",
                                 "en": "A Chinese body is approved (CNCA-R), not registered as foreign"},
    "zone.not_found": {"zh": "未找到示范区 {code}", "en": "No demonstration zone {code}"},
    "zone.kind": {"zh": "示范区类型 {value} 无效，可选：{allowed}", "en": "Zone kind {value} is not one of: {allowed}"},
    "zone.code_taken": {"zh": "示范区代码 {code} 已被使用", "en": "Zone code {code} is taken"},
    "zone.regions_nested": {"zh": "地区 {inner} 已包含在 {outer} 中", "en": "Region {inner} lies inside {outer}"},
    "zone.regions_required": {"zh": "至少需要一个地区", "en": "At least one region is needed"},
    "zone.schemes_required": {"zh": "至少需要一个认证项目", "en": "At least one scheme is needed"},
    "brand.not_found": {"zh": "未找到区域品牌 {code}", "en": "No regional brand {code}"},
    "brand.outside": {"zh": "证书不在区域品牌 {code} 的地区和认证项目范围内",
                      "en": "The certificate is outside the regions and schemes of brand {code}"},
    "brand.certificate_not_valid": {"zh": "只有有效证书可以使用区域品牌标识",
                                    "en": "Only a valid certificate may carry a regional brand"},
    # events
    "event.accreditation_body.recorded": {"zh": "认可机构已登记", "en": "accreditation body recorded"},
    "event.accreditation_body.changed": {"zh": "认可机构信息已变更", "en": "accreditation body changed"},
    "event.body.registered_foreign": {"zh": "境外认证机构已登记", "en": "foreign certification body registered"},
    "event.zone.defined": {"zh": "示范区已设立", "en": "demonstration zone defined"},
    "event.brand.defined": {"zh": "区域品牌已设立", "en": "regional brand defined"},
    "event.certificate.branded": {"zh": "证书获准使用区域品牌", "en": "certificate given a regional brand"},
    "subject.accreditation_body": {"zh": "认可机构", "en": "accreditation body"},
    "subject.zone": {"zh": "示范区", "en": "demonstration zone"},
    "subject.brand": {"zh": "区域品牌", "en": "regional brand"},
}
MESSAGES.update({
    "zone.defined": {"zh": "已设立示范区 {code}。", "en": "Demonstration zone {code} is defined."},
    "brand.defined": {"zh": "已设立区域品牌 {code}。", "en": "Regional brand {code} is defined."},
    "brand.certificate_branded": {"zh": "证书 {number} 已使用区域品牌 {code}。",
                                  "en": "Certificate {number} now carries regional brand {code}."},
    "brand.certificate_unknown": {"zh": "找不到机构代码为 {body} 、编号为 {number} 的证书。",
                                  "en": "No certificate {number} of the body coded {body}."},
    "body.foreign_registered": {"zh": "已登记境外认证机构 {name}，代码 {code}。",
                                "en": "Foreign certification body {name} is registered with code {code}."},
})
MESSAGES.update({
    "receipt.pdf.accreditation": {"zh": "认可", "en": "Accreditation"},
})
