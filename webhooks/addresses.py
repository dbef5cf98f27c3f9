"""The SSRF guard: webhook URLs must be http(s) and resolve to public addresses only.

Checked when an endpoint is registered and again before every attempt; the request then goes to
the very address that was checked (:func:`connect_to`), so a DNS answer that changes in between
(rebinding) cannot point it inside our network. ``OLIVE_WEBHOOKS_ALLOW_PRIVATE`` lifts the check,
for local development and tests only.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def webhook_url_check(url: str) -> str | None:
    """Refuse (ValidationError on ``url``) what is not http(s) or reaches a non-public address.

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
    return str(addresses[0])


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        message = _("The host %(host)s cannot be resolved.")
        raise ValidationError({"url": message % {"host": host}}) from None
    # An IPv6 link-local answer carries its interface ("fe80::1%eth0"); the address is before it.
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
    address = getattr(address, "ipv4_mapped", None) or address
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
