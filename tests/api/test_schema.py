"""What /api/schema/ promises a client generator: JSON bodies only, the Idempotency-Key header,
the cursor parameters, the bulk rows and their errors, in one language whatever the request."""

import pytest
from django.test import Client

from tests.factories import OrganizationFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(schema, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_request_body_is_json_only(schema):
    bodies = {
        f"{method.upper()} {path}": sorted(op["requestBody"]["content"])
        for path, method, op in operations(schema)
        if "requestBody" in op
    }
    assert bodies, "no operation takes a body?"
    assert {k: v for k, v in bodies.items() if v != ["application/json"]} == {}


def test_a_form_encoded_body_is_refused_in_the_one_error_format():
    client = api_key_client(OrganizationFactory(kind="brand"), ["campaigns:write"])[1]
    response = client.post("/api/v1/campaigns/", {"name": "X"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_every_post_declares_the_idempotency_key_and_the_replay_header(schema):
    missing, unreplayed = [], []
    for path, method, op in operations(schema):
        if method != "post":
            continue
        headers = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        if "Idempotency-Key" not in headers:
            missing.append(path)
        ok = [code for code in op["responses"] if code.startswith("2")]
        if not all("Idempotent-Replayed" in op["responses"][c].get("headers", {}) for c in ok):
            unreplayed.append(path)
    assert missing == [] and unreplayed == []


def test_no_other_method_declares_the_idempotency_key(schema):
    for path, method, op in operations(schema):
        names = {p["name"] for p in op.get("parameters", [])}
        assert method == "post" or "Idempotency-Key" not in names, (method, path)


def test_every_paginated_list_declares_cursor_and_page_size(schema):
    lists = 0
    for path, _method, op in operations(schema):
        ok = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if not ok.get("schema", {}).get("$ref", "").split("/")[-1].startswith("Paginated"):
            continue
        lists += 1
        params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        assert {"cursor", "page_size"} <= set(params), path
        assert params["page_size"]["schema"].get("maximum") == 500, path
    assert lists >= 10


@pytest.mark.parametrize(
    ("path", "row", "names"),
    [
        ("/api/v1/metrics/bulk/", "MetricRow", {"creator", "date", "followers", "gmv"}),
        ("/api/v1/content/bulk/", "ContentRow", {"creator", "external_id", "kind", "title"}),
    ],
)
def test_bulk_bodies_are_typed_rows_and_their_400_lists_row_errors(schema, path, row, names):
    op = schema["paths"][path]["post"]
    body = resolve(schema, op["requestBody"]["content"]["application/json"]["schema"])
    rows = body["properties"]["rows"]
    assert body["required"] == ["rows"] and rows["maxItems"] == 10_000
    assert rows["items"]["$ref"].endswith(f"/{row}Request")
    item = resolve(schema, rows["items"])
    assert names <= set(item["properties"]) and "creator" in item["required"]
    bad = resolve(schema, op["responses"]["400"]["content"]["application/json"]["schema"])
    detail = resolve(schema, bad["properties"]["error"])
    fields = resolve(schema, detail["properties"]["fields"])
    row_error = resolve(schema, fields["properties"]["rows"]["items"])
    assert set(row_error["properties"]) == {"index", "field", "message"}
    assert row_error["properties"]["index"]["nullable"] is True


@pytest.mark.parametrize("query", ["", "?lang=zh-hans"])
def test_the_schema_is_the_same_whatever_language_the_request_asks_for(query):
    answers = {
        language: Client().get(f"/api/schema/{query}", HTTP_ACCEPT_LANGUAGE=language).content
        for language in ("zh-hans", "en", "fr")
    }
    assert answers["zh-hans"] == answers["en"] == answers["fr"]
    text = answers["en"].decode()
    assert "City tier" in text and "城市" not in text, "not English"


def test_the_certification_endpoints_are_documented(schema):
    """An agency's assessments page like every list; the what-if takes ``{metrics: {name:
    number}}`` and answers the tier, score, gates and way up."""
    listed = schema["paths"]["/api/v1/agencies/{slug}/assessments/"]["get"]
    page = resolve(schema, listed["responses"]["200"]["content"]["application/json"]["schema"])
    item = resolve(schema, page["properties"]["results"]["items"])
    assert {"run", "as_of", "tier", "score", "components", "gates", "next_tier"} <= set(
        item["properties"]
    )
    way_up = resolve(schema, item["properties"]["next_tier"]["allOf"][0])
    change = resolve(schema, way_up["properties"]["changes"]["items"])
    assert {"metric", "from", "to"} <= set(change["properties"])
    asked = schema["paths"]["/api/v1/agencies/{slug}/what-if/"]["post"]
    body = resolve(schema, asked["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["metrics"]
    assert body["properties"]["metrics"]["additionalProperties"]["type"] == "number"
    answer = resolve(schema, asked["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"tier", "score", "gates", "next_tier"} <= set(answer["properties"])
    assert "404" in asked["responses"] and "400" in asked["responses"]
