"""The single-row push of orders and refunds refuses the same hostile values as the bulk
routes (issue 10, finding 2): 400 in the one error format on the field, nothing written."""

import json

import pytest

from tests.factories import OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
TABLES = ("brands.Order", "brands.Refund")
ORDER = {"external_id": "O-1", "amount": "10.00", "placed_at": "2026-03-02T10:00:00Z"}


@pytest.fixture
def brand():
    return api_key_client(OrganizationFactory(kind="brand"), ["orders:write", "campaigns:read"])[1]


def refused(client, path, body, field):
    before = row_counts(*TABLES)
    response = client.post(path, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    # The JSON parser refuses U+0000 before the serializer sees a field.
    has_nul = "\\u0000" in json.dumps(body)
    assert field in error["fields"] or (has_nul and error["code"] == "parse_error")
    assert row_counts(*TABLES) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("external_id", "bad\x00id"),
        ("external_id", ["O-1"]),
        ("amount", 2**63),
        ("amount", "1e30"),
        ("amount", True),
        ("amount", "NaN"),
        ("placed_at", "0001-01-01T00:00:00Z"),
        ("placed_at", "9999-12-31T00:00:00Z"),
        ("placed_at", True),
        ("delivered_at", "0001-01-01T00:00:00Z"),
    ],
)
def test_hostile_order_fields_are_a_400(brand, field, value):
    refused(brand, "/api/v1/orders/", {**ORDER, field: value}, field)


def test_the_copy_null_marker_is_an_ordinary_order_id(brand):
    response = brand.post("/api/v1/orders/", {**ORDER, "external_id": "\\N"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["external_id"] == "\\N"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", 2**63),
        ("amount", True),
        ("reason", "no_reason\x00"),
        ("requested_at", "0001-01-01T00:00:00Z"),
        ("requested_at", "9999-12-31T00:00:00Z"),
    ],
)
def test_hostile_refund_fields_are_a_400(brand, field, value):
    order = brand.post("/api/v1/orders/", ORDER, format="json").json()
    body = {"amount": "1.00", "reason": "no_reason", "requested_at": "2026-03-03T10:00:00Z"}
    refused(brand, f"/api/v1/orders/{order['id']}/refunds/", {**body, field: value}, field)
