"""Every write of the review queue: claim, decide, escalate; sanctions; appeals; policy.

A decision is final for the case and does three things in one transaction: it stores the label
(the text and what it was, for the next retraining), applies the sanction ladder when the
violation is confirmed, and announces ``compliance.case_decided`` to the brand and the creator's
agency. Every privileged action writes an audit record.

The ladder counts the creator's confirmed violations of the case's category in the last
``WINDOW_DAYS``: from the policy's ``restrict_after`` on it restricts traffic for
``RESTRICTION_DAYS`` (a merit factor in allocation runs), from ``suspend_after`` on it suspends
the creator; below, a warning. An upheld appeal changes nothing; an overturned one lifts the
sanction (and a suspension's account status) and relabels the case as no violation.

Originality flags (``compliance.originality`` writes them) are contested by the flagged creator
once, with a statement; an operator reviewer upholds or overturns the flag, and an overturned
flag no longer counts against the creator's originality rate.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Creator
from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from webhooks.services import webhook_emit

from .default_policy import RESTRICTION_DAYS, WINDOW_DAYS
from .models import (
    Appeal,
    Case,
    Category,
    Label,
    OriginalityContest,
    OriginalityFlag,
    Policy,
    Sanction,
)

APPROVE, REJECT, ESCALATE = "approve", "reject", "escalate"
DECISIONS = (APPROVE, REJECT, ESCALATE)
NOTE_MAX = 2000
#: Escalated cases go to the operator's owners and admins.
SENIOR_ROLES = roles.ADMIN_ROLES


def _require_reviewer(actor: Actor) -> None:
    actor.require(
        kinds=[roles.OPERATOR],
        roles=roles.REVIEW_ROLES,
        message=_("Only the operator's compliance reviewers work the queue."),
    )


def _locked(case: Case) -> Case:
    return Case.objects.unscoped().select_for_update().get(pk=case.pk)


def _audit(actor: Actor, action: str, target, **data) -> None:
    audit_event_record(actor=actor, action=action, target=target, data=data)


# --- The queue -----------------------------------------------------------------------------------


@transaction.atomic
def case_claim(*, actor: Actor, case: Case) -> Case:
    """Take an open case (or an escalated one, for a senior reviewer); a claimed case is the
    claimer's until decided. Claiming one's own claim again is a no-op."""
    _require_reviewer(actor)
    case = _locked(case)
    if case.status == Case.Status.CLAIMED and case.claimed_by_id == actor.user_id:
        return case
    if case.status == Case.Status.ESCALATED and actor.role not in SENIOR_ROLES:
        raise PermissionDenied(_("An escalated case is for the operator's owners and admins."))
    if case.status not in (Case.Status.OPEN, Case.Status.ESCALATED):
        raise ValidationError(_("Someone else has claimed or decided this case."), code="taken")
    case.status, case.claimed_by_id, case.claimed_at = (
        Case.Status.CLAIMED,
        actor.user_id,
        timezone.now(),
    )
    case.save(update_fields=["status", "claimed_by", "claimed_at"])
    _audit(actor, "compliance.case_claimed", case)
    return case


def _clean(decision: str, violation_type: str, note: str) -> None:
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose approve, reject or escalate.")
    if decision == REJECT and violation_type not in Category.values:
        errors["violation_type"] = _("Choose the violation type of a rejected case.")
    if decision == ESCALATE and not note.strip():
        errors["note"] = _("Say why you escalate.")
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(max)s characters.") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_decide(
    *, actor: Actor, case: Case, decision: str, violation_type: str = "", note: str = ""
) -> Case:
    """Decide a case the actor has claimed: approve, reject (a confirmed violation, with its
    type) or escalate (back to the queue for a senior reviewer)."""
    _require_reviewer(actor)
    _clean(decision, violation_type, note)
    case = _locked(case)
    if case.status != Case.Status.CLAIMED or case.claimed_by_id != actor.user_id:
        raise ValidationError(_("Claim the case before deciding it."), code="not_claimed")
    now = timezone.now()
    if decision == ESCALATE:
        case.status, case.note = Case.Status.ESCALATED, note
        case.claimed_by_id = case.claimed_at = None
        case.save(update_fields=["status", "note", "claimed_by", "claimed_at"])
        _audit(actor, "compliance.case_escalated", case, note=note)
        return case
    rejected = decision == REJECT
    case.status = Case.Status.REJECTED if rejected else Case.Status.APPROVED
    case.violation_type = violation_type if rejected else ""
    case.decided_by_id, case.decided_at, case.note = actor.user_id, now, note
    case.save(update_fields=["status", "violation_type", "decided_by", "decided_at", "note"])
    Label.objects.unscoped().create(
        case=case, text=case.text, label=case.violation_type or Label.NONE, created_at=now
    )
    sanction = _sanction(actor, case) if rejected and case.creator_id else None
    _audit(
        actor,
        f"compliance.case_{case.status}",
        case,
        violation_type=case.violation_type,
        sanction=sanction.level if sanction else None,
    )
    _announce(case, sanction)
    return case


def _announce(case: Case, sanction: Sanction | None) -> None:
    agency_id = (
        Creator.objects.unscoped().filter(pk=case.creator_id).values_list("agency_id", flat=True)
    ).first()
    audience = {org for org in (case.organization_id, agency_id) if org}
    webhook_emit(
        event="compliance.case_decided",
        organization_ids=sorted(audience),
        data={
            "case": case.pk,
            "source": case.source,
            "status": case.status,
            "violation_type": case.violation_type,
            "creator": case.creator_id,
            "sanction": sanction.level if sanction else None,
            "decided_at": case.decided_at.isoformat(),
        },
    )


# --- Sanctions -----------------------------------------------------------------------------------


def ladder_level(confirmed: int, policy: Policy) -> str:
    """The sanction for the creator's ``confirmed``-th violation of ``policy``'s category."""
    if confirmed >= policy.suspend_after:
        return Sanction.Level.SUSPENSION
    if confirmed >= policy.restrict_after:
        return Sanction.Level.RESTRICTION
    return Sanction.Level.WARNING


def _sanction(actor: Actor, case: Case) -> Sanction:
    today = timezone.localdate()
    policy = Policy.objects.unscoped().get(category=case.violation_type)
    confirmed = (
        Case.objects.unscoped()
        .filter(
            creator_id=case.creator_id,
            status=Case.Status.REJECTED,
            violation_type=case.violation_type,
            decided_at__gte=timezone.now() - timedelta(days=WINDOW_DAYS),
        )
        .exclude(sanctions__status=Sanction.Status.OVERTURNED)
        .count()
    )
    level = ladder_level(confirmed, policy)
    ends_on = {
        Sanction.Level.WARNING: today,
        Sanction.Level.RESTRICTION: today + timedelta(days=RESTRICTION_DAYS - 1),
    }.get(level)  # a suspension lasts until lifted
    sanction = Sanction.objects.unscoped().create(
        creator_id=case.creator_id,
        case=case,
        level=level,
        starts_on=today,
        ends_on=ends_on,
        reason=_("Confirmed %(category)s (violation %(n)s in %(days)s days).")
        % {"category": Category(case.violation_type).label, "n": confirmed, "days": WINDOW_DAYS},
        created_at=timezone.now(),
    )
    if level == Sanction.Level.SUSPENSION:
        Creator.objects.unscoped().filter(pk=case.creator_id).update(
            status=Creator.Status.SUSPENDED
        )
    _audit(actor, "compliance.sanction_applied", sanction, level=level, case=case.pk)
    return sanction


# --- Appeals -------------------------------------------------------------------------------------

APPEAL_MAX = 2000


@transaction.atomic
def appeal_file(*, actor: Actor, sanction: Sanction, text: str) -> Appeal:
    """The sanctioned creator contests a sanction in force (one open appeal at a time)."""
    actor.require(kinds=[roles.CREATOR], message=_("Only the creator may appeal its sanction."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say why the sanction is wrong.")})
    if len(text) > APPEAL_MAX:
        raise ValidationError({"text": _("At most %(max)s characters.") % {"max": APPEAL_MAX}})
    sanction = Sanction.objects.unscoped().select_for_update().get(pk=sanction.pk)
    if sanction.creator_id != actor.creator_id:
        raise PermissionDenied(_("Only the creator may appeal its sanction."))
    if sanction.status != Sanction.Status.ACTIVE:
        raise ValidationError(_("This sanction is already under appeal or lifted."), code="state")
    appeal = Appeal.objects.unscoped().create(
        sanction=sanction, creator_id=sanction.creator_id, text=text, created_at=timezone.now()
    )
    sanction.status = Sanction.Status.APPEALED
    sanction.save(update_fields=["status"])
    _audit(actor, "compliance.appeal_filed", appeal, sanction=sanction.pk)
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Actor, appeal: Appeal, overturn: bool, note: str = "") -> Appeal:
    _require_reviewer(actor)
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": NOTE_MAX}})
    appeal = Appeal.objects.unscoped().select_for_update().get(pk=appeal.pk)
    if appeal.status != Appeal.Status.OPEN:
        raise ValidationError(_("This appeal is already decided."), code="state")
    sanction = appeal.sanction
    appeal.status = Appeal.Status.OVERTURNED if overturn else Appeal.Status.UPHELD
    appeal.decided_by_id, appeal.decided_at, appeal.note = actor.user_id, timezone.now(), note
    appeal.save(update_fields=["status", "decided_by", "decided_at", "note"])
    sanction.status = Sanction.Status.OVERTURNED if overturn else Sanction.Status.ACTIVE
    sanction.save(update_fields=["status"])
    if overturn:
        Label.objects.unscoped().filter(case_id=sanction.case_id).update(label=Label.NONE)
        if sanction.level == Sanction.Level.SUSPENSION:
            Creator.objects.unscoped().filter(
                pk=sanction.creator_id, status=Creator.Status.SUSPENDED
            ).update(status=Creator.Status.ACTIVE)
    _audit(actor, f"compliance.appeal_{appeal.status}", appeal, sanction=sanction.pk, note=note)
    return appeal


# --- Policy --------------------------------------------------------------------------------------

POLICY_FIELDS = ("review_threshold", "block_threshold", "restrict_after", "suspend_after")


@transaction.atomic
def policy_update(*, actor: Actor, policy: Policy, **values) -> Policy:
    """Change one category's thresholds or ladder (the operator's writers); audited with the
    values before and after. Invalid values raise and change nothing."""
    actor.require(kinds=[roles.OPERATOR], roles=roles.ADMIN_ROLES)
    policy = Policy.objects.unscoped().select_for_update().get(pk=policy.pk)
    before = {field: getattr(policy, field) for field in POLICY_FIELDS}
    for field in POLICY_FIELDS:
        if field in values:
            setattr(policy, field, values[field])
    policy.updated_by_id = actor.user_id
    policy.full_clean()
    policy.save()
    after = {field: getattr(policy, field) for field in POLICY_FIELDS}
    _audit(actor, "compliance.policy_updated", policy, before=before, after=after)
    return policy


# --- Originality contests ------------------------------------------------------------------------

STATEMENT_MAX = 2000
UPHOLD, OVERTURN = "upheld", "overturned"
CONTEST_DECISIONS = (UPHOLD, OVERTURN)


@transaction.atomic
def originality_flag_contest(
    *, actor: Actor, flag: OriginalityFlag, statement: str
) -> OriginalityContest:
    """The flagged creator contests an open flag, once, saying why the item is original. Another
    creator's flag does not exist for it (``OriginalityFlag.DoesNotExist``: a 404)."""
    actor.require(kinds=[roles.CREATOR], message=_("Only the flagged creator may contest a flag."))
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("Say why your content is original.")})
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(
            {"statement": _("At most %(max)s characters.") % {"max": STATEMENT_MAX}}
        )
    # Re-read under the lock (indexing may have removed the flag since the page: DoesNotExist).
    flag = OriginalityFlag.objects.for_actor(actor).select_for_update().get(pk=flag.pk)
    if flag.status != OriginalityFlag.Status.OPEN:
        raise ValidationError(_("This flag has already been contested or decided."), code="state")
    now = timezone.now()
    contest = OriginalityContest.objects.unscoped().create(
        flag=flag, creator_id=flag.creator_id, statement=statement, created_at=now
    )
    flag.status, flag.updated_at = OriginalityFlag.Status.CONTESTED, now
    flag.save(update_fields=["status", "updated_at"])
    _audit(actor, "compliance.originality_contested", contest, flag=flag.pk)
    return contest


@transaction.atomic
def originality_contest_decide(
    *, actor: Actor, contest: OriginalityContest, decision: str, note: str = ""
) -> OriginalityContest:
    """An operator reviewer decides an open contest: ``upheld`` (the flag stands) or
    ``overturned`` (the flag is lifted and stops counting). Audited with the note."""
    _require_reviewer(actor)
    errors = {}
    if decision not in CONTEST_DECISIONS:
        errors["decision"] = _("Choose upheld or overturned.")
    if len(note or "") > NOTE_MAX:
        errors["note"] = _("At most %(max)s characters.") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)
    contest = OriginalityContest.objects.for_actor(actor).select_for_update().get(pk=contest.pk)
    if contest.status != OriginalityContest.Status.OPEN:
        raise ValidationError(_("This contest is already decided."), code="state")
    flag = OriginalityFlag.objects.unscoped().select_for_update().get(pk=contest.flag_id)
    now = timezone.now()
    contest.status = decision
    contest.decided_by_id, contest.decided_at, contest.note = actor.user_id, now, note or ""
    contest.save(update_fields=["status", "decided_by", "decided_at", "note"])
    flag.status, flag.updated_at = decision, now  # the flag's statuses share these values
    flag.save(update_fields=["status", "updated_at"])
    _audit(actor, f"compliance.originality_contest_{decision}", contest, flag=flag.pk, note=note)
    return contest
