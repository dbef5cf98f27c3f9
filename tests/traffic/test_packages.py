"""Traffic packages (星火计划): the pure arithmetic of ``traffic.packages`` (engine-free property
tests), a run that reserves a certified agency's package before the Gini step, and where the
package shows (the run page, its CSV, the creator's "why", the API)."""

import csv
import datetime
import io

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from mcn.default_policy import DEFAULT_POLICY
from mcn.models import AgencyAssessment, CertificationRun, TierBenefit, TierPolicy
from mcn.selectors import package_tiers_as_of
from tenancy.scoping import SYSTEM, acting_as
from tests.factories import OrganizationFactory
from tests.tenancy_helpers import api_key_client, member_client
from tests.traffic.test_pages import creator_client, run_directly
from traffic import engine, packages
from traffic.models import Allocation
from traffic.services import allocation_run_publish

# --- pure: traffic.packages ------------------------------------------------------------------

merits = st.lists(
    st.one_of(st.just(0.0), st.floats(0, 1e9, allow_nan=False, allow_infinity=False)),
    min_size=1,
    max_size=40,
)


@st.composite
def weighted(draw):
    weights = draw(merits)
    eligible = draw(st.lists(st.booleans(), min_size=len(weights), max_size=len(weights)))
    total = draw(st.integers(0, 10**12))
    return total, np.array(weights), np.array(eligible)


@settings(max_examples=300, deadline=None)
@given(weighted())
def test_split_sums_exactly_follows_merit_and_gives_the_ineligible_nothing(case):
    total, weights, eligible = case
    counts = packages.split(total, weights, eligible)
    assert counts.dtype == np.int64 and (counts >= 0).all()
    assert (counts[~eligible] == 0).all()
    if not eligible.any():
        assert counts.sum() == 0
        return
    assert counts.sum() == total
    chosen = weights[eligible]
    if chosen.sum() > 0:
        exact = chosen / chosen.sum() * total
    else:  # all merit zero: an equal split
        exact = np.full(chosen.size, total / chosen.size)
    # Largest remainder: every count is its exact share rounded down or up (float slack).
    slack = 1 + 1e-9 * total
    assert (np.abs(counts[eligible] - exact) < slack).all()
    assert np.array_equal(counts, packages.split(total, weights.copy(), eligible.copy()))


def test_split_ties_go_to_the_earlier_creator_and_zero_merit_splits_equally():
    assert packages.split(10, [1, 1, 1]).tolist() == [4, 3, 3]
    assert packages.split(5, [0, 0, 0], [True, False, True]).tolist() == [3, 0, 2]
    assert packages.split(7, [3, 0, 1], [False, True, True]).tolist() == [0, 0, 7]
    with pytest.raises(ValueError):
        packages.split(5, [1, -1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**10), max_size=30), st.integers(0, 10**11))
def test_reserve_grants_in_full_within_the_limit_and_scales_down_beyond(asked, limit):
    granted, scale = packages.reserve(asked, limit)
    asked = np.array(asked, dtype=np.int64)
    assert (granted >= 0).all() and (granted <= asked).all()
    if asked.sum() <= limit:
        assert np.array_equal(granted, asked) and scale == 1.0
    else:
        assert granted.sum() == limit and scale == pytest.approx(limit / asked.sum())
        assert (np.abs(granted - asked * scale) < 1 + 1e-6 * limit).all()


def test_reservable_keeps_the_majority_and_the_floors_for_the_gini_step():
    assert packages.reservable(1_000_000) == 500_000
    assert packages.reservable(1_000_000, floor=100, eligible=9_000) == 100_000
    assert packages.reservable(1_000, floor=100, eligible=20) == 0
    assert packages.reservable(1) == 0


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_spread_gives_each_agency_exactly_its_grant_over_its_eligible_creators(data):
    n = data.draw(st.integers(1, 60))
    agencies = data.draw(st.integers(1, 5))
    groups = np.array(data.draw(st.lists(st.integers(-1, agencies - 1), min_size=n, max_size=n)))
    merit = np.array(
        data.draw(st.lists(st.sampled_from([0.0, 1.0, 7.5, 1e6]), min_size=n, max_size=n))
    )
    eligible = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    granted = np.array(
        data.draw(st.lists(st.integers(0, 10**9), min_size=agencies, max_size=agencies))
    )
    out = packages.spread(groups, merit, eligible, granted)
    assert (out[groups < 0] == 0).all() and (out[~eligible] == 0).all()
    for g in range(agencies):
        members = (groups == g) & eligible
        assert out[groups == g].sum() == (granted[g] if members.any() else 0)
    assert np.array_equal(out, packages.spread(groups, merit, eligible, granted))


# --- a run with a certified agency -----------------------------------------------------------

S_PACKAGE = 100_000
TODAY = timezone.localdate()  # the world's snapshots and the runs' as_of (tests/traffic/conftest)


@pytest.fixture
def certified(world):
    """An S-tier agency (a cycle of yesterday) with three of the world's creators, one of them
    suspended, and an A-tier one with no creator; S's package is 100k impressions."""
    agency = OrganizationFactory(kind="agency", name="Spark House")
    empty = OrganizationFactory(kind="agency", name="Nobody Signed")
    for creator in (world[0], world[5], world[11]):  # world[11] is suspended
        creator.agency = agency
        creator.save(update_fields=["agency"])
    set_package("S", S_PACKAGE)
    certify({agency: "S", empty: "A"}, as_of=TODAY - datetime.timedelta(days=1))
    return agency


def policy_in_force() -> TierPolicy:
    """The active policy (the migrations seed version 1; a transactional test's flush drops it)."""
    policy = TierPolicy.objects.unscoped().filter(active=True).first()
    if policy is None:
        fields = {k: DEFAULT_POLICY[k] for k in ("weights", "thresholds", "gates", "window_days")}
        policy = TierPolicy.objects.unscoped().create(version=1, active=True, **fields)
    return policy


def set_package(tier: str, impressions: int) -> None:
    TierBenefit.objects.unscoped().update_or_create(
        tier=tier, defaults={"monthly_impressions": impressions}
    )


def certify(tiers: dict, *, as_of) -> CertificationRun:
    policy = policy_in_force()
    run = CertificationRun.objects.unscoped().create(
        policy=policy,
        as_of=as_of,
        window_start=as_of - datetime.timedelta(days=89),
        status="succeeded",
    )
    for agency, tier in tiers.items():
        AgencyAssessment.objects.unscoped().create(
            run=run, organization=agency, tier=tier, score=90
        )
    return run


def rows(run) -> dict:
    found = Allocation.objects.unscoped().filter(run=run)
    return {a.creator_id: a for a in found}


@pytest.mark.django_db
def test_a_certified_agencys_package_is_reserved_before_the_gini_step(world, certified):
    run = run_directly()
    assert run.status == "succeeded"
    lines = rows(run)
    members = [world[0], world[5]]
    assert sum(lines[c.pk].package_impressions for c in members) == S_PACKAGE
    assert all(lines[c.pk].package_agency_id == certified.pk for c in members)
    suspended = lines[world[11].pk]
    assert suspended.impressions == 0 and suspended.package_impressions == 0
    # By merit: the bigger creator gets the bigger part.
    assert lines[world[0].pk].package_impressions > lines[world[5].pk].package_impressions
    others = [a for cid, a in lines.items() if cid not in {c.pk for c in members}]
    assert all(a.package_impressions == 0 and a.package_agency_id is None for a in others)
    # The Gini step split the rest of the pool; the total is still the pool.
    assert (
        sum(a.impressions - a.package_impressions for a in lines.values()) == run.pool - S_PACKAGE
    )
    assert sum(a.impressions for a in lines.values()) == run.pool
    assert run.package_impressions == S_PACKAGE and run.package_share == pytest.approx(0.1)
    assert run.packages["tiers"] == {"S": {"agencies": 1, "creators": 2, "impressions": S_PACKAGE}}
    assert [a["name"] for a in run.packages["agencies"]] == ["Spark House"]  # A had nobody
    final = np.array([a.impressions for a in lines.values() if a.eligible])
    assert run.gini_after == pytest.approx(engine.gini(final))
    assert run.gini_without_packages is not None

    again = run_directly()
    assert again.params_hash == run.params_hash
    assert {c: (a.impressions, a.package_impressions) for c, a in rows(again).items()} == {
        c: (a.impressions, a.package_impressions) for c, a in lines.items()
    }


@pytest.mark.django_db
def test_the_fingerprint_changes_with_the_packages_and_later_cycles_do_not_count(world, certified):
    first = run_directly()
    set_package("S", S_PACKAGE + 1)
    second = run_directly()
    assert second.params_hash != first.params_hash and second.package_impressions == S_PACKAGE + 1
    # A cycle of tomorrow does not grant anything to a run of today.
    later = OrganizationFactory(kind="agency")
    world[1].agency = later
    world[1].save(update_fields=["agency"])
    certify({later: "S"}, as_of=TODAY + datetime.timedelta(days=1))
    third = run_directly()
    assert rows(third)[world[1].pk].package_impressions == 0


@pytest.mark.django_db
def test_packages_beyond_half_the_pool_are_scaled_down(world, certified):
    set_package("S", 5_000_000)
    run = run_directly(pool=1_000_000, floor=0)
    assert run.package_impressions == 500_000 and run.package_share == 0.5
    assert run.packages["asked"] == 5_000_000 and run.packages["scale"] == pytest.approx(0.1)
    assert sum(a.package_impressions for a in rows(run).values()) == 500_000


@pytest.mark.django_db
def test_without_a_cycle_nothing_is_reserved(world):
    run = run_directly()
    assert run.package_impressions == 0 and run.packages["agencies"] == []
    assert run.gini_after == run.gini_without_packages


# --- where it shows --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_run_page_and_csv_show_the_packages(operator, world, certified):
    run = run_directly()
    page = operator.get(f"/operator/traffic/{run.pk}/").content.decode()
    assert "Traffic packages (星火计划)" in page
    assert 'data-figure="package_impressions">100,000<' in page and "10%" in page
    assert '<tr data-tier="S"><td>S</td>' in page and "Spark House" in page
    body = b"".join(operator.get(f"/operator/traffic/{run.pk}/allocations.csv").streaming_content)
    table = list(csv.reader(io.StringIO(body.decode())))
    assert table[0][-1] == "package_impressions"
    assert sum(int(r[-1]) for r in table[1:]) == S_PACKAGE


@pytest.mark.django_db
def test_the_creators_why_names_its_agencys_package(world, certified):
    run = run_directly()
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=run)
    mine = rows(run)[world[0].pk].package_impressions
    page = creator_client(world[0]).get("/portal/traffic/").content.decode()
    assert f"{mine:,} impressions from Spark House's S-tier traffic package (星火计划)." in page
    other = creator_client(world[1]).get("/portal/traffic/").content.decode()
    assert "traffic package" not in other


@pytest.mark.django_db
def test_the_api_gives_each_allocations_package(world, certified):
    run = run_directly()
    operator = OrganizationFactory(kind="operator")
    client = api_key_client(operator, ["traffic:read"])[1]
    body = client.get(f"/api/v1/traffic/runs/{run.pk}/").json()
    assert body["package_impressions"] == S_PACKAGE and body["package_share"] == pytest.approx(0.1)
    listed = client.get(f"/api/v1/traffic/runs/{run.pk}/allocations/?limit=100").json()["results"]
    assert sum(r["package_impressions"] for r in listed) == S_PACKAGE


@pytest.mark.django_db
def test_the_tiers_of_a_day_are_the_latest_cycle_ended_by_then(world, certified):
    assert package_tiers_as_of(TODAY - datetime.timedelta(days=2)) == {}
    tiers = package_tiers_as_of(TODAY)
    assert tiers[certified.pk] == "S" and len(tiers) == 2


@pytest.mark.django_db
def test_the_agencys_tier_page_shows_what_its_package_gave(world, certified):
    client = member_client(certified)
    before = client.get("/agency/tier/").content.decode()
    assert "No published traffic allocation has used your package yet." in before
    run = run_directly()
    with acting_as(SYSTEM):
        allocation_run_publish(actor=SYSTEM, run=run)
    page = client.get("/agency/tier/").content.decode()
    assert f"{S_PACKAGE:,} impressions to 2 of your creators" in page
    # Another agency sees no package of its own.
    other = OrganizationFactory(kind="agency")
    other_client = member_client(other)
    assert (
        "impressions to 2 of your creators"
        not in other_client.get("/agency/tier/").content.decode()
    )
