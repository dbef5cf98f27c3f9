import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from creators.models import AudienceProfile, MetricSnapshot
from tenancy.scoping import Actor, acting_as
from tests.factories import AUDIENCE, CreatorFactory, MetricSnapshotFactory

pytestmark = pytest.mark.django_db


def _audience(**overrides):
    return {**{axis: dict(shares) for axis, shares in AUDIENCE.items()}, **overrides}


def test_a_valid_audience_is_stored():
    creator = CreatorFactory()
    AudienceProfile.objects.unscoped().create(creator=creator, **_audience())
    assert creator.audience.interests["young_mothers"] == 0.5


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"gender": {"female": 0.6, "male": 0.3}}, "gender", "sum to 1"),
        ({"age": {"18_24": 1.2, "25_30": -0.2}}, "age", ">= 0"),
        ({"interests": {"young_mothers": 0.5, "knitting": 0.5}}, "interests", "unknown key"),
        ({"city_tier": ["t1"]}, "city_tier", "expected an object"),
    ],
)
def test_a_broken_audience_is_refused_and_nothing_is_stored(overrides, field, words):
    creator = CreatorFactory()
    with pytest.raises(ValidationError) as error:
        AudienceProfile.objects.unscoped().create(creator=creator, **_audience(**overrides))
    assert list(error.value.message_dict) == [field]
    assert words in error.value.message_dict[field][0]
    assert not AudienceProfile.objects.unscoped().exists()


def test_shares_within_a_millionth_of_one_are_accepted():
    creator = CreatorFactory()
    AudienceProfile.objects.unscoped().create(
        creator=creator, **_audience(gender={"female": 0.6000004, "male": 0.4})
    )


def test_a_duplicate_snapshot_is_refused_by_validation_and_by_the_database():
    snapshot = MetricSnapshotFactory(date=datetime.date(2026, 1, 5))
    twin = MetricSnapshot(creator=snapshot.creator, date=snapshot.date, followers=1)
    # Validation reads through the scoped manager, as the operator (who sees every row) here.
    operator = Actor(user_id=None, organization_id=1, organization_kind="operator", role="owner")
    with pytest.raises(ValidationError, match="has figures for this day"), acting_as(operator):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert MetricSnapshot.objects.unscoped().count() == 1


def test_unknown_vertical_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        CreatorFactory(vertical="knitting")
