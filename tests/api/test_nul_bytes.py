"""A NUL byte in a URL (path or query string) is a 400 before any lookup reaches the database:
PostgreSQL text cannot hold one, so the driver's error would be a 500."""

import pytest

from tests.factories import CreatorFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return api_key_client(OrganizationFactory(kind="brand"), ["creators:read"])[1]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/creators/a%00b/",
        "/api/v1/creators/a%00b/metrics/",
        "/api/v1/creators/?q=a%00b",
        "/api/v1/creators/?vertical=%00",
        "/api/v1/creators/?a%00=1",
    ],
)
def test_a_nul_in_an_api_url_is_a_400_in_the_error_format(partner, path):
    CreatorFactory(handle="ab")
    response = partner.get(path)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "bad_request"


def test_a_nul_in_a_page_url_is_the_400_page(personas):
    response = personas.client(personas.member).get("/creators/?q=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_an_ordinary_url_still_passes(partner):
    CreatorFactory(handle="ab")
    assert partner.get("/api/v1/creators/ab/").status_code == 200
    assert partner.get("/api/v1/creators/?q=a%2500b").status_code == 200  # a literal "%00"
