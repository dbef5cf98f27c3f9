import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from tenancy.models import ApiKey, AuditEvent, Membership, Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_create_api_key_prints_a_working_key_last():
    org = OrganizationFactory(slug="acme")
    code, out, _err = _run(
        "create_api_key",
        "--org",
        "acme",
        "--name",
        "sync",
        "--scopes",
        "audit:read,creators:read",
        "--expires-days",
        "30",
    )
    secret = out.strip().splitlines()[-1]
    key = ApiKey.objects.get(organization=org)
    assert code == 0 and secret.startswith(key.prefix + ".")
    assert key.scopes == ["audit:read", "creators:read"] and key.expiry_date is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert client.get("/api/v1/me/").json()["organization"]["slug"] == "acme"
    assert AuditEvent.objects.unscoped().get().action == "api_key.created"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--org", "nope", "--name", "x"], "error: unknown organization 'nope'"),
        (
            ["--org", "acme", "--name", "x", "--scopes", "creators:read,bad:one"],
            "error: unknown scope(s): bad:one",
        ),
        (["--org", "acme", "--name", "x", "--expires-days", "0"], "error: "),
    ],
)
def test_create_api_key_bad_input_is_one_line_and_exit_2(args, message):
    OrganizationFactory(slug="acme")
    code, out, err = _run("create_api_key", *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(message)
    assert not ApiKey.objects.exists()


def test_seed_demo_is_idempotent():
    _run("seed_demo", "--creators", "200", "--weeks", "8")

    def snapshot():
        users = list(
            get_user_model().objects.order_by("username").values_list("username", "password")
        )
        return (
            users,
            list(Organization.objects.values_list("slug", "kind")),
            list(
                Membership.objects.unscoped().values_list(
                    "user__username", "organization__slug", "role"
                )
            ),
        )

    first = snapshot()
    code, out, _err = _run("seed_demo", "--creators", "200", "--weeks", "8")
    assert code == 0 and snapshot() == first
    assert "demo-pass-2026" in out and "creator" in out
    assert len(first[1]) >= 6 and {kind for _slug, kind in first[1]} == {
        "operator",
        "brand",
        "agency",
        "partner",
    }
