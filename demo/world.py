"""The demo world: a deterministic, vectorised generator of the platform's data.

``generate_world(creators=3000, seed=1, weeks=104, end_date=date(2023, 6, 30))`` returns a
:class:`World` of pandas DataFrames that the ``seed_demo`` management command bulk-writes.
Pure: numpy and pandas only, no Django. Same arguments, same world.

Rows reference each other by position: ``*_index`` columns are 0-based row numbers of the
referenced frame (``-1`` = none), so the loader maps them to primary keys with one array lookup.
Dates are ``datetime64[s]`` at midnight (use ``.dt.date``); instants (``*_at``, deadlines) are
naive UTC ``datetime64[s]``; missing ones are NaT. Money is in yuan, rounded to fen.

What the world is calibrated to (the source document's figures; see tests/demo):
creators with 100k–1M followers are ~10% of creators and earn ~65% of live tipping; mean
monthly tipping per active creator follows ¥3,200 (2020) → ¥8,700 (2023), ending at ¥8,700 on
end_date; 68% of academy-trained creators reach 10k followers within 13 weeks against 12% of
the others; complaints stay under 0.8% of orders with a few bad actors far above; the head
agencies' share of signed creators' revenue rises over the window; collaboration sales follow
a hidden audience-product fit (:func:`audience_fit`) that no frame carries.
"""

import datetime
from dataclasses import dataclass

import numpy as np
import pandas as pd

from creators import taxonomy as tx
from demo.world_academy import make_academy
from demo.world_audience import (
    AXIS_KEYS,
    audience_fit,
    draw_portraits,
    portrait_dicts,
    portrait_frame,
    portraits_of,
)
from demo.world_catalog import brand_count, make_brands, make_campaigns, make_products
from demo.world_collabs import Deals, make_collaborations
from demo.world_metrics import Timeline, make_snapshots
from demo.world_orders import add_collaboration_sales, make_complaints, make_orders, make_refunds
from demo.world_people import agency_count, make_agencies, make_people

__all__ = [
    "World",
    "audience_fit",
    "audience_of",
    "generate_world",
    "portrait_dicts",
    "portraits_of",
    "product_targets",
]


@dataclass(frozen=True)
class World:
    """The generated world. Every frame has a 0-based ``<name>_index`` first column.

    agencies: agency_index; name (Chinese MCN name, unique); size_weight (share of the agency
        market by size, sums to 1, sorted descending: the first rows are the head agencies).
    creators: creator_index; handle (unique, 'c000001'); display_name; vertical (VERTICAL key);
        region ('CN-GD' … ISO 3166-2 Chinese provinces only: city tiers are Chinese; cross-border
        creators are a hidden trait); city_tier (where the creator lives); followers (on
        end_date); joined (date);
        agency_index (-1 = independent); contract_start (date, NaT if independent);
        revenue_share_pct (the agency's cut of the creator's revenue, 0 if independent);
        trained (bool: took the creator academy); status ('active' | 'restricted' | 'suspended').
    audiences: creator_index, then one float64 column per axis key, named '<axis>.<key>'
        (axes: gender, age, city_tier, interests). Each axis sums to 1 within 1e-12 per row;
        shares are rounded to 4 decimals. Dense so a million rows stay fast:
        ``portrait_dicts(audiences, axis)`` gives the ``{key: share}`` dicts (zeros left out),
        ``portraits_of(audiences)`` the arrays, ``audience_of(audiences, i)`` one portrait.
    snapshots: one row per creator and week, for every snapshot date on or after joining
        (dates end_date - 7k), sorted by creator then date, unique per (creator_index, date):
        creator_index; date; followers (on that date); views, likes, comments, shares (that
        week); live_minutes; tipping_revenue (live tips received that week, yuan: the creator
        income the document's monthly figures follow, ¥8,700 a month per active creator on
        end_date as mean weekly × 52/12); gmv and orders (shop sales that week: own shop
        window plus the collaboration orders below, counted in the week they were placed).
    brands: brand_index; name; name_en; vertical; demo (bool: the two brands demo users log
        in as; brand 0 is the beauty brand that adopts the selection centre).
    products: product_index; brand_index; name; category (VERTICAL key: the brand's industry);
        price; description; created_at (before the brand's first campaign);
        claims (list of selling claims, some with words the Advertising Law forbids);
        target_gender, target_age, target_city_tier, target_interests ({key: share} dicts).
    campaigns: campaign_index; brand_index; name; objective ('sales' | 'brand_awareness' |
        'product_launch'); mode ('self_broadcast' | 'creator_distribution' | 'both');
        budget; start, end (dates); status ('draft' | 'active' | 'completed' | 'cancelled');
        created_at (one to four weeks before start, never after end_date). The name is
        '<brand> <YYYY-MM> <theme>' with a theme of its start month (demo.world_calendar).
    collaborations: collaboration_index; campaign_index; product_index (a product of the
        campaign's brand); creator_index (one offer per creator and campaign); offer_type
        ('direct_order' | 'invitation'); offered_at; response_deadline; fee (yuan, 0 for
        commission-only invitations); commission_pct; status (offered, accepted, declined,
        expired, content_submitted, live, completed, cancelled); content_submitted_at (the
        creator's content, for content_submitted, live and completed deals, else NaT);
        content_approved_at (the brand's approval, when it went live: live and completed).
    orders: order_index (sorted by placed_at); brand_index; collaboration_index (-1 = the
        brand's self-broadcast); creator_index and product_index (denormalised from the
        collaboration; creator -1 for self-broadcast); amount; placed_at; delivered_at (NaT if
        not yet delivered); external_id (unique per brand, 'B000-000000001').
    refunds: refund_index; order_index (a delivered order); amount; reason ('no_reason' —
        the 48-hour no-reason return — | 'quality' | 'not_as_described' | 'wrong_item' |
        'damaged'); requested_at; status (as brands.refund_rules makes it: 'approved' |
        'pending' | 'rejected' | 'disputed' | 'escalated'); auto_approved; decision_deadline,
        decided_at, disputed_at, escalated_at (NaT where none); decision_note, dispute_note.
    complaints: complaint_index; order_index; category ('false_advertising' | 'quality' |
        'delivery' | 'service' | 'counterfeit'); status ('open' | 'investigating' |
        'resolved' | 'rejected'); filed_at.
    courses, lessons, enrolments, lesson_completions: the creator academy, see
        demo.world_academy (the hidden ``trained`` trait is a course completed in the first
        three weeks; nothing there happens after end_date).
    """

    agencies: pd.DataFrame
    creators: pd.DataFrame
    audiences: pd.DataFrame
    snapshots: pd.DataFrame
    brands: pd.DataFrame
    products: pd.DataFrame
    campaigns: pd.DataFrame
    collaborations: pd.DataFrame
    orders: pd.DataFrame
    refunds: pd.DataFrame
    complaints: pd.DataFrame
    courses: pd.DataFrame
    lessons: pd.DataFrame
    enrolments: pd.DataFrame
    lesson_completions: pd.DataFrame


def generate_world(*, creators: int, seed: int, weeks: int, end_date: datetime.date) -> World:
    """Generate the demo world of ``creators`` creators and ``weeks`` weekly snapshots."""
    if creators < 1 or weeks < 1:
        raise ValueError(f"need at least one creator and one week, got {creators}, {weeks}")
    rng = _streams(seed)
    timeline = Timeline(end_day=int(np.datetime64(end_date, "D").astype(np.int64)), weeks=weeks)
    agencies = make_agencies(rng["agencies"], agency_count(creators))
    people = make_people(rng["people"], creators, timeline.end_day, agencies)
    home_tiers = people.frame["city_tier"].cat.codes.to_numpy()
    portraits = draw_portraits(rng["audiences"], people.vertical, home_tiers=home_tiers)
    snapshots = make_snapshots(rng["snapshots"], people, timeline)
    brands = make_brands(brand_count(creators))
    products = make_products(rng["products"], brands)
    campaigns = make_campaigns(rng["campaigns"], brands, timeline)
    products = _with_created_at(rng["products"], products, campaigns)
    targets = product_targets(products)
    deals = make_collaborations(
        rng["collaborations"], people, portraits, products, targets, campaigns, timeline
    )
    orders = make_orders(rng["orders"], people, brands, products, campaigns, deals, timeline)
    academy = make_academy(rng["academy"], people, people.frame["trained"].to_numpy())
    return World(
        agencies=agencies,
        creators=people.frame,
        audiences=pd.concat([people.frame[["creator_index"]], portrait_frame(portraits)], axis=1),
        snapshots=add_collaboration_sales(snapshots, orders, timeline),
        brands=brands,
        products=products,
        campaigns=_campaign_frame(rng["campaigns"], campaigns, deals),
        collaborations=deals.frame,
        orders=orders,
        refunds=make_refunds(rng["refunds"], people, orders, timeline),
        complaints=make_complaints(rng["complaints"], people, orders, timeline),
        courses=academy.courses,
        lessons=academy.lessons,
        enrolments=academy.enrolments,
        lesson_completions=academy.lesson_completions,
    )


_PARTS = (
    "agencies", "people", "audiences", "snapshots", "products", "campaigns",
    "collaborations", "orders", "refunds", "complaints", "academy",
)  # fmt: skip


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent random stream per part of the world, all from ``seed``.

    Changing how one part draws then leaves every other part as it was.
    """
    children = np.random.SeedSequence(seed).spawn(len(_PARTS))
    return {
        part: np.random.default_rng(child) for part, child in zip(_PARTS, children, strict=True)
    }


def product_targets(products: pd.DataFrame) -> dict[str, np.ndarray]:
    """Product target dicts as dense ``axis -> (products, keys)`` arrays."""
    return {
        axis: np.array(
            [[target.get(key, 0.0) for key in keys] for target in products[f"target_{axis}"]]
        ).reshape(len(products), len(keys))
        for axis, keys in AXIS_KEYS.items()
    }


def audience_of(audiences: pd.DataFrame, row: int) -> dict[str, dict[str, float]]:
    """One creator's portrait, ``{axis: {key: share}}``, from the dense audiences frame."""
    return {axis: portrait_dicts(audiences.iloc[[row]], axis)[0] for axis in tx.AUDIENCE_AXES}


def _campaign_frame(
    rng: np.random.Generator, campaigns: pd.DataFrame, deals: Deals
) -> pd.DataFrame:
    """Public campaign columns: dates instead of day numbers, and a budget.

    The budget covers the fees offered (with 20–50% headroom) plus the brand's own live room
    at ¥20k a week when it self-broadcasts, rounded to thousands.
    """
    fees = deals.frame.groupby("campaign_index")["fee"].sum()
    offered = fees.reindex(campaigns["campaign_index"], fill_value=0.0).to_numpy()
    weeks = (campaigns["end_day"] - campaigns["start_day"]).to_numpy() / 7
    own_room = np.where(campaigns["mode"] != "creator_distribution", 20_000 * weeks, 0.0)
    headroom = rng.uniform(1.2, 1.5, len(campaigns))
    return pd.DataFrame(
        {
            "campaign_index": campaigns["campaign_index"],
            "brand_index": campaigns["brand_index"],
            "name": campaigns["name"],
            "objective": campaigns["objective"],
            "mode": campaigns["mode"],
            "budget": np.maximum(np.round(offered * headroom + own_room, -3), 1000.0),
            "start": _dates(campaigns["start_day"].to_numpy()),
            "end": _dates(campaigns["end_day"].to_numpy()),
            "status": campaigns["status"],
            "created_at": _dates(campaigns["created_day"].to_numpy())
            + rng.integers(9 * 3600, 19 * 3600, len(campaigns)).astype("timedelta64[s]"),
        }
    )


def _with_created_at(
    rng: np.random.Generator, products: pd.DataFrame, campaigns: pd.DataFrame
) -> pd.DataFrame:
    """Products were listed 30–120 days before their brand's first campaign was planned."""
    first = campaigns.groupby("brand_index")["created_day"].min()
    day = first.reindex(products["brand_index"]).to_numpy() - rng.integers(30, 121, len(products))
    return products.assign(created_at=_dates(day))


def _dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[s]")
