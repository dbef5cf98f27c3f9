"""The dual track end to end: a blocked submission opens a case, a reviewer confirms it, the
decision becomes a label, the ladder sanctions the creator, and the next allocation run gives
the creator less merit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brands.models import ContentSubmission
from brands.review import content_review, content_submit
from compliance import services
from compliance.models import Case, Label, Sanction
from tenancy.models import AuditEvent
from tenancy.scoping import Actor, acting_as
from traffic.models import Allocation
from traffic.services import allocation_run_create, allocation_run_execute
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

from .conftest import BLATANT, CLEAN, creator_actor, operator_actor

pytestmark = pytest.mark.django_db


def brand_actor(collaboration) -> Actor:
    return Actor(
        user_id=None,
        organization_id=collaboration.organization_id,
        organization_kind="brand",
        role="owner",
    )


def allocation_merit(operator: Actor, creator_id: int) -> float:
    with acting_as(operator):
        run = allocation_run_create(actor=operator, pool=100_000, target_gini=0.4)
        run = allocation_run_execute(actor=operator, run_id=run.pk)
    assert run.status == "succeeded", run.error
    return Allocation.objects.unscoped().get(run=run, creator_id=creator_id).merit


def submit(collaboration, caption):
    with acting_as(creator_actor(collaboration.creator)):
        return content_submit(
            actor=creator_actor(collaboration.creator),
            collaboration=collaboration,
            link="https://v.example.com/1",
            caption=caption,
        )


def test_block_case_decision_label_sanction_lower_merit(accepted, settings):
    settings.OLIVE_WEBHOOKS_ALLOW_PRIVATE = True
    settings.OLIVE_WEBHOOK_MAX_ATTEMPTS = 1
    creator = accepted.creator
    reviewer = operator_actor()
    operator = operator_actor(role="owner")
    webhook_endpoint_create(
        actor=brand_actor(accepted),
        url="http://127.0.0.1:9/compliance",
        events=["compliance.case_decided"],
    )
    merit_before = allocation_merit(operator, creator.pk)
    assert merit_before > 0

    submission = submit(accepted, BLATANT)
    (case,) = Case.objects.unscoped().filter(submission=submission)
    assert case.track == Case.Track.BLOCK and case.status == Case.Status.OPEN
    assert case.creator_id == creator.pk and case.organization_id == accepted.organization_id
    spans = [(r["start"], r["end"]) for r in case.reasons if r["kind"] == "rule"]
    assert spans and all(BLATANT[s:e] for s, e in spans)
    assert [f["code"] for f in submission.check_findings] == ["compliance.blocked"]

    # Held: the brand cannot put it live before a reviewer has approved it.
    with acting_as(brand_actor(accepted)), pytest.raises(ValidationError) as refused:
        content_review(actor=brand_actor(accepted), submission=submission, decision="approve")
    (held,) = refused.value.error_dict["__all__"]
    assert held.code == "content.held" and "Compliance holds" in held.messages[0]
    assert ContentSubmission.objects.unscoped().get(pk=submission.pk).status == "pending"

    with acting_as(reviewer):
        services.case_claim(actor=reviewer, case=case)
        services.case_decide(
            actor=reviewer, case=case, decision="reject", violation_type="counterfeit"
        )
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED and case.decided_at <= timezone.now()
    label = Label.objects.unscoped().get(case=case)
    assert (label.text, label.label) == (BLATANT, "counterfeit")
    (sanction,) = Sanction.objects.unscoped().filter(creator=creator)
    assert sanction.level == Sanction.Level.RESTRICTION  # counterfeits restrict at the first
    assert AuditEvent.objects.unscoped().filter(action="compliance.case_rejected").count() == 1
    assert AuditEvent.objects.unscoped().filter(action="compliance.sanction_applied").count() == 1
    delivery = WebhookDelivery.objects.unscoped().get(event="compliance.case_decided")
    assert delivery.payload["data"]["sanction"] == "restriction"

    merit_after = allocation_merit(operator, creator.pk)
    assert merit_after == pytest.approx(merit_before * 0.5)


def test_a_clean_submission_passes_without_a_case_and_goes_live(accepted):
    submission = submit(accepted, CLEAN)
    assert not Case.objects.unscoped().exists()
    assert submission.check_findings == []
    with acting_as(brand_actor(accepted)):
        content_review(actor=brand_actor(accepted), submission=submission, decision="approve")
    assert ContentSubmission.objects.unscoped().get(pk=submission.pk).status == "approved"


def test_an_approved_case_releases_the_submission_and_sanctions_nobody(accepted):
    submission = submit(accepted, BLATANT)
    case = Case.objects.unscoped().get(submission=submission)
    reviewer = operator_actor()
    with acting_as(reviewer):
        services.case_claim(actor=reviewer, case=case)
        services.case_decide(actor=reviewer, case=case, decision="approve", note="a parody")
    assert Label.objects.unscoped().get(case=case).label == Label.NONE
    assert not Sanction.objects.unscoped().exists()
    with acting_as(brand_actor(accepted)):
        content_review(actor=brand_actor(accepted), submission=submission, decision="approve")
    assert ContentSubmission.objects.unscoped().get(pk=submission.pk).status == "approved"


def test_the_ladder_warns_then_restricts_then_suspends_and_an_appeal_lifts(creator_with_merit):
    reviewer = operator_actor()
    levels = []
    for n in range(5):
        case = _case(creator_with_merit, f"{n} 这是全网第一的面霜，效果最好", category="absolute")
        with acting_as(reviewer):
            services.case_claim(actor=reviewer, case=case)
            services.case_decide(
                actor=reviewer, case=case, decision="reject", violation_type="absolute"
            )
        levels.append(Sanction.objects.unscoped().filter(case=case).get().level)
    # The default policy for absolute claims: restrict from the 3rd, suspend from the 5th.
    assert levels == ["warning", "warning", "restriction", "restriction", "suspension"]
    creator_with_merit.refresh_from_db()
    assert creator_with_merit.status == "suspended"

    suspension = Sanction.objects.unscoped().get(level="suspension")
    me = creator_actor(creator_with_merit)
    with acting_as(me):
        appeal = services.appeal_file(actor=me, sanction=suspension, text="这是竞品的对比视频")
        with pytest.raises(ValidationError):
            services.appeal_file(actor=me, sanction=suspension, text="again")
    with acting_as(reviewer):
        services.appeal_decide(actor=reviewer, appeal=appeal, overturn=True, note="对比视频")
    suspension.refresh_from_db()
    creator_with_merit.refresh_from_db()
    assert suspension.status == Sanction.Status.OVERTURNED
    assert creator_with_merit.status == "active"
    assert Label.objects.unscoped().get(case=suspension.case).label == Label.NONE


def _case(creator, text, *, category):
    return Case.objects.unscoped().create(
        source=Case.Source.CONTENT,
        track=Case.Track.REVIEW,
        creator=creator,
        text=text,
        risk=0.7,
        category=category,
        reasons=[],
        model_probability=0.7,
        model_version="test",
        lexicon_version="test",
        opened_at=timezone.now(),
    )


def test_deciding_needs_a_claim_a_reviewer_and_a_type(creator_with_merit):
    case = _case(creator_with_merit, "全网最好", category="absolute")
    reviewer, other = operator_actor(), operator_actor()
    viewer = operator_actor(role="viewer")
    with acting_as(viewer), pytest.raises(PermissionDenied):
        services.case_claim(actor=viewer, case=case)
    with acting_as(reviewer), pytest.raises(ValidationError):
        services.case_decide(actor=reviewer, case=case, decision="approve")  # not claimed
    with acting_as(reviewer):
        services.case_claim(actor=reviewer, case=case)
    with acting_as(other), pytest.raises(ValidationError):
        services.case_claim(actor=other, case=case)
    with acting_as(reviewer), pytest.raises(ValidationError) as missing:
        services.case_decide(actor=reviewer, case=case, decision="reject")
    assert "violation_type" in missing.value.message_dict
    with acting_as(reviewer), pytest.raises(ValidationError):
        services.case_decide(actor=reviewer, case=case, decision="escalate", note="  ")
    case.refresh_from_db()
    assert case.status == Case.Status.CLAIMED and not Label.objects.unscoped().exists()
    with acting_as(reviewer):
        services.case_decide(actor=reviewer, case=case, decision="escalate", note="brand dispute")
    case.refresh_from_db()
    assert case.status == Case.Status.ESCALATED and case.claimed_by_id is None
    with acting_as(reviewer), pytest.raises(PermissionDenied):
        services.case_claim(actor=reviewer, case=case)  # escalated: seniors only
    senior = operator_actor(role="admin")
    with acting_as(senior):
        services.case_claim(actor=senior, case=case)
        services.case_decide(actor=senior, case=case, decision="approve")
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
