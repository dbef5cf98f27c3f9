"""Writes of the incentive plan (光合计划): plans, milestones, the awards ledger.

Plans and milestones are the operator's (its writers: owners, admins, members); every change is
audited. The ledger has one way in, :func:`award` (and the daily evaluation, which goes through
the same :func:`_grant` while it holds the plan's lock):

* the plan's row is locked (``select_for_update``), so awards against one plan run one after
  the other;
* an award above what the plan has left is refused with :data:`OVER_BUDGET` and writes nothing;
* else the award row is inserted in a savepoint and ``spent`` moves by an ``F()`` increment in
  the same transaction. The database refuses ``spent > budget`` (``plan_spent_within_budget``)
  too, so even a writer that forgot the lock could not overdraw a plan;
* an award is unique per (milestone, creator): a second one for the pair is not an error but
  "already awarded" (:class:`AlreadyAwarded`), so a rerun is harmless.

A revoked award keeps its row (it is the record, and keeps the pair from being awarded again)
and gives its amount back to the plan. The evaluation lives in ``creators.incentive_runs``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tenancy import roles
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from webhooks.services import webhook_emit

from .models import Award, IncentivePlan, Milestone, MilestoneKind, Track
from .models.incentives import NEEDS_THRESHOLD, NEEDS_TRACK

#: The most a plan's budget may hold (the column's 14 digits, 2 of them decimals).
BUDGET_MAX = Decimal("999999999999.99")
REASON_MAX = 2_000
GRANTED, REVOKED = Award.Status.GRANTED, Award.Status.REVOKED
#: The webhook events (registered in ``CreatorsConfig.ready``), sent to the creator's agency.
AWARD_GRANTED, AWARD_REVOKED = "incentives.award_granted", "incentives.award_revoked"


def require_incentives_operator(actor: Actor) -> None:
    actor.require(
        kinds=[roles.OPERATOR],
        write=True,
        message="Only the platform operator's staff can manage incentive plans and awards.",
    )


def money(value) -> str:
    return "¥" + number_format(Decimal(value), decimal_pos=2, force_grouping=True)


def _amount(value, *, field: str, limit: Decimal = BUDGET_MAX) -> Decimal:
    """``value`` as a positive amount of yuan with at most 2 decimals, or a field error."""
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or amount <= 0 or amount > limit or amount != round(amount, 2):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        text = _("Give an amount above zero, in yuan with at most two decimals, up to %(max)s.")
        raise ValidationError({field: text % {"max": money(limit)}}) from None
    return amount


def _unique(row) -> None:
    """The uniqueness rules, checked across every row (``unscoped``): ``full_clean`` reads
    through the default manager, which shows the system no row, and SQLite does not build the
    milestone rule's constraint (``nulls_distinct``). The callers hold the plan's lock."""
    if isinstance(row, IncentivePlan):
        twins = IncentivePlan.objects.unscoped().filter(name=row.name)
        message = {"name": _("A plan with this name already exists.")}
    else:
        twins = Milestone.objects.unscoped().filter(
            plan_id=row.plan_id, kind=row.kind, threshold=row.threshold, track=row.track
        )
        message = _("This plan already has this milestone.")
    if twins.exclude(pk=row.pk).exists():
        raise ValidationError(message)


def _saved(row):
    """``row`` validated (fields, constraints, in words) and saved."""
    _unique(row)
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent twin passed the same checks first
        row.validate_constraints()
        raise
    return row


# --- Plans ---------------------------------------------------------------------------------------

PLAN_FIELDS = ("name", "description", "starts_on", "ends_on")


def _plan_data(plan: IncentivePlan) -> dict:
    data = {name: getattr(plan, name) for name in PLAN_FIELDS}
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}


@transaction.atomic
def incentive_plan_create(
    *,
    actor: Actor,
    name: str,
    budget,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    description: str = "",
) -> IncentivePlan:
    require_incentives_operator(actor)
    plan = IncentivePlan(
        name=(name or "").strip(),
        description=(description or "").strip(),
        budget=_amount(budget, field="budget"),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _saved(plan)
    audit_event_record(
        actor=actor,
        action="incentives.plan_created",
        target=plan,
        data={**_plan_data(plan), "budget": str(plan.budget)},
    )
    return plan


def _locked(plan: IncentivePlan) -> IncentivePlan:
    return IncentivePlan.objects.unscoped().select_for_update().get(pk=plan.pk)


@transaction.atomic
def incentive_plan_update(*, actor: Actor, plan: IncentivePlan, **fields) -> IncentivePlan:
    """Change a plan's name, description or dates (the budget moves by top-ups only)."""
    require_incentives_operator(actor)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s.") % {"f": unknown})
    plan = _locked(plan)
    before = _plan_data(plan)
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    _saved(plan)
    after = _plan_data(plan)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit_event_record(actor=actor, action="incentives.plan_updated", target=plan, data=changed)
    return plan


@transaction.atomic
def incentive_plan_top_up(*, actor: Actor, plan: IncentivePlan, amount) -> IncentivePlan:
    """Add ``amount`` to the plan's budget."""
    require_incentives_operator(actor)
    plan = _locked(plan)
    amount = _amount(amount, field="amount", limit=BUDGET_MAX - plan.budget)
    IncentivePlan.objects.unscoped().filter(pk=plan.pk).update(budget=F("budget") + amount)
    plan.refresh_from_db()
    audit_event_record(
        actor=actor,
        action="incentives.plan_topped_up",
        target=plan,
        data={"amount": str(amount), "budget": str(plan.budget)},
    )
    return plan


@transaction.atomic
def incentive_plan_set_active(*, actor: Actor, plan: IncentivePlan, active: bool) -> IncentivePlan:
    """Deactivate (no more awards; the ledger stays) or reactivate a plan."""
    require_incentives_operator(actor)
    plan = _locked(plan)
    if plan.active != active:
        plan.active = active
        plan.save(update_fields=["active"])
        action = "incentives.plan_activated" if active else "incentives.plan_deactivated"
        audit_event_record(actor=actor, action=action, target=plan)
    return plan


# --- Milestones ----------------------------------------------------------------------------------

RULE_FIELDS = ("kind", "threshold", "track")
MILESTONE_FIELDS = (*RULE_FIELDS, "amount", "title")


def _milestone_fields(fields: dict) -> dict:
    """The fields with the parameter the kind does not use dropped (a form sends both)."""
    kind = fields.get("kind")
    if kind not in MilestoneKind.values:
        raise ValidationError({"kind": _("Choose a valid milestone kind.")})
    if kind in NEEDS_THRESHOLD and not fields.get("threshold"):
        raise ValidationError(
            {"threshold": _("Give the count to reach: followers, or original items in a row.")}
        )
    if kind in NEEDS_TRACK and fields.get("track") not in Track.values:
        raise ValidationError({"track": _("Choose the academy track to complete.")})
    if kind not in NEEDS_THRESHOLD:
        fields["threshold"] = None
    if kind not in NEEDS_TRACK:
        fields["track"] = ""
    if "amount" in fields:
        fields["amount"] = _amount(fields["amount"], field="amount")
    fields["title"] = (fields.get("title") or "").strip() or _default_title(fields)
    return fields


def _default_title(fields: dict) -> str:
    kind = fields.get("kind")
    if kind == MilestoneKind.FOLLOWERS and fields.get("threshold"):
        return _("%(n)s followers") % {"n": number_format(fields["threshold"], force_grouping=True)}
    if kind == MilestoneKind.ORIGINAL_STREAK and fields.get("threshold"):
        return _("%(n)s original items in a row") % {"n": fields["threshold"]}
    if kind in MilestoneKind.values:
        return str(MilestoneKind(kind).label)
    return ""


def _milestone_data(milestone: Milestone) -> dict:
    data = {name: getattr(milestone, name) for name in MILESTONE_FIELDS}
    return {**data, "amount": str(milestone.amount)}


@transaction.atomic
def milestone_create(*, actor: Actor, plan: IncentivePlan, **fields) -> Milestone:
    """A milestone of ``plan``: ``kind``, ``threshold`` (followers, original streak), ``track``
    (track completed), ``amount`` (yuan), ``title`` (defaults from the rule)."""
    require_incentives_operator(actor)
    unknown = set(fields) - set(MILESTONE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown milestone fields: %(f)s.") % {"f": sorted(unknown)})
    milestone = Milestone(plan=_locked(plan), **_milestone_fields(dict(fields)))
    _saved(milestone)
    audit_event_record(
        actor=actor,
        action="incentives.milestone_created",
        target=milestone,
        data={"plan": plan.pk, **_milestone_data(milestone)},
    )
    return milestone


@transaction.atomic
def milestone_update(*, actor: Actor, milestone: Milestone, **fields) -> Milestone:
    """Change a milestone. Once it has awards its rule (kind, threshold, track) is fixed: the
    awards were paid for that rule; a new amount or title applies from now on."""
    require_incentives_operator(actor)
    milestone = Milestone.objects.unscoped().select_for_update().get(pk=milestone.pk)
    merged = {**{name: getattr(milestone, name) for name in MILESTONE_FIELDS}, **fields}
    merged = _milestone_fields(merged)
    changed_rule = any(merged[name] != getattr(milestone, name) for name in RULE_FIELDS)
    if changed_rule and milestone.awards.exists():
        raise ValidationError(
            _(
                "This milestone already has awards, so its rule cannot change: create a new "
                "milestone instead (its title and amount can still change)."
            )
        )
    before = _milestone_data(milestone)
    for name, value in merged.items():
        setattr(milestone, name, value)
    _saved(milestone)
    after = _milestone_data(milestone)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit_event_record(
            actor=actor, action="incentives.milestone_updated", target=milestone, data=changed
        )
    return milestone


@transaction.atomic
def milestone_delete(*, actor: Actor, milestone: Milestone) -> None:
    require_incentives_operator(actor)
    if milestone.awards.exists():
        raise ValidationError(
            _("This milestone has awards and stays in the ledger; deactivate the plan instead.")
        )
    audit_event_record(
        actor=actor,
        action="incentives.milestone_deleted",
        target=milestone,
        data={"plan": milestone.plan_id, **_milestone_data(milestone)},
    )
    milestone.delete()


# --- The ledger ----------------------------------------------------------------------------------

#: The over-budget refusal; ``%(plan)s``, ``%(left)s``, ``%(amount)s`` filled in.
OVER_BUDGET = (
    "“%(plan)s” has %(left)s left, less than this award of %(amount)s: nothing was awarded. "
    "Top up the plan's budget first."
)
#: The API's ``error.code`` of the refusal.
OVER_BUDGET_CODE = "incentives.over_budget"


class AlreadyAwarded(Exception):
    """The creator already has (or had: revoked) an award for this milestone."""


def over_budget(plan: IncentivePlan, amount: Decimal) -> ValidationError:
    text = _(OVER_BUDGET) % {
        "plan": plan.name,
        "left": money(plan.budget - plan.spent),
        "amount": money(amount),
    }
    return ValidationError({"amount": ValidationError(text, code=OVER_BUDGET_CODE)})


def _grant(
    plan: IncentivePlan,
    milestone: Milestone,
    creator_id: int,
    achieved_on: datetime.date,
    evidence: dict,
    agency_id: int | None = None,
) -> Award:
    """Pay ``milestone`` to the creator from ``plan``, which the caller holds locked (and whose
    ``spent`` is the stored one); keeps ``plan.spent`` in step."""
    amount = milestone.amount
    if plan.budget - plan.spent < amount:
        raise over_budget(plan, amount)
    try:
        with transaction.atomic():
            award = Award.objects.unscoped().create(
                milestone=milestone,
                plan=plan,
                creator_id=creator_id,
                amount=amount,
                achieved_on=achieved_on,
                evidence=evidence,
            )
    except IntegrityError:
        raise AlreadyAwarded(milestone.pk, creator_id) from None
    IncentivePlan.objects.unscoped().filter(pk=plan.pk).update(spent=F("spent") + amount)
    plan.spent += amount
    if agency_id:
        _tell_agency(AWARD_GRANTED, award, agency_id)
    return award


def _tell_agency(event: str, award: Award, agency_id: int) -> None:
    webhook_emit(
        event=event,
        organization_ids=[agency_id],
        data={
            "award_id": award.pk,
            "creator_id": award.creator_id,
            "plan_id": award.plan_id,
            "milestone_id": award.milestone_id,
            "amount": str(award.amount),
            "achieved_on": award.achieved_on.isoformat(),
            "status": award.status,
        },
    )


def award(
    *,
    actor: Actor,
    milestone: Milestone,
    creator,
    achieved_on: datetime.date,
    evidence: dict | None = None,
) -> Award:
    """Award ``milestone`` to ``creator`` (see the module docstring): the award, or
    ``ValidationError`` (:data:`OVER_BUDGET`: nothing written), or :class:`AlreadyAwarded`."""
    require_incentives_operator(actor)
    with transaction.atomic():
        plan = IncentivePlan.objects.unscoped().select_for_update().get(pk=milestone.plan_id)
        if not plan.active:
            raise ValidationError(_("“%(plan)s” is not active: it awards nothing.") % {
                "plan": plan.name})  # fmt: skip
        return _grant(
            plan, milestone, creator.pk, achieved_on, evidence or {}, agency_id=creator.agency_id
        )


@transaction.atomic
def award_revoke(*, actor: Actor, award: Award, reason: str) -> Award:
    """Revoke a granted award with the operator's ``reason``: its amount goes back to the plan."""
    require_incentives_operator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the award is revoked.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(max)s characters.") % {"max": REASON_MAX}})
    IncentivePlan.objects.unscoped().select_for_update().get(pk=award.plan_id)
    award = Award.objects.unscoped().select_for_update().select_related("creator").get(pk=award.pk)
    if award.status != GRANTED:
        raise ValidationError(_("This award has already been revoked."))
    award.status, award.revoked_at = REVOKED, timezone.now()
    award.revoked_reason, award.revoked_by_id = reason, actor.user_id
    award.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by"])
    IncentivePlan.objects.unscoped().filter(pk=award.plan_id).update(
        spent=F("spent") - award.amount
    )
    audit_event_record(
        actor=actor,
        action="incentives.award_revoked",
        target=award,
        data={"amount": str(award.amount), "creator": award.creator_id, "reason": reason},
    )
    if award.creator.agency_id:
        _tell_agency(AWARD_REVOKED, award, award.creator.agency_id)
    return award
