"""Bad input to a traffic run gets a clear error on its field and writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tenancy.scoping import SYSTEM, acting_as
from tests.factories import CreatorFactory, MembershipFactory, OrganizationFactory
from tests.rowcounts import row_counts
from traffic.services import allocation_run_create

pytestmark = pytest.mark.django_db
FORM = {"pool": "1000000", "target_gini": "0.3", "floor": "0", "cap": ""}
TABLES = ("traffic.AllocationRun", "traffic.Allocation", "tenancy.AuditEvent")
ABSURD = "10000000000000000000000000"


@pytest.fixture
def operator() -> Client:
    org = OrganizationFactory(kind="operator")
    client = Client()
    client.force_login(MembershipFactory(organization=org, role="owner").user)
    return client


@pytest.fixture
def three_eligible():
    """Three creators who can receive traffic, and a suspended one who cannot."""
    CreatorFactory(status="suspended")
    return [CreatorFactory() for _ in range(3)]


def post_run(client, django_capture_on_commit_callbacks, **fields):
    before = row_counts(*TABLES)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/operator/traffic/", {**FORM, **fields})
    assert row_counts(*TABLES) == before
    assert response.status_code == 400
    return response.context["form"].errors


@pytest.mark.parametrize(
    "field, value",
    [
        ("pool", ABSURD),
        ("floor", ABSURD),
        ("cap", ABSURD),
        ("floor", "1e300"),
        ("cap", "1e300"),
        ("target_gini", ABSURD),
        ("target_gini", "1e400"),
    ],
)
def test_absurd_numbers_on_the_run_form_are_field_errors_not_500s(
    operator, three_eligible, django_capture_on_commit_callbacks, field, value
):
    errors = post_run(operator, django_capture_on_commit_callbacks, **{field: value})
    assert list(errors) == [field]


@pytest.mark.parametrize("field, value", [("pool", 10**25), ("floor", 1e300), ("cap", 1e300)])
def test_the_service_refuses_absurd_numbers_too(three_eligible, field, value):
    before = row_counts(*TABLES)
    params = {"pool": 1000, "target_gini": 0.3, field: value}
    with acting_as(SYSTEM), pytest.raises(ValidationError) as refused:
        allocation_run_create(actor=SYSTEM, **params)
    assert list(refused.value.message_dict) == [field]
    assert row_counts(*TABLES) == before


def test_floors_above_the_pool_are_refused_on_the_form_with_what_is_possible(
    operator, three_eligible, django_capture_on_commit_callbacks
):
    errors = post_run(operator, django_capture_on_commit_callbacks, pool="2000", floor="1000")
    assert errors["floor"] == [
        "The floors exceed the pool: with 3 eligible creators a floor of 1,000 needs a pool"
        " of at least 3,000."
    ]


def test_caps_below_the_pool_are_refused_on_the_form_with_what_is_possible(
    operator, three_eligible, django_capture_on_commit_callbacks
):
    errors = post_run(operator, django_capture_on_commit_callbacks, pool="1000", cap="10")
    assert errors["cap"] == [
        "The caps cannot absorb the pool: with 3 eligible creators a cap of 10 places at most"
        " 30 impressions; raise the cap to at least 334 or lower the pool."
    ]


def test_a_run_without_eligible_creators_is_refused(operator, django_capture_on_commit_callbacks):
    CreatorFactory(status="suspended")
    errors = post_run(operator, django_capture_on_commit_callbacks)
    assert errors["pool"] == ["No creator is eligible for traffic: there is nobody to allocate to."]


def test_a_feasible_floor_exactly_at_the_pool_is_accepted(three_eligible):
    with acting_as(SYSTEM):
        run = allocation_run_create(actor=SYSTEM, pool=3000, target_gini=0.3, floor=1000)
    assert run.pk and run.status == "pending"
