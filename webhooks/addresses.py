"""The SSRF guard: webhook URLs must be http(s), on port 80, 443 or one of
``OLIVE_WEBHOOK_ALLOWED_PORTS``, and resolve to public addresses only.

An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64) is judged by that
too: ``2002:7f00:1::`` reaches 127.0.0.1 through any 6to4 relay. Other ports are refused because
a public address can still front a service that speaks something else (Redis on 6379 takes an
HTTP POST's lines as commands).

Checked when an endpoint is registered and again before every attempt; the request then goes to
the very address that was checked (:func:`connect_to`), so a DNS answer that changes in between
(rebinding) cannot point it inside our network. ``OLIVE_WEBHOOKS_ALLOW_PRIVATE`` lifts the address
and port checks, for local development and tests only.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: NAT64 (RFC 6052): the last 32 bits are the IPv4 address the gateway connects to.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Local-use NAT64 (RFC 8215): the operator picks where the IPv4 address sits; never a target.
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def webhook_url_check(url: str) -> str | None:
    """Refuse (ValidationError on ``url``) what is not http(s), on a port not allowed, or
    reaching a non-public address.

    Returns the checked address to connect to, or None when private targets are allowed.
    """
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError({"url": _("The port is not valid.")}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Only http and https URLs with a host are allowed.")})
    if settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE:
        return None
    addresses = _resolve(parts.hostname, port)
    refused = [str(address) for address in addresses if not _is_public(address)]
    if refused or not addresses:
        message = _("Webhooks go to public addresses only; %(host)s resolves to %(addresses)s.")
        raise ValidationError({"url": message % {"host": parts.hostname, "addresses": refused}})
    _port_check(port)
    return str(addresses[0])


def _port_check(port: int) -> None:
    allowed = {80, 443, *settings.OLIVE_WEBHOOK_ALLOWED_PORTS}
    if port not in allowed:
        message = _("Webhooks go to ports %(ports)s only; %(port)s is not one of them.")
        ports = ", ".join(str(p) for p in sorted(allowed))
        raise ValidationError({"url": message % {"ports": ports, "port": port}})


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        message = _("The host %(host)s cannot be resolved.")
        raise ValidationError({"url": message % {"host": host}}) from None
    # An IPv6 link-local answer carries its interface ("fe80::1%eth0"); the address is before it.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if address in NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour:
        return [address.sixtofour]
    return list(address.teredo or ())  # (server, client)


def _is_public(address: Address) -> bool:
    if address.version == 4:
        return _is_public_itself(address)
    if address in NAT64_LOCAL:
        return False
    embedded = _embedded_ipv4(address)
    # A mapped or NAT64 address is the IPv4 address it carries (::ffff:10.0.0.1 is 10.0.0.1);
    # 6to4 and Teredo must be public themselves and carry a public IPv4 address.
    translated = address.ipv4_mapped is not None or address in NAT64
    itself = translated or _is_public_itself(address)
    return itself and all(_is_public_itself(inner) for inner in embedded)


def _is_public_itself(address: Address) -> bool:
    special = (
        address.is_private,
        address.is_loopback,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    # `is_global` also refuses shared address space (100.64.0.0/10), where Alibaba Cloud serves
    # instance metadata (100.100.100.200) and which none of the flags above cover.
    return address.is_global and not any(special)


def connect_to(address: str, target: tuple, *args, **kwargs) -> socket.socket:
    """``socket.create_connection`` to the checked ``address`` instead of what DNS says now."""
    return socket.create_connection((address, target[1]), *args, **kwargs)
