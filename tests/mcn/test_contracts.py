import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from creators.models import Creator
from mcn.models import Contract
from mcn.services import contract_end, contract_sign
from tenancy.models import AuditEvent
from tenancy.scoping import Actor, acting_as
from tests.factories import ContractFactory, CreatorFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 3, 1)


def agency_actor(org=None, role="owner") -> Actor:
    org = org or OrganizationFactory(kind="agency")
    return Actor(user_id=None, organization_id=org.pk, organization_kind="agency", role=role)


def sign(actor, creator, share="30"):
    with acting_as(actor):
        return contract_sign(
            actor=actor, creator_id=creator.pk, start=START, revenue_share_pct=share
        )


def test_signing_sets_the_creators_agency_and_is_audited():
    actor, creator = agency_actor(), CreatorFactory()
    contract = sign(actor, creator)
    creator.refresh_from_db()
    assert creator.agency_id == actor.organization_id == contract.organization_id
    assert AuditEvent.objects.unscoped().get().action == "contract.signed"


def test_a_second_active_contract_is_refused_and_changes_nothing():
    first, second, creator = agency_actor(), agency_actor(), CreatorFactory()
    sign(first, creator)
    with pytest.raises(ValidationError, match="already has an active contract"):
        sign(second, creator)
    creator.refresh_from_db()
    assert creator.agency_id == first.organization_id
    assert Contract.objects.unscoped().count() == 1


def test_the_database_itself_refuses_two_active_contracts():
    existing = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(creator=existing.creator)
    assert Contract.objects.unscoped().count() == 1


@pytest.mark.parametrize("share", ["-1", "100.5", "lots"])
def test_a_share_outside_0_to_100_is_refused(share):
    creator = CreatorFactory()
    with pytest.raises(ValidationError, match="between 0 and 100"):
        sign(agency_actor(), creator, share)
    assert not Contract.objects.unscoped().exists()


def test_ending_frees_the_creator_for_another_agency():
    first, second, creator = agency_actor(), agency_actor(), CreatorFactory()
    contract = sign(first, creator)
    with acting_as(first):
        contract_end(actor=first, contract=contract, end=START + datetime.timedelta(days=90))
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id is None
    sign(second, creator)
    assert Creator.objects.unscoped().get(pk=creator.pk).agency_id == second.organization_id


def test_another_agency_cannot_end_a_contract_and_bad_ends_are_refused():
    owner, outsider, creator = agency_actor(), agency_actor(), CreatorFactory()
    contract = sign(owner, creator)
    with acting_as(outsider), pytest.raises(Contract.DoesNotExist):
        contract_end(actor=outsider, contract=contract, end=START)
    with acting_as(owner), pytest.raises(ValidationError, match="before it starts"):
        contract_end(actor=owner, contract=contract, end=START - datetime.timedelta(days=1))
    contract.refresh_from_db()
    assert contract.status == "active" and Creator.objects.unscoped().get(pk=creator.pk).agency_id


def test_brands_and_viewers_cannot_sign():
    creator = CreatorFactory()
    brand = Actor(
        user_id=None,
        organization_id=OrganizationFactory().pk,
        organization_kind="brand",
        role="owner",
    )
    with pytest.raises(PermissionDenied):
        sign(brand, creator)
    with pytest.raises(PermissionDenied):
        sign(agency_actor(role="viewer"), creator)
    assert not Contract.objects.unscoped().exists()
