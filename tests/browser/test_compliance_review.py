"""The compliance review queue in Chromium: the demo reviewer signs in, follows the header's
navigation to the queue, opens the oldest case (its flagged words highlighted), claims it, tries
to reject it without a violation type (the form answers 400 and says why), chooses the type and
records the decision, and sees the case rejected with its sanction. The case is scored here by
the scorer in service (rules and model), as the ingestion task would score it."""

import datetime

import pytest
from django.db.models import Min
from django.utils import timezone

from compliance import scoring
from compliance.models import Case, Label, Sanction
from creators.models import Creator

from .test_walks import RUNS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = "这款面膜全网第一，三天美白，加微信下单更便宜"


def oldest_open_case() -> Case:
    """A case about the demo creator's caption, opened before every other open case."""
    creator = Creator.objects.unscoped().get(user__username="creator")
    assessment = scoring.assess_texts([TEXT])[0]
    assert assessment.hits, "the lexicon flags nothing in the walk's text"
    earliest = Case.objects.unscoped().filter(status__in=Case.OPEN_STATUSES)
    first = earliest.aggregate(first=Min("opened_at"))["first"] or timezone.now()
    return Case.objects.unscoped().create(
        source=Case.Source.CONTENT,
        track=Case.Track.REVIEW,
        text=TEXT,
        risk=assessment.risk,
        category=assessment.category or assessment.hits[0].category,
        reasons=scoring.reasons_of(assessment),
        model_probability=assessment.model_probability,
        model_version=assessment.model_version,
        lexicon_version=assessment.lexicon_version,
        opened_at=first - datetime.timedelta(days=2),
        creator=creator,
    )


@pytest.mark.parametrize("lang, width", RUNS)
def test_reviewer_claims_and_rejects_a_case(walk, live_server, lang, width):
    case = oldest_open_case()
    walk = walk(lang, "compliance-reviewer", width)
    page = walk.page
    sign_in(walk, live_server, "reviewer")
    with page.expect_navigation():
        page.click("header nav a[href='/compliance/']")
    row = page.locator(f"#case-{case.pk}")
    row.wait_for()
    assert row.get_attribute("class") == "overdue"  # two days past the 24-hour SLA
    walk.shot("queue")
    with page.expect_navigation():
        row.locator(f"a[href='/compliance/cases/{case.pk}/']").click()
    marks = page.locator(".flagged-text mark")
    assert marks.count() >= 1 and marks.first.inner_text() in TEXT
    assert page.locator(".reasons li[data-reason=model]").count() == 1
    walk.shot("case")
    with page.expect_navigation():
        page.click("form.claim-form button[type=submit]")
    form = page.locator("form.decide-form")
    form.wait_for()
    walk.shot("claimed")
    form.locator("input[name=decision][value=reject]").check()
    walk.expected_statuses = {400}  # a rejection without its type is refused with 400
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator("form.decide-form .errorlist").wait_for()
    walk.shot("type-missing")
    walk.expected_statuses = set()
    assert Case.objects.unscoped().get(pk=case.pk).status == Case.Status.CLAIMED
    form = page.locator("form.decide-form")
    form.locator("input[name=decision][value=reject]").check()
    form.locator("select[name=violation_type]").select_option("absolute")
    form.locator("textarea[name=note]").fill("全网第一 is an absolute claim.")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator("#case-status[data-status=rejected]").wait_for()
    assert page.locator("form.decide-form").count() == 0
    assert page.locator(".sanctions li[data-sanction]").count() == 1
    walk.shot("rejected")
    case.refresh_from_db()
    assert (case.status, case.violation_type) == (Case.Status.REJECTED, "absolute")
    assert case.decided_by.username == "reviewer"
    assert Label.objects.unscoped().get(case=case).label == "absolute"
    assert Sanction.objects.unscoped().filter(case=case).exists()
    walk.check()
