from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tenancy.models import ApiKey
from tenancy.scoping import SYSTEM
from tenancy.services import api_key_revoke, audit_event_record
from tests.tenancy_helpers import api_key_client, assert_only_tenant_sees, assert_outsider_gets_404

pytestmark = pytest.mark.django_db
AUDIT = "/api/v1/audit-events/"


def _key(org, scopes=("audit:read",), **kwargs):
    return api_key_client(org, scopes, **kwargs)


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    return body["error"]


def test_no_credentials_answers_401_with_the_error_format():
    error = _assert_error(APIClient().get(AUDIT), 401, "not_authenticated")
    assert "credentials" in error["message"]


def test_unknown_key_answers_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key abcdefgh.notarealsecret")
    _assert_error(client.get(AUDIT), 401, "authentication_failed")


def test_revoked_key_answers_401(personas):
    key, client = _key(personas.tenant)
    assert client.get(AUDIT).status_code == 200
    api_key_revoke(actor=SYSTEM, api_key=key)
    assert "revoked" in _assert_error(client.get(AUDIT), 401, "authentication_failed")["message"]


def test_expired_key_answers_401(personas):
    key, client = _key(personas.tenant, expires_in_days=1)
    ApiKey.objects.filter(pk=key.pk).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert "expired" in _assert_error(client.get(AUDIT), 401, "authentication_failed")["message"]


def test_key_without_the_scope_answers_403(personas):
    _key_row, client = _key(personas.tenant, scopes=["creators:read"])
    error = _assert_error(client.get(AUDIT), 403, "permission_denied")
    assert "audit:read" in error["message"]


def test_key_reads_only_its_own_organizations_audit_trail(personas):
    mine = audit_event_record(actor=SYSTEM, action="x.mine", organization_id=personas.tenant.pk)
    theirs = audit_event_record(
        actor=SYSTEM, action="x.theirs", organization_id=personas.other_tenant.pk
    )
    _key_row, client = _key(personas.tenant)
    actions = [row["action"] for row in client.get(AUDIT).json()["results"]]
    assert "x.mine" in actions and "x.theirs" not in actions
    assert client.get(f"{AUDIT}{mine.pk}/").json()["action"] == "x.mine"
    assert_outsider_gets_404(client, f"{AUDIT}{theirs.pk}/", secrets=["x.theirs"])


def test_session_outsider_gets_404_and_viewer_is_refused(personas):
    event = audit_event_record(
        actor=SYSTEM, action="secret.action", organization_id=personas.tenant.pk
    )
    path = f"{AUDIT}{event.pk}/"
    assert_only_tenant_sees(
        personas.api_client(personas.member),
        personas.api_client(personas.outsider),
        path,
        secrets=["secret.action"],
    )
    _assert_error(personas.api_client(personas.viewer).get(path), 403, "permission_denied")


def test_me_describes_the_key(personas):
    _key_row, client = _key(personas.tenant, scopes=["creators:read"])
    body = client.get("/api/v1/me/").json()
    assert body["organization"]["slug"] == personas.tenant.slug
    assert (body["role"], body["scopes"], body["user"]) == ("api_key", ["creators:read"], None)


def test_throttled_key_gets_429_with_retry_after(personas, monkeypatch):
    from api.throttling import ApiKeyRateThrottle

    monkeypatch.setattr(ApiKeyRateThrottle, "rate", "3/min", raising=False)
    _key_row, client = _key(personas.tenant)
    codes = [client.get("/api/v1/me/").status_code for _ in range(4)]
    response = client.get("/api/v1/me/")
    assert codes == [200, 200, 200, 429]
    _assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    _other_key, other_client = _key(personas.tenant)  # the limit is per key
    assert other_client.get("/api/v1/me/").status_code == 200


def test_api_key_lifecycle_by_session_admin(personas):
    client = personas.api_client(personas.member)
    created = client.post(
        "/api/v1/api-keys/", {"name": "erp", "scopes": ["orders:write"]}, format="json"
    )
    assert created.status_code == 201
    secret, prefix = created.json()["secret"], created.json()["key"]["prefix"]
    assert secret.startswith(prefix + ".")
    assert ApiKey.objects.get(prefix=prefix).hashed_key != secret
    listed = client.get("/api/v1/api-keys/").json()
    assert [row["prefix"] for row in listed] == [prefix]
    assert client.post(f"/api/v1/api-keys/{prefix}/revoke/").json()["revoked"] is True
    assert_outsider_gets_404(
        personas.api_client(personas.outsider),
        f"/api/v1/api-keys/{prefix}/revoke/",
        secrets=[prefix],
        method="post",
    )


def test_bad_key_request_changes_nothing(personas):
    client = personas.api_client(personas.member)
    response = client.post("/api/v1/api-keys/", {"name": "", "scopes": ["nope:x"]}, format="json")
    error = _assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"name", "scopes"}
    assert not ApiKey.objects.exists()


def test_keys_cannot_mint_keys_and_viewers_cannot_either(personas):
    _key_row, key_client = _key(personas.tenant, scopes=["audit:read"])
    _assert_error(key_client.get("/api/v1/api-keys/"), 403, "permission_denied")
    viewer = personas.api_client(personas.viewer)
    _assert_error(
        viewer.post("/api/v1/api-keys/", {"name": "x", "scopes": []}, format="json"),
        403,
        "permission_denied",
    )
    assert ApiKey.objects.count() == 1


def test_unknown_api_path_is_a_json_404():
    _assert_error(APIClient().get("/api/v1/no-such-thing/"), 404, "not_found")


def test_idempotency_key_replays_the_first_answer_and_refuses_a_different_body(personas):
    client = personas.api_client(personas.member)
    body = {"name": "erp", "scopes": ["orders:write"]}
    first = client.post("/api/v1/api-keys/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/api-keys/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert ApiKey.objects.count() == 1
    other = client.post(
        "/api/v1/api-keys/", {**body, "name": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    _assert_error(other, 422, "idempotency_key_reused")
    fresh = client.post("/api/v1/api-keys/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert fresh.status_code == 201 and ApiKey.objects.count() == 2


def test_a_body_over_the_limit_is_a_json_413(personas, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = personas.api_client(personas.member)
    response = client.post(
        "/api/v1/api-keys/",
        {"name": "x" * 2000, "scopes": []},
        format="json",
        HTTP_IDEMPOTENCY_KEY="big",
    )
    _assert_error(response, 413, "payload_too_large")
    assert not ApiKey.objects.exists()
