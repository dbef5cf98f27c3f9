"""Writes of the 星火计划 certification: policy versions, tier benefits, runs, appeals.

Runs follow ``traffic``'s pattern: ``certification_run_create`` writes a pending row (or finds
the cycle's existing one: a cycle is its policy version and its ``as_of``, so asking twice gives
one run), ``certification_run_execute`` claims it with one conditional update, reads the
metrics (``mcn.metrics``), grades with ``mcn.engine`` and writes every assessment and the run's
figures in one transaction. The cohort's bounds are kept on the run, so a what-if scores against
the same cohort the run did (``mcn.selectors.assessment_what_if``).

A tier change (against the agency's previous effective tier, overrides included) is announced as
``agency.tier_changed`` to the agency and to every partner.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy import roles
from tenancy.models import Organization
from tenancy.scoping import Actor
from tenancy.services import audit_event_record
from webhooks.services import webhook_emit

from . import engine
from .metrics import window_metrics, window_start
from .models import (
    AgencyAssessment,
    Appeal,
    CertificationRun,
    TierBenefit,
    TierPolicy,
    policy_from_data,
)
from .services import _require_agency_writer, contract_today

logger = logging.getLogger(__name__)

#: A running run whose worker has not finished within this long is taken for lost: a cycle
#: over thousands of agencies takes seconds.
RUN_LEASE = timedelta(minutes=15)
APPEAL_MAX = 4000
REASON_MAX = 500
Status = CertificationRun.Status
Change = AgencyAssessment.Change


def _require_operator(actor: Actor) -> None:
    actor.require(
        kinds=[roles.OPERATOR],
        write=True,
        message=_("Only the platform operator's staff can run certification and decide appeals."),
    )


# --- policy and benefits -------------------------------------------------------------------


def active_policy() -> TierPolicy | None:
    return TierPolicy.objects.unscoped().filter(active=True).first()


def _validated_policy(weights, thresholds, gates, window_days) -> engine.Policy:
    try:
        rubric = policy_from_data(weights, thresholds, gates)
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        message = _("This policy is not valid: %(error)s") % {"error": error}
        raise ValidationError({"policy": message}) from error
    if not isinstance(window_days, int) or not 7 <= window_days <= 366:
        raise ValidationError({"window_days": _("The window must be 7 to 366 days.")})
    if not all(0 <= v <= 100 for v in rubric.thresholds.values()):
        raise ValidationError({"thresholds": _("Thresholds are scores from 0 to 100.")})
    ordered = [rubric.thresholds[t] for t in engine.TIERS]
    if ordered != sorted(ordered, reverse=True):
        raise ValidationError({"thresholds": _("A higher tier cannot need a lower score.")})
    return rubric


@transaction.atomic
def tier_policy_publish(
    *, actor: Actor, weights: dict, thresholds: dict, gates: dict, window_days: int, note=""
) -> TierPolicy:
    """A new version of the rubric, made the active one (the old versions stay, for the runs
    that applied them); audited with the change."""
    _require_operator(actor)
    _validated_policy(weights, thresholds, gates, window_days)
    versions = TierPolicy.objects.unscoped().select_for_update()
    previous = versions.filter(active=True).first()
    latest = versions.aggregate(v=Max("version"))["v"] or 0
    versions.filter(active=True).update(active=False)
    policy = TierPolicy.objects.unscoped().create(
        version=latest + 1,
        weights=weights,
        thresholds=thresholds,
        gates=gates,
        window_days=window_days,
        active=True,
        note=note[:300],
        created_by_id=actor.user_id,
    )
    audit_event_record(
        actor=actor,
        action="mcn.tier_policy_published",
        target=policy,
        data={
            "version": policy.version,
            "previous": previous.version if previous else None,
            "weights": weights,
            "thresholds": thresholds,
            "gates": gates,
            "window_days": window_days,
        },
    )
    return policy


@transaction.atomic
def tier_benefit_set(
    *, actor: Actor, tier: str, monthly_impressions: int, brand_priority: int
) -> TierBenefit:
    _require_operator(actor)
    if tier not in engine.TIERS:
        raise ValidationError({"tier": _("Choose S, A or B.")})
    errors = {}
    if not isinstance(monthly_impressions, int) or not 0 <= monthly_impressions <= 10**12:
        errors["monthly_impressions"] = _("A whole number of impressions from 0 to 10¹².")
    if not isinstance(brand_priority, int) or not 0 <= brand_priority <= 100:
        errors["brand_priority"] = _("A whole number from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    benefit, _created = TierBenefit.objects.unscoped().get_or_create(tier=tier)
    before = [benefit.monthly_impressions, benefit.brand_priority]
    benefit.monthly_impressions, benefit.brand_priority = monthly_impressions, brand_priority
    benefit.save()
    audit_event_record(
        actor=actor,
        action="mcn.tier_benefit_set",
        target=benefit,
        data={
            "tier": tier,
            "before": before,
            "monthly_impressions": monthly_impressions,
            "brand_priority": brand_priority,
        },
    )
    return benefit


# --- runs ----------------------------------------------------------------------------------


def certification_run_create(
    *, actor: Actor, as_of: date | None = None, policy: TierPolicy | None = None
) -> tuple[CertificationRun, bool]:
    """The cycle's run and whether it is new: a pending row, or the cycle's existing run (a
    cycle is a policy version and ``as_of``; a failed run may be asked for again)."""
    _require_operator(actor)
    policy = policy or active_policy()
    if policy is None:
        raise ValidationError({"policy": _("There is no active tier policy to apply.")})
    as_of = as_of or contract_today()
    if as_of > contract_today():
        raise ValidationError({"as_of": _("A cycle cannot end in the future.")})
    runs = CertificationRun.objects.unscoped()
    existing = runs.filter(policy=policy, as_of=as_of).exclude(status=Status.FAILED).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            run = runs.create(
                policy=policy,
                as_of=as_of,
                window_start=window_start(as_of, policy.window_days),
                created_by_id=actor.user_id,
            )
            audit_event_record(
                actor=actor,
                action="mcn.certification_run_created",
                target=run,
                data={"as_of": as_of.isoformat(), "policy": policy.version},
            )
    except IntegrityError:  # another caller created the cycle meanwhile
        return runs.filter(policy=policy, as_of=as_of).exclude(status=Status.FAILED).get(), False
    return run, True


def _claim(run_id: int) -> bool:
    now = timezone.now()
    stale = Q(status=Status.RUNNING, heartbeat_at__lt=now - RUN_LEASE)
    return (
        CertificationRun.objects.unscoped()
        .filter(Q(status=Status.PENDING) | stale, pk=run_id)
        .update(status=Status.RUNNING, started_at=now, heartbeat_at=now, claims=F("claims") + 1)
        == 1
    )


def certification_run_execute(*, actor: Actor, run_id: int) -> CertificationRun:
    """Claim and execute a run; a run this call cannot claim (held, finished) is returned as it
    is. A failure marks the run failed with the error and writes no assessment."""
    _require_operator(actor)
    if not _claim(run_id):
        return CertificationRun.objects.unscoped().get(pk=run_id)
    run = CertificationRun.objects.unscoped().select_related("policy").get(pk=run_id)
    try:
        _execute(run)
    except Exception as error:
        CertificationRun.objects.unscoped().filter(pk=run.pk, claims=run.claims).update(
            status=Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:10_000],
            finished_at=timezone.now(),
        )
        raise
    run.refresh_from_db()
    return run


def _execute(run: CertificationRun) -> None:
    agencies = list(
        Organization.objects.filter(kind=Organization.Kind.AGENCY).values_list("pk", flat=True)
    )
    metrics = window_metrics(
        as_of=run.as_of, window_days=run.policy.window_days, agency_ids=agencies
    ).agencies
    bounds = engine.cohort_bounds(metrics)
    assessed = engine.assess_all(metrics, run.policy.rubric())
    previous = _previous_tiers(run)
    rows, changed = [], []
    for agency, result in assessed.items():
        before = previous.get(agency)
        row = _assessment_row(run, agency, metrics.loc[agency].to_dict(), result, before)
        rows.append(row)
        if row.change in (Change.NEW, Change.UP, Change.DOWN, Change.LOST):
            changed.append(row)
    counts = {t: sum(1 for r in rows if r.tier == t) for t in engine.TIERS}
    counts["none"] = sum(1 for r in rows if not r.tier)
    with transaction.atomic():
        held = (
            CertificationRun.objects.unscoped()
            .select_for_update()
            .filter(pk=run.pk, status=Status.RUNNING, claims=run.claims)
        )
        if not held.exists():
            return  # taken over meanwhile: the other worker writes
        AgencyAssessment.objects.unscoped().bulk_create(rows)
        held.update(
            status=Status.SUCCEEDED,
            tier_counts=counts,
            bounds={m: list(b) for m, b in bounds.items()},
            agencies=len(rows),
            params_hash=_fingerprint(run, metrics),
            finished_at=timezone.now(),
            error="",
        )
        for row in changed:
            _announce(
                row.organization_id,
                before=row.previous_tier or None,
                after=row.tier or None,
                run=run,
            )


def _fingerprint(run: CertificationRun, metrics) -> str:
    digest = hashlib.sha256(f"{run.policy.version}:{run.as_of.isoformat()}".encode())
    digest.update(metrics.sort_index().to_numpy(dtype="float64").tobytes())
    return digest.hexdigest()


def _previous_tiers(run: CertificationRun) -> dict[int, str | None]:
    """Each agency's effective tier in the latest succeeded run before this one."""
    before = (
        CertificationRun.objects.unscoped()
        .filter(status=Status.SUCCEEDED)
        .filter(Q(as_of__lt=run.as_of) | Q(as_of=run.as_of, pk__lt=run.pk))
        .order_by("-as_of", "-pk")
        .first()
    )
    if before is None:
        return {}
    rows = AgencyAssessment.objects.unscoped().filter(run=before)
    return {
        agency: override or tier or None
        for agency, tier, override in rows.values_list("organization_id", "tier", "override_tier")
    }


def change_of(before: str | None, after: str | None) -> str:
    if before == after:
        return Change.SAME if after else Change.NONE
    if before is None:
        return Change.NEW
    if after is None:
        return Change.LOST
    return Change.UP if engine.TIERS.index(after) < engine.TIERS.index(before) else Change.DOWN


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def assessment_data(result: engine.Assessment) -> dict:
    """The engine's result as the JSON an assessment row (and the API) holds."""
    next_tier = result.next_tier
    return {
        "tier": result.tier,
        "score": _number(result.score),
        "components": [
            {
                "metric": c.metric,
                "value": _number(c.value),
                "weight": c.weight,
                "contribution": c.contribution,
            }
            for c in result.components
        ],
        "gates": [{"name": name, "passed": passed} for name, passed in result.gates],
        "next_tier": None
        if next_tier is None
        else {
            "tier": next_tier.tier,
            "changes": [_change(c) for c in next_tier.changes],
            "alternatives": [_change(c) for c in next_tier.alternatives],
        },
    }


def _change(change: engine.Change) -> dict:
    return {
        "metric": change.metric,
        "from": _number(change.before),
        "to": change.after,
        "cost": change.cost,
    }


def _assessment_row(run, agency: int, values: dict, result, before) -> AgencyAssessment:
    data = assessment_data(result)
    return AgencyAssessment(
        organization_id=agency,
        run=run,
        tier=data["tier"] or "",
        score=data["score"],
        metrics={m: _number(v) for m, v in values.items()},
        components=data["components"],
        gates=data["gates"],
        next_tier=data["next_tier"],
        previous_tier=before or "",
        change=change_of(before, data["tier"]),
    )


def _announce(agency_id: int, *, before, after, run: CertificationRun) -> None:
    slug = Organization.objects.filter(pk=agency_id).values_list("slug", flat=True).get()
    partners = Organization.objects.filter(kind=Organization.Kind.PARTNER).values_list(
        "pk", flat=True
    )
    webhook_emit(
        event="agency.tier_changed",
        organization_ids=[agency_id, *partners],
        data={
            "agency": slug,
            "previous_tier": before,
            "tier": after,
            "run_id": run.pk,
            "as_of": run.as_of.isoformat(),
        },
    )


def last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def certification_cycle_monthly(*, actor: Actor) -> int | None:
    """Beat job (daily; one cycle a month): the run of last month's end under the active
    policy, executed if it is new. The run's id, or None without an active policy."""
    if active_policy() is None:
        return None
    run, created = certification_run_create(actor=actor, as_of=last_month_end(contract_today()))
    # A run left pending, or running past its lease (its worker died), is executed again.
    if created or run.status in (Status.PENDING, Status.RUNNING):
        run = certification_run_execute(actor=actor, run_id=run.pk)
    return run.pk


# --- appeals -------------------------------------------------------------------------------


def appeal_file(*, actor: Actor, assessment: AgencyAssessment, text: str) -> Appeal:
    """The agency contests its own assessment (the caller found it through the agency's
    scope); one open appeal per assessment."""
    _require_agency_writer(actor)
    if assessment.organization_id != actor.organization_id:
        raise PermissionDenied(_("An agency appeals only its own assessments."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say why the assessment is wrong.")})
    if len(text) > APPEAL_MAX:
        raise ValidationError(
            {"text": _("Keep the appeal under %(max)s characters.") % {"max": APPEAL_MAX}}
        )
    with transaction.atomic():
        if Appeal.objects.unscoped().filter(assessment=assessment, status="open").exists():
            raise ValidationError({"text": _("This assessment already has an open appeal.")})
        appeal = Appeal.objects.unscoped().create(
            organization_id=assessment.organization_id,
            assessment=assessment,
            text=text,
            filed_by_id=actor.user_id,
        )
        audit_event_record(
            actor=actor,
            action="mcn.appeal_filed",
            target=appeal,
            data={"assessment": assessment.pk, "tier": assessment.effective_tier},
        )
    return appeal


def appeal_decide(
    *, actor: Actor, appeal: Appeal, accept: bool, reason: str, new_tier: str | None = None
) -> Appeal:
    """The operator accepts (``new_tier`` and a reason: the assessment's tier is overridden) or
    rejects (a reason) an open appeal. Audited in the operator's and the agency's logs."""
    _require_operator(actor)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("A decision needs a reason.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("Keep the reason under %(max)s characters.") % {"max": REASON_MAX}
    if accept and new_tier not in engine.TIERS:
        errors["new_tier"] = _("Choose the tier the agency gets: S, A or B.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        appeal = Appeal.objects.unscoped().select_for_update().get(pk=appeal.pk)
        if appeal.status != Appeal.Status.OPEN:
            raise ValidationError({"reason": _("This appeal has already been decided.")})
        assessment = (
            AgencyAssessment.objects.unscoped().select_related("run").get(pk=appeal.assessment_id)
        )
        before = assessment.effective_tier
        appeal.status = Appeal.Status.ACCEPTED if accept else Appeal.Status.REJECTED
        appeal.decision_reason, appeal.decided_by_id = reason, actor.user_id
        appeal.decided_at = timezone.now()
        appeal.new_tier = new_tier if accept else ""
        appeal.save()
        if accept:
            assessment.override_tier, assessment.override_reason = new_tier, reason
            assessment.save(update_fields=["override_tier", "override_reason"])
        for organization in (actor.organization_id, appeal.organization_id):
            audit_event_record(
                actor=actor,
                action=f"mcn.appeal_{appeal.status}",
                target=appeal,
                organization_id=organization,
                data={
                    "assessment": assessment.pk,
                    "before": before,
                    "after": new_tier,
                    "reason": reason,
                },
            )
        if accept and new_tier != before:
            _announce(appeal.organization_id, before=before, after=new_tier, run=assessment.run)
    return appeal
