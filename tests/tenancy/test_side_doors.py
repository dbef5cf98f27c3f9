"""Found: Django's own paths (get_object_or_404, reverse relations, DRF's related fields) and the
creators' and traffic tables read every tenant's rows. Every private row now goes through a
manager that takes the actor, and closes without one."""

import pytest
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import serializers

from brands.models import Campaign, Collaboration
from creators.models import AudienceProfile, ContentItem, Creator, MetricSnapshot
from tenancy.scoping import NOBODY, Actor, NoActorError, acting_as
from tests.factories import (
    CampaignFactory,
    CollaborationFactory,
    ContractFactory,
    CreatorFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)
from traffic.models import Allocation, AllocationRun

pytestmark = pytest.mark.django_db


def member_of(organization, role="owner") -> Actor:
    return Actor(
        user_id=None,
        organization_id=organization.pk,
        organization_kind=organization.kind,
        role=role,
    )


def test_get_object_or_404_on_a_tenant_model_is_scoped():
    theirs = CampaignFactory()
    with acting_as(member_of(OrganizationFactory(kind="brand"))), pytest.raises(Http404):
        get_object_or_404(Campaign, pk=theirs.pk)
    with acting_as(member_of(theirs.organization)):
        assert get_object_or_404(Campaign, pk=theirs.pk) == theirs


def test_reverse_relations_are_scoped():
    collaboration = CollaborationFactory()
    campaign = Campaign.objects.unscoped().get(pk=collaboration.campaign_id)
    with acting_as(member_of(OrganizationFactory(kind="brand"))):
        assert list(campaign.collaborations.all()) == []
    with acting_as(member_of(campaign.organization)):
        assert list(campaign.collaborations.all()) == [collaboration]


class OfferOnCampaign(serializers.ModelSerializer):
    class Meta:
        model = Collaboration
        fields = ["campaign"]


def test_drf_related_fields_only_accept_the_actors_own_rows():
    theirs = CampaignFactory()
    with acting_as(member_of(OrganizationFactory(kind="brand"))):
        offer = OfferOnCampaign(data={"campaign": theirs.pk})
        assert not offer.is_valid() and "campaign" in offer.errors
    with acting_as(member_of(theirs.organization)):
        assert OfferOnCampaign(data={"campaign": theirs.pk}).is_valid()


def test_income_rows_are_the_creators_its_agencys_and_the_operators_only():
    contract = ContractFactory()
    signed = Creator.objects.unscoped().get(pk=contract.creator_id)
    Creator.objects.unscoped().filter(pk=signed.pk).update(agency=contract.organization)
    ours = MetricSnapshotFactory(creator=signed)
    MetricSnapshotFactory()  # someone else's
    readers = {
        "agency": member_of(contract.organization),
        "other agency": member_of(OrganizationFactory(kind="agency")),
        "brand": member_of(OrganizationFactory(kind="brand")),
        "partner": member_of(OrganizationFactory(kind="partner")),
        "creator": Actor(user_id=None, creator_id=signed.pk, role="creator"),
        "operator": member_of(OrganizationFactory(kind="operator")),
    }
    seen = {}
    for name, actor in readers.items():
        with acting_as(actor):
            seen[name] = set(MetricSnapshot.objects.values_list("pk", flat=True))
            seen[name + " via relation"] = set(signed.snapshots.values_list("pk", flat=True))
    assert seen["agency"] == seen["creator"] == {ours.pk}
    assert len(seen["operator"]) == 2
    assert seen["other agency"] == seen["brand"] == seen["partner"] == set()
    assert seen["brand via relation"] == set() and seen["agency via relation"] == {ours.pk}


@pytest.mark.parametrize(
    "model", [Creator, AudienceProfile, ContentItem, MetricSnapshot, AllocationRun, Allocation]
)
def test_creator_and_traffic_tables_close_without_an_actor(model):
    CreatorFactory()
    with pytest.raises(NoActorError):
        list(model.objects.all())
    with acting_as(NOBODY):
        assert list(model.objects.all()) == []


def test_unpublished_runs_and_allocations_are_the_operators():
    run = AllocationRun.objects.unscoped().create(pool=10, target_gini=0.3, as_of="2026-01-01")
    creator = CreatorFactory()
    Allocation.objects.unscoped().create(
        run=run, creator=creator, merit=1.0, impressions=10, eligible=True
    )
    partner = member_of(OrganizationFactory(kind="partner"))
    operator = member_of(OrganizationFactory(kind="operator"))
    own = Actor(user_id=None, creator_id=creator.pk, role="creator")
    with acting_as(partner):
        assert not AllocationRun.objects.exists() and not Allocation.objects.exists()
    with acting_as(own):
        assert Allocation.objects.count() == 1
    AllocationRun.objects.unscoped().filter(pk=run.pk).update(published_at="2026-01-02T00:00Z")
    with acting_as(partner):
        assert AllocationRun.objects.count() == 1 and not Allocation.objects.exists()
    with acting_as(operator):
        assert Allocation.objects.count() == 1
