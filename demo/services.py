"""Writes of the demo world. Every step is idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction

from brands.models import Product
from compliance.scoring import product_claims_score
from creators.models import Creator
from demo import loader
from demo.world import World, generate_world
from tenancy.models import Membership, Organization

DEMO_PASSWORD = "demo-pass-2026"

ORGANIZATIONS = [
    # slug, name, kind, region
    ("olive-ops", "Olive 平台运营", "operator", "CN"),
    ("huayang-beauty", "花漾美妆 Huayang Beauty", "brand", "CN-ZJ"),
    ("yunshang-apparel", "云裳服饰 Yunshang Apparel", "brand", "CN-GD"),
    ("xinghuo-mcn", "星火传媒 Xinghuo MCN", "agency", "CN-BJ"),
    ("beiji-mcn", "北极星 MCN Beiji", "agency", "CN-GD"),
    ("datalink", "数联 Datalink Partners", "partner", "CN-SH"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    memberships: tuple[tuple[str, str], ...]  # (organization slug, role)
    lands_on: str
    staff: bool = False


DEMO_LOGINS = [
    DemoLogin("operator", (("olive-ops", "owner"),), "operator home", staff=True),
    DemoLogin("reviewer", (("olive-ops", "reviewer"),), "operator home"),
    # `brand` also reads a second brand of its group, to show the tenant switcher.
    DemoLogin(
        "brand", (("huayang-beauty", "owner"), ("yunshang-apparel", "viewer")), "brand dashboard"
    ),
    DemoLogin("brand2", (("yunshang-apparel", "owner"),), "brand dashboard"),
    DemoLogin("agency", (("xinghuo-mcn", "owner"),), "agency tier page"),
    DemoLogin("agency2", (("beiji-mcn", "owner"),), "agency tier page"),
    DemoLogin("creator", (), "creator portal"),
    DemoLogin("partner", (("datalink", "owner"),), "API keys"),
]


def _user(username: str, *, staff: bool):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": staff, "is_superuser": staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def demo_tenants_seed() -> dict[str, Organization]:
    organizations = {}
    for slug, name, kind, region in ORGANIZATIONS:
        organizations[slug], _ = Organization.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "region": region}
        )
    for login in DEMO_LOGINS:
        user = _user(login.username, staff=login.staff)
        for slug, role in login.memberships:
            Membership.objects.unscoped().get_or_create(
                user=user, organization=organizations[slug], defaults={"role": role}
            )
    return organizations


DEMO_BRAND_SLUGS = ["huayang-beauty", "yunshang-apparel"]
DEMO_AGENCY_SLUGS = ["xinghuo-mcn", "beiji-mcn"]
FIRST_HANDLE = "c000001"


def demo_world_present() -> bool:
    return Creator.objects.unscoped().filter(handle=FIRST_HANDLE).exists()


@transaction.atomic
def demo_world_seed(
    *,
    creators: int,
    seed: int,
    weeks: int,
    end_date: datetime.date,
    progress: Callable[[str], None] = lambda message: None,
) -> dict | None:
    """Generate and load the demo world in one transaction; None if it is already there."""
    if demo_world_present():
        return None
    world = generate_world(creators=creators, seed=seed, weeks=weeks, end_date=end_date)
    progress(f"generated {len(world.creators)} creators, {len(world.snapshots)} snapshots")
    keys = {
        "agency": loader.organizations(
            world, kind="agency", frame=world.agencies, demo_slugs=DEMO_AGENCY_SLUGS, prefix="mcn"
        ),
        "brand": loader.organizations(
            world, kind="brand", frame=world.brands, demo_slugs=DEMO_BRAND_SLUGS, prefix="brand"
        ),
    }
    loader.profiles(keys["brand"], world.brands, keys["agency"])
    keys["creator"] = loader.creators(world, keys["agency"])
    for step in (loader.audiences, loader.snapshots):
        step(world, keys["creator"])
        progress(f"loaded {step.__name__}")
    loader.contracts(world, keys["creator"], keys["agency"])
    loader.academy(world, keys["creator"])
    keys["product"] = loader.products(world, keys["brand"])
    keys["campaign"] = loader.campaigns(world, keys["brand"])
    keys["collaboration"] = loader.collaborations(world, keys)
    loader.content_submissions(world, keys)
    keys["order"] = loader.orders(world, keys)
    loader.order_followups(world, keys)
    _link_demo_creator(world, keys)
    demo_slugs = [slug for slug, *_ in ORGANIZATIONS]
    demo_ids = list(Organization.objects.filter(slug__in=demo_slugs).values_list("pk", flat=True))
    loader.backdate_tenants(
        world,
        np.concatenate([keys["agency"], keys["brand"], demo_ids]),
        [login.username for login in DEMO_LOGINS],
    )
    return {name: len(getattr(world, name)) for name in World.__dataclass_fields__}


def _link_demo_creator(world: World, keys: dict) -> None:
    """Give the `creator` login a mid-tier creator of the demo agency with an open offer."""
    creators = world.creators
    offers = world.collaborations
    open_offer = offers[
        (offers["status"] == "offered") & (offers["response_deadline"] > pd.Timestamp.now())
    ]["creator_index"]
    candidates = creators[creators["agency_index"] == 0].assign(
        has_offer=lambda f: f["creator_index"].isin(open_offer),
        mid=lambda f: f["followers"].between(100_000, 1_000_000),
    )
    best = candidates.sort_values(["has_offer", "mid", "followers"], ascending=False)
    chosen = best["creator_index"].iloc[0] if len(best) else 0
    user = get_user_model().objects.get(username="creator")
    Creator.objects.unscoped().filter(pk=int(keys["creator"][chosen])).update(user=user)


DEMO_APPEAL = (
    "我们的两位头部创作者在窗口期内因平台故障停播两周，导致 GMV 与活跃创作者数偏低，"
    "申请按恢复后的数据复核评级。 (Two of our top creators could not go live for two weeks "
    "during the window because of a platform outage; please review the tier on the figures "
    "since.)"
)


def month_ends(end_date: datetime.date, count: int) -> list[datetime.date]:
    """The last ``count`` month-ends on or before ``end_date``, oldest first."""
    day = end_date + datetime.timedelta(days=1)
    ends = []
    for _ in range(count):
        day = day.replace(day=1) - datetime.timedelta(days=1)
        ends.append(day)
    return ends[::-1]


def demo_compliance_seed() -> int:
    """Score every product's claims, as saving each one would have (the loader bulk-loads, which
    sends no signal): the operator's queue starts with the catalogue's risky claims. Idempotent:
    an open case is never opened twice."""
    ids = Product.objects.unscoped().exclude(claims=[]).values_list("pk", flat=True)
    return product_claims_score(product_ids=list(ids))


def demo_certification_seed(*, end_date: datetime.date) -> list:
    """Certification history for the operator's pages: the cycles of the last three month-ends
    (as the monthly beat job would have run them, through ``mcn.certification``) and one open
    appeal from the demo agency on its latest assessment. Idempotent: a cycle that exists is
    reused and the appeal is filed once."""
    from mcn import certification
    from mcn.certification import appeal_file, certification_run_create, certification_run_execute
    from mcn.default_policy import DEFAULT_BENEFITS, DEFAULT_POLICY
    from mcn.models import AgencyAssessment, Appeal
    from tenancy.scoping import SYSTEM, Actor, acting_as

    runs = []
    with acting_as(SYSTEM):
        if certification.active_policy() is None:  # a flushed database lost migration 0006's
            certification.tier_policy_publish(actor=SYSTEM, note="demo", **DEFAULT_POLICY)
            for tier, (impressions, priority) in DEFAULT_BENEFITS.items():
                certification.tier_benefit_set(
                    actor=SYSTEM,
                    tier=tier,
                    monthly_impressions=impressions,
                    brand_priority=priority,
                )
        for as_of in month_ends(end_date, 3):
            run, _created = certification_run_create(actor=SYSTEM, as_of=as_of)
            runs.append(certification_run_execute(actor=SYSTEM, run_id=run.pk))
    agency = Organization.objects.get(slug=DEMO_AGENCY_SLUGS[0])
    latest = AgencyAssessment.objects.unscoped().filter(run=runs[-1], organization=agency).first()
    if latest is not None and not Appeal.objects.unscoped().filter(organization=agency).exists():
        owner = Membership.objects.unscoped().filter(organization=agency, role="owner").first()
        actor = Actor(
            user_id=owner.user_id if owner else None,
            organization_id=agency.pk,
            organization_kind="agency",
            role="owner",
        )
        with acting_as(actor):
            appeal_file(actor=actor, assessment=latest, text=DEMO_APPEAL)
    return runs


def demo_match_index_seed():
    """The selection centre's index over the demo world (``build_match_index`` does the same)."""
    from matching.services import match_index_build
    from tenancy.scoping import SYSTEM, acting_as

    with acting_as(SYSTEM):
        return match_index_build(actor=SYSTEM)


#: The demo's incentive plan (光合计划): milestones as data, ¥ amounts.
DEMO_PLAN = "光合计划 · 新创作者成长激励"
DEMO_MILESTONES = [
    {"kind": "followers", "threshold": 1_000, "amount": "100", "title": "首个 1,000 粉丝"},
    {"kind": "followers", "threshold": 10_000, "amount": "500", "title": "首个 10,000 粉丝"},
    {"kind": "followers", "threshold": 100_000, "amount": "2000", "title": "首个 100,000 粉丝"},
    {"kind": "followers", "threshold": 1_000_000, "amount": "5000", "title": "首个 1,000,000 粉丝"},
    {"kind": "first_sale", "amount": "200", "title": "首单成交"},
    {"kind": "original_streak", "threshold": 10, "amount": "80", "title": "连续 10 条原创内容"},
    *[
        {"kind": "track_completed", "track": track, "amount": "50", "title": f"学院毕业 · {track}"}
        for track in ("content_planning", "live_selling", "compliance", "monetisation")
    ],
]
DEMO_PLAN_BUDGET = "300000"
DEMO_PLAN_WEEKS = 13


def demo_incentives_seed(*, end_date: datetime.date):
    """The demo's incentive plan, running for the last quarter of the world (from the day after
    the world's first snapshot at the earliest: what a creator had before the plan does not
    count), and its evaluation for ``end_date``, so the pages have awards. Idempotent: the plan
    is found by name, each milestone made once, and the day is evaluated once."""
    from creators.incentive_runs import incentive_run_execute
    from creators.models import IncentivePlan, MetricSnapshot, Milestone
    from creators.services_incentives import incentive_plan_create, milestone_create
    from tenancy.scoping import SYSTEM, acting_as

    first = MetricSnapshot.objects.unscoped().order_by("date").values_list("date", flat=True)
    quarter = end_date - datetime.timedelta(weeks=DEMO_PLAN_WEEKS)
    starts_on = max(quarter, (first.first() or quarter) + datetime.timedelta(days=1))
    with acting_as(SYSTEM):
        plan = IncentivePlan.objects.unscoped().filter(name=DEMO_PLAN).first()
        if plan is None:
            plan = incentive_plan_create(
                actor=SYSTEM,
                name=DEMO_PLAN,
                budget=DEMO_PLAN_BUDGET,
                starts_on=min(starts_on, end_date),
                description="新创作者的现金激励：粉丝、首单、原创、学院里程碑，每项只奖励一次。",
            )
        rows = Milestone.objects.unscoped().filter(plan=plan)  # the system's manager shows none
        have = set(rows.values_list("kind", "threshold", "track"))
        for fields in DEMO_MILESTONES:
            rule = (fields["kind"], fields.get("threshold"), fields.get("track", ""))
            if rule not in have:
                milestone_create(actor=SYSTEM, plan=plan, **fields)
        return incentive_run_execute(actor=SYSTEM, as_of=end_date)
