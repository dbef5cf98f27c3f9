"""The brand dashboard's figures: reads only, every one computed from the brand's own rows.

Definitions (also in the README, "Brand dashboard"):

- **GMV** of an order is its amount minus its refunds (net of refunds; a rejected refund returned
  nothing and does not count). An order counts in a
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

Every figure comes from bulk SQL aggregation through the brand's tenant scope (the selectors of
``brands.selectors``): the orders' and refunds' amounts summed per collaboration and per bucket
of time (whole life, 30 and 90 days, each trend week) in three queries, then added up per
channel, campaign and creator in Python over one row per collaboration. The number of queries
is fixed (ten for the page), whatever the number of orders, collaborations or campaigns.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from tenancy.scoping import Actor

from .models import Collaboration, ContentSubmission
from .selectors import (
    campaigns_of_brand,
    collaborations_of_brand,
    held_refunds_of_brand,
    orders_of_brand,
    submissions_awaiting_review,
)
from .services import SPENT_STATUSES

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal(0)
PERIODS = (30, 90)
TREND_WEEKS = 13
TOP_CREATORS = 10
WAITING_ROWS = 5
SELF_BROADCAST = "self_broadcast"
CREATOR_DISTRIBUTION = "creator_distribution"


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


LIFE = {"life": {}}  # a bucket with no condition: the whole life


def _prefixed(prefix: str, lookups: dict) -> dict:
    return {prefix + name: value for name, value in lookups.items()}


@dataclass(frozen=True)
class Sold:
    """One collaboration's net GMV (``None``: the brand's self-broadcast) per bucket of time."""

    commission_pct: Decimal
    gmv: dict  # bucket name → net GMV

    def commission(self, bucket: str) -> Decimal:
        return self.gmv.get(bucket, ZERO) * self.commission_pct / 100


def _sums_per_collaboration(rows: QuerySet, buckets: dict, prefix: str = "") -> dict:
    """``{collaboration id or None: {bucket: sum of amount}}`` over ``rows`` (orders, or
    refunds with ``prefix`` "order__"), each bucket's lookups on Order filtering its sum."""
    sums = {
        name: Sum("amount", filter=Q(**_prefixed(prefix, bucket)), output_field=MONEY)
        for name, bucket in buckets.items()
    }
    grouped = rows.order_by().values(collab=F(prefix + "collaboration_id")).annotate(**sums)
    return {row["collab"]: {name: _money(row[name]) for name in buckets} for row in grouped}


def _add(into: dict, sums: dict, sign: int) -> None:
    for collaboration, amounts in sums.items():
        mine = into.setdefault(collaboration, {})
        for name, amount in amounts.items():
            mine[name] = mine.get(name, ZERO) + sign * amount


def net_sales(*, actor: Actor, now, buckets: dict, whole_life: bool, where=None) -> dict:
    """``{collaboration id or None: {bucket: net GMV}}`` of the brand's orders placed up to
    ``now`` (and matching ``where``, lookups on Order), with a ``"life"`` bucket if asked.

    Net of refunds without a query per order: the orders' sums per collaboration minus the sums
    of their refunds grouped and bucketed by the same order fields (through ``order__``). Dated
    buckets are summed over the orders of their periods only (the index on placed_at), the whole
    life in a plain sum per collaboration. Two or three queries.
    """
    where = {"placed_at__lte": now, **(where or {})}
    orders = orders_of_brand(actor=actor).filter(**where)
    refunds = held_refunds_of_brand(actor=actor).filter(**_prefixed("order__", where))
    net: dict = {}
    if buckets:
        earliest = min(lookups["placed_at__gte"] for lookups in buckets.values())
        _add(net, _sums_per_collaboration(orders.filter(placed_at__gte=earliest), buckets), 1)
    if whole_life:
        _add(net, _sums_per_collaboration(orders, LIFE), 1)
    everything = {**buckets, **LIFE} if whole_life else buckets
    _add(net, _sums_per_collaboration(refunds, everything, "order__"), -1)
    return net


def _period_start(now: datetime.datetime, days: int) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def _week_start(moment: datetime.datetime) -> datetime.date:
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


def trend_weeks(now) -> list[datetime.date]:
    """The Mondays of the last 13 calendar weeks, oldest first, the current one last."""
    this_week = _week_start(now)
    return [this_week - datetime.timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1)]


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def dashboard_buckets(now) -> dict[str, dict]:
    """The last 30 and 90 days and each trend week, as lookups on Order."""
    buckets = {}
    for days in PERIODS:
        buckets[f"days_{days}"] = {"placed_at__gte": _period_start(now, days)}
    for week in trend_weeks(now):
        start, end = _midnight(week), _midnight(week + datetime.timedelta(weeks=1))
        buckets[f"week_{week.isoformat()}"] = {"placed_at__gte": start, "placed_at__lt": end}
    return buckets


@dataclass(frozen=True)
class BrandSales:
    """The brand's net sales per collaboration and its collaborations: what every block of the
    dashboard is added up from (in Python, over one row per collaboration)."""

    now: datetime.datetime
    sold: dict  # collaboration id (None: self-broadcast) → Sold
    collaborations: list[dict]  # id, campaign_id, creator_id, fee, status, pct, offered

    @classmethod
    def of(cls, actor: Actor, now) -> BrandSales:
        """Four queries: orders (whole life, recent periods), refunds, collaborations."""
        gmv = net_sales(actor=actor, now=now, buckets=dashboard_buckets(now), whole_life=True)
        collaborations = list(
            collaborations_of_brand(actor=actor)
            .order_by()
            .values("id", "campaign_id", "creator_id", "fee", "status", "commission_pct")
            .annotate(offered=F("offered_at"))
        )
        pct = {row["id"]: row["commission_pct"] for row in collaborations}
        sold = {pk: Sold(pct.get(pk, ZERO), sums) for pk, sums in gmv.items()}
        return cls(now, sold, collaborations)

    def through(self, days: int, rows=None) -> Figures:
        """Creator distribution over the last ``days`` and ``rows`` (default: every
        collaboration): net GMV; spend: commission + fees paid for those offered in the period."""
        rows = self.collaborations if rows is None else rows
        bucket, since = f"days_{days}", _period_start(self.now, days)
        gmv = commission = fees = ZERO
        for row in rows:
            sold = self.sold.get(row["id"])
            if sold is not None:
                gmv += sold.gmv.get(bucket, ZERO)
                commission += sold.commission(bucket)
            if row["status"] in SPENT_STATUSES and since <= row["offered"] <= self.now:
                fees += row["fee"]
        return Figures(gmv, commission + fees)

    def own(self, bucket: str) -> Figures:
        own = self.sold.get(None)
        return Figures(own.gmv.get(bucket, ZERO) if own else ZERO)


def totals_of(brand: BrandSales) -> dict[int, dict[str, Figures]]:
    result = {}
    for days in PERIODS:
        own, through = brand.own(f"days_{days}"), brand.through(days)
        result[days] = {SELF_BROADCAST: own, CREATOR_DISTRIBUTION: through, "all": own + through}
    return result


def totals(*, actor: Actor, now: datetime.datetime | None = None) -> dict[int, dict[str, Figures]]:
    """``{days: {channel: Figures, "all": Figures}}`` for the last 30 and 90 days."""
    return totals_of(BrandSales.of(actor, now or timezone.now()))


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
    def budget_used(self) -> Decimal | None:
        """Fees committed or spent, per unit of budget (None for a zero budget)."""
        budget = self.campaign.budget
        return (self.campaign.committed + self.campaign.spent) / budget if budget else None


def _campaign_rows(campaigns, sold: dict, campaign_of: dict) -> list[CampaignFigures]:
    """Each campaign with the net GMV and commission of its collaborations' whole life."""
    gmv: dict = {}
    commission: dict = {}
    for collaboration, figures in sold.items():
        campaign = campaign_of.get(collaboration)
        if campaign is not None:
            gmv[campaign] = gmv.get(campaign, ZERO) + figures.gmv.get("life", ZERO)
            commission[campaign] = commission.get(campaign, ZERO) + figures.commission("life")
    return [CampaignFigures(c, gmv.get(c.pk, ZERO), commission.get(c.pk, ZERO)) for c in campaigns]


def campaign_figures(*, actor: Actor, campaign, now=None) -> CampaignFigures:
    """A campaign (from ``campaigns_of_brand``: its fees committed and spent) with its GMV,
    spend (spent fees + commission), ROI and budget use over its whole life. Three queries."""
    where = {"collaboration__campaign_id": campaign.pk}
    now = now or timezone.now()
    gmv = net_sales(actor=actor, now=now, buckets={}, whole_life=True, where=where)
    pct = dict(
        collaborations_of_brand(actor=actor)
        .filter(campaign_id=campaign.pk)
        .values_list("id", "commission_pct")
    )
    sold = {pk: Sold(pct.get(pk, ZERO), sums) for pk, sums in gmv.items()}
    return _campaign_rows([campaign], sold, dict.fromkeys(sold, campaign.pk))[0]


def campaigns_of(brand: BrandSales, campaigns) -> list[CampaignFigures]:
    """Every campaign with its figures; self-broadcast orders belong to no campaign."""
    campaign_of = {row["id"]: row["campaign_id"] for row in brand.collaborations}
    return _campaign_rows(list(campaigns), brand.sold, campaign_of)


def campaigns_with_figures(*, actor: Actor, now=None) -> list[CampaignFigures]:
    brand = BrandSales.of(actor, now or timezone.now())
    return campaigns_of(brand, campaigns_of_brand(actor=actor))


def trend_of(brand: BrandSales) -> list[dict]:
    """The last 13 weeks, oldest first: ``{"week": Monday, channel: GMV, …}``; a week with no
    orders is there with zeros."""
    rows = []
    for week in trend_weeks(brand.now):
        bucket = f"week_{week.isoformat()}"
        through = sum((s.gmv.get(bucket, ZERO) for k, s in brand.sold.items() if k), ZERO)
        rows.append(
            {"week": week, SELF_BROADCAST: brand.own(bucket).gmv, CREATOR_DISTRIBUTION: through}
        )
    return rows


def gmv_trend(*, actor: Actor, now=None) -> list[dict]:
    return trend_of(BrandSales.of(actor, now or timezone.now()))


@dataclass(frozen=True)
class CreatorFigures:
    creator_id: int
    gmv: Decimal
    spend: Decimal
    handle: str = ""

    @property
    def roi(self) -> Decimal | None:
        return roi_of(self.gmv, self.spend)


def creators_of(brand: BrandSales) -> list[CreatorFigures]:
    """Each creator with GMV or spend for the brand in the last 90 days (spend: fees paid for
    collaborations offered in the period + commission); handles are added to the top ones."""
    per_creator: dict = {}
    for row in brand.collaborations:
        per_creator.setdefault(row["creator_id"], []).append(row)
    figures = []
    for creator_id, rows in per_creator.items():
        through = brand.through(max(PERIODS), rows)
        if through.gmv or through.spend:
            figures.append(CreatorFigures(creator_id, through.gmv, through.spend))
    return figures


def top_creators(rows: list[CreatorFigures]) -> dict[str, list[CreatorFigures]]:
    """The ten best by GMV and, among those with spend, by ROI (ties: the first creator)."""
    by_gmv = sorted(rows, key=lambda r: (-r.gmv, r.creator_id))[:TOP_CREATORS]
    paid = [r for r in rows if r.roi is not None]
    by_roi = sorted(paid, key=lambda r: (-r.roi, r.creator_id))[:TOP_CREATORS]
    return {"gmv": by_gmv, "roi": by_roi}


def with_handles(actor: Actor, top: dict) -> dict:
    """The rankings with each creator's handle, read through the brand's collaborations. One
    query for the (at most twenty) creators shown."""
    ids = {row.creator_id for rows in top.values() for row in rows}
    handles = dict(
        collaborations_of_brand(actor=actor)
        .filter(creator_id__in=ids)
        .order_by()
        .values_list("creator_id", "creator__handle")
        .distinct()
    )
    return {
        name: [replace(row, handle=handles[row.creator_id]) for row in rows]
        for name, rows in top.items()
    }


def ranked_creators(*, actor: Actor, now=None) -> dict[str, list[CreatorFigures]]:
    """The top creators by GMV and by ROI over the last 90 days, with their handles."""
    brand = BrandSales.of(actor, now or timezone.now())
    return with_handles(actor, top_creators(creators_of(brand)))


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


def content_waiting_for_review(actor: Actor) -> QuerySet[ContentSubmission]:
    """Content creators submitted that waits for the brand's answer (``ContentSubmission``
    rows, with collaboration, campaign, product and creator loaded): the review queue's own
    selector, so that the dashboard's count is the queue's."""
    return submissions_awaiting_review(actor=actor)


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
    """Everything the brand dashboard shows, in a fixed number of queries (ten)."""
    now = now or timezone.now()
    brand = BrandSales.of(actor, now)
    return Dashboard(
        totals=totals_of(brand),
        campaigns=campaigns_of(brand, campaigns_of_brand(actor=actor)),
        trend=trend_of(brand),
        top=with_handles(actor, top_creators(creators_of(brand))),
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
        ranked = ranked_creators(actor=actor, now=now)[ranking]
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
