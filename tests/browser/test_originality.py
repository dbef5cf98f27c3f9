"""Originality in Chromium: a caption of the demo creator's, a light edit of another creator's
earlier one, is indexed and flagged by the index in service. The creator follows the header's
navigation to its flags, tries to contest the flag with a blank statement (400, said on the
form), then contests it; the demo reviewer goes from the compliance queue's tabs to the contests
queue, opens the contest (the two texts side by side), is refused a blank note, and overturns the
flag; the creator then reads the decision. Clicks and typing only, after each login page."""

import datetime

import pytest
from django.utils import timezone

from compliance.models import OriginalityContest, OriginalityFlag
from compliance.originality import index_items
from creators.models import ContentItem, Creator

from .test_walks import RUNS, assert_charts_drawn, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ORIGINAL = (
    "夏天通勤必备的这款防晒霜，质地轻薄不油腻，上脸马上成膜，出汗也不容易花妆，敏感肌也能放心用。"
)
COPY = (
    "夏天通勤必备的这款防晒霜！质地轻薄不油腻，上脸马上成膜，出汗也不容易花妆，敏感肌也能放心用哦。"
)
NOTE = "Filmed on the creator's own set: the other item quotes it."


def flagged_caption() -> OriginalityFlag:
    """The demo creator's copy of another creator's caption, indexed and flagged."""
    mine = Creator.objects.unscoped().get(user__username="creator")
    other = Creator.objects.unscoped().exclude(pk=mine.pk).order_by("pk").first()
    now = timezone.now()
    source = ContentItem.objects.unscoped().create(
        creator=other, external_id="browser-original", kind="video", title="防晒霜测评",
        text=ORIGINAL, published_at=now - datetime.timedelta(days=3),
    )  # fmt: skip
    copy = ContentItem.objects.unscoped().create(
        creator=mine, external_id="browser-copy", kind="video", title="通勤防晒",
        text=COPY, published_at=now - datetime.timedelta(days=1),
    )  # fmt: skip
    index_items(content_ids=[source.pk, copy.pk])
    flag = OriginalityFlag.objects.unscoped().get(content=copy)
    assert flag.source_id == source.pk and flag.status == OriginalityFlag.Status.OPEN
    return flag


def creator_contests(walk, live_server, flag: OriginalityFlag) -> None:
    page = walk.page
    sign_in(walk, live_server, "creator")
    with page.expect_navigation():
        page.click("header nav a[href='/compliance/my/originality/']")
    card = page.locator(f"#flag-{flag.pk}")
    card.wait_for()
    assert card.get_attribute("data-status") == "open"
    walk.shot("my-flags")
    card.locator("textarea[name=statement]").fill("   ")  # not empty for the browser
    walk.expected_statuses = {400}
    with page.expect_navigation():
        card.locator("form.contest-form button[type=submit]").click()
    page.locator(f"#flag-{flag.pk} form.contest-form .errorlist").wait_for()
    walk.shot("statement-refused")
    walk.expected_statuses = set()
    assert not OriginalityContest.objects.unscoped().exists()
    card = page.locator(f"#flag-{flag.pk}")
    card.locator("textarea[name=statement]").fill("这段文案是我自己写的，对方的视频晚于我的直播。")
    with page.expect_navigation():
        card.locator("form.contest-form button[type=submit]").click()
    page.locator(f"#flag-{flag.pk} .contest-status[data-status=open]").wait_for()
    assert page.locator(f"#flag-{flag.pk} form.contest-form").count() == 0
    walk.shot("contested")


def reviewer_decides(walk, live_server, contest: OriginalityContest) -> None:
    page = walk.page
    sign_in(walk, live_server, "reviewer")
    with page.expect_navigation():
        page.click("header nav a[href='/compliance/']")
    with page.expect_navigation():  # the trends first: the contested flag still counts
        page.click("nav.tabs a[href='/compliance/originality/trends/']")
    assert_charts_drawn(page)  # the rate per month and the most flagged, numbers a click away
    assert (
        page.locator(f"#originality-creators tr[data-creator='{contest.creator.handle}']").count()
        == 1
    )
    walk.shot("trends")
    with page.expect_navigation():
        page.click("nav.tabs a[href='/compliance/originality/contests/']")
    row = page.locator(f"#contest-{contest.pk}")
    row.wait_for()
    assert row.get_attribute("data-status") == "open"
    walk.shot("contests-queue")
    with page.expect_navigation():
        row.locator(f"a[href='/compliance/originality/contests/{contest.pk}/']").click()
    pair = page.locator(".text-pair")
    assert pair.locator(".pair-copy .pair-text").inner_text().strip() == COPY
    assert pair.locator(".pair-source .pair-text").inner_text().strip() == ORIGINAL
    walk.shot("contest")
    form = page.locator("form.contest-decide-form")
    form.locator("input[name=decision][value=overturned]").check()
    form.locator("textarea[name=note]").fill("  ")
    walk.expected_statuses = {400}  # a decision without its note is refused with 400
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator("form.contest-decide-form .errorlist").wait_for()
    walk.shot("note-missing")
    walk.expected_statuses = set()
    assert OriginalityContest.objects.unscoped().get(pk=contest.pk).status == "open"
    form = page.locator("form.contest-decide-form")
    form.locator("input[name=decision][value=overturned]").check()
    form.locator("textarea[name=note]").fill(NOTE)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator("#contest-status[data-status=overturned]").wait_for()
    assert page.locator("form.contest-decide-form").count() == 0
    walk.shot("overturned")


def creator_reads_the_decision(walk, live_server, flag: OriginalityFlag) -> None:
    page = walk.page
    sign_in(walk, live_server, "creator")
    with page.expect_navigation():
        page.click("header nav a[href='/compliance/my/originality/']")
    card = page.locator(f"#flag-{flag.pk}")
    card.locator(".contest-status[data-status=overturned]").wait_for()
    assert NOTE in card.locator(".contest-note").inner_text()
    walk.shot("decision-read")


@pytest.mark.parametrize("lang, width", RUNS)
def test_creator_contests_a_flag_and_the_reviewer_overturns_it(walk, live_server, lang, width):
    flag = flagged_caption()
    creator = walk(lang, "originality-creator", width)
    creator_contests(creator, live_server, flag)
    creator.check()
    contest = OriginalityContest.objects.unscoped().get(flag=flag)
    assert contest.status == "open"
    assert OriginalityFlag.objects.unscoped().get(pk=flag.pk).status == "contested"
    reviewer = walk(lang, "originality-reviewer", width)
    reviewer_decides(reviewer, live_server, contest)
    reviewer.check()
    contest.refresh_from_db()
    assert (contest.status, contest.note, contest.decided_by.username) == (
        "overturned",
        NOTE,
        "reviewer",
    )
    assert OriginalityFlag.objects.unscoped().get(pk=flag.pk).status == "overturned"
    again = walk(lang, "originality-creator-after", width)
    creator_reads_the_decision(again, live_server, flag)
    again.check()
