"""The creator directory's list page does only the work its answer needs (bench/api_load.py).

Under the load of issue 10 every millisecond of a page is paid eight times over: building the
FilterSet (its form and translated choices) when no filter was asked for, and a model instance
per row when the page only prints columns, were ~1.3 ms of CPU of each page. The answer stays
the same: the rows, their fields and order, the cursors, and filters when they are asked for.
"""

from unittest import mock

import pytest
from django.db.models.signals import post_init

from creators.filters import CreatorFilter
from creators.models import Creator
from tests.factories import CreatorFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db

FIELDS = ["handle", "display_name", "vertical", "region", "city_tier", "followers", "joined"]


@pytest.fixture
def client():
    for i in range(5):
        CreatorFactory(handle=f"c{i}", followers=1_000 * (i + 1), vertical="beauty")
    CreatorFactory(handle="tie", followers=3_000, vertical="agriculture")
    return api_key_client(OrganizationFactory(kind="brand"), ["creators:read"])[1]


def creator_instances_built(client, path: str, params=None) -> tuple[int, dict]:
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=Creator)
    try:
        response = client.get(path, params)
    finally:
        post_init.disconnect(count, sender=Creator)
    assert response.status_code == 200, response.content
    return len(built), response.json()


def test_a_page_builds_no_model_instance_per_row(client):
    built, body = creator_instances_built(client, "/api/v1/creators/", {"page_size": 3})
    assert len(body["results"]) == 3
    assert built == 0


def test_an_unfiltered_page_builds_no_filterset(client):
    with mock.patch.object(CreatorFilter, "__init__", side_effect=AssertionError("built")):
        response = client.get("/api/v1/creators/", {"page_size": 2})
    assert response.status_code == 200, response.content


def test_the_answer_is_the_detail_fields_in_order_with_working_cursors(client):
    seen, path, params = [], "/api/v1/creators/", {"page_size": 2}
    while path:
        body = client.get(path, params).json()
        seen += body["results"]
        path, params = body["next"], None
    assert [row["handle"] for row in seen][:1] == ["c4"]
    assert sorted(row["handle"] for row in seen) == sorted(["c0", "c1", "c2", "c3", "c4", "tie"])
    followers = [row["followers"] for row in seen]
    assert followers == sorted(followers, reverse=True)
    detail = client.get("/api/v1/creators/c4/").json()
    assert seen[0] == {name: detail[name] for name in seen[0]}
    assert list(seen[0]) == [*FIELDS, "status", "engagement_rate", "avg_views"]
    assert seen[0]["joined"] == detail["joined"]


def test_filters_still_apply_and_refuse_when_asked_for(client):
    body = client.get("/api/v1/creators/", {"vertical": "agriculture"}).json()
    assert [row["handle"] for row in body["results"]] == ["tie"]
    ordered = client.get("/api/v1/creators/", {"ordering": "handle", "page_size": 2}).json()
    assert [row["handle"] for row in ordered["results"]] == ["c0", "c1"]
    bad = client.get("/api/v1/creators/", {"followers_min": "-1"})
    assert bad.status_code == 400 and "followers_min" in bad.json()["error"]["fields"]


def leading_index_columns(model) -> set[str]:
    """Columns that lead some index of ``model``'s table: an ORDER BY on one is an index scan."""
    leading = {f.name for f in model._meta.fields if f.db_index or f.unique or f.primary_key}
    for index in model._meta.indexes:
        leading.add(index.fields[0].lstrip("-"))
    return leading


def test_every_ordering_of_the_directory_pages_through_an_index():
    # Without one, each cursor page of ?ordering=joined sorted all 300k rows (55-80 ms a page).
    # The figure columns are computed per request (README "Performance": their cost, measured).
    from creators.api import CreatorViewSet
    from creators.selectors import DIRECTORY_FIGURE_FIELDS

    columns = set(CreatorViewSet.ordering_fields) - set(DIRECTORY_FIGURE_FIELDS)
    unindexed = columns - leading_index_columns(Creator)
    assert not unindexed
