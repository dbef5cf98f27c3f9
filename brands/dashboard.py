"""The brand dashboard's figures: reads only, every one computed from the brand's own rows.

Definitions (also in the README, "Brand dashboard"):

- **GMV** of an order is its amount minus its refunds (net of refunds). An order counts in a
  period by its ``placed_at``; its refunds follow it, whenever they were requested.
- **Channel** (the brief's 双轮驱动): an order with no collaboration is *brand self-broadcast*;
  one through a collaboration is *creator distribution*.
- **Spend** is the fees of collaborations in ``brands.services.SPENT_STATUSES`` (live or
  completed), counted in a period by ``offered_at``, plus the commission
  (``commission_pct`` / 100 × net GMV of the collaboration's orders, by the orders' ``placed_at``).
  Self-broadcast has no spend rows (the brand's own live room costs nothing the platform
  records), so its ROI is None, shown as "—".
- **ROI** is GMV ÷ spend, None when spend is 0.
- **Periods**: the last 30 and 90 days ending now; the trend is the last 13 calendar weeks
  (Monday first, the current one included); top creators are ranked over the last 90 days.

Every figure is a bulk SQL aggregation through the brand's tenant scope
(``Model.objects.for_actor`` or ``brands.selectors``): the number of queries is fixed, whatever
the number of orders, collaborations or campaigns.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.scoping import Actor

from .models import Collaboration, Order, Refund
from .selectors import campaigns_of_brand, collaborations_of_brand, orders_of_brand
from .services import SPENT_STATUSES

MONEY = DecimalField(max_digits=14, decimal_places=2)
#: amount (2 places) × percent (2 places) ÷ 100: exact with 6 places.
COMMISSION = DecimalField(max_digits=20, decimal_places=6)
ZERO = Decimal(0)
PERIODS = (30, 90)
TREND_WEEKS = 13
TOP_CREATORS = 10
WAITING_ROWS = 5
SELF_BROADCAST = "self_broadcast"
CREATOR_DISTRIBUTION = "creator_distribution"
CHANNELS = (SELF_BROADCAST, CREATOR_DISTRIBUTION)
THROUGH_CREATOR = Q(collaboration__isnull=False)
SELF = Q(collaboration__isnull=True)


def roi_of(gmv: Decimal, spend: Decimal) -> Decimal | None:
    """GMV ÷ spend; None when nothing was spent (no ratio to speak of)."""
    return gmv / spend if spend else None


@dataclass(frozen=True)
class Figures:
    gmv: Decimal = ZERO
    spend: Decimal = ZERO

    @property
    def roi(self) -> Decimal | None:
        return roi_of(self.gmv, self.spend)

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.gmv + other.gmv, self.spend + other.spend)


def _money(value) -> Decimal:
    return ZERO if value is None else value


def _sales(actor: Actor, now: datetime.datetime) -> QuerySet[Order]:
    """The brand's orders placed up to ``now``, each with ``net`` (amount minus its refunds)
    and ``commission`` (net × its collaboration's commission; 0 for self-broadcast)."""
    refunds = (
        Refund.objects.for_actor(actor)
        .filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    net = F("amount") - Coalesce(Subquery(refunds, output_field=MONEY), Value(ZERO))
    pct = Coalesce(F("collaboration__commission_pct"), Value(ZERO))
    return (
        orders_of_brand(actor=actor)
        .filter(placed_at__lte=now)
        .annotate(
            net=ExpressionWrapper(net, output_field=MONEY),
            commission=ExpressionWrapper(net * pct / Value(Decimal(100)), output_field=COMMISSION),
        )
        .order_by()
    )


def _period_start(now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def _paid_fees(actor: Actor) -> QuerySet[Collaboration]:
    return collaborations_of_brand(actor=actor).filter(status__in=SPENT_STATUSES).order_by()


def totals(*, actor: Actor, now: datetime.datetime | None = None) -> dict[int, dict[str, Figures]]:
    """``{days: {channel: Figures, "all": Figures}}`` for the last 30 and 90 days. Two queries."""
    now = now or timezone.now()
    sums = {}
    for days in PERIODS:
        since = Q(placed_at__gte=_period_start(now, days))
        sums[f"self_{days}"] = Sum("net", filter=since & SELF)
        sums[f"creator_{days}"] = Sum("net", filter=since & THROUGH_CREATOR)
        sums[f"commission_{days}"] = Sum("commission", filter=since & THROUGH_CREATOR)
    sales = _sales(actor, now).aggregate(**sums)
    fee_sums = {
        f"fees_{days}": Sum("fee", filter=Q(offered_at__gte=_period_start(now, days)))
        for days in PERIODS
    }
    fees = _paid_fees(actor).filter(offered_at__lte=now).aggregate(**fee_sums)
    result = {}
    for days in PERIODS:
        own = Figures(_money(sales[f"self_{days}"]))
        spend = _money(fees[f"fees_{days}"]) + _money(sales[f"commission_{days}"])
        through = Figures(_money(sales[f"creator_{days}"]), spend)
        result[days] = {SELF_BROADCAST: own, CREATOR_DISTRIBUTION: through, "all": own + through}
    return result


@dataclass(frozen=True)
class CampaignFigures:
    campaign: object  # a Campaign annotated by ``campaigns_of_brand`` (committed, spent)
    gmv: Decimal
    commission: Decimal

    @property
    def spend(self) -> Decimal:
        return self.campaign.spent + self.commission

    @property
    def roi(self) -> Decimal | None:
        return roi_of(self.gmv, self.spend)

    @property
    def budget_used(self) -> Decimal:
        """Fees committed or spent, per unit of budget (None for a zero budget)."""
        budget = self.campaign.budget
        return (self.campaign.committed + self.campaign.spent) / budget if budget else None


def campaign_sales(*, actor: Actor, campaign_ids=None, now=None) -> dict[int, tuple]:
    """``{campaign id: (net GMV, commission)}`` over the campaigns' whole life. One query."""
    rows = _sales(actor, now or timezone.now()).filter(THROUGH_CREATOR)
    if campaign_ids is not None:
        rows = rows.filter(collaboration__campaign_id__in=list(campaign_ids))
    grouped = rows.values("collaboration__campaign_id").annotate(
        gmv=Sum("net"), commission=Sum("commission")
    )
    return {row["collaboration__campaign_id"]: (row["gmv"], row["commission"]) for row in grouped}


def campaign_figures(*, actor: Actor, campaigns, now=None) -> list[CampaignFigures]:
    """Each of ``campaigns`` (from ``campaigns_of_brand``) with its GMV, spend (paid fees +
    commission), ROI and budget use. Self-broadcast orders belong to no campaign. One query."""
    campaigns = list(campaigns)
    sales = campaign_sales(actor=actor, campaign_ids=[c.pk for c in campaigns], now=now)
    return [CampaignFigures(c, *sales.get(c.pk, (ZERO, ZERO))) for c in campaigns]


def campaigns_with_figures(*, actor: Actor, now=None) -> list[CampaignFigures]:
    """Every campaign of the brand with its figures. Two queries."""
    return campaign_figures(actor=actor, campaigns=campaigns_of_brand(actor=actor), now=now)


def _week_start(moment: datetime.datetime) -> datetime.date:
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


def gmv_trend(*, actor: Actor, now=None) -> list[dict]:
    """The last 13 weeks, oldest first: ``{"week": Monday, channel: GMV, …}``; a week with no
    orders is there with zeros. One query."""
    now = now or timezone.now()
    weeks = [
        _week_start(now) - datetime.timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1)
    ]
    first = timezone.make_aware(datetime.datetime.combine(weeks[0], datetime.time.min))
    grouped = (
        _sales(actor, now)
        .filter(placed_at__gte=first)
        .annotate(week=TruncWeek("placed_at"))
        .values("week")
        .annotate(own=Sum("net", filter=SELF), through=Sum("net", filter=THROUGH_CREATOR))
    )
    by_week = {}
    for row in grouped:
        week = row["week"]
        day = timezone.localtime(week).date() if isinstance(week, datetime.datetime) else week
        by_week[day] = (_money(row["own"]), _money(row["through"]))
    rows = []
    for week in weeks:
        own, through = by_week.get(week, (ZERO, ZERO))
        rows.append({"week": week, SELF_BROADCAST: own, CREATOR_DISTRIBUTION: through})
    return rows


@dataclass(frozen=True)
class CreatorFigures:
    handle: str
    gmv: Decimal
    spend: Decimal

    @property
    def roi(self) -> Decimal | None:
        return roi_of(self.gmv, self.spend)


def creator_figures(*, actor: Actor, now=None) -> list[CreatorFigures]:
    """Each creator who sold for the brand in the last 90 days: GMV, spend (paid fees offered in
    the period + commission). Two queries; the ranking below is done on these rows."""
    now = now or timezone.now()
    since = _period_start(now, max(PERIODS))
    sales = (
        _sales(actor, now)
        .filter(THROUGH_CREATOR, placed_at__gte=since)
        .values("collaboration__creator_id", "collaboration__creator__handle")
        .annotate(gmv=Sum("net"), commission=Sum("commission"))
    )
    fees = dict(
        _paid_fees(actor)
        .filter(offered_at__gte=since, offered_at__lte=now)
        .values("creator_id")
        .annotate(total=Sum("fee"))
        .values_list("creator_id", "total")
    )
    return [
        CreatorFigures(
            row["collaboration__creator__handle"],
            row["gmv"],
            row["commission"] + fees.get(row["collaboration__creator_id"], ZERO),
        )
        for row in sales
    ]


def top_creators(rows: list[CreatorFigures]) -> dict[str, list[CreatorFigures]]:
    """The ten best by GMV and, among those with spend, by ROI (ties: by handle)."""
    by_gmv = sorted(rows, key=lambda r: (-r.gmv, r.handle))[:TOP_CREATORS]
    paid = [r for r in rows if r.roi is not None]
    by_roi = sorted(paid, key=lambda r: (-r.roi, r.handle))[:TOP_CREATORS]
    return {"gmv": by_gmv, "roi": by_roi}


def open_offers(*, actor: Actor, now=None) -> QuerySet[Collaboration]:
    """Offers still waiting for the creator's answer: offered, deadline not passed."""
    now = now or timezone.now()
    not_late = Q(response_deadline__isnull=True) | Q(response_deadline__gt=now)
    return (
        collaborations_of_brand(actor=actor)
        .filter(not_late, status=Collaboration.Status.OFFERED)
        .select_related("creator", "campaign", "product")
        .order_by("response_deadline", "id")
    )


def content_waiting_for_review(actor: Actor) -> QuerySet[Collaboration]:
    """Collaborations whose creator submitted content the brand has not yet answered.

    The seam for the content-review work: when ``brands.selectors.submissions_awaiting_review``
    lands, this returns what it returns; the dashboard only counts and lists the first rows.
    """
    return (
        collaborations_of_brand(actor=actor)
        .filter(status=Collaboration.Status.CONTENT_SUBMITTED)
        .select_related("creator", "campaign", "product")
        .order_by("status_changed_at", "id")
    )


def waiting(rows: QuerySet) -> dict:
    """A count and the first few rows. Two queries."""
    return {"count": rows.count(), "rows": list(rows[:WAITING_ROWS])}


@dataclass(frozen=True)
class Dashboard:
    totals: dict
    campaigns: list[CampaignFigures]
    trend: list[dict]
    top: dict
    open_offers: dict
    content_waiting: dict


def brand_dashboard(*, actor: Actor, now=None) -> Dashboard:
    """Everything the brand dashboard shows, in a fixed number of queries (eleven)."""
    now = now or timezone.now()
    return Dashboard(
        totals=totals(actor=actor, now=now),
        campaigns=campaigns_with_figures(actor=actor, now=now),
        trend=gmv_trend(actor=actor, now=now),
        top=top_creators(creator_figures(actor=actor, now=now)),
        open_offers=waiting(open_offers(actor=actor, now=now)),
        content_waiting=waiting(content_waiting_for_review(actor)),
    )


# --- the tables behind the page, as CSV rows (Decimal values as computed, unrounded) ---------


def totals_table(actor: Actor, now) -> tuple[list, list]:
    header = [_("Period (days)"), _("Channel"), "GMV", _("Spend"), "ROI"]
    rows = [
        [days, channel, figures.gmv, figures.spend, figures.roi]
        for days, channels in totals(actor=actor, now=now).items()
        for channel, figures in channels.items()
    ]
    return header, rows


def campaigns_table(actor: Actor, now) -> tuple[list, list]:
    header = [
        _("Campaign id"),
        _("Campaign"),
        _("Status"),
        _("Budget"),
        _("Committed"),
        _("Spent fees"),
        _("Commission"),
        "GMV",
        _("Spend"),
        "ROI",
        _("Budget used"),
    ]
    rows = [
        [
            row.campaign.pk,
            row.campaign.name,
            row.campaign.status,
            row.campaign.budget,
            row.campaign.committed,
            row.campaign.spent,
            row.commission,
            row.gmv,
            row.spend,
            row.roi,
            row.budget_used,
        ]
        for row in campaigns_with_figures(actor=actor, now=now)
    ]
    return header, rows


def trend_table(actor: Actor, now) -> tuple[list, list]:
    header = [_("Week starting"), SELF_BROADCAST, CREATOR_DISTRIBUTION, _("Total")]
    rows = [
        [
            row["week"].isoformat(),
            row[SELF_BROADCAST],
            row[CREATOR_DISTRIBUTION],
            row[SELF_BROADCAST] + row[CREATOR_DISTRIBUTION],
        ]
        for row in gmv_trend(actor=actor, now=now)
    ]
    return header, rows


def _creators_table(ranking: str):
    def table(actor: Actor, now) -> tuple[list, list]:
        header = [_("Rank"), _("Creator"), "GMV", _("Spend"), "ROI"]
        ranked = top_creators(creator_figures(actor=actor, now=now))[ranking]
        rows = [[i, r.handle, r.gmv, r.spend, r.roi] for i, r in enumerate(ranked, start=1)]
        return header, rows

    return table


#: ``/brand/dashboard/<name>.csv`` → the function building that table's header and rows.
TABLES = {
    "totals": totals_table,
    "campaigns": campaigns_table,
    "trend": trend_table,
    "top_creators_gmv": _creators_table("gmv"),
    "top_creators_roi": _creators_table("roi"),
}
