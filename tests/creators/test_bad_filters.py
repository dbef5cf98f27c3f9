"""A directory filter that cannot apply applies nothing: the page shows every row with the
error, the API answers 400 in the one error format. Either way nothing is written."""

import pytest
from django.test import Client

from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
TABLES = ("creators.Creator", "tenancy.AuditEvent")
HANDLES = ["tiny-one", "mid-one", "big-one"]
BAD = [
    ({"followers_min": "500", "followers_max": "10"}, "followers_max"),
    ({"followers_min": "abc", "vertical": "beauty"}, "followers_min"),
    ({"followers_min": "10000000000000000000000000"}, "followers_min"),
    ({"followers_max": "10000000000000000000000000", "vertical": "beauty"}, "followers_max"),
]


@pytest.fixture
def three():
    for handle, followers in zip(HANDLES, (100, 1_000, 10_000), strict=True):
        CreatorFactory(handle=handle, followers=followers, vertical="beauty")
    CreatorFactory(handle="farmer", followers=50, vertical="agriculture")


def page_client() -> Client:
    client = Client()
    client.force_login(MembershipFactory(organization=OrganizationFactory(kind="brand")).user)
    return client


@pytest.mark.parametrize("query, field", BAD)
def test_the_page_applies_no_filter_when_one_is_invalid(three, query, field):
    client = page_client()
    before = row_counts(*TABLES)
    response = client.get("/creators/", query)
    assert row_counts(*TABLES) == before
    assert response.status_code == 200
    assert field in response.context["filter"].errors
    shown = sorted(c.handle for c in response.context["page"].object_list)
    assert shown == sorted([*HANDLES, "farmer"])  # all rows, none half-filtered


@pytest.mark.parametrize("query, field", BAD)
def test_the_api_answers_400_in_the_one_error_format(three, query, field):
    client = api_key_client(OrganizationFactory(kind="brand"), ["creators:read"])[1]
    before = row_counts(*TABLES)
    response = client.get("/api/v1/creators/", query)
    assert row_counts(*TABLES) == before
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_the_range_error_names_the_fix(three):
    response = api_key_client(OrganizationFactory(kind="brand"), ["creators:read"])[1].get(
        "/api/v1/creators/", {"followers_min": "500", "followers_max": "10"}
    )
    assert response.json()["error"]["fields"] == {
        "followers_max": ["Must be at least the minimum followers."]
    }


def test_a_valid_range_still_filters(three):
    response = page_client().get("/creators/", {"followers_min": "500", "followers_max": "5000"})
    assert [c.handle for c in response.context["page"].object_list] == ["mid-one"]
