import io

import pytest
from django.core.management import call_command
from django.test import Client

from demo.services import DEMO_LOGINS, DEMO_PASSWORD
from tenancy.models import ApiKey, AuditEvent
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create
from tests.tenancy_helpers import assert_outsider_gets_404

pytestmark = pytest.mark.django_db

HOME_MARKER = {
    "operator": 'data-home="operator"',
    "reviewer": 'data-home="operator"',
    "brand": 'data-home="brand"',
    "brand2": 'data-home="brand"',
    "agency": 'data-home="agency"',
    "agency2": 'data-home="agency"',
    "creator": 'data-home="creator"',
    "partner": "API keys",
}


def _sign_in(username, password=DEMO_PASSWORD):
    client = Client()
    response = client.post("/login/", {"username": username, "password": password}, follow=True)
    return client, response


def test_every_demo_login_lands_on_its_role_home():
    call_command("seed_demo", creators=200, weeks=8, stdout=io.StringIO())
    assert {login.username for login in DEMO_LOGINS} == set(HOME_MARKER)
    for login in DEMO_LOGINS:
        _client, response = _sign_in(login.username)
        assert response.status_code == 200, login.username
        assert HOME_MARKER[login.username] in response.content.decode(), login.username


def test_wrong_password_is_a_form_error():
    call_command("seed_demo", creators=200, weeks=8, stdout=io.StringIO())
    client, response = _sign_in("brand", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_signed_out_pages_redirect_to_login():
    for path in ["/", "/brand/", "/agency/tier/", "/portal/", "/operator/"]:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_a_page_for_another_kind_of_tenant_is_404(personas):
    client = personas.client(personas.member)  # a brand
    assert client.get("/brand/").status_code == 200
    for path in ["/agency/tier/", "/operator/", "/portal/"]:
        assert client.get(path).status_code == 404, path


def test_tenant_switcher_changes_the_acting_organization(personas):
    from tests.factories import MembershipFactory

    second = MembershipFactory(user=personas.member, role="viewer").organization
    client = personas.client(personas.member)
    page = client.get("/brand/").content.decode()
    assert 'id="tenant-switcher"' in page and second.name in page
    client.post("/switch/", {"context": str(second.pk)})
    assert client.get("/settings/api-keys/").status_code == 403  # a viewer there, as in the API
    assert client.post("/switch/", {"context": str(personas.other_tenant.pk)}).status_code == 404
    client.post("/switch/", {"context": str(personas.tenant.pk)})
    assert client.get("/settings/api-keys/").status_code == 200


def test_language_switch_between_chinese_and_english(personas, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = personas.client(personas.member)
    assert "品牌看板" in client.get("/brand/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/brand/"})
    assert "Brand dashboard" in client.get("/brand/").content.decode()


def test_api_key_page_creates_shows_once_and_revokes(personas):
    client = personas.client(personas.member)
    response = client.post("/settings/api-keys/", {"name": "shop sync", "scopes": ["orders:write"]})
    secret = response.context["secret"]
    key = ApiKey.objects.get(organization=personas.tenant)
    assert secret.startswith(key.prefix + ".") and secret in response.content.decode()
    assert secret not in client.get("/settings/api-keys/").content.decode()
    client.post(f"/settings/api-keys/{key.prefix}/revoke/")
    key.refresh_from_db()
    assert key.revoked
    actions = set(AuditEvent.objects.unscoped().values_list("action", flat=True))
    assert {"api_key.created", "api_key.revoked"} <= actions


def test_api_key_page_rejects_bad_input_and_changes_nothing(personas):
    client = personas.client(personas.member)
    response = client.post("/settings/api-keys/", {"name": "", "scopes": ["bogus"]})
    assert set(response.context["form"].errors) == {"name", "scopes"}
    assert not ApiKey.objects.exists()


def test_outsider_and_viewer_cannot_touch_anothers_keys(personas):
    key, _secret = api_key_create(
        actor=SYSTEM, organization=personas.tenant, name="private", scopes=[]
    )
    outsider = personas.client(personas.outsider)
    assert_outsider_gets_404(
        outsider, f"/settings/api-keys/{key.prefix}/revoke/", secrets=[key.prefix], method="post"
    )
    assert key.prefix not in outsider.get("/settings/api-keys/").content.decode()
    assert personas.client(personas.viewer).get("/settings/api-keys/").status_code == 403
    key.refresh_from_db()
    assert not key.revoked
