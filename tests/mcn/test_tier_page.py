"""The agency's tier page: badge, breakdown, gates, the way up, what-if (writes nothing), the
tier benefit, history, appeals; and the roster's contribution column. Worlds and cycles come
from tests/mcn/test_certification.py, on fixed past dates."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from mcn.labels import PERCENT_METRICS
from mcn.models import AgencyAssessment, Appeal, CertificationRun
from mcn.services import contract_today
from tenancy.models import AuditEvent
from tests.factories import (
    ContractFactory,
    CreatorFactory,
    MetricSnapshotFactory,
    OrganizationFactory,
)
from tests.mcn.test_certification import assessment, run_cycle, world
from tests.tenancy_helpers import member_client

pytestmark = pytest.mark.django_db
TIER = "/agency/tier/"
WHAT_IF = "/agency/tier/what-if/"
APPEAL = "/agency/tier/appeal/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(agency, role="owner") -> Client:
    return member_client(agency, role)


def rows_now() -> tuple:
    return (
        AgencyAssessment.objects.unscoped().count(),
        CertificationRun.objects.unscoped().count(),
        Appeal.objects.unscoped().count(),
        AuditEvent.objects.unscoped().count(),
        list(AgencyAssessment.objects.unscoped().order_by("pk").values()),
    )


def test_the_urls_are_the_pages():
    assert (reverse("mcn:tier"), reverse("mcn:tier_what_if"), reverse("mcn:tier_appeal")) == (
        TIER,
        WHAT_IF,
        APPEAL,
    )


def test_before_any_cycle_the_page_says_not_certified_yet():
    agency = world()[0]
    response = client_for(agency).get(TIER)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="tier-empty"' in body and "Not certified yet." in body
    assert 'id="appeal-form"' not in body and 'id="what-if-form"' not in body
    what_if = client_for(agency).post(WHAT_IF, {"gmv": "1"}, **HTMX)
    assert what_if.status_code == 400
    refused = client_for(agency).post(APPEAL, {"text": "Why?"})
    assert refused.status_code == 400 and "no assessment to appeal" in refused.content.decode()
    assert Appeal.objects.unscoped().count() == 0


def test_the_page_shows_tier_score_cycle_breakdown_and_gates():
    big, mid, small, empty = world()
    run = run_cycle()
    mine = assessment(run, mid)
    body = client_for(mid).get(TIER).content.decode()
    tier = mine.tier
    assert f'data-tier="{tier}"' in body and f"Tier {tier}" in body
    assert f"{mine.score:.1f} / 100" in body
    assert run.as_of.isoformat() in body and run.window_start.isoformat() in body
    assert f"version {run.policy.version}, 90-day window" in body
    assert "First tier" in body  # the first cycle: a new tier
    # The numbers table: one row per component, with its value, weight and contribution.
    table = body[body.index('id="tier-components"') :]
    table = table[: table.index("</table>")]
    for component in mine.components:
        row = re.search(rf'data-metric="{component["metric"]}">(.*?)</tr>', table).group(1)
        assert f"{component['contribution']:.1f}" in row
    gmv = next(c for c in mine.components if c["metric"] == "gmv")
    assert f"{gmv['value']:,.2f}" in table  # money grouped with cents
    engagement = next(c for c in mine.components if c["metric"] == "engagement_rate")
    assert f"{engagement['value'] * 100:.1f}%" in table  # a rate as a percentage
    thresholds = body[body.index('id="tier-thresholds"') :]
    for t, needed in run.policy.thresholds.items():
        assert re.search(rf'data-tier="{t}"><td>{t}</td><td class="num">{needed:.1f}<', thresholds)
    # Charts: the score against the thresholds (a reference line at the next tier) and points.
    assert body.count('class="plot"') == 2
    assert "Next tier (" in body
    # Gates: each one passed or failed, as stored.
    gates = body[body.index('id="tier-gates"') :]
    assert gates.count('data-passed="true"') == sum(g["passed"] for g in mine.gates)
    assert gates.count('data-passed="false"') == sum(not g["passed"] for g in mine.gates)
    assert "Active creators at least 20" in gates


def test_the_way_up_lists_the_changes_and_nothing_at_s():
    big, mid, small, empty = world()
    run = run_cycle()
    small_body = client_for(small).get(TIER).content.decode()
    way = assessment(run, small).next_tier
    assert f"Tier {way['tier']} needs these changes" in small_body
    changes = small_body[small_body.index('id="tier-changes"') :]
    changes = changes[: changes.index("</table>")]
    assert changes.count("<tr>") == 1 + len(way["changes"])  # header + one row per change
    big_body = client_for(big).get(TIER).content.decode()
    assert assessment(run, big).tier == "S" and "there is no next one" in big_body
    assert 'id="tier-changes"' not in big_body


def test_an_agency_without_data_has_no_tier():
    *_, empty = world()
    run_cycle()
    body = client_for(empty).get(TIER).content.decode()
    assert 'data-tier=""' in body and "No tier" in body and "/ 100" not in body


def test_what_if_answers_the_resulting_tier_and_writes_nothing():
    big, mid, small, empty = world()
    run = run_cycle()
    mine = assessment(run, small)
    way = mine.next_tier
    client = client_for(small)
    form = client.get(WHAT_IF, **HTMX).content.decode()
    # Prefilled with the current values (rates in percent).
    assert f'value="{round(mine.metrics["active_creators"])}"' in form
    assert f'value="{round(mine.metrics["engagement_rate"] * 100, 4)}"' in form
    data = {m: v for m, v in mine.metrics.items() if v is not None}
    data.update({change["metric"]: change["to"] for change in way["changes"]})
    shown = {m: v * 100 if m in PERCENT_METRICS else v for m, v in data.items()}
    before = rows_now()
    response = client.post(WHAT_IF, shown, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    reached = way["tier"]
    assert f'data-result-tier="{reached}"' in body and f"Tier {reached}</strong>" in body
    assert 'data-figure="what_if_score"' in body and "Nothing was saved" in body
    assert rows_now() == before
    # A plain post gets the whole page with the answer in it, and writes nothing either.
    page = client.post(WHAT_IF, shown)
    assert page.status_code == 200 and 'id="tier-summary"' in page.content.decode()
    assert "Nothing was saved" in page.content.decode()
    assert rows_now() == before


@pytest.mark.parametrize(
    "bad",
    [
        {"engagement_rate": "150"},  # a rate above 100%
        {"active_creators": "-3"},
        {"gmv": "lots"},
        {"gmv": "nan"},
        {"gmv_growth": "-101"},
    ],
)
def test_what_if_bad_values_get_the_form_with_errors_and_400(bad):
    big, mid, small, empty = world()
    run_cycle()
    before = rows_now()
    response = client_for(mid).post(WHAT_IF, bad, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="what-if-form"' in body and 'class="errors"' in body
    assert "what-if-result" not in body
    assert rows_now() == before


def test_an_appeal_is_filed_audited_and_listed():
    big, mid, small, empty = world()
    run = run_cycle()
    client = client_for(mid)
    response = client.post(APPEAL, {"text": "Our March GMV is missing."}, follow=True)
    assert response.redirect_chain[-1][0] == TIER
    appeal = Appeal.objects.unscoped().get()
    assert (appeal.assessment_id, appeal.status) == (assessment(run, mid).pk, "open")
    event = AuditEvent.objects.unscoped().get(action="mcn.appeal_filed")
    assert event.organization_id == mid.pk
    body = response.content.decode()
    listing = body[body.index('id="appeal-list"') :]
    assert "Our March GMV is missing." in listing and 'data-status="open"' in listing
    # The operator's decision shows with its reason.
    appeal.status, appeal.decision_reason = "rejected", "The figures are right."
    appeal.save()
    listing = client.get(TIER).content.decode()
    assert 'data-status="rejected"' in listing and "The figures are right." in listing


def test_an_appeal_by_htmx_answers_the_appeals_section():
    big, mid, small, empty = world()
    run_cycle()
    response = client_for(mid).post(APPEAL, {"text": "Recount please."}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith(
        '<section class="card" id="tier-appeals"'
    )
    assert "Recount please." in body and "Appeal filed" in body


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_appeal_errors_answer_400_and_file_nothing(text):
    big, mid, small, empty = world()
    run_cycle()
    for headers in ({}, HTMX):
        response = client_for(mid).post(APPEAL, {"text": text}, **headers)
        assert response.status_code == 400
        assert 'class="errors"' in response.content.decode()
    assert Appeal.objects.unscoped().count() == 0
    assert not AuditEvent.objects.unscoped().filter(action="mcn.appeal_filed").exists()


def test_a_second_open_appeal_is_refused_with_400():
    big, mid, small, empty = world()
    run_cycle()
    client = client_for(mid)
    assert client.post(APPEAL, {"text": "First."}).status_code == 302
    again = client.post(APPEAL, {"text": "Second."}, **HTMX)
    assert again.status_code == 400 and "already has an open appeal" in again.content.decode()
    assert Appeal.objects.unscoped().count() == 1


def test_a_viewer_sees_the_page_without_the_forms_and_cannot_appeal():
    big, mid, small, empty = world()
    run_cycle()
    viewer = client_for(mid, role="viewer")
    body = viewer.get(TIER).content.decode()
    assert 'id="tier-summary"' in body
    assert 'id="appeal-form"' not in body and 'id="what-if-form"' not in body
    assert "read-only" in body
    assert viewer.post(APPEAL, {"text": "Let me."}).status_code == 403
    assert viewer.post(WHAT_IF, {"gmv": "1"}).status_code == 403
    assert Appeal.objects.unscoped().count() == 0


def test_another_agency_sees_none_of_its_assessments_or_appeals():
    big, mid, small, empty = world()
    run = run_cycle()
    client_for(mid).post(APPEAL, {"text": "Secret appeal of mid."})
    other = client_for(small)
    body = other.get(TIER).content.decode()
    assert "Secret appeal of mid." not in body
    mid_row = assessment(run, mid)
    assert f'data-assessment="{mid_row.pk}"' not in body
    assert f'data-assessment="{assessment(run, small).pk}"' in body
    # Its appeal goes to its own latest assessment, never mid's.
    other.post(APPEAL, {"text": "Mine."})
    assert Appeal.objects.unscoped().get(text="Mine.").organization_id == small.pk
    # Other kinds of tenant get 404 on every tier route.
    for kind in ("brand", "partner", "operator"):
        client = client_for(OrganizationFactory(kind=kind))
        assert client.get(TIER).status_code == 404
        assert client.post(WHAT_IF, {}).status_code == 404
        assert client.post(APPEAL, {"text": "x"}).status_code == 404


def test_the_benefit_of_the_tier_is_shown():
    big, mid, small, empty = world()
    run_cycle()
    body = client_for(big).get(TIER).content.decode()
    benefit = body[body.index('id="tier-benefit"') :]
    assert "5,000,000 impressions" in benefit  # the default S package (migration)
    assert re.search(r'data-figure="brand_priority">3<', benefit)
    assert "No tier, no benefits yet." in client_for(empty).get(TIER).content.decode()


def test_history_lists_every_cycle_latest_first_with_the_change_and_override():
    big, mid, small, empty = world()
    run_cycle()
    later = run_cycle(datetime.date(2026, 7, 31))
    row = assessment(later, mid)
    row.override_tier, row.override_reason = "S", "Counted the April campaign."
    row.save()
    body = client_for(mid).get(TIER).content.decode()
    history = body[body.index('id="tier-history"') :]
    assert history.index("2026-07-31") < history.index("2026-06-30")
    assert "S: Counted the April campaign." in history
    assert "Unchanged" in history or "Up" in history or "Down" in history
    # htmx asks for the history alone.
    partial = client_for(mid).get(TIER, **HTMX).content.decode()
    assert partial.startswith('<div id="tier-history">')


def test_roster_shows_each_creators_share_of_gmv_and_views():
    today = contract_today()
    agency = world()[1]
    other = world()[1]
    heavy, light = CreatorFactory(), CreatorFactory()
    for creator, gmv, views in ((heavy, "300", 3000), (light, "100", 1000)):
        ContractFactory(organization=agency, creator=creator, start=today - datetime.timedelta(60))
        for days in (1, 8):
            MetricSnapshotFactory(
                creator=creator, date=today - datetime.timedelta(days), views=views, gmv=gmv
            )
    body = client_for(agency).get("/agency/roster/").content.decode()
    # world()'s 11 creators have no snapshots near today: the two share everything.
    heavy_row = re.search(rf'<a href="/creators/{heavy.handle}/".*?</tr>', body, re.S).group(0)
    assert "75% · 75%" in heavy_row
    light_row = re.search(rf'<a href="/creators/{light.handle}/".*?</tr>', body, re.S).group(0)
    assert "25% · 25%" in light_row
    assert "over the last 90 days" in body
    # Another agency's page shows none of these shares.
    assert heavy.handle not in client_for(other).get("/agency/roster/").content.decode()
