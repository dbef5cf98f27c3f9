"""The operator's certification pages: cycles (run a cycle now, tier distribution), one run's
assessments, the appeals queue (accept, reject, refused decisions), the policy and benefits
forms, and market concentration. Operator staff only; everyone else gets 404. Dates are fixed
and in the past (the cycle form refuses only future days)."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from mcn.certification import appeal_file
from mcn.models import AgencyAssessment, Appeal, CertificationRun, TierBenefit, TierPolicy
from tenancy.models import AuditEvent
from tenancy.scoping import acting_as
from tests.factories import (
    ContractFactory,
    CreatorFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
    UserFactory,
)
from tests.mcn.test_certification import AS_OF, org_actor, run_cycle, signed
from tests.tenancy_helpers import member_client
from tests.ui.charts import figures

pytestmark = pytest.mark.django_db
PAGES = [
    "/operator/certification/",
    "/operator/certification/appeals/",
    "/operator/certification/policy/",
    "/operator/certification/concentration/",
]


def client_of(kind: str, role: str = "owner") -> Client:
    return member_client(role=role, kind=kind)


@pytest.fixture
def operator():
    return client_of("operator")


@pytest.fixture
def world():
    """Three agencies of 25, 12 and 4 creators (S/A/B material) and one with none."""
    big = OrganizationFactory(kind="agency", name="Big Star MCN")
    mid = OrganizationFactory(kind="agency", name="Middle MCN")
    small = OrganizationFactory(kind="agency", name="Small MCN")
    empty = OrganizationFactory(kind="agency", name="Empty MCN")
    signed(big, creators=25, views=200_000, gmv="3000")
    signed(mid, creators=12, views=100_000, gmv="1000")
    signed(small, creators=4, views=50_000, gmv="200")
    return {"big": big, "mid": mid, "small": small, "empty": empty}


@pytest.fixture
def cycle(world):
    return run_cycle()


def text(response) -> str:
    return unescape(response.content.decode())


def open_appeal(agency, run, words="Our complaints were one brand's mistake.") -> Appeal:
    assessment = AgencyAssessment.objects.unscoped().get(run=run, organization=agency)
    actor = org_actor(agency)
    with acting_as(actor):
        return appeal_file(actor=actor, assessment=assessment, text=words)


# --- who may open them -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["brand", "agency", "partner"])
def test_other_kinds_get_404_on_every_page(kind, cycle, world):
    appeal = open_appeal(world["mid"], cycle)
    client = client_of(kind)
    for path in [*PAGES, f"/operator/certification/{cycle.pk}/"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Big Star MCN" not in text(response)
    decide = f"/operator/certification/appeals/{appeal.pk}/decide/"
    data = {"decision": "reject", "reason": "no"}
    assert client.post(decide, data).status_code == 404
    assert client.post("/operator/certification/", {"as_of": "2026-05-31"}).status_code == 404
    assert Appeal.objects.unscoped().get(pk=appeal.pk).status == "open"
    assert CertificationRun.objects.unscoped().count() == 1


def test_a_creator_and_a_stranger_get_404_and_the_signed_out_the_login(cycle):
    creator_user = UserFactory()
    CreatorFactory(user=creator_user)
    creator = Client()
    creator.force_login(creator_user)
    stranger = Client()
    stranger.force_login(UserFactory())
    for path in PAGES:
        assert creator.get(path).status_code == 404
        assert stranger.get(path).status_code == 404
        assert Client().get(path)["Location"].startswith("/login/")


def test_an_operator_viewer_reads_but_cannot_run_or_decide(cycle, world):
    appeal = open_appeal(world["mid"], cycle)
    viewer = client_of("operator", "viewer")
    assert viewer.get("/operator/certification/").status_code == 200
    assert viewer.post("/operator/certification/", {"as_of": "2026-05-31"}).status_code == 403
    decide = f"/operator/certification/appeals/{appeal.pk}/decide/"
    data = {"decision": "reject", "reason": "no"}
    assert viewer.post(decide, data).status_code == 403
    assert Appeal.objects.unscoped().get(pk=appeal.pk).status == "open"
    assert CertificationRun.objects.unscoped().count() == 1


def test_the_operator_nav_links_the_certification_pages(operator, cycle, world):
    open_appeal(world["mid"], cycle)
    home = text(operator.get("/operator/"))
    assert 'href="/operator/certification/"' in home
    assert '<span class="badge"' in text(operator.get("/operator/traffic/"))  # 1 open appeal


# --- cycles ------------------------------------------------------------------------------------


def test_the_runs_page_lists_cycles_and_draws_the_tier_distribution(operator, world):
    first = run_cycle(AS_OF - datetime.timedelta(days=30))
    second = run_cycle()
    page = operator.get("/operator/certification/").content.decode()
    assert f"/operator/certification/{first.pk}/" in page
    assert f"/operator/certification/{second.pk}/" in page
    (chart,) = [f for f in figures(page) if f["title"] == "Agencies per tier, by cycle"]
    names = [trace["name"] for trace in chart["data"]]
    assert names == ["S", "A", "B", "No tier"]
    assert chart["data"][0]["x"] == [first.as_of.isoformat(), second.as_of.isoformat()]
    counts = second.tier_counts
    assert [trace["y"][-1] for trace in chart["data"]] == [
        counts["S"], counts["A"], counts["B"], counts["none"]
    ]  # fmt: skip
    assert sum(counts.values()) == 4 and counts["none"] >= 1  # the empty agency has no tier


def test_run_a_cycle_now_enqueues_once_and_finds_the_existing_cycle(
    operator, world, django_capture_on_commit_callbacks
):
    day = "2026-05-31"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = operator.post("/operator/certification/", {"as_of": day})
    run = CertificationRun.objects.unscoped().get()
    assert len(callbacks) == 1  # the execution, enqueued after commit
    assert response.status_code == 302
    assert response["Location"] == f"/operator/certification/{run.pk}/"
    assert run.status == "succeeded" and run.as_of == datetime.date(2026, 5, 31)
    assert AgencyAssessment.objects.unscoped().filter(run=run).count() == 4
    with django_capture_on_commit_callbacks(execute=True) as again:
        response = operator.post("/operator/certification/", {"as_of": day}, follow=True)
    assert not again and CertificationRun.objects.unscoped().count() == 1
    assert "has already been run under this policy" in text(response)
    assert AgencyAssessment.objects.unscoped().count() == 4


@pytest.mark.parametrize("day", ["2999-01-01", "not a date", ""])
def test_a_bad_cycle_day_answers_400_and_creates_nothing(operator, world, day):
    response = operator.post("/operator/certification/", {"as_of": day})
    assert response.status_code == 400
    assert CertificationRun.objects.unscoped().count() == 0
    assert 'class="errorlist' in response.content.decode()


def test_the_run_page_lists_every_agency_best_score_first(operator, cycle, world):
    response = operator.get(f"/operator/certification/{cycle.pk}/")
    page = text(response)
    order = [page.index(world[k].name) for k in ("big", "mid", "small", "empty")]
    assert order == sorted(order)
    big = AgencyAssessment.objects.unscoped().get(run=cycle, organization=world["big"])
    assert f"{big.score:.1f}" in page
    assert operator.get("/operator/certification/999999/").status_code == 404


# --- appeals -----------------------------------------------------------------------------------


def decide(client, appeal, **fields):
    data = dict(fields)
    return client.post(f"/operator/certification/appeals/{appeal.pk}/decide/", data)


def test_the_queue_shows_open_appeals_first_with_their_assessment(operator, cycle, world):
    decided = open_appeal(world["small"], cycle, "Decided earlier.")
    assert decide(operator, decided, decision="reject", reason="Figures hold.").status_code == 302
    waiting = open_appeal(world["mid"], cycle, "Please look at our retention.")
    page = text(operator.get("/operator/certification/appeals/"))
    assert page.index("Please look at our retention.") < page.index("Decided earlier.")
    assessment = waiting.assessment
    assert f"{assessment.score:.1f}" in page
    for gate in assessment.gates:
        assert gate["name"] in page
    assert f"/operator/certification/appeals/{waiting.pk}/decide/" in page
    assert f"/operator/certification/appeals/{decided.pk}/decide/" not in page
    assert "Figures hold." in page


def test_accepting_an_appeal_overrides_the_tier_with_the_reason(operator, cycle, world):
    appeal = open_appeal(world["small"], cycle)
    response = decide(operator, appeal, decision="accept", new_tier="A", reason="Verified.")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.new_tier, appeal.decision_reason) == (
        "accepted",
        "A",
        "Verified.",
    )
    assessment = AgencyAssessment.objects.unscoped().get(pk=appeal.assessment_id)
    assert (assessment.override_tier, assessment.override_reason) == ("A", "Verified.")
    assert AuditEvent.objects.unscoped().filter(action="mcn.appeal_accepted").count() == 2
    run_page = text(operator.get(f"/operator/certification/{cycle.pk}/"))
    assert "Verified." in run_page


def test_rejecting_an_appeal_keeps_the_tier(operator, cycle, world):
    appeal = open_appeal(world["mid"], cycle)
    before = AgencyAssessment.objects.unscoped().get(pk=appeal.assessment_id).effective_tier
    response = decide(operator, appeal, decision="reject", reason="The gates are right.")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.new_tier == ""
    assessment = AgencyAssessment.objects.unscoped().get(pk=appeal.assessment_id)
    assert assessment.effective_tier == before and assessment.override_tier == ""


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"decision": "accept", "new_tier": "S", "reason": "  "}, "A decision needs a reason."),
        ({"decision": "reject", "reason": ""}, "A decision needs a reason."),
        ({"decision": "accept", "reason": "ok"}, "Choose the tier the agency gets"),
        ({"decision": "accept", "new_tier": "Z", "reason": "ok"}, "Select a valid choice"),
        ({"reason": "ok"}, "This field is required."),
        ({"decision": "reject", "reason": "x" * 501}, "Keep the reason under 500 characters."),
    ],
)
def test_a_refused_decision_answers_400_and_changes_nothing(
    operator, cycle, world, fields, message
):
    appeal = open_appeal(world["mid"], cycle)
    audits = AuditEvent.objects.unscoped().count()
    response = decide(operator, appeal, **fields)
    assert response.status_code == 400
    assert message in text(response)
    appeal.refresh_from_db()
    assert appeal.status == "open" and appeal.decision_reason == ""
    assessment = AgencyAssessment.objects.unscoped().get(pk=appeal.assessment_id)
    assert assessment.override_tier == ""
    assert AuditEvent.objects.unscoped().count() == audits


def test_an_appeal_decided_twice_answers_400(operator, cycle, world):
    appeal = open_appeal(world["mid"], cycle)
    assert decide(operator, appeal, decision="reject", reason="No.").status_code == 302
    response = decide(operator, appeal, decision="accept", new_tier="S", reason="Yes.")
    assert response.status_code == 400
    assert "already been decided" in text(response)
    assert Appeal.objects.unscoped().get(pk=appeal.pk).status == "rejected"


# --- policy and benefits -----------------------------------------------------------------------


def policy_form(**changes) -> dict:
    active = TierPolicy.objects.unscoped().get(active=True)
    import json

    data = {f"weight_{m}": str(w) for m, w in active.weights.items()}
    data.update({f"threshold_{t}": str(v) for t, v in active.thresholds.items()})
    data.update({"window_days": "60", "gates": json.dumps(active.gates), "note": "Shorter window"})
    data.update(changes)
    return data


def test_the_policy_page_shows_the_active_version_and_publishes_a_new_one(operator):
    page = text(operator.get("/operator/certification/policy/"))
    assert "Active policy: version 1" in page and "S: at least 20 active creators" in page
    response = operator.post("/operator/certification/policy/", policy_form(weight_gmv="40"))
    assert response.status_code == 302
    active = TierPolicy.objects.unscoped().get(active=True)
    assert (active.version, active.window_days, active.weights["gmv"]) == (2, 60, 40.0)
    assert active.note == "Shorter window"
    assert AuditEvent.objects.unscoped().filter(action="mcn.tier_policy_published").exists()
    page = text(operator.get("/operator/certification/policy/"))
    assert "Active policy: version 2" in page and "v1" in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"threshold_A": "80"}, "A higher tier cannot need a lower score."),
        ({"threshold_S": "120"}, "Ensure this value is less than or equal to 100."),
        ({"weight_gmv": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"window_days": "3"}, "Ensure this value is greater than or equal to 7."),
        ({"gates": "{not json"}, "Enter a valid JSON."),
        ({"gates": "[1, 2]"}, "Gates are an object"),
        ({"gates": '{"S": [{"name": "x"}]}'}, "This policy is not valid"),
    ],
)
def test_a_bad_policy_answers_400_and_publishes_nothing(operator, changes, message):
    response = operator.post("/operator/certification/policy/", policy_form(**changes))
    assert response.status_code == 400
    assert message in text(response)
    assert list(TierPolicy.objects.unscoped().values_list("version", "active")) == [(1, True)]


def benefit_form(**changes) -> dict:
    data = {}
    for tier, (impressions, priority) in {"S": (9, 5), "A": (6, 3), "B": (3, 1)}.items():
        data[f"impressions_{tier}"], data[f"priority_{tier}"] = str(impressions), str(priority)
    return {**data, **changes}


def test_the_benefits_form_sets_every_tier(operator):
    response = operator.post("/operator/certification/benefits/", benefit_form())
    assert response.status_code == 302
    rows = TierBenefit.objects.unscoped().order_by("tier")
    got = {b.tier: (b.monthly_impressions, b.brand_priority) for b in rows}
    assert got == {"A": (6, 3), "B": (3, 1), "S": (9, 5)}


@pytest.mark.parametrize(
    "changes", [{"priority_A": "101"}, {"impressions_S": "-5"}, {"priority_B": ""}]
)
def test_bad_benefits_answer_400_and_change_nothing(operator, changes):
    before = {
        b.tier: (b.monthly_impressions, b.brand_priority) for b in TierBenefit.objects.unscoped()
    }
    response = operator.post("/operator/certification/benefits/", benefit_form(**changes))
    assert response.status_code == 400
    after = {
        b.tier: (b.monthly_impressions, b.brand_priority) for b in TierBenefit.objects.unscoped()
    }
    assert after == before


# --- market concentration ----------------------------------------------------------------------


def test_concentration_by_quarter_from_rows(operator):
    """Q1 2026: six agencies of GMV 60, 50, 40, 30, 20, 10 and an independent creator's 90 (a
    market of 300); in Q2 the largest agency alone sells (100 of 100)."""
    day, later = datetime.date(2026, 2, 10), datetime.date(2026, 5, 10)
    sizes = [60, 50, 40, 30, 20, 10]
    agencies = []
    for size in sizes:
        agency = OrganizationFactory(kind="agency")
        creator = CreatorFactory()
        ContractFactory(organization=agency, creator=creator, start=datetime.date(2025, 1, 1))
        MetricSnapshotFactory(creator=creator, date=day, gmv=Decimal(size))
        agencies.append((agency, creator))
    MetricSnapshotFactory(creator=agencies[0][1], date=later, gmv=Decimal(100))
    MetricSnapshotFactory(creator=CreatorFactory(), date=day, gmv=Decimal(90))
    page = operator.get("/operator/certification/concentration/").content.decode()
    shares = [f for f in figures(page) if f["title"] == "Head agencies' share of GMV"][0]
    assert shares["data"][0]["x"] == ["2026-Q1", "2026-Q2"]
    assert shares["data"][0]["y"] == pytest.approx([200 / 300 * 100, 100.0])  # CR5
    assert shares["data"][1]["y"] == pytest.approx([210 / 300 * 100, 100.0])  # CR10
    hhi = [f for f in figures(page) if f["title"] == "HHI of the agency market"][0]
    expected = sum((s / 210) ** 2 for s in sizes)
    assert hhi["data"][0]["y"] == [round(expected * 10_000), 10_000]


def test_the_market_concentration_command_prints_the_quarters(capsys):
    from django.core.management import call_command

    agency = OrganizationFactory(kind="agency")
    creator = CreatorFactory()
    ContractFactory(organization=agency, creator=creator, start=datetime.date(2025, 1, 1))
    MetricSnapshotFactory(creator=creator, date=datetime.date(2026, 2, 10), gmv=Decimal(30))
    MetricSnapshotFactory(
        creator=CreatorFactory(), date=datetime.date(2026, 2, 11), gmv=Decimal(70)
    )
    call_command("market_concentration")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("quarter")
    assert lines[1].split()[:5] == ["2026-Q1", "30.0%", "30.0%", "10000", "1"]


def test_a_snapshot_dated_in_the_future_is_no_market_history(operator):
    MetricSnapshotFactory(creator=CreatorFactory(), date=datetime.date(2026, 2, 1), gmv=1)
    MetricSnapshotFactory(creator=CreatorFactory(), date=datetime.date(2701, 2, 13), gmv=1)
    response = operator.get("/operator/certification/concentration/")
    assert response.status_code == 200
    assert "2026-Q1" in response.content.decode() and "2701" not in response.content.decode()
