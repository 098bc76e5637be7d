"""Where a webhook may go: public addresses only (SSRF), checked when a watch is added and again at each send.

A webhook URL is the one place where a user makes the server open a connection of their choosing, so it
must not reach the deployment's own network: loopback, private (RFC 1918, unique-local, shared 100.64/10),
link-local (cloud metadata at 169.254.169.254), multicast, unspecified and reserved addresses are refused.
At registration the host is resolved and every address it has must be allowed; at each send it is resolved
again, every address checked, and the connection made to the checked address itself (the URL rewritten to the
IP, the name kept in the Host header and as the TLS server name, so the certificate is still verified for
the name) — a name that resolves to a public address when checked and to 127.0.0.1 a moment later (DNS
rebinding) never gets a connection to 127.0.0.1.

`feeds_webhook_allow_private` (an intranet deployment whose receivers are on its own network) lets loopback
and private addresses through; link-local, multicast, unspecified and reserved addresses stay refused.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from certbridge.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
ALWAYS_REFUSED = ("link_local", "multicast", "unspecified", "reserved")  # even with private targets allowed
KIND_NAMES = {"loopback": ("本机回环地址", "a loopback address"), "private": ("内网地址", "a private address"),
              "link_local": ("链路本地地址", "a link-local address"), "multicast": ("组播地址", "a multicast address"),
              "unspecified": ("未指定地址", "the unspecified address"), "reserved": ("保留地址", "a reserved address")}


def address_kind(address: Address) -> str | None:
    """Return why an address is not public (loopback, private, link_local, multicast, unspecified, reserved),
    or None for a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    checks = (("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
              ("link_local", address.is_link_local), ("multicast", address.is_multicast),
              ("reserved", address.is_reserved), ("private", address.is_private))
    for kind, hit in checks:
        if hit:
            return kind
    return None if address.is_global else "reserved"  # 100.64/10, documentation and other special ranges


def refused_kind(address: Address, *, allow_private: bool) -> str | None:
    """Return why a webhook may not connect to an address, or None when it may."""
    kind = address_kind(address)
    if kind is None or (allow_private and kind not in ALWAYS_REFUSED):
        return None
    if kind == "reserved" and allow_private and _is_shared(address):
        return None  # 100.64/10 (carrier-grade NAT) is an intranet range too
    return kind


def _is_shared(address: Address) -> bool:
    return isinstance(address, ipaddress.IPv4Address) and address in ipaddress.ip_network("100.64.0.0/10")


def resolve(host: str, port: int) -> list[Address]:
    """Return every address a host name (or literal) resolves to, in the resolver's order."""
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, Address] = {}
    for info in infos:
        seen.setdefault(info[4][0], ipaddress.ip_address(info[4][0].split("%", 1)[0]))
    return list(seen.values())


@dataclass(frozen=True)
class Pinned:
    """A checked send: the URL with the checked address in place of the name, and what keeps the name."""

    url: str
    address: Address
    headers: dict[str, str]
    extensions: dict[str, str]


def check_target(url: str, *, allow_private: bool) -> Pinned:
    """Resolve a webhook URL's host and check every address; return the send pinned to the first one.

    Raises InvalidInput `feeds.webhook_unresolvable` (no address) or `feeds.webhook_address_refused`.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise InvalidInput("feeds.webhook_unresolvable", field="webhook_url", host=host[:80])
    for address in addresses:
        kind = refused_kind(address, allow_private=allow_private)
        if kind is not None:
            raise InvalidInput("feeds.webhook_address_refused", field="webhook_url", host=host[:80],
                               address=str(address), kind=kind, kind_zh=KIND_NAMES[kind][0],
                               kind_en=KIND_NAMES[kind][1])
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = parts.netloc.rsplit("@", 1)[-1]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Pinned(urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), address,
                  {"Host": host_header}, extensions)
