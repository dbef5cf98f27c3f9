"""The agency's tier page in Chromium: the agency signs in, opens its tier page from the nav,
sees the charts drawn, tries a what-if and files an appeal, which is listed as open. A demo
world and one certification cycle (ending today) are seeded first."""

import pytest
from django.contrib.auth import get_user_model

from mcn.default_policy import DEFAULT_BENEFITS, DEFAULT_POLICY
from mcn.models import AgencyAssessment, Appeal, TierBenefit, TierPolicy
from mcn.selectors import assessment_what_if
from mcn.services import contract_today
from tenancy.models import Membership
from tests.mcn.test_certification import run_cycle

from .test_walks import assert_charts_drawn, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
APPEAL_TEXT = "Browser test: our last month's GMV is missing."


def default_policy() -> None:
    """The rubric and benefits migration ``mcn 0006`` writes; a transactional test before this
    one flushed them."""
    if TierPolicy.objects.unscoped().filter(active=True).exists():
        return
    TierPolicy.objects.unscoped().create(version=1, active=True, **DEFAULT_POLICY)
    for tier, (impressions, priority) in DEFAULT_BENEFITS.items():
        TierBenefit.objects.unscoped().update_or_create(
            tier=tier, defaults={"monthly_impressions": impressions, "brand_priority": priority}
        )


def agency_assessment() -> AgencyAssessment:
    default_policy()
    user = get_user_model().objects.get(username="agency")
    membership = Membership.objects.unscoped().filter(user=user).get()
    run = run_cycle(contract_today())
    return AgencyAssessment.objects.unscoped().get(run=run, organization=membership.organization)


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("zh-hans", 390)])
def test_agency_reads_its_tier_tries_a_what_if_and_appeals(walk, live_server, lang, width):
    mine = agency_assessment()
    tried = {"active_creators": 40}
    expected = assessment_what_if(assessment=mine, metrics=tried)["tier"]
    each = walk(lang, "agency-tier", width)
    page = each.page
    sign_in(each, live_server, "agency")
    page.click("a[href='/agency/roster/']")
    each.shot("roster")
    with page.expect_navigation():
        page.click("nav a[href='/']")  # home: the agency's tier page
    assert page.url.endswith("/agency/tier/")
    assert page.locator("[data-tier]").first.get_attribute("data-tier") == (
        mine.effective_tier or ""
    )
    assert_charts_drawn(page)
    each.shot("tier")
    page.fill("#what-if-form [name=active_creators]", str(tried["active_creators"]))
    page.click("#what-if-form button[type=submit]")
    result = page.locator("#what-if-result [data-figure=what_if_tier]")
    result.wait_for()
    assert result.get_attribute("data-result-tier") == (expected or "")
    each.shot("what-if")
    page.fill("#appeal-form [name=text]", APPEAL_TEXT)
    page.click("#appeal-form button[type=submit]")
    # The demo agency has an open appeal of its own already (seed_demo): wait for this one.
    page.locator("#appeal-list tr[data-status=open]", has_text=APPEAL_TEXT).wait_for()
    each.shot("appeal-filed")
    appeal = Appeal.objects.unscoped().get(assessment=mine)
    assert appeal.status == Appeal.Status.OPEN and appeal.text == APPEAL_TEXT
    each.check()
