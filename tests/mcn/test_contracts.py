"""The contract life cycle in the services: offer → accepted / declined / withdrawn / expired,
active → ended; rights (``Creator.agency``) only from acceptance and the start date.

Every test passes its clock (``now`` / ``today``) explicitly, so none depends on the real date.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from creators.models import Creator
from mcn.models import Contract
from mcn.services import (
    _move,
    contract_accept,
    contract_decline,
    contract_end,
    contract_offer,
    contract_today,
    contract_withdraw,
    contracts_expire,
    contracts_start_due,
)
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, Actor, acting_as
from tests.factories import ContractFactory, CreatorFactory, OrganizationFactory
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
#: 12:00 in Shanghai on 1 March 2030: the services' "today" is 2030-03-01.
NOW = datetime.datetime(2030, 3, 1, 4, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2030, 3, 1)
DAY = datetime.timedelta(days=1)


def agency_actor(org=None, role="owner") -> Actor:
    org = org or OrganizationFactory(kind="agency")
    return Actor(user_id=None, organization_id=org.pk, organization_kind="agency", role=role)


def creator_actor(creator) -> Actor:
    return Actor(user_id=None, creator_id=creator.pk, role="creator")


def offer(actor, creator, *, start=TODAY, share="30", now=NOW, **terms) -> Contract:
    with acting_as(actor):
        return contract_offer(
            actor=actor,
            creator_id=creator.pk,
            start=start,
            revenue_share_pct=share,
            now=now,
            **terms,
        )


def answer(service, creator, contract, now=NOW, actor=None) -> Contract:
    actor = actor or creator_actor(creator)
    with acting_as(actor):
        return service(actor=actor, contract=contract, now=now)


def agency_of(creator) -> int | None:
    return Creator.objects.unscoped().get(pk=creator.pk).agency_id


def audit_actions(contract=None) -> list[str]:
    rows = AuditEvent.objects.unscoped().order_by("id")
    if contract is not None:
        rows = rows.filter(target_id=str(contract.pk))
    return list(rows.values_list("action", flat=True))


def nothing_written() -> bool:
    return not Contract.objects.unscoped().exists() and not AuditEvent.objects.unscoped().exists()


def test_today_is_the_platform_date_even_late_in_utc():
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert contract_today(late) == datetime.date(2027, 1, 1)  # already tomorrow in Shanghai


# --- offering ------------------------------------------------------------------------------


def test_an_offer_gives_no_rights_and_is_audited_for_the_agency():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator, message="  Join us!  ", expires_in_days=10)
    assert (contract.status, contract.message) == ("offered", "Join us!")
    assert contract.offer_expires_at == NOW + 10 * DAY
    assert agency_of(creator) is None
    event = AuditEvent.objects.unscoped().get()
    assert (event.action, event.organization_id) == ("contract.offered", actor.organization_id)
    assert event.data["creator"] == creator.handle


@pytest.mark.parametrize(
    "terms, field, message",
    [
        ({"share": "-1"}, "revenue_share_pct", "between 0 and 100"),
        ({"share": "100.5"}, "revenue_share_pct", "between 0 and 100"),
        ({"share": "lots"}, "revenue_share_pct", "between 0 and 100"),
        ({"share": "NaN"}, "revenue_share_pct", "between 0 and 100"),
        ({"share": "12.345"}, "revenue_share_pct", "2 decimal places"),
        ({"start": TODAY - DAY}, "start", "cannot be in the past"),
        ({"start": "2030-03-02"}, "start", "valid date"),
        ({"expires_in_days": 0}, "expires_in_days", "1 to 90 days"),
        ({"expires_in_days": 91}, "expires_in_days", "1 to 90 days"),
        ({"message": "x" * 1001}, "message", "At most 1000"),
    ],
)
def test_bad_offer_terms_are_refused_and_nothing_is_written(terms, field, message):
    with pytest.raises(ValidationError) as error:
        offer(agency_actor(), CreatorFactory(), **terms)
    assert message in " ".join(error.value.message_dict[field])
    assert nothing_written()


def test_an_unknown_creator_is_refused():
    actor = agency_actor()
    with acting_as(actor), pytest.raises(ValidationError, match="No such creator"):
        contract_offer(actor=actor, creator_id=999_999, start=TODAY, revenue_share_pct=1, now=NOW)
    assert nothing_written()


def test_only_agency_writers_offer():
    brand = Actor(user_id=None, organization_id=OrganizationFactory().pk, organization_kind="brand")
    for actor in (brand, agency_actor(role="viewer"), creator_actor(CreatorFactory())):
        with pytest.raises(PermissionDenied):
            offer(actor, CreatorFactory())
    assert nothing_written()


def test_the_system_has_no_agency_to_offer_withdraw_or_end_for():
    """It passes the role check, but a contract needs an agency: refused, not an integrity
    error reported as "an open offer" (which is what reached the database before)."""
    agency = agency_actor()
    open_offer = offer(agency, CreatorFactory())
    active = ContractFactory(organization_id=agency.organization_id, start=TODAY)
    with acting_as(SYSTEM):
        with pytest.raises(PermissionDenied):
            contract_offer(
                actor=SYSTEM,
                creator_id=CreatorFactory().pk,
                start=TODAY,
                revenue_share_pct=10,
                now=NOW,
            )
        with pytest.raises(PermissionDenied):
            contract_withdraw(actor=SYSTEM, contract=open_offer, now=NOW)
        with pytest.raises(PermissionDenied):
            contract_end(actor=SYSTEM, contract=active, end=TODAY)
    assert Contract.objects.unscoped().count() == 2
    assert Contract.objects.unscoped().get(pk=open_offer.pk).status == "offered"


def test_one_open_offer_per_agency_and_creator_but_several_agencies_may_offer():
    first, second, creator = agency_actor(), agency_actor(), CreatorFactory()
    offer(first, creator)
    with pytest.raises(ValidationError, match="already have an open offer"):
        offer(first, creator, share="40")
    offer(second, creator)
    assert Contract.objects.unscoped().filter(status="offered").count() == 2


def test_no_offer_to_a_creator_under_contract():
    first, second, creator = agency_actor(), agency_actor(), CreatorFactory()
    answer(contract_accept, creator, offer(first, creator))
    with pytest.raises(ValidationError, match="already has an active contract"):
        offer(second, creator)
    assert Contract.objects.unscoped().count() == 1 and agency_of(creator) == first.organization_id


# --- accepting -----------------------------------------------------------------------------


def test_accepting_an_offer_starting_today_gives_the_agency_its_rights_at_once():
    actor, creator = agency_actor(), CreatorFactory()
    contract = answer(contract_accept, creator, offer(actor, creator))
    assert (contract.status, contract.accepted_at, contract.start) == ("active", NOW, TODAY)
    assert agency_of(creator) == actor.organization_id
    assert audit_actions(contract) == ["contract.offered", "contract.accepted"]
    accepted = AuditEvent.objects.unscoped().get(action="contract.accepted")
    assert accepted.organization_id == actor.organization_id
    assert accepted.actor_label == f"creator:{creator.pk}" and accepted.data["started"] is True


def test_a_future_start_gives_rights_only_when_the_start_job_runs_on_that_day():
    actor, creator = agency_actor(), CreatorFactory()
    start = TODAY + 10 * DAY
    contract = answer(contract_accept, creator, offer(actor, creator, start=start))
    assert contract.status == "active" and agency_of(creator) is None
    assert contracts_start_due(actor=SYSTEM, today=start - DAY) == 0
    assert agency_of(creator) is None
    assert contracts_start_due(actor=SYSTEM, today=start) == 1
    assert agency_of(creator) == actor.organization_id
    assert contracts_start_due(actor=SYSTEM, today=start + DAY) == 0  # idempotent
    assert audit_actions(contract).count("contract.started") == 1


def test_the_start_job_skips_ended_contracts_and_offers():
    actor, creator = agency_actor(), CreatorFactory()
    later = TODAY + 5 * DAY
    contract = answer(contract_accept, creator, offer(actor, creator, start=later))
    with acting_as(actor):
        contract_end(actor=actor, contract=contract, end=later)
    offer(agency_actor(), CreatorFactory(), start=TODAY)
    assert contracts_start_due(actor=SYSTEM, today=later + DAY) == 0
    assert not Creator.objects.unscoped().exclude(agency=None).exists()


def test_accepting_after_the_offered_start_starts_the_contract_on_acceptance_day():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator, start=TODAY + DAY)
    later = NOW + 5 * DAY
    contract = answer(contract_accept, creator, contract, now=later)
    assert contract.start == TODAY + 5 * DAY and agency_of(creator) == actor.organization_id
    event = AuditEvent.objects.unscoped().get(action="contract.accepted")
    assert event.data["proposed_start"] == (TODAY + DAY).isoformat()


def test_a_double_accept_changes_nothing_the_second_time():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator)
    answer(contract_accept, creator, contract)
    with pytest.raises(ValidationError, match="no longer open"):
        answer(contract_accept, creator, contract)
    assert audit_actions().count("contract.accepted") == 1


def test_a_stale_status_loses_the_conditional_update():
    contract = offer(agency_actor(), CreatorFactory())
    Contract.objects.unscoped().filter(pk=contract.pk).update(status="withdrawn")
    with pytest.raises(ValidationError, match="changed meanwhile"):
        _move(contract, "offered", NOW, status="active")
    assert Contract.objects.unscoped().get(pk=contract.pk).status == "withdrawn"


def test_accepting_a_second_offer_while_under_contract_is_a_clear_error():
    first, second, creator = agency_actor(), agency_actor(), CreatorFactory()
    one, two = offer(first, creator), offer(second, creator)
    answer(contract_accept, creator, one)
    with pytest.raises(ValidationError, match="already have an active contract"):
        answer(contract_accept, creator, two)
    assert Contract.objects.unscoped().get(pk=two.pk).status == "offered"
    assert agency_of(creator) == first.organization_id


def test_only_the_creator_itself_answers_its_offers():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator)
    someone = CreatorFactory()
    # The agency, another creator, and a user who is the creator but acts for an agency.
    as_agency_member = Actor(
        user_id=None,
        organization_id=actor.organization_id,
        organization_kind="agency",
        role="owner",
        creator_id=creator.pk,
    )
    for intruder in (actor, creator_actor(someone), as_agency_member):
        for service in (contract_accept, contract_decline):
            with pytest.raises(PermissionDenied):
                answer(service, creator, contract, actor=intruder)
    assert Contract.objects.unscoped().get(pk=contract.pk).status == "offered"
    assert agency_of(creator) is None and audit_actions() == ["contract.offered"]


# --- declining, withdrawing, expiring ------------------------------------------------------


def test_declining_leaves_the_creator_independent_and_a_new_offer_possible():
    actor, creator = agency_actor(), CreatorFactory()
    contract = answer(contract_decline, creator, offer(actor, creator))
    assert contract.status == "declined" and agency_of(creator) is None
    with pytest.raises(ValidationError, match="no longer open"):
        answer(contract_accept, creator, contract)
    offer(actor, creator, share="20")  # the pair has no open offer any more
    assert audit_actions(contract) == ["contract.offered", "contract.declined"]


def test_the_agency_withdraws_an_open_offer_only():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator)
    with acting_as(actor):
        contract_withdraw(actor=actor, contract=contract, now=NOW)
    with pytest.raises(ValidationError, match="no longer open"):
        answer(contract_accept, creator, contract)
    with acting_as(actor), pytest.raises(ValidationError, match="Only an open offer"):
        contract_withdraw(actor=actor, contract=contract, now=NOW)
    assert audit_actions(contract) == ["contract.offered", "contract.withdrawn"]


def test_another_agency_or_a_viewer_cannot_withdraw():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator)
    outsider = agency_actor()
    with acting_as(outsider), pytest.raises(Contract.DoesNotExist):
        contract_withdraw(actor=outsider, contract=contract)
    viewer = Actor(
        user_id=None,
        organization_id=actor.organization_id,
        organization_kind="agency",
        role="viewer",
    )
    with acting_as(viewer), pytest.raises(PermissionDenied):
        contract_withdraw(actor=viewer, contract=contract)
    assert Contract.objects.unscoped().get(pk=contract.pk).status == "offered"


def test_unanswered_offers_expire_and_can_no_longer_be_accepted():
    actor, creator = agency_actor(), CreatorFactory()
    contract = offer(actor, creator, expires_in_days=3)
    assert contracts_expire(actor=SYSTEM, now=NOW + 2 * DAY) == 0
    with pytest.raises(ValidationError, match="expired"):
        answer(contract_accept, creator, contract, now=NOW + 4 * DAY)  # before the sweep
    assert contracts_expire(actor=SYSTEM, now=NOW + 4 * DAY) == 1
    assert contracts_expire(actor=SYSTEM, now=NOW + 5 * DAY) == 0
    assert Contract.objects.unscoped().get(pk=contract.pk).status == "expired"
    assert agency_of(creator) is None
    assert audit_actions(contract) == ["contract.offered", "contract.expired"]


# --- ending --------------------------------------------------------------------------------


def test_ending_frees_the_creator_for_another_agency():
    first, second, creator = agency_actor(), agency_actor(), CreatorFactory()
    contract = answer(contract_accept, creator, offer(first, creator))
    with acting_as(first):
        contract_end(actor=first, contract=contract, end=TODAY + 90 * DAY)
    assert agency_of(creator) is None
    answer(contract_accept, creator, offer(second, creator))
    assert agency_of(creator) == second.organization_id
    assert audit_actions(contract)[-1] == "contract.ended"


def test_offers_are_withdrawn_not_ended_and_bad_ends_are_refused():
    owner, outsider, creator = agency_actor(), agency_actor(), CreatorFactory()
    contract = offer(owner, creator)
    with acting_as(owner), pytest.raises(ValidationError, match="withdraw it instead"):
        contract_end(actor=owner, contract=contract, end=TODAY)
    answer(contract_accept, creator, contract)
    with acting_as(outsider), pytest.raises(Contract.DoesNotExist):
        contract_end(actor=outsider, contract=contract, end=TODAY)
    with acting_as(owner), pytest.raises(ValidationError, match="before it starts"):
        contract_end(actor=owner, contract=contract, end=TODAY - DAY)
    contract.refresh_from_db()
    assert contract.status == "active" and agency_of(creator) == owner.organization_id


# --- notifications and the database's own rules -------------------------------------------


def test_every_step_is_sent_to_the_agencys_webhooks(settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    actor, creator = agency_actor(), CreatorFactory()
    events = ["contract.offered", "contract.accepted", "contract.started", "contract.ended"]
    with acting_as(actor):
        webhook_endpoint_create(actor=actor, url="http://127.0.0.1:9/hook", events=events)
    start = TODAY + DAY
    contract = answer(contract_accept, creator, offer(actor, creator, start=start))
    contracts_start_due(actor=SYSTEM, today=start)
    with acting_as(actor):
        contract_end(actor=actor, contract=contract, end=start)
    sent = WebhookDelivery.objects.unscoped().order_by("id")
    assert [d.event for d in sent] == events
    assert {d.organization_id for d in sent} == {actor.organization_id}
    assert sent[0].payload["data"]["creator"] == creator.handle


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "ended"},  # an ended contract needs its end date
        {"status": "active", "end": datetime.date(2026, 6, 1)},  # only ended ones have one
        {"status": "offered"},  # an offer needs its expiry
        {"status": "signed"},  # not a status
        {"revenue_share_pct": Decimal("101")},
    ],
)
def test_the_database_refuses_inconsistent_contracts(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(**fields)


def test_the_database_refuses_two_active_contracts_or_two_open_offers_of_one_pair():
    existing = ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(creator=existing.creator)
    open_offer = {"status": "offered", "offer_expires_at": NOW}
    first = ContractFactory(**open_offer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractFactory(organization=first.organization, creator=first.creator, **open_offer)
    ContractFactory(creator=first.creator, **open_offer)  # another agency may
    assert Contract.objects.unscoped().count() == 3
