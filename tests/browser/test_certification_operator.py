"""The operator's certification pages in Chromium: from the header's navigation to the cycles
(the tier distribution drawn), one run's assessments, and the appeals queue, where the operator
accepts an agency's appeal with a tier and a reason and sees it decided. The demo world comes
with three month-end cycles (seed_demo); the appeal is filed here through the service."""

import pytest
from django.contrib.auth import get_user_model

from mcn.certification import appeal_file
from mcn.models import AgencyAssessment, Appeal, CertificationRun
from tenancy.models import Organization
from tenancy.scoping import Actor, acting_as

from .test_walks import RUNS, assert_charts_drawn, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Outage confirmed by the platform's incident log."


def an_open_appeal() -> Appeal:
    """The demo agency's appeal on its latest assessment (seed_demo files one; filed here if
    not, through the agency's own service call)."""
    agency = Organization.objects.get(slug="xinghuo-mcn")
    open_one = Appeal.objects.unscoped().filter(organization=agency, status="open").first()
    if open_one:
        return open_one
    latest = CertificationRun.objects.unscoped().filter(status="succeeded").first()
    assessment = AgencyAssessment.objects.unscoped().get(run=latest, organization=agency)
    user = get_user_model().objects.get(username="agency")
    actor = Actor(
        user_id=user.pk, organization_id=agency.pk, organization_kind="agency", role="owner"
    )
    with acting_as(actor):
        return appeal_file(actor=actor, assessment=assessment, text="Two weeks of outage.")


@pytest.mark.parametrize("lang, width", RUNS)
def test_operator_decides_an_appeal_from_the_queue(walk, live_server, lang, width):
    appeal = an_open_appeal()
    runs = CertificationRun.objects.unscoped().filter(status="succeeded").count()
    assert runs >= 1
    walk = walk(lang, "operator-certification", width)
    page = walk.page
    sign_in(walk, live_server, "operator")
    page.click("nav a[href='/operator/certification/']")
    page.wait_for_url("**/operator/certification/")
    assert_charts_drawn(page)  # the tier distribution over the cycles
    assert page.locator("section.tier-distribution .plot:has(.main-svg)").count() == 1
    walk.shot("cycles")
    page.locator("#certification-runs tbody tr a").first.click()
    page.wait_for_selector("table.assessments tbody tr[data-agency]")
    walk.shot("run")
    page.click("nav.tabs a[href='/operator/certification/appeals/']")
    card = page.locator(f"#appeal-{appeal.pk}")
    card.wait_for()
    walk.shot("appeals")
    card.locator("input[name=decision][value=accept]").check()
    card.locator("select[name=new_tier]").select_option("A")
    card.locator("textarea[name=reason]").fill(REASON)
    with page.expect_navigation():
        card.locator("form.decide-form button[type=submit]").click()
    decided = page.locator(f"#appeal-{appeal.pk}.appeal-accepted")
    decided.wait_for()
    assert REASON in decided.inner_text()
    assert decided.locator("form.decide-form").count() == 0
    walk.shot("decided")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.new_tier, appeal.decision_reason) == ("accepted", "A", REASON)
    assessment = AgencyAssessment.objects.unscoped().get(pk=appeal.assessment_id)
    assert assessment.override_tier == "A"
    # The rubric's versions and market concentration, one tab each.
    with page.expect_navigation():
        page.click("nav.tabs a[href='/operator/certification/policy/']")
    assert page.locator("form.policy-form").is_visible()
    assert page.locator("form.benefit-form").is_visible()
    walk.shot("policy")
    with page.expect_navigation():
        page.click("nav.tabs a[href='/operator/certification/concentration/']")
    assert_charts_drawn(page)  # CR5/CR10 and HHI by quarter
    walk.shot("concentration")
    walk.check()
