"""Actors and a small world for the compliance tests."""

import datetime

import pytest
from django.utils import timezone

from tenancy.scoping import Actor
from tests.factories import (
    CollaborationFactory,
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)

BLATANT = "家人们全网最低价，加微信私聊下单，高仿大牌包包，和专柜一模一样"
CLEAN = "这款面霜质地清爽，适合混油皮，今天直播间下单满199减20"


def operator_actor(role="reviewer", organization=None, user=None) -> Actor:
    organization = organization or OrganizationFactory(kind="operator")
    user = user or MembershipFactory(organization=organization, role=role).user
    return Actor(
        user_id=user.pk, organization_id=organization.pk, organization_kind="operator", role=role
    )


def creator_actor(creator) -> Actor:
    return Actor(user_id=None, creator_id=creator.pk, role="creator")


@pytest.fixture
def reviewer():
    return operator_actor()


@pytest.fixture
def creator_with_merit():
    """A creator with four weeks of snapshots up to today, so its merit is positive."""
    creator = CreatorFactory(followers=50_000)
    today = timezone.localdate()
    for week in range(4):
        MetricSnapshotFactory(
            creator=creator,
            date=today - datetime.timedelta(days=7 * (3 - week)),
            views=20_000,
            likes=1_000,
            comments=100,
            shares=50,
        )
    return creator


@pytest.fixture
def accepted(creator_with_merit):
    return CollaborationFactory(creator=creator_with_merit, status="accepted")
