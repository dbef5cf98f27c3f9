import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brands.models import Collaboration
from brands.review import content_review, content_submit
from brands.services import collaboration_transition, collaborations_expire
from tenancy.models import AuditEvent
from tenancy.scoping import SYSTEM, Actor
from tests.factories import CollaborationFactory

pytestmark = pytest.mark.django_db


def brand_of(collab, role="owner"):
    org = collab.organization
    return Actor(user_id=None, organization_id=org.pk, organization_kind="brand", role=role)


def creator_of(collab):
    return Actor(user_id=None, creator_id=collab.creator_id, role="creator")


def move(actor, collab, to):
    return collaboration_transition(actor=actor, collaboration=collab, to=to)


def test_the_happy_path_from_offer_to_completion():
    collab = CollaborationFactory()
    brand, creator = brand_of(collab), creator_of(collab)
    move(creator, collab, "accepted")
    submission = content_submit(
        actor=creator, collaboration=collab, link="https://v.example.com/1", caption="Try it"
    )
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == "content_submitted"
    content_review(actor=brand, submission=submission, decision="approve")
    collab.refresh_from_db()
    assert collab.status == "live"
    move(brand, collab, "completed")
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == "completed"
    actions = list(AuditEvent.objects.unscoped().order_by("id").values_list("action", flat=True))
    assert actions == [
        "collaboration.accepted",
        "collaboration.content_submitted",
        "content.submitted",
        "collaboration.live",
        "content.approved",
        "collaboration.completed",
    ]


@pytest.mark.parametrize(
    "start, to, who",
    [("accepted", "content_submitted", "creator"), ("content_submitted", "live", "brand")],
)
def test_content_moves_need_the_content_review(start, to, who):
    """No bare status change submits content or takes it live: the review services do."""
    collab = CollaborationFactory(status=start)
    actor = creator_of(collab) if who == "creator" else brand_of(collab)
    with pytest.raises(ValidationError):
        move(actor, collab, to)
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == start
    assert not AuditEvent.objects.unscoped().exists()


def test_the_creator_can_no_longer_mark_live():
    collab = CollaborationFactory(status="content_submitted")
    with pytest.raises(PermissionDenied):
        move(creator_of(collab), collab, "live")


@pytest.mark.parametrize(
    "start, to",
    [
        ("offered", "live"),
        ("offered", "completed"),
        ("declined", "accepted"),
        ("completed", "cancelled"),
        ("live", "cancelled"),
        ("expired", "accepted"),
        ("offered", "bogus"),
    ],
)
def test_an_illegal_transition_is_refused_and_changes_nothing(start, to):
    collab = CollaborationFactory(status=start)
    with pytest.raises(ValidationError) as error:
        move(brand_of(collab), collab, to)
    assert start in str(error.value) or "Unknown status" in str(error.value)
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == start
    assert not AuditEvent.objects.unscoped().exists()


def test_each_party_may_do_only_its_own_moves():
    collab = CollaborationFactory()
    with pytest.raises(PermissionDenied):
        move(brand_of(collab), collab, "accepted")  # the creator answers, not the brand
    with pytest.raises(PermissionDenied):
        move(creator_of(collab), collab, "cancelled")
    with pytest.raises(PermissionDenied):
        move(brand_of(collab, role="viewer"), collab, "cancelled")
    stranger = Actor(user_id=None, creator_id=collab.creator_id + 1000, role="creator")
    with pytest.raises(PermissionDenied):
        move(stranger, collab, "accepted")
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == "offered"


def test_a_stale_status_loses_the_race():
    collab = CollaborationFactory()
    stale = Collaboration.objects.unscoped().get(pk=collab.pk)
    move(creator_of(collab), collab, "declined")
    with pytest.raises(ValidationError, match="changed meanwhile"):
        move(brand_of(stale), stale, "cancelled")
    assert Collaboration.objects.unscoped().get(pk=collab.pk).status == "declined"


def test_late_answers_are_refused_and_the_sweep_expires_them():
    past = timezone.now() - datetime.timedelta(hours=1)
    late, on_time = CollaborationFactory(response_deadline=past), CollaborationFactory()
    with pytest.raises(ValidationError, match="deadline has passed"):
        move(creator_of(late), late, "accepted")
    assert collaborations_expire(actor=SYSTEM) == 1
    assert Collaboration.objects.unscoped().get(pk=late.pk).status == "expired"
    assert Collaboration.objects.unscoped().get(pk=on_time.pk).status == "offered"
    assert collaborations_expire(actor=SYSTEM) == 0


def test_a_transition_notifies_the_brand_and_the_creators_agency(settings):
    from tests.factories import OrganizationFactory
    from webhooks.models import WebhookDelivery
    from webhooks.services import webhook_endpoint_create

    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 1
    agency, stranger = OrganizationFactory(kind="agency"), OrganizationFactory(kind="brand")
    collab = CollaborationFactory(creator__agency=agency)
    for org in (collab.organization, agency, stranger):
        owner = Actor(
            user_id=None, organization_id=org.pk, organization_kind=org.kind, role="owner"
        )
        webhook_endpoint_create(
            actor=owner, url="http://127.0.0.1:9/hook", events=["collaboration.status_changed"]
        )
    move(creator_of(collab), collab, "accepted")
    deliveries = WebhookDelivery.objects.unscoped()
    assert sorted(deliveries.values_list("organization_id", flat=True)) == sorted(
        [collab.organization_id, agency.pk]
    )
    payload = deliveries.first().payload
    assert payload["event"] == "collaboration.status_changed"
    assert (payload["data"]["from"], payload["data"]["to"]) == ("offered", "accepted")
    assert payload["data"]["creator"] == collab.creator.handle
