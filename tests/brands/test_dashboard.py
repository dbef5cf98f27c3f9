"""The brand dashboard and the campaign page's figures: computed from rows, scoped to the brand,
in a number of queries that does not grow with the rows."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brands import dashboard
from brands.services_orders import order_record
from tenancy.scoping import Actor, acting_as
from tests.factories import (
    CampaignFactory,
    CollaborationFactory,
    ContentSubmissionFactory,
    CreatorFactory,
    MembershipFactory,
    OrderFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)
D = Decimal


def ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def actor_of(org) -> Actor:
    return Actor(user_id=None, organization_id=org.pk, organization_kind="brand", role="owner")


def client_of(org) -> Client:
    client = Client()
    client.force_login(MembershipFactory(organization=org, role="owner").user)
    return client


def refund(order, amount: str):
    from brands.models import Refund

    return Refund.objects.unscoped().create(
        organization_id=order.organization_id,
        order=order,
        amount=D(amount),
        reason="quality",
        requested_at=order.placed_at + datetime.timedelta(hours=1),
    )


@pytest.fixture
def world():
    """Two campaigns of one brand: a live collaboration (fee 1000, 10%) selling 300 yesterday,
    50 refunded; a completed one offered 40 days ago (fee 500, 20%) selling 200 31 days ago;
    an open offer (never spend); self-broadcast orders 2, 60 and 100 days ago."""
    brand = OrganizationFactory(kind="brand", name="Glow Labs")
    spring = CampaignFactory(organization=brand, name="Spring glow", budget=D("10000.00"))
    autumn = CampaignFactory(organization=brand, name="Autumn glow", budget=D("2000.00"))
    live = CollaborationFactory(
        campaign=spring,
        creator=CreatorFactory(handle="alpha"),
        status="live",
        fee=D("1000.00"),
        commission_pct=D("10.00"),
        offered_at=ago(10),
    )
    done = CollaborationFactory(
        campaign=autumn,
        product=live.product,
        creator=CreatorFactory(handle="beta"),
        status="completed",
        fee=D("500.00"),
        commission_pct=D("20.00"),
        offered_at=ago(40),
    )
    offer = CollaborationFactory(
        campaign=spring, product=live.product, fee=D("700.00"), offered_at=ago(1)
    )
    sold = OrderFactory(collaboration=live, amount=D("300.00"), placed_at=ago(1))
    refund(sold, "50.00")
    OrderFactory(collaboration=done, amount=D("200.00"), placed_at=ago(31))
    for days, amount in ((2, "120.50"), (60, "80.00"), (100, "999.00")):
        OrderFactory(collaboration=None, organization=brand, amount=D(amount), placed_at=ago(days))
    return {"brand": brand, "spring": spring, "autumn": autumn, "live": live, "offer": offer}


def test_totals_are_net_of_refunds_split_by_channel_and_period(world):
    totals = dashboard.totals(actor=actor_of(world["brand"]))
    last_30, last_90 = totals[30], totals[90]
    assert last_30["self_broadcast"] == dashboard.Figures(D("120.50"), D(0))
    assert last_30["creator_distribution"].gmv == D("250.00")  # 300 minus the 50 refunded
    assert last_30["creator_distribution"].spend == D("1025.00")  # fee 1000 + 10% of 250
    assert last_30["creator_distribution"].roi == D("250.00") / D("1025.00")
    assert last_30["all"].gmv == D("370.50")
    assert last_30["self_broadcast"].roi is None
    # 31 and 40 days ago: in the 90 days, not the 30; 100 days ago in neither.
    assert last_90["self_broadcast"].gmv == D("200.50")
    assert last_90["creator_distribution"].gmv == D("450.00")
    assert last_90["creator_distribution"].spend == D("1565.00")  # 1000 + 500 + 25 + 40
    assert last_90["all"].roi == D("650.50") / D("1565.00")


def test_campaign_figures_cover_the_campaigns_whole_life(world):
    figures = dashboard.campaigns_with_figures(actor=actor_of(world["brand"]))
    rows = {row.campaign.name: row for row in figures}
    spring, autumn = rows["Spring glow"], rows["Autumn glow"]
    assert (spring.gmv, spring.spend) == (D("250.00"), D("1025.00"))
    assert spring.budget_used == D("1700.00") / D("10000.00")  # 1000 spent + 700 offered
    assert (autumn.gmv, autumn.spend, autumn.roi) == (D("200.00"), D("540.00"), D(200) / D(540))


def test_trend_has_thirteen_weeks_with_zeros_and_both_channels(world):
    trend = dashboard.gmv_trend(actor=actor_of(world["brand"]))
    assert len(trend) == 13
    assert [row["week"].weekday() for row in trend] == [0] * 13
    assert trend[-1]["week"] == datetime.date(2026, 11, 30)  # NOW is Wednesday 2 December
    assert trend[-1]["creator_distribution"] == D("250.00")
    assert trend[-1]["self_broadcast"] == D("120.50")
    assert sum(r["self_broadcast"] for r in trend) == D("200.50")  # 100 days ago: before
    assert sum(r["creator_distribution"] for r in trend) == D("450.00")
    assert sum(1 for r in trend if not r["self_broadcast"] and not r["creator_distribution"]) == 10


def test_top_creators_by_gmv_and_by_roi(world):
    top = dashboard.ranked_creators(actor=actor_of(world["brand"]))
    assert [(r.handle, r.gmv) for r in top["gmv"]] == [("alpha", D("250.00")), ("beta", D(200))]
    assert [(r.handle, r.spend) for r in top["roi"]] == [("beta", D(540)), ("alpha", D(1025))]


def test_waiting_lists_open_offers_before_their_deadline_and_submitted_content(world):
    CollaborationFactory(campaign=world["spring"], response_deadline=ago(1))  # too late
    ContentSubmissionFactory(
        collaboration__campaign=world["spring"], collaboration__product=world["live"].product
    )
    figures = dashboard.brand_dashboard(actor=actor_of(world["brand"]))
    assert figures.open_offers["count"] == 1
    assert figures.open_offers["rows"] == [world["offer"]]
    assert figures.content_waiting["count"] == 1
    body = client_of(world["brand"]).get("/brand/").content.decode()
    assert "1 content to review" in body and reverse("brands:reviews") in body


def test_an_order_recorded_through_the_service_moves_gmv_and_roi_by_exactly_that_order(world):
    actor = actor_of(world["brand"])
    before = dashboard.totals(actor=actor)
    with acting_as(actor):
        order_record(
            actor=actor,
            collaboration=world["live"],
            amount=D("100.00"),
            placed_at=ago(0.5),
            external_id="SHOP-1",
        )
        order_record(actor=actor, amount=D("33.30"), placed_at=ago(0.5), external_id="SHOP-2")
    after = dashboard.totals(actor=actor)
    for days in (30, 90):
        through_before = before[days]["creator_distribution"]
        through = after[days]["creator_distribution"]
        assert through.gmv - through_before.gmv == D("100.00")
        assert through.spend - through_before.spend == D("10.00")  # its 10% commission
        assert through.roi == (through_before.gmv + 100) / (through_before.spend + 10)
        assert after[days]["self_broadcast"].gmv - before[days]["self_broadcast"].gmv == D("33.30")


def test_page_shows_the_figures(world):
    response = client_of(world["brand"]).get("/brand/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="gmv-30">370.50<' in body
    assert 'id="spend-30">1,025.00<' in body
    assert "1 : 0.24" in body  # 250 / 1025
    assert "Spring glow" in body and reverse("brands:campaign", args=[world["spring"].pk]) in body
    assert "@alpha" in body and reverse("brands:dashboard_csv", args=["campaigns"]) in body


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("table", sorted(dashboard.TABLES))
def test_csv_is_the_table(world, table):
    response = client_of(world["brand"]).get(f"/brand/dashboard/{table}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="brand-{table}.csv"'
    header, rows = dashboard.TABLES[table](actor_of(world["brand"]), NOW)
    expected = [["" if v is None else str(v) for v in row] for row in rows]
    assert csv_rows(response) == [header, *expected]
    assert rows


def test_campaign_csv_keeps_decimals_unrounded(world):
    rows = csv_rows(client_of(world["brand"]).get("/brand/dashboard/campaigns.csv"))
    spring = next(row for row in rows if row[1] == "Spring glow")
    assert D(spring[7]) == D("250.00") and D(spring[8]) == D("1025")
    assert D(spring[9]) == D("250.00") / D("1025.000000")


def test_unknown_table_is_404(world):
    assert client_of(world["brand"]).get("/brand/dashboard/secrets.csv").status_code == 404


def test_another_brand_sees_its_own_empty_figures(world):
    brand2 = client_of(OrganizationFactory(kind="brand"))
    body = brand2.get("/brand/").content.decode()
    assert 'id="gmv-30">0.00<' in body and 'id="gmv-90">0.00<' in body
    assert "Spring glow" not in body and "@alpha" not in body
    assert "No campaigns yet." in body and "No data yet." in body
    for table in dashboard.TABLES:
        rows = csv_rows(brand2.get(f"/brand/dashboard/{table}.csv"))
        text = repr(rows)
        assert "Spring glow" not in text and "alpha" not in text and "250.00" not in text
    assert len(csv_rows(brand2.get("/brand/dashboard/campaigns.csv"))) == 1  # the header


@pytest.mark.parametrize("path", ["/brand/", "/brand/dashboard/totals.csv"])
def test_outsiders_get_404_and_the_anonymous_sign_in(world, path):
    for kind in ("agency", "partner", "operator"):
        client = client_of(OrganizationFactory(kind=kind))
        assert client.get(path).status_code == 404
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def grow(brand, campaigns: int, orders: int):
    for _ in range(campaigns):
        campaign = CampaignFactory(organization=brand)
        collab = CollaborationFactory(campaign=campaign, status="live", offered_at=ago(3))
        CollaborationFactory(campaign=campaign, product=collab.product, offered_at=ago(1))
        CollaborationFactory(campaign=campaign, product=collab.product, status="content_submitted")
        for _ in range(orders):
            refund(OrderFactory(collaboration=collab, placed_at=ago(2)), "1.00")
            OrderFactory(collaboration=None, organization=brand, placed_at=ago(5))


@pytest.mark.parametrize("path", ["/brand/", "/brand/dashboard/campaigns.csv"])
def test_query_count_does_not_grow_with_rows(path):
    small, big = OrganizationFactory(kind="brand"), OrganizationFactory(kind="brand")
    grow(small, campaigns=1, orders=1)
    grow(big, campaigns=6, orders=4)
    small_client, big_client = client_of(small), client_of(big)
    count_queries(small_client, path)  # the first request of a session may set it up
    count_queries(big_client, path)
    assert count_queries(small_client, path) == count_queries(big_client, path)


def test_campaign_page_shows_its_figures_in_a_fixed_number_of_queries(world):
    client = client_of(world["brand"])
    body = client.get(reverse("brands:campaign", args=[world["spring"].pk])).content.decode()
    assert 'id="campaign-gmv">250.00' in body
    assert 'id="campaign-spend">1,025.00' in body
    assert 'id="campaign-roi">1 : 0.24<' in body
    assert 'id="budget-used">17%' in body
    path = reverse("brands:campaign", args=[world["autumn"].pk])
    first = count_queries(client, path)
    more = CollaborationFactory(campaign=world["autumn"], status="live", offered_at=ago(2))
    for _ in range(5):
        OrderFactory(collaboration=more, placed_at=ago(1))
    assert count_queries(client, path) == first


def test_page_in_chinese(world):
    body = client_of(world["brand"]).get("/brand/", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    text = body.decode()
    assert "近 30 天" in text and "花费" in text and "下载 CSV" in text
    assert "Last 30 days" not in text and "Download CSV" not in text


def test_roi_is_written_one_to_x_rounded_half_up():
    from brands.templatetags.brand_figures import roi

    assert roi(D("26.315789")) == "1 : 26.32"
    assert roi(D("1234.005")) == "1 : 1,234.01"
    assert roi(None) == "—"
