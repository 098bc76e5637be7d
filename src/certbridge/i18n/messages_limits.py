"""Messages of the rate limits by route class, API-key quotas and the per-account sign-in lockout."""

MESSAGES: dict[str, dict[str, str]] = {
    "rate_limited.signin": {"zh": "登录尝试过于频繁，请在 {retry_after} 秒后再试",
                            "en": "Too many sign-in attempts; try again in {retry_after} s"},
    "rate_limited.lookup": {"zh": "查询过于频繁，请在 {retry_after} 秒后再试",
                            "en": "Too many look-ups; try again in {retry_after} s"},
    "rate_limited.costly": {"zh": "生成文件、图片或签名的请求过于频繁，请在 {retry_after} 秒后再试",
                            "en": "Too many document, image or signature requests; try again in {retry_after} s"},
    "rate_limited.key": {"zh": "该 API 密钥已用完每分钟 {limit} 次的配额，请在 {retry_after} 秒后再试",
                         "en": "This API key has used its quota of {limit} requests a minute; "
                               "try again in {retry_after} s"},
    "rate_limit.unavailable": {"zh": "限流服务（Redis）暂时不可用，为保护系统暂停登录、写入和高开销请求，请在几秒后再试",
                               "en": "The shared rate limits (Redis) are unavailable; sign-ins, writes and costly "
                                     "requests are paused to protect the service. Try again in a few seconds"},
    "auth.quota_range": {"zh": "「quota_per_minute」应在 1 到 {max} 之间",
                         "en": "'quota_per_minute' must be between 1 and {max}"},
    "auth.signin_locked": {"zh": "该账号登录失败次数过多，已暂时锁定；请在 {retry_after} 秒后（北京时间 {until}）再试，"
                                 "或请监管部门解锁",
                           "en": "Too many failed sign-ins for this account; it is locked for now. Try again in "
                                 "{retry_after} s (at {until} China Standard Time), or ask a regulator to unlock it"},
    "auth.unlocked": {"zh": "已解除账号 {username} 的登录锁定", "en": "Sign-in lock of {username} lifted"},
    "auth.not_locked": {"zh": "账号 {username} 没有被锁定", "en": "{username} is not locked"},
}
