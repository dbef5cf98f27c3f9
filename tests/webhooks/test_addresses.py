"""The SSRF guard (webhooks/addresses.py): IPv4 addresses hidden in IPv6 ones, and ports."""

import socket

import pytest
from django.core.exceptions import ValidationError

from tenancy.scoping import Actor
from webhooks.addresses import webhook_url_check
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_emit, webhook_endpoint_create

EVENT = "collaboration.status_changed"


def _refused(url) -> str:
    with pytest.raises(ValidationError) as error:
        webhook_url_check(url)
    return " ".join(error.value.message_dict["url"])


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254 (instance metadata)
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
        "http://[2002:6464:64c8::]/",  # 6to4 of 100.100.100.200 (Alibaba Cloud metadata)
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
        "http://[2001:0:c000:22d:8000:63bf:3fff:fdd2]/",  # Teredo, server 192.0.2.45
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://[64:ff9b:1::808:808]/",  # local-use NAT64: never a target
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::127.0.0.1]/",  # IPv4-compatible (deprecated)
        "http://[::ffff:0:7f00:1]/",  # IPv4-translated
    ],
)
def test_ipv6_addresses_carrying_a_private_ipv4_are_refused(url):
    assert "public addresses only" in _refused(url)


@pytest.mark.parametrize(
    "url, address",
    [
        ("http://[2002:808:808::1]/", "2002:808:808::1"),  # 6to4 of 8.8.8.8
        ("http://[64:ff9b::808:808]/", "64:ff9b::808:808"),  # NAT64 of 8.8.8.8
        ("https://[2606:4700:4700::1111]/", "2606:4700:4700::1111"),
    ],
)
def test_ipv6_addresses_carrying_a_public_ipv4_or_none_are_accepted(url, address):
    assert webhook_url_check(url) == address


@pytest.mark.parametrize(
    "url", ["http://1.1.1.1:6379/", "https://1.1.1.1:22/", "http://1.1.1.1:8080/"]
)
def test_ports_other_than_80_and_443_are_refused(url):
    assert "ports 80, 443 only" in _refused(url)


@pytest.mark.parametrize("url", ["http://1.1.1.1/", "https://1.1.1.1:443/", "http://1.1.1.1:80/"])
def test_the_web_ports_are_accepted(url):
    assert webhook_url_check(url) == "1.1.1.1"


def test_configured_ports_are_accepted(settings):
    settings.OLIVE_WEBHOOK_ALLOWED_PORTS = [8443]
    assert webhook_url_check("https://1.1.1.1:8443/hook") == "1.1.1.1"
    assert "ports 80, 443, 8443 only" in _refused("https://1.1.1.1:8444/hook")


def test_a_name_resolving_to_a_6to4_private_address_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2002:7f00:1::", port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    assert "2002:7f00:1::" in _refused("https://hooks.example.com/in")


def test_a_private_address_on_another_port_is_refused_as_private():
    assert "public addresses only" in _refused("http://127.0.0.1:6379/")


@pytest.mark.parametrize("url", ["http://[2002:7f00:1::]/in", "http://1.1.1.1:6379/in"])
def test_a_stored_url_is_checked_again_before_each_delivery(
    url, personas, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """An endpoint saved before the rule (or whose name now resolves elsewhere) is refused at
    delivery time, without a connection."""
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 1
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    owner = Actor(user_id=None, organization_id=personas.tenant.pk, role="owner")
    endpoint, _secret = webhook_endpoint_create(
        actor=owner, url="http://127.0.0.1:9/in", events=[EVENT]
    )
    WebhookEndpoint.objects.unscoped().filter(pk=endpoint.pk).update(url=url)
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = False
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("connected"))
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = webhook_emit(event=EVENT, organization_ids=[personas.tenant.pk], data={})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.ABANDONED
    assert delivery.last_error_code == WebhookDelivery.Error.REFUSED
