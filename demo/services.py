"""Writes of the demo world. Every step is idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from creators.models import Creator
from tenancy.models import Membership, Organization

DEMO_PASSWORD = "demo-pass-2026"

ORGANIZATIONS = [
    # slug, name, kind, region
    ("olive-ops", "Olive 平台运营", "operator", "CN"),
    ("huamei-beauty", "花美美妆 Huamei Beauty", "brand", "CN-ZJ"),
    ("tianyuan-foods", "田园食品 Tianyuan Foods", "brand", "CN-SD"),
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
        "brand", (("huamei-beauty", "owner"), ("tianyuan-foods", "viewer")), "brand dashboard"
    ),
    DemoLogin("brand2", (("tianyuan-foods", "owner"),), "brand dashboard"),
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
    creator_user = get_user_model().objects.get(username="creator")
    Creator.objects.get_or_create(
        handle="xiaolin-farm",
        defaults={
            "display_name": "小林的田园",
            "user": creator_user,
            "vertical": "agriculture",
            "region": "CN-SD",
            "city_tier": "t4",
            "followers": 186_000,
            "joined": datetime.date(2022, 5, 1),
        },
    )
    return organizations
