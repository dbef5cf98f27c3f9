"""Content review: the creator submits a link and a caption, the brand approves it (live) or
asks for changes with a reason (back to accepted). Every refusal, on the pages and in the API,
writes nothing; the compliance hook's blocking findings refuse, the others are kept."""

from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from brands.models import Collaboration, ContentSubmission
from brands.review import content_review, content_submit
from brands.review_hooks import Finding, register_submission_check, unregister_submission_check
from brands.selectors import submissions_awaiting_review
from tenancy.models import AuditEvent
from tenancy.scoping import Actor
from tests.concurrency import race
from tests.factories import (
    CampaignFactory,
    CollaborationFactory,
    ContentSubmissionFactory,
    CreatorFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.rowcounts import row_counts
from tests.tenancy_helpers import api_key_client, assert_outsider_gets_404

pytestmark = pytest.mark.django_db
LINK, CAPTION = "https://v.example.com/abc", "Secret caption: the serum, a week on"
CONTENT = {"link": LINK, "caption": CAPTION}
TABLES = ("brands.ContentSubmission", "brands.Collaboration", "tenancy.AuditEvent")


def status_of(collab) -> str:
    return Collaboration.objects.unscoped().get(pk=collab.pk).status


def brand_of(collab, role="owner") -> Actor:
    org = collab.organization
    return Actor(user_id=None, organization_id=org.pk, organization_kind="brand", role=role)


def creator_of(collab) -> Actor:
    return Actor(user_id=None, creator_id=collab.creator_id, role="creator")


def snapshot(collab) -> tuple:
    """What a refusal must leave as it was: the row counts and the collaboration's status."""
    return row_counts(*TABLES), status_of(collab)


def portal(collab) -> Client:
    """The collaboration's creator, signed in to the portal."""
    user = UserFactory()
    type(collab.creator).objects.unscoped().filter(pk=collab.creator_id).update(user=user)
    client = Client()
    client.force_login(user)
    return client


def brand_login(collab, role="owner") -> Client:
    client = Client()
    client.force_login(MembershipFactory(organization=collab.organization, role=role).user)
    return client


@pytest.fixture
def accepted():
    return CollaborationFactory(status="accepted", campaign__name="Secret launch")


@pytest.fixture
def pending():
    return ContentSubmissionFactory(collaboration__campaign__name="Secret launch")


@pytest.fixture
def checks():
    """Register fake compliance checks for one test; they are removed after it."""
    registered = []

    def register(*findings: Finding):
        def check(submission):
            return list(findings)

        registered.append(register_submission_check(check))

    yield register
    for check in registered:
        unregister_submission_check(check)


# --- Services -------------------------------------------------------------------------------


def test_submit_then_approve_goes_live_with_audit_and_webhook(accepted, settings):
    from webhooks.models import WebhookDelivery
    from webhooks.services import webhook_endpoint_create

    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE, settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = True, 1
    brand = brand_of(accepted)
    webhook_endpoint_create(
        actor=brand, url="http://127.0.0.1:9/hook", events=["collaboration.status_changed"]
    )
    submission = content_submit(actor=creator_of(accepted), collaboration=accepted, **CONTENT)
    assert (submission.link, submission.caption, submission.status) == (LINK, CAPTION, "pending")
    assert status_of(accepted) == accepted.status == "content_submitted"
    content_review(actor=brand, submission=submission, decision="approve")
    assert status_of(accepted) == "live"
    stored = ContentSubmission.objects.unscoped().get()
    assert stored.status == "approved" and stored.reviewed_at is not None
    moves = [d.payload["data"]["to"] for d in WebhookDelivery.objects.unscoped().order_by("id")]
    assert moves == ["content_submitted", "live"]
    assert set(AuditEvent.objects.unscoped().values_list("action", flat=True)) >= {
        "content.submitted",
        "content.approved",
    }


def test_changes_requested_send_it_back_and_a_resubmission_keeps_the_history(accepted):
    creator, brand = creator_of(accepted), brand_of(accepted)
    first = content_submit(actor=creator, collaboration=accepted, **CONTENT)
    content_review(actor=brand, submission=first, decision="request_changes", reason="Say 7 days")
    assert status_of(accepted) == "accepted"
    second = content_submit(actor=creator, collaboration=accepted, link=LINK + "2", caption="v2")
    rows = ContentSubmission.objects.unscoped().order_by("id")
    assert [(r.pk, r.status) for r in rows] == [
        (first.pk, "changes_requested"),
        (second.pk, "pending"),
    ]
    assert rows[0].review_reason == "Say 7 days" and status_of(accepted) == "content_submitted"


@pytest.mark.parametrize(
    "content, field",
    [
        ({"link": LINK, "caption": ""}, "caption"),
        ({"link": LINK, "caption": "   "}, "caption"),
        ({"link": LINK, "caption": "x" * 2001}, "caption"),
        ({"link": "javascript:alert(1)", "caption": CAPTION}, "link"),
        ({"link": "ftp://files.example.com/a.mp4", "caption": CAPTION}, "link"),
        ({"link": "not a link", "caption": CAPTION}, "link"),
    ],
)
def test_bad_content_is_refused_and_nothing_is_written(accepted, content, field):
    before = snapshot(accepted)
    with pytest.raises(ValidationError) as refused:
        content_submit(actor=creator_of(accepted), collaboration=accepted, **content)
    assert field in refused.value.message_dict
    assert snapshot(accepted) == before


@pytest.mark.parametrize("status", ["offered", "content_submitted", "live", "cancelled"])
def test_content_is_submitted_only_once_accepted(status):
    collab = CollaborationFactory(status=status)
    before = snapshot(collab)
    with pytest.raises(ValidationError, match="cannot become"):
        content_submit(actor=creator_of(collab), collaboration=collab, **CONTENT)
    assert snapshot(collab) == before


def test_the_brand_cannot_submit_and_the_creator_cannot_review(accepted, pending):
    with pytest.raises(PermissionDenied):
        content_submit(actor=brand_of(accepted), collaboration=accepted, **CONTENT)
    before = snapshot(pending.collaboration)
    for actor in (creator_of(pending.collaboration), brand_of(pending.collaboration, "viewer")):
        with pytest.raises(PermissionDenied):
            content_review(actor=actor, submission=pending, decision="approve")
    assert snapshot(pending.collaboration) == before


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_changes_need_a_reason(pending, reason):
    before = snapshot(pending.collaboration)
    with pytest.raises(ValidationError) as refused:
        content_review(
            actor=brand_of(pending.collaboration),
            submission=pending,
            decision="request_changes",
            reason=reason,
        )
    assert "reason" in refused.value.message_dict
    assert snapshot(pending.collaboration) == before


def test_a_reviewed_submission_cannot_be_reviewed_again(pending):
    """Two reviews of one submission (a stale page, a double click): the second is refused."""
    brand, stale = brand_of(pending.collaboration), ContentSubmission.objects.unscoped().get()
    content_review(actor=brand, submission=pending, decision="approve")
    before = snapshot(pending.collaboration)
    with pytest.raises(ValidationError, match="reviewed already"):
        content_review(actor=brand, submission=stale, decision="request_changes", reason="No")
    assert snapshot(pending.collaboration) == before


def test_a_blocking_finding_refuses_the_submission_and_writes_nothing(accepted, checks):
    checks(Finding("ad_law.absolute", "“Best in the world” is an absolute claim.", blocks=True))
    before = snapshot(accepted)
    with pytest.raises(ValidationError) as refused:
        content_submit(actor=creator_of(accepted), collaboration=accepted, **CONTENT)
    assert "absolute claim" in str(refused.value)
    assert refused.value.error_dict["__all__"][0].code == "content.check_blocked"
    assert snapshot(accepted) == before


def test_other_findings_are_kept_for_the_brand(accepted, checks):
    checks(Finding("ad_law.soft", "Mention that results vary."))
    submission = content_submit(actor=creator_of(accepted), collaboration=accepted, **CONTENT)
    stored = ContentSubmission.objects.unscoped().get(pk=submission.pk)
    assert stored.check_findings == [
        {"code": "ad_law.soft", "message": "Mention that results vary.", "blocks": False}
    ]
    assert status_of(accepted) == "content_submitted"


def test_checks_are_gone_once_unregistered(accepted):
    """The fixture above removed its checks: a submission now has no findings."""
    submission = content_submit(actor=creator_of(accepted), collaboration=accepted, **CONTENT)
    assert submission.check_findings == []


def test_awaiting_review_is_the_brands_pending_content_newest_first():
    brand = OrganizationFactory(kind="brand")
    older = ContentSubmissionFactory(collaboration__campaign__organization=brand)
    newer = ContentSubmissionFactory(collaboration__campaign__organization=brand)
    ContentSubmissionFactory()  # another brand's
    ContentSubmissionFactory(collaboration__campaign__organization=brand, status="approved",
                             reviewed_at=newer.submitted_at)  # fmt: skip
    cancelled = ContentSubmissionFactory(collaboration__campaign__organization=brand)
    Collaboration.objects.unscoped().filter(pk=cancelled.collaboration_id).update(
        status="cancelled"
    )
    owner = Actor(user_id=None, organization_id=brand.pk, organization_kind="brand", role="viewer")
    rows = submissions_awaiting_review(actor=owner)
    assert rows.count() == 2 and [r.pk for r in rows] == [newer.pk, older.pk]
    creator = Actor(user_id=None, creator_id=older.collaboration.creator_id, role="creator")
    assert submissions_awaiting_review(actor=creator).count() == 0


# --- Pages: the creator -----------------------------------------------------------------------


def content_url(collab) -> str:
    return f"/portal/offers/{collab.pk}/content/"


def test_the_creator_submits_content_from_its_inbox(accepted):
    client = portal(accepted)
    inbox = client.get("/portal/offers/").content.decode()
    assert (
        f'href="{content_url(accepted)}"' in inbox
        and 'name="to" value="content_submitted"' not in inbox
    )
    form = client.get(content_url(accepted))
    assert form.status_code == 200 and 'name="caption"' in form.content.decode()
    response = client.post(content_url(accepted), CONTENT)
    assert response.status_code == 302 and response["Location"] == "/portal/offers/"
    assert status_of(accepted) == "content_submitted"
    assert ContentSubmission.objects.unscoped().get().caption == CAPTION
    shown = client.get(content_url(accepted)).content.decode()
    assert CAPTION in shown and 'name="caption"' not in shown  # its content, awaiting review


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "This field is required."),
        ({"link": LINK, "caption": ""}, "This field is required."),
        ({"link": "javascript:alert(1)", "caption": CAPTION}, "Enter a web address"),
        ({"link": "ftp://files.example.com/a.mp4", "caption": CAPTION}, "Enter a web address"),
    ],
)
def test_a_bad_form_answers_400_and_writes_nothing(accepted, data, message):
    client, before = portal(accepted), snapshot(accepted)
    response = client.post(content_url(accepted), data)
    assert response.status_code == 400 and message in unescape(response.content.decode())
    assert snapshot(accepted) == before


def test_submitting_when_not_accepted_answers_400(pending, checks):
    collab = pending.collaboration
    client, before = portal(collab), snapshot(collab)
    response = client.post(content_url(collab), CONTENT)
    assert response.status_code == 400 and "cannot become" in unescape(response.content.decode())
    assert snapshot(collab) == before


def test_a_blocking_finding_answers_400_on_the_page(accepted, checks):
    checks(Finding("ad_law.absolute", "An absolute claim.", blocks=True))
    client, before = portal(accepted), snapshot(accepted)
    response = client.post(content_url(accepted), CONTENT)
    assert response.status_code == 400 and "An absolute claim." in response.content.decode()
    assert snapshot(accepted) == before


def test_the_creator_sees_why_changes_were_asked(pending):
    collab = pending.collaboration
    content_review(
        actor=brand_of(collab), submission=pending, decision="request_changes", reason="Add 7d"
    )
    client = portal(collab)
    assert "Add 7d" in client.get("/portal/offers/").content.decode()
    assert "Add 7d" in client.get(content_url(collab)).content.decode()


def test_another_creator_gets_404_on_the_content_form(accepted):
    stranger = CreatorFactory(user=UserFactory())
    client = Client()
    client.force_login(stranger.user)
    before = snapshot(accepted)
    assert_outsider_gets_404(client, content_url(accepted), secrets=["Secret launch"])
    assert_outsider_gets_404(
        client, content_url(accepted), secrets=["Secret launch"], method="post", data=CONTENT
    )
    assert snapshot(accepted) == before


# --- Pages: the brand -------------------------------------------------------------------------


def review_url(collab) -> str:
    return f"/brand/collaborations/{collab.pk}/review/"


def test_the_review_queue_shows_the_content_with_safe_links_and_findings(pending):
    pending.check_findings = [{"code": "ad_law.soft", "message": "Results vary.", "blocks": False}]
    pending.save(update_fields=["check_findings"])
    body = brand_login(pending.collaboration).get("/brand/reviews/").content.decode()
    assert f'href="{pending.link}" rel="noopener noreferrer nofollow" target="_blank"' in body
    assert "Secret caption" in body and "Results vary." in body and 'name="reason"' in body


def test_the_review_queue_pages_and_says_when_empty():
    brand = OrganizationFactory(kind="brand")
    client = Client()
    client.force_login(MembershipFactory(organization=brand).user)
    assert "No content awaits your review." in client.get("/brand/reviews/").content.decode()
    rows = [
        ContentSubmissionFactory(collaboration__campaign__organization=brand) for _ in range(26)
    ]
    first = client.get("/brand/reviews/")
    assert [s.pk for s in first.context["page"]][:1] == [rows[-1].pk]
    assert len(first.context["page"]) == 25
    assert [s.pk for s in client.get("/brand/reviews/?page=2").context["page"]] == [rows[0].pk]


def test_a_viewer_sees_the_queue_without_buttons_and_cannot_review(pending):
    viewer, before = brand_login(pending.collaboration, "viewer"), snapshot(pending.collaboration)
    page = viewer.get("/brand/reviews/")
    assert page.status_code == 200 and "Secret caption" in page.content.decode()
    assert 'name="decision"' not in page.content.decode()
    assert (
        viewer.post(review_url(pending.collaboration), {"decision": "approve"}).status_code == 403
    )
    assert snapshot(pending.collaboration) == before


def test_the_brand_approves_from_the_queue(pending):
    client = brand_login(pending.collaboration)
    response = client.post(
        review_url(pending.collaboration), {"decision": "approve", "back": "reviews"}
    )
    assert response.status_code == 302 and response["Location"] == "/brand/reviews/"
    assert status_of(pending.collaboration) == "live"


def test_the_campaign_row_carries_the_content_and_its_review(pending):
    client = brand_login(pending.collaboration)
    page = client.get(f"/brand/campaigns/{pending.collaboration.campaign_id}/")
    body = page.content.decode()
    assert "Secret caption" in body and f'action="{review_url(pending.collaboration)}"' in body
    data = {"decision": "request_changes", "reason": "Shorter, please", "back": "campaign"}
    response = client.post(review_url(pending.collaboration), data)
    assert response["Location"] == f"/brand/campaigns/{pending.collaboration.campaign_id}/"
    assert status_of(pending.collaboration) == "accepted"
    assert "Shorter, please" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": "request_changes", "reason": ""}, "Say what should change"),
        ({"decision": "request_changes", "reason": "   "}, "Say what should change"),
        ({"decision": "publish"}, "Select a valid choice"),
        ({}, "This field is required."),
    ],
)
def test_a_bad_review_answers_400_and_writes_nothing(pending, data, message):
    client, before = brand_login(pending.collaboration), snapshot(pending.collaboration)
    response = client.post(review_url(pending.collaboration), data)
    assert response.status_code == 400 and message in unescape(response.content.decode())
    assert snapshot(pending.collaboration) == before


def test_a_second_review_answers_400(pending):
    client = brand_login(pending.collaboration)
    client.post(review_url(pending.collaboration), {"decision": "approve"})
    before = snapshot(pending.collaboration)
    again = client.post(review_url(pending.collaboration), {"decision": "approve"})
    assert again.status_code == 400 and "awaits review" in unescape(again.content.decode())
    assert snapshot(pending.collaboration) == before


def test_another_brand_and_a_creator_get_404_on_the_review(pending):
    other = Client()
    other.force_login(MembershipFactory(organization=OrganizationFactory(kind="brand")).user)
    before = snapshot(pending.collaboration)
    data = {"decision": "approve"}
    path = review_url(pending.collaboration)
    assert_outsider_gets_404(other, path, secrets=["Secret caption"], method="post", data=data)
    assert "Secret caption" not in other.get("/brand/reviews/").content.decode()
    creator = portal(pending.collaboration)  # its own collaboration, but not its move
    assert creator.post(path, data).status_code == 404
    assert creator.get("/brand/reviews/").status_code == 404
    assert snapshot(pending.collaboration) == before


# --- API ---------------------------------------------------------------------------------------


def collab_path(collab, action: str) -> str:
    return f"/api/v1/collaborations/{collab.pk}/{action}/"


def creator_api(collab):
    from rest_framework.test import APIClient

    client = APIClient()
    user = UserFactory()
    type(collab.creator).objects.unscoped().filter(pk=collab.creator_id).update(user=user)
    client.force_login(user)
    return client


def brand_key(collab, scopes=("campaigns:read", "campaigns:write")):
    return api_key_client(collab.organization, scopes)[1]


def test_api_submit_review_and_history(accepted):
    agency = OrganizationFactory(kind="agency")
    type(accepted.creator).objects.unscoped().filter(pk=accepted.creator_id).update(agency=agency)
    agent = api_key_client(agency, ["campaigns:write"])[1]
    submitted = agent.post(collab_path(accepted, "submit-content"), CONTENT, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "content_submitted"
    brand = brand_key(accepted)
    asked = {"decision": "request_changes", "reason": "Show the label"}
    answer = brand.post(collab_path(accepted, "review"), asked, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "changes_requested"
    again = agent.post(collab_path(accepted, "submit-content"), CONTENT, format="json")
    assert again.status_code == 200
    approved = brand.post(collab_path(accepted, "review"), {"decision": "approve"}, format="json")
    assert approved.json()["status"] == "approved" and status_of(accepted) == "live"
    history = brand.get(collab_path(accepted, "submissions")).json()
    assert [s["status"] for s in history] == ["approved", "changes_requested"]
    assert history[1]["review_reason"] == "Show the label"


@pytest.mark.parametrize(
    "body, fields",
    [
        (None, {"link", "caption"}),
        ({"link": LINK}, {"caption"}),
        ({"link": LINK, "caption": ""}, {"caption"}),
        ({"link": "javascript:alert(1)", "caption": CAPTION}, {"link"}),
        ({"link": "ftp://files.example.com/a", "caption": CAPTION}, {"link"}),
    ],
)
def test_api_bad_content_is_a_400_naming_the_field(accepted, body, fields):
    client, before = creator_api(accepted), snapshot(accepted)
    response = client.post(collab_path(accepted, "submit-content"), body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and fields <= set(error["fields"])
    assert snapshot(accepted) == before


def test_api_refusals_write_nothing(pending, checks):
    collab = pending.collaboration
    creator, brand = creator_api(collab), brand_key(collab)
    read_only = brand_key(collab, scopes=("campaigns:read",))
    before = snapshot(collab)
    not_accepted = creator.post(collab_path(collab, "submit-content"), CONTENT, format="json")
    assert not_accepted.status_code == 400
    assert (
        brand.post(collab_path(collab, "submit-content"), CONTENT, format="json").status_code == 403
    )
    for decision in ("review", "go-live"):
        body = {"decision": "approve"} if decision == "review" else None
        assert creator.post(collab_path(collab, decision), body, format="json").status_code == 403
    no_reason = brand.post(
        collab_path(collab, "review"), {"decision": "request_changes"}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    approve = {"decision": "approve"}
    assert read_only.post(collab_path(collab, "review"), approve, format="json").status_code == 403
    assert snapshot(collab) == before
    assert brand.post(collab_path(collab, "review"), approve, format="json").status_code == 200
    before = snapshot(collab)
    twice = brand.post(collab_path(collab, "review"), approve, format="json")
    assert twice.status_code == 400 and "submission" in twice.json()["error"]["fields"]
    assert snapshot(collab) == before


def test_api_blocking_finding_answers_its_code(accepted, checks):
    checks(Finding("ad_law.absolute", "An absolute claim.", blocks=True))
    client, before = creator_api(accepted), snapshot(accepted)
    response = client.post(collab_path(accepted, "submit-content"), CONTENT, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "content.check_blocked" and "An absolute claim." in str(error["fields"])
    assert snapshot(accepted) == before


def test_api_outsiders_get_404(pending):
    collab = pending.collaboration
    other_brand = api_key_client(
        OrganizationFactory(kind="brand"), ["campaigns:read", "campaigns:write"]
    )[1]
    stranger = creator_api(CollaborationFactory())  # signed in as another collaboration's creator
    before = snapshot(collab)
    for client in (other_brand, stranger):
        assert client.get(collab_path(collab, "submissions")).status_code == 404
        approve = {"decision": "approve"}
        assert client.post(collab_path(collab, "review"), approve, format="json").status_code == 404
        response = client.post(collab_path(collab, "submit-content"), CONTENT, format="json")
        assert response.status_code == 404 and "Secret caption" not in response.content.decode()
    assert snapshot(collab) == before


def test_the_creator_reads_its_own_history(pending):
    client = creator_api(pending.collaboration)
    rows = client.get(collab_path(pending.collaboration, "submissions")).json()
    assert [r["caption"] for r in rows] == ["Secret caption"]


def test_every_campaign_has_a_page_the_review_links_to(pending):
    """The queue links each content to its campaign page, which the brand can open."""
    client = brand_login(pending.collaboration)
    campaign = CampaignFactory(organization=pending.collaboration.organization)
    assert client.get(f"/brand/campaigns/{campaign.pk}/").status_code == 200
    body = client.get("/brand/reviews/").content.decode()
    assert f'href="/brand/campaigns/{pending.collaboration.campaign_id}/"' in body


# --- Races (PostgreSQL: real row locks) -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviews_at_once_only_one_wins():
    submission = ContentSubmissionFactory()
    collab, brand = submission.collaboration, brand_of(submission.collaboration)

    def review(decision):
        stale = ContentSubmission.objects.unscoped().select_related("collaboration")
        stale = stale.get(pk=submission.pk)
        return lambda: content_review(
            actor=brand, submission=stale, decision=decision, reason="Shorter"
        )

    assert race(review("approve"), review("request_changes")) == ["refused", "won"]
    stored = ContentSubmission.objects.unscoped().get(pk=submission.pk).status
    assert (stored, status_of(collab)) in {("approved", "live"), ("changes_requested", "accepted")}
    assert AuditEvent.objects.unscoped().filter(action__startswith="content.").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_only_one_wins():
    collab = CollaborationFactory(status="accepted")
    creator = creator_of(collab)

    def submit(caption):
        stale = Collaboration.objects.unscoped().get(pk=collab.pk)
        return lambda: content_submit(
            actor=creator, collaboration=stale, link=LINK, caption=caption
        )

    assert race(submit("one"), submit("two")) == ["refused", "won"]
    assert ContentSubmission.objects.unscoped().count() == 1
    assert status_of(collab) == "content_submitted"
