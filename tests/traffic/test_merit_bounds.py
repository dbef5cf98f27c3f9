"""Merit survives hostile figures (issue 10, finding 1).

Snapshots already stored with values near int64's end (pushed before ingestion had bounds) must
not wrap into a negative merit that fails every run; a hook's NaN must not either; and a push of
huge but in-bounds figures for one creator moves the others' impressions only by that creator's
bounded gain (the growth cap of ``traffic.services``).
"""

import datetime

import numpy as np
import pytest
from django.utils import timezone

from creators.ingest import BOUNDS
from creators.models import MetricSnapshot
from tenancy.scoping import SYSTEM, acting_as
from tests.factories import CreatorFactory, OrganizationFactory
from tests.tenancy_helpers import api_key_client
from traffic import services
from traffic.models import Allocation
from traffic.services import allocation_run_create, allocation_run_execute, merit_of_creators

pytestmark = pytest.mark.django_db
POOL = 10_000_000
WEEKS = services.REFERENCE_WEEKS + services.WINDOW_WEEKS  # the reference's and the window's


def as_of() -> datetime.date:
    return timezone.now().date()  # relative: pushed dates must lie within ingestion's range


def weekly_rows(creator, views: int, *, followers: int = 10_000, weeks: int = WEEKS):
    """Steady weekly snapshots, the last on ``as_of``, the first in the reference weeks."""
    return [
        MetricSnapshot(
            creator=creator,
            date=as_of() - datetime.timedelta(days=7 * back),
            followers=followers,
            views=views,
            likes=views // 20,
            comments=views // 100,
            shares=views // 200,
        )
        for back in range(weeks)
    ]


def store(rows):
    MetricSnapshot.objects.unscoped().bulk_create(rows)


def run(**params):
    with acting_as(SYSTEM):
        created = allocation_run_create(
            actor=SYSTEM, pool=POOL, target_gini=params.pop("target_gini", 1.0), as_of=as_of()
        )
        return allocation_run_execute(actor=SYSTEM, run_id=created.pk)


def impressions(run_) -> dict[int, int]:
    rows = Allocation.objects.unscoped().filter(run=run_)
    return dict(rows.values_list("creator_id", "impressions"))


def merit_by_id() -> dict[int, float]:
    ids, merit, _eligible, _followers = merit_of_creators(as_of=as_of())
    return dict(zip(ids.tolist(), merit.tolist(), strict=True))


# --- overflow -----------------------------------------------------------------------------


def test_stored_values_near_int64s_end_do_not_break_the_run():
    """Two snapshots of 2**62 views (the issue's push) sum past 2**63: float64, not a wrap."""
    honest, poisoned = CreatorFactory(), CreatorFactory()
    store(weekly_rows(honest, 5_000))
    for back in (0, 1):
        day = as_of() - datetime.timedelta(days=back)
        store([MetricSnapshot(creator=poisoned, date=day, followers=1, views=2**62, likes=2**62)])
    result = run()
    assert result.status == "succeeded", result.error
    merit = merit_by_id()
    assert np.isfinite(list(merit.values())).all() and min(merit.values()) >= 0
    # The first week with data counts as reported (2 · 2**62 views), the rate is clipped.
    expected = 2 * 2.0**62 * (1 + services.ENGAGEMENT_WEIGHT * services.ENGAGEMENT_RATE_MAX)
    assert merit[poisoned.pk] == pytest.approx(expected)


def test_engagement_sums_do_not_wrap():
    creator = CreatorFactory()
    row = dict(followers=1, views=10, likes=2**62, comments=2**62, shares=2**62)
    store([MetricSnapshot(creator=creator, date=as_of(), **row)])
    components = services.merit_components(as_of=as_of())
    assert components.loc[creator.pk, "engagement"] == pytest.approx(3 * 2.0**62)
    assert components.loc[creator.pk, "rate"] == services.ENGAGEMENT_RATE_MAX
    assert run().status == "succeeded"


def test_a_hook_returning_nan_or_a_negative_merit_costs_only_that_creator(monkeypatch):
    creators = CreatorFactory.create_batch(3)
    for creator in creators:
        store(weekly_rows(creator, 5_000))

    def broken(*, as_of, creator_ids, merit, eligible):
        merit = merit.copy()
        merit[0], merit[1] = np.nan, -1.0
        return merit, eligible

    monkeypatch.setattr(services, "MERIT_ADJUSTMENTS", [broken])
    result = run()
    assert result.status == "succeeded", result.error
    got = impressions(result)
    assert [got[c.pk] for c in creators] == [0, 0, POOL]


# --- the growth cap -----------------------------------------------------------------------


def test_steady_views_count_as_reported():
    creator = CreatorFactory()
    store(weekly_rows(creator, 40_000))
    components = services.merit_components(as_of=as_of())
    assert components.loc[creator.pk, "views"] == 4 * 40_000
    assert components.loc[creator.pk, "reported_views"] == 4 * 40_000


def test_a_week_counts_at_most_three_times_the_best_reference_week():
    creator = CreatorFactory()
    rows = weekly_rows(creator, 10_000)
    rows[0].views = 100_000  # this week (as_of): ten times the reference
    rows[1].views = 25_000  # last week: 2.5 times, within the cap
    rows[5].views = 4_000  # a quiet reference week: the best one is the level
    store(rows)
    components = services.merit_components(as_of=as_of())
    assert components.loc[creator.pk, "views"] == 10_000 + 10_000 + 25_000 + 30_000
    assert components.loc[creator.pk, "reported_views"] == 10_000 * 2 + 25_000 + 100_000


def test_weeks_of_zero_views_may_grow_again_from_the_base():
    creator = CreatorFactory()
    rows = weekly_rows(creator, 0)
    rows[0].views = 50_000
    store(rows)
    components = services.merit_components(as_of=as_of())
    assert components.loc[creator.pk, "views"] == services.VIEWS_GROWTH_MAX * 1_000


def test_without_history_the_first_window_week_is_the_reference():
    creator = CreatorFactory()
    rows = weekly_rows(creator, 50_000, weeks=services.WINDOW_WEEKS)
    rows[-1].views = 2_000  # the oldest window week
    store(rows)
    components = services.merit_components(as_of=as_of())
    assert components.loc[creator.pk, "views"] == 2_000 + 3 * 6_000


# --- a poisoned push ------------------------------------------------------------------------


def test_a_poisoned_push_moves_the_others_only_by_the_poisoned_creators_bounded_gain():
    """One partner pushes the maximum every bound allows for one creator, every day of the
    window (its reference weeks untouched, so the growth cap has something to hold on to).

    "Moves barely anything", precisely: with the run proportional (target Gini 1, no floor or
    cap), (a) the poisoned creator's merit stays within the documented bound,
    reference level · 4 weeks · 3 · (1 + 5 · 0.25) · (1 + 1); (b) every other creator
    keeps at least (1 − δ) of its clean impressions (less one for rounding), where δ is the
    largest share of merit that bounded gain can take: (bound − clean) / (total + bound − clean);
    (c) no other creator gains; (d) the others keep their order, and δ is small here (under 10%
    with 100 creators), where without the cap the poisoned creator took over 99.9% of the pool.
    """
    rng = np.random.default_rng(10)
    creators = CreatorFactory.create_batch(100)
    views = rng.lognormal(10, 0.4, len(creators)).astype(int)
    store([row for c, v in zip(creators, views, strict=True) for row in weekly_rows(c, int(v))])
    poisoned = creators[0]
    clean_merit = merit_by_id()
    clean = impressions(run())

    client = api_key_client(OrganizationFactory(kind="partner"), ["metrics:write"])[1]
    huge = {k: BOUNDS[k] for k in ("followers", "views", "likes", "comments", "shares")}
    rows = [
        {"creator": poisoned.handle, "date": (as_of() - datetime.timedelta(days=d)).isoformat()}
        | huge
        | {"followers": BOUNDS["followers"] if d < 14 else 1}  # the largest growth too
        for d in range(services.MERIT_WINDOW_DAYS)
    ]
    response = client.post("/api/v1/metrics/bulk/", {"rows": rows}, format="json")
    assert response.status_code == 200, response.content
    poisoned_run = run()
    assert poisoned_run.status == "succeeded", poisoned_run.error
    after = impressions(poisoned_run)
    merit = merit_by_id()

    reference = float(views[0])
    growth = services.WINDOW_WEEKS * services.VIEWS_GROWTH_MAX
    bound = (
        reference
        * growth
        * (1 + services.ENGAGEMENT_WEIGHT * services.ENGAGEMENT_RATE_MAX)
        * (1 + services.GROWTH_WEIGHT * services.GROWTH_MAX)
    )
    assert clean_merit[poisoned.pk] < merit[poisoned.pk] <= bound * (1 + 1e-12)  # (a)
    others = [c.pk for c in creators[1:]]
    gain = bound - clean_merit[poisoned.pk]
    delta = gain / (sum(clean_merit.values()) + gain)
    assert delta < 0.10  # (d)
    for pk in others:
        assert clean[pk] * (1 - delta) - 1 <= after[pk] <= clean[pk] + 1  # (b), (c)
    by_clean = sorted(others, key=lambda pk: (clean[pk], pk))
    assert [after[pk] for pk in by_clean] == sorted(after[pk] for pk in by_clean)  # (d)
    # Without the cap (every reported view counting) the push would have taken nearly all.
    reported = services.merit_components(as_of=as_of()).loc[poisoned.pk, "reported_views"]
    uncapped_share = reported / (reported + sum(clean_merit.values()))
    assert uncapped_share > 0.999
