"""Content review, the writes: the creator submits its content (a link and a caption) and the
brand approves it (the collaboration goes live) or asks for changes with a reason (back to
accepted, for the creator to submit again). Pages and the API call these same services.

Each step is one transaction: the collaboration row is locked, the submission is written and
the status moves through ``brands.services.collaboration_transition`` (its audit record and
its webhook), so a refusal anywhere leaves nothing behind. The automatic checks registered in
``brands.review_hooks`` (the compliance app's) run inside ``content_submit``.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy.scoping import Actor
from tenancy.services import audit_event_record

from .models import Collaboration, ContentSubmission
from .review_hooks import release_holds, run_submission_checks
from .services import check_transition, collaboration_transition, parties_for, party_of

S, R = Collaboration.Status, ContentSubmission.Status
#: The error code of a submission refused by a blocking automatic check (``api/errors.py``).
CHECK_BLOCKED = "content.check_blocked"
#: The error code of an approval refused because a release gate holds the submission.
HELD = "content.held"
#: Decision → (the submission's review status, the collaboration's next status).
DECISIONS: dict[str, tuple[str, str]] = {
    "approve": (R.APPROVED, S.LIVE),
    "request_changes": (R.CHANGES_REQUESTED, S.ACCEPTED),
}
NOT_SUBMITTER = _("Only the creator (or its agency) submits content for a collaboration.")
NOT_REVIEWER = _("Only the brand's writers review the content of its collaborations.")
REASON_NEEDED = _("Say what should change: the creator sees this reason.")
REVIEWED_ALREADY = _("This submission has been reviewed already; reload the page.")
NOTHING_PENDING = _("No content of this collaboration awaits review.")
PENDING_ALREADY = _("This collaboration already has content awaiting review.")


def require_submitter(*, actor: Actor, collaboration: Collaboration) -> None:
    """403 for an actor who may never submit this collaboration's content (before its input
    is even read)."""
    if party_of(actor, collaboration) not in parties_for(S.ACCEPTED, S.CONTENT_SUBMITTED):
        raise PermissionDenied(NOT_SUBMITTER)


def require_reviewer(*, actor: Actor, collaboration: Collaboration) -> None:
    if party_of(actor, collaboration) not in parties_for(S.CONTENT_SUBMITTED, S.LIVE):
        raise PermissionDenied(NOT_REVIEWER)


def _locked(collaboration: Collaboration) -> Collaboration:
    """The collaboration as it stands now, locked until the transaction ends: two submissions
    or two reviews at once take turns, and the second sees what the first did."""
    return Collaboration.objects.unscoped().select_for_update().get(pk=collaboration.pk)


@transaction.atomic
def content_submit(
    *, actor: Actor, collaboration: Collaboration, link: str, caption: str, now=None
) -> ContentSubmission:
    """Submit content for an accepted collaboration (first time, or after the brand asked for
    changes): a new submission row awaiting review, the collaboration content_submitted."""
    require_submitter(actor=actor, collaboration=collaboration)
    now = now or timezone.now()
    locked = _locked(collaboration)
    check_transition(actor, locked, S.CONTENT_SUBMITTED, now, with_content=True)
    submission = ContentSubmission(
        organization_id=locked.organization_id,
        collaboration=locked,
        link=(link or "").strip(),
        caption=(caption or "").strip(),
        submitted_at=now,
        submitted_by_id=actor.user_id,
    )
    # The one-pending rule is the locked status above and the database's constraint below.
    submission.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        raise ValidationError({"collaboration": PENDING_ALREADY}) from None
    _apply_checks(submission)
    collaboration_transition(
        actor=actor, collaboration=locked, to=S.CONTENT_SUBMITTED, now=now, with_content=True
    )
    _audit(actor, "content.submitted", submission, findings=submission.check_findings)
    _caught_up(collaboration, locked)
    return submission


def _caught_up(seen: Collaboration, locked: Collaboration) -> None:
    """The caller's copy of the collaboration shows the status it now has."""
    seen.status, seen.status_changed_at = locked.status, locked.status_changed_at


def _apply_checks(submission: ContentSubmission) -> None:
    """Run the registered checks: a blocking finding refuses (the caller's transaction rolls
    back), the others are kept on the submission for the brand to see."""
    findings = run_submission_checks(submission)
    blocking = [f for f in findings if f.blocks]
    if blocking:
        errors = [ValidationError(str(f.message), code=CHECK_BLOCKED) for f in blocking]
        raise ValidationError({NON_FIELD_ERRORS: errors})
    if findings:
        submission.check_findings = [f.as_json() for f in findings]
        submission.save(update_fields=["check_findings"])


def _clean_decision(decision: str, reason: str) -> tuple[str, str, str]:
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose “approve” or “request_changes”.")})
    reason = (reason or "").strip()
    status, to = DECISIONS[decision]
    if status == R.CHANGES_REQUESTED and not reason:
        raise ValidationError({"reason": REASON_NEEDED})
    if len(reason) > ContentSubmission.REASON_MAX:
        limit = ContentSubmission.REASON_MAX
        raise ValidationError(
            {"reason": _("Keep the reason under %(n)s characters.") % {"n": limit}}
        )
    return status, to, reason


@transaction.atomic
def content_review(
    *, actor: Actor, submission: ContentSubmission, decision: str, reason: str = "", now=None
) -> ContentSubmission:
    """The brand approves ``submission`` (the collaboration goes live) or asks for changes with
    a ``reason`` (it goes back to accepted). The decision is conditional on the submission
    still awaiting review, so of two reviews at once only one wins."""
    require_reviewer(actor=actor, collaboration=submission.collaboration)
    status, to, reason = _clean_decision(decision, reason)
    if status == R.APPROVED and (holds := release_holds(submission)):
        raise ValidationError({NON_FIELD_ERRORS: [ValidationError(h, code=HELD) for h in holds]})
    now = now or timezone.now()
    locked = _locked(submission.collaboration)
    decided = (
        ContentSubmission.objects.unscoped()
        .filter(pk=submission.pk, status=R.PENDING)
        .update(status=status, review_reason=reason, reviewed_at=now, reviewed_by_id=actor.user_id)
    )
    if not decided:
        raise ValidationError({"submission": REVIEWED_ALREADY})
    collaboration_transition(actor=actor, collaboration=locked, to=to, now=now, with_content=True)
    submission.status, submission.review_reason, submission.reviewed_at = status, reason, now
    submission.reviewed_by_id = actor.user_id
    _caught_up(submission.collaboration, locked)
    _audit(actor, f"content.{status}", submission, reason=reason)
    return submission


def _audit(actor: Actor, action: str, submission: ContentSubmission, **data) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        target=submission,
        organization_id=submission.organization_id,
        data={"collaboration": submission.collaboration_id, **data},
    )
