"""Messages of the federation between instances (federation/)."""

MESSAGES: dict[str, dict[str, str]] = {
    "federation.peer_name": {"zh": "实例名称“{name}”无效：须为主机名形式，例如 certs.beihai.example。",
                             "en": "The instance name “{name}” is not valid: give a host-like name such as "
                                   "certs.beihai.example."},
    "federation.peer_url": {"zh": "地址“{url}”无效：须为 http:// 或 https:// 开头的完整地址。",
                            "en": "The URL “{url}” is not valid: give a full http:// or https:// address."},
    "federation.peer_key": {"zh": "验证密钥无效，或不是“{origin}”的账本密钥：{detail}",
                            "en": "The verifier key is not valid, or not the log key of “{origin}”: {detail}"},
    "federation.peer_role": {"zh": "实例角色须为 region（地区）或 national（全国）。",
                             "en": "A peer's role is region or national."},
    "federation.peer_self": {"zh": "不能把本实例（{name}）添加为对等实例。",
                             "en": "This instance ({name}) cannot be its own peer."},
    "federation.peer_known": {"zh": "已连接实例“{name}”。", "en": "The instance “{name}” is already connected."},
    "federation.peer_not_found": {"zh": "没有编号为 {id} 的对等实例。", "en": "There is no peer {id}."},
    "federation.peer_unreachable": {"zh": "无法读取对等实例“{name}”：{detail}",
                                    "en": "Could not read the peer “{name}”: {detail}"},
    "federation.query_required": {"zh": "请填写证书编号、统一社会信用代码或名称。",
                                  "en": "Give a certificate number, a USCC or a name."},
}
