"""The incentive plan's pages: the operator's plans, milestones, ledger and runs; the creator's
awards and progress; an agency's view of its own creators' awards only."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from creators.incentive_runs import incentive_run_execute
from creators.models import Award, IncentivePlan, Milestone
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM
from tests.creators.incentive_helpers import AS_OF, growing_creator, plan_with
from tests.factories import CreatorFactory, OrganizationFactory, UserFactory
from tests.factories_incentives import AwardFactory, IncentivePlanFactory
from tests.tenancy_helpers import member_client

pytestmark = pytest.mark.django_db


def client_of(kind: str, role: str = "owner", organization=None) -> Client:
    return member_client(organization, role, kind=kind)


def creator_client(creator) -> Client:
    creator.user = UserFactory()
    creator.save(update_fields=["user"])
    client = Client()
    client.force_login(creator.user)
    return client


def test_the_operator_creates_a_plan_adds_milestones_and_tops_it_up():
    operator = client_of("operator")
    response = operator.post(
        reverse("creators:incentive_plans"),
        {"name": "光合计划", "budget": "5000", "starts_on": "2026-01-01"},
        follow=True,
    )
    plan = IncentivePlan.objects.unscoped().get()
    assert response.redirect_chain[-1][0] == reverse("creators:incentive_plan", args=[plan.pk])
    url = reverse("creators:incentive_plan", args=[plan.pk])
    operator.post(url, {"action": "milestone", "kind": "followers", "threshold": "1000",
                        "amount": "100"})  # fmt: skip
    operator.post(url, {"action": "milestone", "kind": "track_completed", "track": "compliance",
                        "amount": "50", "title": "合规毕业"})  # fmt: skip
    operator.post(url, {"action": "top_up", "amount": "500"})
    page = operator.get(url).content.decode()
    assert "1,000 followers" in page and "合规毕业" in page and "¥5,500.00" in page
    assert IncentivePlan.objects.unscoped().get().budget == Decimal("5500")
    assert Milestone.objects.unscoped().count() == 2


def test_a_bad_milestone_is_refused_on_the_form_in_words():
    plan = IncentivePlanFactory()
    operator = client_of("operator")
    url = reverse("creators:incentive_plan", args=[plan.pk])
    response = operator.post(url, {"action": "milestone", "kind": "followers", "amount": "100"})
    assert response.status_code == 400
    assert "Give the count to reach" in response.content.decode()
    response = operator.post(url, {"action": "top_up", "amount": "-3"})
    assert response.status_code == 400
    assert not Milestone.objects.unscoped().exists()
    assert IncentivePlan.objects.unscoped().get().budget == plan.budget


def test_the_operator_revokes_an_award_with_a_reason_from_the_ledger():
    given = AwardFactory()
    IncentivePlan.objects.unscoped().update(spent=given.amount)
    operator = client_of("operator")
    ledger = operator.get(reverse("creators:incentive_awards")).content.decode()
    assert given.creator.handle in ledger
    url = reverse("creators:incentive_award_revoke", args=[given.pk])
    refused = operator.post(url, {"reason": ""}, follow=True)
    assert "required" in refused.content.decode() or "Say why" in refused.content.decode()
    assert Award.objects.unscoped().get().status == "granted"
    operator.post(url, {"reason": "fake followers"})
    assert Award.objects.unscoped().get().status == "revoked"
    assert IncentivePlan.objects.unscoped().get().spent == 0
    assert AuditEvent.objects.unscoped().filter(action="incentives.award_revoked").exists()


def test_a_read_only_operator_sees_the_pages_but_cannot_change_a_plan():
    plan = IncentivePlanFactory()
    viewer = client_of("operator", role="viewer")
    url = reverse("creators:incentive_plan", args=[plan.pk])
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"action": "deactivate"}).status_code == 403
    assert IncentivePlan.objects.unscoped().get().active


def test_the_runs_page_shows_the_counts():
    plan_with()
    growing_creator([500, 1_500])
    incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    page = client_of("operator").get(reverse("creators:incentive_runs")).content.decode()
    assert AS_OF.isoformat() in page and "¥100.00" in page


def test_the_creator_sees_its_awards_and_the_progress_to_the_next_milestone(time_machine):
    time_machine.move_to(datetime.datetime.combine(AS_OF, datetime.time(12)), tick=False)
    plan_with()
    creator = growing_creator([500, 1_500, 6_200])
    other = growing_creator([2_000])
    incentive_run_execute(actor=SYSTEM, as_of=AS_OF)
    page = creator_client(creator).get(reverse("creators:my_awards")).content.decode()
    assert "6,200 / 10,000" in page and "0 / 1" in page  # 10k followers; the first sale
    assert "1k" in page and "¥100.00" in page
    assert other.handle not in page


def test_my_awards_is_in_the_creators_navigation_and_has_an_empty_state():
    creator = CreatorFactory()
    client = creator_client(creator)
    portal = client.get(reverse("creators:portal")).content.decode()
    assert reverse("creators:my_awards") in portal
    page = client.get(reverse("creators:my_awards")).content.decode()
    assert "No incentive plan is running" in page and "No awards yet" in page


def test_an_agency_sees_its_creators_awards_and_not_another_agencys():
    mine_agency, other_agency = (
        OrganizationFactory(kind="agency"),
        OrganizationFactory(kind="agency"),
    )
    mine = AwardFactory(creator__agency=mine_agency, creator__handle="secret-mine")
    theirs = AwardFactory(creator__agency=other_agency, creator__handle="secret-theirs")
    page = client_of("agency", organization=mine_agency).get(reverse("creators:agency_awards"))
    body = page.content.decode()
    assert mine.creator.handle in body and theirs.creator.handle not in body
    revoke = reverse("creators:incentive_award_revoke", args=[theirs.pk])
    assert (
        client_of("agency", organization=mine_agency).post(revoke, {"reason": "x"}).status_code
        == 404
    )


@pytest.mark.parametrize("kind", ["brand", "agency", "partner"])
def test_the_operator_pages_404_for_everyone_else(kind):
    plan = IncentivePlanFactory(name="Secret plan")
    client = client_of(kind)
    for url in (
        reverse("creators:incentive_plans"),
        reverse("creators:incentive_plan", args=[plan.pk]),
        reverse("creators:incentive_runs"),
    ):
        response = client.get(url)
        assert response.status_code == 404 and "Secret plan" not in response.content.decode()


def test_the_ledger_pages_and_filters_with_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    plan = IncentivePlanFactory()
    for _ in range(30):
        AwardFactory(milestone__plan=plan)
    operator = client_of("operator")
    with django_assert_max_num_queries(20):
        page = operator.get(reverse("creators:incentive_awards"), {"plan": plan.pk, "page": 2})
    assert "Page 2 of 2" in page.content.decode()
