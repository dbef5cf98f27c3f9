"""Bad offers get a clear 400 on their field and write nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from brands.models import Collaboration
from tenancy.scoping import Actor, acting_as
from tests.factories import CampaignFactory, CreatorFactory, OrganizationFactory, ProductFactory
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client

pytestmark = pytest.mark.django_db
TABLES = ("brands.Collaboration", "tenancy.AuditEvent", "webhooks.WebhookDelivery")


@pytest.fixture
def offer():
    brand = OrganizationFactory(kind="brand")
    client = api_key_client(brand, ["campaigns:read", "campaigns:write"])[1]
    body = {
        "campaign": CampaignFactory(organization=brand).pk,
        "product": ProductFactory(organization=brand).pk,
        "creator": CreatorFactory().handle,
        "offer_type": "invitation",
        "response_deadline": (timezone.now() + datetime.timedelta(days=7)).isoformat(),
    }
    return client, body


def refused(client, body) -> dict:
    before = row_counts(*TABLES)
    response = client.post("/api/v1/collaborations/", body, format="json")
    assert response.status_code == 400, response.json()
    assert row_counts(*TABLES) == before
    error = response.json()["error"]
    assert error["code"] == "invalid"
    return error["fields"]


def test_an_offer_whose_response_deadline_has_passed_is_refused_on_the_field(offer):
    client, body = offer
    past = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    fields = refused(client, {**body, "response_deadline": past})
    assert fields == {"response_deadline": ["The response deadline must be in the future."]}


def test_a_second_open_offer_for_the_same_campaign_product_and_creator_is_refused(offer):
    client, body = offer
    assert client.post("/api/v1/collaborations/", body, format="json").status_code == 201
    fields = refused(client, body)
    assert fields == {
        "creator": ["This creator already has an open offer for this product in this campaign."]
    }


def test_an_offer_for_another_product_or_after_an_answer_is_still_welcome(offer):
    client, body = offer
    first = client.post("/api/v1/collaborations/", body, format="json").json()
    brand = Collaboration.objects.unscoped().get(pk=first["id"]).organization
    other = ProductFactory(organization=brand)
    again = client.post("/api/v1/collaborations/", {**body, "product": other.pk}, format="json")
    assert again.status_code == 201
    Collaboration.objects.unscoped().filter(pk=first["id"]).update(status="declined")
    assert client.post("/api/v1/collaborations/", body, format="json").status_code == 201


def test_the_database_refuses_a_duplicate_open_offer_with_a_human_message(offer):
    client, body = offer
    first = client.post("/api/v1/collaborations/", body, format="json").json()
    twin = Collaboration.objects.unscoped().get(pk=first["id"])
    twin.pk = None
    brand = Actor(
        user_id=None, organization_id=twin.organization_id, organization_kind="brand", role="owner"
    )
    with acting_as(brand), pytest.raises(ValidationError) as caught:
        twin.validate_constraints()
    assert caught.value.messages == [
        "This creator already has an open offer for this product in this campaign."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
