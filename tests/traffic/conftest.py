"""Fixtures of the traffic page tests: an operator's client and a small creator world."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    CreatorFactory,
    MembershipFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)


def client_of(kind: str, role: str = "owner") -> Client:
    user = MembershipFactory(organization=OrganizationFactory(kind=kind), role=role).user
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator():
    return client_of("operator")


@pytest.fixture
def world():
    """12 creators across the four follower bands, weekly snapshots up to today, one suspended."""
    today = timezone.localdate()
    sizes = [2_000_000, 1_500_000, 300_000, 200_000, 50_000, 40_000, 20_000, 9_000, 5_000, 2_000]
    sizes += [800, 15_000]
    creators = []
    for i, followers in enumerate(sizes):
        status = "suspended" if i == 11 else "active"
        creator = CreatorFactory(followers=followers, status=status)
        views = 1_000 + followers // 10
        for week in range(4):
            MetricSnapshotFactory(
                creator=creator,
                date=today - datetime.timedelta(days=7 * (3 - week)),
                followers=followers + 100 * week * (i % 3),
                views=views,
                likes=views // 20,
                comments=views // 100,
                shares=views // 200,
            )
        creators.append(creator)
    return creators
