"""Messages of the webhook target check (opendata/feeds/targets.py: no loopback, private or reserved targets)."""

MESSAGES: dict[str, dict[str, str]] = {
    "feeds.webhook_address_refused": {
        "zh": "Webhook 地址的主机“{host}”解析为 {address}，这是{kind_zh}，不能作为推送目标（防止服务器被用来访问内部"
              "网络）。请使用公网地址；内网部署可由管理员开启 feeds_webhook_allow_private。",
        "en": "The webhook host “{host}” resolves to {address}, {kind_en}, which cannot receive webhooks (the server "
              "must not be used to reach internal networks). Use a public address; an intranet deployment's "
              "administrator can turn on feeds_webhook_allow_private."},
    "feeds.webhook_unresolvable": {
        "zh": "Webhook 地址的主机“{host}”无法解析为任何 IP 地址，请检查地址是否正确。",
        "en": "The webhook host “{host}” does not resolve to any IP address; check the URL."},
}
