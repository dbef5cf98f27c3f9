"""The matcher's tie-breaker: among equal scores, the creator whose agency's public tier has the
higher brand priority comes first; otherwise the scores and the existing order decide."""

import datetime

import numpy as np
import pytest

from matching.priority import rank_creators, tie_broken_order
from mcn.models import AgencyAssessment, CertificationRun, TierBenefit
from tests.factories import CreatorFactory, OrganizationFactory
from tests.traffic.test_packages import policy_in_force


def test_equal_scores_go_to_the_higher_priority_then_keep_their_order():
    assert tie_broken_order([0.5, 0.5, 0.5], [0, 3, 0]).tolist() == [1, 0, 2]
    assert tie_broken_order([0.9, 0.5], [0, 3]).tolist() == [0, 1]  # a score beats a priority
    assert tie_broken_order([0.831, 0.829], [0, 2], decimals=2).tolist() == [1, 0]
    assert tie_broken_order([0.831, 0.829], [0, 2]).tolist() == [0, 1]
    with pytest.raises(ValueError):
        tie_broken_order([1.0], [1, 2])


def test_without_priorities_the_order_is_the_scores_then_the_input():
    scores = np.array([0.2, 0.7, 0.2, 0.7])
    assert tie_broken_order(scores, np.zeros(4)).tolist() == [1, 3, 0, 2]


@pytest.mark.django_db
def test_a_creator_of_an_s_tier_agency_wins_a_tie():
    agency = OrganizationFactory(kind="agency")
    plain, signed = CreatorFactory(), CreatorFactory(agency=agency)
    # No cycle yet: no public tier, the existing order stays.
    assert rank_creators([plain.pk, signed.pk], [0.8, 0.8]) == [plain.pk, signed.pk]
    as_of = datetime.date(2026, 6, 30)
    run = CertificationRun.objects.unscoped().create(
        policy=policy_in_force(),
        as_of=as_of,
        window_start=as_of - datetime.timedelta(days=89),
        status="succeeded",
    )
    AgencyAssessment.objects.unscoped().create(run=run, organization=agency, tier="S", score=90)
    for tier, priority in (("S", 3), ("B", 1)):
        TierBenefit.objects.unscoped().update_or_create(
            tier=tier, defaults={"brand_priority": priority}
        )
    assert rank_creators([plain.pk, signed.pk], [0.8, 0.8]) == [signed.pk, plain.pk]
    assert rank_creators([plain.pk, signed.pk], [0.81, 0.8]) == [plain.pk, signed.pk]
    # An overridden tier counts (the effective one): B still outranks no tier.
    AgencyAssessment.objects.unscoped().filter(run=run).update(
        override_tier="B", override_reason="appeal"
    )
    assert rank_creators([plain.pk, signed.pk], [0.8, 0.8]) == [signed.pk, plain.pk]
    TierBenefit.objects.unscoped().filter(tier="B").update(brand_priority=0)
    assert rank_creators([plain.pk, signed.pk], [0.8, 0.8]) == [plain.pk, signed.pk]
