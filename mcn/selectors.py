"""Reads of the mcn app: the agency directory (public), each agency's own contracts and offers,
and a creator's own contract offers (the one cross-tenant read of contracts: a creator sees
the contracts and offers made to it, by any agency, and nobody else's)."""

import math

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from creators.models import Creator
from creators.selectors import creators_directory
from tenancy import roles
from tenancy.models import Organization
from tenancy.scoping import Actor

from . import engine
from .certification import active_policy, assessment_data
from .default_policy import DEFAULT_POLICY
from .metrics import agency_gmv_by_quarter, window_metrics
from .models import (
    AgencyAssessment,
    Appeal,
    CertificationRun,
    Contract,
    TierBenefit,
    TierPolicy,
)
from .services import contract_today


def contracts_of_agency(*, actor: Actor, status: str | None = Contract.Status.ACTIVE) -> QuerySet:
    contracts = Contract.objects.for_actor(actor).select_related("creator")
    return contracts.filter(status=status) if status else contracts


def contract_of_agency(*, actor: Actor, contract_id: int) -> Contract:
    """One of the acting agency's contracts; another agency's raises ``Contract.DoesNotExist``."""
    return contracts_of_agency(actor=actor, status=None).get(pk=contract_id)


def contracts_of_creator(*, actor: Actor) -> QuerySet[Contract]:
    """The acting creator's own contracts and offers, with the agency's name; nobody else's."""
    if not actor.is_creator:
        return Contract.objects.none()
    rows = Contract.objects.unscoped().filter(creator_id=actor.creator_id)
    is_open = Case(When(status=Contract.Status.OFFERED, then=0), default=1)
    return rows.select_related("organization", "creator").order_by(is_open, "-created_at", "-id")


def contract_of_creator(*, actor: Actor, contract_id: int) -> Contract:
    """One of the acting creator's contracts; anyone else's raises ``Contract.DoesNotExist``."""
    return contracts_of_creator(actor=actor).get(pk=contract_id)


def contracts_visible(*, actor: Actor) -> QuerySet[Contract]:
    """What the API lists: a creator's own contracts, or an agency's own (empty for others)."""
    if actor.is_creator:
        return contracts_of_creator(actor=actor)
    return contracts_of_agency(actor=actor, status=None)


def creator_id_for_handle(*, actor: Actor, handle: str) -> int | None:
    """The creator an agency names by handle (public directory data), or None if there is none."""
    found = creators_directory(actor=actor).filter(handle=handle)
    return found.values_list("pk", flat=True).first()


def agencies_directory(*, actor: Actor) -> QuerySet[Organization]:
    """MCN agencies and how many creators each has signed: public to every signed-in tenant."""
    if actor.organization_id is None and not actor.is_creator:
        return Organization.objects.none()
    agencies = Organization.objects.filter(kind=Organization.Kind.AGENCY)
    return with_public_tier(agencies.annotate(signed_count=Count("signed_creators"))).order_by(
        "-signed_count", "slug"
    )


# --- certification (星火计划) ----------------------------------------------------------------

#: Metrics that are shares of something: a what-if value must lie in [0, 1].
RATES = frozenset(
    {"engagement_rate", "retention", "originality_rate", "violation_rate", "complaint_rate"}
)


def certification_run_as_of(as_of=None) -> CertificationRun | None:
    """The latest succeeded cycle (whose window ended on or before ``as_of``, when given): its
    tiers are the public ones, and the ones an allocation run of ``as_of`` grants packages by.
    Public by nature (every agency's tier is), so it reads across tenants on purpose."""
    runs = CertificationRun.objects.unscoped().filter(status=CertificationRun.Status.SUCCEEDED)
    if as_of is not None:
        runs = runs.filter(as_of__lte=as_of)
    return runs.order_by("-as_of", "-finished_at", "-pk").first()


def latest_certification_run() -> CertificationRun | None:
    return certification_run_as_of()


def _effective_tier_of(assessments: QuerySet) -> Subquery:
    tier = Coalesce(NullIf("override_tier", Value("")), NullIf("tier", Value("")))
    return Subquery(
        assessments.filter(organization_id=OuterRef("pk")).annotate(t=tier).values("t")[:1]
    )


def with_public_tier(agencies: QuerySet[Organization]) -> QuerySet[Organization]:
    """``agencies`` annotated with ``tier``: the effective tier of the latest cycle."""
    run = latest_certification_run()
    if run is None:
        return agencies.annotate(tier=Value(None, output_field=CharField()))
    return agencies.annotate(
        tier=_effective_tier_of(AgencyAssessment.objects.unscoped().filter(run=run))
    )


def may_read_assessments(*, actor: Actor, agency: Organization) -> bool:
    """Whether ``actor`` may read ``agency``'s assessments: the agency itself, the operator and
    partners (``AgencyAssessment``'s queryset rule); anyone else is answered 404."""
    if actor.is_operator or actor.kind == roles.PARTNER:
        return True
    return actor.organization_id is not None and actor.organization_id == agency.pk


def assessments_of(*, actor: Actor, agency: Organization) -> QuerySet[AgencyAssessment]:
    """An agency's assessments, latest first, as ``actor`` may see them (its own agency, the
    operator, partners); empty for anyone else, so the API answers 404. Each row carries its
    cycle's ``as_of`` (the API pages by it)."""
    return _of_succeeded_runs(AgencyAssessment.objects.for_actor(actor).filter(organization=agency))


def _of_succeeded_runs(rows: QuerySet[AgencyAssessment]) -> QuerySet[AgencyAssessment]:
    """``rows`` of succeeded cycles only, latest cycle first, each with its cycle's ``as_of``."""
    return (
        rows.filter(run__status=CertificationRun.Status.SUCCEEDED)
        .select_related("run", "run__policy")
        .annotate(as_of=F("run__as_of"))
        .order_by("-as_of", "-run_id", "-pk")
    )


def latest_assessment_of(*, actor: Actor, agency: Organization) -> AgencyAssessment | None:
    """``agency``'s assessment in its latest succeeded cycle, as ``actor`` may see it."""
    return assessments_of(actor=actor, agency=agency).first()


def own_assessments(*, actor: Actor) -> QuerySet[AgencyAssessment]:
    """The acting agency's own assessments, latest first (the tier page's history)."""
    if actor.organization_id is None:
        return AgencyAssessment.objects.none()
    return _of_succeeded_runs(
        AgencyAssessment.objects.for_actor(actor).filter(organization_id=actor.organization_id)
    )


def _what_if_value(metric: str, raw) -> float:
    if metric not in engine.METRICS:
        raise ValidationError({metric: _("Unknown metric.")})
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError({metric: _("Enter a number.")}) from None
    low = -1.0 if metric == "gmv_growth" else 0.0
    high = 1.0 if metric in RATES else 1e15
    if not (math.isfinite(value) and low <= value <= high):
        raise ValidationError(
            {metric: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return value


def assessment_what_if(*, assessment: AgencyAssessment, metrics: dict) -> dict:
    """The tier, score, gates (and the way up) ``assessment`` would have with ``metrics``
    replaced, scored against the same cycle's cohort and policy. Writes nothing."""
    if not isinstance(metrics, dict):
        raise ValidationError({"metrics": _("Give the metrics as an object of metric: value.")})
    errors, values = {}, dict(assessment.metrics)
    for metric, raw in metrics.items():
        try:
            values[metric] = _what_if_value(str(metric), raw)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    values = {m: math.nan if v is None else v for m, v in values.items()}
    bounds = {m: tuple(b) for m, b in assessment.run.bounds.items()}
    result = engine.assess(values, assessment.run.policy.rubric(), bounds)
    return assessment_data(result)


# --- tier benefits read by later apps (traffic packages, the matcher's brand priority) -------
# Public by nature (every agency's tier and what each tier is worth are), so these read across
# tenants on purpose and take no actor.


def tiers_of_cycle(run: CertificationRun | None) -> dict[int, str]:
    """``{agency_id: effective tier}`` of one cycle (agencies without a tier left out)."""
    if run is None:
        return {}
    rows = AgencyAssessment.objects.unscoped().filter(run=run)
    tiers = rows.values_list("organization_id", "override_tier", "tier")
    return {agency: override or tier for agency, override, tier in tiers if override or tier}


def package_tiers_as_of(as_of) -> dict[int, str]:
    """``{agency_id: effective tier}`` of the cycle :func:`certification_run_as_of` names
    (agencies without a tier left out; empty when no cycle had run by then)."""
    return tiers_of_cycle(certification_run_as_of(as_of))


def benefits_by_tier() -> dict[str, TierBenefit]:
    """``{tier: TierBenefit}`` of every tier that has one."""
    return {b.tier: b for b in TierBenefit.objects.unscoped().all()}


def brand_priority_of_creators(creator_ids) -> dict[int, int]:
    """``{creator_id: brand priority}`` of the creators whose agency holds a public tier (the
    latest cycle's effective tier) with a ``TierBenefit``; the others are left out (priority 0).
    The matcher's tie-breaker reads it."""
    tiers = tiers_of_cycle(latest_certification_run())
    priority = {tier: b.brand_priority for tier, b in benefits_by_tier().items()}
    rows = Creator.objects.unscoped().filter(pk__in=list(creator_ids), agency_id__in=list(tiers))
    return {
        creator: priority.get(tiers[agency], 0)
        for creator, agency in rows.values_list("pk", "agency_id")
        if priority.get(tiers[agency], 0)
    }


def latest_own_assessment(*, actor: Actor) -> AgencyAssessment | None:
    """The acting agency's assessment in its latest succeeded cycle (the tier page's), or None
    when it has not been certified yet."""
    return own_assessments(actor=actor).first()


def tier_benefit_of(*, actor: Actor, tier: str | None) -> TierBenefit | None:
    """What ``tier`` is worth (monthly traffic package, brand priority); None without a tier or
    without a benefit row for it. Benefits are public by nature."""
    if not tier:
        return None
    return TierBenefit.objects.for_actor(actor).filter(tier=tier).first()


def appeals_of_agency(*, actor: Actor) -> QuerySet[Appeal]:
    """The acting agency's appeals, latest first, with the assessment and cycle each contests."""
    return Appeal.objects.for_actor(actor).select_related("assessment__run")


def roster_contributions(*, actor: Actor) -> tuple[int, dict[int, dict]]:
    """Each of the acting agency's creators' share of its GMV and views over the active
    policy's window ending today: ``(window_days, {creator id: {gmv_share, views_share}})``.
    Only the acting agency is read; anyone without an agency gets nothing."""
    policy = active_policy()
    days = policy.window_days if policy else DEFAULT_POLICY["window_days"]
    if actor.organization_id is None or actor.kind != roles.AGENCY:
        return days, {}
    agency = actor.organization_id
    frame = window_metrics(as_of=contract_today(), window_days=days, agency_ids=[agency]).creators
    shares = {}
    for (row_agency, creator), row in frame.iterrows():
        if row_agency != agency:
            continue
        shares[int(creator)] = {
            "gmv_share": None if math.isnan(row["gmv_share"]) else float(row["gmv_share"]),
            "views_share": None if math.isnan(row["views_share"]) else float(row["views_share"]),
        }
    return days, shares


# --- package use, told by the traffic app ------------------------------------------------------

#: The traffic app (right of mcn) registers here, from its AppConfig.ready, the reader of an
#: agency's package use: ``fn(*, agency_id) -> dict | None`` with ``run_id``, ``as_of``,
#: ``impressions`` and ``creators`` of the latest published allocation run that granted the
#: agency a package (None when none did).
PACKAGE_USE_READERS: list = []


def package_use_of(*, actor: Actor) -> dict | None:
    """How much of its tier's traffic package the acting agency's creators received."""
    if actor.organization_id is None or actor.kind != roles.AGENCY:
        return None
    for reader in PACKAGE_USE_READERS:
        use = reader(agency_id=actor.organization_id)
        if use:
            return use
    return None


# --- the operator's certification pages ------------------------------------------------------


def certification_runs_list(*, actor: Actor) -> QuerySet[CertificationRun]:
    """Every cycle, latest first, with its policy version (the operator's runs page)."""
    return CertificationRun.objects.for_actor(actor).select_related("policy", "created_by")


def certification_run_get(*, actor: Actor, run_id: int) -> CertificationRun:
    return certification_runs_list(actor=actor).get(pk=run_id)


def run_assessments(*, actor: Actor, run: CertificationRun) -> QuerySet[AgencyAssessment]:
    """The run's assessments as ``actor`` may see them, best score first (no score last)."""
    rows = AgencyAssessment.objects.for_actor(actor).filter(run_id=run.pk)
    return rows.select_related("organization").order_by(
        F("score").desc(nulls_last=True), "organization__name", "pk"
    )


def tier_distribution(*, actor: Actor, limit: int = 24) -> list[CertificationRun]:
    """The latest ``limit`` succeeded runs, oldest first: the tier counts over time."""
    runs = certification_runs_list(actor=actor).filter(status=CertificationRun.Status.SUCCEEDED)
    return list(runs.order_by("-as_of", "-pk")[:limit])[::-1]


def appeals_queue(*, actor: Actor) -> QuerySet[Appeal]:
    """Every appeal ``actor`` may see: the open ones first (oldest first, as they wait), then
    the decided ones (latest decision first)."""
    is_open = Case(When(status=Appeal.Status.OPEN, then=Value(0)), default=Value(1))
    return (
        Appeal.objects.for_actor(actor)
        .select_related("organization", "assessment", "assessment__run", "decided_by")
        .annotate(is_open=is_open)
        .order_by("is_open", F("decided_at").desc(nulls_last=True), "filed_at", "pk")
    )


def appeal_get(*, actor: Actor, appeal_id: int) -> Appeal:
    return appeals_queue(actor=actor).get(pk=appeal_id)


def open_appeals_count(*, actor: Actor) -> int:
    return Appeal.objects.for_actor(actor).filter(status=Appeal.Status.OPEN).count()


def tier_policies(*, actor: Actor) -> QuerySet[TierPolicy]:
    """Every version of the rubric, latest first (the active one among them)."""
    return TierPolicy.objects.for_actor(actor).select_related("created_by")


def tier_benefits(*, actor: Actor) -> dict[str, TierBenefit | None]:
    """Tier → its benefits row (None where none is set yet), S first."""
    rows = {b.tier: b for b in TierBenefit.objects.for_actor(actor)}
    return {tier: rows.get(tier) for tier in engine.TIERS}


def market_concentration(*, actor: Actor) -> list:
    """CR5, CR10 and HHI by quarter (``mcn.metrics.agency_gmv_by_quarter``): every creator's
    figures, so the operator's alone (anyone else gets nothing). Up to today: a snapshot dated
    in the future (a partner's typo) is no market history."""
    if not actor.is_operator:
        return []
    return agency_gmv_by_quarter(until=contract_today())
